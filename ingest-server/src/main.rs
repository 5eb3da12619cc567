//! The `affidavit` binary: parse the command line, load settings, dispatch.

use clap::Parser;
use ingest_server::cli::{Cli, Command};
use ingest_server::commands;
use ingest_server::configuration::Settings;

// Decoding a batch builds and drops many small allocations; mimalloc cut that
// cost in the ingest benchmark (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    ingest_server::telemetry::init(settings.log_format);
    let result = match cli.command {
        Command::Serve { bind, demo } => commands::serve::run(settings, bind, demo).await,
        Command::Config => {
            print!("{}", settings.redacted());
            Ok(())
        }
        Command::Keygen { force } => commands::keygen::run(&settings, force),
        Command::Project { action } => commands::project::run(&settings, action).await,
        Command::Session { action } => commands::session::run(&settings, action).await,
        Command::User { action } => commands::user::run(&settings, action).await,
        Command::Decode { raw } => commands::decode::run(&settings, raw),
        Command::Fsck { log_key } => {
            return commands::fsck::run(&settings, log_key.as_deref()).await;
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
