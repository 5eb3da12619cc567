//! Event observers: everything recorded besides DOM mutations. Each submodule installs its
//! listeners (or patches) through [`crate::recorder::Engine::listen`] /
//! [`crate::recorder::Engine::on_stop`], so `stop()` undoes all of them.
//!
//! Same-origin iframes get the document-level observers (input, pointer, element scroll,
//! media, selection, frame loads) in their own document; the patches (history, console,
//! CSSOM, `attachShadow`) apply to the top window's objects and prototypes only, since
//! each frame is its own JavaScript realm with its own prototypes.

mod adopted;
mod console;
mod cssom;
mod errors;
mod input;
mod js;
mod media;
mod navigation;
mod page;
mod patch;
mod pointer;
mod roots;
mod scroll;
mod selection;
mod sheets;
mod timer;

use std::cell::RefCell;
use std::rc::Weak;

use js_sys::{Object, WeakSet};
use wasm_bindgen::JsCast;
use web_sys::Document;

use crate::recorder::Engine;

/// Installs every observer on the top window and document.
pub(crate) fn install(engine: &Engine) {
    let document = engine.document.clone();
    first_install_in(engine, &document);
    install_document(engine, &document);
    scroll::install_resize(engine);
    page::install(engine);
    navigation::install(engine);
    errors::install(engine);
    console::install(engine);
    let sheets = sheets::Sheets::new(engine);
    cssom::install(engine, &sheets);
    adopted::install(engine, &sheets);
    roots::install(engine);
}

/// Installs the document-level observers in a same-origin iframe's document.
pub(crate) fn install_in_frame(engine: &Engine, document: &Document) {
    // The engine hands over every frame document each keyframe finds; listeners must not
    // double up.
    if first_install_in(engine, document) {
        install_document(engine, document);
    }
}

fn install_document(engine: &Engine, document: &Document) {
    input::install(engine, document);
    pointer::install(engine, document);
    scroll::install(engine, document);
    media::install(engine, document);
    selection::install(engine, document);
    roots::install_document(engine, document);
}

thread_local! {
    /// Per engine, the documents that already have our listeners.
    static INSTALLED: RefCell<Vec<(Weak<Engine>, WeakSet)>> = const { RefCell::new(Vec::new()) };
}

/// Whether `document` had no listeners of `engine` yet (and now counts as having them).
fn first_install_in(engine: &Engine, document: &Document) -> bool {
    INSTALLED.with(|installed| {
        let Ok(mut installed) = installed.try_borrow_mut() else {
            return false;
        };
        installed.retain(|(owner, _)| owner.strong_count() > 0);
        let me = engine.weak();
        let set = match installed.iter().find(|(owner, _)| owner.ptr_eq(&me)) {
            Some((_, set)) => set.clone(),
            None => {
                let set = WeakSet::new();
                installed.push((me, set.clone()));
                set
            }
        };
        let document: &Object = document.unchecked_ref();
        if set.has(document) {
            return false;
        }
        set.add(document);
        true
    })
}
