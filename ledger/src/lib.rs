//! Affidavit's trust layer: what makes a recording tamper-evident.
//!
//! Key design decision: this crate does no I/O and holds no storage. It defines the
//! exact bytes that are hashed (the entry layout, leaf and node hashes, checkpoint
//! notes) and the algorithms that check them, and nothing else, so the very same
//! code verifies on the server, in the `affidavit` CLI and in the browser (wasm).
//! Storage hands it hashes; it hands back proofs and verdicts.

pub mod entry;
pub mod hash;

pub use entry::{Entry, EntryError, EntryKind, genesis_hash};
pub use hash::{Hash, empty_root, leaf_hash, node_hash, sha256};
