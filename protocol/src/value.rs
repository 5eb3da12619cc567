//! Free-form application data (`track` data, `identify` traits) as native MessagePack values.
//!
//! This is the only untyped corner of the format, and it is deliberately small: no bytes,
//! no extension types, no unsigned integers above `i64::MAX`, string keys only. Anything an
//! app can put in a JSON object fits, and nothing else does, so the viewer can show it as JSON.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeSeq, Serializer};
use std::fmt;

/// Caps pre-allocation from a declared array length (see `pairs.rs`).
const MAX_PREALLOCATED_ITEMS: usize = 1024;

/// A JSON-like value, encoded as the corresponding MessagePack type.
///
/// `Map` keeps insertion order and duplicate keys, exactly as sent.
/// Floats are always written as float64; a float32 on the wire is widened when read.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Array(Vec<Value>),
    Map(Vec<(String, Value)>),
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(i) => serializer.serialize_i64(*i),
            Value::Float(f) => serializer.serialize_f64(*f),
            Value::String(s) => serializer.serialize_str(s),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Map(pairs) => crate::pairs::serialize(pairs, serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("nil, a bool, an integer in i64 range, a float, a string, an array or a map with string keys")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::Int)
            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items =
            Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX_PREALLOCATED_ITEMS));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        crate::pairs::collect(map).map(Value::Map)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::String(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::String(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(value: &Value) -> Value {
        let bytes = rmp_serde::to_vec(value).expect("encode");
        rmp_serde::from_slice(&bytes).expect("decode")
    }

    #[test]
    fn encodes_as_native_msgpack() {
        let value = Value::Map(vec![
            ("a".into(), Value::Int(1)),
            (
                "b".into(),
                Value::Array(vec![Value::Null, Value::Bool(true)]),
            ),
        ]);
        let bytes = rmp_serde::to_vec(&value).expect("encode");
        // fixmap(2) "a" 1 "b" fixarray(2) nil true
        assert_eq!(
            bytes,
            [0x82, 0xa1, b'a', 0x01, 0xa1, b'b', 0x92, 0xc0, 0xc3]
        );
        assert_eq!(round_trip(&value), value);
    }

    #[test]
    fn keeps_duplicate_keys_in_order() {
        let value = Value::Map(vec![
            ("k".into(), Value::Int(2)),
            ("k".into(), Value::Int(1)),
        ]);
        assert_eq!(round_trip(&value), value);
    }

    #[test]
    fn rejects_integers_beyond_i64() {
        let bytes = rmp_serde::to_vec(&u64::MAX).expect("encode");
        assert!(rmp_serde::from_slice::<Value>(&bytes).is_err());
    }

    #[test]
    fn rejects_binary() {
        let bytes = rmp_serde::to_vec(&serde_bytes::Bytes::new(b"x")).expect("encode");
        assert!(rmp_serde::from_slice::<Value>(&bytes).is_err());
    }

    #[test]
    fn widens_float32() {
        let bytes = rmp_serde::to_vec(&1.5f32).expect("encode");
        assert_eq!(
            rmp_serde::from_slice::<Value>(&bytes).expect("decode"),
            Value::Float(1.5)
        );
    }
}
