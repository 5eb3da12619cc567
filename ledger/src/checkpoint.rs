//! Signed checkpoints: a C2SP tlog-checkpoint body inside a C2SP signed note,
//! signed with Ed25519.
//!
//! We use the formats that Go's sumdb, Sigstore, witnesses and
//! transparency-dev tooling already speak, so an auditor can check our
//! checkpoints with off-the-shelf tools and witnesses can cosign them later
//! (extra signature lines are ignored, not rejected). Parsing is strict: every
//! checkpoint has exactly one textual form, so a signature covers one meaning.
//!
//! Body (`origin\nsize\nbase64(root)\n` + extension lines):
//!
//! ```text
//! affidavit.example/log
//! 42
//! bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::hash::Hash;

mod keys;
mod note;

pub use keys::{LogSigner, LogVerifier};

/// Why a key, note or checkpoint was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CheckpointError {
    #[error("the note has no signature from key {name}+{}", hex::encode(.key_id))]
    NoSignatureFromKey { name: String, key_id: [u8; 4] },
    #[error("the signature from the log key does not verify")]
    BadSignature,
    #[error("malformed signed note: {0}")]
    MalformedNote(String),
    #[error("malformed checkpoint body: {0}")]
    MalformedBody(String),
    #[error("malformed key: {0}")]
    MalformedKey(String),
}

/// A log's signed statement: "the tree `origin` has `size` leaves and `root`".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity; unique per log key. Non-empty, one line.
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    /// Optional extra lines, each non-empty, opaque to this crate.
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// The note text that gets signed: "origin\nsize\nbase64(root)\n" then one line per extension.
    pub fn body(&self) -> String {
        let mut out = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root.0)
        );
        for line in &self.extensions {
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    /// Parses a body, accepting only the canonical form `body()` produces.
    pub fn parse_body(text: &str) -> Result<Self, CheckpointError> {
        let bad = |why: &str| CheckpointError::MalformedBody(why.to_owned());
        if text.chars().any(|c| c < ' ' && c != '\n') {
            return Err(bad("contains a control character (only \\n may end lines)"));
        }
        let text = text
            .strip_suffix('\n')
            .ok_or_else(|| bad("does not end with a newline"))?;
        let mut lines = text.split('\n');
        let origin = lines.next().unwrap_or_default();
        if origin.is_empty() {
            return Err(bad("origin line is empty"));
        }
        let size = parse_size(lines.next().ok_or_else(|| bad("missing the size line"))?)?;
        let root = parse_root(
            lines
                .next()
                .ok_or_else(|| bad("missing the root hash line"))?,
        )?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(bad("blank line inside the body"));
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }

    /// Checks that this checkpoint has a well-formed body, i.e. that a note
    /// signed over it can be verified. `LogSigner::sign` requires this.
    pub fn validate(&self) -> Result<(), CheckpointError> {
        let parsed = Self::parse_body(&self.body())?;
        if parsed != *self {
            return Err(CheckpointError::MalformedBody(
                "origin or an extension spans several lines".to_owned(),
            ));
        }
        Ok(())
    }

    /// The extension line that carries when the log signed the checkpoint,
    /// `Timestamp: <unix nanoseconds>`, as Sigstore's Rekor writes it.
    pub fn timestamp_line(unix_ms: i64) -> String {
        format!("{TIMESTAMP_PREFIX}{}", i128::from(unix_ms) * 1_000_000)
    }

    /// When the log says it signed this checkpoint (Unix ms), from the first
    /// well-formed `Timestamp:` extension; the signature covers it.
    pub fn timestamp_ms(&self) -> Option<i64> {
        self.extensions.iter().find_map(|line| {
            let nanos: i128 = line.strip_prefix(TIMESTAMP_PREFIX)?.parse().ok()?;
            i64::try_from(nanos.div_euclid(1_000_000)).ok()
        })
    }
}

/// Prefix of the signed-time extension line.
const TIMESTAMP_PREFIX: &str = "Timestamp: ";

fn parse_size(line: &str) -> Result<u64, CheckpointError> {
    let canonical = !line.is_empty()
        && line.bytes().all(|b| b.is_ascii_digit())
        && (line == "0" || !line.starts_with('0'));
    line.parse().ok().filter(|_| canonical).ok_or_else(|| {
        CheckpointError::MalformedBody(format!("size {line:?} is not a canonical decimal u64"))
    })
}

fn parse_root(line: &str) -> Result<Hash, CheckpointError> {
    // STANDARD requires canonical padding and zero trailing bits, so each
    // root has exactly one accepted spelling.
    let bytes = STANDARD
        .decode(line)
        .map_err(|e| CheckpointError::MalformedBody(format!("root hash is not base64: {e}")))?;
    Hash::from_slice(&bytes).map_err(|_| {
        CheckpointError::MalformedBody(format!("root hash is {} bytes, expected 32", bytes.len()))
    })
}

#[cfg(test)]
mod tests;
