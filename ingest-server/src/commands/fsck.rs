//! `affidavit fsck`: print each check with pass/fail; exit 1 on any failure.

use std::process::ExitCode;

use crate::configuration::Settings;
use crate::fsck::{self, Report};
use crate::keys;
use crate::seal::EntrySeal;
use crate::startup::open_store;

pub async fn run(settings: &Settings, log_key: Option<&str>) -> ExitCode {
    match check(settings, log_key).await {
        Ok(report) => {
            print(&report);
            if report.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("fsck could not run: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn check(settings: &Settings, log_key: Option<&str>) -> anyhow::Result<Report> {
    let key_arg = match log_key {
        Some(k) => k.to_owned(),
        None => keys::verifier_key_path(&settings.data_dir)
            .to_string_lossy()
            .into_owned(),
    };
    let verifier = keys::parse_verifier(&key_arg)?;
    // The seal key derives from the signing key: on the server's own host it is
    // there and queued entries' seals are checked; elsewhere they cannot be.
    let seal = keys::signing_key_path(&settings.data_dir)
        .exists()
        .then(|| keys::load(&settings.data_dir))
        .transpose()?
        .filter(|signer| signer.verifier().to_vkey() == verifier.to_vkey())
        .map(|signer| EntrySeal::from_signer(&signer));
    let store = open_store(settings).await?;
    Ok(fsck::check(
        store.as_ref(),
        &verifier,
        &settings.log_origin,
        &settings.data_dir,
        seal.as_ref(),
    )
    .await?)
}

fn print(report: &Report) {
    let line = |name: &str, checks: &[&str], detail: String| {
        let failed = checks
            .iter()
            .map(|c| report.failures(c).len())
            .sum::<usize>();
        let verdict = if failed == 0 {
            "ok  ".to_owned()
        } else {
            format!("FAIL ({failed})")
        };
        println!("{verdict:<10} {name:<22} {detail}");
    };
    line(
        "payload hashes",
        &["payload"],
        format!(
            "{} entries, {} payload bytes",
            report.entries, report.payload_bytes
        ),
    );
    line(
        "entry bytes",
        &["entry"],
        format!("{} entries", report.entries),
    );
    line(
        "session chains",
        &["chain", "session"],
        format!("{} sessions", report.sessions),
    );
    line(
        "integration queue",
        &["queue"],
        format!(
            "{} pending, {} refused; seals {}",
            report.pending,
            report.rejected,
            if report.seals_checked {
                "checked"
            } else {
                "not checked (no signing key here)"
            }
        ),
    );
    line(
        "merkle tree",
        &["tree"],
        format!("{} leaves, {} pending", report.tree_size, report.pending),
    );
    line(
        "signed checkpoints",
        &["checkpoint"],
        format!(
            "{} checkpoints, latest size {}",
            report.checkpoints,
            report
                .latest_checkpoint
                .map_or("-".into(), |s| s.to_string())
        ),
    );
    line(
        "published checkpoint",
        &["published"],
        report
            .published
            .map_or("none published yet".into(), |s| format!("size {s}")),
    );
    if let Some(first) = report.findings.first() {
        println!();
        println!("first failure: {first}");
        for f in report.findings.iter().skip(1).take(50) {
            println!("  also: {f}");
        }
        if report.findings.len() > 51 {
            println!("  … and {} more", report.findings.len() - 51);
        }
    } else {
        println!("\nthe log verifies");
    }
}
