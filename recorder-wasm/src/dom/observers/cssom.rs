//! Rule changes made through the CSSOM, which no `MutationObserver` sees:
//! `CSSStyleSheet.prototype.insertRule` / `deleteRule` as [`RuleChange`]s, and
//! `replaceSync` / `replace` (constructed sheets only) encoded with the same two changes:
//! every old rule deleted, then each new rule inserted at its index. That replays exactly
//! with the existing protocol and keeps the sheet's number, so every document and shadow
//! root adopting it stays correct.
//!
//! Not covered: `CSSGroupingRule.insertRule` / `deleteRule` (rules nested in `@media`),
//! the legacy `addRule` / `removeRule`, and frames (each has its own `CSSStyleSheet`).

use std::rc::Rc;

use js_sys::{Array, Object};
use protocol::{EventData, RuleChange, RuleInsert};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::js;
use super::patch::{self, After, Hook};
use super::sheets::{Sheets, rule_event};
use crate::recorder::Engine;

pub(super) fn install(engine: &Engine, sheets: &Rc<Sheets>) {
    let Some(prototype) = prototype(engine, "CSSStyleSheet") else {
        return;
    };
    patch::method(
        engine,
        &prototype,
        "insertRule",
        insert_rule(engine, sheets),
    );
    patch::method(
        engine,
        &prototype,
        "deleteRule",
        delete_rule(engine, sheets),
    );
    patch::method(
        engine,
        &prototype,
        "replaceSync",
        replace(engine, sheets, false),
    );
    patch::method(engine, &prototype, "replace", replace(engine, sheets, true));
}

/// `window[name].prototype`, when the browser has that interface.
pub(super) fn prototype(engine: &Engine, name: &str) -> Option<Object> {
    let constructor = js::get(&engine.window, name)?;
    js::get(&constructor, "prototype")
        .filter(JsValue::is_object)
        .map(JsCast::unchecked_into)
}

/// An argument as WebIDL's `unsigned long` reads it (`"2"` is 2, `NaN` is 0).
fn index_argument(value: &JsValue) -> u32 {
    let number = value
        .as_f64()
        .or_else(|| {
            value
                .as_string()
                .map(|s| s.trim().parse().unwrap_or(f64::NAN))
        })
        .unwrap_or(f64::NAN);
    if number.is_finite() {
        number.trunc().rem_euclid(4_294_967_296.0) as u32
    } else {
        0
    }
}

fn insert_rule(engine: &Engine, sheets: &Rc<Sheets>) -> Hook {
    let (engine, sheets) = (engine.weak(), sheets.clone());
    Rc::new(move |this: &JsValue, args: &Array| {
        let (engine, sheets, this, args) =
            (engine.clone(), sheets.clone(), this.clone(), args.clone());
        let after: After = Box::new(move |returned| {
            let Some(engine) = engine.upgrade() else {
                return;
            };
            let Some(sheet) = sheets.target(&engine, &this) else {
                return;
            };
            // The browser returns where the rule went (the index defaults to 0), and the
            // rule as it parsed it; the argument is the fallback.
            let index = returned.as_f64().map_or(0, |i| i.max(0.0) as u32);
            let Some(rule) = sheets
                .rule(&this, index)
                .or_else(|| args.get(0).as_string())
            else {
                return;
            };
            let insert = RuleInsert {
                rule,
                index: vec![index],
            };
            engine.record(rule_event(sheet, RuleChange::Insert(insert)));
        });
        Some(after)
    })
}

fn delete_rule(engine: &Engine, sheets: &Rc<Sheets>) -> Hook {
    let (engine, sheets) = (engine.weak(), sheets.clone());
    Rc::new(move |this: &JsValue, args: &Array| {
        let index = index_argument(&args.get(0));
        let (engine, sheets, this) = (engine.clone(), sheets.clone(), this.clone());
        let after: After = Box::new(move |_| {
            let Some(engine) = engine.upgrade() else {
                return;
            };
            if let Some(sheet) = sheets.target(&engine, &this) {
                engine.record(rule_event(sheet, RuleChange::Delete(vec![index])));
            }
        });
        Some(after)
    })
}

/// `replaceSync` (`promise == false`) or `replace`, whose rules change only when its
/// promise resolves; no other change can happen meanwhile (the sheet refuses them).
fn replace(engine: &Engine, sheets: &Rc<Sheets>, promise: bool) -> Hook {
    let (engine, sheets) = (engine.weak(), sheets.clone());
    Rc::new(move |this: &JsValue, _: &Array| {
        let old = sheets.rule_count(this)?;
        let (engine, sheets, this) = (engine.clone(), sheets.clone(), this.clone());
        let replaced = move || {
            if let Some(engine) = engine.upgrade() {
                record_replacement(&engine, &sheets, &this, old);
            }
        };
        let after: After = if promise {
            Box::new(move |returned| {
                let done =
                    Closure::<dyn FnMut(JsValue)>::once_into_js(move |_: JsValue| replaced());
                // Handling the rejection too: our derived promise must never surface as an
                // unhandled rejection of its own. The page's promise is untouched.
                let ignore = Closure::<dyn FnMut(JsValue)>::once_into_js(|_: JsValue| {});
                let _ = js::call(returned, "then", &[&done, &ignore]);
            })
        } else {
            Box::new(move |_| replaced())
        };
        Some(after)
    })
}

fn record_replacement(engine: &Engine, sheets: &Sheets, sheet: &JsValue, old: u32) {
    let Some(target) = sheets.target(engine, sheet) else {
        return;
    };
    let deletes = (0..old).map(|_| rule_event(target.clone(), RuleChange::Delete(vec![0])));
    let inserts = sheets
        .rules(sheet)
        .into_iter()
        .zip(0u32..)
        .map(|(rule, index)| {
            rule_event(
                target.clone(),
                RuleChange::Insert(RuleInsert {
                    rule,
                    index: vec![index],
                }),
            )
        });
    let events: Vec<EventData> = deletes.chain(inserts).collect();
    if !events.is_empty() {
        engine.record_all(events);
    }
}
