//! Live Jaeger: the connection (base URL, token, credentials), API
//! detection, the search form in Jaeger UI's terms, the results (list,
//! sort orders, scatter plot) and opening a result or a trace id.

use super::format::{absolute_time, format_duration, service_color};
use super::state::{AppState, Level, Loaded, Pane};
use crate::jaeger::{
    check_duration, operations_url, parse_logfmt, parse_operations, parse_summaries, search_url,
    trace_url, ApiVersion, Operation, Search, LOOKBACKS,
};
use crate::sources::jaeger::{detect, get, Connection, Failure};
use leptos::prelude::*;
use leptos::task::spawn_local;

const CONNECTION_KEY: &str = "traceglass.jaeger";

/// One search result, from a trace summary or a whole trace.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultRow {
    pub trace_id: String,
    pub root_service: String,
    pub root_operation: String,
    pub spans: u64,
    pub errors: u64,
    pub services: Vec<(String, u64)>,
    pub start_ns: i64,
    pub duration_ns: i64,
}

impl ResultRow {
    fn of(l: &Loaded) -> ResultRow {
        let t = &l.trace;
        let root = t.main_root().and_then(|r| t.span(r));
        let mut services: Vec<(String, u64)> = t
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let n = t.spans.iter().filter(|sp| sp.service as usize == i).count() as u64;
                (t.str(s.name).to_string(), n)
            })
            .collect();
        services.sort();
        ResultRow {
            trace_id: t.trace_id.clone(),
            root_service: root
                .map(|r| t.service_name(r).to_string())
                .unwrap_or_default(),
            root_operation: root.map(|r| t.span_name(r).to_string()).unwrap_or_default(),
            spans: t.spans.len() as u64,
            errors: t.error_count as u64,
            services,
            start_ns: t.start_ns,
            duration_ns: t.duration_ns(),
        }
    }
}

/// Jaeger UI's ten sort orders.
const SORTS: [&str; 10] = [
    "Most Recent",
    "Oldest First",
    "Longest First",
    "Shortest First",
    "Most Spans",
    "Least Spans",
    "Most Errors",
    "Least Errors",
    "Trace Name A-Z",
    "Trace Name Z-A",
];

fn sort_rows(rows: &mut [ResultRow], order: usize) {
    let name = |r: &ResultRow| format!("{}: {}", r.root_service, r.root_operation);
    match order {
        1 => rows.sort_by_key(|r| r.start_ns),
        2 => rows.sort_by_key(|r| std::cmp::Reverse(r.duration_ns)),
        3 => rows.sort_by_key(|r| r.duration_ns),
        4 => rows.sort_by_key(|r| std::cmp::Reverse(r.spans)),
        5 => rows.sort_by_key(|r| r.spans),
        6 => rows.sort_by_key(|r| std::cmp::Reverse(r.errors)),
        7 => rows.sort_by_key(|r| r.errors),
        8 => rows.sort_by_key(name),
        9 => rows.sort_by_key(|r| std::cmp::Reverse(name(r))),
        _ => rows.sort_by_key(|r| std::cmp::Reverse(r.start_ns)),
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Idle,
    Busy(String),
    Connected(ApiVersion),
    Failed(String),
}

/// The Jaeger side of the app, shared through context.
#[derive(Clone, Copy)]
pub struct JaegerUi {
    pub conn: RwSignal<Connection>,
    pub version: RwSignal<Option<ApiVersion>>,
    pub status: RwSignal<Status>,
    pub services: RwSignal<Vec<String>>,
    pub operations: RwSignal<Vec<Operation>>,
    pub service: RwSignal<String>,
    pub operation: RwSignal<String>,
    pub tags: RwSignal<String>,
    pub lookback: RwSignal<String>,
    pub start: RwSignal<String>,
    pub end: RwSignal<String>,
    pub min_duration: RwSignal<String>,
    pub max_duration: RwSignal<String>,
    pub limit: RwSignal<u32>,
    pub results: RwSignal<Vec<ResultRow>>,
    pub searched: RwSignal<Option<String>>,
    pub sort: RwSignal<usize>,
    /// A search read from the URL, run once connected.
    pending_search: RwSignal<bool>,
}

/// The search-form parameters in the page URL, under Jaeger UI's names.
const SEARCH_PARAMS: [&str; 9] = [
    "service",
    "operation",
    "tags",
    "lookback",
    "start",
    "end",
    "minDuration",
    "maxDuration",
    "limit",
];

/// The search parameters of the page URL, as one string to compare.
fn search_key() -> String {
    SEARCH_PARAMS
        .iter()
        .map(|n| super::url::param(n).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\u{1}")
}

/// A time in µs as a `datetime-local` value, in the browser's time zone.
fn local_datetime(us: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(us as f64 / 1000.0));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds()
    )
}

impl JaegerUi {
    pub fn new() -> JaegerUi {
        let stored = web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item(CONNECTION_KEY).ok().flatten())
            .and_then(|v| serde_json::from_str::<(String, String, String)>(&v).ok());
        let mut conn = Connection::default();
        if let Some((base, token, credentials)) = stored {
            conn.base = base;
            conn.token = token;
            conn.credentials = credentials;
        }
        if let Some(base) = super::url::param("jaeger") {
            conn.base = base;
        }
        JaegerUi {
            conn: RwSignal::new(conn),
            version: RwSignal::new(None),
            status: RwSignal::new(Status::Idle),
            services: RwSignal::new(Vec::new()),
            operations: RwSignal::new(Vec::new()),
            service: RwSignal::new(String::new()),
            operation: RwSignal::new(String::new()),
            tags: RwSignal::new(String::new()),
            lookback: RwSignal::new("1h".to_string()),
            start: RwSignal::new(String::new()),
            end: RwSignal::new(String::new()),
            min_duration: RwSignal::new(String::new()),
            max_duration: RwSignal::new(String::new()),
            limit: RwSignal::new(20),
            results: RwSignal::new(Vec::new()),
            searched: RwSignal::new(None),
            sort: RwSignal::new(0),
            pending_search: RwSignal::new(false),
        }
        .with_search_from_url()
    }

    /// Fills the form from the URL's search parameters; true when there was a search.
    fn read_search_params(&self) -> bool {
        let p = |n: &str| super::url::param(n);
        let Some(service) = p("service") else {
            return false;
        };
        self.service.set(service);
        self.operation
            .set(p("operation").filter(|o| o != "all").unwrap_or_default());
        self.tags.set(p("tags").unwrap_or_default());
        self.min_duration.set(p("minDuration").unwrap_or_default());
        self.max_duration.set(p("maxDuration").unwrap_or_default());
        if let Some(l) = p("limit").and_then(|l| l.parse().ok()) {
            self.limit.set(l);
        }
        let us = |n: &str| p(n).and_then(|v| v.parse::<i64>().ok());
        match (p("lookback").as_deref(), us("start"), us("end")) {
            (Some("custom") | None, Some(a), Some(b)) => {
                self.lookback.set("custom".into());
                self.start.set(local_datetime(a));
                self.end.set(local_datetime(b));
            }
            (Some(l), _, _) if LOOKBACKS.iter().any(|x| x.0 == l) => self.lookback.set(l.into()),
            _ => {}
        }
        true
    }

    fn with_search_from_url(self) -> JaegerUi {
        if self.read_search_params() {
            self.pending_search.set(true);
        }
        self
    }

    /// Writes the search to the URL as a new history entry.
    fn write_search_params(&self, q: &Search) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let Ok(href) = window.location().href() else {
            return;
        };
        let Ok(url) = web_sys::Url::new(&href) else {
            return;
        };
        let params = url.search_params();
        let lookback = self.lookback.get_untracked();
        let custom = lookback == "custom";
        let values: [Option<String>; 9] = [
            Some(q.service.clone()),
            (!q.operation.is_empty()).then(|| q.operation.clone()),
            Some(self.tags.get_untracked()).filter(|t| !t.trim().is_empty()),
            Some(lookback),
            custom.then(|| q.start_us.to_string()),
            custom.then(|| q.end_us.to_string()),
            q.min_duration.clone(),
            q.max_duration.clone(),
            Some(q.limit.to_string()),
        ];
        let mut changed = false;
        for (name, value) in SEARCH_PARAMS.iter().zip(values) {
            if params.get(name) != value {
                changed = true;
                match value {
                    Some(v) => params.set(name, &v),
                    None => params.delete(name),
                }
            }
        }
        if changed {
            if let Ok(h) = window.history() {
                let _ = h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href()));
            }
        }
    }

    fn save(&self) {
        let c = self.conn.get_untracked();
        if let (Some(s), Ok(v)) = (
            web_sys::window().and_then(|w| w.local_storage().ok().flatten()),
            serde_json::to_string(&(c.base, c.token, c.credentials)),
        ) {
            let _ = s.set_item(CONNECTION_KEY, &v);
        }
    }

    fn fail(&self, app: AppState, url: &str, f: &Failure) {
        let text = f.explain(url);
        self.status.set(Status::Failed(text.clone()));
        app.message(Level::Error, text);
    }

    /// Detects the API and loads the services.
    pub fn connect(self, app: AppState) {
        self.save();
        self.status.set(Status::Busy("Connecting…".into()));
        let conn = self.conn.get_untracked();
        spawn_local(async move {
            match detect(&conn).await {
                Ok((v, services)) => {
                    self.version.set(Some(v));
                    self.status.set(Status::Connected(v));
                    let first = services.first().cloned().unwrap_or_default();
                    self.services.set(services);
                    if self.service.with_untracked(|s| s.is_empty()) {
                        self.service.set(first);
                    }
                    self.load_operations(app);
                    if self.pending_search.get_untracked() {
                        self.pending_search.set(false);
                        self.search(app);
                    }
                }
                Err((url, f)) => {
                    self.version.set(None);
                    self.fail(app, &url, &f);
                }
            }
        });
    }

    pub fn load_operations(self, app: AppState) {
        let (Some(v), service) = (self.version.get_untracked(), self.service.get_untracked())
        else {
            return;
        };
        if service.is_empty() {
            self.operations.set(Vec::new());
            return;
        }
        let conn = self.conn.get_untracked();
        let url = operations_url(&conn.base, v, &service);
        spawn_local(async move {
            match get(&conn, &url).await {
                Ok(body) => match parse_operations(v, &body) {
                    Ok(ops) => self.operations.set(ops),
                    Err(e) => self.fail(app, &url, &Failure::NotJaeger(e)),
                },
                Err(f) => self.fail(app, &url, &f),
            }
        });
    }

    /// The search as typed, checked the way Jaeger will check it.
    fn search_query(&self) -> Result<Search, String> {
        let tags = parse_logfmt(&self.tags.get_untracked()).map_err(|e| format!("Tags: {e}"))?;
        let min = check_duration(&self.min_duration.get_untracked())
            .map_err(|e| format!("Min duration: {e}"))?;
        let max = check_duration(&self.max_duration.get_untracked())
            .map_err(|e| format!("Max duration: {e}"))?;
        let now_us = (js_sys::Date::now() * 1000.0) as i64;
        let lookback = self.lookback.get_untracked();
        let (start_us, end_us) = if lookback == "custom" {
            let parse = |s: String, what: &str| {
                let ms = js_sys::Date::parse(&s);
                if ms.is_nan() {
                    Err(format!("{what}: give a date and time"))
                } else {
                    Ok((ms * 1000.0) as i64)
                }
            };
            let (a, b) = (
                parse(self.start.get_untracked(), "Start")?,
                parse(self.end.get_untracked(), "End")?,
            );
            if a >= b {
                return Err("The start must be before the end.".into());
            }
            (a, b)
        } else {
            let secs = LOOKBACKS
                .iter()
                .find(|l| l.0 == lookback)
                .map_or(3600, |l| l.2);
            (now_us - secs * 1_000_000, now_us)
        };
        Ok(Search {
            service: self.service.get_untracked(),
            operation: self.operation.get_untracked(),
            tags,
            start_us,
            end_us,
            min_duration: min,
            max_duration: max,
            limit: self.limit.get_untracked().clamp(1, 1500),
        })
    }

    pub fn search(self, app: AppState) {
        let Some(v) = self.version.get_untracked() else {
            self.connect(app);
            return;
        };
        let q = match self.search_query() {
            Ok(q) => q,
            Err(e) => {
                self.status.set(Status::Failed(e.clone()));
                app.message(Level::Error, e);
                return;
            }
        };
        self.write_search_params(&q);
        let conn = self.conn.get_untracked();
        self.status.set(Status::Busy("Searching…".into()));
        app.pane.set(Pane::Results);
        spawn_local(async move {
            let rows = match v {
                ApiVersion::V3 => {
                    let url = search_url(&conn.base, v, &q, true);
                    match get(&conn, &url).await {
                        Ok(body) => parse_summaries(&body)
                            .map_err(|e| (url, Failure::NotJaeger(e)))
                            .map(|s| {
                                s.into_iter()
                                    .map(|s| ResultRow {
                                        trace_id: crate::model::normalize_trace_id(&s.trace_id),
                                        root_service: s.root_service,
                                        root_operation: s.root_operation,
                                        spans: s.span_count,
                                        errors: s.error_count,
                                        services: s.services,
                                        start_ns: s.start_ns,
                                        duration_ns: s.end_ns - s.start_ns,
                                    })
                                    .collect::<Vec<_>>()
                            }),
                        // Servers before v2.19 have no summaries: search full traces.
                        Err(Failure::Http {
                            status: 404,
                            message: None,
                        }) => {
                            let url = search_url(&conn.base, v, &q, false);
                            full_traces(app, &conn, &url).await
                        }
                        Err(f) => Err((url, f)),
                    }
                }
                ApiVersion::V1 => {
                    let url = search_url(&conn.base, v, &q, false);
                    full_traces(app, &conn, &url).await
                }
            };
            match rows {
                Ok(rows) => {
                    self.status.set(Status::Connected(v));
                    let n = rows.len();
                    self.searched
                        .set(Some(format!("{n} trace{}", if n == 1 { "" } else { "s" })));
                    self.results.set(rows);
                }
                Err((url, f)) => self.fail(app, &url, &f),
            }
        });
    }

    /// Opens a trace: the loaded one if it is loaded, else fetched.
    pub fn open(self, app: AppState, trace_id: String) {
        let trace_id = trace_id.trim().to_string();
        if trace_id.is_empty() {
            return;
        }
        if let Some(l) = app.loaded_by_id(&trace_id) {
            app.select(l.key);
            app.pane.set(Pane::Trace);
            return;
        }
        let Some(v) = self.version.get_untracked() else {
            app.message(
                Level::Error,
                "Connect to Jaeger first, then open the trace.".into(),
            );
            return;
        };
        let conn = self.conn.get_untracked();
        let url = trace_url(&conn.base, v, &trace_id);
        app.loading.update(|l| l.push(format!("trace {trace_id}")));
        spawn_local(async move {
            match get(&conn, &url).await {
                Ok(body) => {
                    let got = app.add_traces(&format!("Jaeger trace {trace_id}"), body.as_bytes());
                    if let Some(l) = got.first() {
                        app.select(l.key);
                        app.pane.set(Pane::Trace);
                    }
                }
                Err(Failure::Http {
                    status: 404,
                    message,
                }) => app.message(
                    Level::Error,
                    format!(
                        "Trace {trace_id} was not found in Jaeger{}.",
                        message.map(|m| format!(" ({m})")).unwrap_or_default()
                    ),
                ),
                Err(f) => self.fail(app, &url, &f),
            }
            app.loading
                .update(|l| l.retain(|n| *n != format!("trace {trace_id}")));
        });
    }
}

/// A search that returns whole traces (v1, or v3 without summaries): they
/// are loaded, and become the result rows.
async fn full_traces(
    app: AppState,
    conn: &Connection,
    url: &str,
) -> Result<Vec<ResultRow>, (String, Failure)> {
    match get(conn, url).await {
        Ok(body) => {
            let loaded = app.add_traces("Jaeger search", body.as_bytes());
            Ok(loaded.iter().map(ResultRow::of).collect())
        }
        // v3 answers "no results" with a 404.
        Err(Failure::Http {
            status: 404,
            message: Some(m),
        }) if m.contains("No traces found") => Ok(Vec::new()),
        Err(f) => Err((url.to_string(), f)),
    }
}

#[component]
pub fn JaegerPanel() -> impl IntoView {
    let app = expect_context::<AppState>();
    let j = expect_context::<JaegerUi>();
    let asked = super::url::param("jaeger").is_some() || j.pending_search.get_untracked();
    if asked {
        j.connect(app);
    } else {
        // An operator may preconfigure a static deployment with config.json.
        spawn_local(async move {
            let Ok(bytes) = crate::sources::fetch_bytes("config.json").await else {
                return;
            };
            #[derive(serde::Deserialize)]
            struct Config {
                jaeger: Option<JaegerConfig>,
            }
            #[derive(serde::Deserialize)]
            struct JaegerConfig {
                #[serde(rename = "baseUrl", default)]
                base_url: String,
                #[serde(default)]
                credentials: Option<String>,
            }
            match serde_json::from_slice::<Config>(&bytes) {
                Ok(Config { jaeger: Some(c) }) if !c.base_url.trim().is_empty() => {
                    if j.conn.with_untracked(|x| x.base.is_empty()) {
                        j.conn.update(|x| {
                            x.base = c.base_url.trim().to_string();
                            if let Some(cr) = c.credentials {
                                x.credentials = cr;
                            }
                        });
                    }
                    j.connect(app);
                }
                Ok(_) => {}
                Err(e) => app.message(Level::Warning, format!("config.json: {e}")),
            }
        });
    }
    // Back and forward through searches.
    let shown_search = StoredValue::new(search_key());
    let pop = window_event_listener(leptos::ev::popstate, move |_| {
        let key = search_key();
        if key != shown_search.get_value() {
            shown_search.set_value(key);
            if j.read_search_params() {
                j.search(app);
            }
        }
    });
    // Searches made here move the compared key along.
    Effect::new(move |_| {
        j.searched.track();
        shown_search.set_value(search_key());
    });
    on_cleanup(move || pop.remove());
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
                <button class="button" data-testid="jaeger-connect" on:click=move |_| j.connect(app)>"Connect"</button>
                <p class="jaeger-status" data-testid="jaeger-status" role="status">
                    {move || match j.status.get() {
                        Status::Idle => view! { <span>"Not connected"</span> }.into_any(),
                        Status::Busy(s) => view! { <span>{s}</span> }.into_any(),
                        Status::Connected(v) => view! { <span class="ok">{format!("● Connected, {}", v.label())}</span> }.into_any(),
                        Status::Failed(e) => view! { <span class="bad">{format!("● {e}")}</span> }.into_any(),
                    }}
                </p>
                <Show when=move || j.version.get().is_some()>
                    <label>{move || format!("Service ({})", j.services.with(|s| s.len()))}
                        <select data-testid="jaeger-service" prop:value=move || j.service.get() on:change=move |ev| {
                            j.service.set(event_target_value(&ev));
                            j.operation.set(String::new());
                            j.load_operations(app);
                        }>
                            {move || j.services.get().into_iter().map(|s| {
                                let sel = j.service.get_untracked() == s;
                                view! { <option value=s.clone() selected=sel>{s.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label>"Operation"
                        <select data-testid="jaeger-operation" prop:value=move || j.operation.get() on:change=move |ev| j.operation.set(event_target_value(&ev))>
                            <option value="">"all"</option>
                            {move || {
                                let mut ops = j.operations.get();
                                ops.dedup_by(|a, b| a.name == b.name);
                                ops.into_iter().map(|o| view! { <option value=o.name.clone()>{o.name.clone()}</option> }).collect_view()
                            }}
                        </select>
                    </label>
                    <label>"Tags"
                        <input type="text" data-testid="jaeger-tags" placeholder="http.status_code=500 error=true"
                            prop:value=move || j.tags.get() on:change=move |ev| j.tags.set(event_target_value(&ev))/>
                    </label>
                    <label>"Lookback"
                        <select data-testid="jaeger-lookback" on:change=move |ev| j.lookback.set(event_target_value(&ev))>
                            {LOOKBACKS.iter().map(|(v, l, _)| view! { <option value=*v selected=move || j.lookback.get() == *v>{*l}</option> }).collect_view()}
                        </select>
                    </label>
                    <Show when=move || j.lookback.get() == "custom">
                        <label>"Start" <input type="datetime-local" data-testid="jaeger-start" on:change=move |ev| j.start.set(event_target_value(&ev))/></label>
                        <label>"End" <input type="datetime-local" data-testid="jaeger-end" on:change=move |ev| j.end.set(event_target_value(&ev))/></label>
                    </Show>
                    <div class="jaeger-durations">
                        <label>"Min duration" <input type="text" data-testid="jaeger-min" placeholder="e.g. 1.2s, 100ms" size="8"
                            on:change=move |ev| j.min_duration.set(event_target_value(&ev))/></label>
                        <label>"Max duration" <input type="text" data-testid="jaeger-max" placeholder="e.g. 1.1s" size="8"
                            on:change=move |ev| j.max_duration.set(event_target_value(&ev))/></label>
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

#[component]
pub fn ResultsView() -> impl IntoView {
    let app = expect_context::<AppState>();
    let j = expect_context::<JaegerUi>();
    let rows = Memo::new(move |_| {
        let mut r = j.results.get();
        sort_rows(&mut r, j.sort.get());
        r
    });
    let longest = Memo::new(move |_| {
        rows.with(|r| r.iter().map(|x| x.duration_ns).max().unwrap_or(1).max(1))
    });
    view! {
        <div class="results" data-testid="results">
            <div class="results-head">
                <span data-testid="results-count">{move || j.searched.get().unwrap_or_else(|| "No search yet".into())}</span>
                <label>"Sort "
                    <select data-testid="results-sort" on:change=move |ev| j.sort.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {SORTS.iter().enumerate().map(|(i, s)| view! { <option value=i.to_string() selected=move || j.sort.get() == i>{*s}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <Scatter rows=rows/>
            <ul class="result-list">
                <For each=move || rows.get() key=|r| r.trace_id.clone() children=move |r: ResultRow| {
                    let id = r.trace_id.clone();
                    let width = r.duration_ns as f64 * 100.0 / longest.get_untracked() as f64;
                    view! {
                        <li data-testid="result" on:click=move |_| j.open(app, id.clone())>
                            <div class="title">
                                <span class="svc">{r.root_service.clone()}</span>": "<span class="op">{r.root_operation.clone()}</span>
                                <span class="trace-id">{format!(" {}", r.trace_id.chars().take(7).collect::<String>())}</span>
                            </div>
                            <div class="duration-bar"><span style:width=format!("{width:.2}%")></span><em>{format_duration(r.duration_ns)}</em></div>
                            <div class="meta">
                                <span>{format!("{} spans", r.spans)}</span>
                                {(r.errors > 0).then(|| view! { <span class="errors">{format!("{} errors", r.errors)}</span> })}
                                <span title=absolute_time(r.start_ns)>{relative_age(r.start_ns)}</span>
                                <span>{absolute_time(r.start_ns)}</span>
                            </div>
                            <div class="pills">
                                {r.services.iter().enumerate().map(|(i, (s, n))| view! {
                                    <span class="pill" style:border-color=service_color(i as u32)>{format!("{s} ({n})")}</span>
                                }).collect_view()}
                            </div>
                        </li>
                    }
                }/>
            </ul>
        </div>
    }
}

/// How long ago a trace started, in the largest whole unit.
fn relative_age(start_ns: i64) -> String {
    let now_ns = (js_sys::Date::now() * 1e6) as i64;
    let secs = (now_ns - start_ns) / 1_000_000_000;
    if secs < 0 {
        return "in the future".into();
    }
    let (n, unit) = match secs {
        s if s < 60 => (s, "second"),
        s if s < 3_600 => (s / 60, "minute"),
        s if s < 86_400 => (s / 3_600, "hour"),
        s => (s / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// Duration over start time, errors in red; a point opens its trace.
#[component]
fn Scatter(rows: Memo<Vec<ResultRow>>) -> impl IntoView {
    let app = expect_context::<AppState>();
    let j = expect_context::<JaegerUi>();
    const W: f64 = 800.0;
    const H: f64 = 160.0;
    view! {
        <svg class="scatter" data-testid="scatter" viewBox=format!("0 0 {W} {H}") preserveAspectRatio="none" role="img" aria-label="Duration over start time">
            {move || rows.with(|rows| {
                let (t0, t1) = (
                    rows.iter().map(|r| r.start_ns).min().unwrap_or(0),
                    rows.iter().map(|r| r.start_ns).max().unwrap_or(1),
                );
                let dmax = rows.iter().map(|r| r.duration_ns).max().unwrap_or(1).max(1) as f64;
                let span = (t1 - t0).max(1) as f64;
                rows.iter().map(|r| {
                    let x = 10.0 + (r.start_ns - t0) as f64 / span * (W - 20.0);
                    let y = H - 8.0 - r.duration_ns as f64 / dmax * (H - 16.0);
                    let id = r.trace_id.clone();
                    let has_errors = r.errors > 0;
                    let tip = format!("{}: {}\n{} spans, {} services, {}", r.root_service, r.root_operation, r.spans, r.services.len(), format_duration(r.duration_ns));
                    view! {
                        <circle data-testid="scatter-point" cx=format!("{x:.1}") cy=format!("{y:.1}") r="5"
                            class:error=has_errors on:click=move |_| j.open(app, id.clone())>
                            <title>{tip}</title>
                        </circle>
                    }
                }).collect_view()
            })}
        </svg>
    }
}
