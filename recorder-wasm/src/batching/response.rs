//! What the server's answer to `POST /v1/ingest` means for the head batch (`docs/api.md`).
//!
//! # The key decision: read two JSON fields by hand, and trust only a real receipt
//!
//! The crate has no JSON parser and the browser build should not grow one for two fields.
//! In valid JSON an unescaped `"name"` followed by `:` can only be a key (quotes inside
//! strings are escaped), so a search for it is exact for the server's flat bodies, and
//! anything unparseable degrades to "no value", never a panic.
//!
//! A 2xx counts as accepted only if it carries a receipt's `seq`: a captive portal or proxy
//! answering 200 with a login page must not make the recorder forget a batch the server
//! never saw (the next batch would then hit a seq gap and cost the session).

/// What to do with the head batch after an attempt to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// The server holds batch `seq` (possibly from an earlier attempt): acknowledge it with
    /// [`super::Outbox::ack`] and reset the [`super::Backoff`].
    Accepted { seq: u64 },
    /// Nothing was stored; send the same bytes again after
    /// [`super::Backoff::next_delay_ms`]. Network errors, 408, 429, 5xx, a 2xx without a
    /// receipt, and statuses the API never uses. `after_ms` is the server's `Retry-After`.
    Retry { after_ms: Option<u64> },
    /// 413: the batch is over a server limit. [`super::Outbox::split_head`], then send the
    /// new head at once.
    SplitHead,
    /// 409: the server's chain for this session can no longer take our batches: a
    /// `seq_gap` (batches we count as sent are missing; `expected_seq` says where the
    /// server is), a `conflict` (another writer, such as a second tab restoring the same
    /// outbox, took this seq) or a `foreign_session`. Start a new session with a fresh
    /// full snapshot; the queued batches cannot be delivered.
    SessionLost {
        error: String,
        expected_seq: Option<u64>,
    },
    /// Any other 4xx: resending the same bytes cannot help, so it is reported, not
    /// retried. 400 means this batch is invalid ([`super::Outbox::drop_head`] and go on);
    /// 401, 403 and the rest mean no batch will be taken (stop sending).
    Rejected { status: u16, error: String },
}

/// Classifies an answer: `status` is `None` (or `Some(0)`, an opaque response) when the
/// request failed without one; `retry_after` is the `Retry-After` header; `body` the
/// response text (pass `""` if it could not be read).
///
/// `Retry-After` is honoured in seconds, which is all this server sends; an HTTP-date is
/// ignored and the backoff alone decides.
pub fn classify(status: Option<u16>, retry_after: Option<&str>, body: &str) -> SendOutcome {
    let after_ms = retry_after.and_then(retry_after_ms);
    let Some(status) = status.filter(|&s| s != 0) else {
        return SendOutcome::Retry { after_ms: None };
    };
    match status {
        200..=299 => match number_field(body, "seq") {
            Some(seq) => SendOutcome::Accepted { seq },
            None => SendOutcome::Retry { after_ms },
        },
        408 | 429 => SendOutcome::Retry { after_ms },
        413 => SendOutcome::SplitHead,
        409 => {
            let error = error_code(body, status);
            let expected_seq = (error == "seq_gap")
                .then(|| number_field(body, "expected_seq"))
                .flatten();
            SendOutcome::SessionLost {
                error,
                expected_seq,
            }
        }
        400..=499 => SendOutcome::Rejected {
            status,
            error: error_code(body, status),
        },
        _ => SendOutcome::Retry { after_ms },
    }
}

/// `Retry-After` as delay-seconds, in milliseconds.
fn retry_after_ms(header: &str) -> Option<u64> {
    let header = header.trim();
    if header.is_empty() || !header.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // All digits: only a value past u64 fails to parse, and that means "a very long time".
    Some(
        header
            .parse::<u64>()
            .unwrap_or(u64::MAX)
            .saturating_mul(1_000),
    )
}

/// The body's `error` code, or `http_<status>` when there is none (a proxy's page).
fn error_code(body: &str, status: u16) -> String {
    field(body, "error")
        .and_then(|value| value.strip_prefix('"'))
        .and_then(|value| value.split_once('"'))
        .map(|(code, _)| code)
        .filter(|code| {
            (1..=64).contains(&code.len())
                && code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
        .map_or_else(|| format!("http_{status}"), str::to_owned)
}

fn number_field(body: &str, name: &str) -> Option<u64> {
    let value = field(body, name)?;
    let end = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    value.get(..end)?.parse().ok()
}

/// The text right after `"name":`, whitespace skipped.
fn field<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    let key = format!("\"{name}\"");
    let mut rest = body;
    while let Some(at) = rest.find(&key) {
        rest = rest.get(at.saturating_add(key.len())..)?;
        if let Some(value) = rest.trim_start().strip_prefix(':') {
            return Some(value.trim_start());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use SendOutcome::*;
    use proptest::prelude::*;

    const RECEIPT: &str =
        r#"{"session_id":"0190-…","seq":7,"session_seq":8,"leaf_hash":"ab","duplicate":false}"#;

    fn error_body(code: &str) -> String {
        format!(r#"{{"error": "{code}", "message": "the \"seq\": 99 text is not a field"}}"#)
    }

    #[test]
    fn a_receipt_is_accepted_anything_else_2xx_is_retried() {
        assert_eq!(classify(Some(200), None, RECEIPT), Accepted { seq: 7 });
        assert_eq!(
            classify(Some(200), None, "<html>Sign in to Wi-Fi</html>"),
            Retry { after_ms: None }
        );
        assert_eq!(classify(Some(204), None, ""), Retry { after_ms: None });
        // A `"seq":` inside a string value is escaped, so it is not mistaken for a field.
        assert_eq!(
            classify(Some(200), None, &error_body("x")),
            Retry { after_ms: None }
        );
    }

    #[test]
    fn transient_failures_are_retried_honouring_retry_after_seconds() {
        assert_eq!(classify(None, None, ""), Retry { after_ms: None });
        assert_eq!(classify(Some(0), Some("5"), ""), Retry { after_ms: None });
        assert_eq!(
            classify(Some(429), Some(" 3 "), &error_body("overloaded")),
            Retry {
                after_ms: Some(3_000)
            }
        );
        assert_eq!(
            classify(Some(503), Some("5"), &error_body("unavailable")),
            Retry {
                after_ms: Some(5_000)
            }
        );
        assert_eq!(classify(Some(500), None, ""), Retry { after_ms: None });
        assert_eq!(
            classify(Some(408), Some("1.5"), ""),
            Retry { after_ms: None }
        );
        let date = "Wed, 21 Oct 2015 07:28:00 GMT";
        assert_eq!(
            classify(Some(429), Some(date), ""),
            Retry { after_ms: None }
        );
        assert_eq!(
            classify(Some(429), Some("99999999999999999999999"), ""),
            Retry {
                after_ms: Some(u64::MAX)
            }
        );
    }

    #[test]
    fn too_large_splits() {
        assert_eq!(
            classify(Some(413), None, &error_body("too_many_events")),
            SplitHead
        );
        assert_eq!(
            classify(Some(413), None, "<h1>413 Request Entity Too Large</h1>"),
            SplitHead
        );
    }

    #[test]
    fn conflicts_lose_the_session() {
        let gap = r#"{"error":"seq_gap","message":"session x expects batch 3 next, got 5","expected_seq" : 3}"#;
        let lost = |error: &str, expected_seq| SessionLost {
            error: error.into(),
            expected_seq,
        };
        assert_eq!(classify(Some(409), None, gap), lost("seq_gap", Some(3)));
        assert_eq!(
            classify(Some(409), None, r#"{"error":"seq_gap"}"#),
            lost("seq_gap", None)
        );
        assert_eq!(
            classify(Some(409), None, &error_body("conflict")),
            lost("conflict", None)
        );
        assert_eq!(
            classify(Some(409), None, &error_body("foreign_session")),
            lost("foreign_session", None)
        );
    }

    #[test]
    fn other_client_errors_are_rejected_with_their_code() {
        let rejected = |status, error: &str| Rejected {
            status,
            error: error.into(),
        };
        assert_eq!(
            classify(Some(400), None, &error_body("malformed")),
            rejected(400, "malformed")
        );
        assert_eq!(
            classify(Some(401), None, &error_body("unauthorized")),
            rejected(401, "unauthorized")
        );
        assert_eq!(
            classify(Some(403), None, &error_body("forbidden")),
            rejected(403, "forbidden")
        );
        assert_eq!(
            classify(Some(404), None, "Not Found"),
            rejected(404, "http_404")
        );
        assert_eq!(
            classify(Some(400), None, r#"{"error":"<script>"}"#),
            rejected(400, "http_400")
        );
    }

    proptest! {
        #[test]
        fn never_panics(status in proptest::option::of(any::<u16>()), after in ".{0,12}", body in ".{0,80}") {
            let _ = classify(status, Some(&after), &body);
        }
    }
}
