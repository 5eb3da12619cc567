//! Whether anyone could see the page: [`PageState`] (visible, focused), recorded once at
//! start and then whenever either changes.
//!
//! `visibilitychange`, window `focus` and window `blur` often fire together (switching
//! tabs fires all of them), so only a state different from the last recorded one is sent.

use std::cell::Cell;
use std::rc::Rc;

use protocol::{EventData, PageState};
use web_sys::VisibilityState;

use crate::recorder::Engine;

fn current(engine: &Engine) -> PageState {
    PageState {
        visible: engine.document.visibility_state() == VisibilityState::Visible,
        focused: engine.document.has_focus().unwrap_or(false),
    }
}

pub(super) fn install(engine: &Engine) {
    let last: Rc<Cell<Option<(bool, bool)>>> = Rc::new(Cell::new(None));
    let on_change = {
        let last = last.clone();
        move |engine: &Engine, _: web_sys::Event| record_if_changed(engine, &last)
    };
    engine.listen(
        &engine.document,
        "visibilitychange",
        false,
        on_change.clone(),
    );
    engine.listen(&engine.window, "focus", false, on_change.clone());
    engine.listen(&engine.window, "blur", false, on_change);
    record_if_changed(engine, &last);
}

fn record_if_changed(engine: &Engine, last: &Cell<Option<(bool, bool)>>) {
    let state = current(engine);
    let key = (state.visible, state.focused);
    if last.get() == Some(key) {
        return;
    }
    last.set(Some(key));
    engine.record(EventData::PageState(state));
}
