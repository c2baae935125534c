//! The timeline's keys, while it is shown: `keys` says which key does
//! what; this listens on the window and carries it out.

use super::ctx::Ctx;
use super::geometry::{self, ROW_HEIGHT};
use super::keys::{action, KeyAction};
use crate::ui::state::AppState;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

pub(super) fn listen(ctx: Ctx, find_input: NodeRef<leptos::html::Input>) {
    let app = expect_context::<AppState>();
    let state = ctx.state;
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let key = ev.key();
        let target = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        let tag = target.as_ref().map(|el| el.tag_name()).unwrap_or_default();
        if (ev.ctrl_key() || ev.meta_key()) && key.eq_ignore_ascii_case("b") {
            ev.prevent_default();
            if let Some(el) = find_input.get_untracked() {
                let _ = el.focus();
            }
            return;
        }
        if key == "Escape" {
            if app.show_help.get_untracked() {
                app.show_help.set(false);
            } else if !state.find.with_untracked(String::is_empty) {
                state.find.set(String::new());
            } else {
                state.detail_open.set(false);
            }
            return;
        }
        let in_field = matches!(tag.as_str(), "INPUT" | "TEXTAREA" | "SELECT");
        // Enter and Space on a button or link press it.
        let on_control = matches!(tag.as_str(), "BUTTON" | "A" | "SUMMARY");
        if in_field
            || (on_control && matches!(key.as_str(), "Enter" | " "))
            || ev.ctrl_key()
            || ev.meta_key()
            || ev.alt_key()
        {
            return;
        }
        let Some(act) = action(&key, ev.shift_key()) else {
            return;
        };
        ev.prevent_default();
        run(ctx, app, act);
    });
    on_cleanup(move || keys.remove());
}

fn run(ctx: Ctx, app: AppState, act: KeyAction) {
    let state = ctx.state;
    let trace = ctx.trace();
    let selected = state.selected.get_untracked();
    let pos = selected.and_then(|s| ctx.rows.with_untracked(|r| r.iter().position(|&x| x == s)));
    let row = |p: usize| ctx.rows.with_untracked(|r| r.get(p).copied());
    let window = state.window.get_untracked();
    match act {
        KeyAction::Next => {
            if let Some(ix) = row(pos.map_or(0, |p| p + 1)) {
                state.select(ix);
            }
        }
        KeyAction::Previous => {
            if let Some(ix) = pos.and_then(|p| p.checked_sub(1)).and_then(row) {
                state.select(ix);
            }
        }
        KeyAction::Left => {
            let Some(ix) = selected else { return };
            let leads_open_run = ctx
                .runs
                .with_untracked(|r| r.as_ref().is_some_and(|r| r.of_leader(ix).is_some()))
                && state.expanded_runs.with_untracked(|e| e.contains(ix));
            let open = !trace.children(ix).is_empty()
                && !state.collapsed.with_untracked(|c| c.contains(ix));
            if open {
                state.toggle(ix);
            } else if leads_open_run {
                state.expand_run(ix, false);
            } else if let Some(p) = trace.span(ix).and_then(|s| s.parent) {
                state.select(p);
            }
        }
        KeyAction::Right => {
            let Some(ix) = selected else { return };
            let grouped = ctx
                .runs
                .with_untracked(|r| r.as_ref().is_some_and(|r| r.of_leader(ix).is_some()))
                && !state.expanded_runs.with_untracked(|e| e.contains(ix));
            if grouped {
                state.expand_run(ix, true);
            } else if state.collapsed.with_untracked(|c| c.contains(ix)) {
                state.toggle(ix);
            } else if let Some(&first) = trace.children(ix).first() {
                state.select(first);
            }
        }
        KeyAction::OpenDetail => state.detail_open.set(true),
        KeyAction::Scroll(rows) => ctx.scroll_by(rows * ROW_HEIGHT),
        KeyAction::Pan(by) => ctx.set_window(geometry::pan(window, by)),
        KeyAction::Zoom(factor) => ctx.set_window(geometry::zoom(window, factor, 0.5)),
        KeyAction::ResetZoom => ctx.set_window(geometry::WHOLE),
        KeyAction::CollapseAll => state.collapse_all(),
        KeyAction::ExpandAll => state.expand_all(),
        KeyAction::CollapseLevel => state.collapse_level(&ctx.rows.get_untracked()),
        KeyAction::ExpandLevel => state.expand_level(&ctx.rows.get_untracked()),
        KeyAction::ToggleHelp => app.show_help.update(|h| *h = !*h),
    }
}
