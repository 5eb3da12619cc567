//! Real encoded batches for the API tests.

use protocol::{Batch, Event, EventData, InteractionKind, Meta, MouseInteraction, NodeId};
use uuid::Uuid;

pub fn new_session() -> Uuid {
    Uuid::now_v7()
}

/// A batch of `events` events (a meta event, then clicks), encoded as the recorder
/// sends it. Different `events` counts give different bytes for the same seq.
/// When every test recording started (Unix ms).
pub const STARTED_AT_MS: i64 = 1_700_000_000_000;

pub fn encoded(project: &str, session: Uuid, seq: u64, events: usize) -> Vec<u8> {
    let started = STARTED_AT_MS;
    let mut list = Vec::with_capacity(events);
    if events > 0 {
        list.push(Event::new(
            started,
            EventData::Meta(Meta {
                url: "https://shop.example/checkout".into(),
                width: 1280,
                height: 720,
                user_agent: "affidavit-tests".into(),
            }),
        ));
    }
    for i in 1..events {
        list.push(Event::new(
            started + i as i64 * 40,
            EventData::MouseInteraction(MouseInteraction {
                kind: InteractionKind::Click,
                target: NodeId(i as u32),
                x: (i * 7 % 1280) as i32,
                y: (i * 13 % 720) as i32,
            }),
        ));
    }
    protocol::encode_batch(&Batch::new(project, session, seq, started, list), 3)
        .expect("batch encodes")
}

/// A small zstd frame that inflates to `inflated` zero bytes.
pub fn zip_bomb(inflated: usize) -> Vec<u8> {
    zstd::encode_all(&vec![0u8; inflated][..], 19).expect("zstd")
}
