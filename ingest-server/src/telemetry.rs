//! Structured logs to stderr: `RUST_LOG` filters (default `info`); the `log_format`
//! setting (`AFFIDAVIT_LOG_FORMAT=json`) gives one JSON object per line for shippers.

use tracing_subscriber::EnvFilter;

use crate::configuration::LogFormat;

pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests) is harmless; ignore the error.
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
