//! Rage clicks and dead clicks, found in a session's event stream as it arrives.
//!
//! Both are judged on a clock that only moves forward: the largest event timestamp seen
//! so far. Timestamps come from the visitor's browser and can step back (a clock
//! adjustment, a tab restored from the back/forward cache); on the monotone clock a step
//! back neither hides a click nor counts one twice, and the pending clicks stay sorted,
//! which is what keeps the state small (see [`ClickTracker::pending`]).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// Clicks on one target that make a rage click when they fall within [`RAGE_WINDOW_MS`].
/// Three is the threshold session-replay tools converged on: a double click is normal,
/// a third click in the same second is a person insisting.
pub const RAGE_CLICKS: usize = 3;

/// How close together [`RAGE_CLICKS`] clicks must be. One second separates a frustrated
/// burst from someone clicking through a list at reading pace.
pub const RAGE_WINDOW_MS: i64 = 1000;

/// How long after a click a DOM change or navigation must appear for the click to count
/// as having done something. A second covers a network round trip of a typical app; a
/// slower reaction would already look broken to the person clicking.
///
/// Changing this or the rage constants changes what stored counts mean: run
/// `affidavit session reindex` afterwards (and bump `facts::STATE_VERSION`).
pub const DEAD_CLICK_WINDOW_MS: i64 = 1000;

/// What an event means to the click analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// A click on this node.
    Click(u32),
    /// The page visibly reacted: a DOM mutation, a navigation, or a new document
    /// (the recorder marks a page load with a full snapshot, not a navigation).
    Reaction,
    /// Anything else: it only moves the clock.
    Other,
}

/// The clicks on one target in a row, for rage detection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Streak {
    target: u32,
    /// Times of the latest clicks of the streak, at most [`RAGE_CLICKS`], oldest first.
    recent: Vec<i64>,
    /// Whether the current burst was already counted as an episode.
    counted: bool,
}

/// The click analysis state of one session; serializable so it carries across batches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClickTracker {
    /// The monotone clock: the largest timestamp observed.
    clock: Option<i64>,
    streak: Option<Streak>,
    /// Clicks still waiting for a reaction, as (time, clicks at that time), oldest first.
    /// Every entry is within [`DEAD_CLICK_WINDOW_MS`] of the clock (older ones have been
    /// judged), so there are at most `DEAD_CLICK_WINDOW_MS + 1` entries however many
    /// clicks arrive.
    pending: VecDeque<(i64, u64)>,
    rage_episodes: u64,
    dead_clicks: u64,
}

impl ClickTracker {
    /// Feeds one event, in stream order.
    pub fn observe(&mut self, timestamp: i64, signal: Signal) {
        let now = self.clock.map_or(timestamp, |c| c.max(timestamp));
        self.clock = Some(now);
        self.expire(now);
        match signal {
            Signal::Click(target) => {
                self.rage(target, now);
                match self.pending.back_mut() {
                    Some((t, n)) if *t == now => *n += 1,
                    _ => self.pending.push_back((now, 1)),
                }
            }
            Signal::Reaction => self.pending.clear(),
            Signal::Other => {}
        }
    }

    /// The session has gone quiet for good: clicks still waiting for a reaction never
    /// got one.
    pub fn settle(&mut self) {
        self.dead_clicks += self.pending();
        self.pending.clear();
    }

    /// Clicks whose window is still open at the end of what has been seen.
    pub fn pending(&self) -> u64 {
        self.pending.iter().map(|(_, n)| n).sum()
    }

    /// Bursts of at least [`RAGE_CLICKS`] clicks on one target within [`RAGE_WINDOW_MS`].
    pub fn rage_episodes(&self) -> u64 {
        self.rage_episodes
    }

    /// Clicks followed by no reaction within [`DEAD_CLICK_WINDOW_MS`].
    pub fn dead_clicks(&self) -> u64 {
        self.dead_clicks
    }

    /// Judges the pending clicks whose window closed before `now`.
    fn expire(&mut self, now: i64) {
        while let Some(&(t, n)) = self.pending.front() {
            if now.saturating_sub(t) <= DEAD_CLICK_WINDOW_MS {
                break;
            }
            self.dead_clicks += n;
            self.pending.pop_front();
        }
    }

    /// An episode starts when the last [`RAGE_CLICKS`] clicks on one target span at most
    /// [`RAGE_WINDOW_MS`], and lasts while each further click keeps that true; a click on
    /// another target, or a slower click, ends it. Episodes share no clicks.
    fn rage(&mut self, target: u32, now: i64) {
        let streak = match &mut self.streak {
            Some(s) if s.target == target => s,
            _ => {
                self.streak = Some(Streak {
                    target,
                    recent: vec![now],
                    counted: false,
                });
                return;
            }
        };
        if streak.recent.len() == RAGE_CLICKS {
            streak.recent.remove(0);
        }
        streak.recent.push(now);
        let burst = streak.recent.len() == RAGE_CLICKS
            && now.saturating_sub(streak.recent[0]) <= RAGE_WINDOW_MS;
        if burst {
            if !streak.counted {
                self.rage_episodes += 1;
                streak.counted = true;
            }
        } else if streak.counted {
            // The episode is over; its clicks cannot start the next one.
            streak.counted = false;
            streak.recent = vec![now];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn run(events: &[(i64, Signal)]) -> ClickTracker {
        let mut t = ClickTracker::default();
        for &(ts, signal) in events {
            t.observe(ts, signal);
        }
        t
    }

    use Signal::{Click, Other, Reaction};

    #[test]
    fn three_fast_clicks_on_one_target_are_one_episode_however_long_it_lasts() {
        let t = run(&[
            (0, Click(7)),
            (300, Click(7)),
            (600, Click(7)),
            (900, Click(7)),
            (1200, Click(7)),
        ]);
        assert_eq!(t.rage_episodes(), 1);
    }

    #[test]
    fn two_clicks_or_three_slow_ones_are_no_rage() {
        assert_eq!(run(&[(0, Click(7)), (100, Click(7))]).rage_episodes(), 0);
        assert_eq!(
            run(&[(0, Click(7)), (600, Click(7)), (1001, Click(7))]).rage_episodes(),
            0
        );
        assert_eq!(
            run(&[(0, Click(7)), (600, Click(7)), (1000, Click(7))]).rage_episodes(),
            1,
            "the window is inclusive"
        );
    }

    #[test]
    fn a_click_elsewhere_breaks_the_streak_and_a_pause_starts_a_new_episode() {
        let interleaved = run(&[
            (0, Click(1)),
            (100, Click(2)),
            (200, Click(1)),
            (300, Click(1)),
        ]);
        assert_eq!(interleaved.rage_episodes(), 0);
        let twice = run(&[
            (0, Click(1)),
            (100, Click(1)),
            (200, Click(1)),
            (5000, Click(1)),
            (5100, Click(1)),
            (5200, Click(1)),
        ]);
        assert_eq!(twice.rage_episodes(), 2);
    }

    #[test]
    fn a_click_without_a_reaction_within_the_window_is_dead() {
        let t = run(&[(0, Click(1)), (500, Other), (1001, Other)]);
        assert_eq!((t.dead_clicks(), t.pending()), (1, 0));
        let live = run(&[(0, Click(1)), (1000, Reaction), (5000, Other)]);
        assert_eq!((live.dead_clicks(), live.pending()), (0, 0));
        let late = run(&[(0, Click(1)), (1001, Reaction)]);
        assert_eq!(
            late.dead_clicks(),
            1,
            "a reaction after the window is too late"
        );
    }

    #[test]
    fn a_reaction_before_the_click_does_not_save_it() {
        let t = run(&[(0, Reaction), (0, Click(1)), (2000, Other)]);
        assert_eq!(t.dead_clicks(), 1);
    }

    #[test]
    fn clicks_pending_at_the_end_wait_until_settled() {
        let mut t = run(&[(0, Click(1)), (10, Click(2)), (10, Click(3))]);
        assert_eq!((t.dead_clicks(), t.pending()), (0, 3));
        t.settle();
        assert_eq!((t.dead_clicks(), t.pending()), (3, 0));
    }

    #[test]
    fn a_clock_stepping_back_neither_hides_nor_repeats_a_click() {
        let t = run(&[
            (10_000, Click(1)),
            (5_000, Click(1)),
            (5_100, Click(1)),
            (12_000, Other),
        ]);
        assert_eq!(t.rage_episodes(), 1, "all three on the clock at 10 000");
        assert_eq!(t.dead_clicks(), 3);
    }

    #[test]
    fn extreme_timestamps_do_not_overflow() {
        let t = run(&[
            (i64::MIN, Click(1)),
            (i64::MAX, Click(1)),
            (i64::MAX, Click(1)),
        ]);
        assert_eq!(t.dead_clicks(), 1);
        assert_eq!(t.rage_episodes(), 0);
    }

    fn signal() -> impl Strategy<Value = Signal> {
        prop_oneof![(0u32..3).prop_map(Click), Just(Reaction), Just(Other),]
    }

    fn stream() -> impl Strategy<Value = Vec<(i64, Signal)>> {
        proptest::collection::vec((0i64..400, signal()), 0..200).prop_map(|steps| {
            let mut ts = 1_700_000_000_000;
            steps
                .into_iter()
                .map(|(dt, s)| {
                    ts += dt;
                    (ts, s)
                })
                .collect()
        })
    }

    proptest! {
        /// Splitting the stream anywhere and carrying the state through JSON (as the
        /// indexer does between batches) changes nothing.
        #[test]
        fn state_carried_across_any_split_gives_the_same_counts(
            events in stream(),
            cut in 0usize..200,
        ) {
            let whole = run(&events);
            let cut = cut.min(events.len());
            let first = run(&events[..cut]);
            let json = serde_json::to_string(&first).expect("state encodes");
            let mut resumed: ClickTracker = serde_json::from_str(&json).expect("state decodes");
            for &(ts, s) in &events[cut..] {
                resumed.observe(ts, s);
            }
            prop_assert_eq!(resumed, whole);
        }

        /// Every click ends up exactly one of: dead, pending, or answered.
        #[test]
        fn no_click_is_counted_twice(events in stream()) {
            let t = run(&events);
            let clicks = events.iter().filter(|(_, s)| matches!(s, Click(_))).count() as u64;
            prop_assert!(t.dead_clicks() + t.pending() <= clicks);
            prop_assert!(t.rage_episodes() <= clicks / RAGE_CLICKS as u64);
            prop_assert!(t.pending.len() as i64 <= DEAD_CLICK_WINDOW_MS + 1);
        }
    }
}
