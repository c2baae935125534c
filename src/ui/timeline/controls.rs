//! The outline controls above the timeline: expand and collapse all, one
//! level at a time, "Collapse shorter than", "Critical path only", the
//! service filter's chip, and the counts of what the filters hide and what
//! is highlighted.

use super::fields::{clean_keys, keys_by_use, MAX_FIELDS};
use super::repeats::{Runs, GROUP_ABOVE_SPANS};
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
            <GroupTools runs=runs/>
            <FieldTools/>
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

/// Grouping of repeated siblings: on or off, from how many repeats, and
/// how many runs are grouped.
#[component]
fn GroupTools(runs: Memo<Option<Arc<Runs>>>) -> impl IntoView {
    let state = expect_context::<ViewState>();
    view! {
        <span class="group-tools">
            <label title="Show consecutive calls of one operation (and statement) as one row">
                <input type="checkbox" data-testid="group-repeats"
                    prop:checked=move || state.grouping()
                    on:change=move |ev| state.group_repeats.set(Some(event_target_checked(&ev)))/>
                " Group repeats ≥ "
            </label>
            <input type="number" class="group-min" data-testid="group-min" min="2" max="1000" size="3"
                aria-label="The fewest repeats grouped"
                prop:value=move || state.group_min.get().to_string()
                on:change=move |ev| {
                    if let Ok(n) = event_target_value(&ev).trim().parse::<usize>() {
                        state.group_min.set(n.clamp(2, 1000));
                    }
                }/>
            {move || state.group_repeats.get().is_none().then(|| view! {
                <span class="group-auto" data-testid="group-auto" title="Until you choose, repeats are grouped in traces of more than this many spans">
                    {format!(" (auto above {GROUP_ABOVE_SPANS} spans)")}
                </span>
            })}
            {move || runs.with(|r| r.as_ref().map(|r| {
                let n = r.len();
                view! { <span class="group-count" data-testid="group-count">{format!(" ({n} run{})", if n == 1 { "" } else { "s" })}</span> }
            }))}
        </span>
    }
}

/// The attribute keys shown after each row's name: up to three, typed or
/// picked from the trace's keys (most used first); none chosen shows the
/// defaults (statement, host and route, destination).
#[component]
fn FieldTools() -> impl IntoView {
    let state = expect_context::<ViewState>();
    // The trace's keys, listed the first time the chooser is opened.
    let opened = RwSignal::new(false);
    let keys = Memo::new(move |_| {
        if !opened.get() {
            return Vec::new();
        }
        keys_by_use(&state.trace())
            .into_iter()
            .take(200)
            .map(|(k, _)| k)
            .collect::<Vec<_>>()
    });
    let set = move |i: usize, value: String| {
        let mut chosen = state.fields.get_untracked();
        chosen.resize(MAX_FIELDS.max(chosen.len()), String::new());
        if let Some(slot) = chosen.get_mut(i) {
            *slot = value;
        }
        state.set_fields(clean_keys(chosen));
    };
    let summary = move || {
        state.fields.with(|f| {
            if f.is_empty() {
                "Fields: defaults".to_string()
            } else {
                format!("Fields: {}", f.join(", "))
            }
        })
    };
    view! {
        <details class="field-tools" data-testid="field-tools" on:toggle=move |_| opened.set(true)>
            <summary data-testid="field-summary" title="What each row shows after its span name: up to three attribute keys, or what tells calls apart">{summary}</summary>
            <div class="field-inputs">
                {(0..MAX_FIELDS).map(|i| view! {
                    <input type="text" list="field-keys" data-testid="field-key" size="18"
                        aria-label=format!("Attribute key {}", i + 1)
                        placeholder="attribute key"
                        prop:value=move || state.fields.with(|f| f.get(i).cloned().unwrap_or_default())
                        on:change=move |ev| set(i, event_target_value(&ev))/>
                }).collect_view()}
                <button class="small" data-testid="field-defaults" title="Show what tells calls apart: statement, host and route, destination"
                    on:click=move |_| state.set_fields(Vec::new())>"Defaults"</button>
                <datalist id="field-keys">
                    {move || keys.get().into_iter().map(|k| view! { <option value=k></option> }).collect_view()}
                </datalist>
            </div>
        </details>
    }
}
