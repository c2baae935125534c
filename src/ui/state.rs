//! App-wide state, shared through context, and the one path by which bytes
//! from any source become loaded traces.

use super::budget::Budget;
use crate::analysis::TraceAnalysis;
use crate::import::{import_bytes, Loader, Unbuilt};
use crate::model::pace::Pace;
use crate::model::{SpanIx, SpanSet, Trace};
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
    /// Set once, when the analysis is done: a large trace is listed and
    /// shown first and analysed after (views show the model meanwhile).
    pub analysis: ArcRwSignal<Option<Arc<TraceAnalysis>>>,
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
    /// How far each file being read has come, by name, in words.
    pub progress: RwSignal<Vec<(String, String)>>,
    pub dragging: RwSignal<bool>,
    pub selected_span: RwSignal<Option<SpanIx>>,
    pub collapsed: RwSignal<SpanSet>,
    /// "Critical path only": hide spans that have no critical-path time.
    pub cp_only: RwSignal<bool>,
    /// Spans marked by a finding or a statistics row.
    pub highlight: RwSignal<SpanSet>,
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
    /// Whether the warm-up after the first load has started.
    warm_up_started: StoredValue<bool>,
}

impl AppState {
    pub fn new() -> AppState {
        AppState {
            traces: RwSignal::new(Vec::new()),
            selected: RwSignal::new(None),
            messages: RwSignal::new(Vec::new()),
            loading: RwSignal::new(Vec::new()),
            progress: RwSignal::new(Vec::new()),
            dragging: RwSignal::new(false),
            selected_span: RwSignal::new(None),
            collapsed: RwSignal::new(SpanSet::new()),
            cp_only: RwSignal::new(false),
            highlight: RwSignal::new(SpanSet::new()),
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
            warm_up_started: StoredValue::new(false),
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
        self.collapsed.set(SpanSet::new());
        self.highlight.set(SpanSet::new());
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
        self.collapsed.set(SpanSet::new());
        self.highlight.set(SpanSet::new());
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

    /// Selects the trace a link asked for among `new`, or the first of them.
    fn select_new(&self, new: &[Loaded]) {
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

    /// Imports bytes and adds their traces to the list, analysed, without
    /// selecting any; problems become messages. A trace whose id is already
    /// loaded is not added again: the loaded one is returned in its place.
    pub fn add_traces(&self, name: &str, bytes: &[u8]) -> Vec<Loaded> {
        let imported = match import_bytes(name, bytes) {
            Err(e) => {
                self.message(Level::Error, e.to_string());
                return Vec::new();
            }
            Ok(i) => i,
        };
        self.warn_import(name, &imported.warnings);
        let format = imported.format.label();
        let mut out: Vec<Loaded> = Vec::with_capacity(imported.traces.len());
        let mut new: Vec<Loaded> = Vec::new();
        for trace in imported.traces {
            self.take(name, format, trace, &mut out, &mut new);
        }
        for l in &new {
            l.analysis.set(Some(Arc::new(TraceAnalysis::new(&l.trace))));
        }
        self.traces.update(|v| v.extend(new));
        out
    }

    fn warn_import(&self, name: &str, warnings: &[String]) {
        if warnings.is_empty() {
            return;
        }
        let shown: Vec<&str> = warnings.iter().take(5).map(String::as_str).collect();
        let more = warnings.len().saturating_sub(shown.len());
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

    /// Adds `trace` to `out`: the loaded trace of that id when there is
    /// one, else the trace, not yet analysed, which also goes to `new`.
    fn take(
        &self,
        name: &str,
        format: &'static str,
        trace: Trace,
        out: &mut Vec<Loaded>,
        new: &mut Vec<Loaded>,
    ) {
        match self.loaded_by_id(&trace.trace_id) {
            Some(existing) => out.push(existing),
            None => {
                let l = Loaded {
                    key: self.next_id(),
                    source: name.to_string(),
                    format,
                    trace: Arc::new(trace),
                    analysis: ArcRwSignal::new(None),
                };
                out.push(l.clone());
                new.push(l);
            }
        }
    }

    /// Reads a dropped or picked file in slices, parsing each as it comes,
    /// and gives the page back whenever a frame's worth of work is done, so
    /// that the page never freezes and the progress line moves.
    pub fn load_file(&self, file: web_sys::File) {
        let name = file.name();
        self.load_slices(name, async move {
            Ok(sources::Slices::File(sources::FileSlices::new(file)))
        });
    }

    /// Loads what a source gives, showing progress and errors. The steps
    /// are recorded as `performance` measures from the mark
    /// `traceglass:start:<name>`: `traceglass:import` (read and parsed),
    /// `traceglass:loaded` (built and listed) and `traceglass:analysed`;
    /// and on their own `traceglass:build` and `traceglass:analysis`.
    fn load_slices<F>(&self, name: String, source: F)
    where
        F: std::future::Future<Output = Result<sources::Slices, String>> + 'static,
    {
        let state = *self;
        state.loading.update(|l| l.push(name.clone()));
        spawn_local(async move {
            let start = format!("traceglass:start:{name}");
            sources::perf_mark(&start, None);
            let result = match source.await {
                Ok(slices) => state.stream(&name, slices).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(unbuilt) => {
                    let (all, new) = state.build(&name, unbuilt).await;
                    sources::perf_mark("traceglass:loaded", Some(&start));
                    state.select_new(&all);
                    state.analyse_shown(&name, new).await;
                    sources::perf_mark("traceglass:analysed", Some(&start));
                }
                Err(e) => state.message(Level::Error, e),
            }
            state.loading.update(|l| {
                if let Some(i) = l.iter().position(|n| *n == name) {
                    l.remove(i);
                }
            });
            state.progress.update(|p| p.retain(|(n, _)| *n != name));
            if state.loading.with_untracked(Vec::is_empty) {
                state.warm_up_once();
            }
        });
    }

    /// Once per page, when the first loads are done: runs the load path a
    /// few times over small generated documents (see [`crate::warm`]) so
    /// that the browser has optimised it before the user's first file. It
    /// gives the page back like a load and stops as soon as a load starts.
    /// Recorded as the `performance` measure `traceglass:warm-up`.
    fn warm_up_once(&self) {
        if self.warm_up_started.get_value() {
            return;
        }
        self.warm_up_started.set_value(true);
        let state = *self;
        spawn_local(async move {
            sources::after_paint().await;
            sources::perf_mark("traceglass:warm-up-start", None);
            let mut budget = Budget::new();
            let documents = crate::warm::documents(crate::warm::SPANS);
            for _ in 0..WARM_UP_ROUNDS {
                for (name, text) in &documents {
                    if !state.warm_up_pass(name, text, &mut budget).await {
                        return;
                    }
                }
            }
            sources::perf_mark("traceglass:warm-up", Some("traceglass:warm-up-start"));
        });
    }

    /// One load of `text`, thrown away; false when a real load started
    /// (or the document failed, which its test rules out).
    async fn warm_up_pass(&self, name: &str, text: &str, budget: &mut Budget) -> bool {
        let busy = || !self.loading.with_untracked(Vec::is_empty);
        let mut loader = Loader::new(name);
        for piece in text.as_bytes().chunks(WARM_UP_PIECE) {
            if busy() || loader.push(piece).is_err() {
                return false;
            }
            budget.pause().await;
        }
        let Ok(unbuilt) = loader.finish_unbuilt() else {
            return false;
        };
        for builder in unbuilt.builders {
            if busy() {
                return false;
            }
            let trace = builder.build_paced(budget).await;
            if busy() {
                return false;
            }
            TraceAnalysis::new_paced(&trace, budget).await;
        }
        !busy()
    }

    fn set_progress(&self, name: &str, text: String) {
        self.progress
            .update(|p| match p.iter_mut().find(|(n, _)| n == name) {
                Some(entry) => entry.1 = text,
                None => p.push((name.to_string(), text)),
            });
    }

    async fn stream(&self, name: &str, mut slices: sources::Slices) -> Result<Unbuilt, String> {
        let size = slices.size();
        let mut loader = Loader::new(name);
        let mut budget = Budget::new();
        let mut shown_at = sources::now_ms();
        self.set_progress(name, format!("0 of {}", mb(size)));
        while let Some(slice) = slices.next().await {
            let slice = slice?;
            for piece in slice.chunks(PIECE) {
                loader.push(piece).map_err(|e| e.to_string())?;
                if budget.spent() {
                    // A changed line costs the frame a style and layout
                    // pass: the progress moves a few times a second.
                    if sources::now_ms() - shown_at >= PROGRESS_EVERY_MS {
                        shown_at = sources::now_ms();
                        self.set_progress(
                            name,
                            format!(
                                "{} of {}, {} spans",
                                mb(loader.bytes_read() as f64),
                                mb(size),
                                thousands(loader.spans_read())
                            ),
                        );
                    }
                    budget.give_back().await;
                }
            }
        }
        let spans = loader.spans_read();
        self.set_progress(name, format!("building {} spans", thousands(spans)));
        budget.give_back().await;
        let unbuilt = loader.finish_unbuilt().map_err(|e| e.to_string())?;
        sources::perf_mark(
            "traceglass:import",
            Some(&format!("traceglass:start:{name}")),
        );
        Ok(unbuilt)
    }

    /// Builds each trace, giving the page back whenever a frame's worth of
    /// work is done (also inside one large trace), and lists the new ones.
    /// Returns the file's traces (a trace already loaded stands for its
    /// copy) and, apart, the new ones, not yet analysed.
    async fn build(&self, name: &str, unbuilt: Unbuilt) -> (Vec<Loaded>, Vec<Loaded>) {
        self.warn_import(name, &unbuilt.warnings);
        let format = unbuilt.format.label();
        let total = unbuilt.builders.len();
        let mut budget = Budget::new();
        sources::perf_mark("traceglass:build-start", None);
        let mut out = Vec::with_capacity(total);
        let mut new = Vec::new();
        for (i, builder) in unbuilt.builders.into_iter().enumerate() {
            if builder.len() >= LARGE_TRACE {
                self.set_progress(name, format!("building {} spans", thousands(builder.len())));
            }
            let trace = builder.build_paced(&mut budget).await;
            self.take(name, format, trace, &mut out, &mut new);
            if budget.spent() {
                self.set_progress(name, format!("building trace {} of {total}", i + 1));
                budget.give_back().await;
            }
        }
        sources::perf_mark("traceglass:build", Some("traceglass:build-start"));
        // Small traces are analysed before they are shown, so that their
        // views come whole; a file with a large trace is shown first and
        // analysed after its first paint (see `analyse_shown`).
        if new.iter().all(|l| l.trace.spans.len() < LARGE_TRACE) {
            self.analyse(name, &new, &mut budget).await;
        }
        // Listing and opening the traces render much: they start on a
        // fresh frame, not after the last slice of building in this one.
        if !new.is_empty() {
            sources::after_paint().await;
        }
        self.traces.update(|v| v.extend(new.iter().cloned()));
        (out, new)
    }

    /// Analyses the traces just listed that are not yet, the one on screen
    /// first, once the page has shown them. Each trace's views fill in as
    /// its analysis lands.
    async fn analyse_shown(&self, name: &str, mut new: Vec<Loaded>) {
        new.retain(|l| l.analysis.with_untracked(Option::is_none));
        if new.is_empty() {
            return;
        }
        let shown = self.selected.get_untracked();
        if let Some(i) = new.iter().position(|l| Some(l.key) == shown) {
            new[..=i].rotate_right(1);
        }
        super::timeline::after_first_frames().await;
        self.analyse(name, &new, &mut Budget::new()).await;
    }

    /// Analyses those of `new` that are not yet, giving the page back
    /// whenever a frame's worth of work is done.
    async fn analyse(&self, name: &str, new: &[Loaded], budget: &mut Budget) {
        let total = new.len();
        sources::perf_mark("traceglass:analysis-start", None);
        for (i, l) in new.iter().enumerate() {
            if l.analysis.with_untracked(Option::is_some) {
                continue;
            }
            let spans = l.trace.spans.len();
            if spans >= LARGE_TRACE {
                self.set_progress(name, format!("analysing {} spans", thousands(spans)));
            }
            let analysis = TraceAnalysis::new_paced(&l.trace, budget).await;
            if spans >= LARGE_TRACE {
                // Shown before it was analysed: its views fill in at the
                // start of a frame, not after a slice of analysis.
                budget.frame_start().await;
            }
            l.analysis.set(Some(Arc::new(analysis)));
            if budget.spent() {
                self.set_progress(name, format!("analysing trace {} of {total}", i + 1));
                budget.give_back().await;
            }
        }
        sources::perf_mark("traceglass:analysis", Some("traceglass:analysis-start"));
    }

    /// The loaded trace with this id, if any.
    pub fn loaded_by_id(&self, trace_id: &str) -> Option<Loaded> {
        let id = crate::model::normalize_trace_id(trace_id);
        self.traces
            .with_untracked(|v| v.iter().find(|l| l.trace.trace_id == id).cloned())
    }

    pub fn load_files(&self, files: web_sys::FileList) {
        for i in 0..files.length() {
            if let Some(file) = files.get(i) {
                self.load_file(file);
            }
        }
    }

    pub fn load_url(&self, url: String) {
        let name = sources::url_file_name(&url);
        self.load_slices(name, async move {
            let bytes = sources::fetch_bytes(&url).await?;
            Ok(sources::Slices::Memory {
                bytes,
                taken: false,
            })
        });
    }
}

/// Bytes handed to the loader at a time: about a millisecond of parsing.
const PIECE: usize = 256 * 1024;

/// Passes over each warm-up document: with [`crate::warm::SPANS`] spans,
/// about what V8 needs to optimise the load path (bench/README.md).
const WARM_UP_ROUNDS: usize = 15;

/// Bytes of a warm-up document read at a time: small, so that a real load
/// never waits behind one.
const WARM_UP_PIECE: usize = 64 * 1024;

/// Time between two updates of the progress line.
const PROGRESS_EVERY_MS: f64 = 100.0;

/// Spans from which a trace's own building and analysing show in the
/// progress line, from which a trace is shown before it is analysed, and
/// from which find searches it a frame's worth at a time.
pub(super) const LARGE_TRACE: usize = 10_000;

fn mb(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1_000_000.0)
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
