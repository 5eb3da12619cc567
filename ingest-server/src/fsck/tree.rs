//! Pass 2: the tree, rebuilt from the recomputed leaf hashes in log order, against
//! the stored nodes, every stored checkpoint and the published checkpoint.

use std::collections::{BTreeMap, HashMap, HashSet};

use ledger::Hash;
use ledger::checkpoint::LogVerifier;
use ledger::tree::{Frontier, NodeId};
use uuid::Uuid;

use super::{Finding, Report, finding};
use crate::storage::{Storage, StorageError};

const PAGE: u32 = 2000;

/// A root the rebuilt tree must reproduce, and where the claim came from.
struct Expected {
    root: Hash,
    source: &'static str,
    /// The check a broken claim fails: "checkpoint" for the stored ones,
    /// "published" for the copy kept outside the database (rollback detection).
    check: &'static str,
}

pub async fn check(
    store: &dyn Storage,
    verifier: &LogVerifier,
    leaves: &HashMap<(Uuid, u64), Hash>,
    queued: &HashSet<(Uuid, u64)>,
    published_note: Option<&str>,
    report: &mut Report,
) -> Result<(), StorageError> {
    let expected = expected_roots(store, verifier, published_note, report).await?;

    let mut frontier = Frontier::new();
    let mut in_tree = HashSet::new();
    let mut last_good_size = 0u64;
    'pages: loop {
        let page = store.leaves(frontier.size(), PAGE).await?;
        if page.is_empty() {
            break;
        }
        let mut completed = Vec::with_capacity(page.len() * 2);
        for row in page {
            let index = frontier.size();
            if row.log_index != index {
                report.findings.push(at(
                    index,
                    format!(
                        "the leaves jump from index {index} to {}: leaves are missing",
                        row.log_index
                    ),
                ));
                break 'pages;
            }
            let key = (row.session, row.session_seq);
            let leaf = match leaves.get(&key) {
                Some(h) => {
                    if row.leaf_hash != h.0 {
                        report.findings.push(Finding {
                            session: Some(row.session),
                            session_seq: Some(row.session_seq),
                            ..at(
                                index,
                                "the stored leaf hash differs from the hash of the entry it names"
                                    .into(),
                            )
                        });
                    }
                    *h
                }
                None => {
                    report.findings.push(Finding {
                        session: Some(row.session),
                        session_seq: Some(row.session_seq),
                        ..at(
                            index,
                            "the leaf names an entry that is missing or does not decode".into(),
                        )
                    });
                    Hash::from_slice(&row.leaf_hash).unwrap_or_default()
                }
            };
            if !in_tree.insert(key) {
                report.findings.push(at(
                    index,
                    format!("entry {} of session {} is in the tree twice", key.1, key.0),
                ));
            }
            completed.extend(frontier.append(leaf));
            if let Some(claims) = expected.get(&frontier.size()) {
                let root = frontier.root();
                for claim in claims {
                    if claim.root == root {
                        last_good_size = frontier.size();
                    } else {
                        report.findings.push(finding(
                            claim.check,
                            format!(
                                "the {} of size {} has root {}, the entries give {root}: an entry between log index {last_good_size} and {} was changed, removed, reordered or inserted",
                                claim.source,
                                frontier.size(),
                                claim.root,
                                frontier.size() - 1
                            ),
                        ));
                    }
                }
            }
        }
        compare_nodes(store, &completed, report).await?;
    }
    report.tree_size = frontier.size();
    for (size, claims) in expected.range(frontier.size() + 1..) {
        for claim in claims {
            // Located at the first leaf the signed claim covers but the tree lacks.
            report.findings.push(Finding {
                log_index: Some(frontier.size()),
                ..finding(
                    claim.check,
                    format!(
                        "the {} covers {size} entries but the tree holds only {}: the log was truncated or rolled back",
                        claim.source,
                        frontier.size()
                    ),
                )
            });
        }
    }
    let mut orphans: Vec<&(Uuid, u64)> = leaves
        .keys()
        .filter(|k| !in_tree.contains(*k) && !queued.contains(*k))
        .collect();
    orphans.sort();
    for (session, seq) in orphans {
        report.findings.push(Finding {
            check: "tree",
            session: Some(*session),
            session_seq: Some(*seq),
            log_index: None,
            message:
                "the entry is neither in the tree nor queued for it (inserted outside the server?)"
                    .into(),
        });
    }
    Ok(())
}

/// Every stored checkpoint and the published one, verified, by size.
async fn expected_roots(
    store: &dyn Storage,
    verifier: &LogVerifier,
    published_note: Option<&str>,
    report: &mut Report,
) -> Result<BTreeMap<u64, Vec<Expected>>, StorageError> {
    let mut expected: BTreeMap<u64, Vec<Expected>> = BTreeMap::new();
    let checkpoints = store.checkpoints().await?;
    report.checkpoints = checkpoints.len() as u64;
    report.latest_checkpoint = checkpoints.last().map(|c| c.size);
    for stored in checkpoints {
        match verifier.verify(&stored.note) {
            Ok(c) if c.size == stored.size && c.root == stored.root => {
                expected.entry(c.size).or_default().push(Expected { root: c.root, source: "checkpoint", check: "checkpoint" });
            }
            Ok(c) => report.findings.push(finding(
                "checkpoint",
                format!("the checkpoint row of size {} says root {}, its signed note says size {} root {}", stored.size, stored.root, c.size, c.root),
            )),
            Err(e) => report.findings.push(finding("checkpoint", format!("the checkpoint of size {} does not verify: {e}", stored.size))),
        }
    }
    match published_note.map(|n| verifier.verify(n)) {
        None => {}
        Some(Ok(c)) => {
            report.published = Some(c.size);
            expected.entry(c.size).or_default().push(Expected {
                root: c.root,
                source: "published checkpoint",
                check: "published",
            });
        }
        Some(Err(e)) => report.findings.push(finding(
            "published",
            format!("the published checkpoint does not verify: {e}"),
        )),
    }
    Ok(expected)
}

/// Stored nodes are what proofs are built from; a wrong one means wrong proofs.
async fn compare_nodes(
    store: &dyn Storage,
    completed: &[(NodeId, Hash)],
    report: &mut Report,
) -> Result<(), StorageError> {
    let ids: Vec<NodeId> = completed.iter().map(|(id, _)| *id).collect();
    let stored = store.nodes(&ids).await?;
    for (id, hash) in completed {
        let problem = match stored.get(id) {
            Some(s) if s == hash => continue,
            Some(s) => format!(
                "stored tree node (level {}, index {}) is {s}, the entries give {hash}",
                id.level, id.index
            ),
            None => format!(
                "tree node (level {}, index {}) is missing",
                id.level, id.index
            ),
        };
        report.findings.push(Finding {
            log_index: Some(id.begin()),
            ..finding("tree", problem)
        });
    }
    Ok(())
}

fn at(index: u64, message: String) -> Finding {
    Finding {
        check: "tree",
        session: None,
        session_seq: None,
        log_index: Some(index),
        message,
    }
}
