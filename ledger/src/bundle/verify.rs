//! Checking a bundle offline: the one function behind `affidavit verify` and the
//! viewer's dropped bundles.
//!
//! Every check runs and reports on its own, so a reviewer sees each thing that
//! holds and each that does not, by name. The pinned key is the caller's: a key
//! inside a bundle would prove nothing, because whoever forged the bundle
//! would have put it there.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::archive::{read_archive, write_archive};
use super::manifest::Manifest;
use super::*;
use crate::checkpoint::{Checkpoint, LogVerifier};
use crate::entry::{Entry, EntryKind};
use crate::proof::verify_consistency;
use crate::sealed::KEY_LEN;
use crate::session::{
    CheckpointProblem, EvidenceEntry, InclusionCheck, PayloadCheck, SessionEvidence, SessionReport,
    verify_session,
};

/// How one check came out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass(String),
    /// Informative, not a failure (a session still recording has no close entry).
    Info(String),
    /// What failed, each item naming the file or entry.
    Fail(Vec<String>),
    /// The check could not run because what it needs is missing or broken.
    NotRun(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub outcome: Outcome,
}

/// Every check, in the order they are reported, and what was read.
#[derive(Debug, Clone)]
pub struct BundleReport {
    pub checks: Vec<Check>,
    /// The evidence as read (whatever could be), for a player to replay.
    pub bundle: Option<Bundle>,
    pub session: Option<SessionReport>,
}

impl BundleReport {
    /// True when nothing failed and nothing was left unchecked.
    pub fn passed(&self) -> bool {
        self.checks
            .iter()
            .all(|c| matches!(c.outcome, Outcome::Pass(_) | Outcome::Info(_)))
    }

    /// "check: reason" for each check that did not pass.
    pub fn failures(&self) -> Vec<String> {
        self.checks
            .iter()
            .flat_map(|c| match &c.outcome {
                Outcome::Fail(items) => items.iter().map(|i| format!("{}: {i}", c.name)).collect(),
                Outcome::NotRun(why) => vec![format!("{}: not checked: {why}", c.name)],
                _ => Vec::new(),
            })
            .collect()
    }
}

/// Checks a bundle file against the pinned log `key`, and, when the verifier
/// remembers an earlier checkpoint of the same log, that the bundle's tree extends it.
pub fn verify_bundle(
    archive: &[u8],
    key: &LogVerifier,
    known_checkpoint: Option<&str>,
) -> BundleReport {
    let mut checks = Vec::new();
    let members = match read_archive(archive) {
        Ok(members) => members,
        Err(e) => {
            checks.push(check("archive", Outcome::Fail(vec![e.to_string()])));
            return BundleReport {
                checks,
                bundle: None,
                session: None,
            };
        }
    };
    checks.push(check("archive", canonical_form(archive, &members)));

    let (files, layout_problems) = sort_members(members);
    let read = read_bundle(&files, key.name());
    let mut layout = layout_problems;
    layout.extend(read.problems.iter().cloned());
    if read.bundle.data_key.is_none() && manifest_says_sealed(files.get(MANIFEST_NAME)) {
        layout.push(format!(
            "{DATA_KEY_NAME}: missing (the manifest says the payloads are sealed)"
        ));
    }
    checks.push(check(
        "files",
        if layout.is_empty() {
            Outcome::Pass(format!(
                "{} files: checkpoint, manifest, {} entries with their payloads and proofs",
                files.len(),
                read.bundle.entries.len()
            ))
        } else {
            Outcome::Fail(layout)
        },
    ));

    let bundle = read.bundle;
    checks.push(check(
        "manifest",
        manifest_check(&bundle, files.get(MANIFEST_NAME)),
    ));

    let evidence = SessionEvidence {
        project: &bundle.project,
        session: bundle.session,
        entries: bundle
            .entries
            .iter()
            .map(|e| EvidenceEntry {
                entry_bytes: &e.entry_bytes,
                payload: read
                    .payload_present
                    .get(&e.session_seq)
                    .copied()
                    .unwrap_or(false)
                    .then_some(e.payload.as_slice()),
                inclusion: e.inclusion.clone(),
            })
            .collect(),
        checkpoint_note: files
            .contains_key(CHECKPOINT_NAME)
            .then_some(bundle.checkpoint_note.as_str()),
    };
    let report = verify_session(&evidence, key);
    checks.extend(session_checks(&bundle, &report));
    checks.push(check(
        "consistency proofs",
        consistency_proofs_check(&bundle, &report),
    ));
    if let Some(known) = known_checkpoint {
        checks.push(check(
            "known checkpoint",
            known_checkpoint_check(&bundle, &report, known, key),
        ));
    }
    BundleReport {
        checks,
        bundle: Some(bundle),
        session: Some(report),
    }
}

fn check(name: &'static str, outcome: Outcome) -> Check {
    Check { name, outcome }
}

/// The archive must be exactly what writing its members gives: nothing hidden in
/// padding, headers or order.
fn canonical_form(archive: &[u8], members: &[(String, Vec<u8>)]) -> Outcome {
    let mut sorted = members.to_vec();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    match write_archive(&sorted) {
        Ok(canonical) if canonical == archive => Outcome::Pass(format!(
            "a canonical tar archive of {} members ({} bytes)",
            members.len(),
            archive.len()
        )),
        Ok(canonical) => {
            let at = canonical
                .iter()
                .zip(archive)
                .position(|(a, b)| a != b)
                .unwrap_or(canonical.len().min(archive.len()));
            Outcome::Fail(vec![format!(
                "the archive is not in the canonical layout: it differs from its members written canonically at byte {at} (members out of order, altered headers or padding, or trailing data)"
            )])
        }
        Err(e) => Outcome::Fail(vec![e.to_string()]),
    }
}

/// Members by name; duplicates are a layout problem (the first one counts).
fn sort_members(members: Vec<(String, Vec<u8>)>) -> (BTreeMap<String, Vec<u8>>, Vec<String>) {
    let mut files = BTreeMap::new();
    let mut problems = Vec::new();
    for (name, bytes) in members {
        match files.entry(name) {
            std::collections::btree_map::Entry::Occupied(e) => {
                problems.push(format!("{}: appears more than once", e.key()));
            }
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(bytes);
            }
        }
    }
    (files, problems)
}

struct ReadBundle {
    bundle: Bundle,
    payload_present: BTreeMap<u64, bool>,
    problems: Vec<String>,
}

/// Reads what is there, naming every missing, unknown or malformed file.
fn read_bundle(files: &BTreeMap<String, Vec<u8>>, origin: &str) -> ReadBundle {
    let mut problems = Vec::new();
    let mut entries: BTreeMap<u64, BundleEntry> = BTreeMap::new();
    let mut payloads: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
    let mut proofs: BTreeMap<u64, Option<crate::session::InclusionEvidence>> = BTreeMap::new();
    let mut consistency = Vec::new();
    let mut data_key = None;
    for (name, bytes) in files {
        match classify(name) {
            Some(Member::Checkpoint | Member::Manifest) => {}
            Some(Member::DataKey) => match <[u8; KEY_LEN]>::try_from(bytes.as_slice()) {
                Ok(key) => data_key = Some(key),
                Err(_) => problems.push(format!("{name}: not a 32-byte data key")),
            },
            Some(Member::Entry(seq)) => {
                entries.insert(
                    seq,
                    BundleEntry {
                        session_seq: seq,
                        entry_bytes: bytes.clone(),
                        payload: Vec::new(),
                        inclusion: None,
                    },
                );
            }
            Some(Member::Payload(seq)) => {
                payloads.insert(seq, bytes.clone());
            }
            Some(Member::Proof(seq)) => {
                let proof = decode_inclusion(bytes);
                if proof.is_none() {
                    problems.push(format!(
                        "{name}: not an inclusion proof (an 8-byte index, then 32-byte hashes)"
                    ));
                }
                proofs.insert(seq, proof);
            }
            Some(Member::Consistency(from_size)) => match decode_consistency(from_size, bytes) {
                Some(proof) => consistency.push(proof),
                None => problems.push(format!(
                    "{name}: not a consistency proof (the earlier root, then 32-byte hashes)"
                )),
            },
            None => problems.push(format!("{name}: not a file a bundle has")),
        }
    }
    for required in [CHECKPOINT_NAME, MANIFEST_NAME] {
        if !files.contains_key(required) {
            problems.push(format!("{required}: missing"));
        }
    }
    if entries.is_empty() {
        problems.push("entries/: the bundle holds no entries".to_owned());
    }
    for (expected, seq) in entries.keys().enumerate() {
        if *seq != expected as u64 {
            problems.push(format!(
                "{}: missing (entries must run from 0 without gaps)",
                entry_name(expected as u64)
            ));
            break;
        }
    }
    let mut payload_present = BTreeMap::new();
    for (seq, entry) in entries.iter_mut() {
        match payloads.remove(seq) {
            Some(bytes) => {
                entry.payload = bytes;
                payload_present.insert(*seq, true);
            }
            None => problems.push(format!("{}: missing", payload_name(*seq))),
        }
        match proofs.remove(seq) {
            Some(proof) => entry.inclusion = proof,
            None => problems.push(format!("{}: missing", proof_name(*seq))),
        }
    }
    for seq in payloads.keys() {
        problems.push(format!(
            "{}: a payload without an entry",
            payload_name(*seq)
        ));
    }
    for seq in proofs.keys() {
        problems.push(format!(
            "{}: its entry {} is missing",
            proof_name(*seq),
            entry_name(*seq)
        ));
    }
    let checkpoint_note = files
        .get(CHECKPOINT_NAME)
        .map(|b| match String::from_utf8(b.clone()) {
            Ok(text) => text,
            Err(_) => {
                problems.push(format!("{CHECKPOINT_NAME}: not UTF-8 text"));
                String::from_utf8_lossy(b).into_owned()
            }
        })
        .unwrap_or_default();
    // Which session the bundle is about: what the manifest says, else what the
    // first entry says. Either way the chain's genesis must agree.
    let claimed = files
        .get(MANIFEST_NAME)
        .and_then(|m| Manifest::parse(m).ok())
        .and_then(|m| Some((m.project, Uuid::parse_str(&m.session).ok()?)))
        .or_else(|| {
            let first = Entry::decode(&entries.values().next()?.entry_bytes).ok()?;
            Some((first.project, first.session))
        })
        .unwrap_or_else(|| (String::new(), Uuid::nil()));
    ReadBundle {
        bundle: Bundle {
            origin: origin.to_owned(),
            project: claimed.0,
            session: claimed.1,
            checkpoint_note,
            entries: entries.into_values().collect(),
            consistency,
            data_key,
        },
        payload_present,
        problems,
    }
}

enum Member {
    Checkpoint,
    DataKey,
    Manifest,
    Entry(u64),
    Payload(u64),
    Proof(u64),
    Consistency(u64),
}

fn classify(name: &str) -> Option<Member> {
    match name {
        CHECKPOINT_NAME => return Some(Member::Checkpoint),
        DATA_KEY_NAME => return Some(Member::DataKey),
        MANIFEST_NAME => return Some(Member::Manifest),
        _ => {}
    }
    let numbered = |prefix: &str, suffix: &str| -> Option<u64> {
        let digits = name.strip_prefix(prefix)?.strip_suffix(suffix)?;
        (digits.len() == 20 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse().ok())
            .flatten()
    };
    numbered("entries/", ".entry")
        .map(Member::Entry)
        .or_else(|| numbered("payloads/", ".payload").map(Member::Payload))
        .or_else(|| numbered("proofs/", ".proof").map(Member::Proof))
        .or_else(|| numbered("consistency/", ".proof").map(Member::Consistency))
}

fn manifest_check(bundle: &Bundle, given: Option<&Vec<u8>>) -> Outcome {
    let Some(given) = given else {
        return Outcome::NotRun(format!("{MANIFEST_NAME} is missing"));
    };
    if let Err(e) = Manifest::parse(given) {
        return Outcome::Fail(vec![e.to_string()]);
    }
    match Manifest::of(bundle) {
        Ok(rebuilt) if rebuilt.to_bytes() == *given => Outcome::Pass(format!(
            "describes exactly the {} entries and the checkpoint it ships with",
            rebuilt.entries.len()
        )),
        Ok(_) => Outcome::Fail(vec![format!(
            "{MANIFEST_NAME} does not match the evidence it describes (rebuilt from the entries, proofs and checkpoint, it differs)"
        )]),
        Err(e) => Outcome::NotRun(format!("cannot rebuild it: {e}")),
    }
}

/// The session-level checks, each from the one shared report.
fn session_checks(bundle: &Bundle, report: &SessionReport) -> Vec<Check> {
    let entries = &report.entries;
    let collect = |f: &dyn Fn(&crate::session::EntryReport) -> Option<String>| -> Vec<String> {
        entries.iter().filter_map(f).collect()
    };
    let mut out = Vec::new();

    out.push(check(
        "checkpoint",
        match &report.checkpoint {
            Ok(cp) => Outcome::Pass(format!(
                "signed by the pinned key of log {:?}: tree size {}, root {}{}",
                cp.origin,
                cp.size,
                cp.root.to_hex(),
                cp.timestamp_ms()
                    .map(|ms| format!(", signed at {ms} (Unix ms)"))
                    .unwrap_or_default()
            )),
            Err(CheckpointProblem::Missing) => {
                Outcome::Fail(vec![format!("{CHECKPOINT_NAME} is missing")])
            }
            Err(e) => Outcome::Fail(vec![e.to_string()]),
        },
    ));

    let chain = collect(&|e| {
        e.chain
            .as_ref()
            .err()
            .map(|err| format!("{}: {err}", e.name()))
    });
    out.push(check(
        "chain",
        if chain.is_empty() {
            Outcome::Pass(format!(
                "{} entries decode, belong to log {:?}, project {:?}, session {}, and link from its genesis",
                entries.len(),
                bundle.origin,
                bundle.project,
                bundle.session
            ))
        } else {
            Outcome::Fail(chain)
        },
    ));

    let order = collect(&|e| {
        e.batch_order
            .as_ref()
            .err()
            .map(|err| format!("{}: {err}", e.name()))
    });
    let batches = entries
        .iter()
        .filter(|e| {
            e.entry
                .as_ref()
                .is_some_and(|e| e.kind == EntryKind::BatchReceived)
        })
        .count();
    out.push(check(
        "batches",
        if order.is_empty() {
            Outcome::Pass(format!(
                "{batches} batches numbered 0 to {} without gaps",
                batches.saturating_sub(1)
            ))
        } else {
            Outcome::Fail(order)
        },
    ));

    let payloads = collect(&|e| match &e.payload {
        PayloadCheck::Failed(err) => Some(format!("{}: {err}", e.name())),
        PayloadCheck::NotSupplied => Some(format!("{}: payload missing", e.name())),
        _ => None,
    });
    out.push(check(
        "payloads",
        if payloads.is_empty() {
            let bytes: usize = bundle.entries.iter().map(|e| e.payload.len()).sum();
            Outcome::Pass(format!(
                "{} payloads ({bytes} bytes) match the length and SHA-256 their entries commit to",
                entries.len()
            ))
        } else {
            Outcome::Fail(payloads)
        },
    ));

    out.push(check(
        "inclusion",
        match &report.checkpoint {
            Err(_) => Outcome::NotRun("there is no valid checkpoint to prove inclusion in".into()),
            Ok(cp) => {
                let failed = collect(&|e| match &e.inclusion {
                    InclusionCheck::Failed { index, error } => {
                        Some(format!("{}: at log index {index}: {error}", e.name()))
                    }
                    InclusionCheck::Pending => Some(format!("{}: no inclusion proof", e.name())),
                    _ => None,
                });
                if failed.is_empty() {
                    Outcome::Pass(format!(
                        "every entry is in the checkpoint's tree of size {}",
                        cp.size
                    ))
                } else {
                    Outcome::Fail(failed)
                }
            }
        },
    ));

    let decoded: Vec<&Entry> = entries.iter().filter_map(|e| e.entry.as_ref()).collect();
    out.push(check("sealed payloads", sealed_check(bundle, &decoded)));
    out.push(check("session close", close_check(&decoded)));
    out.push(check("export entry", export_check(&decoded, entries.len())));
    out
}

/// Whether the manifest, as far as it parses, lists the payloads as sealed.
fn manifest_says_sealed(manifest: Option<&Vec<u8>>) -> bool {
    manifest
        .and_then(|bytes| Manifest::parse(bytes).ok())
        .is_some_and(|m| m.payloads == "sealed")
}

/// With a data key, every batch must open with it (the replay is those bytes);
/// without one, either the session was erased (said so in its chain) or it was
/// recorded before sealing.
fn sealed_check(bundle: &Bundle, entries: &[&Entry]) -> Outcome {
    let erasure = entries.iter().find(|e| e.kind == EntryKind::SessionErased);
    match (&bundle.data_key, erasure) {
        (Some(_), Some(e)) => Outcome::Fail(vec![format!(
            "the bundle carries a data key, but entry {} says the session was erased",
            e.session_seq
        )]),
        (None, Some(e)) => Outcome::Info(format!(
            "erased at {} (Unix ms) by {}: the payloads are sealed and their key destroyed; every hash above still holds",
            e.received_at_ms, e.actor
        )),
        (None, None) => Outcome::Info(
            "the payloads are stored as the recorder sent them (recorded before sealing at rest)"
                .into(),
        ),
        (Some(_), None) => match bundle.replay_batches() {
            Ok(batches) => Outcome::Pass(format!(
                "all {} batch payloads open with the bundle's data key",
                batches.len()
            )),
            Err((seq, e)) => Outcome::Fail(vec![format!("batch {seq}: {e}")]),
        },
    }
}

/// A closed session ends its recording with `session_closed`: no batch may follow it.
fn close_check(entries: &[&Entry]) -> Outcome {
    match entries
        .iter()
        .position(|e| e.kind == EntryKind::SessionClosed)
    {
        None => Outcome::Info(
            "no session_closed entry: the recording had not been closed when exported".into(),
        ),
        Some(at) => {
            let late: Vec<String> = entries[at + 1..]
                .iter()
                .filter(|e| matches!(e.kind, EntryKind::BatchReceived | EntryKind::SessionClosed))
                .map(|e| {
                    format!(
                        "entry {} ({}) follows the close at entry {}",
                        e.session_seq,
                        e.kind.name(),
                        entries[at].session_seq
                    )
                })
                .collect();
            if late.is_empty() {
                Outcome::Pass(format!(
                    "closed at entry {}; nothing was recorded after it",
                    entries[at].session_seq
                ))
            } else {
                Outcome::Fail(late)
            }
        }
    }
}

/// The export that made the bundle is on the record, as its last entry.
fn export_check(entries: &[&Entry], total: usize) -> Outcome {
    match entries.last() {
        Some(last) if entries.len() == total && last.kind == EntryKind::EvidenceExported => {
            Outcome::Pass(format!(
                "the bundle ends with its own export entry ({}) by {} at {} (Unix ms)",
                last.session_seq, last.actor, last.received_at_ms
            ))
        }
        Some(_) if entries.len() != total => Outcome::NotRun("some entries do not decode".into()),
        _ => Outcome::Fail(vec![
            "the last entry is not the evidence_exported entry of this export".into(),
        ]),
    }
}

/// Each shipped consistency proof must lead from the earlier root it names to
/// the checkpoint's root; otherwise it is a claim nobody checked.
fn consistency_proofs_check(bundle: &Bundle, report: &SessionReport) -> Outcome {
    if bundle.consistency.is_empty() {
        return Outcome::Info(
            "none included (export with ?known_size=N to prove the tree extends size N)".into(),
        );
    }
    let Ok(current) = &report.checkpoint else {
        return Outcome::NotRun("the bundle has no valid checkpoint".into());
    };
    let failed: Vec<String> = bundle
        .consistency
        .iter()
        .filter_map(|c| {
            verify_consistency(
                c.from_size,
                current.size,
                &c.proof,
                &c.from_root,
                &current.root,
            )
            .err()
            .map(|e| format!("{}: {e}", consistency_name(c.from_size)))
        })
        .collect();
    if failed.is_empty() {
        let sizes: Vec<String> = bundle
            .consistency
            .iter()
            .map(|c| c.from_size.to_string())
            .collect();
        Outcome::Pass(format!(
            "the tree of size {} extends the trees of size {}",
            current.size,
            sizes.join(", ")
        ))
    } else {
        Outcome::Fail(failed)
    }
}

/// The bundle's tree must extend the one the verifier saw before.
fn known_checkpoint_check(
    bundle: &Bundle,
    report: &SessionReport,
    known: &str,
    key: &LogVerifier,
) -> Outcome {
    let known: Checkpoint = match key.verify(known) {
        Ok(cp) => cp,
        Err(e) => {
            return Outcome::Fail(vec![format!(
                "the known checkpoint does not verify against the pinned key: {e}"
            )]);
        }
    };
    let Ok(current) = &report.checkpoint else {
        return Outcome::NotRun("the bundle has no valid checkpoint".into());
    };
    if known.size > current.size {
        return Outcome::Fail(vec![format!(
            "the known checkpoint (size {}) is newer than the bundle's (size {}); a bundle exported after it proves more",
            known.size, current.size
        )]);
    }
    if known.size == current.size {
        return if known.root == current.root {
            Outcome::Pass(format!(
                "same tree as the known checkpoint (size {})",
                known.size
            ))
        } else {
            Outcome::Fail(vec![format!(
                "the known checkpoint and the bundle's sign different roots for size {}: the log forked",
                known.size
            )])
        };
    }
    let Some(proof) = bundle
        .consistency
        .iter()
        .find(|c| c.from_size == known.size)
    else {
        return Outcome::Fail(vec![format!(
            "the bundle has no consistency proof from size {} (export it with ?known_size={})",
            known.size, known.size
        )]);
    };
    if proof.from_root != known.root {
        return Outcome::Fail(vec![format!(
            "{}: starts from another root than the known checkpoint's: the log forked",
            consistency_name(known.size)
        )]);
    }
    match verify_consistency(
        known.size,
        current.size,
        &proof.proof,
        &known.root,
        &current.root,
    ) {
        Ok(()) => Outcome::Pass(format!(
            "the tree of size {} extends the known checkpoint of size {}",
            current.size, known.size
        )),
        Err(e) => Outcome::Fail(vec![format!("{}: {e}", consistency_name(known.size))]),
    }
}
