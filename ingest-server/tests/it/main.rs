//! The `it` integration-test binary (one binary, zero2prod style): every module
//! shares one throwaway PostgreSQL server and one build.

mod api;
mod cli;
mod decode_cli;
mod storage_contract;
mod support;
mod tamper;
