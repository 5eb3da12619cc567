//! The HTTP API, end to end: the real server on port 0, real encoded batches, and
//! SQLite or a throwaway PostgreSQL behind it.

pub mod batches;
pub mod harness;
mod ingest;
mod log;
mod overload;

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
