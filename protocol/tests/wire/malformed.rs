//! Input that is not a valid batch is rejected with the error that says why.

use crate::sample::{STARTED_AT, sample_batch, session_id};
use protocol::*;

fn limits() -> Limits {
    Limits::default()
}

fn compressed(msgpack: &[u8]) -> Vec<u8> {
    compress(msgpack, 3).expect("compress")
}

fn malformed_message(result: Result<Batch, DecodeError>) -> String {
    match result {
        Err(DecodeError::Malformed(message)) => message,
        other => panic!("expected Malformed, got {other:?}"),
    }
}

/// `[1, "p", <v7 id>, 0, 0, [event]]` with `event` as raw bytes.
fn batch_with_raw_event(event: &[u8]) -> Vec<u8> {
    let mut msgpack = vec![0x96, 0x01, 0xa1, b'p', 0xc4, 16];
    msgpack.extend(session_id().as_bytes());
    msgpack.extend([0x00, 0x00, 0x91]);
    msgpack.extend(event);
    msgpack
}

#[test]
fn not_zstd() {
    assert_eq!(decode_batch(b"", &limits()), Err(DecodeError::NotZstd));
    assert_eq!(
        decode_batch(b"{\"events\":[]}", &limits()),
        Err(DecodeError::NotZstd)
    );
    let msgpack = encode_batch_uncompressed(&sample_batch()).expect("encode");
    assert_eq!(decode_batch(&msgpack, &limits()), Err(DecodeError::NotZstd));
}

#[test]
fn corrupt_zstd() {
    let mut bytes = vec![0x28, 0xb5, 0x2f, 0xfd];
    bytes.extend(b"definitely not a frame header");
    assert!(matches!(
        decode_batch(&bytes, &limits()),
        Err(DecodeError::Corrupt(_))
    ));
}

#[test]
fn truncated_zstd() {
    let bytes = encode_batch(&sample_batch(), 3).expect("encode");
    for len in [5, bytes.len() / 2, bytes.len() - 1] {
        let result = decode_batch(&bytes[..len], &limits());
        assert!(
            matches!(result, Err(DecodeError::Corrupt(_))),
            "len {len}: {result:?}"
        );
    }
}

#[test]
fn every_truncation_of_the_msgpack_is_rejected() {
    let msgpack = encode_batch_uncompressed(&sample_batch()).expect("encode");
    for len in 0..msgpack.len() {
        let result = decode_batch_uncompressed(&msgpack[..len], &limits());
        assert!(
            matches!(result, Err(DecodeError::Malformed(_))),
            "len {len}: {result:?}"
        );
    }
}

#[test]
fn garbage_msgpack() {
    let msg = malformed_message(decode_batch(&compressed(b"\xc1garbage"), &limits()));
    assert!(msg.contains("reserved"), "{msg}");
    let msg = malformed_message(decode_batch(&compressed(b"\x93\x01\x02\x03"), &limits()));
    assert!(!msg.is_empty());
}

#[test]
fn unsupported_version() {
    let mut batch = sample_batch();
    batch.format_version = 2;
    let msgpack = rmp_serde::to_vec(&batch).expect("encode");
    assert_eq!(
        decode_batch(&compressed(&msgpack), &limits()),
        Err(DecodeError::UnsupportedVersion {
            found: 2,
            supported: FORMAT_VERSION
        })
    );
    assert!(matches!(
        encode_batch(&batch, 3),
        Err(EncodeError::UnsupportedVersion { found: 2, .. })
    ));
}

/// A future version may change everything after the version number and still be reported
/// as a version problem rather than as garbage.
#[test]
fn version_is_read_before_the_layout() {
    assert_eq!(
        decode_batch(&compressed(b"\x92\x07\xc1"), &limits()),
        Err(DecodeError::UnsupportedVersion {
            found: 7,
            supported: FORMAT_VERSION
        })
    );
}

#[test]
fn session_id_must_be_v7() {
    let v4 = uuid::Builder::from_random_bytes([7; 16]).into_uuid();
    let batch = Batch::new("demo", v4, 0, STARTED_AT, vec![]);
    let msgpack = rmp_serde::to_vec(&batch).expect("encode");
    assert_eq!(
        decode_batch(&compressed(&msgpack), &limits()),
        Err(DecodeError::SessionIdNotV7)
    );
    assert!(matches!(
        encode_batch(&batch, 3),
        Err(EncodeError::SessionIdNotV7)
    ));

    let nil = Batch::new("demo", uuid::Uuid::nil(), 0, STARTED_AT, vec![]);
    let msgpack = rmp_serde::to_vec(&nil).expect("encode");
    assert_eq!(
        decode_batch(&compressed(&msgpack), &limits()),
        Err(DecodeError::SessionIdNotV7)
    );
}

#[test]
fn trailing_bytes() {
    let mut msgpack = encode_batch_uncompressed(&sample_batch()).expect("encode");
    msgpack.extend([0xc0, 0x01]);
    assert_eq!(
        decode_batch(&compressed(&msgpack), &limits()),
        Err(DecodeError::TrailingBytes { count: 2 })
    );
}

#[test]
fn unknown_event_tag() {
    // [99, 0, nil]
    let msg = malformed_message(decode_batch_uncompressed(
        &batch_with_raw_event(b"\x93\x63\x00\xc0"),
        &limits(),
    ));
    assert!(msg.contains("unknown EventKind tag 99"), "{msg}");
}

#[test]
fn unknown_node_tag() {
    // [1 full_snapshot, 0, [[[9, 1]], 0, 0]]
    let event = b"\x93\x01\x00\x93\x91\x92\x09\x01\x00\x00";
    let msg = malformed_message(decode_batch_uncompressed(
        &batch_with_raw_event(event),
        &limits(),
    ));
    assert!(msg.contains("unknown NodeKind tag 9"), "{msg}");
}

#[test]
fn unknown_c_like_tag() {
    // [4 marker, 0, [9, "r"]]
    let event = b"\x93\x04\x00\x92\x09\xa1r";
    let msg = malformed_message(decode_batch_uncompressed(
        &batch_with_raw_event(event),
        &limits(),
    ));
    assert!(msg.contains("invalid value: 9"), "{msg}");
}

#[test]
fn wrong_array_lengths() {
    // A page-state payload with a third field, then one missing its second.
    let long = b"\x93\x03\x00\x93\xc3\xc3\xc3";
    assert!(matches!(
        decode_batch_uncompressed(&batch_with_raw_event(long), &limits()),
        Err(DecodeError::Malformed(_))
    ));
    let short = b"\x93\x03\x00\x91\xc3";
    assert!(matches!(
        decode_batch_uncompressed(&batch_with_raw_event(short), &limits()),
        Err(DecodeError::Malformed(_))
    ));
    // An event with a fourth element.
    let extra = b"\x94\x03\x00\x92\xc3\xc3\xc0";
    assert!(matches!(
        decode_batch_uncompressed(&batch_with_raw_event(extra), &limits()),
        Err(DecodeError::Malformed(_))
    ));
    // A text node record with a child count.
    let leaf_with_count = b"\x93\x01\x00\x93\x92\x93\x00\x01\x01\x94\x03\x02\xa1x\x01\x00\x00";
    assert!(matches!(
        decode_batch_uncompressed(&batch_with_raw_event(leaf_with_count), &limits()),
        Err(DecodeError::Malformed(_))
    ));
}

/// Pre-order node lists whose child counts do not add up.
#[test]
fn inconsistent_node_lists() {
    // [1 full_snapshot, 0, [records, 0, 0]] around the given records.
    let snapshot = |records: &[u8]| {
        let mut event = b"\x93\x01\x00\x93".to_vec();
        event.extend(records);
        event.extend(b"\x00\x00");
        decode_batch_uncompressed(&batch_with_raw_event(&event), &limits())
    };
    // A document promising two children, followed by one.
    let msg = malformed_message(snapshot(b"\x92\x93\x00\x01\x02\x93\x03\x02\xa1x"));
    assert!(msg.contains("ends before the tree is complete"), "{msg}");
    // A document with one child, followed by two.
    let msg = malformed_message(snapshot(
        b"\x93\x93\x00\x01\x01\x93\x03\x02\xa1x\x93\x03\x03\xa1y",
    ));
    assert!(msg.contains("follow a complete tree"), "{msg}");
    // No records at all.
    let msg = malformed_message(snapshot(b"\x90"));
    assert!(msg.contains("ends before the tree is complete"), "{msg}");
}

#[test]
fn snapshot_root_must_be_a_document() {
    let root = Node {
        id: NodeId(1),
        data: NodeData::Text("not a document".into()),
    };
    let event = Event::new(
        STARTED_AT,
        EventData::FullSnapshot(FullSnapshot {
            root,
            scroll_x: 0,
            scroll_y: 0,
        }),
    );
    let batch = Batch::new("demo", session_id(), 0, STARTED_AT, vec![event]);
    let msg = malformed_message(decode_batch(
        &encode_batch(&batch, 3).expect("encode"),
        &limits(),
    ));
    assert!(msg.contains("document"), "{msg}");
}

#[test]
fn invalid_utf8() {
    // A track event whose name is the invalid UTF-8 byte 0xff.
    let event = b"\x93\x32\x00\x92\xa1\xff\xc0";
    assert!(matches!(
        decode_batch_uncompressed(&batch_with_raw_event(event), &limits()),
        Err(DecodeError::Malformed(_))
    ));
}
