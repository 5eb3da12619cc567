-- Defence in depth: refuse UPDATE and DELETE on the log tables. Whoever owns the
-- file can drop these triggers; what makes tampering evident is the hash chain,
-- the Merkle tree and the signed checkpoints, not this.

CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries BEGIN SELECT RAISE(ABORT, 'append-only: entries cannot be updated'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries BEGIN SELECT RAISE(ABORT, 'append-only: entries cannot be deleted'); END;

CREATE TRIGGER payloads_no_update BEFORE UPDATE ON payloads BEGIN SELECT RAISE(ABORT, 'append-only: payloads cannot be updated'); END;
CREATE TRIGGER payloads_no_delete BEFORE DELETE ON payloads BEGIN SELECT RAISE(ABORT, 'append-only: payloads cannot be deleted'); END;

CREATE TRIGGER tree_leaves_no_update BEFORE UPDATE ON tree_leaves BEGIN SELECT RAISE(ABORT, 'append-only: tree_leaves cannot be updated'); END;
CREATE TRIGGER tree_leaves_no_delete BEFORE DELETE ON tree_leaves BEGIN SELECT RAISE(ABORT, 'append-only: tree_leaves cannot be deleted'); END;

CREATE TRIGGER tree_nodes_no_update BEFORE UPDATE ON tree_nodes BEGIN SELECT RAISE(ABORT, 'append-only: tree_nodes cannot be updated'); END;
CREATE TRIGGER tree_nodes_no_delete BEFORE DELETE ON tree_nodes BEGIN SELECT RAISE(ABORT, 'append-only: tree_nodes cannot be deleted'); END;

CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints BEGIN SELECT RAISE(ABORT, 'append-only: checkpoints cannot be updated'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints BEGIN SELECT RAISE(ABORT, 'append-only: checkpoints cannot be deleted'); END;

CREATE TRIGGER ingest_conflicts_no_update BEFORE UPDATE ON ingest_conflicts BEGIN SELECT RAISE(ABORT, 'append-only: ingest_conflicts cannot be updated'); END;
CREATE TRIGGER ingest_conflicts_no_delete BEFORE DELETE ON ingest_conflicts BEGIN SELECT RAISE(ABORT, 'append-only: ingest_conflicts cannot be deleted'); END;

CREATE TRIGGER queue_rejections_no_update BEFORE UPDATE ON queue_rejections BEGIN SELECT RAISE(ABORT, 'append-only: queue_rejections cannot be updated'); END;
CREATE TRIGGER queue_rejections_no_delete BEFORE DELETE ON queue_rejections BEGIN SELECT RAISE(ABORT, 'append-only: queue_rejections cannot be deleted'); END;
