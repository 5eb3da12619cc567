//! Refuses sign-ins after too many recent attempts that did not succeed, per
//! client network and per user name (so neither one client nor many clients
//! guessing one account get unlimited tries). In memory: a restart forgets,
//! which costs an attacker one window at most, and keeps the store free of a
//! write per guess.
//!
//! An attempt is counted when it starts, before the (slow) password check, and
//! refunded if it succeeds: parallel guesses cannot all slip through between
//! the check and the count.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys tracked at most. Past this, keys that are not locked out are dropped
/// first, least recently used first: a flood of fresh addresses must neither
/// grow memory without bound nor wipe the counts of the keys under attack.
const MAX_KEYS: usize = 100_000;

#[derive(Debug)]
pub struct LoginLimiter {
    max_attempts: usize,
    window: Duration,
    attempts: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// The limiter key of a client address: IPv6 by its /64 (one subscriber's
/// allocation), IPv4 whole.
pub fn client_key(ip: Option<IpAddr>) -> String {
    match ip {
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("net:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(IpAddr::V4(v4)) => format!("net:{v4}"),
        None => "net:unknown".into(),
    }
}

/// The limiter key of a user name as typed (at most 64 characters are kept).
pub fn user_key(name: &str) -> String {
    format!("user:{}", name.chars().take(64).collect::<String>())
}

impl LoginLimiter {
    /// At most `max_attempts` unsuccessful sign-ins per key within `window`.
    pub fn new(max_attempts: usize, window: Duration) -> LoginLimiter {
        LoginLimiter {
            max_attempts,
            window,
            attempts: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt against every key, or `Err(retry_after)` (counting
    /// nothing) when any of them has used up its attempts.
    pub fn attempt(&self, keys: &[String], now: Instant) -> Result<(), Duration> {
        let mut map = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = Duration::ZERO;
        for key in keys {
            if let Some(times) = map.get_mut(key) {
                prune(times, now, self.window);
                if times.len() >= self.max_attempts
                    && let Some(oldest) = times.front()
                {
                    wait = wait.max(self.window.saturating_sub(now.duration_since(*oldest)));
                }
            }
        }
        if !wait.is_zero() {
            return Err(wait.max(Duration::from_secs(1)));
        }
        if map.len() + keys.len() > MAX_KEYS {
            evict(&mut map, now, self.window, self.max_attempts);
        }
        for key in keys {
            map.entry(key.clone()).or_default().push_back(now);
        }
        Ok(())
    }

    /// A successful sign-in: its user's count starts over, and the attempt is
    /// refunded to the client (one right password must not reset a client that
    /// guesses at other accounts).
    pub fn succeeded(&self, client_key: &str, user_key: &str) {
        let mut map = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(user_key);
        if let Some(times) = map.get_mut(client_key) {
            times.pop_back();
        }
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

/// Drops expired attempts, then keys down to 90%: unlocked ones before locked
/// ones, least recently used first.
fn evict(
    map: &mut HashMap<String, VecDeque<Instant>>,
    now: Instant,
    window: Duration,
    max_attempts: usize,
) {
    map.retain(|_, times| {
        prune(times, now, window);
        !times.is_empty()
    });
    let keep = MAX_KEYS * 9 / 10;
    if map.len() > keep {
        let mut latest: Vec<(bool, Instant, String)> = map
            .iter()
            .filter_map(|(k, t)| {
                t.back()
                    .map(|last| (t.len() >= max_attempts, *last, k.clone()))
            })
            .collect();
        latest.sort_unstable();
        let excess = map.len() - keep;
        for (_, _, key) in latest.into_iter().take(excess) {
            map.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(ip: &str, user: &str) -> Vec<String> {
        vec![client_key(ip.parse().ok()), user_key(user)]
    }

    #[test]
    fn attempts_beyond_the_limit_are_refused_until_the_window_passes() {
        let limiter = LoginLimiter::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..3 {
            assert!(
                limiter.attempt(&keys("1.2.3.4", "alice"), t0).is_ok(),
                "try {i}"
            );
        }
        let wait = limiter.attempt(&keys("1.2.3.4", "alice"), t0 + Duration::from_secs(10));
        assert_eq!(wait, Err(Duration::from_secs(50)));
        // Another address guessing the same user is refused too; another user from a
        // fresh address is not.
        assert!(limiter.attempt(&keys("5.6.7.8", "alice"), t0).is_err());
        assert!(limiter.attempt(&keys("5.6.7.8", "bob"), t0).is_ok());
        assert!(
            limiter
                .attempt(&keys("1.2.3.4", "alice"), t0 + Duration::from_secs(60))
                .is_ok()
        );
    }

    #[test]
    fn parallel_attempts_are_counted_before_any_password_is_checked() {
        let limiter = LoginLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        let admitted = (0..10)
            .filter(|_| limiter.attempt(&keys("1.2.3.4", "alice"), t0).is_ok())
            .count();
        assert_eq!(
            admitted, 2,
            "no outcome was recorded yet, and still only 2 ran"
        );
    }

    #[test]
    fn success_clears_the_user_and_refunds_the_client() {
        let limiter = LoginLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        let k = keys("1.2.3.4", "alice");
        limiter.attempt(&k, t0).expect("first");
        limiter.attempt(&k, t0).expect("second");
        limiter.succeeded(&k[0], &k[1]);
        assert!(
            limiter.attempt(&[k[1].clone()], t0).is_ok(),
            "alice starts over"
        );
        // The client had 2 attempts, one refunded: one more is allowed, then no more.
        assert!(limiter.attempt(&[k[0].clone()], t0).is_ok());
        assert!(limiter.attempt(&[k[0].clone()], t0).is_err());
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_and_long_names_are_cut() {
        assert_eq!(
            client_key("2001:db8:1:2:aaaa::1".parse().ok()),
            client_key("2001:db8:1:2:bbbb::9".parse().ok())
        );
        assert_ne!(
            client_key("2001:db8:1:2::1".parse().ok()),
            client_key("2001:db8:1:3::1".parse().ok())
        );
        assert_eq!(user_key(&"a".repeat(1000)).len(), "user:".len() + 64);
    }

    #[test]
    fn a_flood_of_new_keys_does_not_reset_the_keys_under_attack() {
        let limiter = LoginLimiter::new(2, Duration::from_secs(600));
        let t0 = Instant::now();
        let admin = vec![user_key("admin")];
        limiter.attempt(&admin, t0).expect("1");
        limiter.attempt(&admin, t0).expect("2");
        for i in 0..MAX_KEYS as u32 {
            let ip = std::net::Ipv4Addr::from(i);
            let _ = limiter.attempt(&[client_key(Some(ip.into()))], t0 + Duration::from_secs(1));
        }
        // admin's attempts are the oldest of all, yet it stays locked out: keys that
        // are not locked go first.
        assert!(
            limiter
                .attempt(&admin, t0 + Duration::from_secs(2))
                .is_err()
        );
    }
}
