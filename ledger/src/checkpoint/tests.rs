use super::*;
use crate::hash::{empty_root, leaf_hash};

fn sample() -> Checkpoint {
    Checkpoint {
        origin: "affidavit.example/log".into(),
        size: 42,
        root: leaf_hash(&[]),
        extensions: vec![],
    }
}

#[test]
fn body_layout() {
    assert_eq!(
        sample().body(),
        "affidavit.example/log\n42\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\n"
    );
    let mut c = sample();
    c.extensions = vec!["ext one".into(), "two".into()];
    assert!(c.body().ends_with("=\next one\ntwo\n"));
    assert_eq!(Checkpoint::parse_body(&c.body()), Ok(c));
}

#[test]
fn body_round_trips() {
    for size in [0, 1, 9, 10, u64::MAX] {
        let c = Checkpoint {
            size,
            root: empty_root(),
            ..sample()
        };
        assert_eq!(Checkpoint::parse_body(&c.body()), Ok(c.clone()));
        assert_eq!(c.validate(), Ok(()));
    }
}

#[test]
fn parse_body_rejects_non_canonical_text() {
    let good = sample().body();
    let root = "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=";
    let bad = [
        String::new(),
        good.trim_end().to_owned(),        // no final newline
        good.replace("\n42\n", "\n042\n"), // leading zero
        good.replace("\n42\n", "\n+42\n"), // sign
        good.replace("\n42\n", "\n4 2\n"),
        good.replace("\n42\n", "\n\n"), // empty size
        good.replace("\n42\n", "\n18446744073709551616\n"), // u64 overflow
        good.replace(root, "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0"), // no padding
        good.replace(root, "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB1="), // trailing bits
        good.replace(root, "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevo="), // 31 bytes
        good.replace(root, "bjQLnP-zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0="), // URL alphabet
        good.replace('\n', "\r\n"),
        format!("{good}\n"), // blank extension line
        format!("{good}\text\n"),
        format!("\n{good}"),       // empty origin
        "origin\n42\n".to_owned(), // no root
    ];
    for text in bad {
        assert!(
            matches!(
                Checkpoint::parse_body(&text),
                Err(CheckpointError::MalformedBody(_))
            ),
            "accepted {text:?}"
        );
    }
}

#[test]
fn validate_catches_multi_line_fields() {
    let mut c = sample();
    c.origin = "two\nlines".into();
    assert!(c.validate().is_err());
    let mut c = sample();
    c.extensions = vec![String::new()];
    assert!(c.validate().is_err());
}

#[test]
fn derived_secrets_are_deterministic_and_independent() {
    let signer = LogSigner::from_seed("example.com/log", [9; 32]).expect("key");
    let other = LogSigner::from_seed("example.com/log", [8; 32]).expect("key");

    let a = signer.derive_secret("queue-seal/v1");

    assert_eq!(a, signer.derive_secret("queue-seal/v1"));
    assert_ne!(a, signer.derive_secret("queue-seal/v2"));
    assert_ne!(a, other.derive_secret("queue-seal/v1"));
    assert_ne!(a, [9; 32], "never the seed itself");
}

#[test]
fn the_signed_time_travels_in_an_extension_line() {
    let checkpoint = Checkpoint {
        origin: "affidavit.test/log".into(),
        size: 3,
        root: Hash([5; 32]),
        extensions: vec![Checkpoint::timestamp_line(1_733_346_000_123)],
    };
    assert_eq!(checkpoint.extensions[0], "Timestamp: 1733346000123000000");
    let parsed = Checkpoint::parse_body(&checkpoint.body()).expect("parses");
    assert_eq!(parsed.timestamp_ms(), Some(1_733_346_000_123));
    let without = Checkpoint {
        extensions: vec!["Timestamp: soon".into()],
        ..checkpoint
    };
    assert_eq!(without.timestamp_ms(), None);
}
