//! The storage contract: one suite, run against SQLite and against Postgres.
//!
//! Everything is checked through the `Storage` trait and the ledger's own
//! verifiers (chains, Merkle roots, proofs, signed checkpoints), never by
//! re-deriving what the store wrote, except for the tamper tests, which go
//! around the store on purpose.

mod accounts;
mod append;
mod concurrency;
mod index;
mod integrate;
mod postgres_setup;
mod projects;
mod sessions;
mod tamper;
mod unavailable;

use std::collections::BTreeMap;

use ingest_server::integrator::plan::CheckpointPlanner;
use ingest_server::seal::EntrySeal;
use ingest_server::storage::{
    AppendBatch, AppendOutcome, IntegrationOutcome, NewProject, Receipt, Storage, StoredEntry,
};
use ledger::chain::ChainVerifier;
use ledger::checkpoint::LogSigner;
use uuid::Uuid;

use crate::support::{Backend, TestStore, test_store};

pub const ORIGIN: &str = "affidavit.test/log";
pub const PROJECT: &str = "demo";

pub fn new_project(id: &str, write_key: &str) -> NewProject {
    NewProject {
        id: id.into(),
        name: format!("Project {id}"),
        write_key: write_key.into(),
        allowed_origins: vec!["https://shop.example".into()],
        created_at_ms: 1_700_000_000_000,
    }
}

/// A fresh store with the project [`PROJECT`] in it.
pub async fn store_with_project(backend: Backend) -> TestStore {
    let t = test_store(backend).await;
    t.store
        .create_project(&new_project(PROJECT, "awk_demo"))
        .await
        .expect("project is created");
    t
}

/// A UUIDv7-shaped session id; `n` keeps tests readable.
pub fn session(n: u128) -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 | n)
}

pub fn batch(session: Uuid, seq: u64, bytes: &[u8]) -> AppendBatch {
    batch_for(PROJECT, session, seq, bytes)
}

pub fn batch_for(project: &str, session: Uuid, seq: u64, bytes: &[u8]) -> AppendBatch {
    AppendBatch {
        project: project.into(),
        session,
        seq,
        started_at_ms: 1_700_000_000_000,
        received_at_ms: 1_700_000_001_000 + i64::try_from(seq).expect("small seq"),
        actor: format!("key:{project}"),
        event_count: 3,
        payload_hash: ledger::sha256(bytes),
        bytes: bytes::Bytes::copy_from_slice(bytes),
    }
}

/// Distinct payload bytes for (session, seq).
pub fn payload(session: Uuid, seq: u64) -> Vec<u8> {
    format!("batch {seq} of {session}").into_bytes()
}

pub async fn append(store: &dyn Storage, req: AppendBatch) -> AppendOutcome {
    let mut outcomes = store
        .append_batches(ORIGIN, &seal(), &[req])
        .await
        .expect("append succeeds");
    assert_eq!(outcomes.len(), 1);
    outcomes.remove(0)
}

pub fn appended(outcome: AppendOutcome) -> Receipt {
    match outcome {
        AppendOutcome::Appended(receipt) => receipt,
        other => panic!("expected Appended, got {other:?}"),
    }
}

/// Every stored entry, read through keyset pagination in small pages.
pub async fn all_entries(store: &dyn Storage) -> Vec<StoredEntry> {
    let mut out: Vec<StoredEntry> = Vec::new();
    loop {
        let after = out.last().map(|e| (e.session, e.session_seq));
        let page = store
            .entries_by_session(after, 37)
            .await
            .expect("entries page");
        if page.is_empty() {
            return out;
        }
        out.extend(page);
    }
}

/// Verifies every session's chain with the ledger's verifier; returns the
/// batch seqs found per session.
pub fn verify_chains(entries: &[StoredEntry]) -> BTreeMap<Uuid, Vec<u64>> {
    let mut chains: BTreeMap<Uuid, (ChainVerifier, Vec<u64>)> = BTreeMap::new();
    for e in entries {
        let (chain, seqs) = chains.entry(e.session).or_insert_with(|| {
            (
                ChainVerifier::new(ORIGIN, &e.project, e.session),
                Vec::new(),
            )
        });
        let payload = e
            .payload
            .as_deref()
            .expect("every entry has its payload row");
        let entry = chain
            .push(&e.entry_bytes, Some(payload))
            .unwrap_or_else(|err| {
                panic!("chain of {} breaks at {}: {err}", e.session, e.session_seq)
            });
        assert_eq!(
            ledger::leaf_hash(&e.entry_bytes).as_bytes().as_slice(),
            e.leaf_hash.as_slice()
        );
        seqs.extend(entry.batch_seq);
    }
    chains.into_iter().map(|(s, (_, seqs))| (s, seqs)).collect()
}

pub fn signer() -> LogSigner {
    LogSigner::from_seed(ORIGIN, [7; 32]).expect("signing key")
}

/// The seal the server with [`signer`]'s key puts on queued entries.
pub fn seal() -> EntrySeal {
    EntrySeal::from_signer(&signer())
}

/// Runs integration steps of at most `max` entries until nothing is pending.
pub async fn integrate_all(
    store: &dyn Storage,
    signer: &LogSigner,
    max: usize,
) -> Vec<IntegrationOutcome> {
    let planner = CheckpointPlanner {
        origin: ORIGIN,
        signer,
        seal: &EntrySeal::from_signer(signer),
        now_ms: 1_700_000_002_000,
    };
    let mut steps = Vec::new();
    while let Some(step) = store
        .integrate_step(max, &planner)
        .await
        .expect("integration step")
    {
        steps.push(step);
    }
    steps
}
