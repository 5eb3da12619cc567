//! Reading the page: node ids, privacy decisions, snapshots, mutations and the event
//! observers. Everything here turns live DOM into already-masked protocol values.

mod ids;
pub(crate) mod mutations;
pub(crate) mod observers;
mod page_privacy;
pub(crate) mod serialize;
pub(crate) mod snapshot;
pub(crate) mod stylesheets;

pub(crate) use ids::NodeIds;
pub(crate) use page_privacy::PagePrivacy;
