//! Write key → project, remembered for a short time.
//!
//! Every batch names its project by write key; looking it up in the database on
//! every request cost a round trip and a pooled connection per batch (visible in
//! the ingest benchmark). Keys change rarely, so a found project is kept for
//! `ingest.project_cache_ttl_ms`. The price, stated in the configuration docs: a
//! removed or rotated key keeps working for at most that long. Unknown keys are
//! never cached, so a new project works at once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::storage::Project;

#[derive(Debug)]
pub struct ProjectCache {
    ttl: Duration,
    max_entries: usize,
    entries: Mutex<HashMap<String, (Project, Instant)>>,
}

impl ProjectCache {
    /// `ttl` zero disables the cache.
    pub fn new(ttl: Duration, max_entries: usize) -> Self {
        ProjectCache {
            ttl,
            max_entries,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The cached project for `key`, if it is fresh.
    pub fn get(&self, key: &str) -> Option<Project> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries
            .get(key)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(p, _)| p.clone())
    }

    pub fn put(&self, key: &str, project: &Project) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= self.max_entries {
            // Many distinct live keys is unusual; starting over is simpler than LRU
            // bookkeeping and costs one lookup per key.
            entries.clear();
        }
        entries.insert(key.to_owned(), (project.clone(), Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(id: &str) -> Project {
        Project {
            id: id.into(),
            name: id.into(),
            write_key: format!("awk_{id}"),
            allowed_origins: vec![],
            created_at_ms: 0,
        }
    }

    #[test]
    fn remembers_within_the_ttl_and_forgets_after() {
        let cache = ProjectCache::new(Duration::from_millis(30), 10);
        cache.put("k", &project("shop"));
        assert_eq!(cache.get("k").map(|p| p.id), Some("shop".into()));
        assert!(cache.get("other").is_none());
        std::thread::sleep(Duration::from_millis(40));
        assert!(cache.get("k").is_none(), "stale entries are not served");
    }

    #[test]
    fn zero_ttl_disables_and_size_is_bounded() {
        let off = ProjectCache::new(Duration::ZERO, 10);
        off.put("k", &project("shop"));
        assert!(off.get("k").is_none());

        let small = ProjectCache::new(Duration::from_secs(60), 2);
        small.put("a", &project("a"));
        small.put("b", &project("b"));
        small.put("c", &project("c"));
        assert!(small.entries.lock().expect("lock").len() <= 2);
        assert!(small.get("c").is_some());
    }
}
