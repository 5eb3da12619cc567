//! The raw envelope: reading a batch's events as byte ranges and re-assembling a batch from
//! them is exactly the typed codec's split and re-encode.

use crate::sample::{sample_batch, session_id};
use crate::strategies;
use proptest::prelude::*;
use protocol::*;

fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

#[test]
fn reads_the_golden_batch_and_writes_it_back_byte_for_byte() {
    let batch = sample_batch();
    let msgpack = encode_batch_uncompressed(&batch).expect("encode");
    let raw = read_raw_batch(&msgpack, &Limits::default()).expect("read");
    assert_eq!(
        (raw.project, raw.session_id, raw.seq, raw.started_at),
        ("demo", session_id(), batch.seq, batch.started_at)
    );
    assert_eq!(raw.events.len(), batch.events.len());
    for (raw_event, event) in raw.events.iter().zip(&batch.events) {
        assert_eq!(raw_event.kind(), event.kind());
        assert_eq!(raw_event.timestamp(), event.timestamp);
        let alone = rmp_serde::to_vec(event).expect("encode event");
        assert_eq!(raw_event.bytes(), alone.as_slice());
        let marker = match &event.data {
            EventData::Marker(m) => Some(m.kind),
            _ => None,
        };
        assert_eq!(raw_event.marker_kind(), marker);
    }
    assert_eq!(raw.encode_uncompressed().expect("write"), msgpack);
}

#[test]
fn refuses_what_is_not_a_batch_envelope() {
    let batch = sample_batch();
    let msgpack = encode_batch_uncompressed(&batch).expect("encode");
    let limits = Limits::default();

    // Every truncation, and anything after the batch.
    for len in 0..msgpack.len() {
        assert!(read_raw_batch(&msgpack[..len], &limits).is_err(), "{len}");
    }
    let mut trailing = msgpack.clone();
    trailing.push(0xc0);
    assert_eq!(
        read_raw_batch(&trailing, &limits),
        Err(DecodeError::TrailingBytes { count: 1 })
    );

    // [1, "p", <id>, 0, 0, [event]] with the event given.
    let with_event = |event: &[u8]| {
        let mut bytes = vec![0x96, 0x01, 0xa1, b'p', 0xc4, 16];
        bytes.extend(session_id().as_bytes());
        bytes.extend([0x00, 0x00, 0x91]);
        bytes.extend(event);
        bytes
    };
    assert!(read_raw_batch(&with_event(&[0x93, 0x04, 0x00, 0xc0]), &limits).is_ok());
    for bad in [
        &[0x93, 0x63, 0x00, 0xc0][..],   // unknown kind 99
        &[0x92, 0x04, 0x00],             // two elements
        &[0x93, 0xa1, b'x', 0x00, 0xc0], // kind is a string
        &[0x93, 0x04, 0xc3, 0xc0],       // timestamp is a bool
        &[0xc0],                         // not an array
    ] {
        assert!(
            matches!(
                read_raw_batch(&with_event(bad), &limits),
                Err(DecodeError::Malformed(_))
            ),
            "{bad:02x?}"
        );
    }

    let mut not_v7 = with_event(&[0x93, 0x04, 0x00, 0xc0]);
    not_v7[6..22].copy_from_slice(uuid::Uuid::nil().as_bytes());
    assert_eq!(
        read_raw_batch(&not_v7, &limits),
        Err(DecodeError::SessionIdNotV7)
    );
    let mut seven_fields = with_event(&[0x93, 0x04, 0x00, 0xc0]);
    seven_fields[0] = 0x97;
    seven_fields.push(0xc0);
    assert!(matches!(
        read_raw_batch(&seven_fields, &limits),
        Err(DecodeError::Malformed(_))
    ));
    assert!(matches!(
        read_raw_batch(&[0x96, 0x02], &limits),
        Err(DecodeError::UnsupportedVersion { found: 2, .. })
    ));
}

/// Each limit rejects the sample batch in the raw reader exactly as in the decoder.
#[test]
fn enforces_the_limits_as_the_decoder_does() {
    let msgpack = encode_batch_uncompressed(&sample_batch()).expect("encode");
    let tight = [
        Limits {
            max_decompressed_bytes: msgpack.len() - 1,
            ..Limits::default()
        },
        Limits {
            max_events: 3,
            ..Limits::default()
        },
        Limits {
            max_string_bytes: 20,
            ..Limits::default()
        },
        Limits {
            max_values: 50,
            ..Limits::default()
        },
    ];
    for limits in tight {
        let decoded = decode_batch_uncompressed(&msgpack, &limits).map(|_| ());
        let raw = read_raw_batch(&msgpack, &limits).map(|_| ());
        assert!(
            decoded.as_ref().is_err_and(DecodeError::is_limit),
            "{limits:?}"
        );
        assert_eq!(raw, decoded, "{limits:?}");
    }

    let mut deep = vec![0x96, 0x01, 0xa1, b'p', 0xc4, 16];
    deep.extend(session_id().as_bytes());
    deep.extend([0x00, 0x00, 0x91, 0x93, 0x32, 0x00]);
    deep.extend(std::iter::repeat_n(0x91, 1_000_000));
    deep.push(0xc0);
    assert_eq!(
        read_raw_batch(&deep, &Limits::default()),
        Err(DecodeError::NestingTooDeep { limit: MAX_NESTING })
    );
}

proptest! {
    /// Any split of any batch, re-assembled under a new seq, is the batch `encode_batch`
    /// writes for those events and that seq, and decodes to them in order.
    #[test]
    fn raw_split_reassembles_to_the_same_events(
        batch in strategies::batch(),
        seq in any::<u64>(),
        keep in proptest::collection::vec(any::<bool>(), 6),
    ) {
        let msgpack = encode_batch_uncompressed(&batch).map_err(fail)?;
        let raw = read_raw_batch(&msgpack, &Limits::default()).map_err(fail)?;
        prop_assert_eq!(raw.events.len(), batch.events.len());

        let kept: Vec<usize> = (0..batch.events.len()).filter(|&i| keep[i]).collect();
        let subset = RawBatch {
            seq,
            events: kept.iter().map(|&i| raw.events[i]).collect(),
            ..raw.clone()
        };
        let reassembled = subset.encode_uncompressed().map_err(fail)?;

        let expected = Batch {
            seq,
            events: kept.iter().map(|&i| batch.events[i].clone()).collect(),
            ..batch.clone()
        };
        prop_assert_eq!(&reassembled, &encode_batch_uncompressed(&expected).map_err(fail)?);
        let decoded = decode_batch(&compress(&reassembled, 3).map_err(fail)?, &Limits::default())
            .map_err(fail)?;
        prop_assert_eq!(decoded, expected);
    }

    /// Arbitrary bytes are rejected (or, vanishingly rarely, accepted), never a panic.
    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(raw) = read_raw_batch(&bytes, &Limits::default()) {
            let _ = raw.encode_uncompressed();
            for event in &raw.events {
                let _ = event.marker_kind();
            }
        }
    }
}
