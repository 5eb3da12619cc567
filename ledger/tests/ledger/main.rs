//! Cross-checks and known-answer tests for the ledger crate, compiled as one
//! binary. `reference` is a deliberately naive RFC 6962 implementation that
//! the fast code is checked against.

mod chain;
mod checkpoint;
mod cross_check;
mod reference;
mod tampered_proofs;
mod vectors;
