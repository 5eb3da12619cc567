//! Realistic recorder batches, built before any clock starts.
//!
//! A session's first batch (and every 20th, as a single-page app re-snapshots
//! after a route change) is a `Meta` + `FullSnapshot` of a product-list page; the
//! others mix DOM mutations, masked inputs, mouse-move samples, clicks and
//! scrolls (see `page.rs`). Each template is sized for a compressed target drawn log-uniformly from
//! 5–50 KB; the envelope (session, seq) is then spliced in per batch and the
//! whole MessagePack compressed at the recorder's level, so every request is one
//! ordinary zstd frame with distinct bytes.

use std::ops::Range;

use actix_web::web::Bytes;
use protocol::{Batch, Event};
use uuid::Uuid;

use crate::page::{Rng, STARTED_AT, events_for};

pub const PROJECT: &str = "bench";
/// The recorder's zstd level.
const LEVEL: i32 = 3;
const TARGET_BYTES: Range<f64> = 5_000.0..50_000.0;

/// One session's batches, seq 0, 1, 2, … in order.
#[derive(Debug)]
pub struct Session {
    pub id: Uuid,
    pub batches: Vec<Bytes>,
}

/// Templates: the msgpack of an events array and how many events it holds.
struct Template {
    events: Vec<u8>,
}

/// `sessions` sessions of `per_session` batches each, built on all cores.
pub fn build(sessions: usize, per_session: usize, seed: u64) -> Vec<Session> {
    let mut rng = Rng(seed);
    let snapshots: Vec<Template> = (0..6).map(|_| template(&mut rng, true)).collect();
    let incremental: Vec<Template> = (0..42).map(|_| template(&mut rng, false)).collect();
    let ids: Vec<Uuid> = (0..sessions)
        .map(|_| {
            uuid::Builder::from_unix_timestamp_millis(STARTED_AT as u64, &rng.bytes10()).into_uuid()
        })
        .collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = sessions.div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = ids
            .chunks(chunk)
            .enumerate()
            .map(|(part, ids)| {
                let (snapshots, incremental) = (&snapshots, &incremental);
                scope.spawn(move || {
                    ids.iter()
                        .enumerate()
                        .map(|(i, id)| {
                            let s = part * chunk + i;
                            let batches = (0..per_session)
                                .map(|seq| {
                                    let t = if seq % 20 == 0 {
                                        &snapshots[(s + seq / 20) % snapshots.len()]
                                    } else {
                                        &incremental[(s * 7 + seq) % incremental.len()]
                                    };
                                    Bytes::from(encode(*id, seq as u64, t))
                                })
                                .collect();
                            Session { id: *id, batches }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("batch builder thread"))
            .collect()
    })
}

/// Exactly `protocol::encode_batch` of the batch with the template's events: the
/// envelope is a positional array whose last element is the events array.
fn encode(session: Uuid, seq: u64, template: &Template) -> Vec<u8> {
    let mut msgpack = envelope_prefix(session, seq);
    msgpack.extend_from_slice(&template.events);
    protocol::compress(&msgpack, LEVEL).expect("batch compresses")
}

/// The envelope's MessagePack up to (not including) its events array.
fn envelope_prefix(session: Uuid, seq: u64) -> Vec<u8> {
    let empty = Batch::new(PROJECT, session, seq, STARTED_AT, Vec::new());
    let mut bytes = protocol::encode_batch_uncompressed(&empty).expect("envelope encodes");
    assert_eq!(
        bytes.pop(),
        Some(0x90),
        "an empty events array ends the envelope"
    );
    bytes
}

/// Events sized so that a batch of them compresses to a random target size.
fn template(rng: &mut Rng, snapshot: bool) -> Template {
    let target = TARGET_BYTES.start * (TARGET_BYTES.end / TARGET_BYTES.start).powf(rng.unit());
    let seed = rng.next();
    let mut units = 40.0;
    let mut events = Vec::new();
    // Two calibration rounds land within a few percent: size grows linearly in units.
    for _ in 0..3 {
        events = events_for(&mut Rng(seed), snapshot, units as usize);
        let size = compressed_size(&events);
        units = (units * target / size as f64).max(1.0);
    }
    let check = Batch::new(PROJECT, Uuid::now_v7(), 7, STARTED_AT, events.clone());
    let mut spliced = envelope_prefix(check.session_id, 7);
    let msgpack = rmp_serde::to_vec(&events).expect("events encode");
    spliced.extend_from_slice(&msgpack);
    assert_eq!(
        spliced,
        protocol::encode_batch_uncompressed(&check).expect("batch encodes"),
        "splicing must give the recorder's exact bytes"
    );
    Template { events: msgpack }
}

fn compressed_size(events: &[Event]) -> usize {
    let batch = Batch::new(PROJECT, Uuid::now_v7(), 1, STARTED_AT, events.to_vec());
    protocol::encode_batch(&batch, LEVEL)
        .expect("batch encodes")
        .len()
}

/// The compressed sizes of every batch built, and how much they inflate.
#[derive(Debug, Default)]
pub struct Sizes {
    compressed: Vec<usize>,
    /// (compressed, MessagePack) bytes of sampled snapshot and incremental batches.
    snapshots: (usize, usize),
    incremental: (usize, usize),
}

impl Sizes {
    pub fn add(&mut self, sessions: &[Session]) {
        for (s, session) in sessions.iter().enumerate() {
            for (seq, batch) in session.batches.iter().enumerate() {
                self.compressed.push(batch.len());
                // Inflating every batch would take longer than building them.
                if (s + seq) % 7 == 0 {
                    let msgpack = protocol::decompress(batch, &protocol::Limits::default())
                        .expect("own batch inflates");
                    let sample = if seq % 20 == 0 {
                        &mut self.snapshots
                    } else {
                        &mut self.incremental
                    };
                    sample.0 += batch.len();
                    sample.1 += msgpack.len();
                }
            }
        }
    }

    pub fn describe(&mut self) -> String {
        let s = &mut self.compressed;
        if s.is_empty() {
            return "none".into();
        }
        s.sort_unstable();
        let kb = |q: f64| s[((s.len() - 1) as f64 * q) as usize] as f64 / 1000.0;
        let mean = s.iter().sum::<usize>() as f64 / s.len() as f64 / 1000.0;
        let ratio = |(c, m): (usize, usize)| m as f64 / c.max(1) as f64;
        format!(
            "{} built; compressed KB min {:.1}, p10 {:.1}, p50 {:.1}, p90 {:.1}, max {:.1}, mean {mean:.1}. \
             Every 20th batch of a session is a full snapshot (MessagePack {:.1}× its compressed size), \
             the rest mutations, inputs, mouse moves, clicks and scrolls ({:.1}×).",
            s.len(),
            kb(0.0),
            kb(0.1),
            kb(0.5),
            kb(0.9),
            kb(1.0),
            ratio(self.snapshots),
            ratio(self.incremental),
        )
    }
}
