//! `console.log/info/warn/error/debug` as [`ConsoleMessage`]s, only with `capture.console`
//! (off by default: logs often hold data).
//!
//! Each method is wrapped (see [`super::patch`]): the original runs first and untouched,
//! then the arguments are stringified (strings as they are, objects as JSON with a budget
//! of keys, anything else or anything JSON refuses as `String(value)`), scrubbed of PII and
//! cut to 1 KiB each, 10 arguments at most. While that runs a flag is set, so console
//! output caused by the recording itself (a `toJSON` that logs, the recorder's own
//! `[affidavit]` warnings from a flush) is passed through and never recorded.

use std::cell::Cell;
use std::rc::{Rc, Weak};

use js_sys::{Array, JSON};
use protocol::{ConsoleLevel, ConsoleMessage, EventData};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::js;
use super::patch::{self, After, Hook};
use crate::recorder::Engine;

const LEVELS: [(&str, ConsoleLevel); 5] = [
    ("log", ConsoleLevel::Log),
    ("info", ConsoleLevel::Info),
    ("warn", ConsoleLevel::Warn),
    ("error", ConsoleLevel::Error),
    ("debug", ConsoleLevel::Debug),
];
const MAX_ARGS: u32 = 10;
const MAX_ARG_BYTES: usize = 1024;
/// Read before scrubbing (UTF-16 units), so the scrub sees whole tokens around the cut.
const MAX_READ: u32 = 8 * 1024;
/// Keys and values `JSON.stringify` visits per argument; a huge state tree logged in a
/// loop must not cost the page a full serialization each time.
const JSON_BUDGET: u32 = 200;
/// The recorder's own console output starts with this.
const OWN_PREFIX: &str = "[affidavit]";

struct Console {
    engine: Weak<Engine>,
    busy: Cell<bool>,
    budget: Rc<Cell<u32>>,
    replacer: Closure<dyn Fn(JsValue, JsValue) -> JsValue>,
}

pub(super) fn install(engine: &Engine) {
    if engine.with_core(|core| core.options.capture.console) != Some(true) {
        return;
    }
    let Some(console) = js::get(&js_sys::global(), "console").filter(JsValue::is_object) else {
        return;
    };
    let budget = Rc::new(Cell::new(0u32));
    let replacer = {
        let budget = budget.clone();
        Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(move |_key: JsValue, value: JsValue| {
            let left = budget.get();
            if left == 0 {
                return JsValue::UNDEFINED;
            }
            budget.set(left - 1);
            value
        })
    };
    let state = Rc::new(Console {
        engine: engine.weak(),
        busy: Cell::new(false),
        budget,
        replacer,
    });
    for (key, level) in LEVELS {
        let state = state.clone();
        let hook: Hook = Rc::new(move |_: &JsValue, args: &Array| {
            if state.busy.get() {
                return None;
            }
            let state = state.clone();
            let args = args.clone();
            let after: After = Box::new(move |_| state.record(level, &args));
            Some(after)
        });
        patch::method(engine, console.unchecked_ref(), key, hook);
    }
}

/// Clears the busy flag however the recording ends.
struct Busy<'a>(&'a Cell<bool>);

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

impl Console {
    fn record(&self, level: ConsoleLevel, args: &Array) {
        if self.busy.replace(true) {
            return;
        }
        let _busy = Busy(&self.busy);
        let Some(engine) = self.engine.upgrade() else {
            return;
        };
        let first = args.get(0);
        if first
            .as_string()
            .is_some_and(|text| text.starts_with(OWN_PREFIX))
        {
            return;
        }
        let raw: Vec<String> = (0..args.length().min(MAX_ARGS))
            .map(|index| self.stringify(&args.get(index)))
            .collect();
        let args = engine.with_core(|core| {
            raw.iter()
                .map(|arg| js::truncate(core.privacy.text(arg, false).into_owned(), MAX_ARG_BYTES))
                .collect()
        });
        if let Some(args) = args {
            engine.record(EventData::Console(ConsoleMessage { level, args }));
        }
    }

    fn stringify(&self, value: &JsValue) -> String {
        if value.is_string() {
            return js::head(value, MAX_READ).unwrap_or_default();
        }
        if value.is_object() {
            let stack = js::get(value, "stack").filter(JsValue::is_string);
            if let Some(stack) = stack {
                // An Error: its JSON is `{}`, its text and stack are what a reader wants.
                let text = js::to_text(value).unwrap_or_default();
                let stack = js::head(&stack, MAX_READ).unwrap_or_default();
                return if stack.starts_with(&text) {
                    stack
                } else {
                    format!("{text}\n{stack}")
                };
            }
            self.budget.set(JSON_BUDGET);
            let json = JSON::stringify_with_replacer(value, self.replacer.as_ref())
                .ok()
                .and_then(|json| js::head(&json.into(), MAX_READ));
            match json {
                // `{}` is what DOM nodes, maps and class instances without own fields give.
                Some(json) if json != "{}" => return json,
                _ => {}
            }
        }
        js::to_text(value).map_or_else(String::new, |text| {
            js::truncate(text, MAX_READ as usize * 3)
        })
    }
}
