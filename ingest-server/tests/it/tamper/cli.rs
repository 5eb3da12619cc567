//! `affidavit fsck` as an operator runs it: the real binary, configured only
//! through the environment, against the log a stopped server left behind.

use std::process::{Command, Output};

use super::Log;
use super::entries::flip_payload_byte;
use crate::support::{self, Backend};

/// Runs `affidavit fsck` on `log` with nothing but its settings in the environment.
async fn affidavit_fsck(log: &Log) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_affidavit"));
    command
        .arg("fsck")
        .env_clear()
        .env("AFFIDAVIT_DATA_DIR", log.data_dir.path())
        .env("AFFIDAVIT_LOG_ORIGIN", &log.settings.log_origin);
    if log.backend == Backend::Postgres {
        let name = support::postgres_database_for(log.data_dir.path());
        command.env("DATABASE_URL", support::postgres::superuser_url(&name));
    }
    tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("join")
        .expect("affidavit runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

crate::both_backends!(cli_fsck_passes_a_clean_log);
async fn cli_fsck_passes_a_clean_log(backend: Backend) {
    let log = Log::arranged(backend).await;

    let output = affidavit_fsck(&log).await;

    let printed = stdout(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{printed}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(printed.contains("the log verifies"), "{printed}");
}

crate::both_backends!(cli_fsck_fails_a_tampered_log_and_names_the_entry);
async fn cli_fsck_fails_a_tampered_log_and_names_the_entry(backend: Backend) {
    let log = Log::arranged(backend).await;
    let (session, seq) = (log.sessions[2], 3);
    flip_payload_byte(&log, session, seq).await;

    let output = affidavit_fsck(&log).await;

    let printed = stdout(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{printed}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let first = printed
        .lines()
        .find(|l| l.starts_with("first failure:"))
        .unwrap_or_else(|| panic!("no first failure in:\n{printed}"));
    assert!(
        first.contains(&format!("[payload] session {session} entry {seq}:")),
        "{first}"
    );
    assert!(!printed.contains("the log verifies"), "{printed}");
}
