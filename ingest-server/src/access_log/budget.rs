//! How many refusals are recorded one by one: fixed one-minute windows, a
//! budget over all clients and one per client network.
//!
//! Memory is bounded by the global budget: a client is remembered only when one
//! of its refusals is admitted, and at most `per_minute` are admitted a window.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct DenialBudget {
    per_minute: u32,
    per_client: u32,
    state: Mutex<Window>,
}

#[derive(Debug)]
struct Window {
    started: Instant,
    admitted: u32,
    by_client: HashMap<String, u32>,
    /// Refusals not recorded since the last one that was.
    unrecorded: u64,
}

/// What to do with one refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Record it, saying how many went unrecorded before it (0: none).
    Record { unrecorded_before: u64 },
    /// Only count it.
    Count,
}

impl DenialBudget {
    pub fn new(per_minute: u32, per_client: u32, now: Instant) -> Self {
        DenialBudget {
            per_minute,
            per_client,
            state: Mutex::new(Window {
                started: now,
                admitted: 0,
                by_client: HashMap::new(),
                unrecorded: 0,
            }),
        }
    }

    pub fn admit(&self, client: &str, now: Instant) -> Admission {
        let mut w = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if now.duration_since(w.started) >= WINDOW {
            w.started = now;
            w.admitted = 0;
            w.by_client.clear();
        }
        let from_client = w.by_client.get(client).copied().unwrap_or(0);
        if w.admitted >= self.per_minute || from_client >= self.per_client {
            w.unrecorded += 1;
            return Admission::Count;
        }
        w.admitted += 1;
        w.by_client.insert(client.to_owned(), from_client + 1);
        Admission::Record {
            unrecorded_before: std::mem::take(&mut w.unrecorded),
        }
    }

    /// A refusal that is not written one by one (refused before the budget was
    /// asked, or admitted but not written) is counted into the next one.
    pub fn count_unrecorded(&self) {
        let mut w = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        w.unrecorded += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_client_and_all_together_are_limited_and_the_dropped_are_counted() {
        let t0 = Instant::now();
        let budget = DenialBudget::new(3, 2, t0);
        let record = |n| Admission::Record {
            unrecorded_before: n,
        };
        assert_eq!(budget.admit("a", t0), record(0));
        assert_eq!(budget.admit("a", t0), record(0));
        assert_eq!(
            budget.admit("a", t0),
            Admission::Count,
            "a's budget is spent"
        );
        assert_eq!(budget.admit("a", t0), Admission::Count);
        assert_eq!(
            budget.admit("b", t0),
            record(2),
            "b is recorded with a's two dropped"
        );
        assert_eq!(
            budget.admit("c", t0),
            Admission::Count,
            "the global budget is spent"
        );
        let later = t0 + WINDOW;
        assert_eq!(
            budget.admit("a", later),
            record(1),
            "a new window, and the count carried"
        );
        budget.count_unrecorded();
        assert_eq!(budget.admit("c", later), record(1));
    }
}
