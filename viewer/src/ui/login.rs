//! The login form. The server sets the session cookie (HttpOnly, so this code
//! never sees it) and hands back a CSRF token for later state changes.

use wasm_bindgen::JsCast;

use super::el::{self, El, Listeners};
use super::{Me, keep, remember_csrf};
use crate::api;

pub fn show() {
    let Some(app) = el::by_id("app") else {
        return;
    };
    el::clear(&app);
    let form = El::new("form")
        .class("login")
        .attr("id", "login-form")
        .children([
            el::text("h1", "", "Sign in to Affidavit"),
            El::new("label").text("User name").child(
                El::new("input")
                    .attr("id", "login-user")
                    .attr("name", "username")
                    .attr("autocomplete", "username")
                    .attr("required", ""),
            ),
            El::new("label").text("Password").child(
                El::new("input")
                    .attr("id", "login-password")
                    .attr("name", "password")
                    .attr("type", "password")
                    .attr("autocomplete", "current-password")
                    .attr("required", ""),
            ),
            El::new("button").attr("type", "submit").text("Sign in"),
            El::new("p")
                .class("error")
                .attr("id", "login-error")
                .attr("role", "alert"),
        ]);
    let _ = app.append_child(&form.0);
    let mut listeners = Listeners::default();
    listeners.on(&form.0, "submit", |event| {
        event.prevent_default();
        wasm_bindgen_futures::spawn_local(submit());
    });
    if let Some(user) = el::by_id("login-user") {
        let _ = user.unchecked_ref::<web_sys::HtmlElement>().focus();
    }
    keep(listeners);
}

async fn submit() {
    let body = serde_json::json!({
        "username": el::field_value("login-user"),
        "password": el::field_raw("login-password"),
    });
    match api::post_json::<_, Me>("/v1/login", &body).await {
        Ok(me) => {
            remember_csrf(&me.csrf_token);
            let next = el::query_param("next")
                .and_then(|n| same_origin_path(&n))
                .unwrap_or_else(|| "/sessions".into());
            el::navigate(&next);
        }
        Err(e) => {
            if let Some(slot) = el::by_id("login-error") {
                slot.set_text_content(Some(&e.message));
            }
        }
    }
}

/// `next` as a path on this origin, or `None` when it would leave it
/// (`//evil.example`, `/\\evil.example`, `https://…`): resolved the way the
/// browser would, then compared by origin.
fn same_origin_path(next: &str) -> Option<String> {
    let here = web_sys::window()?.location();
    let base = here.href().ok()?;
    let url = web_sys::Url::new_with_base(next, &base).ok()?;
    (url.origin() == here.origin().ok()?)
        .then(|| format!("{}{}{}", url.pathname(), url.search(), url.hash()))
}
