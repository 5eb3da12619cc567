//! Uncaught exceptions (window `error`) and unhandled promise rejections as [`JsError`]s.
//! Message and stack get the PII scrub (error messages quote user input surprisingly
//! often) and are cut to 4 KiB; the script URL gets the URL scrub.
//!
//! The `error` listener is on the window without capture, so resource load failures
//! (an `<img>` that 404s), which do not bubble, are not mistaken for script errors.

use protocol::{EventData, JsError};
use wasm_bindgen::JsValue;

use super::js;
use crate::recorder::Engine;

/// Longest message or stack recorded, in bytes.
const MAX_BYTES: usize = 4 * 1024;
/// Longest text read from the page before scrubbing (UTF-16 units): well past what is
/// kept, so the scrub sees whole emails and card numbers around the cut.
const MAX_READ: u32 = 16 * 1024;

struct Raw {
    message: String,
    source: Option<String>,
    line: u32,
    column: u32,
    stack: Option<String>,
    unhandled_rejection: bool,
}

pub(super) fn install(engine: &Engine) {
    engine.listen(&engine.window, "error", false, |engine, event| {
        let error = js::get(&event, "error").unwrap_or(JsValue::UNDEFINED);
        let position = |key: &str| js::number(&event, key).unwrap_or(0.0).max(0.0) as u32;
        record(
            engine,
            Raw {
                message: js::get(&event, "message")
                    .and_then(|m| text(&m))
                    .unwrap_or_default(),
                source: js::string(&event, "filename").filter(|s| !s.is_empty()),
                line: position("lineno"),
                column: position("colno"),
                stack: stack(&error),
                unhandled_rejection: false,
            },
        );
    });
    engine.listen(
        &engine.window,
        "unhandledrejection",
        false,
        |engine, event| {
            let reason = js::get(&event, "reason").unwrap_or(JsValue::UNDEFINED);
            // Duck-typed, not `instanceof Error`: a rejection may carry another realm's Error.
            let message = js::get(&reason, "message").filter(JsValue::is_string);
            let (message, stack) = match message {
                Some(message) => (text(&message).unwrap_or_default(), stack(&reason)),
                // `Object.create(null)` and friends have no text at all.
                None => (
                    text(&reason).unwrap_or_else(|| "[unprintable value]".to_owned()),
                    None,
                ),
            };
            record(
                engine,
                Raw {
                    message,
                    source: None,
                    line: 0,
                    column: 0,
                    stack,
                    unhandled_rejection: true,
                },
            );
        },
    );
}

/// A value as text, read no further than [`MAX_READ`].
fn text(value: &JsValue) -> Option<String> {
    if value.is_string() {
        js::head(value, MAX_READ)
    } else {
        js::to_text(value).map(|text| js::truncate(text, MAX_READ as usize * 3))
    }
}

fn stack(error: &JsValue) -> Option<String> {
    js::get(error, "stack")
        .filter(JsValue::is_string)
        .and_then(|stack| js::head(&stack, MAX_READ))
}

fn record(engine: &Engine, raw: Raw) {
    let error = engine.with_core(|core| {
        let scrub =
            |text: &str| js::truncate(core.privacy.text(text, false).into_owned(), MAX_BYTES);
        JsError {
            message: scrub(&raw.message),
            source: raw
                .source
                .as_deref()
                .map(|url| js::truncate(core.privacy.url(url), MAX_BYTES)),
            line: raw.line,
            column: raw.column,
            stack: raw.stack.as_deref().map(scrub),
            unhandled_rejection: raw.unhandled_rejection,
        }
    });
    if let Some(error) = error {
        engine.record(EventData::Error(error));
    }
}
