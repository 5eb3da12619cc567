//! The `affidavit` server: ingest API, tamper-evident audit log and CLI.
//!
//! Key design decision: a batch is hashed exactly as received and chained into its
//! session on the hot path (one transaction per group of batches, serialized per
//! session, never globally), while the Merkle tree grows behind it in a single
//! integrator. Ingest latency therefore never waits for the tree, and everything the
//! tree and checkpoints say can be recomputed from the stored bytes by `fsck`.

pub mod access_log;
pub mod auth;
pub mod checkpoint_file;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod configuration;
pub mod data_keys;
pub mod domain;
pub mod erasure;
pub mod error;
pub mod evidence;
pub mod fsck;
pub mod ingest;
pub mod integrator;
pub mod keys;
pub mod metrics;
pub mod periodic;
pub mod published;
pub mod retention;
pub mod routes;
pub mod seal;
pub mod search;
pub mod session_close;
pub mod startup;
pub mod state;
pub mod storage;
pub mod stored_tree;
pub mod telemetry;
