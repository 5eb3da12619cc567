//! The recorder and demo-site files: types browsers insist on, CORS, caching, JSON
//! 404s that say what to do, no way out of the configured directories, and the demo
//! key filled in only when the server runs with `--demo`.

use std::path::PathBuf;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::harness::{TestApp, spawn_app_with, spawn_demo_app_with};
use crate::support::Backend;

const WASM: &[u8] = b"\0asm\x01\0\0\0";
const SECRET: &str = "do-not-serve-me";

/// A recorder build and a demo site in a temp dir, with a secret beside them that
/// traversal attempts aim at.
struct Assets {
    root: TempDir,
}

impl Assets {
    fn new() -> Assets {
        let root = tempfile::tempdir().expect("tempdir");
        let write = |rel: &str, body: &[u8]| {
            let path = root.path().join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, body).expect("write");
        };
        write("recorder/affidavit.js", b"/* loader */");
        write(
            "recorder/affidavit.mjs",
            b"export async function start() {}",
        );
        write("recorder/affidavit_recorder_bg.wasm", WASM);
        write("recorder/.hidden", SECRET.as_bytes());
        write("secret.txt", SECRET.as_bytes());
        write(
            "www/index.html",
            b"<script src=\"/affidavit.js\" data-key=\"__AFFIDAVIT_DEMO_KEY__\" async></script>",
        );
        write(
            "www/shop/cart.html",
            b"<p>cart</p><script data-key=\"__AFFIDAVIT_DEMO_KEY__\"></script>",
        );
        write("www/style.css", b"/* __AFFIDAVIT_DEMO_KEY__ */");
        Assets { root }
    }

    fn dir(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }
}

async fn app(assets: &Assets, demo: bool) -> TestApp {
    let (recorder, www) = (assets.dir("recorder"), assets.dir("www"));
    let adjust = |s: &mut ingest_server::configuration::Settings| {
        s.assets.recorder_dir = recorder;
        s.assets.www_dir = www;
    };
    if demo {
        spawn_demo_app_with(Backend::Sqlite, adjust).await
    } else {
        spawn_app_with(Backend::Sqlite, adjust).await
    }
}

/// A client that shows redirects instead of following them.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    client()
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("request is sent")
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
}

/// The request line exactly as written: HTTP clients normalise `..` away before
/// sending, and an attacker's client does not.
async fn raw_get(app: &TestApp, path: &str) -> (u16, String) {
    let addr = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {response:?}"));
    (status, response)
}

async fn error_body(response: reqwest::Response) -> serde_json::Value {
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .map(HeaderValue::as_bytes),
        Some(b"application/json".as_slice())
    );
    response.json().await.expect("JSON error body")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorder_files_are_served_with_their_types_cors_and_revalidation() {
    let assets = Assets::new();
    let app = app(&assets, false).await;

    let loader = get(&app, "/affidavit.js").await;
    let module = get(&app, "/recorder/affidavit.mjs").await;
    let wasm = get(&app, "/recorder/affidavit_recorder_bg.wasm").await;

    assert_eq!(loader.status(), StatusCode::OK);
    assert_eq!(
        header(loader.headers(), "content-type"),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(header(loader.headers(), "access-control-allow-origin"), "*");
    assert_eq!(header(loader.headers(), "cache-control"), "no-cache");
    let etag = header(loader.headers(), "etag").to_owned();
    assert_eq!(loader.text().await.expect("body"), "/* loader */");
    assert_eq!(
        header(module.headers(), "content-type"),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(header(module.headers(), "access-control-allow-origin"), "*");
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(header(wasm.headers(), "content-type"), "application/wasm");
    assert_eq!(header(wasm.headers(), "access-control-allow-origin"), "*");
    assert_eq!(wasm.bytes().await.expect("body").as_ref(), WASM);

    let revalidated = client()
        .get(format!("{}/affidavit.js", app.base))
        .header("If-None-Match", &etag)
        .send()
        .await
        .expect("sent");
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(revalidated.headers(), "etag"), etag);
    std::fs::write(assets.dir("recorder/affidavit.js"), "/* rebuilt */").expect("rebuild");
    let rebuilt = client()
        .get(format!("{}/affidavit.js", app.base))
        .header("If-None-Match", &etag)
        .send()
        .await
        .expect("sent");
    assert_eq!(
        rebuilt.status(),
        StatusCode::OK,
        "a rebuild changes the ETag"
    );
    assert_eq!(rebuilt.text().await.expect("body"), "/* rebuilt */");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_recorder_is_a_json_404_that_says_how_to_build_it() {
    let assets = Assets::new();
    let nowhere = assets.dir("not-built");
    let unbuilt = spawn_app_with(Backend::Sqlite, |s| s.assets.recorder_dir = nowhere).await;
    let built = app(&assets, false).await;

    for response in [
        get(&unbuilt, "/affidavit.js").await,
        get(&unbuilt, "/recorder/affidavit_recorder_bg.wasm").await,
        get(&built, "/recorder/affidavit_recorder.js").await,
    ] {
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body = error_body(response).await;
        assert_eq!(body["error"], "not_found");
        let message = body["message"].as_str().expect("message");
        assert!(message.contains("scripts/build-recorder"), "{message}");
    }
    unbuilt.stop().await;
    built.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paths_outside_the_asset_directories_are_refused() {
    let assets = Assets::new();
    let app = app(&assets, true).await;

    let attempts = [
        "/recorder/../secret.txt",
        "/recorder/..%2fsecret.txt",
        "/recorder/%2e%2e%2fsecret.txt",
        "/recorder/%2e%2e",
        "/recorder/.hidden",
        "/recorder/%2ehidden",
        "/demo/../secret.txt",
        "/demo/%2e%2e/secret.txt",
        "/demo/shop/%2e%2e/%2e%2e/secret.txt",
        "/demo/..%5csecret.txt",
        "/demo//etc/passwd",
        "/demo/%2fetc/passwd",
    ];
    for path in attempts {
        let (status, response) = raw_get(&app, path).await;

        assert!(
            status == 400 || status == 404,
            "{path} answered {status}: {response}"
        );
        assert!(!response.contains(SECRET), "{path} leaked: {response}");
    }
    let (status, response) = raw_get(&app, "/recorder/%2e%2e").await;
    assert_eq!(status, 400);
    assert!(
        response.contains(r#""error":"bad_path""#),
        "a refused name says why: {response}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_site_is_served_only_in_demo_mode_with_the_key_filled_in() {
    let assets = Assets::new();
    let plain = app(&assets, false).await;
    let demo = app(&assets, true).await;

    for path in ["/demo", "/demo/", "/demo/index.html"] {
        let response = get(&plain, path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(error_body(response).await["error"], "not_found");
    }
    // The root is the viewer's, demo or not.
    for server in [&plain, &demo] {
        let root = get(server, "/").await;
        assert_eq!(root.status(), StatusCode::FOUND);
        assert_eq!(header(root.headers(), "location"), "/sessions");
    }
    assert_eq!(
        header(get(&demo, "/demo").await.headers(), "location"),
        "/demo/"
    );
    let index = get(&demo, "/demo/").await;
    assert_eq!(index.status(), StatusCode::OK);
    assert_eq!(
        header(index.headers(), "content-type"),
        "text/html; charset=utf-8"
    );
    let page = index.text().await.expect("body");
    assert!(
        page.contains(&format!("data-key=\"{}\"", demo.key)),
        "{page}"
    );
    assert!(!page.contains("__AFFIDAVIT_DEMO_KEY__"));
    let nested = get(&demo, "/demo/shop/cart.html")
        .await
        .text()
        .await
        .expect("body");
    assert!(nested.contains(&demo.key), "{nested}");
    let css = get(&demo, "/demo/style.css").await;
    assert_eq!(
        header(css.headers(), "content-type"),
        "text/css; charset=utf-8"
    );
    assert_eq!(
        css.text().await.expect("body"),
        "/* __AFFIDAVIT_DEMO_KEY__ */",
        "only HTML pages are rewritten"
    );
    let missing = get(&demo, "/demo/nope.html").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_body(missing).await["error"], "not_found");
    plain.stop().await;
    demo.stop().await;
}
