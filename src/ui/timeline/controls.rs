//! The outline controls above the timeline: expand and collapse all, one
//! level at a time, "Collapse shorter than", "Critical path only", the
//! service filter's chip, and the counts of what the filters hide and what
//! is highlighted.

use super::repeats::Runs;
use super::row_options::RowOptions;
use crate::model::{SpanIx, SpanSet};
use crate::ui::view_state::ViewState;
use crate::ui::widgets::Toggle;
use leptos::prelude::*;
use std::sync::Arc;

#[component]
pub(super) fn OutlineTools(
    rows: Memo<Vec<SpanIx>>,
    hidden: Memo<usize>,
    runs: Memo<Option<Arc<Runs>>>,
) -> impl IntoView {
    let state = expect_context::<ViewState>();
    // What was typed in "Collapse shorter than" when it was not a duration.
    let below_error = RwSignal::new(None::<String>);
    let typed = RwSignal::new(None::<String>);
    // A value restored from the URL (back, forward) replaces what was typed.
    Effect::new(move |_| {
        state.collapse_below.track();
        typed.set(None);
        below_error.set(None);
    });
    let below_text = move || {
        typed
            .get()
            .or_else(|| state.collapse_below.get())
            .unwrap_or_default()
    };
    let hidden_text = move || {
        let n = hidden.get();
        let only = state.matches_only.get() && state.find.with(|q| !q.trim().is_empty());
        let service = state.service_filter.with(Option::is_some);
        match (state.cp_only.get(), only, service) {
            (true, false, false) => format!("{n} spans off the critical path hidden"),
            (false, true, false) => format!("{n} spans not matching hidden"),
            (true, true, false) => {
                format!("{n} spans off the critical path or not matching hidden")
            }
            (false, false, true) => format!("{n} spans of other services hidden"),
            _ => format!("{n} spans hidden by the filters"),
        }
    };
    view! {
        <div class="timeline-tools">
            <span class="level-buttons">
                <button class="small" data-testid="expand-all" title="Expand all" on:click=move |_| state.expand_all()>"Expand all"</button>
                <button class="small" data-testid="collapse-all" title="Collapse all" on:click=move |_| state.collapse_all()>"Collapse all"</button>
                <button class="small" data-testid="expand-level" title="Expand one level" on:click=move |_| state.expand_level(&rows.get_untracked())>"+1 level"</button>
                <button class="small" data-testid="collapse-level" title="Collapse one level" on:click=move |_| state.collapse_level(&rows.get_untracked())>"−1 level"</button>
            </span>
            <label>
                "Collapse shorter than "
                <input
                    type="text"
                    class="duration"
                    data-testid="collapse-below"
                    placeholder="100ms"
                    size="6"
                    prop:value=below_text
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        match state.set_collapse_below(&text) {
                            Ok(()) => {
                                below_error.set(None);
                                typed.set(None);
                            }
                            Err(e) => {
                                below_error.set(Some(e));
                                typed.set(Some(text));
                            }
                        }
                    }
                />
            </label>
            {move || below_error.get().map(|e| view! { <span class="input-error" role="alert">{e}</span> })}
            <Toggle checked=state.cp_only testid="cp-only" label="Critical path only"/>
            <RowOptions runs=runs/>
            {move || state.service_filter.get().map(|name| view! {
                <span class="filter-chip" data-testid="service-filter">
                    {format!("service: {name}")}
                    <button class="chip-remove" data-testid="service-filter-remove"
                        title="Show the spans of every service" aria-label="Remove the service filter"
                        on:click=move |_| state.service_filter.set(None)>"×"</button>
                </span>
            })}
            <Show when=move || hidden.get() != 0>
                <span class="hidden-count" data-testid="hidden-count">{hidden_text}</span>
            </Show>
            <Show when=move || state.highlight.with(|h| !h.is_empty())>
                <span class="highlight-count">
                    {move || format!("{} spans highlighted", state.highlight.with(SpanSet::len))}
                </span>
                <button class="link" on:click=move |_| state.highlight.set(SpanSet::new())>"clear"</button>
            </Show>
        </div>
    }
}
