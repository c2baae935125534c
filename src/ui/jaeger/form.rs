//! The Jaeger panel in the sidebar: the connection (base URL, token,
//! credentials, timeout) with its status and health, the search form in
//! Jaeger UI's terms, and opening a trace by id. It connects at once when
//! the URL names a Jaeger or a search, else when the operator's
//! `config.json` names one.

use super::results::HealthLine;
use super::state::Status;
use super::JaegerUi;
use crate::jaeger::{kind_label, operations_by_kind, LOOKBACKS};
use crate::sources::jaeger::Connection;
use crate::ui::state::AppState;
use crate::ui::url::Navigation;
use leptos::prelude::*;

/// Separates span kind and name in the operation `<option>` values.
const KIND_SEP: char = '\u{1f}';

/// The operation `<select>` value: kind and name, or "" for all.
fn operation_value(j: JaegerUi) -> String {
    let name = j.operation.get();
    if name.is_empty() {
        return String::new();
    }
    let kind = j.operation_kind.get();
    let groups = j.operations.with(|o| operations_by_kind(o));
    let has = |k: &str| groups.iter().any(|(g, n)| g == k && n.contains(&name));
    let kind = if has(&kind) {
        Some(kind)
    } else {
        groups
            .iter()
            .find(|(_, n)| n.contains(&name))
            .map(|(g, _)| g.clone())
    };
    kind.map(|k| format!("{k}{KIND_SEP}{name}"))
        .unwrap_or_default()
}

fn set_operation_value(j: JaegerUi, value: &str) {
    let (kind, name) = value.split_once(KIND_SEP).unwrap_or(("", value));
    j.operation_kind.set(kind.to_string());
    j.operation.set(name.to_string());
}

#[component]
pub fn JaegerPanel() -> impl IntoView {
    let app = expect_context::<AppState>();
    let j = expect_context::<JaegerUi>();
    let asked = j.asked_at_start();
    // Back and forward through searches.
    let navigation = expect_context::<Navigation>();
    Effect::new(move |first: Option<()>| {
        navigation.track();
        if first.is_some() {
            j.navigated(app);
        }
    });
    let trace_id = RwSignal::new(String::new());
    view! {
        <details class="jaeger" data-testid="jaeger-panel" open=asked>
            <summary>"Search Jaeger"</summary>
            <div class="jaeger-form">
                <label>"Jaeger URL"
                    <input type="url" data-testid="jaeger-url" placeholder="this page's origin"
                        prop:value=move || j.conn.with(|c| c.base.clone())
                        on:change=move |ev| j.conn.update(|c| c.base = event_target_value(&ev).trim().to_string())/>
                </label>
                <details class="jaeger-auth">
                    <summary>"Authentication"</summary>
                    <label>"Bearer token"
                        <input type="password" data-testid="jaeger-token" autocomplete="off"
                            prop:value=move || j.conn.with(|c| c.token.clone())
                            on:change=move |ev| j.conn.update(|c| c.token = event_target_value(&ev))/>
                    </label>
                    <label>"Credentials"
                        <select data-testid="jaeger-credentials" on:change=move |ev| j.conn.update(|c| c.credentials = event_target_value(&ev))>
                            {["same-origin", "include", "omit"].into_iter().map(|v| view! {
                                <option value=v selected=move || j.conn.with(|c| c.credentials == v)>{v}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </details>
                <label>"Timeout (ms)"
                    <input type="number" data-testid="jaeger-timeout" min=Connection::TIMEOUT_RANGE_MS.0 max=Connection::TIMEOUT_RANGE_MS.1 step="100"
                        prop:value=move || j.conn.with(|c| c.timeout_ms.to_string())
                        on:change=move |ev| {
                            if let Ok(ms) = event_target_value(&ev).trim().parse::<i64>() {
                                j.conn.update(|c| c.set_timeout_ms(ms));
                            }
                        }/>
                </label>
                <button class="button" data-testid="jaeger-connect" on:click=move |_| j.connect(app)>"Connect"</button>
                <p class="jaeger-status" data-testid="jaeger-status" role="status">
                    {move || match j.status.get() {
                        Status::Idle => view! { <span>"Not connected"</span> }.into_any(),
                        Status::Busy(s) => view! { <span>{s}</span> }.into_any(),
                        Status::Connected(v) => view! { <span class="ok">{format!("● Connected, {}", v.label())}</span> }.into_any(),
                        Status::Failed(e) => view! {
                            <span class="bad">{format!("● {e}")}</span>
                            {j.retry.get().map(|_| view! {
                                " "<button class="button" data-testid="jaeger-retry" on:click=move |_| j.retry(app)>"Retry"</button>
                            })}
                        }.into_any(),
                    }}
                </p>
                <HealthLine/>
                <Show when=move || j.version.get().is_some()>
                    <label>{move || format!("Service ({})", j.services.with(|s| s.len()))}
                        <select data-testid="jaeger-service" prop:value=move || j.service.get() on:change=move |ev| {
                            j.service.set(event_target_value(&ev));
                            j.operation.set(String::new());
                            j.operation_kind.set(String::new());
                            j.load_operations(app);
                        }>
                            {move || j.services.get().into_iter().map(|s| {
                                let sel = j.service.get_untracked() == s;
                                view! { <option value=s.clone() selected=sel>{s.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label>"Operation"
                        <select data-testid="jaeger-operation" prop:value=move || operation_value(j) on:change=move |ev| set_operation_value(j, &event_target_value(&ev))>
                            <option value="">"all"</option>
                            {move || j.operations.with(|o| operations_by_kind(o)).into_iter().map(|(kind, names)| {
                                let label = kind_label(&kind).to_string();
                                view! {
                                    <optgroup label=label>
                                        {names.into_iter().map(|n| {
                                            let value = format!("{kind}{KIND_SEP}{n}");
                                            view! { <option value=value>{n}</option> }
                                        }).collect_view()}
                                    </optgroup>
                                }
                            }).collect_view()}
                        </select>
                    </label>
                    <label>"Tags"
                        <input type="text" data-testid="jaeger-tags" placeholder="http.status_code=500 error=true"
                            prop:value=move || j.tags.get() on:change=move |ev| j.tags.set(event_target_value(&ev))/>
                    </label>
                    <label>"Lookback"
                        <select data-testid="jaeger-lookback" prop:value=move || j.lookback.get() on:change=move |ev| j.lookback.set(event_target_value(&ev))>
                            {LOOKBACKS.iter().map(|(v, l, _)| view! { <option value=*v selected=move || j.lookback.get() == *v>{*l}</option> }).collect_view()}
                        </select>
                    </label>
                    <Show when=move || j.lookback.get() == "custom">
                        <label>"Start" <input type="datetime-local" data-testid="jaeger-start" prop:value=move || j.start.get() on:change=move |ev| j.start.set(event_target_value(&ev))/></label>
                        <label>"End" <input type="datetime-local" data-testid="jaeger-end" prop:value=move || j.end.get() on:change=move |ev| j.end.set(event_target_value(&ev))/></label>
                    </Show>
                    <div class="jaeger-durations">
                        <label>"Min duration" <input type="text" data-testid="jaeger-min" placeholder="e.g. 1.2s, 100ms" size="8"
                            prop:value=move || j.min_duration.get() on:change=move |ev| j.min_duration.set(event_target_value(&ev))/></label>
                        <label>"Max duration" <input type="text" data-testid="jaeger-max" placeholder="e.g. 1.1s" size="8"
                            prop:value=move || j.max_duration.get() on:change=move |ev| j.max_duration.set(event_target_value(&ev))/></label>
                    </div>
                    <label>"Limit results"
                        <input type="number" min="1" max="1500" data-testid="jaeger-limit" prop:value=move || j.limit.get().to_string()
                            on:change=move |ev| j.limit.set(event_target_value(&ev).parse().unwrap_or(20))/>
                    </label>
                    <button class="button primary" data-testid="jaeger-search" on:click=move |_| j.search(app)>"Find traces"</button>
                </Show>
                <label>"Trace ID"
                    <input type="text" data-testid="jaeger-trace-id" placeholder="open one trace by id"
                        prop:value=move || trace_id.get()
                        on:change=move |ev| trace_id.set(event_target_value(&ev))
                        on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Enter" { j.open(app, trace_id.get_untracked()) }/>
                </label>
                <button class="button" data-testid="jaeger-open" on:click=move |_| j.open(app, trace_id.get_untracked())>"Open trace"</button>
            </div>
        </details>
    }
}
