//! Whatever can be built can be encoded, and decodes to itself.

use crate::strategies;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use protocol::*;

fn assert_round_trips(batch: &Batch) -> Result<(), TestCaseError> {
    let compressed = encode_batch(batch, 3).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let decoded = decode_batch(&compressed, &Limits::default())
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&decoded, batch);
    // Deterministic: the decoded batch encodes to the very same bytes.
    let again =
        encode_batch_uncompressed(&decoded).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(
        again,
        encode_batch_uncompressed(batch).map_err(|e| TestCaseError::fail(e.to_string()))?
    );
    Ok(())
}

/// A run per kind, so every kind is exercised however the dice fall.
#[test]
fn every_event_kind_round_trips() {
    for &kind in EventKind::ALL {
        let events = proptest::collection::vec(
            (any::<i64>(), strategies::event_data(kind)).prop_map(|(t, data)| Event::new(t, data)),
            1..4,
        );
        let mut runner = TestRunner::new(Config {
            cases: 64,
            ..Config::default()
        });
        let result = runner.run(&strategies::batch_of(events), |batch| {
            prop_assert!(batch.events.iter().all(|e| e.kind() == kind));
            assert_round_trips(&batch)
        });
        if let Err(e) = result {
            panic!("{kind:?} failed to round-trip: {e}");
        }
    }
}

proptest! {
    #[test]
    fn mixed_batches_round_trip(batch in strategies::batch()) {
        assert_round_trips(&batch)?;
    }

    #[test]
    fn values_round_trip(value in strategies::value()) {
        let bytes = rmp_serde::to_vec(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(rmp_serde::from_slice::<Value>(&bytes).ok(), Some(value));
    }

    /// Arbitrary bytes are rejected (or, vanishingly rarely, accepted), never a panic.
    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode_batch_uncompressed(&bytes, &Limits::default());
        let mut framed = vec![0x28, 0xb5, 0x2f, 0xfd];
        framed.extend(&bytes);
        let _ = decode_batch(&framed, &Limits::default());
    }

    /// Valid batches with one byte changed exercise the deeper paths of the decoder.
    #[test]
    fn corrupted_batches_never_panic(batch in strategies::batch(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = encode_batch_uncompressed(&batch).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let i = at.index(bytes.len());
        bytes[i] = byte;
        let _ = decode_batch_uncompressed(&bytes, &Limits::default());
    }
}
