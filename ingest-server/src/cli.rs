//! The `affidavit` command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use uuid::Uuid;

#[derive(Debug, Parser)]
#[command(
    name = "affidavit",
    version,
    about = "Tamper-evident session replay: ingest server, audit log and verifier"
)]
pub struct Cli {
    /// TOML configuration file (settings can also come from AFFIDAVIT_… variables).
    #[arg(long, global = true, env = "AFFIDAVIT_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the ingest server and the integrator.
    Serve {
        /// Override http.bind.
        #[arg(long)]
        bind: Option<SocketAddr>,
        /// Create a `demo` project for this server's own origin and print how to use it.
        #[arg(long)]
        demo: bool,
    },
    /// Create the log signing key in the data directory and print the public key.
    Keygen {
        /// Replace an existing key (old checkpoints will no longer verify with the new key).
        #[arg(long)]
        force: bool,
    },
    /// Print the effective settings (defaults, file and environment merged) as TOML,
    /// with secrets redacted.
    Config,
    /// Manage projects (the sites that send recordings).
    Project {
        #[command(subcommand)]
        action: ProjectCommand,
    },
    /// Manage the people who may use the viewer.
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Inspect recorded sessions, or rebuild their search index (nothing here writes to
    /// the log; safe beside a running server).
    Session {
        #[command(subcommand)]
        action: SessionCommand,
    },
    /// Decode one batch body (a zstd frame, as a recorder sends or persists it) read from
    /// standard input, and print it as one JSON line like `session dump`'s. Reads no
    /// database.
    Decode {
        /// Print the decompressed MessagePack bytes instead, without decoding them.
        #[arg(long)]
        raw: bool,
    },
    /// Check an evidence bundle (from GET /v1/sessions/{id}/export) offline, with no
    /// server and no database: the checkpoint signature against the pinned key, every
    /// entry and payload hash, the chain, inclusion proofs and the export's own entry.
    /// Prints each check; exits 0 when all pass, 1 when any fails, 2 when it cannot run.
    Verify {
        /// The .affidavit file.
        bundle: PathBuf,
        /// The log's public key, pinned out of band (name+keyid+base64, or a file
        /// holding it). Never taken from the bundle.
        #[arg(long)]
        log_key: String,
        /// A checkpoint of the same log seen earlier: the bundle's tree must extend it.
        #[arg(long)]
        known_checkpoint: Option<PathBuf>,
        /// After a pass, store the bundle's checkpoint in --known-checkpoint when it is
        /// newer (the file may not exist yet), so later bundles are checked against it.
        #[arg(long, requires = "known_checkpoint")]
        remember: bool,
        /// Refuse bundles larger than this (they are read into memory).
        #[arg(long, default_value_t = 1 << 32)]
        max_bytes: u64,
    },
    /// Check the whole log: payload hashes, entries, session chains, the tree and
    /// every checkpoint, against the pinned log key. Exits non-zero on any failure.
    Fsck {
        /// The log's public key (name+keyid+base64, or a file holding it). Defaults
        /// to the data directory's log-signing.pub.
        #[arg(long)]
        log_key: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProjectCommand {
    /// Create a project and print its write key.
    Add {
        /// Project id: 1-64 of a-z, 0-9, - and _.
        id: String,
        /// Display name (defaults to the id).
        #[arg(long)]
        name: Option<String>,
        /// An origin allowed to send batches (repeatable), e.g. https://shop.example, or *.
        #[arg(long = "origin")]
        origins: Vec<String>,
    },
    /// List projects with their write keys, allowed origins and retention.
    List,
    /// Keep a project's recordings DAYS days after they start, then erase them
    /// (their data keys are destroyed; the log keeps verifying); `never` keeps them.
    SetRetention {
        project: String,
        /// A whole number of days (1-36500), or `never`.
        days: String,
        /// Who is doing it, for the record (defaults to $USER); the entry's actor is `cli:NAME`.
        #[arg(long = "as")]
        operator: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. The password is read from standard input with
    /// --password-stdin, else generated and printed once.
    Add {
        /// 1-64 of a-z, 0-9, '.', '_', '-' and '@'.
        name: String,
        /// admin, reviewer or support.
        #[arg(long, default_value = "support")]
        role: String,
        /// Read the password (first line) from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users: name, role, whether disabled, created (Unix ms).
    List,
}

#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// List sessions: id, project, batch count, payload bytes, first and last batch (Unix ms).
    List,
    /// Print a session's batches in seq order, decoded, one JSON line each:
    /// {"seq":N,"events":[{"kind":"meta","ts":…,"data":{…}},…]}.
    Dump {
        /// The session id (a UUID, as `session list` prints it).
        session_id: Uuid,
    },
    /// Erase a recording: destroy its data key and commit a `session_erased` entry
    /// (decision 0016). Its payloads become unreadable; the log still verifies.
    Erase {
        /// The session id.
        session_id: Uuid,
        /// The request or policy this carries out (1-500 characters), kept in the entry.
        #[arg(long)]
        reason: String,
        /// Who is doing it, for the record (defaults to $USER); the entry's actor is `cli:NAME`.
        #[arg(long = "as")]
        operator: Option<String>,
    },
    /// Drop the session index (what `GET /v1/sessions` searches) and rebuild it from
    /// the stored batches, e.g. after raising ingest.limits or changing indexer.* settings.
    Reindex,
}
