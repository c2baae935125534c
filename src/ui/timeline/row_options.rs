//! The rows' options, behind one "Rows" control above the timeline (a
//! panel over the rows, so that it takes no room from them in a small
//! frame): grouping of repeated siblings (on or off, the fewest repeats,
//! the default by trace size, how many runs are grouped) and the fields
//! shown after each row's name.

use super::fields::{clean_keys, keys_by_use, MAX_FIELDS};
use super::repeats::{Runs, GROUP_ABOVE_SPANS};
use crate::ui::view_state::ViewState;
use leptos::prelude::*;
use std::sync::Arc;

/// The "Rows" control and its panel.
#[component]
pub(super) fn RowOptions(runs: Memo<Option<Arc<Runs>>>) -> impl IntoView {
    let state = expect_context::<ViewState>();
    let summary = move || {
        let mut parts = vec!["Rows".to_string()];
        if let Some(n) = runs
            .with(|r| r.as_ref().map(|r| r.len()))
            .filter(|&n| n > 0)
        {
            parts.push(format!("{n} grouped"));
        }
        if state.fields.with(|f| !f.is_empty()) {
            parts.push("fields chosen".to_string());
        }
        parts.join(" · ")
    };
    view! {
        <details class="row-options" data-testid="row-options">
            <summary title="Grouping of repeated calls, and the fields shown on rows">{summary}</summary>
            <div class="row-options-panel">
                <GroupTools runs=runs/>
                <FieldTools/>
            </div>
        </details>
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
        <div class="field-tools" data-testid="field-tools" on:focusin=move |_| opened.set(true)>
            <span data-testid="field-summary" title="What each row shows after its span name: up to three attribute keys, or what tells calls apart">{summary}</span>
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
        </div>
    }
}
