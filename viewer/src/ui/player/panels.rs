//! The side panels (audit entries, console and errors, pages, user and device)
//! and the verification banner.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use protocol::api::{AccessRecord, AuditEntry, LogKey};
use protocol::{ConsoleLevel, EventData};
use web_sys::Element;

use crate::evidence::{EntryState, Status, Verification};
use crate::time;
use crate::timeline::Timeline;
use crate::ui::el::{self, El};

/// Fills the audit panel; returns each batch entry's row, for highlighting.
pub fn audit(panel: &Element, entries: &[AuditEntry]) -> Vec<(u64, Element)> {
    el::clear(panel);
    let list = El::new("ol").class("audit").attr("id", "audit-entries");
    let mut rows = Vec::new();
    for entry in entries {
        let who = match entry.kind.as_str() {
            "batch_received" => format!("batch {}", entry.batch_seq.unwrap_or_default()),
            _ => access_summary(entry).unwrap_or_else(|| entry.actor.clone()),
        };
        let index = entry.log_index.map_or_else(
            || "not yet in the log".to_owned(),
            |i| format!("log index {i}"),
        );
        let row = El::new("li")
            .class("entry")
            .attr("data-seq", &entry.session_seq.to_string())
            .attr("data-kind", &entry.kind)
            .children([
                el::text("span", "state", "…"),
                el::text("span", "kind", &entry.kind.replace('_', " ")),
                el::text("span", "who", &who),
                el::text("time", "when", &time::utc(entry.received_at_ms)),
                el::text("span", "index", &index),
                el::text(
                    "code",
                    "hash",
                    &entry.leaf_hash[..16.min(entry.leaf_hash.len())],
                )
                .attr("title", &format!("leaf hash {}", entry.leaf_hash)),
                el::text("span", "problem", ""),
            ]);
        if let Some(batch) = entry.batch_seq {
            let _ = row.0.set_attribute("data-batch", &batch.to_string());
            rows.push((batch, row.0.clone()));
        }
        let _ = list.0.append_child(&row.0);
    }
    let _ = panel.append_child(&list.0);
    rows
}

/// "viewed by alice (admin) from 127.0.0.1" from a view or export entry's payload.
fn access_summary(entry: &AuditEntry) -> Option<String> {
    let bytes = STANDARD.decode(entry.payload.as_ref()?).ok()?;
    let record: AccessRecord = serde_json::from_slice(&bytes).ok()?;
    let verb = match record.action.as_str() {
        "replay_viewed" => "viewed",
        "evidence_exported" => "exported",
        other => other,
    };
    Some(format!(
        "{verb} by {} ({}) from {}",
        record.user, record.role, record.client
    ))
}

/// Marks each audit row with its entry's verification state.
pub fn audit_states(panel: &Element, verification: &Verification) {
    let Ok(rows) = panel.query_selector_all("li.entry") else {
        return;
    };
    for i in 0..rows.length() {
        let Some(row) = rows.item(i) else { continue };
        let row: &Element = wasm_bindgen::JsCast::unchecked_ref(&row);
        let (class, mark, problem) = match verification.entry_state(i as usize) {
            EntryState::Verified => ("verified", "✓", String::new()),
            EntryState::Pending => ("pending", "…", "not in a signed checkpoint yet".into()),
            EntryState::Failed(why) => ("failed", "✗", why),
            EntryState::Unchecked => ("pending", "?", String::new()),
        };
        for state in ["verified", "pending", "failed"] {
            let _ = row.class_list().toggle_with_force(state, state == class);
        }
        if let Ok(Some(slot)) = row.query_selector(".state") {
            slot.set_text_content(Some(mark));
        }
        if let Ok(Some(slot)) = row.query_selector(".problem") {
            slot.set_text_content(Some(&problem));
        }
    }
}

/// The banner over the player: verified, incomplete, or exactly what failed.
pub fn verification_banner(banner: &Element, status: &Status, key: &LogKey) {
    el::clear(banner);
    let (class, headline, details): (&str, String, &[String]) = match status {
        Status::Verified(summary) => ("verified", capitalize(summary), &[]),
        Status::Incomplete(why) => (
            "incomplete",
            "Not verified yet: some checks could not run".into(),
            why,
        ),
        Status::Failed(failures) => (
            "failed",
            format!("Verification FAILED: {} problem(s)", failures.len()),
            failures,
        ),
    };
    let _ = banner.set_attribute("class", &format!("verification {class}"));
    let _ = banner.set_attribute("data-status", class);
    let _ = banner.append_child(&el::text("strong", "headline", &headline).0);
    if !details.is_empty() {
        let list = El::new("ul").children(details.iter().map(|d| el::text("li", "", d)));
        let _ = banner.append_child(&list.0);
    }
    let _ = banner.append_child(
        &el::text(
            "p",
            "key",
            &format!("Log key {} · fingerprint {}", key.origin, key.fingerprint),
        )
        .0,
    );
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Console messages and errors, each a button that seeks to it.
pub fn console(panel: &Element, timeline: &Timeline) {
    el::clear(panel);
    let (start, _) = timeline.bounds();
    let list = El::new("ol").class("log");
    let mut count = 0;
    for (index, placed) in timeline.events.iter().enumerate() {
        let (class, text) = match &placed.event.data {
            EventData::Error(e) => (
                "error",
                format!(
                    "{}{}",
                    e.message,
                    e.source
                        .as_ref()
                        .map(|s| format!(" ({s}:{}:{})", e.line, e.column))
                        .unwrap_or_default()
                ),
            ),
            EventData::Console(c) => (
                match c.level {
                    ConsoleLevel::Error | ConsoleLevel::Assert => "error",
                    ConsoleLevel::Warn => "warn",
                    _ => "log",
                },
                c.args.join(" "),
            ),
            _ => continue,
        };
        count += 1;
        let _ = list
            .0
            .append_child(&seek_item(index, placed.at_ms - start, class, &text).0);
    }
    if count == 0 {
        let _ = panel
            .append_child(&el::text("p", "empty", "No console output or errors were recorded.").0);
    }
    let _ = panel.append_child(&list.0);
}

/// Every URL the session visited, in order.
pub fn pages(panel: &Element, timeline: &Timeline) {
    el::clear(panel);
    let (start, _) = timeline.bounds();
    let list = El::new("ol").class("log");
    let mut last: Option<&str> = None;
    for (index, placed) in timeline.events.iter().enumerate() {
        let url = match &placed.event.data {
            EventData::Meta(m) => m.url.as_str(),
            EventData::Navigation(n) => n.url.as_str(),
            _ => continue,
        };
        if last == Some(url) {
            continue;
        }
        last = Some(url);
        let _ = list
            .0
            .append_child(&seek_item(index, placed.at_ms - start, "page", url).0);
    }
    let _ = panel.append_child(&list.0);
}

/// The user the app identified, its traits, and the device.
pub fn user(panel: &Element, timeline: &Timeline) {
    el::clear(panel);
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut identified = false;
    for placed in &timeline.events {
        if let EventData::Identify(identify) = &placed.event.data {
            identified = true;
            rows.retain(|(k, _)| k != "user id" && !k.starts_with("trait "));
            rows.push(("user id".into(), identify.user_id.clone()));
            for (key, value) in &identify.traits {
                rows.push((
                    format!("trait {key}"),
                    serde_json::to_string(value).unwrap_or_default(),
                ));
            }
        }
    }
    if !identified {
        rows.push(("user id".into(), "not identified".into()));
    }
    if let Some(meta) = timeline.events.iter().find_map(|e| match &e.event.data {
        EventData::Meta(m) => Some(m),
        _ => None,
    }) {
        rows.push(("browser".into(), meta.user_agent.clone()));
        rows.push((
            "viewport".into(),
            format!("{} × {}", meta.width, meta.height),
        ));
    }
    let (start, end) = timeline.bounds();
    rows.push(("started".into(), time::utc(start)));
    rows.push(("duration".into(), time::clock(end - start)));
    rows.push(("events".into(), timeline.events.len().to_string()));
    let table = El::new("dl").class("facts").children(
        rows.iter()
            .flat_map(|(k, v)| [el::text("dt", "", k), el::text("dd", "", v)]),
    );
    let _ = panel.append_child(&table.0);
}

fn seek_item(index: usize, offset_ms: i64, class: &str, text: &str) -> El {
    El::new("li").class(class).child(
        El::new("button")
            .attr("type", "button")
            .class("seek")
            .attr("data-event", &index.to_string())
            .children([
                el::text("time", "", &time::clock(offset_ms)),
                el::text("span", "", text),
            ]),
    )
}
