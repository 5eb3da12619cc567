//! Form input: `input` and `change` on text fields, textareas, checkboxes, radios and
//! selects, recorded as [`protocol::Input`] with the value already through the field's
//! privacy rule.
//!
//! Both events fire for most changes, so a value is recorded only when it differs from the
//! last one recorded for that node. That memory is forgotten at each keyframe (the snapshot
//! carries the current value, which the page may have set without any event) and, for
//! radios, whenever a radio is checked: checking one unchecks the rest of its group in the
//! replay, so their remembered `true` is stale.
//!
//! In open shadow roots `input` (composed) reaches the document listener, through
//! `composedPath()`; `change` does not leave the shadow tree, which loses nothing since
//! `input` carries the same value.
//!
//! Decisions beyond the field rules: a value under a masked subtree is masked like an
//! always-masked field; a select's choice is left out when the select is masked (by
//! `maskAllInputs`, by a sensitive `autocomplete`, or by a masked subtree), since which
//! option was chosen is the user's data.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::rc::Rc;

use protocol::{EventData, Input, InputValue};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element};

use super::js;
use crate::privacy::FieldPrivacy;
use crate::recorder::Engine;

/// Nodes remembered; past this the memory starts over (costing at most one repeat each).
const MAX_REMEMBERED: usize = 512;
/// Options read from one select; more are left out rather than stall the page.
const MAX_OPTIONS: u32 = 10_000;

#[derive(Default)]
struct Seen {
    keyframe_at: f64,
    /// Node id → (hash of the recorded value, whether the node is a radio).
    values: HashMap<u32, (u64, bool)>,
}

/// What was read from the element, before privacy.
enum Raw {
    Checked { checked: bool, radio: bool },
    Selected(Vec<u32>),
    Text(String),
}

pub(super) fn install(engine: &Engine, document: &Document) {
    let seen = Rc::new(RefCell::new(Seen::default()));
    for event in ["input", "change"] {
        let seen = seen.clone();
        engine.listen(document, event, true, move |engine, event| {
            on_input(engine, &event, &seen)
        });
    }
}

fn on_input(engine: &Engine, event: &web_sys::Event, seen: &RefCell<Seen>) {
    let Some(node) = js::event_node(event).filter(js::is_element) else {
        return;
    };
    let element: Element = node.unchecked_into();
    let Some(raw) = read(&element) else {
        return;
    };
    let input = engine
        .with_core(|core| {
            let target = core.ids.get(&element)?;
            let privacy = &core.privacy;
            if privacy.is_ignored(&element) || privacy.is_within_blocked(&element) {
                return None;
            }
            let field = privacy.field(&element);
            let masked_subtree = privacy.masks_text_below(&element);
            let radio = matches!(raw, Raw::Checked { radio: true, .. });
            let value = match raw {
                Raw::Checked { checked, .. } => InputValue::Checked(checked),
                Raw::Selected(indices) => {
                    let masked = field == FieldPrivacy::AlwaysMasked
                        || (field != FieldPrivacy::NotAField && privacy.options.mask_all_inputs)
                        || masked_subtree;
                    if masked {
                        return None;
                    }
                    InputValue::Selected(indices)
                }
                Raw::Text(text) => {
                    // Buttons: their value is a label, and it does not change by typing.
                    if field == FieldPrivacy::NotAField {
                        return None;
                    }
                    let field = if masked_subtree {
                        FieldPrivacy::AlwaysMasked
                    } else {
                        field
                    };
                    InputValue::Text(privacy.field_value(field, &text))
                }
            };
            let mut seen = seen.try_borrow_mut().ok()?;
            if seen.keyframe_at != core.keyframe_at {
                seen.keyframe_at = core.keyframe_at;
                seen.values.clear();
            }
            let hash = hash(&value);
            if seen
                .values
                .get(&target.0)
                .is_some_and(|(last, _)| *last == hash)
            {
                return None;
            }
            if radio && value == InputValue::Checked(true) {
                seen.values.retain(|_, (_, is_radio)| !*is_radio);
            }
            if seen.values.len() >= MAX_REMEMBERED {
                seen.values.clear();
            }
            seen.values.insert(target.0, (hash, radio));
            Some(Input { target, value })
        })
        .flatten();
    if let Some(input) = input {
        engine.record(EventData::Input(input));
    }
}

/// The element's state, read through `Reflect`: frameworks redefine `value` and `checked`
/// on the element itself, and a throwing getter must not reach the recorder's state.
fn read(element: &Element) -> Option<Raw> {
    match element.local_name().as_str() {
        "input" => {
            let kind = js::string(element, "type")
                .unwrap_or_default()
                .to_ascii_lowercase();
            if kind == "checkbox" || kind == "radio" {
                Some(Raw::Checked {
                    checked: js::boolean(element, "checked").unwrap_or(false),
                    radio: kind == "radio",
                })
            } else {
                js::string(element, "value").map(Raw::Text)
            }
        }
        "textarea" => js::string(element, "value").map(Raw::Text),
        "select" => Some(Raw::Selected(selected_indices(element)?)),
        _ => None,
    }
}

fn selected_indices(select: &Element) -> Option<Vec<u32>> {
    let options = js::get(select, "selectedOptions")?;
    let count = js::number(&options, "length")?.min(f64::from(MAX_OPTIONS)) as u32;
    let mut indices = Vec::with_capacity(count as usize);
    for position in 0..count {
        let option = js_sys::Reflect::get_u32(&options, position).unwrap_or(JsValue::UNDEFINED);
        if let Some(index) = js::number(&option, "index") {
            indices.push(index.max(0.0) as u32);
        }
    }
    indices.sort_unstable();
    Some(indices)
}

fn hash(value: &InputValue) -> u64 {
    let mut hasher = DefaultHasher::new();
    match value {
        InputValue::Text(text) => (0u8, text).hash(&mut hasher),
        InputValue::Checked(checked) => (1u8, checked).hash(&mut hasher),
        InputValue::Selected(indices) => (2u8, indices).hash(&mut hasher),
    }
    hasher.finish()
}
