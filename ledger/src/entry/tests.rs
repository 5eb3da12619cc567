//! Golden bytes, strict decoding and round trips of the entry layout.

use super::*;
use proptest::prelude::*;

fn sample() -> Entry {
    let session = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001);
    Entry {
        kind: EntryKind::BatchReceived,
        origin: "affidavit.test/log".into(),
        project: "demo".into(),
        session,
        session_seq: 1,
        prev_hash: genesis_hash("affidavit.test/log", "demo", &session),
        received_at_ms: 1_700_000_000_000,
        actor: "key:demo".into(),
        payload_len: 3,
        payload_hash: sha256(b"abc"),
        batch_seq: Some(0),
    }
}

/// Golden bytes: if this changes, the entry layout changed and every stored
/// leaf hash would stop verifying. Bump ENTRY_VERSION instead.
#[test]
fn golden_entry_bytes_and_leaf_hash() {
    let bytes = sample().encode().expect("encodes");
    assert_eq!(
        hex::encode(&bytes),
        include_str!("../../testdata/entry_v1.hex").trim()
    );
    assert_eq!(
        leaf_hash(&bytes).to_hex(),
        include_str!("../../testdata/entry_v1.leaf").trim()
    );
}

#[test]
fn decode_rejects_every_truncation_and_trailing_bytes() {
    let bytes = sample().encode().expect("encodes");
    for cut in 0..bytes.len() {
        assert!(
            Entry::decode(&bytes[..cut]).is_err(),
            "prefix of {cut} bytes accepted"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(Entry::decode(&longer), Err(EntryError::TrailingBytes(1)));
}

#[test]
fn decode_rejects_bad_header_version_kind_and_flag() {
    let bytes = sample().encode().expect("encodes");
    let mut b = bytes.clone();
    b[0] ^= 1;
    assert_eq!(Entry::decode(&b), Err(EntryError::BadHeader));
    let mut b = bytes.clone();
    b[16] = 2;
    assert_eq!(
        Entry::decode(&b),
        Err(EntryError::UnsupportedVersion { found: 2 })
    );
    let mut b = bytes.clone();
    b[17] = 99;
    assert_eq!(Entry::decode(&b), Err(EntryError::UnknownKind(99)));
    let mut b = bytes.clone();
    let flag_at = b.len() - 9;
    b[flag_at] = 7;
    assert_eq!(Entry::decode(&b), Err(EntryError::BadFlag(7)));
}

#[test]
fn over_long_strings_are_refused_not_truncated() {
    let mut e = sample();
    e.actor = "x".repeat(70_000);
    assert_eq!(
        e.encode(),
        Err(EntryError::StringTooLong {
            field: "actor",
            len: 70_000
        })
    );
}

#[test]
fn genesis_binds_origin_project_and_session() {
    let s = Uuid::from_u128(1);
    let g = genesis_hash("o", "p", &s);
    assert_ne!(g, genesis_hash("o2", "p", &s));
    assert_ne!(g, genesis_hash("o", "p2", &s));
    assert_ne!(g, genesis_hash("o", "p", &Uuid::from_u128(2)));
    // Length prefixes keep ("ab","c") and ("a","bc") apart.
    assert_ne!(genesis_hash("ab", "c", &s), genesis_hash("a", "bc", &s));
}

fn any_kind() -> impl Strategy<Value = EntryKind> {
    proptest::sample::select(EntryKind::ALL.to_vec())
}

proptest! {
    #[test]
    fn round_trips(
        kind in any_kind(),
        origin in ".{0,40}",
        project in ".{0,40}",
        session in any::<u128>(),
        session_seq in any::<u64>(),
        prev in any::<[u8; 32]>(),
        received_at_ms in any::<i64>(),
        actor in ".{0,40}",
        payload_len in any::<u64>(),
        payload_hash in any::<[u8; 32]>(),
        batch_seq in proptest::option::of(any::<u64>()),
    ) {
        let e = Entry {
            kind, origin, project, session: Uuid::from_u128(session), session_seq,
            prev_hash: Hash(prev), received_at_ms, actor, payload_len,
            payload_hash: Hash(payload_hash), batch_seq,
        };
        let bytes = e.encode().expect("encodes");
        prop_assert_eq!(Entry::decode(&bytes).expect("decodes"), e);
    }

    #[test]
    fn any_single_bit_flip_changes_the_leaf_hash_or_fails_to_decode(
        byte in 0usize..200, bit in 0u8..8
    ) {
        let bytes = sample().encode().expect("encodes");
        let i = byte % bytes.len();
        let mut b = bytes.clone();
        b[i] ^= 1 << bit;
        prop_assert_ne!(leaf_hash(&b), leaf_hash(&bytes));
        if let Ok(e) = Entry::decode(&b) {
            prop_assert_ne!(e, sample());
        }
    }
}
