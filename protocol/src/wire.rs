//! The two shapes every enum takes on the wire, written once so each type only lists its tags.
//!
//! * [`wire_enum!`] — a C-like enum encoded as its explicit `u8` tag (via `serde_repr`).
//! * [`tagged_enum!`] — an enum whose variants carry data, encoded as `[tag, payload]`, where
//!   the tag comes from a companion `wire_enum!`. The compiler checks that the two tables
//!   name the same variants, so a variant cannot exist without an explicit tag.
//!
//! Tags are written out next to each variant rather than derived from declaration order, so
//! reordering source code can never change the bytes.

use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeTuple, Serializer};
use std::fmt;
use std::marker::PhantomData;

/// Defines a C-like enum with explicit `u8` tags and a stable snake_case label per variant.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $tag:literal => $label:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde_repr::Serialize_repr, serde_repr::Deserialize_repr,
        )]
        #[repr(u8)]
        pub enum $name {
            $( $(#[$vmeta])* $variant = $tag, )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];

            /// The variant's tag on the wire.
            pub const fn tag(self) -> u8 {
                self as u8
            }

            /// The variant with this wire tag, if any.
            pub const fn from_tag(tag: u8) -> Option<Self> {
                match tag {
                    $( $tag => Some($name::$variant), )+
                    _ => None,
                }
            }

            /// A stable snake_case name, fit for metric labels and logs.
            pub const fn label(self) -> &'static str {
                match self {
                    $( $name::$variant => $label, )+
                }
            }
        }
    };
}
pub(crate) use wire_enum;

/// Defines a data-carrying enum whose tags are the variants of the `wire_enum!` `$kind`.
///
/// Only the payload helpers are generated; the type chooses its own array layout (most use
/// [`impl_tagged_serde!`] for `[tag, payload]`, [`crate::Event`] puts its timestamp between).
macro_rules! tagged_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident: $kind:ident {
            $( $(#[$vmeta:meta])* $variant:ident($payload:ty), )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub enum $name {
            $( $(#[$vmeta])* $variant($payload), )+
        }

        impl $name {
            /// Which variant this is; its tag is the first thing on the wire.
            pub const fn kind(&self) -> $kind {
                match self {
                    $( $name::$variant(_) => $kind::$variant, )+
                }
            }
        }

        impl $crate::wire::Tagged for $name {
            const KIND_NAME: &'static str = stringify!($kind);

            fn tag(&self) -> u8 {
                self.kind().tag()
            }

            fn serialize_payload<S: serde::ser::SerializeTuple>(
                &self,
                tuple: &mut S,
            ) -> Result<(), S::Error> {
                match self {
                    $( $name::$variant(payload) => tuple.serialize_element(payload), )+
                }
            }

            fn deserialize_payload<'de, A: serde::de::SeqAccess<'de>>(
                tag: u8,
                seq: &mut A,
            ) -> Result<Self, A::Error> {
                let kind = $crate::wire::known_tag::<A::Error, _>(
                    $kind::from_tag(tag), stringify!($kind), tag,
                )?;
                Ok(match kind {
                    $( $kind::$variant => $name::$variant(
                        $crate::wire::element(seq, concat!(stringify!($kind), " payload"))?,
                    ), )+
                })
            }
        }
    };
}
pub(crate) use tagged_enum;

/// Implements `Serialize`/`Deserialize` as the two-element array `[tag, payload]`.
macro_rules! impl_tagged_serde {
    ($name:ident) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $crate::wire::serialize_pair(self, serializer)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::wire::deserialize_pair(deserializer)
            }
        }
    };
}
pub(crate) use impl_tagged_serde;

/// What [`tagged_enum!`] generates; the layouts in this module and in `event.rs` build on it.
pub(crate) trait Tagged: Sized {
    /// The companion tag enum's name, for error messages.
    const KIND_NAME: &'static str;
    fn tag(&self) -> u8;
    /// Writes the payload as the next element of an array being written.
    fn serialize_payload<S: SerializeTuple>(&self, tuple: &mut S) -> Result<(), S::Error>;
    /// Reads the payload for `tag` from the next element; unknown tags are an error naming
    /// the enum and the tag.
    fn deserialize_payload<'de, A: SeqAccess<'de>>(tag: u8, seq: &mut A) -> Result<Self, A::Error>;
}

/// Turns a failed tag lookup into a clear error ("unknown EventKind tag 99").
pub(crate) fn known_tag<E: de::Error, K>(kind: Option<K>, name: &str, tag: u8) -> Result<K, E> {
    kind.ok_or_else(|| E::custom(format_args!("unknown {name} tag {tag}")))
}

/// The next element of a positional array, which must be there.
pub(crate) fn element<'de, T, A>(seq: &mut A, what: &str) -> Result<T, A::Error>
where
    T: Deserialize<'de>,
    A: SeqAccess<'de>,
{
    seq.next_element()?
        .ok_or_else(|| de::Error::custom(format_args!("array too short: missing {what}")))
}

pub(crate) fn serialize_pair<T: Tagged, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut tuple = serializer.serialize_tuple(2)?;
    tuple.serialize_element(&value.tag())?;
    value.serialize_payload(&mut tuple)?;
    tuple.end()
}

pub(crate) fn deserialize_pair<'de, T: Tagged, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_tuple(2, PairVisitor(PhantomData))
}

struct PairVisitor<T>(PhantomData<T>);

impl<'de, T: Tagged> Visitor<'de> for PairVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a [{} tag, payload] array", T::KIND_NAME)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
        let tag: u8 = element(&mut seq, T::KIND_NAME)?;
        T::deserialize_payload(tag, &mut seq)
    }
}
