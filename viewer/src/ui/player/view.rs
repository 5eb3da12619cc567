//! The player's layout and the parts of it that change as playback moves.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlIFrameElement};

use super::engine::SPEEDS;
use crate::time;
use crate::timeline::Timeline;
use crate::ui::el::{self, El};

/// Every element the player wires up.
#[derive(Debug)]
pub struct Layout {
    pub root: El,
    pub verification: Element,
    pub stage: Element,
    pub viewport: Element,
    pub frame: HtmlIFrameElement,
    pub play: Element,
    pub bar: Element,
    pub speed: Element,
    pub skip: Element,
    pub link: Element,
    pub audit: Element,
    pub console: Element,
    pub pages: Element,
    pub user: Element,
    pub tabs: Vec<(Element, Element)>,
    pub view: PlayerView,
}

/// What changes with the position.
#[derive(Debug)]
pub struct PlayerView {
    clock: Element,
    progress: Element,
    play: Element,
    speed: Element,
    url: Element,
    page_state: Element,
}

impl PlayerView {
    pub fn set_position(&self, offset_ms: i64, duration_ms: i64, playing: bool, speed: f64) {
        self.clock.set_text_content(Some(&format!(
            "{} / {}",
            time::clock(offset_ms),
            time::clock(duration_ms)
        )));
        let percent = if duration_ms > 0 {
            (offset_ms as f64 / duration_ms as f64 * 100.0).clamp(0.0, 100.0)
        } else {
            100.0
        };
        let _ = self
            .progress
            .set_attribute("style", &format!("width:{percent:.3}%"));
        self.play
            .set_text_content(Some(if playing { "Pause" } else { "Play" }));
        let _ = self
            .play
            .set_attribute("aria-pressed", if playing { "true" } else { "false" });
        let _ = js_sys::Reflect::set(&self.speed, &"value".into(), &format!("{speed}").into());
    }

    pub fn set_url(&self, url: &str) {
        self.url.set_text_content(Some(url));
    }

    pub fn set_page_state(&self, visible: bool, focused: bool) {
        let text = match (visible, focused) {
            (false, _) => "tab hidden",
            (true, false) => "window not focused",
            (true, true) => "",
        };
        self.page_state.set_text_content(Some(text));
        let _ = self
            .page_state
            .class_list()
            .toggle_with_force("hidden", text.is_empty());
    }
}

/// Builds the player page for a session.
pub fn layout(session_id: &str) -> Layout {
    let verification = El::new("section")
        .class("verification pending")
        .attr("id", "verification")
        .attr("aria-live", "polite")
        .text("Verifying…");
    let frame: HtmlIFrameElement = El::new("iframe")
        .class("replay-frame")
        .attr("id", "replay-frame")
        // Same origin so the viewer can build the page; no scripts, forms,
        // popups or navigation: nothing recorded can run or leave the frame.
        .attr("sandbox", "allow-same-origin")
        // Out of the tab order and unfocusable: no key press reaches a recorded
        // link or control.
        .attr("inert", "")
        .attr("tabindex", "-1")
        .attr("title", "Replay")
        .attr("referrerpolicy", "no-referrer")
        .0
        .unchecked_into();
    let viewport = El::new("div").class("viewport").child(&frame);
    let page_state = el::text("div", "page-state hidden", "");
    let stage = El::new("div")
        .class("stage")
        .attr("id", "stage")
        .child(&viewport)
        .child(&page_state);
    let play = El::new("button")
        .attr("type", "button")
        .attr("id", "play")
        .attr("aria-pressed", "false")
        .text("Play");
    let clock = el::text("span", "clock", "0:00 / 0:00").attr("id", "clock");
    let progress = El::new("div").class("progress");
    let bar = El::new("div")
        .class("bar")
        .attr("id", "timeline")
        .attr("role", "slider")
        .attr("aria-label", "Playback position")
        .attr("tabindex", "0")
        .child(&progress);
    let speed = El::new("select")
        .attr("id", "speed")
        .attr("aria-label", "Speed")
        .children(SPEEDS.iter().map(|s| {
            El::new("option")
                .attr("value", &format!("{s}"))
                .text(&format!("{s}×"))
        }));
    let skip = El::new("input")
        .attr("type", "checkbox")
        .attr("id", "skip")
        .attr("checked", "");
    let link = El::new("button")
        .attr("type", "button")
        .attr("id", "copy-link")
        .attr("title", "Copy a link to this moment")
        .text("Link");
    let controls = El::new("div").class("controls").children([
        play.clone(),
        clock.clone(),
        bar.clone(),
        speed.clone(),
        El::new("label")
            .class("skip")
            .child(&skip)
            .child(El::new("span").text("Skip inactivity")),
        link.clone(),
    ]);
    let url = el::text("div", "url", "").attr("id", "url");
    let main = El::new("div")
        .class("player-main")
        .children([url.clone(), stage.clone(), controls]);

    let panel = |id: &str| {
        El::new("div")
            .class("panel")
            .attr("id", id)
            .attr("role", "tabpanel")
    };
    let (audit, console, pages, user) = (
        panel("panel-audit"),
        panel("panel-console"),
        panel("panel-pages"),
        panel("panel-user"),
    );
    let tab = |label: &str, target: &El| {
        El::new("button")
            .attr("type", "button")
            .attr("role", "tab")
            .attr("aria-controls", &target.0.id())
            .text(label)
    };
    let tabs = vec![
        (tab("Audit", &audit), audit.clone()),
        (tab("Console & errors", &console), console.clone()),
        (tab("Pages", &pages), pages.clone()),
        (tab("User & device", &user), user.clone()),
    ];
    let side = El::new("aside")
        .class("side")
        .child(
            El::new("div")
                .class("tabs")
                .attr("role", "tablist")
                .children(tabs.iter().map(|(t, _)| t.clone())),
        )
        .children(tabs.iter().map(|(_, p)| p.clone()));
    let root = El::new("div").class("player-page").children([
        El::new("header").class("session-head").children([
            El::new("a").attr("href", "/sessions").text("← Sessions"),
            el::text("h1", "", &format!("Session {session_id}")),
        ]),
        verification.clone(),
        El::new("div").class("player-body").children([main, side]),
    ]);
    Layout {
        root,
        verification: verification.0,
        stage: stage.0,
        viewport: viewport.0,
        frame,
        play: play.0.clone(),
        bar: bar.0,
        speed: speed.0.clone(),
        skip: skip.0,
        link: link.0,
        audit: audit.0,
        console: console.0,
        pages: pages.0,
        user: user.0,
        tabs: tabs.into_iter().map(|(t, p)| (t.0, p.0)).collect(),
        view: PlayerView {
            clock: clock.0,
            progress: progress.0,
            play: play.0,
            speed: speed.0,
            url: url.0,
            page_state: page_state.0,
        },
    }
}

/// Ticks for the timeline's markers and shaded idle stretches.
pub fn draw_markers(bar: &Element, timeline: &Timeline) {
    let (start, end) = timeline.bounds();
    let span = (end - start).max(1) as f64;
    let at = |ms: i64| ((ms - start) as f64 / span * 100.0).clamp(0.0, 100.0);
    for (from, to) in &timeline.inactive {
        let idle = El::new("div").class("idle").attr(
            "style",
            &format!("left:{:.3}%;width:{:.3}%", at(*from), at(*to) - at(*from)),
        );
        let _ = bar.append_child(&idle.0);
    }
    for marker in &timeline.markers {
        let tick = El::new("button")
            .attr("type", "button")
            .class(&format!("tick {}", marker.kind.name()))
            .attr("style", &format!("left:{:.3}%", at(marker.at_ms)))
            .attr(
                "title",
                &format!(
                    "{} {}: {}",
                    time::clock(marker.at_ms - start),
                    marker.kind.name(),
                    marker.label
                ),
            )
            .attr("data-event", &marker.event.to_string());
        let _ = bar.append_child(&tick.0);
    }
}
