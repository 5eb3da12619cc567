//! Signed checkpoints. Interop vectors:
//! - golang.org/x/mod `sumdb/note/note_test.go` (TestNewVerifier, TestNewSigner,
//!   TestSign, TestOpen): the PeterNeumann and EnochRoot keys and signatures;
//!   Ed25519 is deterministic, so our signature must match byte for byte.
//! - google/trillian-examples `formats/log/note_test.go` (TestSumDBNoteParsing):
//!   a real sum.golang.org checkpoint under the published sum.golang.org key.

use ledger::{Checkpoint, CheckpointError, LogSigner, LogVerifier, leaf_hash, sha256};

const PETER_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                    then you don't know what your problem is.\n";
const PETER_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG: &str = "\u{2014} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

const SUMDB_VKEY: &str = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";
const SUMDB_NOTE: &str = "go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n\
                          \u{2014} sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n";

fn signer(name: &str, fill: u8) -> LogSigner {
    LogSigner::from_seed(name, [fill; 32]).expect("valid name")
}

fn checkpoint() -> Checkpoint {
    Checkpoint {
        origin: "affidavit.test/log".into(),
        size: 12_345,
        root: leaf_hash(b"root"),
        extensions: vec![],
    }
}

#[test]
fn go_note_keys_parse_and_round_trip() {
    let s = LogSigner::parse(PETER_SKEY).expect("skey");
    let v = LogVerifier::parse(PETER_VKEY).expect("vkey");
    assert_eq!((s.name(), v.name()), ("PeterNeumann", "PeterNeumann"));
    assert_eq!(v.key_id(), [0xc7, 0x4f, 0x20, 0xa3]);
    assert_eq!(s.to_skey(), PETER_SKEY);
    assert_eq!(s.verifier(), v);
    assert_eq!(v.to_vkey(), PETER_VKEY);
}

#[test]
fn go_note_signature_is_reproduced_exactly() {
    let s = LogSigner::parse(PETER_SKEY).expect("skey");
    assert_eq!(s.sign_note(TEXT), Ok(format!("{TEXT}\n{PETER_SIG}")));
}

#[test]
fn go_note_with_two_signers_verifies_for_each() {
    let note = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}");
    let peter = LogVerifier::parse(PETER_VKEY).expect("vkey");
    let enoch = LogVerifier::parse(ENOCH_VKEY).expect("vkey");
    assert_eq!(peter.verify_note(&note), Ok(TEXT));
    assert_eq!(enoch.verify_note(&note), Ok(TEXT));
    // The signature is checked before the body, which is no checkpoint.
    assert!(matches!(
        peter.verify(&note),
        Err(CheckpointError::MalformedBody(_))
    ));
    assert_eq!(
        enoch.verify_note(&format!("{TEXT}\n{PETER_SIG}")),
        Err(CheckpointError::NoSignatureFromKey {
            name: "EnochRoot".into(),
            key_id: enoch.key_id()
        })
    );
}

#[test]
fn go_note_malformed_messages_are_rejected() {
    let peter = LogVerifier::parse(PETER_VKEY).expect("vkey");
    let bad = [
        TEXT.to_owned(),
        format!("{TEXT}\n"),
        format!("{TEXT}\n{}", PETER_SIG.trim_end()),
        format!("\x01{TEXT}\n{PETER_SIG}"),
        format!(
            "{TEXT}\n\u{2014} Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
        ),
        format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"),
        format!("{TEXT}\n{}", PETER_SIG.replace('\n', "\r\n")),
        format!("{TEXT}\n{}", PETER_SIG.repeat(101)),
    ];
    for note in bad {
        assert!(
            matches!(
                peter.verify_note(&note),
                Err(CheckpointError::MalformedNote(_))
            ),
            "accepted {note:?}"
        );
    }
    // Go's "invalid signature" case: extra bytes spliced into the signature.
    let spliced = format!("{TEXT}\n{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
    assert_eq!(
        peter.verify_note(&spliced),
        Err(CheckpointError::BadSignature)
    );
}

#[test]
fn go_note_key_manglings_are_rejected() {
    // As TestNewVerifier / TestNewSigner: every proper substring, and every
    // single byte incremented, must fail to parse.
    for (key, parse) in [
        (
            PETER_VKEY,
            (|k: &str| LogVerifier::parse(k).is_ok()) as fn(&str) -> bool,
        ),
        (PETER_SKEY, |k: &str| LogSigner::parse(k).is_ok()),
    ] {
        let b = key.as_bytes();
        for i in 0..=b.len() {
            for j in i + 1..=b.len() {
                if (i, j) != (0, b.len()) {
                    assert!(!parse(&key[i..j]), "accepted {:?}", &key[i..j]);
                }
            }
        }
        for i in 0..b.len() {
            let mut m = b.to_vec();
            m[i] += 1;
            let m = String::from_utf8(m).expect("ascii");
            assert!(!parse(&m), "accepted {m:?}");
        }
    }
    // Wrong-length key and unknown algorithm, each with an adjusted key id.
    assert!(
        LogVerifier::parse(
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
        )
        .is_err()
    );
    assert!(
        LogVerifier::parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
            .is_err()
    );
}

#[test]
fn real_sum_golang_org_checkpoint_verifies() {
    let v = LogVerifier::parse(SUMDB_VKEY).expect("vkey");
    let c = v.verify(SUMDB_NOTE).expect("verifies");
    assert_eq!(
        (c.origin.as_str(), c.size),
        ("go.sum database tree", 6_476_701)
    );
    assert_eq!(
        c.root.to_hex(),
        "99bf102d022cd19d323f90acb6aea0ba3f3ba1759e0bd80433ca158a49a6f569"
    );
    assert_eq!(
        c.body(),
        SUMDB_NOTE
            .split_once("\n\n")
            .map(|(b, _)| format!("{b}\n"))
            .expect("body")
    );
}

#[test]
fn sign_verify_round_trip() {
    let s = signer("affidavit.test/log", 7);
    let mut c = checkpoint();
    assert_eq!(s.verifier().verify(&s.sign(&c)), Ok(c.clone()));
    c.extensions = vec!["Timestamp: 1700000000".into()];
    assert_eq!(s.verifier().verify(&s.sign(&c)), Ok(c));
}

#[test]
fn keys_round_trip_through_text() {
    let s = signer("affidavit.test/log", 42);
    let again = LogSigner::parse(&s.to_skey()).expect("skey");
    assert_eq!(again.to_skey(), s.to_skey());
    assert_eq!(again.verifier(), s.verifier());
    let v = LogVerifier::parse(&s.verifier().to_vkey()).expect("vkey");
    assert_eq!(v, s.verifier());
    assert_eq!(v.fingerprint().len(), 64);
    let vkey = v.to_vkey();
    let raw = base64_decode(vkey.splitn(3, '+').nth(2).expect("key"));
    assert_eq!(v.fingerprint(), sha256(&raw[1..]).to_hex());
    assert!(
        !format!("{s:?}").contains(&s.to_skey()[30..]),
        "Debug must not print the key"
    );
}

#[test]
fn another_keys_signature_is_rejected() {
    let log = signer("affidavit.test/log", 1);
    let impostor_same_name = signer("affidavit.test/log", 2);
    let other = signer("other.test/log", 1);
    let note = impostor_same_name.sign(&checkpoint());
    assert_eq!(
        log.verifier().verify(&note),
        Err(CheckpointError::NoSignatureFromKey {
            name: log.name().into(),
            key_id: log.verifier().key_id()
        })
    );
    assert!(matches!(
        log.verifier().verify(&other.sign(&checkpoint())),
        Err(CheckpointError::NoSignatureFromKey { .. })
    ));
    // An impostor line that claims our name and key id does not verify.
    let ours = log.sign(&checkpoint());
    let (body, line) = ours.split_once("\n\n").expect("note");
    let theirs = impostor_same_name.sign(&checkpoint());
    let their_sig = theirs
        .rsplit_once(' ')
        .map(|(_, s)| base64_decode(s.trim_end()))
        .expect("sig");
    let mut forged_raw = log.verifier().key_id().to_vec();
    forged_raw.extend_from_slice(&their_sig[4..]);
    let forged = format!(
        "{body}\n\n\u{2014} {} {}\n",
        log.name(),
        base64_encode(&forged_raw)
    );
    assert_eq!(
        log.verifier().verify(&forged),
        Err(CheckpointError::BadSignature)
    );
    // A witness cosignature next to ours is ignored, but a bad line claiming
    // our key is not, even beside a good one.
    let cosigned = format!(
        "{ours}{}",
        other
            .sign(&checkpoint())
            .split_once("\n\n")
            .expect("note")
            .1
    );
    assert_eq!(log.verifier().verify(&cosigned), Ok(checkpoint()));
    let both = format!(
        "{body}\n\n{line}{}",
        forged.split_once("\n\n").expect("note").1
    );
    assert_eq!(
        log.verifier().verify(&both),
        Err(CheckpointError::BadSignature)
    );
}

#[test]
fn any_changed_body_byte_is_rejected() {
    let s = signer("affidavit.test/log", 3);
    let mut c = checkpoint();
    c.extensions = vec!["ext".into()];
    let note = s.sign(&c);
    let body_len = c.body().len();
    for at in 0..note.len() {
        for bit in [0x01u8, 0x20] {
            let mut bytes = note.clone().into_bytes();
            bytes[at] ^= bit;
            let Ok(tampered) = String::from_utf8(bytes) else {
                continue;
            };
            let result = s.verifier().verify(&tampered);
            assert!(result.is_err(), "byte {at} ^ {bit:#x} accepted");
            if at < body_len && !tampered[..body_len].contains(|c: char| c < ' ' && c != '\n') {
                assert!(
                    matches!(
                        result,
                        Err(CheckpointError::BadSignature | CheckpointError::MalformedNote(_))
                    ),
                    "byte {at}: {result:?}"
                );
            }
        }
    }
}

#[test]
fn bad_key_names_are_refused() {
    for name in ["", "a b", "a+b", "tab\there", "new\nline"] {
        assert!(
            matches!(
                LogSigner::from_seed(name, [0; 32]),
                Err(CheckpointError::MalformedKey(_))
            ),
            "{name:?}"
        );
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64")
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
