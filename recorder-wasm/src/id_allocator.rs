//! The counter behind node ids: the rule that an id is never 0 and never handed out twice
//! lives here, apart from the browser-side map (`dom::ids`), so it is tested natively.

use protocol::NodeId;

/// Hands out node ids 1, 2, 3, … . 0 is never assigned, so an absent id can never be
/// mistaken for a real node; ids are never reused, so an id in a replay always means one
/// node. After `u32::MAX` ids (four billion nodes in one page's life) it stops handing out
/// new ones and says so, rather than wrap around onto ids still in use.
#[derive(Debug, Clone)]
pub struct IdAllocator {
    next: u32,
}

impl Default for IdAllocator {
    fn default() -> Self {
        IdAllocator { next: 1 }
    }
}

impl IdAllocator {
    pub fn new() -> Self {
        Self::default()
    }

    /// The next unused id, or `None` once every id has been used.
    pub fn allocate(&mut self) -> Option<NodeId> {
        let id = self.next;
        if id == 0 {
            return None;
        }
        self.next = id.checked_add(1).unwrap_or(0);
        Some(NodeId(id))
    }

    /// Ids at or above this were handed out after this call (a flush uses it to skip
    /// changes to nodes it has just serialized whole). `u32::MAX` once exhausted.
    pub fn watermark(&self) -> u32 {
        if self.next == 0 { u32::MAX } else { self.next }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_start_at_one_and_never_repeat() {
        let mut ids = IdAllocator::new();
        let handed: Vec<u32> = (0..1000)
            .filter_map(|_| ids.allocate())
            .map(|id| id.0)
            .collect();
        assert_eq!(handed.first(), Some(&1));
        assert_eq!(handed, (1..=1000).collect::<Vec<_>>());
    }

    #[test]
    fn the_watermark_separates_older_ids_from_newer() {
        let mut ids = IdAllocator::new();
        let old = ids.allocate().map(|id| id.0);
        let mark = ids.watermark();
        let new = ids.allocate().map(|id| id.0);
        assert!(old.is_some_and(|id| id < mark));
        assert!(new.is_some_and(|id| id >= mark));
    }

    #[test]
    fn exhaustion_stops_instead_of_wrapping() {
        let mut ids = IdAllocator { next: u32::MAX - 1 };
        assert_eq!(ids.allocate(), Some(NodeId(u32::MAX - 1)));
        assert_eq!(ids.allocate(), Some(NodeId(u32::MAX)));
        assert_eq!(ids.allocate(), None);
        assert_eq!(ids.allocate(), None, "never wraps to 0 or 1");
        assert_eq!(ids.watermark(), u32::MAX);
    }
}
