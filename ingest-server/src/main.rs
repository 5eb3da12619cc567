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
    // Offline verification needs no settings: a bad config must not stop it.
    if let Command::Verify {
        bundle,
        log_key,
        known_checkpoint,
        remember,
        max_bytes,
    } = cli.command
    {
        return commands::verify::run(&commands::verify::VerifyArgs {
            bundle,
            log_key,
            known_checkpoint,
            remember,
            max_bytes,
        });
    }
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
        Command::Verify { .. } => unreachable!("handled before settings are loaded"),
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
