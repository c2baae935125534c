//! App-wide state, shared through context, and the one path by which bytes
//! from any source become loaded traces.

use crate::analysis::TraceAnalysis;
use crate::import::import_bytes;
use crate::model::{SpanIx, Trace};
use crate::sources;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashSet;
use std::sync::Arc;

/// One loaded trace with its analysis, computed once at load.
#[derive(Clone)]
pub struct Loaded {
    pub key: u64,
    pub source: String,
    pub format: &'static str,
    pub trace: Arc<Trace>,
    pub analysis: Arc<TraceAnalysis>,
}

impl PartialEq for Loaded {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

/// What the main pane shows: one trace, or the summary across traces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Trace,
    Summary,
    Results,
}

/// Which view of the trace is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Timeline,
    Statistics,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub id: u64,
    pub level: Level,
    pub text: String,
}

#[derive(Clone, Copy)]
pub struct AppState {
    pub traces: RwSignal<Vec<Loaded>>,
    pub selected: RwSignal<Option<u64>>,
    pub messages: RwSignal<Vec<Message>>,
    /// Names of what is being loaded right now.
    pub loading: RwSignal<Vec<String>>,
    pub dragging: RwSignal<bool>,
    pub selected_span: RwSignal<Option<SpanIx>>,
    pub collapsed: RwSignal<HashSet<SpanIx>>,
    /// "Critical path only": hide spans that have no critical-path time.
    pub cp_only: RwSignal<bool>,
    /// Spans marked by a finding or a statistics row.
    pub highlight: RwSignal<HashSet<SpanIx>>,
    /// A span the timeline should scroll to (taken and cleared by it).
    pub scroll_to: RwSignal<Option<SpanIx>>,
    pub view: RwSignal<View>,
    pub pane: RwSignal<Pane>,
    /// Traces ticked in the list, for the summary.
    pub ticked: RwSignal<HashSet<u64>>,
    /// The find query (`uiFind`).
    pub find: RwSignal<String>,
    pub matches_only: RwSignal<bool>,
    /// Which match prev/next is on, and whether none was visited yet.
    pub match_cursor: RwSignal<usize>,
    pub match_cursor_fresh: RwSignal<bool>,
    /// `collapseBelow`, as typed (a Go duration).
    pub collapse_below: RwSignal<Option<String>>,
    /// The visible time window, as fractions of the trace's duration.
    pub view_range: RwSignal<(f64, f64)>,
    /// View state read from the URL, applied once its trace is shown.
    pub pending: RwSignal<super::url::Pending>,
    pub show_help: RwSignal<bool>,
    pub detail_open: RwSignal<bool>,
    /// The detail under the selected row instead of beside the timeline.
    pub detail_inline: RwSignal<bool>,
    next_id: StoredValue<u64>,
}

impl AppState {
    pub fn new() -> AppState {
        AppState {
            traces: RwSignal::new(Vec::new()),
            selected: RwSignal::new(None),
            messages: RwSignal::new(Vec::new()),
            loading: RwSignal::new(Vec::new()),
            dragging: RwSignal::new(false),
            selected_span: RwSignal::new(None),
            collapsed: RwSignal::new(HashSet::new()),
            cp_only: RwSignal::new(false),
            highlight: RwSignal::new(HashSet::new()),
            scroll_to: RwSignal::new(None),
            view: RwSignal::new(View::Timeline),
            pane: RwSignal::new(Pane::Trace),
            ticked: RwSignal::new(HashSet::new()),
            find: RwSignal::new(String::new()),
            matches_only: RwSignal::new(false),
            match_cursor: RwSignal::new(0),
            match_cursor_fresh: RwSignal::new(true),
            collapse_below: RwSignal::new(None),
            view_range: RwSignal::new((0.0, 1.0)),
            pending: RwSignal::new(super::url::Pending::default()),
            show_help: RwSignal::new(false),
            detail_open: RwSignal::new(true),
            detail_inline: RwSignal::new(super::detail::stored_inline()),
            next_id: StoredValue::new(1),
        }
    }

    fn next_id(&self) -> u64 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }

    pub fn message(&self, level: Level, text: String) {
        let id = self.next_id();
        self.messages
            .update(|m| m.push(Message { id, level, text }));
    }

    pub fn dismiss(&self, id: u64) {
        self.messages.update(|m| m.retain(|x| x.id != id));
    }

    /// The trace on screen.
    pub fn current(&self) -> Option<Loaded> {
        let sel = self.selected.get();
        self.traces
            .with(|v| v.iter().find(|l| Some(l.key) == sel).cloned())
    }

    pub fn current_untracked(&self) -> Option<Loaded> {
        let sel = self.selected.get_untracked();
        self.traces
            .with_untracked(|v| v.iter().find(|l| Some(l.key) == sel).cloned())
    }

    /// Selects a trace without clearing the view state waiting in `pending`.
    pub fn select_keeping_pending(&self, key: u64) {
        self.selected_span.set(None);
        self.collapsed.set(HashSet::new());
        self.highlight.set(HashSet::new());
        self.scroll_to.set(None);
        self.selected.set(Some(key));
    }

    pub fn select(&self, key: u64) {
        if self.selected.get_untracked() != Some(key) {
            self.reset_trace_view();
            self.selected.set(Some(key));
        }
    }

    pub fn remove(&self, key: u64) {
        self.traces.update(|v| v.retain(|l| l.key != key));
        self.ticked.update(|t| {
            t.remove(&key);
        });
        if self.selected.get_untracked() == Some(key) {
            let first = self.traces.with_untracked(|v| v.first().map(|l| l.key));
            self.reset_trace_view();
            self.selected.set(first);
        }
    }

    fn reset_trace_view(&self) {
        self.selected_span.set(None);
        self.collapsed.set(HashSet::new());
        self.highlight.set(HashSet::new());
        self.scroll_to.set(None);
        self.view_range.set((0.0, 1.0));
    }

    /// Selects spans as evidence: highlights them, selects the first and
    /// brings it into view in the timeline.
    pub fn show_spans(&self, spans: &[SpanIx]) {
        self.highlight.set(spans.iter().copied().collect());
        if let Some(&first) = spans.first() {
            self.view.set(View::Timeline);
            self.selected_span.set(Some(first));
            self.scroll_to.set(Some(first));
        }
    }

    /// Imports bytes; what was loaded before stays loaded whatever happens.
    pub fn ingest(&self, name: &str, bytes: &[u8]) {
        let new = self.add_traces(name, bytes);
        let wanted = self.pending.with_untracked(|p| p.trace.clone());
        let wanted_key = new
            .iter()
            .find(|l| wanted.as_deref() == Some(l.trace.trace_id.as_str()))
            .map(|l| l.key);
        if let Some(k) = wanted_key {
            self.select_keeping_pending(k);
        } else if let Some(l) = new.first() {
            self.select(l.key);
        }
    }

    /// Imports bytes and adds their traces to the list, without selecting
    /// any; problems become messages. A trace whose id is already loaded is
    /// not added again: the loaded one is returned in its place.
    pub fn add_traces(&self, name: &str, bytes: &[u8]) -> Vec<Loaded> {
        let imported = match import_bytes(name, bytes) {
            Err(e) => {
                self.message(Level::Error, e.to_string());
                return Vec::new();
            }
            Ok(i) => i,
        };
        if !imported.warnings.is_empty() {
            let shown: Vec<&str> = imported
                .warnings
                .iter()
                .take(5)
                .map(String::as_str)
                .collect();
            let more = imported.warnings.len().saturating_sub(shown.len());
            let tail = if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            };
            self.message(
                Level::Warning,
                format!("{name}: loaded with problems: {}{tail}", shown.join("; ")),
            );
        }
        let format = imported.format.label();
        let mut out: Vec<Loaded> = Vec::with_capacity(imported.traces.len());
        let mut new: Vec<Loaded> = Vec::new();
        for trace in imported.traces {
            if let Some(existing) = self.loaded_by_id(&trace.trace_id) {
                out.push(existing);
                continue;
            }
            let analysis = Arc::new(TraceAnalysis::new(&trace));
            let l = Loaded {
                key: self.next_id(),
                source: name.to_string(),
                format,
                trace: Arc::new(trace),
                analysis,
            };
            out.push(l.clone());
            new.push(l);
        }
        self.traces.update(|v| v.extend(new));
        out
    }

    /// The loaded trace with this id, if any.
    pub fn loaded_by_id(&self, trace_id: &str) -> Option<Loaded> {
        let id = crate::model::normalize_trace_id(trace_id);
        self.traces
            .with_untracked(|v| v.iter().find(|l| l.trace.trace_id == id).cloned())
    }

    /// Loads bytes from an async source, showing progress and errors.
    pub fn load_async<F>(&self, name: String, fetch: F)
    where
        F: std::future::Future<Output = Result<Vec<u8>, String>> + 'static,
    {
        let state = *self;
        state.loading.update(|l| l.push(name.clone()));
        spawn_local(async move {
            let result = fetch.await;
            // Let the browser paint the progress line before the parse.
            yield_to_browser().await;
            match result {
                Ok(bytes) => state.ingest(&name, &bytes),
                Err(e) => state.message(Level::Error, e),
            }
            state.loading.update(|l| {
                if let Some(i) = l.iter().position(|n| *n == name) {
                    l.remove(i);
                }
            });
        });
    }

    pub fn load_files(&self, files: web_sys::FileList) {
        for i in 0..files.length() {
            if let Some(file) = files.get(i) {
                let name = file.name();
                self.load_async(name, async move { sources::read_file(&file).await });
            }
        }
    }

    pub fn load_url(&self, url: String) {
        let name = sources::url_file_name(&url);
        self.load_async(name, async move { sources::fetch_bytes(&url).await });
    }
}

/// Resolves after the browser had a chance to render.
pub async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
