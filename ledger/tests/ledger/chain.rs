//! Session chains: a good chain passes; each kind of tampering fails with the
//! variant that names the entry at fault.

use ledger::{ChainError, ChainVerifier, Entry, EntryKind, Hash, genesis_hash, leaf_hash, sha256};
use uuid::Uuid;

const ORIGIN: &str = "affidavit.test/log";
const PROJECT: &str = "demo";

fn session() -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001)
}

fn entry(seq: u64, prev: Hash, payload: &[u8]) -> Entry {
    let (payload_len, payload_hash) = Entry::payload_fields(payload);
    Entry {
        kind: if seq == 0 {
            EntryKind::SessionOpened
        } else {
            EntryKind::BatchReceived
        },
        origin: ORIGIN.into(),
        project: PROJECT.into(),
        session: session(),
        session_seq: seq,
        prev_hash: prev,
        received_at_ms: 1_700_000_000_000 + seq as i64,
        actor: "key:demo".into(),
        payload_len,
        payload_hash,
        batch_seq: seq.checked_sub(1),
    }
}

/// A well-linked chain of `n` entries: (entry bytes, payload).
fn chain(n: u64) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut prev = genesis_hash(ORIGIN, PROJECT, &session());
    (0..n)
        .map(|seq| {
            let payload = format!("batch {seq}").into_bytes();
            let bytes = entry(seq, prev, &payload).encode().expect("encodes");
            prev = leaf_hash(&bytes);
            (bytes, payload)
        })
        .collect()
}

/// Runs the whole chain; the first error, if any.
fn verify(links: &[(Vec<u8>, Vec<u8>)]) -> Result<ChainVerifier, ChainError> {
    let mut v = ChainVerifier::new(ORIGIN, PROJECT, session());
    for (bytes, payload) in links {
        v.push(bytes, Some(payload))?;
    }
    Ok(v)
}

#[test]
fn a_good_chain_passes() {
    let links = chain(6);
    let v = verify(&links).expect("verifies");
    assert_eq!(v.len(), 6);
    assert_eq!(v.head(), leaf_hash(&links[5].0));
    let empty = ChainVerifier::new(ORIGIN, PROJECT, session());
    assert_eq!(
        (empty.len(), empty.head()),
        (0, genesis_hash(ORIGIN, PROJECT, &session()))
    );
}

#[test]
fn payloads_are_optional_and_entries_come_back() {
    let links = chain(3);
    let mut v = ChainVerifier::new(ORIGIN, PROJECT, session());
    for (bytes, _) in &links {
        let e = v.push(bytes, None).expect("links");
        assert_eq!(e.encode().expect("encodes"), *bytes);
    }
}

#[test]
fn changed_entry_breaks_the_next_link() {
    let mut links = chain(5);
    let before = leaf_hash(&links[2].0);
    let mut e = Entry::decode(&links[2].0).expect("decodes");
    e.received_at_ms += 1;
    links[2].0 = e.encode().expect("encodes");
    assert_eq!(
        verify(&links).err(),
        Some(ChainError::BrokenLink {
            session_seq: 3,
            expected: leaf_hash(&links[2].0),
            found: before
        })
    );
}

#[test]
fn corrupted_bytes_fail_to_decode_at_their_position() {
    let mut links = chain(4);
    links[1].0.truncate(40);
    assert!(matches!(
        verify(&links),
        Err(ChainError::Decode { position: 1, .. })
    ));
}

#[test]
fn removed_middle_entry_is_a_gap() {
    let mut links = chain(5);
    links.remove(2);
    assert_eq!(
        verify(&links).err(),
        Some(ChainError::SeqGap {
            expected: 2,
            found: 3
        })
    );
}

#[test]
fn reordered_entries_are_a_gap() {
    let mut links = chain(5);
    links.swap(1, 3);
    assert_eq!(
        verify(&links).err(),
        Some(ChainError::SeqGap {
            expected: 1,
            found: 3
        })
    );
}

#[test]
fn inserted_forged_entry_is_caught() {
    let mut links = chain(4);
    // The forger links the new entry correctly and takes seq 2...
    let forged = entry(2, leaf_hash(&links[1].0), b"forged")
        .encode()
        .expect("encodes");
    links.insert(2, (forged, b"forged".to_vec()));
    // ...but the genuine entry 2 now sits where 3 belongs.
    assert_eq!(
        verify(&links).err(),
        Some(ChainError::SeqGap {
            expected: 3,
            found: 2
        })
    );

    // Forging seq 2 in place of the genuine one breaks the link after it.
    let mut links = chain(4);
    let forged = entry(2, leaf_hash(&links[1].0), b"forged")
        .encode()
        .expect("encodes");
    let genuine = leaf_hash(&links[2].0);
    links[2] = (forged.clone(), b"forged".to_vec());
    assert_eq!(
        verify(&links).err(),
        Some(ChainError::BrokenLink {
            session_seq: 3,
            expected: leaf_hash(&forged),
            found: genuine
        })
    );
}

#[test]
fn wrong_bindings_name_the_field() {
    let links = chain(2);
    let cases = [
        (
            "origin",
            ChainVerifier::new("other.test/log", PROJECT, session()),
            ORIGIN,
        ),
        (
            "project",
            ChainVerifier::new(ORIGIN, "other", session()),
            PROJECT,
        ),
    ];
    for (field, mut v, found) in cases {
        let err = v.push(&links[0].0, None).expect_err("binding");
        let ChainError::WrongBinding {
            session_seq: 0,
            field: f,
            found: got,
            ..
        } = err
        else {
            panic!("{field}: unexpected {err:?}");
        };
        assert_eq!((f, got.as_str()), (field, found));
    }
    let other = Uuid::from_u128(7);
    let mut v = ChainVerifier::new(ORIGIN, PROJECT, other);
    assert_eq!(
        v.push(&links[0].0, None).expect_err("binding"),
        ChainError::WrongBinding {
            session_seq: 0,
            field: "session",
            expected: other.to_string(),
            found: session().to_string(),
        }
    );
}

#[test]
fn chain_from_another_session_cannot_be_transplanted() {
    // Same origin and project, but the entry claims the target session while
    // linking to another session's genesis.
    let other = Uuid::from_u128(9);
    let mut e = entry(0, genesis_hash(ORIGIN, PROJECT, &other), b"x");
    e.session = session();
    let mut v = ChainVerifier::new(ORIGIN, PROJECT, session());
    assert!(matches!(
        v.push(&e.encode().expect("encodes"), None),
        Err(ChainError::BrokenLink { session_seq: 0, .. })
    ));
}

#[test]
fn payload_tampering_names_the_entry() {
    let mut links = chain(4);
    links[2].1[0] ^= 1;
    let expected = Entry::decode(&links[2].0).expect("decodes").payload_hash;
    assert_eq!(
        verify(&links).err(),
        Some(ChainError::PayloadMismatch {
            session_seq: 2,
            expected,
            calculated: sha256(&links[2].1)
        })
    );
    let mut links = chain(4);
    links[1].1.push(b'!');
    let expected = links[1].1.len() as u64 - 1;
    assert_eq!(
        verify(&links).err(),
        Some(ChainError::PayloadLength {
            session_seq: 1,
            expected,
            actual: expected + 1
        })
    );
}

#[test]
fn a_rejected_entry_leaves_the_verifier_unchanged() {
    let links = chain(3);
    let mut v = ChainVerifier::new(ORIGIN, PROJECT, session());
    v.push(&links[0].0, None).expect("links");
    let head = v.head();
    assert!(v.push(&links[2].0, None).is_err());
    assert_eq!((v.len(), v.head()), (1, head));
    v.push(&links[1].0, None)
        .expect("the right entry still links");
}

#[test]
fn any_changed_byte_is_caught_at_that_entry_or_the_next() {
    let links = chain(4);
    for at in 0..links[1].0.len() {
        let mut tampered = links.clone();
        tampered[1].0[at] ^= 0x01;
        let named = match verify(&tampered).expect_err("tampering detected") {
            ChainError::Decode { position, .. } => position,
            ChainError::SeqGap { expected, .. } => expected,
            ChainError::BrokenLink { session_seq, .. }
            | ChainError::WrongBinding { session_seq, .. }
            | ChainError::PayloadMismatch { session_seq, .. }
            | ChainError::PayloadLength { session_seq, .. } => session_seq,
        };
        assert!(named == 1 || named == 2, "byte {at}: blamed entry {named}");
    }
}
