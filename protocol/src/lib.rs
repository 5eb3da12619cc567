//! Affidavit's wire format: the recorded events, the batch envelope that carries them, and the
//! MessagePack + zstd codec with the [`Limits`] an untrusted batch is decoded under.
//!
//! # The key design decision: integer tags and positional arrays
//!
//! Every enum on the wire is a small integer chosen explicitly in one table beside its
//! variants (see [`EventKind`]), and every struct is a MessagePack array of its fields in
//! declaration order. A batch holds no field or variant names. That keeps batches small (a
//! click is 17 bytes before compression, 9 of them its timestamp, where rrweb's JSON takes
//! 88) and keeps the format stable: renaming a Rust field or reordering variants cannot
//! move a byte, and the golden fixture in `testdata/` fails if anything else does. The cost
//! is that a reader must know the layout, so every type documents its own
//! (`Wire layout: …`) and [`FORMAT_VERSION`] changes whenever one does. See
//! `docs/decisions/0002-wire-format.md`.
//!
//! The server hashes a batch's bytes exactly as received, and nothing in Affidavit re-encodes
//! a decoded batch to hash or verify it. So the encoding does not have to be canonical for
//! the audit trail to hold; it is deterministic all the same (one batch, one byte string).
//!
//! # Decoding untrusted bytes
//!
//! [`decode_batch`] enforces each limit before the thing it bounds is built: the compressed
//! size; the decompressed size, by streaming zstd and stopping at the limit; then, before
//! serde sees anything, a non-recursive walk over the raw MessagePack checking the format
//! version, nesting depth, string sizes, declared lengths, event count and trailing bytes;
//! then deserialization, whose recursion that walk has bounded (node trees are flat on the
//! wire, so DOM depth costs no stack); then [`Batch::validate`], which checks tree depth.
//!
//! # Rearranging batches without decoding them
//!
//! [`read_raw_batch`] reads an uncompressed batch's envelope and each event's byte range
//! under the same limits, and [`RawBatch::encode_uncompressed`] writes a batch from a
//! header and any of those events, byte for byte as [`encode_batch`] would. The recorder
//! splits and renumbers its queued batches that way, so its build carries no decoder.
//!
//! This crate does no I/O and builds for `wasm32-unknown-unknown`: the recorder encodes with
//! it and the viewer decodes with it.

mod wire;

pub mod api;
pub mod frames;

mod app;
mod codec;
mod envelope;
mod error;
mod event;
mod incremental;
mod limits;
mod mutation;
mod page;
mod pairs;
mod prescan;
mod raw;
mod snapshot;
mod stylesheet;
mod tree;
mod value;

pub use app::{ConsoleLevel, ConsoleMessage, Identify, JsError, Track};
pub use codec::{
    compress, decode_batch, decode_batch_uncompressed, decompress, encode_batch,
    encode_batch_uncompressed,
};
pub use envelope::{Batch, BindingError, FORMAT_VERSION};
pub use error::{DecodeError, EncodeError};
pub use event::{Event, EventData, EventKind};
pub use incremental::{
    Input, InputValue, InputValueKind, InteractionKind, MediaInteraction, MediaKind,
    MouseInteraction, PointerMove, PointerPosition, Scroll, Selection, SelectionRange,
    ViewportResize,
};
pub use limits::{Limits, MAX_NESTING};
pub use mutation::{AddedNode, AttributeChange, Mutation, RemovedNode, TextChange};
pub use page::{Marker, MarkerKind, Meta, Navigation, NavigationKind, PageState};
pub use raw::{RawBatch, RawEvent, encode_raw_batch_uncompressed, read_raw_batch};
pub use snapshot::{Element, FullSnapshot, Node, NodeData, NodeId, NodeKind};
pub use stylesheet::{
    AdoptedStyleSheets, ConstructedSheet, RuleChange, RuleChangeKind, RuleInsert, StyleSheetId,
    StyleSheetIdKind, StyleSheetRule,
};
pub use value::Value;
