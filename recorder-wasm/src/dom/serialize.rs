//! DOM nodes to protocol nodes, with ids assigned and privacy applied on the way: used for
//! full snapshots and for subtrees added by mutations alike, so both obey the same rules.
//!
//! Nodes are told apart by `nodeType` and cast unchecked, never with `instanceof`: nodes in
//! a same-origin iframe come from another realm and fail every `instanceof` check.

use protocol::{Element as PElement, Node as PNode, NodeData, NodeId};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Node};

use super::ids::NodeIds;
use super::page_privacy::PagePrivacy;
use super::stylesheets;
use crate::privacy::FieldPrivacy;

const SVG_NS: &str = "http://www.w3.org/2000/svg";
/// Deeper nodes are left out: the wire format refuses trees deeper than 512, and a page
/// that deep is pathological anyway.
pub(crate) const MAX_DEPTH: usize = 500;

/// Roots found while serializing that need observers of their own.
#[derive(Debug, Default)]
pub(crate) struct Discovered {
    /// Open shadow roots and same-origin iframe documents.
    pub(crate) roots: Vec<Node>,
    /// Elements scrolled away from the origin, with their position.
    pub(crate) scrolled: Vec<(NodeId, i32, i32)>,
}

pub(crate) struct Serializer<'a> {
    pub(crate) ids: &'a mut NodeIds,
    pub(crate) privacy: &'a PagePrivacy,
    pub(crate) found: Discovered,
    /// Whether the children of the element being walked are in the SVG namespace (`None`
    /// at the root of a walk). Inherited rather than asked per element: each question is
    /// a call into JavaScript and a string back.
    svg_children: Option<bool>,
}

impl std::fmt::Debug for Serializer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Serializer").finish_non_exhaustive()
    }
}

impl<'a> Serializer<'a> {
    pub(crate) fn new(ids: &'a mut NodeIds, privacy: &'a PagePrivacy) -> Self {
        Serializer {
            ids,
            privacy,
            found: Discovered::default(),
            svg_children: None,
        }
    }

    /// Serializes `node` and everything below it. `masked` says whether text here is masked
    /// (inherited from ancestors); `depth` is the node's depth in the recorded tree.
    pub(crate) fn node(&mut self, node: &Node, masked: bool, depth: usize) -> Option<PNode> {
        if depth > MAX_DEPTH {
            return None;
        }
        let data = match node.node_type() {
            Node::ELEMENT_NODE => return self.element(node.unchecked_ref(), masked, depth),
            Node::TEXT_NODE => {
                let text = node.text_content().unwrap_or_default();
                NodeData::Text(self.privacy.text(&text, masked).into_owned())
            }
            Node::CDATA_SECTION_NODE => {
                let text = node.text_content().unwrap_or_default();
                NodeData::CData(self.privacy.text(&text, masked).into_owned())
            }
            Node::COMMENT_NODE => {
                let text = node.text_content().unwrap_or_default();
                NodeData::Comment(self.privacy.text(&text, true).into_owned())
            }
            Node::DOCUMENT_NODE => NodeData::Document {
                children: self.html_children(node, masked, depth),
            },
            Node::DOCUMENT_TYPE_NODE => {
                let doctype: &web_sys::DocumentType = node.unchecked_ref();
                NodeData::Doctype {
                    name: doctype.name(),
                    public_id: doctype.public_id(),
                    system_id: doctype.system_id(),
                }
            }
            Node::DOCUMENT_FRAGMENT_NODE => NodeData::ShadowRoot {
                children: self.html_children(node, masked, depth),
            },
            _ => return None,
        };
        Some(PNode {
            id: self.ids.get_or_assign(node),
            data,
        })
    }

    /// Children of a document or shadow root, which start in the HTML namespace.
    fn html_children(&mut self, parent: &Node, masked: bool, depth: usize) -> Vec<PNode> {
        let saved = self.svg_children.replace(false);
        let children = self.children(parent, masked, depth);
        self.svg_children = saved;
        children
    }

    fn children(&mut self, parent: &Node, masked: bool, depth: usize) -> Vec<PNode> {
        let mut out = Vec::new();
        let mut child = parent.first_child();
        while let Some(node) = child {
            if let Some(serialized) = self.node(&node, masked, depth + 1) {
                out.push(serialized);
            }
            child = node.next_sibling();
        }
        out
    }

    fn element(&mut self, element: &Element, masked: bool, depth: usize) -> Option<PNode> {
        let id = self.ids.get_or_assign(element);
        let tag = element.local_name();
        let svg = match self.svg_children {
            Some(inherited) => inherited || tag == "svg",
            None => element.namespace_uri().as_deref() == Some(SVG_NS),
        };
        if self.privacy.is_blocked(element) {
            return Some(placeholder(id, tag, svg, element));
        }
        // Masking is inherited down the walk, so only this element needs matching; asking
        // `closest()` per element would climb to the root each time.
        let masked = masked || self.privacy.marks_masked(element);
        let field = if matches!(tag.as_str(), "input" | "textarea" | "select") {
            self.privacy.field(element)
        } else {
            FieldPrivacy::NotAField
        };
        let mut attributes = self.attributes(element, &tag, field, masked);
        let mut children = Vec::new();
        // SVG's foreignObject holds HTML again.
        let saved = self.svg_children.replace(svg && tag != "foreignObject");
        match tag.as_str() {
            // Scripts are recorded as empty elements: their code is never captured and a
            // replay never runs it, but siblings keep their positions.
            "script" if !svg => {}
            "textarea" => form_state(self.privacy, element, field, &mut attributes),
            "input" | "select" | "option" => {
                form_state(self.privacy, element, field, &mut attributes);
                children = self.children(element, masked, depth);
            }
            "style" if !svg => {
                children = self.children(element, masked, depth);
                stylesheets::inline_style_text(element, &mut children, self.ids);
            }
            "link" => {
                stylesheets::inline_link(element, &mut attributes);
            }
            "iframe" => {
                if let Some(document) = frame_document(element) {
                    if let Some(node) = self.node(&document, masked, depth + 1) {
                        self.ids.set_frame_document(element, node.id);
                        children.push(node);
                    }
                    self.found.roots.push(document.into());
                }
            }
            _ => children = self.children(element, masked, depth),
        }
        if let Some(shadow) = element.shadow_root() {
            let root: Node = shadow.into();
            if let Some(node) = self.node(&root, masked, depth + 1) {
                // Convention: a shadow root is its host's first child.
                children.insert(0, node);
            }
            self.found.roots.push(root);
        }
        self.svg_children = saved;
        // Only an element with content can be scrolled; asking every leaf costs two calls
        // per element (and the first one a forced layout).
        if !children.is_empty() {
            let (left, top) = (element.scroll_left(), element.scroll_top());
            if left != 0 || top != 0 {
                self.found.scrolled.push((id, left, top));
            }
        }
        Some(PNode {
            id,
            data: NodeData::Element(PElement {
                tag,
                attributes,
                svg,
                children,
            }),
        })
    }

    fn attributes(
        &self,
        element: &Element,
        tag: &str,
        field: FieldPrivacy,
        masked: bool,
    ) -> Vec<(String, String)> {
        // Names in one call, then a value each: fewer crossings than NamedNodeMap's
        // item → name → value per attribute.
        let names = element.get_attribute_names();
        let mut out = Vec::with_capacity(names.length() as usize);
        for name in names.iter() {
            let Some(name) = name.as_string() else {
                continue;
            };
            let Some(value) = element.get_attribute(&name) else {
                continue;
            };
            if let Some(value) =
                attribute_value(self.privacy, element, tag, field, masked, &name, &value)
            {
                out.push((name, value));
            }
        }
        out
    }
}

/// One attribute as it may be recorded, or `None` when it is never recorded. Shared by
/// snapshots and attribute mutations.
pub(crate) fn attribute_value(
    privacy: &PagePrivacy,
    element: &Element,
    tag: &str,
    field: FieldPrivacy,
    masked: bool,
    name: &str,
    value: &str,
) -> Option<String> {
    // Inline handlers are code, and code is never captured.
    if name.len() > 2 && name.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("on")) {
        return None;
    }
    if tag == "script" {
        return None;
    }
    let value = privacy.attribute(field, masked, name, value);
    let value = match name {
        "src" | "href" | "poster" | "action" | "background" | "data" => {
            absolute_url(element, &value)
        }
        "srcset" => absolute_srcset(element, &value),
        "style" => crate::css_urls::absolutize(&value, |url| resolve(element, url)).into_owned(),
        _ => value.into_owned(),
    };
    Some(value)
}

/// Current form state (what the user typed or chose), recorded as attributes so a replay
/// shows it; the value goes through the field's privacy rule first.
fn form_state(
    privacy: &PagePrivacy,
    element: &Element,
    field: FieldPrivacy,
    attributes: &mut Vec<(String, String)>,
) {
    let tag = element.local_name();
    match tag.as_str() {
        "input" => {
            let input: &web_sys::HtmlInputElement = element.unchecked_ref();
            let kind = input.type_().to_ascii_lowercase();
            if kind == "checkbox" || kind == "radio" {
                set_flag(attributes, "checked", input.checked());
            } else if field != FieldPrivacy::NotAField {
                set_attribute(
                    attributes,
                    "value",
                    privacy.field_value(field, &input.value()),
                );
            }
        }
        "textarea" => {
            let area: &web_sys::HtmlTextAreaElement = element.unchecked_ref();
            set_attribute(
                attributes,
                "value",
                privacy.field_value(field, &area.value()),
            );
        }
        "option" => {
            let option: &web_sys::HtmlOptionElement = element.unchecked_ref();
            // A choice in a masked select is the user's data; the option list is the page's.
            let select_masked = element
                .closest("select")
                .ok()
                .flatten()
                .map(|select| match privacy.field(&select) {
                    FieldPrivacy::AlwaysMasked => true,
                    FieldPrivacy::Masked => privacy.options.mask_all_inputs,
                    FieldPrivacy::NotAField | FieldPrivacy::CheckedStateOnly => false,
                })
                .unwrap_or(false);
            let selected = option.selected() && !select_masked;
            set_flag(attributes, "selected", selected);
        }
        _ => {}
    }
}

fn set_attribute(attributes: &mut Vec<(String, String)>, name: &str, value: String) {
    match attributes.iter_mut().find(|(n, _)| n == name) {
        Some(slot) => slot.1 = value,
        None => attributes.push((name.to_owned(), value)),
    }
}

fn set_flag(attributes: &mut Vec<(String, String)>, name: &str, on: bool) {
    attributes.retain(|(n, _)| n != name);
    if on {
        attributes.push((name.to_owned(), String::new()));
    }
}

/// A blocked element: same tag and size, nothing of its content.
fn placeholder(id: NodeId, tag: String, svg: bool, element: &Element) -> PNode {
    let rect = element.get_bounding_client_rect();
    let style = format!(
        "width:{}px;height:{}px",
        rect.width().round() as i64,
        rect.height().round() as i64
    );
    PNode {
        id,
        data: NodeData::Element(PElement {
            tag,
            attributes: vec![
                ("data-affidavit-blocked".into(), String::new()),
                ("style".into(), style),
            ],
            svg,
            children: Vec::new(),
        }),
    }
}

/// The document of a same-origin iframe; `None` for cross-origin frames (whose content the
/// browser does not let us read).
pub(crate) fn frame_document(element: &Element) -> Option<Document> {
    let frame: &web_sys::HtmlIFrameElement = element.unchecked_ref();
    frame.content_document()
}

fn base_uri(element: &Element) -> Option<String> {
    element.base_uri().ok().flatten()
}

pub(crate) fn resolve(element: &Element, url: &str) -> Option<String> {
    let base = base_uri(element)?;
    web_sys::Url::new_with_base(url.trim(), &base)
        .ok()
        .map(|u| u.href())
}

fn absolute_url(element: &Element, value: &str) -> String {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("data:") {
        return value.to_owned();
    }
    // `javascript:` URLs are code.
    if trimmed
        .get(..11)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("javascript:"))
    {
        return "javascript:void(0)".to_owned();
    }
    resolve(element, trimmed).unwrap_or_else(|| value.to_owned())
}

fn absolute_srcset(element: &Element, value: &str) -> String {
    value
        .split(',')
        .map(|candidate| {
            let candidate = candidate.trim();
            let (url, descriptor) = candidate.split_once(' ').unwrap_or((candidate, ""));
            let url = absolute_url(element, url);
            if descriptor.is_empty() {
                url
            } else {
                format!("{url} {}", descriptor.trim())
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
