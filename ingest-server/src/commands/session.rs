//! `affidavit session list|dump|reindex`: what was recorded, readable from a shell.
//!
//! `dump` decodes each stored batch with `protocol` and prints it as one JSON line,
//! so tests and operators can see what a browser actually sent without a viewer.
//! `list` and `dump` are read-only and `reindex` writes only the session index (a
//! projection, never the log): all run beside a live server on the same SQLite file
//! (WAL readers never block the writer) or against the same PostgreSQL.

use crate::data_keys::KeyState;
use ledger::sealed::open_payload;
use std::io::Write;
use std::sync::Arc;

use serde::Serialize;
use uuid::Uuid;

use crate::cli::SessionCommand;
use crate::configuration::Settings;
use crate::metrics::Metrics;
use crate::search::indexer::Indexer;
use crate::startup::open_store;
use crate::storage::{SessionQuery, Storage, StoredEntry};

/// Batches read per query: payloads are up to `max_compressed_bytes` each.
const PAGE: u32 = 16;

pub async fn run(settings: &Settings, action: SessionCommand) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    let mut out = std::io::BufWriter::new(std::io::stdout());
    match action {
        SessionCommand::List => list(store.as_ref(), &mut out).await?,
        SessionCommand::Dump { session_id } => {
            dump(store.as_ref(), settings, session_id, &mut out).await?;
        }
        SessionCommand::Erase {
            session_id,
            reason,
            operator,
        } => {
            let receipt = erase(store.as_ref(), settings, session_id, &reason, operator).await?;
            writeln!(
                out,
                "erased session {session_id}: entry {} ({}); its payloads can no longer be read",
                receipt.session_seq,
                receipt.leaf_hash.to_hex()
            )?;
        }
        SessionCommand::Reindex => reindex(store, settings, &mut out).await?,
    }
    out.flush()?;
    Ok(())
}

async fn list(store: &dyn Storage, out: &mut impl Write) -> anyhow::Result<()> {
    for s in store.sessions().await? {
        writeln!(
            out,
            "{}\t{}\t{} batches\t{} bytes\tstarted {}\tlast batch {}",
            s.session,
            s.head.project,
            s.batch_count,
            s.payload_bytes,
            s.started_at_ms,
            s.last_received_at_ms
        )?;
    }
    Ok(())
}

/// Erases `session` as `cli:OPERATOR`, through the same path as the API.
async fn erase(
    store: &dyn Storage,
    settings: &Settings,
    session: Uuid,
    reason: &str,
    operator: Option<String>,
) -> anyhow::Result<crate::storage::AccessReceipt> {
    let reason = crate::erasure::reason(reason)?;
    let signer = crate::keys::load(&settings.data_dir)?;
    let seal = crate::seal::EntrySeal::from_signer(&signer);
    let keys = settings.data_keys(false)?;
    let record = super::cli_record("session_erased", operator, Some(reason));
    let actor = format!("cli:{}", record.user);
    Ok(crate::erasure::erase(
        store,
        &settings.log_origin,
        &seal,
        &keys,
        session,
        actor,
        record,
    )
    .await?)
}

/// Drops the index and runs the indexer until it has nothing left to do.
async fn reindex(
    store: Arc<dyn Storage>,
    settings: &Settings,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let dropped = store.clear_index().await?;
    let mut indexer = Indexer::new(
        store.clone(),
        settings.indexer.clone(),
        settings.ingest.limits.clone(),
        Arc::new(Metrics::new()),
        Arc::new(settings.data_keys(false)?),
    );
    let report = indexer.run_until_idle().await?;
    let indexed = store.search_sessions(&SessionQuery::all(1)).await?.total;
    writeln!(
        out,
        "dropped the index of {dropped} sessions; indexed {indexed} sessions from {} batches ({} undecodable, skipped)",
        report.batches, report.undecodable
    )?;
    if report.errors > 0 || report.behind > 0 {
        anyhow::bail!(
            "{} session updates failed and {} batches are left unindexed (the log says why); run `affidavit fsck`, then reindex again",
            report.errors,
            report.behind
        );
    }
    Ok(())
}

/// One dumped batch: `{"seq":N,"events":[…]}`.
#[derive(Serialize)]
struct BatchLine {
    seq: u64,
    events: Vec<EventLine>,
}

/// An event as a person reads it: the kind by name, its timestamp, and its payload
/// with field names (the wire has positions only).
#[derive(Serialize)]
pub(crate) struct EventLine {
    kind: &'static str,
    ts: i64,
    data: serde_json::Value,
}

impl EventLine {
    pub(crate) fn new(event: &protocol::Event) -> anyhow::Result<EventLine> {
        Ok(EventLine {
            kind: event.kind().label(),
            ts: event.timestamp,
            data: payload_json(event)?,
        })
    }
}

async fn dump(
    store: &dyn Storage,
    settings: &Settings,
    session: Uuid,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let key = match settings.data_keys(false) {
        Ok(keys) => keys.for_reading(store, session).await?,
        // Without a master key only unsealed sessions can be read; say so if this is not one.
        Err(e) if store.session_key(session).await?.is_some() => return Err(e),
        Err(_) => KeyState::Unsealed,
    };
    if let KeyState::Erased { at_ms } = key {
        anyhow::bail!(
            "session {session} was erased{}: its batches can no longer be read",
            at_ms
                .map(|ms| format!(" at {ms} (Unix ms)"))
                .unwrap_or_default()
        );
    }
    let mut next = 0u64;
    loop {
        let page = store.session_batches(session, next, PAGE).await?;
        if page.is_empty() {
            break;
        }
        for entry in &page {
            let line = decode(entry, key, &settings.ingest.limits)?;
            serde_json::to_writer(&mut *out, &line)?;
            writeln!(out)?;
            next = line.seq + 1;
        }
    }
    if next == 0 {
        anyhow::bail!("session {session} has no stored batches (see `affidavit session list`)");
    }
    Ok(())
}

fn decode(
    entry: &StoredEntry,
    key: KeyState,
    limits: &protocol::Limits,
) -> anyhow::Result<BatchLine> {
    let seq = entry.batch_seq.ok_or_else(|| {
        anyhow::anyhow!(
            "entry {} of session {} is not a batch",
            entry.session_seq,
            entry.session
        )
    })?;
    let payload = entry.payload.as_deref().ok_or_else(|| {
        anyhow::anyhow!(
            "batch {seq} of session {} has no payload row (run `affidavit fsck`)",
            entry.session
        )
    })?;
    let opened;
    let payload = match key {
        KeyState::Sealed(key) => {
            opened = open_payload(&key, &entry.session, seq, payload)
                .map_err(|e| anyhow::anyhow!("batch {seq} of session {}: {e}", entry.session))?;
            opened.as_slice()
        }
        _ => payload,
    };
    let batch = protocol::decode_batch(payload, limits).map_err(|e| {
        anyhow::anyhow!(
            "batch {seq} of session {} does not decode under the configured ingest.limits: {e}",
            entry.session
        )
    })?;
    let events = batch
        .events
        .iter()
        .map(EventLine::new)
        .collect::<anyhow::Result<_>>()?;
    Ok(BatchLine { seq, events })
}

/// The event's payload alone. An event serializes as `[kind, timestamp, payload]`
/// (its wire layout); the payload's own structs serialize with their field names.
fn payload_json(event: &protocol::Event) -> anyhow::Result<serde_json::Value> {
    match serde_json::to_value(event)? {
        serde_json::Value::Array(mut parts) if parts.len() == 3 => Ok(parts.swap_remove(2)),
        other => anyhow::bail!("an event rendered as {other}, not [kind, ts, payload]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{Event, EventData, Meta};

    #[test]
    fn events_render_by_name_with_field_names() {
        let event = Event::new(
            1_700_000_000_000,
            EventData::Meta(Meta {
                url: "https://shop.example/".into(),
                width: 800,
                height: 600,
                user_agent: "test".into(),
            }),
        );
        let line = EventLine {
            kind: event.kind().label(),
            ts: event.timestamp,
            data: payload_json(&event).expect("renders"),
        };
        assert_eq!(
            serde_json::to_value(&line).expect("json"),
            serde_json::json!({
                "kind": "meta",
                "ts": 1_700_000_000_000i64,
                "data": {"url": "https://shop.example/", "width": 800, "height": 600, "user_agent": "test"}
            })
        );
    }
}
