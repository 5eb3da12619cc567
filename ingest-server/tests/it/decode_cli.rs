//! `affidavit decode [--raw]`: a batch body from standard input, shown without a
//! server or a database (the browser tests read the page's request bodies with it).

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::api::batches::{encoded, new_session};

fn decode(args: &[&str], body: &[u8]) -> Output {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_affidavit"))
        .arg("decode")
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AFFIDAVIT_DATA_DIR", dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("affidavit runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(body)
        .expect("write body");
    let output = child.wait_with_output().expect("affidavit exits");
    assert!(
        std::fs::read_dir(dir.path())
            .expect("data dir")
            .next()
            .is_none(),
        "decode must not create anything in the data directory"
    );
    output
}

#[test]
fn decode_prints_a_body_as_json_and_raw_prints_its_messagepack() {
    let session = new_session();
    let body = encoded("shop", session, 7, 3);

    let json = decode(&[], &body);
    let raw = decode(&["--raw"], &body);

    assert!(json.status.success(), "{json:?}");
    let text = String::from_utf8(json.stdout).expect("utf-8");
    assert_eq!(text.lines().count(), 1, "{text}");
    let line: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(line["session"], session.to_string());
    assert_eq!(line["project"], "shop");
    assert_eq!(line["seq"], 7);
    assert_eq!(line["events"][0]["kind"], "meta");
    assert_eq!(
        line["events"][0]["data"]["url"],
        "https://shop.example/checkout"
    );
    assert_eq!(line["events"][2]["kind"], "mouse_interaction");

    assert!(raw.status.success(), "{raw:?}");
    assert_eq!(raw.stdout, zstd::decode_all(&body[..]).expect("zstd"));
}

#[test]
fn decode_refuses_what_is_not_a_batch_body() {
    let not_zstd = decode(&["--raw"], b"{\"seq\":0}");
    let not_a_batch = decode(&[], &zstd::encode_all(&b"hello"[..], 3).expect("zstd"));

    for output in [&not_zstd, &not_a_batch] {
        assert!(!output.status.success(), "{output:?}");
        assert!(output.stdout.is_empty(), "{output:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("not a batch body"),
            "{output:?}"
        );
    }
}
