//! Affidavit's viewer: replays a recorded session in the browser beside the
//! audit entries that prove it, and verifies those entries itself.
//!
//! # The key design decision: the browser checks, the server only supplies
//!
//! The server hands over the session's chain, payloads, inclusion proofs and
//! signed checkpoint, and none of it is believed. [`evidence`] recomputes every
//! hash with the `ledger` crate — the same code `affidavit fsck` and the CLI run —
//! against the log key the deployment pins, and a replay is shown as verified
//! only when every check ran and passed. The replay itself is built from the very
//! payload bytes that were hashed, so what is watched is what was proven.
//!
//! The rest follows the recorder's split: the decisions (timeline, seeking,
//! attribute sanitizing, verification, time formatting) are plain Rust modules
//! tested natively; [`dom`] (the replayed page) and [`ui`] (the pages around it)
//! talk to the browser and stay thin. JavaScript only boots the module.

pub mod evidence;
pub mod sanitize;
pub mod time;
pub mod timeline;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod dom;
#[cfg(target_arch = "wasm32")]
mod ui;

#[cfg(target_arch = "wasm32")]
pub use ui::boot;
