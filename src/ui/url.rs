//! The view in the URL: which trace, the selected span, the find query, the
//! collapse state and the time window, so that back and forward work and a
//! copied link opens the same view. Moving to another trace or span, or
//! collapsing, adds a history entry; typing in the find box or zooming
//! replaces the current one.

use super::state::AppState;
use crate::model::{SpanIx, SpanSet, Trace};
use leptos::prelude::*;

/// Parameters that make a new history entry when they change.
const NAVIGATION: [&str; 3] = ["trace", "span", "collapsed"];
/// At most this many collapsed spans are written to the URL: those highest
/// in the tree.
const MAX_COLLAPSED_IN_URL: usize = 300;

/// The view state read from a URL, waiting for its trace to be shown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pending {
    pub trace: Option<String>,
    pub span: Option<String>,
    pub collapsed: Option<Vec<String>>,
    pub view: Option<(f64, f64)>,
}

impl Pending {
    pub fn is_empty(&self) -> bool {
        self.span.is_none() && self.collapsed.is_none() && self.view.is_none()
    }
}

fn current_url() -> Option<web_sys::Url> {
    let href = web_sys::window()?.location().href().ok()?;
    web_sys::Url::new(&href).ok()
}

/// Reads a parameter of the page's URL.
pub fn param(name: &str) -> Option<String> {
    current_url()?
        .search_params()
        .get(name)
        .filter(|v| !v.is_empty())
}

/// Reads the view parameters of the page's URL.
pub fn read_pending() -> Pending {
    Pending {
        trace: param("trace"),
        span: param("span"),
        collapsed: param("collapsed").map(|c| {
            c.split(',')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        }),
        view: param("view").and_then(|v| {
            let (a, b) = v.split_once(',')?;
            let (a, b): (f64, f64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            (a.is_finite() && b.is_finite() && 0.0 <= a && a < b && b <= 1.0).then_some((a, b))
        }),
    }
}

/// A link to the page as it is now that selects `span_id` (and shows
/// `trace_id`, when given) when opened: the deep link `?span=<id>`.
pub fn span_link(trace_id: Option<&str>, span_id: &str) -> Option<String> {
    let url = current_url()?;
    let params = url.search_params();
    params.set("span", span_id);
    if let Some(t) = trace_id {
        params.set("trace", t);
    }
    Some(url.href())
}

/// Applies pending view state to a trace that is now shown.
pub fn apply_pending(state: AppState, trace: &Trace) {
    let pending = state.pending.get_untracked();
    if pending.is_empty() {
        return;
    }
    if let Some(ids) = &pending.collapsed {
        // One pass over the spans, not one search per id; the first span
        // of an id, as `Trace::find_span` would give.
        let mut first: std::collections::HashMap<&str, u32> =
            ids.iter().map(|id| (id.as_str(), u32::MAX)).collect();
        for (i, sp) in trace.spans.iter().enumerate() {
            if let Some(ix) = first.get_mut(&*sp.span_id) {
                if *ix == u32::MAX {
                    *ix = i as u32;
                }
            }
        }
        let set: SpanSet = first.into_values().filter(|&ix| ix != u32::MAX).collect();
        state.collapsed.set(set);
    }
    if let Some(v) = pending.view {
        state.view_range.set(v);
    }
    if let Some(ix) = pending.span.as_deref().and_then(|id| trace.find_span(id)) {
        state.selected_span.set(Some(ix));
        state.scroll_to.set(Some(ix));
    }
    state.pending.set(Pending::default());
}

/// The parameters the current view should have.
fn desired(state: AppState) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let current = state.current();
    if let Some(l) = &current {
        let multi = state.traces.with(|t| t.len() > 1);
        if multi {
            out.push(("trace", l.trace.trace_id.clone()));
        }
        if let Some(s) = state.selected_span.get().and_then(|ix| l.trace.span(ix)) {
            out.push(("span", s.span_id.to_string()));
        }
        // Collapsing by duration is already in the URL as collapseBelow.
        // Otherwise the collapsed spans highest in the tree, in tree order,
        // found without sorting them all ("collapse all" collapses a third
        // of a million spans at 1M), and by position, not by comparing ids.
        if state.collapse_below.with(|c| c.is_none()) {
            let mut by_row: Vec<(u32, SpanIx)> = state.collapsed.with(|c| {
                c.iter()
                    .filter_map(|ix| l.trace.tree_position(ix).map(|p| (p, ix)))
                    .collect()
            });
            if by_row.len() > MAX_COLLAPSED_IN_URL {
                by_row.select_nth_unstable(MAX_COLLAPSED_IN_URL);
                by_row.truncate(MAX_COLLAPSED_IN_URL);
            }
            by_row.sort_unstable();
            let ids: Vec<&str> = by_row
                .iter()
                .filter_map(|&(_, ix)| l.trace.span(ix).map(|s| &*s.span_id))
                .collect();
            if !ids.is_empty() {
                out.push(("collapsed", ids.join(",")));
            }
        }
        let (a, b) = state.view_range.get();
        if (a, b) != (0.0, 1.0) {
            out.push(("view", format!("{a:.6},{b:.6}")));
        }
    }
    let find = state.find.get();
    if !find.trim().is_empty() {
        out.push(("uiFind", find.trim().to_string()));
    }
    if let Some(c) = state.collapse_below.get() {
        out.push(("collapseBelow", c));
    }
    out
}

const MANAGED: [&str; 7] = [
    "trace",
    "span",
    "collapsed",
    "view",
    "uiFind",
    "collapseBelow",
    "",
];

/// Keeps the URL in step with the view.
pub fn sync(state: AppState) {
    Effect::new(move |_| {
        let want = desired(state);
        // Wait until state read from a URL has been applied.
        if !state.pending.with(Pending::is_empty) || !state.loading.with(|l| l.is_empty()) {
            return;
        }
        let Some(url) = current_url() else { return };
        let params = url.search_params();
        let mut navigate = false;
        let mut changed = false;
        for name in MANAGED.iter().filter(|n| !n.is_empty()) {
            let new = want.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
            if params.get(name) != new {
                changed = true;
                navigate |= NAVIGATION.contains(name);
                match new {
                    Some(v) => params.set(name, &v),
                    None => params.delete(name),
                }
            }
        }
        if !changed {
            return;
        }
        let Some(history) = web_sys::window().and_then(|w| w.history().ok()) else {
            return;
        };
        let href = url.href();
        let _ = if navigate {
            history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&href))
        } else {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&href))
        };
    });

    // Back and forward: read the URL and show what it says.
    let pop = window_event_listener(leptos::ev::popstate, move |_| {
        let pending = read_pending();
        state.find.set(param("uiFind").unwrap_or_default());
        state.collapse_below.set(param("collapseBelow"));
        let target = pending.trace.as_deref().and_then(|id| {
            state
                .traces
                .with_untracked(|t| t.iter().find(|l| l.trace.trace_id == id).map(|l| l.key))
        });
        let same = target.is_none() || target == state.selected.get_untracked();
        if pending.collapsed.is_none() {
            state.collapsed.set(SpanSet::new());
        }
        state.view_range.set(pending.view.unwrap_or((0.0, 1.0)));
        if pending.span.is_none() {
            state.selected_span.set(None);
        }
        state.pending.set(pending);
        match (same, target) {
            (false, Some(key)) => state.select_keeping_pending(key),
            _ => {
                if let Some(l) = state.current_untracked() {
                    apply_pending(state, &l.trace);
                }
            }
        }
    });
    on_cleanup(move || pop.remove());
}
