//! The JavaScript API: `start(options) → Recorder`, and the recorder's `stop`, `identify`,
//! `track`, `flush` and `sessionId`. The one place with `#[wasm_bindgen]` exports.
//!
//! `start` throws for invalid options (a mistake in the integration, worth seeing at once);
//! nothing else here ever throws: a failure after start is reported once to the console.

use std::rc::Rc;

use protocol::{EventData, Identify, Track, Value};
use wasm_bindgen::prelude::*;

use crate::options::Options;
use crate::recorder::Engine;

/// A running recorder.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Recorder {
    engine: Rc<Engine>,
}

/// Starts recording this page. Options are camelCase (`{key, endpoint, privacy: {…},
/// batching: {…}, capture: {…}, guard: {…}}`); unknown options are refused.
#[wasm_bindgen]
pub fn start(options: JsValue) -> Result<Recorder, JsError> {
    let options: Options = serde_wasm_bindgen::from_value(options)
        .map_err(|e| JsError::new(&format!("invalid Affidavit options: {e}")))?;
    let engine = Engine::start(options).map_err(|e| JsError::new(&e))?;
    Ok(Recorder { engine })
}

#[wasm_bindgen]
impl Recorder {
    /// Stops recording and removes everything the recorder installed. What was recorded is
    /// sent, or kept for the next page load if it cannot be sent now.
    pub fn stop(&self) {
        self.engine.stop();
    }

    /// Associates the session with the app's user id and traits. Takes any value (a
    /// number id becomes its decimal string) and never throws.
    pub fn identify(&self, user_id: JsValue, traits: JsValue) {
        let user_id = text(&user_id);
        let traits = match to_value(&traits) {
            Value::Map(pairs) => pairs,
            Value::Null => Vec::new(),
            other => vec![("value".to_owned(), other)],
        };
        self.engine
            .record(EventData::Identify(Identify { user_id, traits }));
    }

    /// Records an application event with optional data. Never throws: data that is not
    /// JSON-like is recorded as its string form.
    pub fn track(&self, name: JsValue, data: JsValue) {
        let name = text(&name);
        let data = to_value(&data);
        self.engine.record(EventData::Track(Track { name, data }));
    }

    /// Seals and sends everything recorded so far; resolves once the server has
    /// acknowledged it (or it is queued for retry after a failure).
    pub fn flush(&self) -> js_sys::Promise {
        self.engine.flush();
        crate::transport::when_idle(&self.engine)
    }

    /// What recording has cost and produced so far: main-thread milliseconds in the
    /// recorder (`captureMs`, `sealMs`), snapshots, events, batches and bytes.
    pub fn stats(&self) -> JsValue {
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        serde::Serialize::serialize(&self.engine.stats(), &serializer).unwrap_or(JsValue::NULL)
    }

    /// This session's id (a UUIDv7).
    #[wasm_bindgen(getter, js_name = sessionId)]
    pub fn session_id(&self) -> String {
        self.engine.session_id()
    }
}

/// App data to a protocol value; anything unrepresentable becomes its string form.
fn to_value(value: &JsValue) -> Value {
    serde_wasm_bindgen::from_value::<Value>(value.clone()).unwrap_or_else(|_| {
        // `JSON.stringify` answers `undefined` for functions and symbols.
        let json = js_sys::JSON::stringify(value)
            .ok()
            .and_then(|s| s.as_string());
        Value::String(json.unwrap_or_else(|| text(value)))
    })
}

/// Any JavaScript value as text, close to `String(value)`, without ever throwing.
fn text(value: &JsValue) -> String {
    if let Some(text) = value.as_string() {
        return text;
    }
    if value.is_undefined() || value.is_null() {
        return String::new();
    }
    if let Some(number) = value.as_f64() {
        return if number.fract() == 0.0 && number.abs() < 9.0e15 {
            format!("{}", number as i64)
        } else {
            format!("{number}")
        };
    }
    if let Some(flag) = value.as_bool() {
        return flag.to_string();
    }
    // Objects, symbols, functions: wasm-bindgen's debug string never throws.
    format!("{value:?}")
}
