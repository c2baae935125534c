//! The find box (`uiFind`): the query, the match count (with how far the
//! search of a large trace got), previous and next, and "Matches only".
//! The matches themselves are the view state's (found as the query changes).

use crate::ui::view_state::ViewState;
use crate::ui::widgets::Toggle;
use leptos::prelude::*;

/// Moves `delta` matches on (or to the first or last, when none was
/// visited yet), selecting the match and bringing it into view.
fn go_to_match(state: ViewState, delta: isize) {
    let n = state.matches.with_untracked(Vec::len);
    if n == 0 {
        return;
    }
    let next = match state.match_cursor.get_untracked() {
        None if delta < 0 => n - 1,
        None => 0,
        Some(cur) => (cur as isize + delta).rem_euclid(n as isize) as usize,
    };
    state.match_cursor.set(Some(next));
    if let Some(ix) = state.matches.with_untracked(|m| m.get(next).copied()) {
        state.select(ix);
    }
}

#[component]
pub(super) fn FindTools(find_input: NodeRef<leptos::html::Input>) -> impl IntoView {
    let state = expect_context::<ViewState>();
    let count = move || {
        if state.find.with(|q| q.trim().is_empty()) {
            return String::new();
        }
        if let Some(pct) = state.searching.get() {
            return format!("searching… {pct} %");
        }
        let n = state.matches.with(Vec::len);
        match (n, state.match_cursor.get()) {
            (0, _) => "no match".to_string(),
            (1, None) => "1 match".to_string(),
            (n, None) => format!("{n} matches"),
            (n, Some(cur)) => format!("{} of {n}", cur + 1),
        }
    };
    view! {
        <div class="timeline-tools find-tools">
            <input
                type="search"
                node_ref=find_input
                data-testid="find"
                class="find"
                placeholder="Find… (service, name, key=value, \"phrase\", -key)"
                aria-label="Find spans"
                prop:value=move || state.find.get()
                on:input=move |ev| {
                    state.find.set(event_target_value(&ev));
                    state.match_cursor.set(None);
                }
                on:keydown=move |ev: web_sys::KeyboardEvent| {
                    if ev.key() == "Enter" {
                        go_to_match(state, if ev.shift_key() { -1 } else { 1 });
                    } else if ev.key() == "Escape" {
                        state.find.set(String::new());
                    }
                }
            />
            <span class="match-count" data-testid="match-count">{count}</span>
            <button class="small" data-testid="prev-match" aria-label="Previous match" title="Previous match (Shift+Enter)" on:click=move |_| go_to_match(state, -1)>"↑"</button>
            <button class="small" data-testid="next-match" aria-label="Next match" title="Next match (Enter)" on:click=move |_| go_to_match(state, 1)>"↓"</button>
            <Toggle checked=state.matches_only testid="matches-only" label="Matches only"/>
        </div>
    }
}
