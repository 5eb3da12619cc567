//! What recording costs the page, counted by the recorder itself: main-thread time in its
//! own code (capture, and sealing = encoding + compression), and what it produced. The
//! benchmark reads these through `recorder.stats()`; a developer can too.

use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Stats {
    /// Milliseconds spent serializing the DOM and observing changes.
    pub(crate) capture_ms: f64,
    /// Milliseconds spent encoding and compressing batches.
    pub(crate) seal_ms: f64,
    /// The longest single flush (encoding + compression + persisting), in milliseconds: a
    /// long task here is jank the page's user feels.
    pub(crate) max_seal_ms: f64,
    /// Full snapshots taken (the first one and keyframes).
    pub(crate) snapshots: u32,
    /// Milliseconds the last full snapshot took.
    pub(crate) last_snapshot_ms: f64,
    pub(crate) events: u64,
    pub(crate) batches_sealed: u64,
    pub(crate) batches_acknowledged: u64,
    /// Compressed bytes of sealed batches.
    pub(crate) bytes_sealed: u64,
    /// Bytes of WebAssembly linear memory (grows, never shrinks; flat means no leak).
    pub(crate) wasm_memory_bytes: u64,
    /// Why recording is paused right now (`mutation_storm`, `queue_full`, …), or
    /// `None` while it records.
    pub(crate) paused: Option<&'static str>,
}

/// Milliseconds since the page's time origin, for measuring durations.
pub(crate) fn now_precise() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// Adds the time `f` takes to `slot`.
pub(crate) fn timed<T>(slot: &mut f64, f: impl FnOnce() -> T) -> T {
    let start = now_precise();
    let out = f();
    *slot += now_precise() - start;
    out
}
