//! The session list: filters that become the query string (so a search can be
//! bookmarked and shared), the server's search (which runs in the database),
//! and one row per session linking to its replay.

use serde::Deserialize;
use wasm_bindgen::JsCast;
use web_sys::UrlSearchParams;

use super::el::{self, El, Listeners};
use super::keep;
use crate::api;
use crate::time;

/// The filters, as (query parameter, label, input type, placeholder).
const FILTERS: [(&str, &str, &str, &str); 9] = [
    ("from", "Started after", "datetime-local", ""),
    ("to", "Started before", "datetime-local", ""),
    ("project", "Project", "text", "demo"),
    ("url", "Page (URL or path prefix)", "text", "/checkout"),
    ("user_id", "User id", "text", "user-42"),
    ("trait", "Trait (key=value)", "text", "plan=pro"),
    ("min_duration_s", "Min duration (s)", "number", ""),
    ("max_duration_s", "Max duration (s)", "number", ""),
    ("event", "Custom event", "text", "checkout"),
];
const FLAGS: [(&str, &str); 3] = [
    ("has_errors", "JS errors"),
    ("has_rage_clicks", "Rage clicks"),
    ("has_dead_clicks", "Dead clicks"),
];

#[derive(Debug, Deserialize)]
struct Page {
    sessions: Vec<Row>,
    #[serde(default)]
    total: Option<u64>,
    #[serde(default)]
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Row {
    session_id: String,
    project: String,
    started_at_ms: i64,
    duration_ms: i64,
    #[serde(default)]
    first_url: Option<String>,
    #[serde(default)]
    page_count: u64,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    event_count: u64,
    #[serde(default)]
    error_count: u64,
    #[serde(default)]
    rage_click_count: u64,
    #[serde(default)]
    dead_click_count: u64,
    #[serde(default)]
    verification: String,
}

pub async fn show() {
    let Some(app) = el::by_id("app") else {
        return;
    };
    el::clear(&app);
    let params = current_params();
    let get = |name: &str| params.get(name).unwrap_or_default();
    let form = El::new("form").class("filters").attr("id", "filters");
    for (name, label, kind, placeholder) in FILTERS {
        let input = El::new("input")
            .attr("id", &format!("f-{name}"))
            .attr("name", name)
            .attr("type", kind)
            .attr("placeholder", placeholder)
            .attr("value", &get(name));
        let _ = form
            .0
            .append_child(&El::new("label").text(label).child(input).0);
    }
    for (name, label) in FLAGS {
        let mut input = El::new("input")
            .attr("id", &format!("f-{name}"))
            .attr("name", name)
            .attr("type", "checkbox");
        if get(name) == "true" {
            input = input.attr("checked", "");
        }
        let _ = form.0.append_child(
            &El::new("label")
                .class("check")
                .child(input)
                .child(El::new("span").text(label))
                .0,
        );
    }
    let sort = El::new("select")
        .attr("id", "f-sort")
        .attr("name", "sort")
        .children(
            [
                ("started_at", "Newest"),
                ("duration", "Longest"),
                ("errors", "Most errors"),
                ("events", "Most events"),
                ("clicks", "Most clicks"),
            ]
            .iter()
            .map(|(value, label)| {
                let option = El::new("option").attr("value", value).text(label);
                if get("sort") == *value {
                    option.attr("selected", "")
                } else {
                    option
                }
            }),
        );
    let _ = form
        .0
        .append_child(&El::new("label").text("Sort").child(sort).0);
    let order =
        El::new("select")
            .attr("id", "f-order")
            .attr("name", "order")
            .children([("desc", "Descending"), ("asc", "Ascending")].iter().map(
                |(value, label)| {
                    let option = El::new("option").attr("value", value).text(label);
                    if get("order") == *value {
                        option.attr("selected", "")
                    } else {
                        option
                    }
                },
            ));
    let _ = form
        .0
        .append_child(&El::new("label").text("Order").child(order).0);
    let _ = form
        .0
        .append_child(&El::new("button").attr("type", "submit").text("Search").0);
    let _ = form
        .0
        .append_child(&El::new("a").attr("href", "/sessions").text("Clear").0);
    let results =
        El::new("div")
            .attr("id", "results")
            .child(el::text("p", "loading", "Searching…"));
    let _ = app.append_child(&form.0);
    let _ = app.append_child(&results.0);

    let mut listeners = Listeners::default();
    listeners.on(&form.0, "submit", |event| {
        event.prevent_default();
        el::navigate(&format!("/sessions?{}", query_from_form()));
    });
    keep(listeners);

    let query = api_query(&params);
    match api::get_json::<Page>(&format!("/v1/sessions?{query}")).await {
        Ok(page) => render(&results.0, page, &params),
        Err(e) => {
            el::clear(&results.0);
            let _ = results
                .0
                .append_child(&el::text("p", "error", &format!("The search failed: {e}")).0);
        }
    }
}

fn current_params() -> UrlSearchParams {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    UrlSearchParams::new_with_str(&search)
        .unwrap_or_else(|_| UrlSearchParams::new().expect("an empty query string is valid"))
}

/// The page's own query string from the form (local times and seconds, as typed).
fn query_from_form() -> String {
    let params = UrlSearchParams::new().expect("an empty query string is valid");
    for (name, _, _, _) in FILTERS {
        let value = el::field_value(&format!("f-{name}"));
        if !value.is_empty() {
            params.append(name, &value);
        }
    }
    for (name, _) in FLAGS {
        let checked = el::by_id(&format!("f-{name}"))
            .map(|e| e.unchecked_into::<web_sys::HtmlInputElement>().checked())
            .unwrap_or(false);
        if checked {
            params.append(name, "true");
        }
    }
    let sort = el::field_value("f-sort");
    if !sort.is_empty() && sort != "started_at" {
        params.append("sort", &sort);
    }
    let order = el::field_value("f-order");
    if order == "asc" {
        params.append("order", &order);
    }
    params.to_string().into()
}

/// The API's query from the page's: local date-times become Unix ms, seconds
/// become milliseconds, the rest passes as is.
fn api_query(page: &UrlSearchParams) -> String {
    let out = UrlSearchParams::new().expect("an empty query string is valid");
    for (name, _, _, _) in FILTERS
        .iter()
        .chain(&[("cursor", "", "", ""), ("sort", "", "", "")])
    {
        let Some(value) = page.get(name).filter(|v| !v.is_empty()) else {
            continue;
        };
        match *name {
            "from" | "to" => {
                let ms = js_sys::Date::parse(&value);
                if ms.is_finite() {
                    out.append(name, &format!("{}", ms as i64));
                }
            }
            "trait" => {
                // `plan=pro` → `trait.plan=pro`
                if let Some((key, value)) = value.split_once('=') {
                    out.append(&format!("trait.{}", key.trim()), value.trim());
                }
            }
            "min_duration_s" | "max_duration_s" => {
                if let Ok(seconds) = value.parse::<f64>() {
                    let api_name = name.replace("_s", "_ms");
                    out.append(&api_name, &format!("{}", (seconds * 1000.0) as i64));
                }
            }
            _ => out.append(name, &value),
        }
    }
    for (name, _) in FLAGS {
        if page.get(name).as_deref() == Some("true") {
            out.append(name, "true");
        }
    }
    out.to_string().into()
}

fn render(results: &web_sys::Element, page: Page, params: &UrlSearchParams) {
    el::clear(results);
    if page.sessions.is_empty() {
        let _ =
            results.append_child(&el::text("p", "empty", "No session matches these filters.").0);
        return;
    }
    let head = El::new("thead").child(
        El::new("tr").children(
            [
                "Started (UTC)",
                "Duration",
                "Project",
                "User",
                "Pages",
                "First page",
                "Events",
                "Errors",
                "Rage / dead",
                "Log",
            ]
            .iter()
            .map(|h| el::text("th", "", h)),
        ),
    );
    let body = El::new("tbody");
    for row in &page.sessions {
        let badge = match row.verification.as_str() {
            "sealed" => el::text("span", "badge sealed", "sealed")
                .attr("title", "every entry is in a signed checkpoint"),
            "pending" => el::text("span", "badge pending", "pending")
                .attr("title", "some entries wait for the next checkpoint"),
            other => el::text("span", "badge", other),
        };
        let link = El::new("a")
            .attr("href", &format!("/sessions/{}", row.session_id))
            .text(&time::utc(row.started_at_ms));
        let tr = El::new("tr")
            .attr("data-session", &row.session_id)
            .children([
                El::new("td").child(link),
                el::text("td", "", &time::clock(row.duration_ms)),
                el::text("td", "", &row.project),
                el::text("td", "", row.user_id.as_deref().unwrap_or("—")),
                el::text("td", "", &row.page_count.to_string()),
                el::text("td", "url", row.first_url.as_deref().unwrap_or("")),
                el::text("td", "", &row.event_count.to_string()),
                el::text("td", "", &row.error_count.to_string()),
                el::text(
                    "td",
                    "",
                    &format!("{} / {}", row.rage_click_count, row.dead_click_count),
                ),
                El::new("td").child(badge),
            ]);
        let _ = body.0.append_child(&tr.0);
    }
    let table = El::new("table")
        .class("sessions")
        .attr("id", "sessions")
        .child(head)
        .child(body);
    let _ = results.append_child(&table.0);
    let pager = El::new("div").class("pager");
    if let Some(total) = page.total {
        let _ = pager
            .0
            .append_child(&el::text("span", "", &format!("{total} sessions")).0);
    }
    if let Some(cursor) = page.next_cursor {
        let next = UrlSearchParams::new_with_str(&String::from(params.to_string()))
            .unwrap_or_else(|_| UrlSearchParams::new().expect("empty"));
        next.set("cursor", &cursor);
        let _ = pager.0.append_child(
            &El::new("a")
                .attr("id", "next-page")
                .attr(
                    "href",
                    &format!("/sessions?{}", String::from(next.to_string())),
                )
                .text("Next page →")
                .0,
        );
    }
    let _ = results.append_child(&pager.0);
    let mut listeners = Listeners::default();
    listeners.on(&table.0, "click", |event| {
        let row = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|t| t.closest("tr[data-session]").ok().flatten())
            .and_then(|t| t.get_attribute("data-session"));
        if let Some(id) = row {
            el::navigate(&format!("/sessions/{id}"));
        }
    });
    keep(listeners);
}
