//! Affidavit's browser recorder: DOM capture, masking, batching and transport.
//!
//! # The key design decision: the page's data is masked in Rust, before it is an event
//!
//! Every value read from the DOM passes through [`privacy`] on its way into a
//! [`protocol::Event`]: there is no "raw" event that a later stage masks, so no code path can
//! serialize, persist or send a value that was not masked first. The browser-facing code in
//! [`dom`] and [`transport`] is thin; the decisions (what is sensitive, when to flush, how to
//! split, when to retry, when to give up) live in plain Rust modules ([`privacy`],
//! [`batching`], [`guard`]) that are unit-tested natively without a browser.
//!
//! The recorder never throws into the host page: every callback the page can reach catches
//! its own failures and reports them once to the console.

pub mod batching;
pub mod css_urls;
pub mod guard;
pub mod id_allocator;
pub mod options;
pub mod privacy;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod dom;
#[cfg(target_arch = "wasm32")]
mod recorder;
#[cfg(target_arch = "wasm32")]
mod transport;
