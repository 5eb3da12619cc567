//! Going around the store: the database itself refuses to rewrite the log.
//!
//! These are defence in depth (a file owner or superuser can drop triggers; the
//! cryptography is what makes that evident), but they stop accidents and the
//! app's own role cold.

use super::{append, appended, batch, integrate_all, session, signer, store_with_project};
use crate::support::{Backend, TestStore};

/// Every append-only table and a column to "update" in it.
const LOG_TABLES: [(&str, &str); 6] = [
    ("entries", "received_at_ms"),
    ("payloads", "bytes"),
    ("tree_leaves", "leaf_hash"),
    ("tree_nodes", "hash"),
    ("checkpoints", "note"),
    ("ingest_conflicts", "actor"),
];

/// A store with at least one row in every log table.
async fn populated(backend: Backend) -> TestStore {
    let t = store_with_project(backend).await;
    let s = session(1);
    appended(append(t.store.as_ref(), batch(s, 0, b"zero")).await);
    appended(append(t.store.as_ref(), batch(s, 1, b"one")).await);
    append(t.store.as_ref(), batch(s, 0, b"forged")).await;
    integrate_all(t.store.as_ref(), &signer(), 100).await;
    for (table, _) in LOG_TABLES {
        assert!(t.raw.count(table).await > 0, "{table} is empty");
    }
    t
}

fn assert_refused(result: Result<u64, String>, what: &str) {
    match result {
        Ok(rows) => panic!("{what} succeeded ({rows} rows)"),
        Err(e) => assert!(
            e.contains("append-only"),
            "{what} failed for another reason: {e}"
        ),
    }
}

crate::both_backends!(log_tables_refuse_update_and_delete);
async fn log_tables_refuse_update_and_delete(backend: Backend) {
    let t = populated(backend).await;

    for (table, column) in LOG_TABLES {
        let rows = t.raw.count(table).await;
        assert_refused(
            t.raw
                .execute(&format!("UPDATE {table} SET {column} = {column}"))
                .await,
            &format!("UPDATE {table}"),
        );
        assert_refused(
            t.raw.execute(&format!("DELETE FROM {table}")).await,
            &format!("DELETE FROM {table}"),
        );
        if backend == Backend::Postgres {
            assert_refused(
                t.raw.execute(&format!("TRUNCATE {table}")).await,
                &format!("TRUNCATE {table}"),
            );
        }
        assert_eq!(t.raw.count(table).await, rows, "{table} changed");
    }
    // The mutable tables stay mutable: the queue drains and heads move.
    assert_eq!(t.raw.execute("DELETE FROM integration_queue").await, Ok(0));
}

/// Postgres only: even with the triggers disabled by a superuser, the app's
/// role has no UPDATE or DELETE privilege on the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_app_role_cannot_rewrite_the_log_even_without_triggers() {
    let t = populated(Backend::Postgres).await;
    let app = t.app_pool.clone().expect("the store's own pool");
    let role: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(&app)
        .await
        .expect("role");
    assert_eq!(
        role,
        crate::support::APP_ROLE,
        "pooled connections run as the app role"
    );

    for (table, column) in LOG_TABLES {
        t.raw
            .execute(&format!("ALTER TABLE {table} DISABLE TRIGGER USER"))
            .await
            .expect("superuser disables triggers");
        let update = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET {column} = {column}"
        )))
        .execute(&app)
        .await;
        let delete = sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(&app)
            .await;
        for (what, result) in [("UPDATE", update), ("DELETE", delete)] {
            match result {
                Err(sqlx::Error::Database(db)) => {
                    assert_eq!(
                        db.code().as_deref(),
                        Some("42501"),
                        "{what} {table}: {}",
                        db.message()
                    )
                }
                other => panic!("{what} {table} as the app role: {other:?}"),
            }
        }
        // The superuser, by contrast, now could: that is what the signed
        // checkpoints and fsck are for.
        assert_eq!(
            t.raw
                .execute(&format!("UPDATE {table} SET {column} = {column}"))
                .await
                .map(|n| n > 0),
            Ok(true)
        );
    }
    // The app can still insert and read: appends keep working.
    let more = appended(append(t.store.as_ref(), batch(session(1), 2, b"two")).await);
    assert_eq!(more.session_seq, 3);
}

/// Postgres only: replica mode silences ordinary triggers (it is how logical
/// replication applies rows), so ours are `ENABLE ALWAYS`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_triggers_fire_in_replica_mode_too() {
    let t = populated(Backend::Postgres).await;
    let crate::support::RawDb::Postgres(raw) = &t.raw else {
        unreachable!("postgres store")
    };
    let mut conn = raw.acquire().await.expect("connection");
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut *conn)
        .await
        .expect("replica mode");

    for (table, column) in LOG_TABLES {
        let update = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET {column} = {column}"
        )))
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
        .map_err(|e| e.to_string());
        assert_refused(update, &format!("UPDATE {table} in replica mode"));
    }
    sqlx::query("RESET session_replication_role")
        .execute(&mut *conn)
        .await
        .expect("reset");
}
