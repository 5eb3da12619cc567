//! Application signals that never touch the DOM: console output, JavaScript errors, and the
//! app's own `track` and `identify` calls.

use crate::value::Value;
use crate::wire::wire_enum;
use serde::{Deserialize, Serialize};

wire_enum! {
    pub enum ConsoleLevel {
        Log = 0 => "log",
        Debug = 1 => "debug",
        Info = 2 => "info",
        Warn = 3 => "warn",
        Error = 4 => "error",
        Trace = 5 => "trace",
        Assert = 6 => "assert",
    }
}

/// Wire layout: `[level, args]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsoleMessage {
    pub level: ConsoleLevel,
    /// Each argument stringified by the recorder (and truncated to its own limit), because
    /// console arguments can be live objects, cycles or DOM nodes.
    pub args: Vec<String>,
}

/// An uncaught exception or unhandled promise rejection.
/// Wire layout: `[message, source, line, column, stack, unhandled_rejection]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsError {
    pub message: String,
    /// The script URL, when the browser reports one.
    pub source: Option<String>,
    /// 1-based; 0 when unknown, as browsers report it.
    pub line: u32,
    /// 1-based; 0 when unknown.
    pub column: u32,
    pub stack: Option<String>,
    /// From `unhandledrejection` rather than `error`.
    pub unhandled_rejection: bool,
}

/// `recorder.track(name, data)`. Wire layout: `[name, data]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    pub name: String,
    pub data: Value,
}

/// `recorder.identify(user_id, traits)`. Wire layout: `[user_id, {traits}]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identify {
    pub user_id: String,
    #[serde(
        serialize_with = "crate::pairs::serialize",
        deserialize_with = "crate::pairs::deserialize"
    )]
    pub traits: Vec<(String, Value)>,
}
