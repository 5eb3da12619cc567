//! How long to wait before sending the head again.
//!
//! # The key decision: exponential with "equal jitter", never sooner than Retry-After
//!
//! The delay doubles from `retry_base_ms` per failed attempt up to `retry_max_ms`, and the
//! wait is drawn uniformly from its upper half. Equal jitter rather than full jitter: full
//! jitter can draw a delay near zero, so right after a 503 some of every page's recorders
//! would come straight back; keeping half the delay fixed guarantees the wait grows while
//! still spreading recorders over the other half. A server's `Retry-After` is a floor,
//! capped at five times `retry_max_ms` so a wrong header cannot stall a page for hours.

use crate::options::BatchOptions;

/// How many `retry_max_ms` a server's `Retry-After` may ask for at most.
const RETRY_AFTER_CAP_FACTOR: u64 = 5;

/// Failed attempts since the last success.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backoff {
    attempt: u32,
}

impl Backoff {
    /// No failures yet.
    pub fn new() -> Self {
        Backoff::default()
    }

    /// Failed attempts counted so far.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The wait in milliseconds before the next attempt, counting one more failure.
    /// `random` is uniform in `[0, 1)` (a value outside it is treated as 0.5);
    /// `retry_after_ms` is from [`super::SendOutcome::Retry`].
    pub fn next_delay_ms(
        &mut self,
        opts: &BatchOptions,
        random: f64,
        retry_after_ms: Option<u64>,
    ) -> u64 {
        let max = u64::from(opts.retry_max_ms);
        let doubling = 1u64.checked_shl(self.attempt).unwrap_or(u64::MAX);
        let ceiling = u64::from(opts.retry_base_ms)
            .saturating_mul(doubling)
            .min(max);
        self.attempt = self.attempt.saturating_add(1);

        let random = if (0.0..1.0).contains(&random) {
            random
        } else {
            0.5
        };
        let half = ceiling / 2;
        // `as` saturates and `random < 1`, so this stays within `ceiling - half`.
        let jitter = ((ceiling - half) as f64 * random) as u64;
        let delay = half.saturating_add(jitter);

        let floor =
            retry_after_ms.map_or(0, |ms| ms.min(max.saturating_mul(RETRY_AFTER_CAP_FACTOR)));
        delay.max(floor)
    }

    /// Forgets past failures, after a success.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> BatchOptions {
        BatchOptions {
            retry_base_ms: 1_000,
            retry_max_ms: 60_000,
            ..BatchOptions::default()
        }
    }

    #[test]
    fn doubles_within_its_jitter_band_and_is_capped() {
        let mut backoff = Backoff::new();
        for ceiling in [
            1_000u64, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000,
        ] {
            let attempt = backoff.attempt();
            let low = backoff.next_delay_ms(&opts(), 0.0, None);
            backoff = Backoff { attempt };
            let high = backoff.next_delay_ms(&opts(), 0.999_999, None);
            assert_eq!(low, ceiling / 2);
            assert!(high < ceiling && high >= ceiling - 1, "{high} vs {ceiling}");
        }
        let mut late = Backoff { attempt: u32::MAX };
        assert!(late.next_delay_ms(&opts(), 0.5, None) <= 60_000);
        assert_eq!(late.attempt(), u32::MAX);
    }

    #[test]
    fn odd_randoms_are_tamed() {
        for random in [f64::NAN, -1.0, 1.0, f64::INFINITY] {
            assert_eq!(Backoff::new().next_delay_ms(&opts(), random, None), 750);
        }
    }

    #[test]
    fn honours_retry_after_up_to_a_cap() {
        let mut backoff = Backoff::new();
        assert_eq!(backoff.next_delay_ms(&opts(), 0.0, Some(30_000)), 30_000);
        assert_eq!(
            backoff.next_delay_ms(&opts(), 0.0, Some(10)),
            1_000,
            "the backoff still applies"
        );
        assert_eq!(backoff.next_delay_ms(&opts(), 0.0, Some(u64::MAX)), 300_000);
    }

    #[test]
    fn reset_starts_over() {
        let mut backoff = Backoff::new();
        for _ in 0..5 {
            backoff.next_delay_ms(&opts(), 0.0, None);
        }
        backoff.reset();
        assert_eq!(backoff.attempt(), 0);
        assert_eq!(backoff.next_delay_ms(&opts(), 0.0, None), 500);
    }
}
