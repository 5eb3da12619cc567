//! Postgres only: the migrations and the app role when the connecting user is
//! not a superuser, as on a managed database.

use ingest_server::storage::{PostgresOptions, PostgresStore, Storage, StorageError};
use sqlx::{AssertSqlSafe, Connection, Executor};

use super::{PROJECT, append, appended, batch, new_project, session};
use crate::support::{APP_ROLE, postgres};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_owner_without_superuser_can_migrate_and_append() {
    // Arrange: a login role that owns its database but may not create roles.
    let owner = format!("owner_{}", std::process::id());
    let superuser = postgres::fresh_database().await;
    // A superuser's migrations create the (cluster-wide) app role.
    PostgresStore::connect(&superuser, PostgresOptions::default())
        .await
        .expect("superuser migrates");
    let mut admin = sqlx::PgConnection::connect(&superuser)
        .await
        .expect("admin");
    let created = admin
        .execute(AssertSqlSafe(format!(
            "CREATE ROLE {owner} LOGIN NOCREATEROLE"
        )))
        .await;
    if let Err(e) = created {
        assert!(e.to_string().contains("already exists"), "{e}");
    }
    let db = format!(
        "{owner}_{}",
        std::time::UNIX_EPOCH
            .elapsed()
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    );
    admin
        .execute(AssertSqlSafe(format!("CREATE DATABASE {db} OWNER {owner}")))
        .await
        .expect("database");
    let url = postgres::superuser_url(&db).replacen("postgres@", &format!("{owner}@"), 1);

    // Act: migrations run as the owner, who is no member of the app role.
    let with_role = PostgresStore::connect(
        &url,
        PostgresOptions {
            app_role: Some(APP_ROLE.into()),
            ..Default::default()
        },
    )
    .await;
    let without_role = PostgresStore::connect(&url, PostgresOptions::default()).await;

    // Assert: a clear configuration error, not a pool that never connects…
    match with_role {
        Err(StorageError::Misconfigured(why)) => assert!(why.contains(APP_ROLE), "{why}"),
        Err(other) => panic!("expected Misconfigured, got {other}"),
        Ok(_) => panic!("expected Misconfigured, got a store"),
    }
    // …and without the role the owner's store works, triggers included.
    let store = without_role.expect("owner's store");
    store
        .create_project(&new_project(PROJECT, "awk_demo"))
        .await
        .expect("project");
    appended(append(&store, batch(session(1), 0, b"zero")).await);
    let rewrite = sqlx::query("UPDATE entries SET kind = kind")
        .execute(store.pool())
        .await;
    assert!(rewrite.is_err_and(|e| e.to_string().contains("append-only")));
}
