//! The Leptos views. They only display the model and its analysis; every
//! computation they show was done once, at load, by `analysis`.

mod bottleneck;
mod budget;
mod detail;
mod format;
mod jaeger;
mod minimap;
mod state;
mod statistics;
mod summary;
mod timeline;
mod url;
mod widgets;

use format::{absolute_time, format_duration};
use leptos::prelude::*;
use state::{AppState, Level, Loaded, Pane, View};
use wasm_bindgen::JsCast;

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

const THEME_KEY: &str = "traceglass.theme";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// The bundled demo, relative to the page so that any sub-path works.
const DEMO_URL: &str = "demo/flask-slow-view.otlp.json";

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    let jaeger_ui = jaeger::JaegerUi::new();
    provide_context(jaeger_ui);

    let params = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok());
    let param = |name: &str| {
        params
            .as_ref()
            .and_then(|p| p.get(name))
            .filter(|v| !v.is_empty())
    };
    state.pending.set(url::read_pending());
    if let Some(q) = param("uiFind") {
        state.find.set(q);
    }
    if let Some(c) = param("collapseBelow") {
        match crate::analysis::describe::parse_duration(&c) {
            Ok(_) => state.collapse_below.set(Some(c)),
            Err(e) => state.message(Level::Error, format!("collapseBelow: {e}")),
        }
    }
    let forced_theme = param("uiTheme").filter(|t| t == "light" || t == "dark");
    let theme = RwSignal::new(
        forced_theme
            .clone()
            .or_else(|| storage().and_then(|s| s.get_item(THEME_KEY).ok().flatten()))
            .unwrap_or_default(),
    );
    Effect::new(move |_| {
        let t = theme.get();
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let class = match t.as_str() {
                "dark" => "theme-dark",
                "light" => "theme-light",
                _ => "",
            };
            root.set_class_name(class);
        }
    });
    let theme_forced = forced_theme.is_some();
    let toggle_theme = move |_| {
        let dark_now = match theme.get_untracked().as_str() {
            "dark" => true,
            "light" => false,
            _ => prefers_dark(),
        };
        let next = if dark_now { "light" } else { "dark" };
        theme.set(next.to_string());
        if let Some(s) = storage() {
            let _ = s.set_item(THEME_KEY, next);
        }
    };
    url::sync(state);
    match param("url") {
        Some(url) => state.load_url(url),
        None => state.load_url(DEMO_URL.to_string()),
    }

    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        state.dragging.set(false);
        if let Some(files) = ev.data_transfer().and_then(|dt| dt.files()) {
            state.load_files(files);
        }
    };
    let on_pick = move |ev: web_sys::Event| {
        let input = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let Some(input) = input {
            if let Some(files) = input.files() {
                state.load_files(files);
            }
            input.set_value("");
        }
    };

    view! {
        <main
            data-testid="app"
            class="app"
            class:dragging=move || state.dragging.get()
            on:dragenter=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                state.dragging.set(true);
            }
            on:dragover=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                state.dragging.set(true);
            }
            on:dragleave=move |ev: web_sys::DragEvent| {
                if ev.related_target().is_none() {
                    state.dragging.set(false);
                }
            }
            on:drop=on_drop
        >
            <header class="topbar">
                <span class="logo">"Traceglass"</span>
                <label class="button">
                    "Open files…"
                    <input
                        type="file"
                        data-testid="file-input"
                        multiple
                        accept=".json,.jsonl,.ndjson,.gz"
                        on:change=on_pick
                    />
                </label>
                <span class="hint">
                    "or drop Jaeger, OTLP or Zipkin files anywhere: they are read in this browser and never uploaded."
                </span>
                <button class="button" data-testid="help-button" title="Keyboard shortcuts (?)" on:click=move |_| state.show_help.update(|h| *h = !*h)>"?"</button>
                {(!theme_forced).then(|| view! {
                    <button class="button theme-toggle" data-testid="theme-toggle" title="Switch between light and dark" on:click=toggle_theme>
                        "Light / dark"
                    </button>
                })}
                <Show when=move || state.loading.with(|l| !l.is_empty())>
                    <span class="loading" data-testid="loading" role="status">
                        {move || {
                            let names = state.loading.get();
                            let progress = state.progress.get();
                            let parts: Vec<String> = names
                                .iter()
                                .map(|n| match progress.iter().find(|(p, _)| p == n) {
                                    Some((_, how)) => format!("{n} ({how})"),
                                    None => n.clone(),
                                })
                                .collect();
                            format!("Loading {}…", parts.join(", "))
                        }}
                    </span>
                </Show>
            </header>
            <Messages/>
            <div class="body">
                <div class="sidebar">
                    <jaeger::JaegerPanel/>
                    <TraceList/>
                </div>
                <section class="trace-pane">
                    <Show when=move || state.traces.with(|t| t.len() > 1) || jaeger_ui.searched.with(|s| s.is_some())>
                        <div class="tabs pane-tabs" role="tablist">
                            <widgets::Tab current=state.pane value=Pane::Trace testid="pane-trace">"Trace"</widgets::Tab>
                            <widgets::Tab current=state.pane value=Pane::Summary testid="pane-summary">
                                {move || format!("Summary across traces ({})", state.traces.with(|t| t.len()))}
                            </widgets::Tab>
                            <Show when=move || jaeger_ui.searched.with(|s| s.is_some())>
                                <widgets::Tab current=state.pane value=Pane::Results testid="pane-results">"Search results"</widgets::Tab>
                            </Show>
                        </div>
                    </Show>
                    {move || (state.pane.get() == Pane::Summary).then(|| view! { <summary::SummaryView/> })}
                    {move || (state.pane.get() == Pane::Results).then(|| view! { <jaeger::ResultsView/> })}
                    {move || if state.pane.get() != Pane::Trace { None } else { Some(match state.current() {
                        Some(loaded) => view! { <TraceView loaded=loaded/> }.into_any(),
                        None => view! {
                            <p class="empty">
                                {move || if state.loading.with(|l| l.is_empty()) {
                                    "No trace is open. Drop trace files here or use Open files."
                                } else {
                                    "Loading…"
                                }}
                            </p>
                        }.into_any(),
                    }) }}
                </section>
            </div>
            <div class="drop-overlay" aria-hidden="true">"Drop trace files to open them"</div>
            <Show when=move || state.show_help.get()>
                <KeyboardHelp/>
            </Show>
        </main>
    }
}

/// Every keyboard shortcut, for the `?` overlay.
const SHORTCUTS: &[(&str, &str)] = &[
    ("↓ or f / ↑ or b", "Select the next / previous visible span"),
    (
        "← / →",
        "Collapse the selected span (or go to its parent) / expand it (or go to its first child)",
    ),
    ("Enter", "Show the selected span's detail"),
    ("s / w", "Scroll down / up"),
    ("a / d", "Pan left / right (Shift: a large step)"),
    ("+ / −", "Zoom in / out of the time axis"),
    ("0", "Reset the zoom"),
    ("] / [", "Collapse all / expand all"),
    ("p / o", "Collapse one level / expand one level"),
    ("Ctrl+B", "Find spans (focus the find box)"),
    (
        "Enter / Shift+Enter in the find box",
        "Next / previous match",
    ),
    ("Ctrl+wheel / Shift+wheel", "Zoom / pan the time axis"),
    (
        "Esc",
        "Close this help, clear the find box, or close the detail",
    ),
    ("?", "Show or hide this help"),
];

#[component]
fn KeyboardHelp() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <div class="help-backdrop" on:click=move |_| state.show_help.set(false)>
            <div class="help" role="dialog" aria-label="Keyboard shortcuts" data-testid="help" on:click=|ev| ev.stop_propagation()>
                <h2>"Keyboard shortcuts"</h2>
                <table class="kv">
                    <tbody>
                        {SHORTCUTS.iter().map(|(k, what)| view! { <tr><th><kbd>{*k}</kbd></th><td>{*what}</td></tr> }).collect_view()}
                    </tbody>
                </table>
                <button class="button" on:click=move |_| state.show_help.set(false)>"Close"</button>
            </div>
        </div>
    }
}

#[component]
fn Messages() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <div class="messages" data-testid="messages" role="log" aria-live="polite">
            <For
                each=move || state.messages.get()
                key=|m| m.id
                children=move |m| {
                    let id = m.id;
                    let class = match m.level {
                        Level::Error => "message error",
                        Level::Warning => "message warning",
                    };
                    view! {
                        <div class=class data-testid="message">
                            <span class="text">{m.text}</span>
                            <button class="dismiss" title="Dismiss" aria-label="Dismiss" on:click=move |_| state.dismiss(id)>
                                "×"
                            </button>
                        </div>
                    }
                }
            />
        </div>
    }
}

/// Entries the trace list adds a frame when many traces come at once: a
/// file of a thousand traces is listed over a few dozen frames instead of in
/// one long task (which also renders the trace it opens).
const LIST_PAGE: usize = 20;

#[component]
fn TraceList() -> impl IntoView {
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
                    timeline::after_first_frames().await;
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
            state.select(key);
            state.pane.set(Pane::Trace);
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
            <ul role="listbox" on:click=on_click on:change=on_change>
                <For
                    each=move || {
                        let n = shown.get();
                        state.traces.with(|t| t.iter().take(n).cloned().collect::<Vec<_>>())
                    }
                    key=|l| l.key
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
                                    title="Include in the summary across traces"
                                    aria-label="Include in the summary"
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

#[component]
fn TraceView(loaded: Loaded) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = loaded.trace.clone();
    let root = t.main_root().and_then(|r| t.span(r));
    let (svc, op) = root
        .map(|r| (t.service_name(r).to_string(), t.span_name(r).to_string()))
        .unwrap_or_default();
    let warnings: Vec<String> = t
        .warnings
        .iter()
        .map(|w| match w.span.and_then(|s| t.span(s)) {
            Some(s) => format!("{} ({}): {}", t.span_name(s), s.span_id, w.message),
            None => w.message.clone(),
        })
        .collect();
    let warning_count = warnings.len();
    view! {
        <div class="trace-view">
            <div class="trace-header" data-testid="trace-header">
                <h1>
                    <span class="svc">{svc}</span>" "<span class="op">{op}</span>
                </h1>
                <div class="facts">
                    <span>{format!("started {}", absolute_time(t.start_ns))}</span>
                    <span>{format!("duration {}", format_duration(t.duration_ns()))}</span>
                    <span>{plural(t.services.len(), "service")}</span>
                    <span>{format!("{} spans", t.spans.len())}</span>
                    <span>{format!("depth {}", t.max_depth + 1)}</span>
                    {(t.error_count > 0).then(|| view! { <span class="errors">{format!("{} errors", t.error_count)}</span> })}
                    <span class="trace-id">{format!("trace {}", t.trace_id)}</span>
                </div>
                {(warning_count > 0).then(|| view! {
                    <details class="warnings">
                        <summary>{format!("{warning_count} warnings")}</summary>
                        <ul>{warnings.into_iter().take(200).map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
                    </details>
                })}
            </div>
            <bottleneck::BottleneckPanel loaded=loaded.clone()/>
            <div class="tabs" role="tablist">
                <widgets::Tab current=state.view value=View::Timeline testid="tab-timeline">"Timeline"</widgets::Tab>
                <widgets::Tab current=state.view value=View::Statistics testid="tab-statistics">"Statistics"</widgets::Tab>
            </div>
            <div class="main-split">
                {
                    let timeline = loaded.clone();
                    let stats = loaded.clone();
                    move || match state.view.get() {
                        View::Timeline => view! { <timeline::Timeline loaded=timeline.clone()/> }.into_any(),
                        View::Statistics => view! { <statistics::StatisticsView loaded=stats.clone()/> }.into_any(),
                    }
                }
                <detail::SpanDetail loaded=loaded/>
            </div>
        </div>
    }
}
