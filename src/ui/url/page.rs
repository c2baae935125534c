//! The URL of the page: read from its location, written into its history,
//! and one `popstate` listener for back and forward, which every part that
//! keeps state in the URL (the trace view, the Jaeger search) hears
//! through [`Navigation`].

use super::params::{Change, Params, SearchParams, ViewParams};
use leptos::prelude::*;
use std::cell::Cell;

/// Back and forward: bumped whenever the page moves to another history
/// entry. Parts read the URL anew (with [`read`]) when it changes.
#[derive(Clone, Copy)]
pub struct Navigation(RwSignal<u64>);

impl Navigation {
    /// Subscribes the current reactive scope to moves through the history.
    pub fn track(&self) {
        self.0.track();
    }
}

thread_local! {
    /// Set for a frame after a move through the history: the views then
    /// show what the URL says, and what they write back, where it differs
    /// (a span id the trace lacks), must not become a new entry and lose
    /// the entries ahead.
    static POPPED: Cell<bool> = const { Cell::new(false) };
}

/// The parameters of the page's URL now.
pub fn read() -> Params {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .map(|q| Params::parse(&q))
        .unwrap_or_default()
}

/// The page's URL with `params` as its query.
fn href_with(params: &Params) -> Option<String> {
    let location = web_sys::window()?.location();
    let query = params.to_query();
    let path = location.pathname().ok()?;
    let hash = location.hash().ok().unwrap_or_default();
    Some(if query.is_empty() {
        format!("{path}{hash}")
    } else {
        format!("{path}?{query}{hash}")
    })
}

/// Changes the URL's parameters with `change`, as a new history entry or
/// in place, as it says.
fn write(change: impl FnOnce(&mut Params) -> Change) {
    let mut params = read();
    let how = match change(&mut params) {
        Change::None => return,
        _ if POPPED.get() => Change::Replace,
        how => how,
    };
    let (Some(history), Some(href)) = (
        web_sys::window().and_then(|w| w.history().ok()),
        href_with(&params),
    ) else {
        return;
    };
    let _ = if how == Change::Push {
        history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&href))
    } else {
        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&href))
    };
}

/// Writes the trace view's state.
pub fn write_view(view: &ViewParams) {
    write(|p| view.write(p));
}

/// Writes the two traces compared (`compare=a...b`), or takes them out.
pub fn write_compare(ids: Option<(&str, &str)>) {
    write(|p| super::params::write_compare(p, ids));
}

/// Writes a Jaeger search (a new history entry when it is another one).
pub fn write_search(search: &SearchParams) {
    write(|p| search.write(p));
}

/// A link to the page as it is now that selects `span_id` (and shows
/// `trace_id`, when given) when opened: the deep link `?span=<id>`.
pub fn span_link(trace_id: Option<&str>, span_id: &str) -> Option<String> {
    let mut params = read();
    params.set("span", Some(span_id));
    if let Some(t) = trace_id {
        params.set("trace", Some(t));
    }
    let origin = web_sys::window()?.location().origin().ok()?;
    Some(format!("{origin}{}", href_with(&params)?))
}

/// The page's origin and path (percent-encoded, as `location` gives them).
pub fn origin_and_path() -> Option<(String, String)> {
    let location = web_sys::window()?.location();
    Some((location.origin().ok()?, location.pathname().ok()?))
}

/// The page's fragment, without its `#`.
pub fn fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.trim_start_matches('#').to_string())
        .unwrap_or_default()
}

/// This page as it is now, opened on its own: without the embed parameters
/// (and with `fragment` instead of its own, when given).
pub fn standalone_href(fragment: Option<&str>) -> Option<String> {
    let params = super::embed::standalone(&read());
    let origin = web_sys::window()?.location().origin().ok()?;
    let href = href_with(&params)?;
    Some(match fragment {
        Some(f) => {
            let bare = href.split_once('#').map_or(href.as_str(), |(h, _)| h);
            format!("{origin}{bare}#{f}")
        }
        None => format!("{origin}{href}"),
    })
}

/// Listens to back and forward, for the page's life.
pub fn listen() -> Navigation {
    let moves = RwSignal::new(0u64);
    let pop = window_event_listener(leptos::ev::popstate, move |_| {
        POPPED.set(true);
        moves.update(|n| *n = n.wrapping_add(1));
        leptos::task::spawn_local(async {
            crate::ui::frames::after_paint().await;
            POPPED.set(false);
        });
    });
    on_cleanup(move || pop.remove());
    Navigation(moves)
}
