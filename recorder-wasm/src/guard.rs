//! Protection for the host page against pages that mutate faster than anyone could watch:
//! a per-node rate limit and a page-wide circuit breaker. Pure Rust; the caller passes the
//! time in milliseconds and emits the `Paused`/`Resumed` markers these types ask for.
//!
//! # The key decision: fixed one-second windows, bounded memory, and fail towards recording
//!
//! Both counters use fixed windows that restart whenever a second has passed (or the clock
//! went backwards or is not a number): one timestamp and a counter, instead of a sliding
//! log per node. The per-node map is cleared at every window roll and holds at most
//! [`MAX_TRACKED_NODES`] entries; nodes beyond that in one second are allowed untracked,
//! because a page touching that many nodes is the circuit breaker's to stop, and dropping
//! mutations of nodes we merely did not count would be a silent gap.

use crate::options::GuardOptions;
use std::collections::HashMap;

/// The window both limits count in.
const WINDOW_MS: f64 = 1_000.0;

/// The most nodes [`NodeRateLimiter`] counts per window (about 100 KiB of map).
pub const MAX_TRACKED_NODES: usize = 8_192;

/// Whether `window_start` no longer covers `now`: a second passed, or the clock is broken.
fn window_over(window_start: f64, now_ms: f64) -> bool {
    !(0.0..WINDOW_MS).contains(&(now_ms - window_start))
}

/// Limits how many mutations per second are recorded for any one node
/// (`max_mutations_per_node_per_s`).
#[derive(Debug, Clone)]
pub struct NodeRateLimiter {
    limit: u32,
    window_start_ms: f64,
    counts: HashMap<u32, u32>,
    dropped: u64,
}

impl NodeRateLimiter {
    /// A limiter with `opts.max_mutations_per_node_per_s`.
    pub fn new(opts: &GuardOptions) -> Self {
        NodeRateLimiter {
            limit: opts.max_mutations_per_node_per_s,
            window_start_ms: f64::NAN,
            counts: HashMap::new(),
            dropped: 0,
        }
    }

    /// Whether a mutation of `node` at `now_ms` should be recorded. A refused one is
    /// counted in [`Self::dropped`]; the node's latest state arrives with its next recorded
    /// change or the next full snapshot.
    pub fn allow(&mut self, node: u32, now_ms: f64) -> bool {
        if window_over(self.window_start_ms, now_ms) {
            self.window_start_ms = now_ms;
            self.counts.clear();
            // `clear` keeps the allocation; a burst must not pin its peak forever.
            self.counts.shrink_to(MAX_TRACKED_NODES / 8);
        }
        if self.counts.len() >= MAX_TRACKED_NODES && !self.counts.contains_key(&node) {
            return true;
        }
        let count = self.counts.entry(node).or_insert(0);
        if *count >= self.limit {
            self.dropped = self.dropped.saturating_add(1);
            return false;
        }
        *count += 1;
        true
    }

    /// Mutations refused since this limiter was made, so the caller can note the thinning
    /// (a `LimitReached` marker) when it grows.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Nodes counted in the current window.
    pub fn tracked(&self) -> usize {
        self.counts.len()
    }
}

/// What [`CircuitBreaker::observe`] asks the caller to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Keep recording.
    Closed,
    /// Tripped by this observation: stop recording and emit a `Paused` marker.
    Tripped,
    /// Already paused: record nothing, and ask [`CircuitBreaker::try_resume`].
    Open,
}

/// Pauses recording when the page produces more than `max_mutations_per_s` mutation
/// records in a second, for `breaker_cooldown_ms`.
#[derive(Debug, Clone)]
pub struct CircuitBreaker {
    limit: u32,
    cooldown_ms: f64,
    window_start_ms: f64,
    count: u32,
    tripped_at_ms: Option<f64>,
}

impl CircuitBreaker {
    /// A closed breaker with `opts.max_mutations_per_s` and `opts.breaker_cooldown_ms`.
    pub fn new(opts: &GuardOptions) -> Self {
        CircuitBreaker {
            limit: opts.max_mutations_per_s,
            cooldown_ms: f64::from(opts.breaker_cooldown_ms),
            window_start_ms: f64::NAN,
            count: 0,
            tripped_at_ms: None,
        }
    }

    /// Counts `records` mutation records seen at `now_ms`; trips once the window's total
    /// exceeds the limit.
    pub fn observe(&mut self, records: u32, now_ms: f64) -> BreakerState {
        if self.tripped_at_ms.is_some() {
            return BreakerState::Open;
        }
        if window_over(self.window_start_ms, now_ms) {
            self.window_start_ms = now_ms;
            self.count = 0;
        }
        self.count = self.count.saturating_add(records);
        if self.count > self.limit {
            self.tripped_at_ms = Some(now_ms);
            return BreakerState::Tripped;
        }
        BreakerState::Closed
    }

    /// Whether recording is paused.
    pub fn is_open(&self) -> bool {
        self.tripped_at_ms.is_some()
    }

    /// Closes a tripped breaker once `breaker_cooldown_ms` have passed (or the clock went
    /// backwards or is not a number, rather than stay paused on a broken clock). True
    /// exactly once per trip: the caller then emits `Resumed` and takes a full snapshot.
    pub fn try_resume(&mut self, now_ms: f64) -> bool {
        let Some(tripped_at) = self.tripped_at_ms else {
            return false;
        };
        if (0.0..self.cooldown_ms).contains(&(now_ms - tripped_at)) {
            return false;
        }
        self.tripped_at_ms = None;
        self.window_start_ms = now_ms;
        self.count = 0;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> GuardOptions {
        GuardOptions {
            max_mutations_per_node_per_s: 3,
            max_mutations_per_s: 10,
            breaker_cooldown_ms: 5_000,
        }
    }

    #[test]
    fn limits_each_node_per_window_and_rolls_over() {
        let mut limiter = NodeRateLimiter::new(&opts());
        let allowed =
            |l: &mut NodeRateLimiter, node, at| (0..5).filter(|_| l.allow(node, at)).count();
        assert_eq!(allowed(&mut limiter, 1, 0.0), 3);
        assert_eq!(
            allowed(&mut limiter, 2, 999.0),
            3,
            "other nodes have their own budget"
        );
        assert_eq!(limiter.dropped(), 4);
        assert_eq!(allowed(&mut limiter, 1, 1_000.0), 3, "a new window");
        assert_eq!(limiter.tracked(), 1, "the old window's nodes are forgotten");
        assert_eq!(
            allowed(&mut limiter, 1, 500.0),
            3,
            "a clock going backwards restarts"
        );
        assert_eq!(
            allowed(&mut limiter, 1, f64::NAN),
            5,
            "a NaN clock never stops recording"
        );
    }

    #[test]
    fn memory_is_capped_and_untracked_nodes_pass() {
        let mut limiter = NodeRateLimiter::new(&opts());
        for node in 0..(MAX_TRACKED_NODES as u32 + 100) {
            assert!(limiter.allow(node, 10.0));
        }
        assert_eq!(limiter.tracked(), MAX_TRACKED_NODES);
        let untracked = MAX_TRACKED_NODES as u32 + 1;
        assert!((0..10).all(|_| limiter.allow(untracked, 10.0)));
        assert!(limiter.allow(0, 20.0) && limiter.allow(0, 20.0) && !limiter.allow(0, 20.0));
        assert!(
            limiter.allow(untracked, 1_010.0),
            "a new window starts empty"
        );
        assert_eq!(limiter.tracked(), 1);
    }

    #[test]
    fn trips_above_the_limit_and_resumes_after_cooling_down() {
        let mut breaker = CircuitBreaker::new(&opts());
        assert_eq!(breaker.observe(6, 0.0), BreakerState::Closed);
        assert_eq!(
            breaker.observe(4, 900.0),
            BreakerState::Closed,
            "10 is not above 10"
        );
        assert_eq!(
            breaker.observe(6, 1_000.0),
            BreakerState::Closed,
            "a new window"
        );
        assert!(!breaker.try_resume(1_000.0), "nothing to resume");
        assert_eq!(breaker.observe(5, 1_500.0), BreakerState::Tripped);
        assert!(breaker.is_open());
        assert_eq!(breaker.observe(0, 2_000.0), BreakerState::Open);
        assert!(!breaker.try_resume(6_499.0));
        assert!(breaker.try_resume(6_500.0));
        assert!(!breaker.try_resume(6_500.0), "resumes once");
        assert_eq!(
            breaker.observe(10, 6_600.0),
            BreakerState::Closed,
            "counting starts afresh"
        );
        assert_eq!(breaker.observe(1, 6_700.0), BreakerState::Tripped);
        assert!(
            breaker.try_resume(f64::NAN),
            "a broken clock does not pause forever"
        );
    }

    #[test]
    fn one_huge_callback_trips_at_once_without_overflow() {
        let mut breaker = CircuitBreaker::new(&opts());
        assert_eq!(breaker.observe(u32::MAX, 0.0), BreakerState::Tripped);
        let mut again = CircuitBreaker::new(&opts());
        assert_eq!(again.observe(5, 0.0), BreakerState::Closed);
        assert_eq!(again.observe(u32::MAX, 1.0), BreakerState::Tripped);
    }
}
