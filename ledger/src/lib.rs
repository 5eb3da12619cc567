//! Affidavit's trust layer: what makes a recording tamper-evident.
//!
//! Key design decision: this crate does no I/O and holds no storage. It defines the
//! exact bytes that are hashed (the entry layout, leaf and node hashes, checkpoint
//! notes) and the algorithms that check them, and nothing else, so the very same
//! code verifies on the server, in the `affidavit` CLI and in the browser (wasm).
//! Storage hands it hashes; it hands back proofs and verdicts. It also takes no
//! randomness: key generation is the caller's, who passes a seed.
//!
//! - [`entry`]: the versioned entry layout; [`hash`]: RFC 6962 leaf/node hashing.
//! - [`chain`]: the per-session hash chain, verified one entry at a time.
//! - [`tree`]: tree shape by perfect subtrees ([`NodeId`]) and the growing
//!   right edge ([`Frontier`]). Storage keeps every completed perfect node, so
//!   [`proof`] builds any RFC 9162 proof from a few lookups; [`memtree`] is the
//!   in-memory store over the same functions.
//! - [`checkpoint`]: C2SP tlog-checkpoints in C2SP signed notes, Ed25519.
//! - [`session`]: one session's evidence (chain, payloads, proofs, checkpoint)
//!   checked as a whole, entry by entry.
//! - [`bundle`]: that evidence as one deterministic file, verified offline.

pub mod bundle;
pub mod chain;
pub mod checkpoint;
pub mod entry;
pub mod hash;
pub mod memtree;
pub mod proof;
pub mod sealed;
pub mod session;
pub mod tree;

pub use chain::{ChainError, ChainVerifier};
pub use checkpoint::{Checkpoint, CheckpointError, LogSigner, LogVerifier};
pub use entry::{Entry, EntryError, EntryKind, genesis_hash};
pub use hash::{Hash, empty_root, leaf_hash, node_hash, sha256};
pub use memtree::MemoryTree;
pub use proof::{
    ProofError, consistency_proof, consistency_proof_nodes, inclusion_proof, inclusion_proof_nodes,
    tree_root, verify_consistency, verify_inclusion,
};
pub use tree::{Frontier, NodeId, TreeError, perfect_subtrees, root_from_subtrees};
