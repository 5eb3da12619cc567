//! The opaque `cursor` of the session list: where the next page starts.
//!
//! It holds the last row's sort value and session id, plus the sort it was made for,
//! so a cursor used with another sort is refused instead of silently skipping rows.
//! Opaque (base64url) so clients treat it as a token, not an API.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use crate::storage::{SortKey, SortOrder, SortPosition};

/// Prefix of the cursor's text, so a future layout can be told apart.
const VERSION: &str = "c1";

pub fn encode(sort: SortKey, order: SortOrder, at: SortPosition) -> String {
    let text = format!(
        "{VERSION}:{}:{}:{}:{}",
        sort.name(),
        order.name(),
        at.value,
        at.session.simple()
    );
    URL_SAFE_NO_PAD.encode(text)
}

/// The position a cursor holds; the message says what is wrong with it.
pub fn decode(cursor: &str, sort: SortKey, order: SortOrder) -> Result<SortPosition, String> {
    let foreign = || "is not a cursor from this listing's next_cursor".to_owned();
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| foreign())?;
    let text = String::from_utf8(bytes).map_err(|_| foreign())?;
    let parts: Vec<&str> = text.split(':').collect();
    let [version, sort_name, order_name, value, session] = parts[..] else {
        return Err(foreign());
    };
    if version != VERSION {
        return Err(foreign());
    }
    if sort_name != sort.name() || order_name != order.name() {
        return Err(format!(
            "was made for sort={sort_name}&order={order_name}; repeat the same sort and order"
        ));
    }
    Ok(SortPosition {
        value: value.parse().map_err(|_| foreign())?,
        session: Uuid::parse_str(session).map_err(|_| foreign())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_another_sort_or_garbage() {
        let at = SortPosition {
            value: -42,
            session: Uuid::now_v7(),
        };
        let cursor = encode(SortKey::Duration, SortOrder::Asc, at);
        assert_eq!(decode(&cursor, SortKey::Duration, SortOrder::Asc), Ok(at));
        let other = decode(&cursor, SortKey::Duration, SortOrder::Desc)
            .expect_err("another order is refused");
        assert!(other.contains("sort=duration&order=asc"), "{other}");
        for garbage in [
            "",
            "!!",
            "YWJj",
            &URL_SAFE_NO_PAD.encode("c2:duration:asc:1:x"),
        ] {
            assert!(decode(garbage, SortKey::Duration, SortOrder::Asc).is_err());
        }
    }
}
