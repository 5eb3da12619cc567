//! Accounts and sign-in for tests that call the viewer's API: a user created in
//! the store (as `affidavit user add` does), then `POST /v1/login` as the viewer
//! does, keeping the cookie and CSRF token it returns.

use ingest_server::auth::{Role, password};
use ingest_server::storage::NewUser;
use serde_json::{Value, json};

use super::harness::TestApp;

/// A password that passes the length rule.
pub const PASSWORD: &str = "correct horse battery staple";

/// A signed-in user: the cookie to send and the CSRF token for state changes.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub cookie: String,
    pub csrf: String,
}

/// Creates `name` with `role` and [`PASSWORD`].
pub async fn create_user(app: &TestApp, name: &str, role: Role) {
    app.store
        .create_user(&NewUser {
            name: name.into(),
            password_hash: password::hash(PASSWORD).expect("hash"),
            role,
            created_at_ms: 1,
        })
        .await
        .expect("user created");
}

/// `POST /v1/login` with these credentials.
pub async fn login(app: &TestApp, name: &str, secret: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/v1/login", app.base))
        .json(&json!({"username": name, "password": secret}))
        .send()
        .await
        .expect("request is sent")
}

/// Creates a user and signs it in.
pub async fn sign_in(app: &TestApp, name: &str, role: Role) -> SignedIn {
    create_user(app, name, role).await;
    let response = login(app, name, PASSWORD).await;
    assert_eq!(response.status(), 200, "sign-in succeeds");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("affidavit_session="))
        .and_then(|v| v.split(';').next())
        .expect("a login cookie")
        .to_owned();
    let body: Value = response.json().await.expect("json");
    SignedIn {
        cookie,
        csrf: body["csrf_token"].as_str().expect("csrf token").into(),
    }
}

impl TestApp {
    /// GET with a signed-in user's cookie and CSRF token, as the viewer sends it.
    pub async fn get_as(&self, who: &SignedIn, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .header("cookie", &who.cookie)
            .header("x-affidavit-csrf", &who.csrf)
            .send()
            .await
            .expect("request is sent")
    }

    /// POST with the cookie and, when `csrf`, the CSRF header.
    pub async fn post_as(&self, who: &SignedIn, path: &str, csrf: bool) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", &who.cookie)
            .json(&json!({}));
        if csrf {
            request = request.header("x-affidavit-csrf", &who.csrf);
        }
        request.send().await.expect("request is sent")
    }
}
