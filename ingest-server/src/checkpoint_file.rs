//! The last published checkpoint, kept outside the database.
//!
//! Whoever can rewrite the database can also roll it back to an older, internally
//! consistent copy; the cryptography alone cannot tell. A copy of every checkpoint
//! we publish, written to the data directory, lets `fsck` (and the server at start)
//! prove the database still extends what was published.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

pub const FILE_NAME: &str = "checkpoint.latest";

pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE_NAME)
}

/// Atomically replaces the file (write, fsync, rename), so a crash leaves either
/// the old or the new checkpoint, never half of one.
pub fn write(data_dir: &Path, note: &str) -> anyhow::Result<()> {
    let target = path(data_dir);
    let tmp = data_dir.join(format!("{FILE_NAME}.tmp"));
    let mut file =
        std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    file.write_all(note.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&tmp, &target).with_context(|| format!("replacing {}", target.display()))?;
    Ok(())
}

/// The published note, or `None` if nothing was published yet.
pub fn read(data_dir: &Path) -> anyhow::Result<Option<String>> {
    match std::fs::read_to_string(path(data_dir)) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path(data_dir).display())),
    }
}
