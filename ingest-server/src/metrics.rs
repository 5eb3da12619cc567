//! Prometheus metrics: ingest counts, bytes, latency, rejections by reason, and
//! how far the integrator and the session indexer lag behind the ingest path.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    pub reason: &'static str,
}

#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    pub batches: Family<OutcomeLabel, Counter>,
    pub payload_bytes: Counter,
    pub events: Counter,
    pub rejections: Family<ReasonLabel, Counter>,
    pub ingest_seconds: Histogram,
    pub group_size: Histogram,
    pub tree_size: Gauge,
    pub pending_entries: Gauge,
    pub integrator_steps: Counter,
    pub integrator_errors: Counter,
    pub integrator_rejected: Counter,
    pub checkpoint_unix_seconds: Gauge,
    pub indexed_batches: Counter,
    pub index_undecodable_batches: Counter,
    pub indexer_errors: Counter,
    pub index_lag_batches: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("affidavit");
        let batches = Family::<OutcomeLabel, Counter>::default();
        let payload_bytes = Counter::default();
        let events = Counter::default();
        let rejections = Family::<ReasonLabel, Counter>::default();
        let ingest_seconds = Histogram::new(exponential_buckets(0.0005, 2.0, 16));
        let group_size = Histogram::new(exponential_buckets(1.0, 2.0, 10));
        let tree_size = Gauge::default();
        let pending_entries = Gauge::default();
        let integrator_steps = Counter::default();
        let integrator_errors = Counter::default();
        let integrator_rejected = Counter::default();
        let checkpoint_unix_seconds = Gauge::default();
        let indexed_batches = Counter::default();
        let index_undecodable_batches = Counter::default();
        let indexer_errors = Counter::default();
        let index_lag_batches = Gauge::default();

        registry.register(
            "ingest_batches",
            "Batches answered with a receipt, by outcome",
            batches.clone(),
        );
        registry.register(
            "ingest_payload_bytes",
            "Compressed payload bytes appended",
            payload_bytes.clone(),
        );
        registry.register(
            "ingest_events",
            "Recorded events in appended batches",
            events.clone(),
        );
        registry.register(
            "ingest_rejections",
            "Ingest requests refused, by reason",
            rejections.clone(),
        );
        registry.register(
            "ingest_duration_seconds",
            "Ingest request latency, accepted batches",
            ingest_seconds.clone(),
        );
        registry.register(
            "ingest_commit_group_batches",
            "Batches committed per transaction",
            group_size.clone(),
        );
        registry.register("tree_size", "Entries in the Merkle tree", tree_size.clone());
        registry.register(
            "integrator_pending_entries",
            "Entries accepted but not yet in the tree (integrator lag)",
            pending_entries.clone(),
        );
        registry.register(
            "integrator_steps",
            "Integrator steps that grew the tree",
            integrator_steps.clone(),
        );
        registry.register(
            "integrator_errors",
            "Integrator steps that failed",
            integrator_errors.clone(),
        );
        registry.register(
            "integrator_rejected_entries",
            "Queued entries refused for lack of this server's seal (written outside the server)",
            integrator_rejected.clone(),
        );
        registry.register(
            "checkpoint_timestamp_seconds",
            "When the latest checkpoint was signed",
            checkpoint_unix_seconds.clone(),
        );
        registry.register(
            "indexer_batches",
            "Stored batches read into the session index",
            indexed_batches.clone(),
        );
        registry.register(
            "indexer_undecodable_batches",
            "Stored batches the session index skipped because they did not decode",
            index_undecodable_batches.clone(),
        );
        registry.register(
            "indexer_errors",
            "Session index updates that failed (retried on a later step)",
            indexer_errors.clone(),
        );
        registry.register(
            "indexer_lag_batches",
            "Stored batches not yet in the session index, as of the indexer's last step",
            index_lag_batches.clone(),
        );

        Metrics {
            registry,
            batches,
            payload_bytes,
            events,
            rejections,
            ingest_seconds,
            group_size,
            tree_size,
            pending_entries,
            integrator_steps,
            integrator_errors,
            integrator_rejected,
            checkpoint_unix_seconds,
            indexed_batches,
            index_undecodable_batches,
            indexer_errors,
            index_lag_batches,
        }
    }

    pub fn reject(&self, reason: &'static str) {
        self.rejections.get_or_create(&ReasonLabel { reason }).inc();
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Err(e) = encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "metrics could not be encoded");
        }
        out
    }
}

/// A gauge value from an unsigned count, saturating rather than wrapping.
pub fn gauge_value(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
