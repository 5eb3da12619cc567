//! Dev-only helpers shared by the integration tests and the benchmarks: never a
//! dependency of shipped code.
//!
//! The key design decision: a throwaway PostgreSQL cluster is started from the
//! local PostgreSQL binaries (initdb + pg_ctl) rather than through a crate that
//! downloads a server, so it works on a machine that only reaches package
//! registries. Its durability is a choice made at start ([`postgres::Durability`]):
//! tests check behaviour and run with fsync off; benchmarks measure commits and
//! must run with fsync and synchronous commit on, exactly as production would.

pub mod postgres;
