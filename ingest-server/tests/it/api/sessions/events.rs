//! Recorded events as the recorder sends them, for the session index tests.

use protocol::{
    AddedNode, Batch, Event, EventData, Identify, InteractionKind, JsError, Meta, MouseInteraction,
    Mutation, Navigation, NavigationKind, Node, NodeData, NodeId, Track, Value,
};
use uuid::Uuid;

use crate::api::harness::{ORIGIN, PROJECT, SITE, TestApp};
use ingest_server::seal::EntrySeal;
use ingest_server::storage::{AppendBatch, AppendOutcome, NewProject};
use ledger::checkpoint::LogSigner;

/// When every test session starts; event times are offsets from it.
pub const T0: i64 = 1_700_000_000_000;

pub fn meta(at: i64, url: &str) -> Event {
    Event::new(
        T0 + at,
        EventData::Meta(Meta {
            url: url.into(),
            width: 1280,
            height: 720,
            user_agent: "affidavit-tests".into(),
        }),
    )
}

pub fn nav(at: i64, url: &str) -> Event {
    Event::new(
        T0 + at,
        EventData::Navigation(Navigation {
            kind: NavigationKind::Push,
            url: url.into(),
        }),
    )
}

pub fn click(at: i64, target: u32) -> Event {
    Event::new(
        T0 + at,
        EventData::MouseInteraction(MouseInteraction {
            kind: InteractionKind::Click,
            target: NodeId(target),
            x: 10,
            y: 10,
        }),
    )
}

pub fn mutation(at: i64) -> Event {
    Event::new(
        T0 + at,
        EventData::Mutation(Mutation {
            adds: vec![AddedNode {
                parent: NodeId(1),
                next_sibling: None,
                node: Node {
                    id: NodeId(1000 + u32::try_from(at).unwrap_or(0)),
                    data: NodeData::Text("updated".into()),
                },
            }],
            removes: vec![],
            texts: vec![],
            attributes: vec![],
        }),
    )
}

pub fn error(at: i64) -> Event {
    Event::new(
        T0 + at,
        EventData::Error(JsError {
            message: "TypeError: x is undefined".into(),
            source: Some("https://shop.example/app.js".into()),
            line: 1,
            column: 2,
            stack: None,
            unhandled_rejection: false,
        }),
    )
}

pub fn track(at: i64, name: &str) -> Event {
    Event::new(
        T0 + at,
        EventData::Track(Track {
            name: name.into(),
            data: Value::Map(vec![("total".into(), Value::Int(42))]),
        }),
    )
}

pub fn identify(at: i64, user: &str, traits: &[(&str, &str)]) -> Event {
    Event::new(
        T0 + at,
        EventData::Identify(Identify {
            user_id: user.into(),
            traits: traits
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
                .collect(),
        }),
    )
}

/// One batch, encoded as the recorder sends it.
pub fn encode(project: &str, session: Uuid, seq: u64, events: Vec<Event>) -> Vec<u8> {
    protocol::encode_batch(&Batch::new(project, session, seq, T0, events), 3)
        .expect("batch encodes")
}

/// Posts a session's batches (seq 0, 1, …) to the test project, each accepted.
pub async fn record(app: &TestApp, session: Uuid, batches: Vec<Vec<Event>>) {
    record_with_key(app, &app.key, session, batches).await;
}

/// As [`record`], with another project's write key.
pub async fn record_with_key(app: &TestApp, key: &str, session: Uuid, batches: Vec<Vec<Event>>) {
    for (seq, events) in batches.into_iter().enumerate() {
        let response = app
            .client
            .post(format!("{}/v1/ingest", app.base))
            .header("X-Affidavit-Key", key)
            .header("Content-Type", "application/octet-stream")
            .body(encode("", session, seq as u64, events))
            .send()
            .await
            .expect("request is sent");
        assert_eq!(response.status(), 200, "batch {seq} of {session}");
    }
}

/// Creates another project; returns its write key.
pub async fn add_project(app: &TestApp, id: &str) -> String {
    assert_ne!(id, PROJECT);
    app.store
        .create_project(&NewProject {
            id: id.into(),
            name: id.into(),
            write_key: format!("awk_test_{}", Uuid::new_v4().simple()),
            allowed_origins: vec![SITE.into()],
            created_at_ms: 1,
        })
        .await
        .expect("project")
        .write_key
}

/// The seal of the app's own signing key, as the ingest path puts on entries.
pub fn server_seal(app: &TestApp) -> EntrySeal {
    let signer = ingest_server::keys::load(app.data_dir.path()).expect("signing key");
    EntrySeal::from_signer(&signer)
}

/// A key that is not the server's: entries sealed with it are refused by the integrator.
pub fn foreign_signer() -> LogSigner {
    LogSigner::from_seed(ORIGIN, [9; 32]).expect("signing key")
}

/// Appends batch `seq` of `session` to the test project straight through the store,
/// `bytes` unchecked, as a bug or a tool writing around the ingest path could.
pub async fn append_directly(
    app: &TestApp,
    session: Uuid,
    seq: u64,
    bytes: Vec<u8>,
    seal: &EntrySeal,
) {
    let batch = AppendBatch {
        project: PROJECT.into(),
        session,
        seq,
        started_at_ms: T0,
        received_at_ms: ingest_server::clock::now_ms(),
        actor: format!("key:{PROJECT}"),
        event_count: 0,
        payload_hash: ledger::sha256(&bytes),
        bytes: bytes.into(),
    };
    let outcome = app
        .store
        .append_batches(ORIGIN, seal, &[batch])
        .await
        .expect("append");
    assert!(
        matches!(outcome[..], [AppendOutcome::Appended(_)]),
        "{outcome:?}"
    );
}
