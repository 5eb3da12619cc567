//! Turning runs into a Markdown table, a verdict on the issue's goals, and the
//! "Ingest" section of BENCHMARKS.md.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use crate::flags::Target;
use crate::load::Outcome;

/// Affidavit on PostgreSQL must beat raw single-row inserts by this factor…
pub const GOAL_RATIO: f64 = 1.5;
/// …with this p99, in ms.
pub const GOAL_P99_MS: f64 = 50.0;

#[derive(Debug)]
pub struct Row {
    pub target: Target,
    pub sessions: usize,
    /// `None`: closed loop.
    pub pace_ms: Option<u64>,
    pub outcome: Outcome,
    /// Affidavit only: mean batches per commit, largest integrator backlog seen,
    /// and seconds from the last receipt until the tree covered everything.
    pub mean_group: Option<f64>,
    pub max_pending: Option<f64>,
    pub catch_up_s: Option<f64>,
}

impl Row {
    pub fn p(&mut self, q: f64) -> f64 {
        let l = &mut self.outcome.latencies_us;
        if l.is_empty() {
            return f64::NAN;
        }
        l.sort_unstable();
        let at = ((l.len() as f64 * q).ceil() as usize).clamp(1, l.len()) - 1;
        f64::from(l[at]) / 1000.0
    }
}

/// The raw reference run with the same sessions and pacing as `row`.
fn reference<'a>(rows: &'a [Row], row: &Row) -> Option<&'a Row> {
    rows.iter().find(|r| {
        r.target == Target::RawPg && r.sessions == row.sessions && r.pace_ms == row.pace_ms
    })
}

pub fn table(rows: &mut [Row]) -> String {
    let mut out = String::from(
        "| target | sessions | load | batches/s | MB/s | p50 ms | p99 ms | errors | batches/commit | max pending | tree catch-up s | vs raw |\n\
         | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for i in 0..rows.len() {
        let (p50, p99) = (rows[i].p(0.50), rows[i].p(0.99));
        let row = &rows[i];
        // Paced runs offer the same load to both, so only closed loops compare.
        let ratio = match (row.target, row.pace_ms, reference(rows, row)) {
            (Target::AffidavitPg, None, Some(raw)) => {
                format!("{:.2}×", row.outcome.rate() / raw.outcome.rate())
            }
            _ => "".into(),
        };
        let load = row
            .pace_ms
            .map_or("closed loop".into(), |p| format!("1 per {p} ms"));
        let opt =
            |v: Option<f64>, digits: usize| v.map_or(String::new(), |v| format!("{v:.digits$}"));
        let _ = writeln!(
            out,
            "| {} | {} | {load} | {:.0} | {:.1} | {p50:.1} | {p99:.1} | {} | {} | {} | {} | {ratio} |",
            row.target.label(),
            row.sessions,
            row.outcome.rate(),
            row.outcome.mb_per_s(),
            row.outcome.error_count(),
            opt(row.mean_group, 1),
            opt(row.max_pending, 0),
            opt(row.catch_up_s, 2),
        );
    }
    out
}

/// One line per goal, per Affidavit-on-PostgreSQL run: met, or missed by how much.
pub fn verdict(rows: &mut [Row]) -> String {
    let mut out = String::new();
    for i in 0..rows.len() {
        let p99 = rows[i].p(0.99);
        let row = &rows[i];
        if row.target != Target::AffidavitPg {
            continue;
        }
        let load = row
            .pace_ms
            .map_or("closed loop".into(), |p| format!("paced 1 per {p} ms"));
        if let (None, Some(raw)) = (row.pace_ms, reference(rows, row)) {
            let ratio = row.outcome.rate() / raw.outcome.rate();
            let _ = writeln!(
                out,
                "- {} sessions, {load}: throughput {:.2}× raw — {}",
                row.sessions,
                ratio,
                if ratio >= GOAL_RATIO {
                    "goal (≥ 1.5×) met".to_owned()
                } else {
                    format!(
                        "goal (≥ 1.5×) missed by {:.0}%",
                        (1.0 - ratio / GOAL_RATIO) * 100.0
                    )
                }
            );
        }
        let _ = writeln!(
            out,
            "- {} sessions, {load}: p99 {p99:.1} ms — {}",
            row.sessions,
            if p99 <= GOAL_P99_MS {
                "goal (≤ 50 ms) met".to_owned()
            } else {
                format!("goal (≤ 50 ms) missed by {:.0} ms", p99 - GOAL_P99_MS)
            }
        );
    }
    out
}

/// Where and when: CPU, cores, memory, kernel, PostgreSQL, commit, date.
pub fn machine(postgres_version: &str) -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .and_then(|r| r.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    let run = |cmd: &str, args: &[&str]| {
        Command::new(cmd)
            .args(args)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    let dirty = if run("git", &["status", "--porcelain", "--untracked-files=no"]).is_empty() {
        ""
    } else {
        " + local changes"
    };
    format!(
        "{cpu}, {cores} cores, {mem_gib:.0} GiB, Linux {}, {postgres_version}; commit {}{dirty}; {} UTC",
        run("uname", &["-r"]),
        run("git", &["rev-parse", "--short", "HEAD"]),
        run("date", &["-u", "+%Y-%m-%d %H:%M"]),
    )
}

const BEGIN: &str = "<!-- ingest:begin (written by the ingest bench; edit outside these marks) -->";
const END: &str = "<!-- ingest:end -->";

/// Replaces the generated part of BENCHMARKS.md's "## Ingest" section with
/// `generated`, keeping any hand-written text around it; creates what is missing.
pub fn write_benchmarks(path: &Path, generated: &str) -> std::io::Result<()> {
    let block = format!("{BEGIN}\n{generated}{END}");
    let old = std::fs::read_to_string(path).unwrap_or_else(|_| {
        "# Benchmarks\n\nEach section: the exact command, the machine, the results and what they mean. \
         Speed goals are checked here, never in timed tests.\n"
            .into()
    });
    let new = match (old.find(BEGIN), old.find(END)) {
        // Exactly the marked region changes, so reruns keep the text around it.
        (Some(b), Some(e)) if b < e => format!("{}{block}{}", &old[..b], &old[e + END.len()..]),
        _ => format!(
            "{}\n## Ingest\n\n{block}\n",
            old.trim_end_matches('\n').to_owned() + "\n"
        ),
    };
    std::fs::write(path, new)
}
