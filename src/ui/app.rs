//! The app shell: the header (open files, the loads under way, help, the
//! theme), the messages, the sidebar (Jaeger, the trace list), the pane
//! (a trace, the summary, or a search's results), and the drop zone; or,
//! embedded (`uiEmbed=v0`), the part `view=` names filling the frame, with
//! a link that opens it on its own. It makes the app-wide state, reads the
//! URL once at start, and opens the first trace (a shared link's, `?url=`,
//! Jaeger's by id, or the demo) as the URL describes it.

use super::bottleneck::BottleneckPanel;
use super::compare::CompareView;
use super::file_results::FileView;
use super::jaeger::{self, JaegerUi, Opening};
use super::loader::{self, Load, Open, Source};
use super::state::{AppState, Level, Loaded, Pane};
use super::summary::SummaryView;
use super::timeline::keys::SHORTCUTS;
use super::trace_list::TraceList;
use super::trace_view::TraceView;
use super::url::embed::{self, EmbedParams, Route, Show};
use super::url::params::{AppParams, SearchParams, Theme, ViewParams};
use super::view_state::Views;
use super::{config, prefs, url, widgets};
use crate::analysis::describe::parse_duration;
use crate::export::share;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The bundled demo, relative to the page so that any sub-path works.
const DEMO_URL: &str = "demo/flask-slow-view.otlp.json";

fn prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

#[component]
pub fn App() -> impl IntoView {
    let params = url::read();
    let app_params = AppParams::read(&params);
    let view_params = ViewParams::read(&params);
    let embed = EmbedParams::read(&params);
    provide_context(embed);
    let app = AppState::new();
    provide_context(app);
    let navigation = url::listen();
    provide_context(navigation);
    let views = Views::new(app);
    provide_context(views);
    let config = config::Loaded::start(move |w| {
        app.message(Level::Warning, w);
    });
    config.then(|c| {
        if let Some(bytes) = c.memory_limit() {
            super::capacity::limit_to(bytes);
        }
    });
    // Trace ids from Jaeger: `traceId`, or Jaeger UI's `/trace/{id}` path.
    let mut trace_ids = embed::trace_ids(&params);
    let route = url::origin_and_path().map_or(Route::App, |(_, p)| Route::of_path(&p));
    // Two traces to compare: `compare=a...b`, or Jaeger UI's `/trace/a...b`.
    let compare = match route {
        Route::Trace(id) => {
            trace_ids.retain(|t| *t != id);
            trace_ids.insert(0, id);
            app_params.compare.clone()
        }
        Route::Compare(a, b) => Some((a, b)),
        _ => app_params.compare.clone(),
    };
    let shared = share::from_fragment(&url::fragment()).map(String::from);
    if let Some((a, b)) = &compare {
        // From Jaeger, unless a file (`?url=`, a shared link) holds them.
        if app_params.url.is_none() && shared.is_none() {
            for id in [a, b] {
                if !trace_ids.contains(id) {
                    trace_ids.push(id.clone());
                }
            }
        }
        app.pending_compare.set(Some((a.clone(), b.clone())));
    }
    super::compare::follow(app);
    let opening = (!trace_ids.is_empty()).then(|| Opening {
        ids: trace_ids.clone(),
        view: view_params.clone(),
        views,
    });
    let jaeger_ui = JaegerUi::new(&app_params, SearchParams::read(&params), opening);
    provide_context(jaeger_ui);
    jaeger_ui.begin(app, config);

    if let Some(Err(e)) = view_params.collapse_below.as_deref().map(parse_duration) {
        app.message(Level::Error, format!("collapseBelow: {e}"));
    }
    // Back and forward through trace views and comparisons.
    Effect::new(move |first: Option<()>| {
        navigation.track();
        if first.is_some() {
            let params = url::read();
            views.navigate(&ViewParams::read(&params));
            super::compare::navigate(app, AppParams::read(&params).compare);
        }
    });
    // A trace carried in the link's fragment comes first; the demo opens
    // only where nothing else was asked for (an embedded page waits for
    // its host).
    let demo = !embed.embedded && trace_ids.is_empty();
    let waits_for_host =
        embed.embedded && shared.is_none() && app_params.url.is_none() && trace_ids.is_empty();
    open_first(
        app,
        views,
        &app_params,
        view_params,
        shared,
        demo,
        embed.embedded,
    );

    // A theme the URL forces, else the one chosen here, else the system's.
    let theme = RwSignal::new(app_params.theme.or_else(prefs::theme));
    Effect::new(move |_| {
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            root.set_class_name(match theme.get() {
                Some(Theme::Dark) => "theme-dark",
                Some(Theme::Light) => "theme-light",
                None => "",
            });
        }
    });
    let theme_forced = app_params.theme.is_some();
    let toggle_theme = move |_| {
        let dark_now = match theme.get_untracked() {
            Some(t) => t == Theme::Dark,
            None => prefers_dark(),
        };
        let next = if dark_now { Theme::Light } else { Theme::Dark };
        theme.set(Some(next));
        prefs::set_theme(next);
    };
    super::embed::start(app, views, config, theme);

    let embedded = embed.embedded;
    let dragging = RwSignal::new(false);
    let load_files = move |files: web_sys::FileList| {
        for i in 0..files.length() {
            if let Some(file) = files.get(i) {
                Load::new(file.name(), Source::File(file)).spawn(app);
            }
        }
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(files) = ev.data_transfer().and_then(|dt| dt.files()) {
            load_files(files);
        }
    };
    let on_pick = move |ev: web_sys::Event| {
        let input = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let Some(input) = input {
            if let Some(files) = input.files() {
                load_files(files);
            }
            input.set_value("");
        }
    };
    let header = move || {
        view! {
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
                <button class="button" data-testid="help-button" title="Keyboard shortcuts (?)" on:click=move |_| app.show_help.update(|h| *h = !*h)>"?"</button>
                {(!theme_forced).then(|| view! {
                    <button class="button theme-toggle" data-testid="theme-toggle" title="Switch between light and dark" on:click=toggle_theme>
                        "Light / dark"
                    </button>
                })}
                <Loads/>
            </header>
        }
    };
    let pane_tabs = move || {
        view! {
            // Embedded, only a search's results need a way back to them.
            <Show when=move || (!embedded && app.traces.with(|t| t.len() > 1)) || jaeger_ui.searched.with(Option::is_some)>
                <div class="tabs pane-tabs" role="tablist">
                    <widgets::Tab current=app.pane value=Pane::Trace testid="pane-trace">"Trace"</widgets::Tab>
                    <widgets::Tab current=app.pane value=Pane::Summary testid="pane-summary">
                        {move || format!("Summary across traces ({})", app.traces.with(Vec::len))}
                    </widgets::Tab>
                    <Show when=move || jaeger_ui.searched.with(Option::is_some)>
                        <widgets::Tab current=app.pane value=Pane::Results testid="pane-results">"Search results"</widgets::Tab>
                    </Show>
                    <Show when=move || app.file.with(Option::is_some)>
                        <widgets::Tab current=app.pane value=Pane::File testid="pane-file">
                            {move || app.file.with(|f| f.as_ref().map(|f| format!("Traces in {}", f.name)).unwrap_or_default())}
                        </widgets::Tab>
                    </Show>
                    <Show when=move || app.compare.with(Option::is_some)>
                        <widgets::Tab current=app.pane value=Pane::Compare testid="pane-compare">"Compare"</widgets::Tab>
                    </Show>
                </div>
            </Show>
        }
    };
    let show = embed.show;
    view! {
        <main
            data-testid="app"
            class="app"
            class:embed=embedded
            class:dragging=move || dragging.get()
            on:dragenter=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragover=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |ev: web_sys::DragEvent| {
                if ev.related_target().is_none() {
                    dragging.set(false);
                }
            }
            on:drop=on_drop
        >
            {(!embedded).then(header)}
            <Messages/>
            <div class="body">
                {(!embedded).then(|| view! {
                    <div class="sidebar">
                        <jaeger::JaegerPanel/>
                        <TraceList/>
                    </div>
                })}
                <section class="trace-pane">
                    {(show != Show::Card).then(pane_tabs)}
                    {move || match (show, app.pane.get()) {
                        (Show::Card, _) => view! { <CardPane waits_for_host/> }.into_any(),
                        (Show::Summary, _) | (_, Pane::Summary) => view! { <SummaryView/> }.into_any(),
                        (_, Pane::Results) => view! { <jaeger::ResultsView/> }.into_any(),
                        (_, Pane::File) => view! { <FileView/> }.into_any(),
                        (_, Pane::Compare) => view! { <CompareView/> }.into_any(),
                        (_, Pane::Trace) => view! { <TracePane waits_for_host/> }.into_any(),
                    }}
                </section>
            </div>
            {embedded.then(|| view! { <EmbedBar/> })}
            <div class="drop-overlay" aria-hidden="true">"Drop trace files to open them"</div>
            <Show when=move || app.show_help.get()>
                <KeyboardHelp/>
            </Show>
        </main>
    }
}

/// Loads the trace of a shared link (`shared`, the fragment's payload),
/// else `?url=`, else (when `demo`) the demo, and shows the trace the URL
/// names (or the first) as the URL describes it. A file of several traces
/// that names none (and a comparison asks for none) is listed in the file
/// pane, unless the page is embedded.
fn open_first(
    app: AppState,
    views: Views,
    params: &AppParams,
    view: ViewParams,
    shared: Option<String>,
    demo: bool,
    embedded: bool,
) {
    let (name, source) = match (shared, &params.url) {
        (Some(payload), _) => {
            let name = "shared trace.json";
            let file = share::decode(&payload)
                .map_err(|e| format!("The trace in this link could not be read: {e}"))
                .and_then(|bytes| {
                    crate::sources::file_of(&js_sys::Uint8Array::from(bytes.as_slice()), name)
                });
            match file {
                Ok(f) => (name.to_string(), Source::File(f)),
                Err(e) => {
                    app.message(Level::Error, e);
                    return;
                }
            }
        }
        (None, Some(u)) => (crate::sources::url_file_name(u), Source::Url(u.clone())),
        (None, None) if demo => (
            crate::sources::url_file_name(DEMO_URL),
            Source::Url(DEMO_URL.to_string()),
        ),
        (None, None) => return,
    };
    leptos::task::spawn_local(async move {
        let Ok(traces) = Load::new(name.clone(), source)
            .open(Open::Nothing)
            .run(app)
            .await
        else {
            return;
        };
        let wanted = view.trace.as_deref().map(crate::model::normalize_trace_id);
        let shown = traces
            .iter()
            .find(|l| wanted.as_deref() == Some(l.trace.trace_id.as_str()))
            .or(traces.first());
        if let Some(l) = shown {
            views.open_at(l, &view);
        }
        let listed = wanted.is_none() && traces.len() > 1 && !embedded;
        if listed
            && app.pending_compare.with_untracked(Option::is_none)
            && app.pane.get_untracked() == Pane::Trace
        {
            app.show_file(&name, traces.iter().map(|l| l.key).collect());
        }
    });
}

/// What the pane says when no trace is open.
fn empty(app: AppState, waits_for_host: bool) -> impl IntoView {
    view! {
        <p class="empty" data-testid="empty">
            {move || if app.loading() {
                "Loading…"
            } else if waits_for_host && app.traces.with(Vec::is_empty) {
                "Waiting for the page around this one to hand over a trace."
            } else {
                "No trace is open. Drop trace files here or use Open files."
            }}
        </p>
    }
}

/// The bottleneck card of the trace shown: headline, critical-path bar
/// and findings, nothing else.
#[component]
fn CardPane(waits_for_host: bool) -> impl IntoView {
    let app = expect_context::<AppState>();
    move || match app.current.get() {
        Some(loaded) => view! { <Card loaded=loaded/> }.into_any(),
        None => empty(app, waits_for_host).into_any(),
    }
}

#[component]
fn Card(loaded: Loaded) -> impl IntoView {
    let views = expect_context::<Views>();
    let state = views.state(&loaded);
    views.shown(loaded.key);
    provide_context(state);
    view! {
        <div class="card" data-testid="bottleneck-card">
            <BottleneckPanel loaded=loaded/>
        </div>
    }
}

/// An embedded page's own small bar: the loads under way, and a link that
/// opens the same view on its own in a new tab. A trace that no URL gives
/// (handed over by the host, or dropped) travels in the link's fragment
/// when it fits.
#[component]
fn EmbedBar() -> impl IntoView {
    let app = expect_context::<AppState>();
    // The view changes without telling: the link is written again when
    // the pointer or the focus comes to it.
    let refresh = RwSignal::new(0u32);
    let carried = Memo::new(move |_| {
        let l = app.current.get()?;
        super::share::link_payload(&l.trace)
            .ok()
            .map(|p| share::fragment(&p))
    });
    let href = move || {
        refresh.track();
        url::standalone_href(carried.get().as_deref()).unwrap_or_default()
    };
    let bump = move || refresh.update(|n| *n = n.wrapping_add(1));
    view! {
        <div class="embed-bar">
            <Loads/>
            <a class="open-standalone" data-testid="open-standalone" target="_blank" rel="noopener noreferrer"
                title="Open this view in Traceglass, in a new tab"
                href=href on:pointerenter=move |_| bump() on:focus=move |_| bump() on:mousedown=move |_| bump()>"Open in Traceglass ↗"</a>
        </div>
    }
}

/// The trace pane: the trace shown, drawn again only when another trace is
/// shown (not when traces are added or removed).
#[component]
fn TracePane(waits_for_host: bool) -> impl IntoView {
    let app = expect_context::<AppState>();
    move || match app.current.get() {
        Some(loaded) => view! { <TraceView loaded=loaded/> }.into_any(),
        None => empty(app, waits_for_host).into_any(),
    }
}

/// The loads under way, each with how far it came, and a Cancel button
/// for those that can still be cancelled.
#[component]
fn Loads() -> impl IntoView {
    let app = expect_context::<AppState>();
    view! {
        <Show when=move || app.loading()>
            <span class="loads">
                <span class="loading" data-testid="loading" role="status">
                    {move || {
                        let parts: Vec<String> = app.loads.with(|l| {
                            l.iter()
                                .map(|j| match &j.progress {
                                    Some(how) => format!("{} ({how})", j.name),
                                    None => j.name.clone(),
                                })
                                .collect()
                        });
                        format!("Loading {}…", parts.join(", "))
                    }}
                </span>
                <For
                    each=move || app.loads.with(|l| l.iter().filter(|j| j.cancellable).map(|j| (j.id, j.name.clone())).collect::<Vec<_>>())
                    key=|(id, _)| *id
                    children=move |(id, name)| view! {
                        <button class="small" data-testid="cancel-load" title=format!("Stop loading {name}")
                            aria-label=format!("Cancel loading {name}") on:click=move |_| loader::cancel(id)>"Cancel"</button>
                    }
                />
            </span>
        </Show>
    }
}

#[component]
fn KeyboardHelp() -> impl IntoView {
    let app = expect_context::<AppState>();
    view! {
        <div class="help-backdrop" on:click=move |_| app.show_help.set(false)>
            <div class="help" role="dialog" aria-label="Keyboard shortcuts" data-testid="help" on:click=|ev| ev.stop_propagation()>
                <h2>"Keyboard shortcuts"</h2>
                <table class="kv">
                    <tbody>
                        {SHORTCUTS.iter().map(|(k, what)| view! { <tr><th><kbd>{*k}</kbd></th><td>{*what}</td></tr> }).collect_view()}
                    </tbody>
                </table>
                <button class="button" on:click=move |_| app.show_help.set(false)>"Close"</button>
            </div>
        </div>
    }
}

#[component]
fn Messages() -> impl IntoView {
    let app = expect_context::<AppState>();
    view! {
        <div class="messages" data-testid="messages" role="log" aria-live="polite">
            <For
                each=move || app.messages.get()
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
                            <button class="dismiss" title="Dismiss" aria-label="Dismiss" on:click=move |_| app.dismiss(id)>
                                "×"
                            </button>
                        </div>
                    }
                }
            />
        </div>
    }
}
