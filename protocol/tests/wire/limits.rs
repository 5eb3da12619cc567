//! Each limit rejects with its own error, and before the thing it bounds is built.

use crate::sample::{STARTED_AT, sample_batch, session_id, text, tree_of_depth};
use protocol::*;
use std::io::Write;

fn batch_of(events: Vec<EventData>) -> Batch {
    let events = events
        .into_iter()
        .map(|data| Event::new(STARTED_AT, data))
        .collect();
    Batch::new("demo", session_id(), 0, STARTED_AT, events)
}

fn decode_with(batch: &Batch, limits: &Limits) -> Result<Batch, DecodeError> {
    decode_batch(&encode_batch(batch, 3).expect("encode"), limits)
}

fn track(name: &str, data: Value) -> EventData {
    EventData::Track(Track {
        name: name.into(),
        data,
    })
}

fn snapshot(root: Node) -> EventData {
    EventData::FullSnapshot(FullSnapshot {
        root,
        scroll_x: 0,
        scroll_y: 0,
    })
}

fn add(node: Node) -> EventData {
    EventData::Mutation(Mutation {
        adds: vec![AddedNode {
            parent: NodeId(1),
            next_sibling: None,
            node,
        }],
        removes: vec![],
        texts: vec![],
        attributes: vec![],
    })
}

fn nested_arrays(depth: usize) -> Value {
    (0..depth).fold(Value::Null, |inner, _| Value::Array(vec![inner]))
}

#[test]
fn defaults_are_the_documented_ones() {
    let limits = Limits::default();
    assert_eq!(limits.max_compressed_bytes, 1 << 20);
    assert_eq!(limits.max_decompressed_bytes, 16 << 20);
    assert_eq!(limits.max_events, 50_000);
    assert_eq!(limits.max_string_bytes, 1 << 20);
    assert_eq!(limits.max_tree_depth, 512);
    assert_eq!(limits.max_values, 2_000_000);
}

#[test]
fn compressed_size() {
    let compressed = encode_batch(&sample_batch(), 3).expect("encode");
    let limits = Limits {
        max_compressed_bytes: compressed.len() - 1,
        ..Limits::default()
    };
    assert_eq!(
        decode_batch(&compressed, &limits),
        Err(DecodeError::CompressedTooLarge {
            limit: compressed.len() - 1,
            actual: compressed.len()
        })
    );
    let limits = Limits {
        max_compressed_bytes: compressed.len(),
        ..Limits::default()
    };
    assert!(decode_batch(&compressed, &limits).is_ok());
}

#[test]
fn decompressed_size() {
    let msgpack = encode_batch_uncompressed(&sample_batch()).expect("encode");
    let compressed = compress(&msgpack, 3).expect("compress");
    let limits = Limits {
        max_decompressed_bytes: msgpack.len() - 1,
        ..Limits::default()
    };
    assert_eq!(
        decode_batch(&compressed, &limits),
        Err(DecodeError::DecompressedTooLarge {
            limit: msgpack.len() - 1
        })
    );
    let limits = Limits {
        max_decompressed_bytes: msgpack.len(),
        ..Limits::default()
    };
    assert!(decode_batch(&compressed, &limits).is_ok());
}

/// 1 GiB of zeros is ~36 KiB of zstd: under the compressed limit, so only the streaming
/// cut-off stands between it and the heap.
#[test]
fn zip_bomb_stops_at_the_decompressed_limit() {
    let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 1).expect("encoder");
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        encoder.write_all(&chunk).expect("compress");
    }
    let bomb = encoder.finish().expect("finish");
    let limits = Limits::default();
    assert!(
        bomb.len() < limits.max_compressed_bytes,
        "bomb is {} bytes",
        bomb.len()
    );

    assert_eq!(
        decode_batch(&bomb, &limits),
        Err(DecodeError::DecompressedTooLarge {
            limit: limits.max_decompressed_bytes
        })
    );
}

/// A frame compressed with a large window (level 19: 8 MiB) against a small output limit:
/// the decoder refuses the window before inflating anything, and that refusal is a
/// limit (413), not corruption (400).
#[test]
fn a_window_larger_than_the_output_limit_is_a_limit() {
    let bomb = zstd::encode_all(&vec![0u8; 64 << 20][..], 19).expect("compress");
    let limits = Limits {
        max_decompressed_bytes: 256 * 1024,
        ..Limits::default()
    };

    assert_eq!(
        decode_batch(&bomb, &limits),
        Err(DecodeError::WindowTooLarge { limit: 256 * 1024 })
    );
}

#[test]
fn event_count() {
    let batch = batch_of(vec![track("a", Value::Null); 4]);
    let limits = Limits {
        max_events: 3,
        ..Limits::default()
    };
    assert_eq!(
        decode_with(&batch, &limits),
        Err(DecodeError::TooManyEvents {
            limit: 3,
            actual: 4
        })
    );
    let limits = Limits {
        max_events: 4,
        ..Limits::default()
    };
    assert!(decode_with(&batch, &limits).is_ok());
}

#[test]
fn string_length() {
    // The session id is a 16-byte binary, so 16 is the smallest workable limit.
    let limits = Limits {
        max_string_bytes: 16,
        ..Limits::default()
    };
    let batch = batch_of(vec![track("é123456789abcdef", Value::Null)]);
    assert_eq!(
        decode_with(&batch, &limits),
        Err(DecodeError::StringTooLong {
            limit: 16,
            actual: 17
        })
    );
    let batch = batch_of(vec![track("0123456789abcdef", Value::Null)]);
    assert!(decode_with(&batch, &limits).is_ok());
}

#[test]
fn value_count() {
    // root, version, project, session id, seq, started_at, events, event, kind, timestamp,
    // track, name: 12 values, then the data array and its 3 nils.
    let batch = batch_of(vec![track("n", Value::Array(vec![Value::Null; 3]))]);
    let limits = Limits {
        max_values: 15,
        ..Limits::default()
    };
    assert_eq!(
        decode_with(&batch, &limits),
        Err(DecodeError::TooManyValues { limit: 15 })
    );
    let limits = Limits {
        max_values: 16,
        ..Limits::default()
    };
    assert!(decode_with(&batch, &limits).is_ok());
}

/// 16 MiB of nils compresses to under a kilobyte and would decode to half a gigabyte of
/// `Value`s; the value count stops it in the prescan.
#[test]
fn cheap_values_are_counted_before_they_are_built() {
    let mut msgpack =
        encode_batch_uncompressed(&batch_of(vec![track("n", Value::Null)])).expect("encode");
    msgpack.pop();
    let nils = Limits::default().max_decompressed_bytes - msgpack.len() - 5;
    msgpack.push(0xdd);
    msgpack.extend(u32::try_from(nils).expect("fits").to_be_bytes());
    msgpack.extend(std::iter::repeat_n(0xc0, nils));
    let compressed = compress(&msgpack, 3).expect("compress");
    assert!(compressed.len() < 4096, "{} bytes", compressed.len());
    assert_eq!(
        decode_batch(&compressed, &Limits::default()),
        Err(DecodeError::TooManyValues { limit: 2_000_000 })
    );
}

#[test]
fn tree_depth_in_snapshots_and_mutations() {
    let limits = Limits {
        max_tree_depth: 10,
        ..Limits::default()
    };
    for event in [snapshot(tree_of_depth(10)), add(tree_of_depth(10))] {
        assert!(decode_with(&batch_of(vec![event]), &limits).is_ok());
    }
    for event in [snapshot(tree_of_depth(11)), add(tree_of_depth(11))] {
        assert_eq!(
            decode_with(&batch_of(vec![event]), &limits),
            Err(DecodeError::TreeTooDeep { limit: 10 })
        );
    }
}

/// Trees at the default limit decode on an ordinary 2 MiB test thread, in a debug build.
#[test]
fn default_depth_trees_decode_on_a_normal_stack() {
    let depth = Limits::default().max_tree_depth;
    let batch = batch_of(vec![
        snapshot(tree_of_depth(depth)),
        add(tree_of_depth(depth)),
    ]);
    assert_eq!(decode_with(&batch, &Limits::default()), Ok(batch));
}

/// Decoding and dropping use constant stack however deep the tree: 100 000 levels are
/// decoded, rejected by the depth check, and dropped on a 256 KiB thread.
#[test]
fn very_deep_trees_cost_no_stack() {
    let msgpack =
        encode_batch_uncompressed(&batch_of(vec![snapshot(chain(100_000))])).expect("encode");
    let result = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || decode_batch_uncompressed(&msgpack, &Limits::default()))
        .expect("spawn")
        .join()
        .expect("decoder thread panicked");
    assert_eq!(result, Err(DecodeError::TreeTooDeep { limit: 512 }));
}

/// A document with a chain of `depth - 1` elements, built without recursion.
fn chain(depth: u32) -> Node {
    let mut node = text(depth, "leaf");
    for id in (2..depth).rev() {
        node = crate::sample::element(id, "b", &[], vec![node]);
    }
    Node {
        id: NodeId(1),
        data: NodeData::Document {
            children: vec![node],
        },
    }
}

#[test]
fn nesting_depth_of_values() {
    // batch > events > event > track, then the value's arrays.
    let budget = MAX_NESTING - 4;
    let fits = batch_of(vec![track("deep", nested_arrays(budget))]);
    assert_eq!(decode_with(&fits, &Limits::default()), Ok(fits.clone()));
    let too_deep = batch_of(vec![track("deep", nested_arrays(budget + 1))]);
    assert_eq!(
        decode_with(&too_deep, &Limits::default()),
        Err(DecodeError::NestingTooDeep { limit: MAX_NESTING })
    );
}

/// 100 000 nested arrays: built as raw bytes, since no Rust value that deep could be dropped.
#[test]
fn adversarial_nesting_is_rejected_without_recursion() {
    let mut msgpack =
        encode_batch_uncompressed(&batch_of(vec![track("deep", Value::Null)])).expect("encode");
    assert_eq!(
        msgpack.pop(),
        Some(0xc0),
        "the track's nil data is the last byte"
    );
    msgpack.extend(std::iter::repeat_n(0x91, 100_000));
    msgpack.push(0xc0);
    let compressed = compress(&msgpack, 3).expect("compress");
    let err = decode_batch(&compressed, &Limits::default()).expect_err("must be rejected");
    assert!(matches!(err, DecodeError::NestingTooDeep { .. }), "{err:?}");
    assert!(err.is_limit());
}

#[test]
fn a_tree_too_wide_is_not_too_deep() {
    let wide = (0..10_000).map(|i| text(i + 2, "x")).collect();
    let root = Node {
        id: NodeId(1),
        data: NodeData::Document { children: wide },
    };
    let limits = Limits {
        max_tree_depth: 2,
        ..Limits::default()
    };
    assert!(decode_with(&batch_of(vec![snapshot(root)]), &limits).is_ok());
}

#[test]
fn limits_config_takes_any_subset_and_no_unknown_fields() {
    #[derive(serde::Serialize)]
    struct Partial {
        max_events: usize,
    }
    #[derive(serde::Serialize)]
    struct Typo {
        max_event: usize,
    }
    let partial = rmp_serde::to_vec_named(&Partial { max_events: 5 }).expect("encode");
    let limits: Limits = rmp_serde::from_slice(&partial).expect("partial config");
    assert_eq!(
        limits,
        Limits {
            max_events: 5,
            ..Limits::default()
        }
    );
    let typo = rmp_serde::to_vec_named(&Typo { max_event: 5 }).expect("encode");
    assert!(rmp_serde::from_slice::<Limits>(&typo).is_err());
}
