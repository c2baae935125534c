//! The Jaeger side's state, shared through context, and what it does:
//! connecting, a service's operations, a search, opening a trace by id.

use super::health::Health;
use super::rows::ResultRow;
use crate::jaeger::{
    check_duration, is_empty_search, operations_url, parse_logfmt, parse_operations,
    parse_summaries, search_url, trace_url, ApiVersion, Operation, Search, LOOKBACKS,
};
use crate::sources::http::{Abort, Latest};
use crate::sources::jaeger::{detect, get, get_body, Connection, Failure};
use crate::ui::loader::{Load, LoadError, Open, Source};
use crate::ui::state::{AppState, Level, Pane};
use crate::ui::url::params::{AppParams, SearchParams, ViewParams};
use crate::ui::view_state::Views;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashSet;

#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Idle,
    Busy(String),
    Connected(ApiVersion),
    Failed(String),
}

/// What a retry does again.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Action {
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

/// An answer to a search longer than this is never an empty one.
const EMPTY_SEARCH_MAX: usize = 1024;

/// The newest request of each kind.
#[derive(Default)]
struct Requests {
    connect: Latest,
    operations: Latest,
    search: Latest,
    open: Latest,
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
    /// The span kind of the chosen operation (names may repeat across kinds).
    pub operation_kind: RwSignal<String>,
    pub tags: RwSignal<String>,
    pub lookback: RwSignal<String>,
    /// The custom range, as `datetime-local` values.
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
    /// Trace ids the URL asks for (`traceId`, `/trace/{id}`), opened once
    /// connected, the first as the URL's view describes it.
    pub(super) pending_open: StoredValue<Option<Opening>>,
    /// Whether the URL named a Jaeger, a search or trace ids: the panel
    /// opens and connects at once.
    asked: bool,
    pub health: RwSignal<Health>,
    pub fetching: RwSignal<Fetching>,
    pub(super) retry: RwSignal<Option<Action>>,
    /// The search of the URL when the last search started, for back and
    /// forward to tell a move to another search.
    shown_search: StoredValue<Option<SearchParams>>,
    requests: StoredValue<Requests, LocalStorage>,
}

/// Trace ids the URL asks Jaeger for, and the view to open the first at.
#[derive(Clone)]
pub struct Opening {
    pub ids: Vec<String>,
    pub view: ViewParams,
    pub views: Views,
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
    /// The connection last used, with what the URL says over it, and the
    /// URL's search in the form (run once connected), and the trace ids it
    /// asks for with the view to open the first at.
    pub fn new(
        params: &AppParams,
        search: Option<SearchParams>,
        opening: Option<Opening>,
    ) -> JaegerUi {
        let mut conn = crate::ui::prefs::jaeger_connection();
        if let Some(base) = &params.jaeger {
            conn.base = base.clone();
        }
        if let Some(ms) = params.jaeger_timeout_ms {
            conn.set_timeout_ms(ms);
        }
        let defaults = SearchParams::default();
        let j = JaegerUi {
            conn: RwSignal::new(conn),
            version: RwSignal::new(None),
            status: RwSignal::new(Status::Idle),
            services: RwSignal::new(Vec::new()),
            operations: RwSignal::new(Vec::new()),
            service: RwSignal::new(String::new()),
            operation: RwSignal::new(String::new()),
            operation_kind: RwSignal::new(String::new()),
            tags: RwSignal::new(String::new()),
            lookback: RwSignal::new(defaults.lookback),
            start: RwSignal::new(String::new()),
            end: RwSignal::new(String::new()),
            min_duration: RwSignal::new(String::new()),
            max_duration: RwSignal::new(String::new()),
            limit: RwSignal::new(defaults.limit),
            results: RwSignal::new(Vec::new()),
            searched: RwSignal::new(None),
            sort: RwSignal::new(0),
            pending_search: RwSignal::new(search.is_some()),
            asked: params.jaeger.is_some() || search.is_some() || opening.is_some(),
            pending_open: StoredValue::new(opening),
            health: RwSignal::new(Health::default()),
            fetching: RwSignal::new(Fetching::default()),
            retry: RwSignal::new(None),
            shown_search: StoredValue::new(search.clone()),
            requests: StoredValue::new_local(Requests::default()),
        };
        if let Some(s) = &search {
            j.fill_form(s);
        }
        j
    }

    /// Whether the URL named a Jaeger or a search.
    pub fn asked_at_start(&self) -> bool {
        self.asked
    }

    /// Shows a search in the form.
    fn fill_form(&self, s: &SearchParams) {
        self.service.set(s.service.clone());
        self.operation.set(s.operation.clone());
        self.tags.set(s.tags.clone());
        self.min_duration.set(s.min_duration.clone());
        self.max_duration.set(s.max_duration.clone());
        self.limit.set(s.limit);
        self.lookback.set(s.lookback.clone());
        if let Some((a, b)) = s.range_us {
            self.start.set(local_datetime(a));
            self.end.set(local_datetime(b));
        }
    }

    /// The form's search as the URL keeps it.
    fn search_params(&self, q: &Search) -> SearchParams {
        let lookback = self.lookback.get_untracked();
        SearchParams {
            service: q.service.clone(),
            operation: q.operation.clone(),
            tags: self.tags.get_untracked(),
            range_us: (lookback == "custom").then_some((q.start_us, q.end_us)),
            lookback,
            min_duration: q.min_duration.clone().unwrap_or_default(),
            max_duration: q.max_duration.clone().unwrap_or_default(),
            limit: q.limit,
        }
    }

    /// Back or forward to another search: shows it and runs it.
    pub fn navigated(self, app: AppState) {
        let now = SearchParams::read(&crate::ui::url::read());
        if now == self.shown_search.get_value() {
            return;
        }
        self.shown_search.set_value(now.clone());
        if let Some(s) = now {
            self.fill_form(&s);
            self.search(app);
        }
    }

    /// Takes a failure: the status line says what happened, with a retry
    /// of `action`. Returns the words for a message.
    fn failed(&self, url: &str, f: &Failure, action: Action) -> String {
        let text = f.explain(url);
        // An answer that came but was no Jaeger answer (a page, a body too
        // long or cut off) leaves the health line failing, though the
        // request itself went through.
        self.health.update(|h| h.failed(f));
        self.retry.set(Some(action));
        self.status.set(Status::Failed(text.clone()));
        text
    }

    /// [`JaegerUi::failed`], with a message.
    fn fail(&self, app: AppState, url: &str, f: &Failure, action: Action) {
        let text = self.failed(url, f, action);
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
    pub(super) fn record(&self, ms: f64, failure: Option<&Failure>) {
        self.health
            .update(|h| h.answered(ms, failure, js_sys::Date::now()));
    }

    /// Starts a request of a kind, aborting the one before.
    fn start(&self, kind: impl Fn(&Requests) -> &Latest) -> Abort {
        self.requests.with_value(|r| kind(r).start())
    }

    fn is_current(&self, kind: impl Fn(&Requests) -> &Latest, abort: &Abort) -> bool {
        self.requests
            .try_with_value(|r| kind(r).is_current(abort))
            .unwrap_or(false)
    }

    /// Detects the API and loads the services.
    pub fn connect(self, app: AppState) {
        crate::ui::prefs::set_jaeger_connection(&self.conn.get_untracked());
        self.status.set(Status::Busy("Connecting…".into()));
        let conn = self.conn.get_untracked();
        let abort = self.start(|r| &r.connect);
        spawn_local(async move {
            let result = detect(&conn, &abort, &|ms, f| self.record(ms, f)).await;
            if !self.is_current(|r| &r.connect, &abort) {
                return;
            }
            match result {
                Ok((v, services)) => {
                    self.version.set(Some(v));
                    self.retry.set(None);
                    self.status.set(Status::Connected(v));
                    let first = services.first().cloned().unwrap_or_default();
                    self.services.set(services);
                    if self.service.with_untracked(String::is_empty) {
                        self.service.set(first);
                    }
                    self.load_operations(app);
                    if self.pending_search.get_untracked() {
                        self.pending_search.set(false);
                        self.search(app);
                    }
                    if let Some(opening) = self.pending_open.get_value() {
                        self.pending_open.set_value(None);
                        self.open_at_start(app, opening);
                    }
                }
                Err((url, f)) => {
                    self.version.set(None);
                    self.fail(app, &url, &f, Action::Connect);
                }
            }
        });
    }

    /// Loads the operations of the chosen service.
    pub fn load_operations(self, app: AppState) {
        let (Some(v), service) = (self.version.get_untracked(), self.service.get_untracked())
        else {
            return;
        };
        let abort = self.start(|r| &r.operations);
        if service.is_empty() {
            self.operations.set(Vec::new());
            return;
        }
        let conn = self.conn.get_untracked();
        let url = operations_url(&conn.base, v, &service);
        spawn_local(async move {
            let answer = get(&conn, &url, &abort, &|ms, f| self.record(ms, f)).await;
            if !self.is_current(|r| &r.operations, &abort) {
                return;
            }
            match answer {
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

    /// Runs the search in the form, as a new history entry.
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
        crate::ui::url::write_search(&self.search_params(&q));
        // Recorded as the search starts, not when its answer comes: back
        // pressed before then must still find the page on another search.
        self.shown_search
            .set_value(SearchParams::read(&crate::ui::url::read()));
        let conn = self.conn.get_untracked();
        self.status.set(Status::Busy("Searching…".into()));
        app.pane.set(Pane::Results);
        let abort = self.start(|r| &r.search);
        spawn_local(async move {
            let rows = match v {
                ApiVersion::V3 => {
                    let url = search_url(&conn.base, v, &q, true);
                    match get(&conn, &url, &abort, &|ms, f| self.record(ms, f)).await {
                        Ok(body) => parse_summaries(&body)
                            .map(|s| s.into_iter().map(ResultRow::of_summary).collect())
                            .map_err(|e| (url, Failure::NotJaeger(e))),
                        // Servers before v2.19 have no summaries: search full traces.
                        Err(Failure::Http {
                            status: 404,
                            message: None,
                        }) => {
                            let url = search_url(&conn.base, v, &q, false);
                            self.full_traces(app, &conn, url, abort.clone()).await
                        }
                        Err(f) => Err((url, f)),
                    }
                }
                ApiVersion::V1 => {
                    let url = search_url(&conn.base, v, &q, false);
                    self.full_traces(app, &conn, url, abort.clone()).await
                }
            };
            if !self.is_current(|r| &r.search, &abort) {
                return;
            }
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
                Err((_, Failure::Aborted)) => {}
                Err((url, f)) => self.fail(app, &url, &f, Action::Search),
            }
        });
    }

    /// A search that returns whole traces (v1, or v3 without summaries):
    /// they are loaded, and become the result rows.
    async fn full_traces(
        self,
        app: AppState,
        conn: &Connection,
        url: String,
        abort: Abort,
    ) -> Result<Vec<ResultRow>, (String, Failure)> {
        let answer = get_body(conn, &url, &abort, &|ms, f| self.record(ms, f)).await;
        let mut download = match answer {
            Ok(d) => d,
            // v3 answers "no results" with a 404.
            Err(Failure::Http {
                status: 404,
                message: Some(m),
            }) if m.contains("No traces found") => return Ok(Vec::new()),
            Err(f) => return Err((url, f)),
        };
        // v1 answers "no results" with an empty list, which is no file to import.
        match download.body.whole_if_within(EMPTY_SEARCH_MAX).await {
            Ok(Some(small)) if is_empty_search(&String::from_utf8_lossy(&small)) => {
                return Ok(Vec::new())
            }
            Ok(_) => {}
            Err(f) => return Err((url, Failure::from(f))),
        }
        let loaded = Load::new("Jaeger search", Source::Download(download))
            .open(Open::Nothing)
            .abort(abort)
            .quiet()
            .run(app)
            .await;
        match loaded {
            Ok(traces) => Ok(traces
                .iter()
                .map(|l| ResultRow::of_trace(&l.trace))
                .collect()),
            Err(LoadError::Cancelled) => Err((url, Failure::Aborted)),
            Err(LoadError::Failed(text)) => Err((url, Failure::NotJaeger(text))),
        }
    }

    /// Opens a trace: the loaded one if it is loaded, else fetched (and a
    /// trace asked for before and not yet listed is given up).
    pub fn open(self, app: AppState, trace_id: String) {
        let trace_id = trace_id.trim().to_string();
        if trace_id.is_empty() {
            return;
        }
        if let Some(l) = app.loaded_by_id(&trace_id) {
            app.show(l.key);
            return;
        }
        let abort = self.start(|r| &r.open);
        if let Some(load) = self.fetch_trace(app, trace_id, abort) {
            load.open(Open::Show).spawn(app);
        }
    }

    /// The load of a trace by id from Jaeger, given up when `abort` is;
    /// `None` (and a message) when not connected.
    pub(super) fn fetch_trace(self, app: AppState, trace_id: String, abort: Abort) -> Option<Load> {
        let Some(v) = self.version.get_untracked() else {
            app.message(
                Level::Error,
                "Connect to Jaeger first, then open the trace.".into(),
            );
            return None;
        };
        let conn = self.conn.get_untracked();
        let url = trace_url(&conn.base, v, &trace_id);
        let name = format!("Jaeger trace {trace_id}");
        let source = Source::fetch(move |abort| async move {
            match get_body(&conn, &url, &abort, &|ms, f| self.record(ms, f)).await {
                Ok(download) => Ok(download),
                Err(Failure::Http {
                    status: 404,
                    message,
                }) => Err(format!(
                    "Trace {trace_id} was not found in Jaeger{}.",
                    message.map(|m| format!(" ({m})")).unwrap_or_default()
                )),
                // The load, cancelled, says nothing more.
                Err(Failure::Aborted) => Err(String::new()),
                Err(f) => Err(self.failed(&url, &f, Action::Open(trace_id))),
            }
        });
        Some(Load::new(name, source).abort(abort))
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
