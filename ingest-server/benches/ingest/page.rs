//! The content of recorded pages: a product-list DOM for full snapshots, and
//! the mutations, masked inputs, mouse moves, clicks and scrolls that follow.
//!
//! Text comes from a fixed catalogue vocabulary with common words far more
//! frequent than rare ones, and ids, prices and coordinates vary (pointers move
//! as random walks), so zstd finds about the redundancy a real page has rather
//! than one repeated string.

use protocol::{
    AddedNode, AttributeChange, Element, Event, EventData, FullSnapshot, Input, InputValue,
    InteractionKind, Meta, MouseInteraction, Mutation, Navigation, NavigationKind, Node, NodeData,
    NodeId, PointerMove, PointerPosition, Scroll, TextChange,
};

/// Recorded times start here (mid-2025, Unix ms).
pub const STARTED_AT: i64 = 1_750_000_000_000;

pub fn events_for(rng: &mut Rng, snapshot: bool, units: usize) -> Vec<Event> {
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
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn bytes10(&mut self) -> [u8; 10] {
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
