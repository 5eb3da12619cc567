//! The HTTP API, end to end: the real server on port 0, real encoded batches, and
//! SQLite or a throwaway PostgreSQL behind it.

mod access_log;
mod assets;
mod audit_log;
pub mod batches;
mod erasure;
mod export;
pub mod harness;
mod ingest;
mod log;
mod overload;
pub mod session_cli;
mod session_close;
mod sessions;
pub mod sign_in;
mod viewer;

use std::path::Path;

use ledger::checkpoint::LogVerifier;
use tempfile::TempDir;

use crate::support::{Backend, TestDatabase};

impl TestDatabase for harness::TestApp {
    fn backend(&self) -> Backend {
        self.backend
    }

    fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }
}

/// The log key pinned from the data directory, as `fsck` and verifiers use it.
pub fn pinned_key(data_dir: &TempDir) -> LogVerifier {
    let path = ingest_server::keys::verifier_key_path(data_dir.path());
    ingest_server::keys::parse_verifier(path.to_str().expect("utf-8 path")).expect("pinned key")
}

/// `fsck` as `affidavit fsck` runs it on the server's host: against the key pinned
/// in the data directory, checking queued entries' seals with the signing key.
pub async fn fsck(
    store: &dyn ingest_server::storage::Storage,
    settings: &ingest_server::configuration::Settings,
    data_dir: &TempDir,
) -> ingest_server::fsck::Report {
    let signer = ingest_server::keys::load(data_dir.path()).expect("signing key");
    let seal = ingest_server::seal::EntrySeal::from_signer(&signer);
    ingest_server::fsck::check(
        store,
        &pinned_key(data_dir),
        &settings.log_origin,
        data_dir.path(),
        Some(&seal),
    )
    .await
    .expect("fsck runs")
}
