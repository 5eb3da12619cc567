//! The golden fixture pins the exact bytes of a batch holding every kind. If this fails, the
//! encoding changed: that needs a FORMAT_VERSION bump and a regenerated fixture
//! (`UPDATE_GOLDEN=1 cargo test -p protocol --test wire golden`), never just the latter.

use crate::sample::sample_batch;
use protocol::*;
use std::collections::HashSet;
use std::path::PathBuf;

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/golden_batch.hex")
}

/// The fixture's text: the envelope up to the events array header, then one event per line,
/// each under a comment naming its kind, so a diff shows which layout moved.
fn render(batch: &Batch) -> String {
    let full = encode_batch_uncompressed(batch).expect("encode sample");
    let events: Vec<Vec<u8>> = batch
        .events
        .iter()
        .map(|e| rmp_serde::to_vec(e).expect("encode event"))
        .collect();
    let events_len: usize = events.iter().map(Vec::len).sum();
    let (envelope, rest) = full.split_at(full.len() - events_len);
    assert_eq!(
        rest,
        events.concat(),
        "a batch ends with its events, back to back"
    );

    let mut text = String::from(
        "# Golden encoding (MessagePack, before zstd) of protocol/tests/wire/sample.rs::sample_batch().\n\
         # Do not edit. Changing it means changing the wire format: bump FORMAT_VERSION first.\n\
         # envelope: [format_version, project, session_id, seq, started_at, events…\n",
    );
    text += &hex::encode(envelope);
    text.push('\n');
    for (event, bytes) in batch.events.iter().zip(&events) {
        text += &format!(
            "# {} {}\n{}\n",
            event.kind().tag(),
            event.kind().label(),
            hex::encode(bytes)
        );
    }
    text
}

fn parse(text: &str) -> Vec<u8> {
    let hex: String = text.lines().filter(|l| !l.starts_with('#')).collect();
    hex::decode(hex.trim()).expect("fixture is hex")
}

fn fixture() -> Vec<u8> {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(fixture_path(), render(&sample_batch())).expect("write fixture");
    }
    parse(&std::fs::read_to_string(fixture_path()).expect("read testdata/golden_batch.hex"))
}

#[test]
fn golden_encoding_is_unchanged() {
    let encoded = encode_batch_uncompressed(&sample_batch()).expect("encode");
    // Compared as hex so a failure shows where the bytes differ.
    assert_eq!(hex::encode(encoded), hex::encode(fixture()));
}

#[test]
fn golden_bytes_decode_to_the_sample() {
    let fixture = fixture();
    let compressed = compress(&fixture, 3).expect("compress");
    assert_eq!(
        decode_batch(&compressed, &Limits::default()).expect("decode"),
        sample_batch()
    );
}

#[test]
fn sample_covers_every_kind() {
    let batch = sample_batch();
    let kinds: HashSet<_> = batch.events.iter().map(Event::kind).collect();
    assert_eq!(
        kinds.len(),
        EventKind::ALL.len(),
        "missing: {:?}",
        missing(EventKind::ALL, &kinds)
    );

    let mut node_kinds = HashSet::new();
    let mut pending: Vec<&Node> = Vec::new();
    let mut input_kinds = HashSet::new();
    let mut rule_kinds = HashSet::new();
    let mut sheet_kinds = HashSet::new();
    for event in &batch.events {
        match &event.data {
            EventData::FullSnapshot(s) => pending.push(&s.root),
            EventData::Mutation(m) => pending.extend(m.adds.iter().map(|a| &a.node)),
            EventData::Input(i) => _ = input_kinds.insert(i.value.kind()),
            EventData::StyleSheetRule(r) => {
                rule_kinds.insert(r.change.kind());
                sheet_kinds.insert(r.sheet.kind());
            }
            _ => {}
        }
    }
    while let Some(node) = pending.pop() {
        node_kinds.insert(node.kind());
        pending.extend(node.children());
    }
    assert!(
        missing(NodeKind::ALL, &node_kinds).is_empty(),
        "{:?}",
        missing(NodeKind::ALL, &node_kinds)
    );
    assert_eq!(input_kinds.len(), InputValueKind::ALL.len());
    assert_eq!(rule_kinds.len(), RuleChangeKind::ALL.len());
    assert_eq!(sheet_kinds.len(), StyleSheetIdKind::ALL.len());
}

fn missing<T: Copy + Eq + std::hash::Hash>(all: &[T], seen: &HashSet<T>) -> Vec<T> {
    all.iter().copied().filter(|k| !seen.contains(k)).collect()
}
