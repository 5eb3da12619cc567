//! `affidavit decode [--raw]`: one batch body, as a recorder sends or persists it, read
//! from standard input and shown without a server or a database.
//!
//! The browser tests use it to look inside what a page sent (Node has no zstd), and an
//! operator can use it on a body captured from a proxy log. Nothing is stored or
//! written anywhere but standard output.

use std::io::{Read, Write};

use serde::Serialize;

use crate::configuration::Settings;

/// The decoded batch: its envelope and its events, as `session dump` prints them.
#[derive(Serialize)]
struct DecodedBatch {
    project: String,
    session: String,
    seq: u64,
    started_at: i64,
    events: Vec<super::session::EventLine>,
}

/// `raw`: write the decompressed MessagePack as it is; otherwise decode the batch under
/// the configured `ingest.limits` and print it as one JSON line.
pub fn run(settings: &Settings, raw: bool) -> anyhow::Result<()> {
    let limits = &settings.ingest.limits;
    let mut body = Vec::new();
    std::io::stdin()
        .take(limits.max_compressed_bytes as u64 + 1)
        .read_to_end(&mut body)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if raw {
        let msgpack = protocol::decompress(&body, limits)
            .map_err(|e| anyhow::anyhow!("the input is not a batch body: {e}"))?;
        out.write_all(&msgpack)?;
    } else {
        let batch = protocol::decode_batch(&body, limits)
            .map_err(|e| anyhow::anyhow!("the input is not a batch body: {e}"))?;
        let events = batch
            .events
            .iter()
            .map(super::session::EventLine::new)
            .collect::<anyhow::Result<_>>()?;
        let decoded = DecodedBatch {
            project: batch.project,
            session: batch.session_id.to_string(),
            seq: batch.seq,
            started_at: batch.started_at,
            events,
        };
        serde_json::to_writer(&mut out, &decoded)?;
        writeln!(out)?;
    }
    out.flush()?;
    Ok(())
}
