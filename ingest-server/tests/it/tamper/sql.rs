//! Raw SQL as an attacker with full database access writes it, for either backend.
//!
//! Values go in as literals (session ids are BLOBs in SQLite and UUIDs in
//! Postgres), so one statement text per backend does the job of a bound query.

use std::fmt::Write as _;

use uuid::Uuid;

use crate::support::{Backend, RawDb};

/// The log tables the migrations make append-only.
const APPEND_ONLY: [&str; 6] = [
    "entries",
    "payloads",
    "tree_leaves",
    "tree_nodes",
    "checkpoints",
    "ingest_conflicts",
];

#[derive(Debug)]
pub struct Tamper {
    backend: Backend,
    raw: RawDb,
}

impl Tamper {
    /// Takes the append-only triggers out of the way. Postgres: a superuser
    /// disables them (they are `ENABLE ALWAYS`, so `session_replication_role`
    /// would not do). SQLite: the file's owner drops them.
    pub async fn unlocked(backend: Backend, raw: RawDb) -> Tamper {
        let t = Tamper { backend, raw };
        for table in APPEND_ONLY {
            match backend {
                Backend::Postgres => {
                    t.run(&format!("ALTER TABLE {table} DISABLE TRIGGER ALL"))
                        .await;
                }
                Backend::Sqlite => {
                    for op in ["update", "delete"] {
                        t.run(&format!("DROP TRIGGER {table}_no_{op}")).await;
                    }
                }
            }
        }
        t
    }

    /// Runs one statement; the number of rows it touched.
    pub async fn run(&self, sql: &str) -> u64 {
        self.raw
            .execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// `UPDATE table SET set` on the row of entry `seq` of `session`, which must exist.
    pub async fn update(&self, table: &str, set: &str, session: Uuid, seq: u64) {
        let sql = format!("UPDATE {table} SET {set} WHERE {}", self.key(session, seq));
        assert_eq!(self.run(&sql).await, 1, "{sql}");
    }

    /// Deletes the row of entry `seq` of `session` from `table`.
    pub async fn delete(&self, table: &str, session: Uuid, seq: u64) {
        let sql = format!("DELETE FROM {table} WHERE {}", self.key(session, seq));
        assert_eq!(self.run(&sql).await, 1, "{sql}");
    }

    /// Swaps the values `a` and `b` of `column` (part of a unique key) between
    /// two rows of `table` within `scope` (a condition), through -1, which no row uses.
    pub async fn swap(&self, table: &str, column: &str, scope: &str, a: u64, b: u64) {
        let (a, b) = (a as i64, b as i64);
        for (from, to) in [(a, -1), (b, a), (-1, b)] {
            let sql =
                format!("UPDATE {table} SET {column} = {to} WHERE {scope} AND {column} = {from}");
            assert_eq!(self.run(&sql).await, 1, "{sql}");
        }
    }

    /// `session_id = … AND session_seq = …`.
    pub fn key(&self, session: Uuid, seq: u64) -> String {
        format!(
            "session_id = {} AND session_seq = {seq}",
            self.session(session)
        )
    }

    /// A session id literal.
    pub fn session(&self, session: Uuid) -> String {
        match self.backend {
            Backend::Sqlite => format!("X'{}'", hex(session.as_bytes())),
            Backend::Postgres => format!("'{session}'::uuid"),
        }
    }

    /// A byte string literal.
    pub fn bytes(&self, bytes: &[u8]) -> String {
        match self.backend {
            Backend::Sqlite => format!("X'{}'", hex(bytes)),
            Backend::Postgres => format!("decode('{}', 'hex')", hex(bytes)),
        }
    }
}

/// A text literal.
pub fn text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}
