//! `affidavit verify BUNDLE --log-key KEY`: checks an evidence bundle offline,
//! with no server and no database, using the same `ledger` code as the viewer.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use ledger::bundle::{BundleReport, Outcome, verify_bundle};
use ledger::{Entry, EntryKind};

use crate::keys;

/// What `verify` was asked to do.
#[derive(Debug, Clone)]
pub struct VerifyArgs {
    pub bundle: PathBuf,
    pub log_key: String,
    pub known_checkpoint: Option<PathBuf>,
    /// After a pass, keep the bundle's checkpoint in `known_checkpoint` when it
    /// is newer, so the next bundle is checked against it.
    pub remember: bool,
    pub max_bytes: u64,
}

/// 0: every check passed; 1: some check failed; 2: the check could not run.
pub fn run(args: &VerifyArgs) -> ExitCode {
    match verify(args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("verify could not run: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn verify(args: &VerifyArgs) -> anyhow::Result<bool> {
    let key = keys::parse_verifier(&args.log_key)?;
    let bytes = read_bounded(&args.bundle, args.max_bytes)?;
    let known = match &args.known_checkpoint {
        Some(path) if path.exists() => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("reading the known checkpoint {}", path.display()))?,
        ),
        Some(path) if !args.remember => {
            anyhow::bail!("the known checkpoint {} does not exist", path.display())
        }
        _ => None,
    };
    println!(
        "Verifying {} against log {:?} (key fingerprint {})",
        args.bundle.display(),
        key.name(),
        key.fingerprint()
    );
    let report = verify_bundle(&bytes, &key, known.as_deref());
    print_report(&report);
    let passed = report.passed();
    if passed
        && args.remember
        && let Some(path) = &args.known_checkpoint
    {
        remember(path, &report, known.as_deref(), &key)?;
    }
    Ok(passed)
}

fn read_bounded(path: &Path, max: u64) -> anyhow::Result<Vec<u8>> {
    let len = std::fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .len();
    if len > max {
        anyhow::bail!(
            "{} is {len} bytes, more than --max-bytes {max}",
            path.display()
        );
    }
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

fn print_report(report: &BundleReport) {
    for check in &report.checks {
        match &check.outcome {
            Outcome::Pass(detail) => println!("  PASS  {:<18} {detail}", check.name),
            Outcome::Info(detail) => println!("  INFO  {:<18} {detail}", check.name),
            Outcome::NotRun(why) => println!("  FAIL  {:<18} not checked: {why}", check.name),
            Outcome::Fail(items) => {
                println!("  FAIL  {:<18} {}", check.name, items[0]);
                for item in &items[1..] {
                    println!("        {:<18} {item}", "");
                }
            }
        }
    }
    if report.passed() {
        println!("VERIFIED: {}", summary(report));
    } else {
        let failed: Vec<&str> = report
            .checks
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Fail(_) | Outcome::NotRun(_)))
            .map(|c| c.name)
            .collect();
        println!("NOT VERIFIED: failed {}", failed.join(", "));
    }
}

/// "session S of project P: 12 batches, viewed 3 times, exported by user:alice".
fn summary(report: &BundleReport) -> String {
    let Some(bundle) = &report.bundle else {
        return String::new();
    };
    let entries: Vec<Entry> = bundle
        .entries
        .iter()
        .filter_map(|e| Entry::decode(&e.entry_bytes).ok())
        .collect();
    let count = |kind| entries.iter().filter(|e| e.kind == kind).count();
    let exporter = entries.last().map(|e| e.actor.as_str()).unwrap_or_default();
    format!(
        "session {} of project {:?}: {} batches, viewed {} times, exported {} times, this export by {exporter}",
        bundle.session,
        bundle.project,
        count(EntryKind::BatchReceived),
        count(EntryKind::ReplayViewed),
        count(EntryKind::EvidenceExported),
    )
}

/// Keeps the newer of the known checkpoint and the bundle's.
fn remember(
    path: &Path,
    report: &BundleReport,
    known: Option<&str>,
    key: &ledger::LogVerifier,
) -> anyhow::Result<()> {
    let Some(bundle) = &report.bundle else {
        return Ok(());
    };
    let new = key.verify(&bundle.checkpoint_note)?;
    let old_size = known.and_then(|k| key.verify(k).ok()).map(|c| c.size);
    if old_size.is_none_or(|s| new.size > s) {
        // Write then rename, so an interrupted write never leaves half a checkpoint.
        let partial = path.with_extension("partial");
        std::fs::write(&partial, &bundle.checkpoint_note)
            .and_then(|()| std::fs::rename(&partial, path))
            .with_context(|| format!("writing {}", path.display()))?;
        println!(
            "Remembered the checkpoint of size {} in {}",
            new.size,
            path.display()
        );
    }
    Ok(())
}
