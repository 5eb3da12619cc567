//! Compressed size and compression time of a realistic first batch: a full snapshot of a
//! ~2,000-node shop page and a few hundred mutation, input, scroll and pointer events.
//!
//! `cargo run --release -p protocol --example realistic_batch [-- LEVEL...]` (levels default
//! to 1 and 3), with `--features compress-ruzstd` to measure that compressor instead.
//! With `REALISTIC_BATCH_OUT=PATH` set it also writes the batch's MessagePack to PATH.

use protocol::*;
use std::time::Instant;

/// A small deterministic PRNG (xorshift64*), so every run measures the same batch.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "organic",
    "cotton",
    "shirt",
    "blue",
    "sale",
    "free",
    "shipping",
    "on",
    "orders",
    "over",
    "new",
    "arrivals",
    "women",
    "men",
    "kids",
    "size",
    "color",
    "add",
    "to",
    "cart",
    "reviews",
    "stars",
    "in",
    "stock",
    "limited",
    "edition",
    "summer",
    "collection",
    "linen",
    "wool",
];
const CLASSES: &[&str] = &[
    "product-card",
    "product-card__title",
    "product-card__price",
    "grid",
    "grid__item",
    "btn",
    "btn--primary",
    "badge",
    "badge--sale",
    "rating",
    "nav__link",
    "footer__col",
    "media",
    "media__img",
    "text-muted",
    "visually-hidden",
    "price--compare",
    "swatch",
    "swatch--active",
];

struct Page {
    rng: Rng,
    next_id: u32,
}

impl Page {
    fn id(&mut self) -> NodeId {
        self.next_id += 1;
        NodeId(self.next_id)
    }

    fn text(&mut self, words: u64) -> Node {
        let n = 1 + self.rng.below(words);
        let text: Vec<&str> = (0..n).map(|_| self.rng.pick(WORDS)).collect();
        Node {
            id: self.id(),
            data: NodeData::Text(text.join(" ")),
        }
    }

    /// An element with `attributes`, after a class attribute if given.
    fn element(
        &mut self,
        tag: &str,
        class: Option<&str>,
        mut attributes: Vec<(String, String)>,
        children: Vec<Node>,
    ) -> Node {
        if let Some(class) = class {
            attributes.insert(0, ("class".into(), class.into()));
        }
        Node {
            id: self.id(),
            data: NodeData::Element(Element {
                tag: tag.into(),
                attributes,
                svg: false,
                children,
            }),
        }
    }

    /// A product card: about 14 nodes.
    fn card(&mut self, n: u32) -> Node {
        let img = self.element(
            "img",
            None,
            vec![
                (
                    "src".into(),
                    format!("https://cdn.shop.example/p/{n:05}/main-640w.jpg"),
                ),
                ("alt".into(), "".into()),
                ("loading".into(), "lazy".into()),
            ],
            vec![],
        );
        let title = self.text(6);
        let title = self.element("h3", Some("product-card__title"), vec![], vec![title]);
        let price = Node {
            id: self.id(),
            data: NodeData::Text(format!(
                "${}.{:02}",
                5 + self.rng.below(200),
                self.rng.below(100)
            )),
        };
        let price = self.element(
            "span",
            Some("product-card__price price"),
            vec![],
            vec![price],
        );
        let rating = self.text(3);
        let rating = self.element(
            "div",
            Some("rating rating--small"),
            vec![("aria-label".into(), "4.5 stars".into())],
            vec![rating],
        );
        let label = self.text(3);
        let button = self.element(
            "button",
            Some("btn btn--primary product-card__add"),
            vec![
                ("type".into(), "button".into()),
                ("data-sku".into(), format!("SKU-{n:06}")),
            ],
            vec![label],
        );
        let href = format!("/products/{n}");
        let link = self.element(
            "a",
            Some("product-card__link media"),
            vec![("href".into(), href)],
            vec![img, title],
        );
        self.element(
            "li",
            Some("grid__item product-card"),
            vec![],
            vec![link, price, rating, button],
        )
    }

    fn document(&mut self, cards: u32) -> Node {
        let css: String = (0..60)
            .map(|i| {
                format!(
                    ".{}-{i}{{margin:{}px;color:#{:06x}}}\n",
                    self.rng.pick(CLASSES),
                    i % 7,
                    self.rng.below(0xffffff)
                )
            })
            .collect();
        let css = Node {
            id: self.id(),
            data: NodeData::Text(css),
        };
        let style = self.element("style", None, vec![], vec![css]);
        let title = self.text(4);
        let title = self.element("title", None, vec![], vec![title]);
        let head = self.element("head", None, vec![], vec![title, style]);
        let nav: Vec<Node> = (0..12)
            .map(|i| {
                let t = self.text(2);
                self.element(
                    "a",
                    Some("nav__link"),
                    vec![("href".into(), format!("/c/{i}"))],
                    vec![t],
                )
            })
            .collect();
        let nav = self.element("nav", Some("nav nav--primary"), vec![], nav);
        let items: Vec<Node> = (0..cards).map(|n| self.card(n)).collect();
        let grid = self.element("ul", Some("grid grid--4-col"), vec![], items);
        let main = self.element("main", None, vec![("id".into(), "main".into())], vec![grid]);
        let body = self.element("body", Some("template-collection"), vec![], vec![nav, main]);
        let html = self.element(
            "html",
            None,
            vec![("lang".into(), "en".into())],
            vec![head, body],
        );
        let doctype = Node {
            id: self.id(),
            data: NodeData::Doctype {
                name: "html".into(),
                public_id: String::new(),
                system_id: String::new(),
            },
        };
        Node {
            id: NodeId(0),
            data: NodeData::Document {
                children: vec![doctype, html],
            },
        }
    }
}

fn realistic_batch() -> Batch {
    let started_at = 1_760_000_000_000i64;
    let mut page = Page {
        rng: Rng(0x9E37_79B9_7F4A_7C15),
        next_id: 0,
    };
    let root = page.document(180);
    let nodes = page.next_id;
    let mut events = vec![
        Event::new(
            started_at,
            EventData::Meta(Meta {
                url: "https://shop.example/collections/summer?page=2".into(),
                width: 1440,
                height: 900,
                user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36".into(),
            }),
        ),
        Event::new(
            started_at,
            EventData::FullSnapshot(FullSnapshot {
                root,
                scroll_x: 0,
                scroll_y: 0,
            }),
        ),
    ];
    let mut t = started_at;
    let mut rng = Rng(42);
    let (mut x, mut y) = (700i32, 400i32);
    for i in 0..400u32 {
        t += 20 + rng.below(200) as i64;
        let target = NodeId(1 + rng.below(u64::from(nodes)) as u32);
        let data = match i % 8 {
            0..=3 => EventData::MouseMove(PointerMove {
                positions: (0..(2 + rng.below(8)))
                    .map(|k| {
                        x += rng.below(41) as i32 - 20;
                        y += rng.below(41) as i32 - 20;
                        PointerPosition {
                            x,
                            y,
                            time_offset: -(k as i32) * 16,
                        }
                    })
                    .collect(),
            }),
            4 => {
                let text = page.text(5);
                EventData::Mutation(Mutation {
                    adds: vec![AddedNode {
                        parent: target,
                        next_sibling: None,
                        node: text,
                    }],
                    removes: vec![],
                    texts: vec![TextChange {
                        id: NodeId(1 + rng.below(u64::from(nodes)) as u32),
                        text: format!("${}.99", rng.below(300)),
                    }],
                    attributes: vec![AttributeChange {
                        id: target,
                        name: "class".into(),
                        value: Some(format!("{} {}", rng.pick(CLASSES), rng.pick(CLASSES))),
                    }],
                })
            }
            5 => EventData::Scroll(Scroll {
                target: NodeId(0),
                x: 0,
                y: (i * 37) as i32,
            }),
            6 => EventData::Input(Input {
                target,
                value: InputValue::Text("*".repeat(1 + rng.below(12) as usize)),
            }),
            _ => EventData::MouseInteraction(MouseInteraction {
                kind: InteractionKind::Click,
                target,
                x,
                y,
            }),
        };
        events.push(Event::new(t, data));
    }
    let session =
        uuid::Builder::from_unix_timestamp_millis(started_at as u64, &[7; 10]).into_uuid();
    Batch::new("shop-eu", session, 0, started_at, events)
}

fn main() {
    let levels: Vec<i32> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("a zstd level"))
        .collect();
    let levels = if levels.is_empty() {
        vec![1, 3]
    } else {
        levels
    };
    let batch = realistic_batch();
    let nodes = batch.events.iter().find_map(|e| match &e.data {
        EventData::FullSnapshot(s) => Some(s.root.node_count()),
        _ => None,
    });
    let msgpack = encode_batch_uncompressed(&batch).expect("encode");
    if let Some(path) = std::env::var_os("REALISTIC_BATCH_OUT") {
        std::fs::write(path, &msgpack).expect("write the batch");
    }
    println!(
        "compressor: {}; snapshot nodes: {}; events: {}; msgpack: {} bytes",
        if cfg!(feature = "compress-ruzstd") {
            "ruzstd"
        } else {
            "zstd (C)"
        },
        nodes.unwrap_or(0),
        batch.events.len(),
        msgpack.len()
    );
    for level in levels {
        let compressed = compress(&msgpack, level).expect("compress");
        let decoded = decode_batch(&compressed, &Limits::default()).expect("decodes");
        assert_eq!(decoded, batch);
        let runs = 50;
        let start = Instant::now();
        for _ in 0..runs {
            std::hint::black_box(
                compress(std::hint::black_box(&msgpack), level).expect("compress"),
            );
        }
        let per_run = start.elapsed() / runs;
        println!(
            "level {level:>2}: {:>7} bytes ({:.1}x), {:>8.2?} per compression",
            compressed.len(),
            msgpack.len() as f64 / compressed.len() as f64,
            per_run
        );
    }
}
