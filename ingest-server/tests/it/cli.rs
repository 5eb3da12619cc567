//! The `affidavit` binary as an operator uses it.

use std::process::{Command, Output};

fn affidavit(data_dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_affidavit"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AFFIDAVIT_DATA_DIR", data_dir)
        .env("AFFIDAVIT_LOG_ORIGIN", "affidavit.test/log")
        .output()
        .expect("affidavit runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn settings_layer_file_then_environment_and_refuse_unknown_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("affidavit.toml");
    std::fs::write(
        &file,
        "[ingest.limits]\nmax_events = 7\n[http]\nbind = \"127.0.0.1:1111\"\n",
    )
    .expect("write");

    let layered = Command::new(env!("CARGO_BIN_EXE_affidavit"))
        .args(["--config", file.to_str().expect("utf-8"), "config"])
        .env("AFFIDAVIT_HTTP__BIND", "127.0.0.1:2222")
        .env(
            "DATABASE_URL",
            "postgres://app:hunter2@db.internal/affidavit",
        )
        .output()
        .expect("runs");
    let unknown = Command::new(env!("CARGO_BIN_EXE_affidavit"))
        .arg("config")
        .env("AFFIDAVIT_MAX_EVENTZ", "1")
        .output()
        .expect("runs");

    let printed = stdout(&layered);
    assert!(layered.status.success());
    assert!(printed.contains("max_events = 7"), "{printed}");
    assert!(
        printed.contains("bind = \"127.0.0.1:2222\""),
        "environment beats the file: {printed}"
    );
    assert!(
        printed.contains("postgres://app:***@db.internal/affidavit"),
        "{printed}"
    );
    assert!(!printed.contains("hunter2"));
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("max_eventz"));
}

#[test]
fn projects_are_created_validated_and_listed() {
    let dir = tempfile::tempdir().expect("tempdir");

    let added = affidavit(
        dir.path(),
        &["project", "add", "shop", "--origin", "https://shop.example"],
    );
    let bad_id = affidavit(dir.path(), &["project", "add", "Shop!"]);
    let bad_origin = affidavit(
        dir.path(),
        &[
            "project",
            "add",
            "blog",
            "--origin",
            "https://blog.example/path",
        ],
    );
    let twice = affidavit(dir.path(), &["project", "add", "shop"]);
    let listed = affidavit(dir.path(), &["project", "list"]);

    assert!(added.status.success(), "{added:?}");
    let key = stdout(&added)
        .lines()
        .find_map(|l| l.strip_prefix("Write key: ").map(str::to_owned))
        .expect("key printed");
    assert!(key.starts_with("awk_"));
    assert!(!bad_id.status.success());
    assert!(!bad_origin.status.success());
    assert!(!twice.status.success(), "project ids are unique");
    let listing = stdout(&listed);
    assert!(
        listing.contains("shop")
            && listing.contains(&key)
            && listing.contains("https://shop.example"),
        "{listing}"
    );
    assert!(
        !listing.contains("blog"),
        "a refused project must not exist"
    );
}

#[test]
fn keygen_creates_a_private_key_once() {
    let dir = tempfile::tempdir().expect("tempdir");

    let first = affidavit(dir.path(), &["keygen"]);
    let again = affidavit(dir.path(), &["keygen"]);

    assert!(first.status.success(), "{first:?}");
    let vkey =
        std::fs::read_to_string(dir.path().join("log-signing.pub")).expect("public key file");
    assert!(stdout(&first).contains(vkey.trim()));
    assert!(vkey.starts_with("affidavit.test/log+"));
    assert!(
        !again.status.success(),
        "an existing key is never silently replaced"
    );
}

fn affidavit_with_stdin(data_dir: &std::path::Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_affidavit"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AFFIDAVIT_DATA_DIR", data_dir)
        .env("AFFIDAVIT_LOG_ORIGIN", "affidavit.test/log")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("affidavit runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    child.wait_with_output().expect("affidavit exits")
}

#[test]
fn users_are_added_with_a_given_or_generated_password_and_listed() {
    let dir = tempfile::tempdir().expect("tempdir");

    let given = affidavit_with_stdin(
        dir.path(),
        &[
            "user",
            "add",
            "alice",
            "--role",
            "reviewer",
            "--password-stdin",
        ],
        "correct horse battery staple\n",
    );
    let generated = affidavit(dir.path(), &["user", "add", "bob"]);
    let weak = affidavit_with_stdin(
        dir.path(),
        &["user", "add", "carol", "--password-stdin"],
        "short\n",
    );
    let bad_role = affidavit(dir.path(), &["user", "add", "dave", "--role", "root"]);
    let twice = affidavit(dir.path(), &["user", "add", "bob"]);
    let list = affidavit(dir.path(), &["user", "list"]);

    assert!(
        given.status.success(),
        "{}",
        String::from_utf8_lossy(&given.stderr)
    );
    assert!(
        !stdout(&given).contains("Password:"),
        "a given password is not echoed"
    );
    assert!(generated.status.success());
    let password = stdout(&generated)
        .lines()
        .find_map(|l| l.strip_prefix("Password: "))
        .map(|rest| {
            rest.split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .expect("a generated password is shown once");
    assert_eq!(password.chars().count(), 20);
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 12 characters"));
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("is not a role"));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("already exists"));
    let listed = stdout(&list);
    assert!(listed.contains("alice\treviewer\tactive"), "{listed}");
    assert!(listed.contains("bob\tsupport\tactive"), "{listed}");
    assert!(!listed.contains("carol") && !listed.contains("dave"));
}

#[test]
fn verify_checks_the_checked_in_bundle_offline_even_with_a_broken_configuration() {
    let fixtures =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ledger/tests/fixtures/bundle");
    let path = |name: &str| fixtures.join(name).to_str().expect("utf-8").to_owned();
    let output = Command::new(env!("CARGO_BIN_EXE_affidavit"))
        .args([
            "verify",
            &path("good.affidavit"),
            "--log-key",
            &path("log.vkey"),
            "--known-checkpoint",
            &path("earlier-checkpoint"),
        ])
        // No database, no data directory, and settings that would not load.
        .env("AFFIDAVIT_MAX_EVENTZ", "1")
        .env("AFFIDAVIT_DATA_DIR", "/nonexistent")
        .output()
        .expect("runs");
    let printed = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{printed}");
    assert!(printed.contains("PASS  known checkpoint"), "{printed}");
    assert!(printed.contains("VERIFIED: session"), "{printed}");

    let missing = Command::new(env!("CARGO_BIN_EXE_affidavit"))
        .args([
            "verify",
            "/nonexistent.affidavit",
            "--log-key",
            &path("log.vkey"),
        ])
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent.affidavit"));
}
