//! Refuses logins after too many recent failures, per client address and per
//! user name (so neither one client nor many clients guessing one account get
//! unlimited tries). In memory: a restart forgets, which costs an attacker one
//! window at most, and keeps the store free of a write per failed guess.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys tracked at most; past this the oldest-failing keys are dropped (a flood
/// of spoofed addresses must not grow memory without bound).
const MAX_KEYS: usize = 100_000;

#[derive(Debug)]
pub struct LoginLimiter {
    max_failures: usize,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// At most `max_failures` failed logins per key within `window`.
    pub fn new(max_failures: usize, window: Duration) -> LoginLimiter {
        LoginLimiter {
            max_failures,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(retry_after)` when any of `keys` has used up its failures.
    pub fn check(&self, keys: &[String], now: Instant) -> Result<(), Duration> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = Duration::ZERO;
        for key in keys {
            if let Some(times) = map.get_mut(key) {
                prune(times, now, self.window);
                if times.len() >= self.max_failures
                    && let Some(oldest) = times.front()
                {
                    wait = wait.max(self.window.saturating_sub(now.duration_since(*oldest)));
                }
            }
        }
        if wait.is_zero() {
            Ok(())
        } else {
            Err(wait.max(Duration::from_secs(1)))
        }
    }

    pub fn failed(&self, keys: &[String], now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_KEYS {
            map.retain(|_, times| {
                prune(times, now, self.window);
                !times.is_empty()
            });
            if map.len() >= MAX_KEYS {
                map.clear();
            }
        }
        for key in keys {
            let times = map.entry(key.clone()).or_default();
            prune(times, now, self.window);
            times.push_back(now);
            while times.len() > self.max_failures {
                times.pop_front();
            }
        }
    }

    /// A successful login clears its user's failures (not the address's: one
    /// correct password must not reset a client that guesses at others).
    pub fn succeeded(&self, user_key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(user_key);
    }
}

fn prune(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= window)
    {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(ip: &str, user: &str) -> Vec<String> {
        vec![format!("ip:{ip}"), format!("user:{user}")]
    }

    #[test]
    fn failures_beyond_the_limit_are_refused_until_the_window_passes() {
        let limiter = LoginLimiter::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..3 {
            assert!(
                limiter.check(&keys("1.2.3.4", "alice"), t0).is_ok(),
                "try {i}"
            );
            limiter.failed(&keys("1.2.3.4", "alice"), t0);
        }
        let wait = limiter.check(&keys("1.2.3.4", "alice"), t0 + Duration::from_secs(10));
        assert_eq!(wait, Err(Duration::from_secs(50)));
        // Another address guessing the same user is refused too; another user from a
        // fresh address is not.
        assert!(limiter.check(&keys("5.6.7.8", "alice"), t0).is_err());
        assert!(limiter.check(&keys("5.6.7.8", "bob"), t0).is_ok());
        assert!(
            limiter
                .check(&keys("1.2.3.4", "alice"), t0 + Duration::from_secs(60))
                .is_ok()
        );
    }

    #[test]
    fn success_clears_the_user_but_not_the_address() {
        let limiter = LoginLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        limiter.failed(&keys("1.2.3.4", "alice"), t0);
        limiter.failed(&keys("1.2.3.4", "alice"), t0);
        limiter.succeeded("user:alice");
        assert!(limiter.check(&["user:alice".to_owned()], t0).is_ok());
        assert!(limiter.check(&["ip:1.2.3.4".to_owned()], t0).is_err());
    }
}
