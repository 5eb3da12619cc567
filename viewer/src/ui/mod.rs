//! The viewer's pages: login, the session list and the player. One HTML shell
//! serves them all; [`boot`] picks the page from the path.

mod el;
mod list;
mod login;
mod player;

use std::any::Any;
use std::cell::RefCell;

use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::api;
use el::{El, Listeners};

// The page being shown, kept alive (with its listeners) until the next load.
thread_local! {
    static PAGE: RefCell<Vec<Box<dyn Any>>> = const { RefCell::new(Vec::new()) };
}

fn keep(page: impl Any) {
    PAGE.with(|p| p.borrow_mut().push(Box::new(page)));
}

#[derive(Debug, Clone, Deserialize)]
pub struct Me {
    pub user: User,
    pub csrf_token: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub name: String,
    pub role: String,
}

/// Starts the page for the current path. Called once by `boot.js`.
#[wasm_bindgen]
pub async fn boot() -> Result<(), JsValue> {
    let location = web_sys::window()
        .ok_or_else(|| JsValue::from_str("no window"))?
        .location();
    let path = location.pathname()?;
    if path == "/login" {
        login::show();
        return Ok(());
    }
    let me = match api::get_json::<Me>("/v1/me").await {
        Ok(me) => me,
        Err(e) if e.is_unauthorized() => {
            let back = format!("{path}{}", location.search().unwrap_or_default());
            el::navigate(&format!(
                "/login?next={}",
                js_sys::encode_uri_component(&back)
            ));
            return Ok(());
        }
        Err(e) => {
            fail(&format!("The viewer cannot reach the server: {e}"));
            return Ok(());
        }
    };
    remember_csrf(&me.csrf_token);
    header(&me.user);
    match path.strip_prefix("/sessions/") {
        Some(id) if !id.is_empty() => player::show(id).await,
        _ => list::show().await,
    }
    Ok(())
}

fn remember_csrf(token: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
        let _ = storage.set_item(api::CSRF_KEY, token);
    }
}

/// The signed-in user and a sign-out button, in the shell's header.
fn header(user: &User) {
    let Some(slot) = el::by_id("who") else {
        return;
    };
    el::clear(&slot);
    let button = El::new("button")
        .class("link")
        .attr("type", "button")
        .attr("id", "logout")
        .text("Sign out");
    slot.append_child(
        &El::new("span")
            .text(&format!("{} ({})", user.name, user.role))
            .0,
    )
    .ok();
    slot.append_child(&button.0).ok();
    let mut listeners = Listeners::default();
    listeners.on(&button.0, "click", |_| {
        wasm_bindgen_futures::spawn_local(async {
            let _ =
                api::post_json::<_, serde_json::Value>("/v1/logout", &serde_json::json!({})).await;
            el::navigate("/login");
        });
    });
    keep(listeners);
}

/// Replaces the page with an error message.
fn fail(message: &str) {
    if let Some(app) = el::by_id("app") {
        el::clear(&app);
        let _ = app.append_child(&el::text("p", "error", message).0);
    }
}
