//! The query string of `GET /v1/sessions`, checked into a [`SessionQuery`].
//!
//! Parameters are read by hand rather than by serde so that every refusal names the
//! parameter and says what would be accepted; unknown and repeated parameters are
//! refused too, so a typo never silently widens a search.

use std::collections::HashSet;

use crate::configuration::SearchSettings;
use crate::domain::ProjectId;
use crate::storage::{SessionQuery, SortKey, SortOrder, UrlFilter};

use super::cursor;

/// A refused parameter and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parameter `{parameter}` {message}")]
pub struct ParamError {
    pub parameter: String,
    pub message: String,
}

fn refuse(parameter: &str, message: impl Into<String>) -> ParamError {
    ParamError {
        parameter: parameter.to_owned(),
        message: message.into(),
    }
}

/// Parses the query string's (name, value) pairs. `max_value_bytes` is the longest
/// string the index stores: a longer filter could never match.
pub fn parse(
    pairs: &[(String, String)],
    settings: &SearchSettings,
    max_value_bytes: usize,
) -> Result<SessionQuery, ParamError> {
    let mut q = SessionQuery::all(settings.default_limit);
    let mut seen = HashSet::new();
    let mut cursor_text = None;
    let filter = |name: &str, value: &str| text(name, value, max_value_bytes);
    for (name, value) in pairs {
        if !seen.insert(name.as_str()) {
            return Err(refuse(name, "is given more than once"));
        }
        match name.as_str() {
            "from" => q.started_from = Some(integer(name, value)?),
            "to" => q.started_to = Some(integer(name, value)?),
            "project" => {
                q.project = Some(
                    ProjectId::parse(value)
                        .map_err(|e| refuse(name, e))?
                        .as_str()
                        .to_owned(),
                )
            }
            "url" => {
                let prefix = filter(name, value)?;
                q.url = Some(if prefix.starts_with('/') {
                    UrlFilter::PathPrefix(prefix)
                } else {
                    UrlFilter::UrlPrefix(prefix)
                });
            }
            "user_id" => q.user_id = Some(filter(name, value)?),
            "event" => q.event_name = Some(filter(name, value)?),
            "min_duration_ms" => q.min_duration_ms = Some(duration(name, value)?),
            "max_duration_ms" => q.max_duration_ms = Some(duration(name, value)?),
            "has_errors" => q.has_errors = Some(boolean(name, value)?),
            "has_rage_clicks" => q.has_rage_clicks = Some(boolean(name, value)?),
            "has_dead_clicks" => q.has_dead_clicks = Some(boolean(name, value)?),
            "sort" => q.sort = sort_key(name, value)?,
            "order" => q.order = order(name, value)?,
            "limit" => q.limit = limit(name, value, settings.max_limit)?,
            "cursor" => cursor_text = Some(value.as_str()),
            other => match other.strip_prefix("trait.") {
                Some(key) => {
                    if q.traits.len() == settings.max_trait_filters {
                        return Err(refuse(
                            name,
                            format!(
                                "is one trait filter too many: at most {} (search.max_trait_filters)",
                                settings.max_trait_filters
                            ),
                        ));
                    }
                    let key = filter(name, key).map_err(|_| {
                        refuse(name, format!("needs a trait name of 1 to {max_value_bytes} bytes without NUL after `trait.`"))
                    })?;
                    let value = bounded(name, value, max_value_bytes)?;
                    q.traits.push((key, value));
                }
                None => {
                    return Err(refuse(
                        name,
                        "is unknown; use from, to, project, url, user_id, trait.NAME, \
                         min_duration_ms, max_duration_ms, has_errors, has_rage_clicks, \
                         has_dead_clicks, event, sort, order, limit, cursor",
                    ));
                }
            },
        }
    }
    if let (Some(from), Some(to)) = (q.started_from, q.started_to)
        && from > to
    {
        return Err(refuse("to", format!("({to}) is before `from` ({from})")));
    }
    if let (Some(min), Some(max)) = (q.min_duration_ms, q.max_duration_ms)
        && min > max
    {
        return Err(refuse(
            "max_duration_ms",
            format!("({max}) is below `min_duration_ms` ({min})"),
        ));
    }
    if let Some(c) = cursor_text {
        q.after = Some(cursor::decode(c, q.sort, q.order).map_err(|m| refuse("cursor", m))?);
    }
    Ok(q)
}

fn integer(name: &str, value: &str) -> Result<i64, ParamError> {
    value.parse().map_err(|_| {
        refuse(
            name,
            format!("must be a time in Unix milliseconds, not {value:?}"),
        )
    })
}

fn duration(name: &str, value: &str) -> Result<i64, ParamError> {
    value
        .parse::<i64>()
        .ok()
        .filter(|v| *v >= 0)
        .ok_or_else(|| {
            refuse(
                name,
                format!("must be a whole number of milliseconds, 0 or more, not {value:?}"),
            )
        })
}

fn boolean(name: &str, value: &str) -> Result<bool, ParamError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(refuse(
            name,
            format!("must be true or false, not {value:?}"),
        )),
    }
}

fn sort_key(name: &str, value: &str) -> Result<SortKey, ParamError> {
    SortKey::ALL
        .into_iter()
        .find(|k| k.name() == value)
        .ok_or_else(|| {
            let names: Vec<&str> = SortKey::ALL.iter().map(|k| k.name()).collect();
            refuse(
                name,
                format!("must be one of {}, not {value:?}", names.join(", ")),
            )
        })
}

fn order(name: &str, value: &str) -> Result<SortOrder, ParamError> {
    match value {
        "asc" => Ok(SortOrder::Asc),
        "desc" => Ok(SortOrder::Desc),
        _ => Err(refuse(name, format!("must be asc or desc, not {value:?}"))),
    }
}

fn limit(name: &str, value: &str, max: u32) -> Result<u32, ParamError> {
    value
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| {
            refuse(
                name,
                format!("must be a whole number from 1 to {max} (search.max_limit), not {value:?}"),
            )
        })
}

/// A non-empty filter string the index could hold.
fn text(name: &str, value: &str, max_bytes: usize) -> Result<String, ParamError> {
    if value.is_empty() {
        return Err(refuse(name, "must not be empty"));
    }
    bounded(name, value, max_bytes)
}

/// The index stores no NUL (PostgreSQL text cannot) and nothing longer than
/// `max_bytes`, so such a filter could never match: refused rather than run.
fn bounded(name: &str, value: &str, max_bytes: usize) -> Result<String, ParamError> {
    if value.contains('\0') {
        return Err(refuse(name, "must not contain NUL"));
    }
    if value.len() > max_bytes {
        return Err(refuse(
            name,
            format!(
                "is {} bytes; the index keeps at most {max_bytes} (indexer.max_value_bytes)",
                value.len()
            ),
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
#[path = "params_tests.rs"]
mod tests;
