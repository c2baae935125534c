//! Live Jaeger: the connection (base URL, token, credentials, timeout),
//! API detection and a health indicator, the search form in Jaeger UI's
//! terms (operations grouped by span kind), the results (list, sort orders,
//! scatter plot), opening a result or a trace id, fetching every result for
//! the summary, and downloading the results as Jaeger JSON or OTLP JSON.

use super::format::{absolute_time, format_duration, service_color};
use super::state::{AppState, Level, Loaded, Pane};
use crate::export::{to_jaeger_json, to_otlp_json};
use crate::jaeger::{
    check_duration, is_empty_search, kind_label, operations_by_kind, operations_url, parse_logfmt,
    parse_operations, parse_summaries, search_url, trace_url, ApiVersion, Operation, Search,
    LOOKBACKS,
};
use crate::sources::jaeger::{detect, get_observed, Connection, Failure};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::{Cell, RefCell};
use std::collections::{HashSet, VecDeque};
use std::rc::Rc;

const CONNECTION_KEY: &str = "traceglass.jaeger";
/// A request slower than this makes the health indicator say "slow".
pub const SLOW_MS: f64 = 1_000.0;
/// Traces fetched at once when every result is fetched.
const FETCH_CONCURRENCY: usize = 4;
/// Separates span kind and name in the operation `<option>` values.
const KIND_SEP: char = '\u{1f}';

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

/// What the last requests to Jaeger showed, for the health indicator.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Health {
    /// How long the last request took, in ms.
    pub last_ms: Option<f64>,
    /// When Jaeger last answered, in ms since the epoch.
    pub last_contact: Option<f64>,
    /// Why the last request failed, when Jaeger did not answer usefully.
    pub failing: Option<String>,
}

impl Health {
    /// The state as a CSS class and a word: failing, slow or ok.
    pub fn state(&self) -> Option<(&'static str, &'static str)> {
        if self.failing.is_some() {
            Some(("failing", "Failing"))
        } else {
            self.last_ms.map(|ms| {
                if ms > SLOW_MS {
                    ("slow", "Slow")
                } else {
                    ("ok", "OK")
                }
            })
        }
    }
}

/// What a retry does again.
#[derive(Clone, Debug, PartialEq)]
enum Action {
    Connect,
    Operations,
    Search,
    Open(String),
}

/// What to do once every search result is loaded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum After {
    Summarise,
    Download(ExportFormat),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ExportFormat {
    Jaeger,
    Otlp,
}

/// Fetching every search result: how far it got, and what failed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fetching {
    pub running: bool,
    /// Results of the search.
    pub total: usize,
    /// Results loaded (before or by this fetch).
    pub fetched: usize,
    /// Trace id and why it could not be fetched.
    pub failed: Vec<(String, String)>,
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
    pub health: RwSignal<Health>,
    /// The span kind of the chosen operation (names may repeat across kinds).
    pub operation_kind: RwSignal<String>,
    pub fetching: RwSignal<Fetching>,
    retry: RwSignal<Option<Action>>,
    /// The URL's search parameters ([`search_key`]) of the search last
    /// started, for back and forward to tell a move to another search.
    shown_search: StoredValue<String>,
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
            .and_then(|s| s.get_item(CONNECTION_KEY).ok().flatten());
        let mut conn = Connection::default();
        if let Some(v) = stored {
            // Saved before the timeout was kept: three fields.
            if let Ok((base, token, credentials, timeout)) =
                serde_json::from_str::<(String, String, String, i64)>(&v)
            {
                conn.base = base;
                conn.token = token;
                conn.credentials = credentials;
                conn.set_timeout_ms(timeout);
            } else if let Ok((base, token, credentials)) =
                serde_json::from_str::<(String, String, String)>(&v)
            {
                conn.base = base;
                conn.token = token;
                conn.credentials = credentials;
            }
        }
        if let Some(base) = super::url::param("jaeger") {
            conn.base = base;
        }
        if let Some(ms) = super::url::param("jaegerTimeout").and_then(|t| t.trim().parse().ok()) {
            conn.set_timeout_ms(ms);
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
            health: RwSignal::new(Health::default()),
            operation_kind: RwSignal::new(String::new()),
            fetching: RwSignal::new(Fetching::default()),
            retry: RwSignal::new(None),
            shown_search: StoredValue::new(search_key()),
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
            serde_json::to_string(&(c.base, c.token, c.credentials, c.timeout_ms)),
        ) {
            let _ = s.set_item(CONNECTION_KEY, &v);
        }
    }

    /// Shows a failure in the status line, with a retry of `action`.
    fn fail(&self, app: AppState, url: &str, f: &Failure, action: Action) {
        let text = f.explain(url);
        self.retry.set(Some(action));
        self.status.set(Status::Failed(text.clone()));
        app.message(Level::Error, text);
    }

    /// Does the failed action again.
    pub fn retry(self, app: AppState) {
        match self.retry.get_untracked() {
            Some(Action::Connect) | None => self.connect(app),
            Some(Action::Operations) => self.load_operations(app),
            Some(Action::Search) => self.search(app),
            Some(Action::Open(id)) => self.open(app, id),
        }
    }

    /// Notes how a request went, for the health indicator.
    fn record(&self, ms: f64, failure: Option<&Failure>) {
        self.health.update(|h| {
            h.last_ms = Some(ms);
            match failure.filter(|f| f.is_failing()) {
                Some(f) => h.failing = Some(f.short()),
                None => {
                    h.failing = None;
                    h.last_contact = Some(js_sys::Date::now());
                }
            }
        });
    }

    /// GETs from Jaeger, noting how it went.
    async fn request(self, conn: &Connection, url: &str) -> Result<String, Failure> {
        get_observed(conn, url, &|ms, f| self.record(ms, f)).await
    }

    /// Detects the API and loads the services.
    pub fn connect(self, app: AppState) {
        self.save();
        self.status.set(Status::Busy("Connecting…".into()));
        let conn = self.conn.get_untracked();
        spawn_local(async move {
            match detect(&conn, &|ms, f| self.record(ms, f)).await {
                Ok((v, services)) => {
                    self.version.set(Some(v));
                    self.retry.set(None);
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
                    if let Failure::NotJaeger(_) = f {
                        self.health.update(|h| h.failing = Some(f.short()));
                    }
                    self.fail(app, &url, &f, Action::Connect);
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
            match self.request(&conn, &url).await {
                Ok(body) => match parse_operations(v, &body) {
                    Ok(ops) => self.operations.set(ops),
                    Err(e) => self.fail(app, &url, &Failure::NotJaeger(e), Action::Operations),
                },
                Err(f) => self.fail(app, &url, &f, Action::Operations),
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
                self.retry.set(None);
                self.status.set(Status::Failed(e.clone()));
                app.message(Level::Error, e);
                return;
            }
        };
        self.write_search_params(&q);
        // Recorded as the search starts, not when its answer comes: back
        // pressed before then must still find the page on another search.
        self.shown_search.set_value(search_key());
        let conn = self.conn.get_untracked();
        self.status.set(Status::Busy("Searching…".into()));
        app.pane.set(Pane::Results);
        spawn_local(async move {
            let rows = match v {
                ApiVersion::V3 => {
                    let url = search_url(&conn.base, v, &q, true);
                    match self.request(&conn, &url).await {
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
                            full_traces(self, app, &conn, &url).await
                        }
                        Err(f) => Err((url, f)),
                    }
                }
                ApiVersion::V1 => {
                    let url = search_url(&conn.base, v, &q, false);
                    full_traces(self, app, &conn, &url).await
                }
            };
            match rows {
                Ok(rows) => {
                    self.retry.set(None);
                    self.status.set(Status::Connected(v));
                    self.fetching.set(Fetching::default());
                    let n = rows.len();
                    self.searched
                        .set(Some(format!("{n} trace{}", if n == 1 { "" } else { "s" })));
                    self.results.set(rows);
                }
                Err((url, f)) => self.fail(app, &url, &f, Action::Search),
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
            match self.request(&conn, &url).await {
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
                Err(f) => self.fail(app, &url, &f, Action::Open(trace_id.clone())),
            }
            app.loading
                .update(|l| l.retain(|n| *n != format!("trace {trace_id}")));
        });
    }

    /// The operation `<select>` value: kind and name, or "" for all.
    fn operation_value(&self) -> String {
        let name = self.operation.get();
        if name.is_empty() {
            return String::new();
        }
        let kind = self.operation_kind.get();
        let groups = self.operations.with(|o| operations_by_kind(o));
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

    fn set_operation_value(&self, value: &str) {
        let (kind, name) = value.split_once(KIND_SEP).unwrap_or(("", value));
        self.operation_kind.set(kind.to_string());
        self.operation.set(name.to_string());
    }

    /// Ids of the search results, in their order.
    fn result_ids(&self) -> Vec<String> {
        self.results
            .with_untracked(|r| r.iter().map(|x| x.trace_id.clone()).collect())
    }

    /// Loads every search result that is not loaded yet (a few at a time),
    /// then does `after` with all of them.
    pub fn fetch_results(self, app: AppState, after: After) {
        if self.fetching.with_untracked(|f| f.running) {
            return;
        }
        let ids = self.result_ids();
        let missing: VecDeque<String> = ids
            .iter()
            .filter(|id| app.loaded_by_id(id).is_none())
            .cloned()
            .collect();
        self.fetching.set(Fetching {
            running: !missing.is_empty(),
            total: ids.len(),
            fetched: ids.len() - missing.len(),
            failed: Vec::new(),
        });
        if missing.is_empty() {
            self.finish_fetch(app, after);
            return;
        }
        let Some(v) = self.version.get_untracked() else {
            self.fetching.update(|f| f.running = false);
            app.message(
                Level::Error,
                "Connect to Jaeger first, then fetch the results.".into(),
            );
            return;
        };
        let conn = self.conn.get_untracked();
        let workers = FETCH_CONCURRENCY.min(missing.len());
        let queue = Rc::new(RefCell::new(missing));
        let active = Rc::new(Cell::new(workers));
        for _ in 0..workers {
            let (queue, active, conn) = (queue.clone(), active.clone(), conn.clone());
            spawn_local(async move {
                loop {
                    let next = queue.borrow_mut().pop_front();
                    let Some(id) = next else { break };
                    let url = trace_url(&conn.base, v, &id);
                    let outcome = match self.request(&conn, &url).await {
                        Ok(body) => {
                            let got =
                                app.add_traces(&format!("Jaeger trace {id}"), body.as_bytes());
                            if got.is_empty() {
                                Err(format!("{url} held no trace"))
                            } else {
                                Ok(())
                            }
                        }
                        Err(f) => Err(f.explain(&url)),
                    };
                    self.fetching.update(|f| match outcome {
                        Ok(()) => f.fetched += 1,
                        Err(e) => f.failed.push((id, e)),
                    });
                }
                active.set(active.get().saturating_sub(1));
                if active.get() == 0 {
                    self.fetching.update(|f| f.running = false);
                    self.finish_fetch(app, after);
                }
            });
        }
    }

    fn finish_fetch(self, app: AppState, after: After) {
        let loaded: Vec<Loaded> = self
            .result_ids()
            .iter()
            .filter_map(|id| app.loaded_by_id(id))
            .collect();
        let failed = self.fetching.with_untracked(|f| f.failed.len());
        if loaded.is_empty() {
            app.message(
                Level::Error,
                "None of the search results could be fetched.".into(),
            );
            return;
        }
        match after {
            After::Summarise => {
                app.ticked.set(loaded.iter().map(|l| l.key).collect());
                app.pane.set(Pane::Summary);
            }
            After::Download(format) => {
                let traces: Vec<&crate::model::Trace> =
                    loaded.iter().map(|l| l.trace.as_ref()).collect();
                let stamp = js_sys::Date::now() as i64;
                let (name, text) = match format {
                    ExportFormat::Jaeger => {
                        (format!("traces-{stamp}.json"), to_jaeger_json(&traces))
                    }
                    ExportFormat::Otlp => {
                        (format!("traces-{stamp}.otlp.json"), to_otlp_json(&traces))
                    }
                };
                if let Err(e) = download(&name, &text) {
                    app.message(Level::Error, format!("The download could not start: {e:?}"));
                }
                if failed > 0 {
                    app.message(
                        Level::Warning,
                        format!(
                            "{failed} of the search results could not be fetched and are not in {name}."
                        ),
                    );
                }
            }
        }
    }

    /// Keys of the loaded traces that are search results.
    pub fn loaded_result_keys(&self, app: AppState) -> HashSet<u64> {
        app.traces.track();
        self.results.with(|r| {
            r.iter()
                .filter_map(|x| app.loaded_by_id(&x.trace_id))
                .map(|l| l.key)
                .collect()
        })
    }
}

/// Hands text to the browser as a file download.
fn download(name: &str, text: &str) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // Revoked later: the download may still be reading the blob.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    window.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000)?;
    Ok(())
}

/// A search that returns whole traces (v1, or v3 without summaries): they
/// are loaded, and become the result rows.
async fn full_traces(
    j: JaegerUi,
    app: AppState,
    conn: &Connection,
    url: &str,
) -> Result<Vec<ResultRow>, (String, Failure)> {
    match j.request(conn, url).await {
        // v1 answers "no results" with an empty list, which is no file to import.
        Ok(body) if body.len() < 1024 && is_empty_search(&body) => Ok(Vec::new()),
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
    let pop = window_event_listener(leptos::ev::popstate, move |_| {
        let key = search_key();
        if key != j.shown_search.get_value() {
            j.shown_search.set_value(key);
            if j.read_search_params() {
                j.search(app);
            }
        }
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
                        <select data-testid="jaeger-operation" prop:value=move || j.operation_value() on:change=move |ev| j.set_operation_value(&event_target_value(&ev))>
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
                <span class="results-download">
                    "Download "
                    <button class="button" data-testid="download-jaeger" title="The full traces of the results, as Jaeger UI downloads them ({\"data\":[…]})"
                        disabled=move || j.fetching.with(|f| f.running) || j.results.with(|r| r.is_empty())
                        on:click=move |_| j.fetch_results(app, After::Download(ExportFormat::Jaeger))>"Jaeger JSON"</button>
                    " "
                    <button class="button" data-testid="download-otlp" title="The full traces of the results, as OTLP/JSON ({\"resourceSpans\":[…]})"
                        disabled=move || j.fetching.with(|f| f.running) || j.results.with(|r| r.is_empty())
                        on:click=move |_| j.fetch_results(app, After::Download(ExportFormat::Otlp))>"OTLP JSON"</button>
                </span>
                <label>"Sort "
                    <select data-testid="results-sort" on:change=move |ev| j.sort.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {SORTS.iter().enumerate().map(|(i, s)| view! { <option value=i.to_string() selected=move || j.sort.get() == i>{*s}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <FetchProgress/>
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

/// The health of the connection: a dot with a word (ok, slow, failing), the
/// API in use, the last request's round trip and the last successful contact.
#[component]
fn HealthLine() -> impl IntoView {
    let j = expect_context::<JaegerUi>();
    move || {
        let h = j.health.get();
        let (class, word) = h.state()?;
        let mut parts = vec![match &h.failing {
            Some(why) => format!("{word} ({why})"),
            None => word.to_string(),
        }];
        if let Some(v) = j.version.get() {
            parts.push(v.label().to_string());
        }
        if let Some(ms) = h.last_ms {
            parts.push(format!("last request {ms:.0} ms"));
        }
        parts.push(match h.last_contact {
            Some(at) => format!("last contact {}", clock_time(at)),
            None => "no contact yet".to_string(),
        });
        Some(view! {
            <p class="jaeger-status jaeger-health" data-testid="jaeger-health" data-state=class>
                <span class=format!("dot {class}") aria-hidden="true" style:color=dot_color(class)>"●"</span>
                " "{parts.join(" · ")}
            </p>
        })
    }
}

/// The colour of the health dot (the word beside it says the same).
fn dot_color(state: &str) -> &'static str {
    match state {
        "ok" => "#2e7d32",
        "slow" => "#b26a00",
        _ => "var(--error)",
    }
}

/// A wall-clock time (ms since the epoch) as HH:MM:SS in the browser's zone.
fn clock_time(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!(
        "{:02}:{:02}:{:02}",
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds()
    )
}

/// Progress of fetching every search result, and what failed.
#[component]
pub fn FetchProgress() -> impl IntoView {
    let j = expect_context::<JaegerUi>();
    move || {
        let f = j.fetching.get();
        (f.total > 0).then(|| {
            let failed = f.failed.len();
            view! {
                <div class="fetch-progress">
                    <p data-testid="fetch-progress" role="status">
                        {format!(
                            "{} of {} fetched{}{}",
                            f.fetched,
                            f.total,
                            if failed > 0 { format!(", {failed} failed") } else { String::new() },
                            if f.running { "…" } else { "." }
                        )}
                    </p>
                    {(failed > 0).then(|| view! {
                        <ul class="fetch-failures" data-testid="fetch-failures">
                            {f.failed.into_iter().map(|(id, why)| view! { <li>{format!("{id}: {why}")}</li> }).collect_view()}
                        </ul>
                    })}
                </div>
            }
        })
    }
}

/// In the summary pane, while there are search results: how many are
/// loaded, and the action that fetches the rest and summarises them all.
#[component]
pub fn SearchSummaryBar() -> impl IntoView {
    let app = expect_context::<AppState>();
    let j = expect_context::<JaegerUi>();
    move || {
        let n = j.results.with(|r| r.len());
        (n > 0).then(|| {
            let loaded = j.loaded_result_keys(app).len();
            let label = if loaded < n {
                format!("Fetch all {n} traces and summarise")
            } else {
                format!("Summarise the {n} traces of the search")
            };
            view! {
                <div class="search-scope" data-testid="search-scope">
                    <span>{format!("The search found {n} trace{}; {loaded} loaded. ", if n == 1 { "" } else { "s" })}</span>
                    <button class="button" data-testid="fetch-all" disabled=move || j.fetching.with(|f| f.running)
                        on:click=move |_| j.fetch_results(app, After::Summarise)>{label}</button>
                    <FetchProgress/>
                </div>
            }
        })
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
