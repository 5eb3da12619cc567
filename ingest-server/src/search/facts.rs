//! What a session's events say about it, for the session list, accumulated batch by
//! batch in seq order.
//!
//! [`SessionFacts`] is both the result and the state: it serializes to JSON (the
//! `state` column of `session_index`), so the indexer can stop after any batch and
//! resume later as if it had never stopped. Everything kept is bounded by [`FactLimits`]
//! or by construction, because every value in it came from a browser.

use std::collections::{BTreeMap, BTreeSet};

use protocol::{Batch, Event, EventData, InteractionKind, Value};
use serde::{Deserialize, Serialize};

use super::clicks::{ClickTracker, Signal};
use super::url::clean;

/// Bumped whenever what the facts mean changes (a new count, a different window): a
/// stored state of another version is discarded and its session indexed again from
/// batch 0.
pub const STATE_VERSION: u32 = 1;

/// How much of a session's free-form data the index keeps (`indexer.*` settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactLimits {
    /// Distinct page URLs kept; later new URLs are not recorded.
    pub max_pages: usize,
    /// Identify traits kept from the latest identify call.
    pub max_traits: usize,
    /// Distinct custom event (track) names kept.
    pub max_event_names: usize,
    /// Bytes of any one stored string (URL, user id, trait key or value, event name);
    /// longer ones are cut on a character boundary.
    pub max_value_bytes: usize,
}

/// The facts of one session so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionFacts {
    version: u32,
    /// The envelope's `started_at` of the first batch read: when the recorder started.
    recorder_started_at_ms: Option<i64>,
    /// Earliest and latest event timestamp.
    first_event_at_ms: Option<i64>,
    last_event_at_ms: Option<i64>,
    /// The first page URL seen (a meta or navigation event), kept even past `max_pages`.
    pub first_url: Option<String>,
    /// Distinct page URLs (meta and navigation events), at most `max_pages`.
    pub pages: BTreeSet<String>,
    /// From the latest identify call, which replaces earlier ones whole.
    pub user_id: Option<String>,
    pub traits: BTreeMap<String, String>,
    pub event_count: u64,
    pub click_count: u64,
    pub error_count: u64,
    /// Distinct track names, at most `max_event_names`.
    pub event_names: BTreeSet<String>,
    clicks: ClickTracker,
}

impl Default for SessionFacts {
    fn default() -> Self {
        SessionFacts {
            version: STATE_VERSION,
            recorder_started_at_ms: None,
            first_event_at_ms: None,
            last_event_at_ms: None,
            first_url: None,
            pages: BTreeSet::new(),
            user_id: None,
            traits: BTreeMap::new(),
            event_count: 0,
            click_count: 0,
            error_count: 0,
            event_names: BTreeSet::new(),
            clicks: ClickTracker::default(),
        }
    }
}

impl SessionFacts {
    /// Reads a stored state; `None` when it is unreadable or of another
    /// [`STATE_VERSION`], meaning: start over from the first batch.
    pub fn from_state(state: &str) -> Option<SessionFacts> {
        serde_json::from_str::<SessionFacts>(state)
            .ok()
            .filter(|f| f.version == STATE_VERSION)
    }

    /// The state to store.
    pub fn to_state(&self) -> String {
        // Only strings, integers, maps and sequences: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Adds the next batch of the session (batches in seq order).
    pub fn add_batch(&mut self, batch: &Batch, limits: &FactLimits) {
        self.recorder_started_at_ms.get_or_insert(batch.started_at);
        for event in &batch.events {
            self.add_event(event, limits);
        }
    }

    /// Adds the next event of the session.
    pub fn add_event(&mut self, event: &Event, limits: &FactLimits) {
        let ts = event.timestamp;
        self.event_count += 1;
        self.first_event_at_ms = Some(self.first_event_at_ms.map_or(ts, |t| t.min(ts)));
        self.last_event_at_ms = Some(self.last_event_at_ms.map_or(ts, |t| t.max(ts)));
        let signal = match &event.data {
            EventData::Meta(meta) => {
                self.visit(&meta.url, limits);
                Signal::Other
            }
            EventData::Navigation(nav) => {
                self.visit(&nav.url, limits);
                Signal::Reaction
            }
            EventData::FullSnapshot(_) | EventData::Mutation(_) => Signal::Reaction,
            EventData::MouseInteraction(m) if m.kind == InteractionKind::Click => {
                self.click_count += 1;
                Signal::Click(m.target.0)
            }
            EventData::Error(_) => {
                self.error_count += 1;
                Signal::Other
            }
            EventData::Track(track) => {
                let name = clean(&track.name, limits.max_value_bytes);
                if !name.is_empty() && self.event_names.len() < limits.max_event_names {
                    self.event_names.insert(name);
                }
                Signal::Other
            }
            EventData::Identify(identify) => {
                self.identify(&identify.user_id, &identify.traits, limits);
                Signal::Other
            }
            _ => Signal::Other,
        };
        self.clicks.observe(ts, signal);
    }

    /// The session has been idle long enough that clicks still waiting for a reaction
    /// will not get one: count them dead.
    pub fn settle(&mut self) {
        self.clicks.settle();
    }

    /// Earliest event time, else when the recorder started; `None` before any batch.
    pub fn started_at_ms(&self) -> Option<i64> {
        self.first_event_at_ms.or(self.recorder_started_at_ms)
    }

    /// Latest event time, else the start.
    pub fn last_event_at_ms(&self) -> Option<i64> {
        self.last_event_at_ms.or(self.started_at_ms())
    }

    /// From the earliest to the latest event; 0 without events.
    pub fn duration_ms(&self) -> i64 {
        match (self.first_event_at_ms, self.last_event_at_ms) {
            (Some(first), Some(last)) => last.saturating_sub(first),
            _ => 0,
        }
    }

    pub fn rage_click_count(&self) -> u64 {
        self.clicks.rage_episodes()
    }

    pub fn dead_click_count(&self) -> u64 {
        self.clicks.dead_clicks()
    }

    /// Clicks not yet judged dead or alive (see [`SessionFacts::settle`]).
    pub fn pending_clicks(&self) -> u64 {
        self.clicks.pending()
    }

    fn visit(&mut self, url: &str, limits: &FactLimits) {
        let url = clean(url, limits.max_value_bytes);
        if url.is_empty() {
            return;
        }
        if self.first_url.is_none() {
            self.first_url = Some(url.clone());
        }
        if self.pages.len() < limits.max_pages {
            self.pages.insert(url);
        }
    }

    fn identify(&mut self, user_id: &str, traits: &[(String, Value)], limits: &FactLimits) {
        let user_id = clean(user_id, limits.max_value_bytes);
        self.user_id = (!user_id.is_empty()).then_some(user_id);
        self.traits.clear();
        for (key, value) in traits {
            let key = clean(key, limits.max_value_bytes);
            if key.is_empty()
                || (self.traits.len() >= limits.max_traits && !self.traits.contains_key(&key))
            {
                continue;
            }
            // A repeated key within one call: the later value wins, as in a JS object.
            self.traits
                .insert(key, clean(&trait_text(value), limits.max_value_bytes));
        }
    }
}

/// A trait value as the index stores and matches it: strings as they are, anything else
/// as its JSON text (`42`, `true`, `null`, `["a"]`).
pub fn trait_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or("null".into(), |n| n.to_string())
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(json_text).collect();
            format!("[{}]", inner.join(","))
        }
        Value::Map(pairs) => {
            let inner: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{}:{}", quoted(k), json_text(v)))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
    }
}

/// A nested value as JSON: strings quoted.
fn json_text(value: &Value) -> String {
    match value {
        Value::String(s) => quoted(s),
        other => trait_text(other),
    }
}

fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

#[cfg(test)]
#[path = "facts_tests.rs"]
mod tests;
