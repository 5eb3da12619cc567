//! The loop every background pass shares (retention, closing idle sessions):
//! run now, then every `interval` until shutdown; a failed pass is logged and
//! retried on the next tick, never fatal.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;

use crate::storage::StorageError;

pub async fn every<F, Fut>(
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
    what: &'static str,
    mut pass: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<u64, StorageError>>,
{
    loop {
        match pass().await {
            Ok(0) => {}
            Ok(done) => tracing::info!(done, "{what} pass"),
            Err(e) => tracing::warn!(error = %e, "{what} pass failed; will retry"),
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => break,
        }
    }
}
