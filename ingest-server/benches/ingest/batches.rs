//! Realistic recorder batches, built before any clock starts.
//!
//! A session's first batch (and every 20th, as a single-page app re-snapshots
//! after a route change) is a `Meta` + `FullSnapshot` of a product-list page; the
//! others mix DOM mutations, masked inputs, mouse-move samples, clicks and
//! scrolls. Text comes from a syllable generator and ids, prices and coordinates
//! vary, so zstd finds about the redundancy a real page has, not a repeated string.
//! Each template is sized for a compressed target drawn log-uniformly from
//! 5–50 KB; the envelope (session, seq) is then spliced in per batch and the
//! whole MessagePack compressed at the recorder's level, so every request is one
//! ordinary zstd frame with distinct bytes.

use std::ops::Range;

use actix_web::web::Bytes;
use protocol::{
    AddedNode, AttributeChange, Batch, Element, Event, EventData, FullSnapshot, Input, InputValue,
    InteractionKind, Meta, MouseInteraction, Mutation, Navigation, NavigationKind, Node, NodeData,
    NodeId, PointerMove, PointerPosition, Scroll, TextChange,
};
use uuid::Uuid;

pub const PROJECT: &str = "bench";
/// The recorder's zstd level.
const LEVEL: i32 = 3;
const TARGET_BYTES: Range<f64> = 5_000.0..50_000.0;
const STARTED_AT: i64 = 1_750_000_000_000;

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

fn events_for(rng: &mut Rng, snapshot: bool, units: usize) -> Vec<Event> {
    let mut t = STARTED_AT + rng.below(600_000) as i64;
    let mut ids = 10_000 + rng.below(50_000) as u32;
    let mut out = Vec::new();
    if snapshot {
        out.push(Event::new(
            t,
            EventData::Navigation(Navigation {
                kind: NavigationKind::Push,
                url: rng.url(),
            }),
        ));
        out.push(Event::new(
            t,
            EventData::Meta(Meta {
                url: rng.url(),
                width: 1440,
                height: 900,
                user_agent:
                    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
                        .into(),
            }),
        ));
        let rows = (0..units).map(|_| row(rng, &mut ids)).collect();
        let body = element(
            &mut ids,
            "main",
            vec![("class", "product-list".into())],
            rows,
        );
        let root = Node {
            id: NodeId(1),
            data: NodeData::Document {
                children: vec![element(
                    &mut ids,
                    "html",
                    vec![("lang", "en".into())],
                    vec![body],
                )],
            },
        };
        out.push(Event::new(
            t,
            EventData::FullSnapshot(FullSnapshot {
                root,
                scroll_x: 0,
                scroll_y: 0,
            }),
        ));
        return out;
    }
    for _ in 0..units {
        t += 20 + rng.below(400) as i64;
        let target = NodeId(rng.below(u64::from(ids)) as u32);
        let data = match rng.below(10) {
            0..=2 => EventData::Mutation(Mutation {
                adds: (0..rng.below(3))
                    .map(|_| AddedNode {
                        parent: target,
                        next_sibling: None,
                        node: row(rng, &mut ids),
                    })
                    .collect(),
                removes: Vec::new(),
                texts: (0..1 + rng.below(4))
                    .map(|_| TextChange {
                        id: NodeId(rng.below(u64::from(ids)) as u32),
                        text: rng.price(),
                    })
                    .collect(),
                attributes: vec![AttributeChange {
                    id: target,
                    name: "style".into(),
                    value: Some(format!(
                        "transform: translate({}px, {}px)",
                        rng.below(900),
                        rng.below(600)
                    )),
                }],
            }),
            3..=5 => {
                // A random walk, as a real pointer moves, sampled every 16 ms.
                let (mut x, mut y) = (rng.below(1440) as i32, rng.below(900) as i32);
                let samples = 8 + rng.below(24) as i32;
                EventData::MouseMove(PointerMove {
                    positions: (0..samples)
                        .map(|i| {
                            x = (x + rng.below(41) as i32 - 20).clamp(0, 1439);
                            y = (y + rng.below(41) as i32 - 20).clamp(0, 899);
                            PointerPosition {
                                x,
                                y,
                                time_offset: (i - samples) * 16,
                            }
                        })
                        .collect(),
                })
            }
            6 | 7 => EventData::Input(Input {
                target,
                value: InputValue::Text("*".repeat(1 + rng.below(24) as usize)),
            }),
            8 => EventData::MouseInteraction(MouseInteraction {
                kind: InteractionKind::Click,
                target,
                x: rng.below(1440) as i32,
                y: rng.below(900) as i32,
            }),
            _ => EventData::Scroll(Scroll {
                target: NodeId(1),
                x: 0,
                y: rng.below(8000) as i32,
            }),
        };
        out.push(Event::new(t, data));
    }
    out
}

/// A product row: name, description, price and a button, about a dozen nodes.
fn row(rng: &mut Rng, ids: &mut u32) -> Node {
    let (name_words, description_words) = (2 + rng.below(3), 6 + rng.below(14));
    let name = text(ids, rng.words(name_words as usize));
    let description = text(ids, rng.words(description_words as usize));
    let button = text(ids, "Add to cart".into());
    let price = text(ids, rng.price());
    let sku = format!("{:08x}", rng.next() as u32);
    let cells = vec![
        element(ids, "h3", vec![("class", "name".into())], vec![name]),
        element(ids, "p", vec![("class", "desc".into())], vec![description]),
        element(ids, "span", vec![("class", "price".into())], vec![price]),
        element(
            ids,
            "a",
            vec![
                ("href", format!("/p/{sku}")),
                ("class", "btn btn-primary".into()),
            ],
            vec![button],
        ),
    ];
    element(
        ids,
        "div",
        vec![("class", "row".into()), ("data-sku", sku)],
        cells,
    )
}

fn element(ids: &mut u32, tag: &str, attributes: Vec<(&str, String)>, children: Vec<Node>) -> Node {
    *ids += 1;
    let attributes = attributes
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    Node {
        id: NodeId(*ids),
        data: NodeData::Element(Element {
            tag: tag.into(),
            attributes,
            svg: false,
            children,
        }),
    }
}

fn text(ids: &mut u32, text: String) -> Node {
    *ids += 1;
    Node {
        id: NodeId(*ids),
        data: NodeData::Text(text),
    }
}

/// splitmix64: deterministic, so a seed reproduces the corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn bytes10(&mut self) -> [u8; 10] {
        let (a, b) = (self.next().to_le_bytes(), self.next().to_le_bytes());
        [a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], b[0], b[1]]
    }
    /// `n` words from a fixed 400-word catalogue vocabulary, common words far
    /// more often than rare ones, as in real page text.
    fn words(&mut self, n: usize) -> String {
        static VOCABULARY: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        let vocabulary = VOCABULARY.get_or_init(|| {
            const SYLLABLES: [&str; 32] = [
                "ka", "lo", "mer", "ti", "son", "va", "rel", "du", "pri", "na", "gor", "se", "lin",
                "to", "bra", "ve", "mo", "chi", "ran", "el", "qua", "sto", "fi", "nu", "dex", "ar",
                "po", "lum", "ze", "ric", "ho", "tan",
            ];
            let mut rng = Rng(42);
            (0..400)
                .map(|_| {
                    (0..1 + rng.below(3))
                        .map(|_| SYLLABLES[rng.below(32) as usize])
                        .collect()
                })
                .collect()
        });
        let words: Vec<&str> = (0..n)
            .map(|_| {
                let rank = self.below(vocabulary.len() as u64);
                vocabulary[self.below(rank + 1) as usize].as_str()
            })
            .collect();
        words.join(" ")
    }
    fn price(&mut self) -> String {
        format!("${}.{:02}", 1 + self.below(900), self.below(100))
    }
    fn url(&mut self) -> String {
        format!(
            "https://shop.example/{}/{}",
            self.words(1),
            self.below(100_000)
        )
    }
}

/// The compressed sizes of every batch built, and how much they inflate.
#[derive(Debug, Default)]
pub struct Sizes {
    compressed: Vec<usize>,
    /// (compressed, MessagePack) bytes of a sample.
    inflated: (usize, usize),
}

impl Sizes {
    pub fn add(&mut self, sessions: &[Session]) {
        for (i, batch) in sessions.iter().flat_map(|s| &s.batches).enumerate() {
            self.compressed.push(batch.len());
            if i % 25 == 0 {
                let msgpack = protocol::decompress(batch, &protocol::Limits::default())
                    .expect("own batch inflates");
                self.inflated.0 += batch.len();
                self.inflated.1 += msgpack.len();
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
        format!(
            "{} built; compressed KB min {:.1}, p10 {:.1}, p50 {:.1}, p90 {:.1}, max {:.1}, mean {mean:.1}; \
             MessagePack is {:.1}× the compressed size (every 20th batch of a session is a full snapshot)",
            s.len(),
            kb(0.0),
            kb(0.1),
            kb(0.5),
            kb(0.9),
            kb(1.0),
            self.inflated.1 as f64 / self.inflated.0.max(1) as f64,
        )
    }
}
