//! One file per subcommand; `main.rs` only dispatches.

pub mod decode;
pub mod fsck;
pub mod keygen;
pub mod project;
pub mod serve;
pub mod session;
pub mod user;
