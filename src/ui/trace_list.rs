//! The list of loaded traces in the sidebar: a click shows a trace, its ×
//! removes it, its tick box includes it in the summary. A file of many
//! traces is listed a page a frame.

use super::format::{absolute_time, format_duration};
use super::frames;
use super::state::{AppState, Loaded};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Entries the trace list adds a frame when many traces come at once: a
/// file of a thousand traces is listed over a few dozen frames instead of in
/// one long task (which also renders the trace it opens).
const LIST_PAGE: usize = 20;

/// Compares the two ticked traces, the shorter as A.
fn compare_ticked(state: AppState) {
    let ticked = state.ticked.get_untracked();
    let mut pair: Vec<(i64, u64)> = state.traces.with_untracked(|t| {
        t.iter()
            .filter(|l| ticked.contains(&l.key))
            .map(|l| (l.trace.duration_ns(), l.key))
            .collect()
    });
    pair.sort_unstable();
    if let [(_, a), (_, b)] = pair[..] {
        state.open_compare(a, b);
    }
}

#[component]
pub fn TraceList() -> impl IntoView {
    let state = expect_context::<AppState>();
    // How many entries are in the DOM. A few new traces are listed at once;
    // more are listed a page an animation frame, from the next frame on.
    let shown = RwSignal::new(0usize);
    let paging = StoredValue::new(false);
    let page_pending = StoredValue::new(false);
    Effect::new(move |_| {
        let n = state.traces.with(|t| t.len());
        let s = shown.get();
        if s >= n {
            paging.set_value(false);
            if s > n {
                shown.set(n);
            }
        } else if !paging.get_value() && n - s <= LIST_PAGE {
            shown.set(n);
        } else if !page_pending.get_value() {
            page_pending.set_value(true);
            let add_page = move || {
                page_pending.try_set_value(false);
                shown.try_update(|s| *s += LIST_PAGE);
            };
            if paging.get_value() {
                request_animation_frame(add_page);
            } else {
                // The traces come with the one they open: the pages start
                // on the frame after its view's first ones.
                paging.set_value(true);
                leptos::task::spawn_local(async move {
                    frames::after_first_frames().await;
                    request_animation_frame(add_page);
                });
            }
        }
    });
    // One listener for every entry (a click selects its trace, or removes
    // it on its ×; the tick box includes it in the summary): entries are
    // made by the hundred.
    let entry = |target: Option<web_sys::EventTarget>| {
        let el = target.and_then(|t| t.dyn_into::<web_sys::Element>().ok())?;
        let key = el
            .closest("li[data-key]")
            .ok()
            .flatten()
            .and_then(|li| li.get_attribute("data-key"))
            .and_then(|k| k.parse::<u64>().ok())?;
        Some((el, key))
    };
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some((el, key)) = entry(ev.target()) else {
            return;
        };
        if el.closest(".remove").ok().flatten().is_some() {
            state.remove(key);
        } else if !el.matches("input.tick").unwrap_or(false) {
            state.show(key);
        }
    };
    let on_change = move |ev: web_sys::Event| {
        let Some((el, key)) = entry(ev.target()) else {
            return;
        };
        if let Ok(input) = el.dyn_into::<web_sys::HtmlInputElement>() {
            let on = input.checked();
            state.ticked.update(|t| {
                if on {
                    t.insert(key);
                } else {
                    t.remove(&key);
                }
            });
        }
    };
    view! {
        <nav class="trace-list" data-testid="trace-list" aria-label="Loaded traces">
            <h2>{move || format!("Traces ({})", state.traces.with(|t| t.len()))}</h2>
            <Show when=move || state.ticked.with(|t| t.len() == 2)>
                <button class="button compare-ticked" data-testid="compare-ticked"
                    title="Compare the two ticked traces: the shorter is A, the longer B"
                    on:click=move |_| compare_ticked(state)>"Compare the two ticked"</button>
            </Show>
            <ul role="listbox" on:click=on_click on:change=on_change>
                <For
                    each=move || {
                        let n = shown.get();
                        state.traces.with(|t| t.iter().take(n).cloned().collect::<Vec<_>>())
                    }
                    // A trace that swapped versions (clock skew) is drawn again.
                    key=|l| (l.key, std::sync::Arc::as_ptr(&l.trace) as usize)
                    children=move |l: Loaded| {
                        let key = l.key;
                        let t = l.trace.clone();
                        let root = t.main_root().and_then(|r| t.span(r));
                        let (svc, op) = root
                            .map(|r| (t.service_name(r).to_string(), t.span_name(r).to_string()))
                            .unwrap_or_default();
                        view! {
                            <li
                                data-testid="trace-list-item"
                                data-key=key.to_string()
                                role="option"
                                aria-selected=move || if state.selected.get() == Some(key) { "true" } else { "false" }
                                class:selected=move || state.selected.get() == Some(key)
                            >
                                <input
                                    type="checkbox"
                                    class="tick"
                                    data-testid="tick-trace"
                                    title="Include in the summary across traces (tick two to compare them)"
                                    aria-label="Include in the summary or a comparison"
                                    prop:checked=move || state.ticked.with(|t| t.contains(&key))
                                />
                                <div class="title">
                                    <span class="svc">{svc}</span>" "<span class="op">{op}</span>
                                </div>
                                <div class="meta">
                                    <span>{format_duration(t.duration_ns())}</span>
                                    <span>{format!("{} spans", t.spans.len())}</span>
                                    {(t.error_count > 0).then(|| view! {
                                        <span class="errors">{format!("{} errors", t.error_count)}</span>
                                    })}
                                </div>
                                <div class="meta">
                                    <span class="start">{absolute_time(t.start_ns)}</span>
                                </div>
                                <div class="meta source" title=l.format>{l.source.clone()}</div>
                                <button
                                    class="remove"
                                    data-testid="remove-trace"
                                    title="Remove this trace"
                                    aria-label="Remove this trace"
                                >"×"</button>
                            </li>
                        }
                    }
                />
            </ul>
        </nav>
    }
}
