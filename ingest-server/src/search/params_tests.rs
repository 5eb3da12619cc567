use super::*;
use crate::storage::SortPosition;

fn settings() -> SearchSettings {
    SearchSettings {
        default_limit: 50,
        max_limit: 500,
        max_trait_filters: 2,
    }
}

fn parse_str(query: &str) -> Result<SessionQuery, ParamError> {
    let pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), v.to_owned())
        })
        .collect();
    parse(&pairs, &settings(), 64)
}

fn refused(query: &str) -> ParamError {
    match parse_str(query) {
        Err(e) => e,
        Ok(q) => panic!("{query:?} was accepted as {q:?}"),
    }
}

#[test]
fn nothing_given_is_everything_newest_first() {
    assert_eq!(parse_str(""), Ok(SessionQuery::all(50)));
}

#[test]
fn every_filter_is_read() {
    let q = parse_str(
        "from=10&to=20&project=shop&url=/cart&user_id=u-1&trait.plan=pro&trait.seats=3\
         &min_duration_ms=0&max_duration_ms=9&has_errors=true&has_rage_clicks=false\
         &has_dead_clicks=true&event=checkout&sort=clicks&order=asc&limit=500",
    )
    .expect("accepted");
    assert_eq!(q.started_from, Some(10));
    assert_eq!(q.started_to, Some(20));
    assert_eq!(q.project.as_deref(), Some("shop"));
    assert_eq!(q.url, Some(UrlFilter::PathPrefix("/cart".into())));
    assert_eq!(q.user_id.as_deref(), Some("u-1"));
    assert_eq!(
        q.traits,
        [("plan".into(), "pro".into()), ("seats".into(), "3".into())]
    );
    assert_eq!((q.min_duration_ms, q.max_duration_ms), (Some(0), Some(9)));
    assert_eq!(
        (q.has_errors, q.has_rage_clicks, q.has_dead_clicks),
        (Some(true), Some(false), Some(true))
    );
    assert_eq!(q.event_name.as_deref(), Some("checkout"));
    assert_eq!(
        (q.sort, q.order, q.limit),
        (SortKey::Clicks, SortOrder::Asc, 500)
    );
}

#[test]
fn a_url_without_a_leading_slash_is_a_url_prefix() {
    let q = parse_str("url=https://shop.example/c").expect("accepted");
    assert_eq!(
        q.url,
        Some(UrlFilter::UrlPrefix("https://shop.example/c".into()))
    );
}

#[test]
fn each_bad_value_names_its_parameter() {
    for (query, parameter) in [
        ("from=yesterday", "from"),
        ("to=1.5", "to"),
        ("from=20&to=10", "to"),
        ("project=Shop!", "project"),
        ("url=", "url"),
        ("user_id=", "user_id"),
        ("event=a\0b", "event"),
        ("min_duration_ms=-1", "min_duration_ms"),
        ("min_duration_ms=9&max_duration_ms=1", "max_duration_ms"),
        ("has_errors=yes", "has_errors"),
        ("has_rage_clicks=1", "has_rage_clicks"),
        ("has_dead_clicks=", "has_dead_clicks"),
        ("sort=name", "sort"),
        ("order=up", "order"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=ten", "limit"),
        ("cursor=nonsense", "cursor"),
        ("trait.=x", "trait."),
        ("trait.a=1&trait.b=2&trait.c=3", "trait.c"),
        ("limit=5&limit=6", "limit"),
        ("colour=red", "colour"),
    ] {
        let e = refused(query);
        assert_eq!(e.parameter, parameter, "{query}: {e}");
        assert!(e.to_string().contains(&format!("`{parameter}`")), "{e}");
    }
}

#[test]
fn filters_longer_than_the_index_keeps_are_refused() {
    let long = "x".repeat(65);
    assert!(parse_str(&format!("user_id={}", &long[..64])).is_ok());
    for query in [
        format!("user_id={long}"),
        format!("url=/{long}"),
        format!("trait.{long}=1"),
        format!("trait.k={long}"),
    ] {
        let e = refused(&query);
        assert!(
            e.message.contains("64") || e.message.contains("bytes"),
            "{e}"
        );
    }
}

#[test]
fn a_cursor_only_continues_its_own_sort() {
    let at = SortPosition {
        value: 7,
        session: uuid::Uuid::now_v7(),
    };
    let c = cursor::encode(SortKey::Errors, SortOrder::Desc, at);
    let q = parse_str(&format!("sort=errors&cursor={c}")).expect("accepted");
    assert_eq!(q.after, Some(at));
    let e = refused(&format!("sort=events&cursor={c}"));
    assert_eq!(e.parameter, "cursor");
}
