//! The outbox as text, for `localStorage`, so a reload continues the same session and
//! sends what the last page could not.
//!
//! # The key decision: a line per batch, checked as strictly as a network input
//!
//! ```text
//! affidavit-outbox/1 <session uuid> <started_at> <next_seq> <base64 project>
//! <seq> <events> <base64 zstd batch>
//! ```
//!
//! Storage holds only strings, and anything on the page (or the user) can edit it, so
//! [`Outbox::from_persisted`] refuses text that is not exactly this shape: unknown version,
//! a session id that is not a UUIDv7, seqs that are not contiguous or do not end just
//! before `next_seq`, bytes that are not a zstd frame. Batches are not decoded on load
//! (that costs a decompression each); [`Outbox::split_head`] reports one that fails later.
//! Base64 costs a third more space, which `max_queued_bytes` has to leave room for.

use super::base64;
use super::outbox::Outbox;
use super::sealer::{SealedBatch, Sealer};
use std::collections::VecDeque;
use uuid::Uuid;

const VERSION: &str = "affidavit-outbox/1";
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Why persisted text was refused. `line` counts from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersistError {
    #[error("persisted outbox line {line}: {what}")]
    Malformed { line: usize, what: &'static str },
    #[error("persisted outbox line {line}: expected seq {expected}, found {found}")]
    NotContiguous {
        line: usize,
        expected: u64,
        found: u64,
    },
}

impl Outbox {
    /// The outbox as text for [`Outbox::from_persisted`].
    pub fn to_persisted(&self) -> String {
        let s = &self.sealer;
        let mut text = format!(
            "{VERSION} {} {} {} {}",
            s.session_id().hyphenated(),
            s.started_at(),
            s.next_seq(),
            base64::encode(s.project().as_bytes())
        );
        for batch in &self.queue {
            text.push('\n');
            text.push_str(&format!("{} {} ", batch.seq, batch.events));
            text.push_str(&base64::encode(&batch.bytes));
        }
        text
    }

    /// The outbox [`Outbox::to_persisted`] wrote, or an error if `text` is anything else.
    pub fn from_persisted(text: &str) -> Result<Outbox, PersistError> {
        let mut lines = text.lines();
        let header = lines.next().unwrap_or_default();
        let bad = |line, what| PersistError::Malformed { line, what };
        let [version, session, started_at, next_seq, project] =
            fields(header).ok_or(bad(1, "header"))?;
        if version != VERSION {
            return Err(bad(1, "unknown version"));
        }
        let session_id = Uuid::try_parse(session)
            .ok()
            .filter(|id| id.get_version_num() == 7)
            .ok_or(bad(1, "session id is not a UUIDv7"))?;
        let started_at = started_at.parse().map_err(|_| bad(1, "started_at"))?;
        let next_seq: u64 = next_seq.parse().map_err(|_| bad(1, "next_seq"))?;
        let project = base64::decode(project)
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or(bad(1, "project"))?;

        let mut queue = VecDeque::new();
        let mut queued_bytes = 0usize;
        let mut expected: Option<u64> = None;
        for (index, line) in lines.enumerate() {
            let number = index.saturating_add(2);
            let [seq, events, bytes] = fields(line).ok_or(bad(number, "batch"))?;
            let seq: u64 = seq.parse().map_err(|_| bad(number, "seq"))?;
            if let Some(expected) = expected.filter(|&e| e != seq) {
                return Err(PersistError::NotContiguous {
                    line: number,
                    expected,
                    found: seq,
                });
            }
            expected = Some(seq.checked_add(1).ok_or(bad(number, "seq"))?);
            let events = events.parse().map_err(|_| bad(number, "event count"))?;
            let bytes = base64::decode(bytes)
                .filter(|b| b.starts_with(&ZSTD_MAGIC))
                .ok_or(bad(number, "batch bytes"))?;
            queued_bytes = queued_bytes.saturating_add(bytes.len());
            queue.push_back(SealedBatch { seq, bytes, events });
        }
        if let Some(expected) = expected.filter(|&e| e != next_seq) {
            return Err(PersistError::NotContiguous {
                line: 1,
                expected,
                found: next_seq,
            });
        }
        Ok(Outbox {
            sealer: Sealer::new(project, session_id, next_seq, started_at),
            queue,
            queued_bytes,
        })
    }
}

/// Exactly `N` fields separated by single spaces. A field may be empty (an empty project
/// encodes to nothing); every other field refuses empty text when it is parsed.
fn fields<const N: usize>(line: &str) -> Option<[&str; N]> {
    line.split(' ').collect::<Vec<_>>().try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batching::test_support::{noisy, session};
    use crate::options::BatchOptions;
    use proptest::prelude::*;

    fn outbox() -> Outbox {
        let mut outbox = Outbox::new(Sealer::new("shop-eu_1", session(), 4, 1_700_000_000_000));
        let opts = BatchOptions {
            max_batch_events: 3,
            ..BatchOptions::default()
        };
        outbox
            .seal((0..7).map(|n| noisy(n, 40)).collect(), &opts)
            .expect("seal");
        outbox
    }

    #[test]
    fn round_trips_with_and_without_batches() {
        let full = outbox();
        assert_eq!(full.len(), 3);
        assert_eq!(Outbox::from_persisted(&full.to_persisted()), Ok(full));

        let empty = Outbox::new(Sealer::new("", session(), 9, -1));
        assert_eq!(Outbox::from_persisted(&empty.to_persisted()), Ok(empty));
    }

    #[test]
    fn refuses_edited_text() {
        let text = outbox().to_persisted();
        let lines: Vec<&str> = text.lines().collect();
        let edits = [
            String::new(),
            text.replace(VERSION, "affidavit-outbox/2"),
            text.replacen(
                &session().hyphenated().to_string(),
                &Uuid::nil().to_string(),
                1,
            ),
            text.replacen(" 7 ", " 8 ", 1), // header next_seq is not the last seq + 1
            [lines[0], lines[1], lines[1], lines[2], lines[3]].join("\n"), // a seq twice
            [lines[0], lines[1], lines[2]].join("\n"), // next_seq too far ahead
            format!("{text} extra"),
            format!("{}\n7 1 AAAA", text.replacen(" 7 ", " 8 ", 1)), // not a zstd frame
            text.replacen('\n', "\n\n", 1),
            text.replacen("\n5 3 ", "\n5 -3 ", 1),
        ];
        for (i, edit) in edits.iter().enumerate() {
            assert!(
                Outbox::from_persisted(edit).is_err(),
                "edit {i} accepted: {edit:.60}"
            );
        }
        assert_eq!(
            Outbox::from_persisted(&[lines[0], lines[1], lines[3]].join("\n")),
            Err(PersistError::NotContiguous {
                line: 3,
                expected: 5,
                found: 6
            })
        );
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            let _ = Outbox::from_persisted(&text);
        }

        #[test]
        fn edits_to_real_text_never_panic(cut in 0usize..400, insert in "[ 0-9a-zA-Z+/=\n-]{0,8}") {
            let text = outbox().to_persisted();
            let mut cut = cut.min(text.len());
            while !text.is_char_boundary(cut) { cut -= 1; }
            let edited = format!("{}{insert}{}", &text[..cut], &text[cut..]);
            let _ = Outbox::from_persisted(&edited);
        }
    }
}
