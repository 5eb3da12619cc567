//! Node trees on the wire: a flat pre-order list of records, written and read with loops.
//!
//! Nested arrays would make serde recurse once per DOM level, at roughly 1 KiB of stack per
//! level in release builds and 6 KiB in debug, so a legal 512-deep tree could overflow a
//! 2 MiB thread (or the viewer's 1 MiB wasm stack). Records with child counts cost the same
//! bytes and keep both directions at constant stack, whatever the depth.

use crate::pairs::{AsMap, Pairs};
use crate::snapshot::{Element, Node, NodeData, NodeId, NodeKind};
use crate::wire::{element, known_tag};
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};
use std::fmt;

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.node_count()))?;
        let mut pending = vec![self];
        while let Some(node) = pending.pop() {
            seq.serialize_element(&Record(node))?;
            pending.extend(node.children().iter().rev());
        }
        seq.end()
    }
}

/// One node's record: everything but its children.
struct Record<'a>(&'a Node);

impl Serialize for Record<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let node = self.0;
        let fields = match &node.data {
            NodeData::Document { .. } | NodeData::ShadowRoot { .. } => 1,
            NodeData::Doctype { .. } => 3,
            NodeData::Element(_) => 4,
            NodeData::Text(_) | NodeData::Comment(_) | NodeData::CData(_) => 1,
        };
        let mut tuple = serializer.serialize_tuple(2 + fields)?;
        tuple.serialize_element(&node.kind())?;
        tuple.serialize_element(&node.id)?;
        match &node.data {
            NodeData::Document { children } | NodeData::ShadowRoot { children } => {
                tuple.serialize_element(&children.len())?;
            }
            NodeData::Doctype {
                name,
                public_id,
                system_id,
            } => {
                tuple.serialize_element(name)?;
                tuple.serialize_element(public_id)?;
                tuple.serialize_element(system_id)?;
            }
            NodeData::Element(element) => {
                tuple.serialize_element(&element.children.len())?;
                tuple.serialize_element(&element.tag)?;
                tuple.serialize_element(&AsMap(&element.attributes))?;
                tuple.serialize_element(&element.svg)?;
            }
            NodeData::Text(text) | NodeData::Comment(text) | NodeData::CData(text) => {
                tuple.serialize_element(text)?;
            }
        }
        tuple.end()
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a pre-order array of node records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        // Containers still waiting for children, innermost last, each with how many more.
        let mut open: Vec<(Node, u32)> = Vec::new();
        loop {
            let OwnedRecord(mut node, child_count) = seq
                .next_element()?
                .ok_or_else(|| de::Error::custom("node list ends before the tree is complete"))?;
            if child_count > 0 {
                open.push((node, child_count));
                continue;
            }
            // `node` is complete: attach it, and every ancestor it completes, upwards.
            loop {
                let Some((mut parent, remaining)) = open.pop() else {
                    if seq.next_element::<IgnoredAny>()?.is_some() {
                        return Err(de::Error::custom("node records follow a complete tree"));
                    }
                    return Ok(node);
                };
                // Only container records have a child count, so this is always `Some`.
                parent
                    .children_mut()
                    .ok_or_else(|| de::Error::custom("a leaf node cannot have children"))?
                    .push(node);
                if remaining > 1 {
                    open.push((parent, remaining - 1));
                    break;
                }
                node = parent;
            }
        }
    }
}

/// A decoded record: the node without its children, and how many follow.
struct OwnedRecord(Node, u32);

impl<'de> Deserialize<'de> for OwnedRecord {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_tuple(3, RecordVisitor)
    }
}

struct RecordVisitor;

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = OwnedRecord;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a node record [kind, id, …]")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OwnedRecord, A::Error> {
        let tag: u8 = element(&mut seq, "node kind")?;
        let kind = known_tag(NodeKind::from_tag(tag), "NodeKind", tag)?;
        let id: NodeId = element(&mut seq, "node id")?;
        let mut child_count = 0;
        // Children lists start empty and grow as children arrive: a declared count is
        // untrusted and must not reserve memory.
        let data = match kind {
            NodeKind::Document => {
                child_count = element(&mut seq, "child count")?;
                NodeData::Document {
                    children: Vec::new(),
                }
            }
            NodeKind::ShadowRoot => {
                child_count = element(&mut seq, "child count")?;
                NodeData::ShadowRoot {
                    children: Vec::new(),
                }
            }
            NodeKind::Element => {
                child_count = element(&mut seq, "child count")?;
                NodeData::Element(Element {
                    tag: element(&mut seq, "element tag")?,
                    attributes: element::<Pairs<String>, _>(&mut seq, "element attributes")?.0,
                    svg: element(&mut seq, "element svg flag")?,
                    children: Vec::new(),
                })
            }
            NodeKind::Doctype => NodeData::Doctype {
                name: element(&mut seq, "doctype name")?,
                public_id: element(&mut seq, "doctype public id")?,
                system_id: element(&mut seq, "doctype system id")?,
            },
            NodeKind::Text => NodeData::Text(element(&mut seq, "text")?),
            NodeKind::Comment => NodeData::Comment(element(&mut seq, "comment text")?),
            NodeKind::CData => NodeData::CData(element(&mut seq, "cdata text")?),
        };
        Ok(OwnedRecord(Node { id, data }, child_count))
    }
}
