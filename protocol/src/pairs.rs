//! `Vec<(String, V)>` encoded as a MessagePack map.
//!
//! A map costs one header for the whole list instead of a two-element array per pair. The Rust
//! side stays a `Vec` so order is kept and duplicate keys survive a round trip: the format
//! records what the page had, and a recorder that sends a key twice gets the same list back.

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::fmt;
use std::marker::PhantomData;

/// Caps pre-allocation from a declared length; the prescan has already checked lengths
/// against the input size, this only keeps one bogus header from reserving a lot up front.
const MAX_PREALLOCATED_PAIRS: usize = 1024;

/// For `#[serde(serialize_with = "crate::pairs::serialize")]`.
pub(crate) fn serialize<S: Serializer, V: Serialize>(
    pairs: &[(String, V)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(pairs.len()))?;
    for (key, value) in pairs {
        map.serialize_entry(key, value)?;
    }
    map.end()
}

/// For `#[serde(deserialize_with = "crate::pairs::deserialize")]`.
pub(crate) fn deserialize<'de, D, V>(deserializer: D) -> Result<Vec<(String, V)>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    deserializer.deserialize_map(PairsVisitor(PhantomData))
}

/// Collects a map's entries in order; shared with [`crate::Value`]'s visitor.
pub(crate) fn collect<'de, A, V>(mut map: A) -> Result<Vec<(String, V)>, A::Error>
where
    A: MapAccess<'de>,
    V: Deserialize<'de>,
{
    let capacity = map.size_hint().unwrap_or(0).min(MAX_PREALLOCATED_PAIRS);
    let mut pairs = Vec::with_capacity(capacity);
    while let Some(entry) = map.next_entry()? {
        pairs.push(entry);
    }
    Ok(pairs)
}

/// Borrowing wrapper, for writing pairs as one element of a hand-written array.
pub(crate) struct AsMap<'a, V>(pub &'a [(String, V)]);

impl<V: Serialize> Serialize for AsMap<'_, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize(self.0, serializer)
    }
}

/// Owning wrapper, for reading pairs as one element of a hand-written array.
pub(crate) struct Pairs<V>(pub Vec<(String, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Pairs<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize(deserializer).map(Pairs)
    }
}

struct PairsVisitor<V>(PhantomData<V>);

impl<'de, V: Deserialize<'de>> Visitor<'de> for PairsVisitor<V> {
    type Value = Vec<(String, V)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map with string keys")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        collect(map)
    }
}
