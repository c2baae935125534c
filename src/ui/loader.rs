//! The one path by which bytes from any source become loaded traces: a
//! dropped or picked file, a URL, a Jaeger answer (a trace by id, a search,
//! "fetch all"), or bytes handed over by a host page.
//!
//! Every load is paced the same way: the bytes go to `import::Loader` in
//! pieces, and the page is given back whenever a frame's worth of work is
//! done (see `budget`); traces are built one at a time, corrected for
//! clock skew (`analysis::skew`; the recorded version kept beside only
//! when a span moved), listed, shown when asked, and analysed (a large
//! trace after it is first drawn). Every load
//! has the same progress line in the header, with a Cancel button until its
//! traces are listed; every load drops a trace that is already loaded (the
//! same id and spans: `Trace::same_recording`) in favour of the loaded
//! one; every failure becomes a message that names what was loaded, and
//! leaves what was loaded before in place.
//!
//! Each load is recorded as `performance` measures from the mark
//! `traceglass:start:<name>`: `traceglass:import` (read and parsed),
//! `traceglass:loaded` (built and listed) and `traceglass:analysed`; and on
//! their own `traceglass:build` and `traceglass:analysis`.

use super::budget::Budget;
use super::capacity;
use super::frames::{self, perf_mark};
use super::state::{AppState, Level, LoadJob, Loaded};
use crate::analysis::TraceAnalysis;
use crate::import::{Loader, Unbuilt};
use crate::sources::{self, http::Abort, Download, Slices};
use crate::text::thousands;
use leptos::prelude::*;
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A fetch the load runs, given the load's [`Abort`] (cancelling the load
/// aborts the request): the answer, read by the load as it comes, or why
/// there is none, in words.
pub type Fetch = Box<dyn FnOnce(Abort) -> Pin<Box<dyn Future<Output = Result<Download, String>>>>>;

/// Where a load's bytes come from.
pub enum Source {
    File(web_sys::File),
    /// A trace file at this URL (relative to the page, or absolute).
    Url(String),
    /// Bytes an HTTP request gives, with its failures already in words.
    Fetch(Fetch),
    /// An answer already in hand, read as it comes.
    Download(Download),
}

impl Source {
    /// A [`Source::Fetch`] of what `fetch` gives.
    pub fn fetch<F, R>(fetch: F) -> Source
    where
        F: FnOnce(Abort) -> R + 'static,
        R: Future<Output = Result<Download, String>> + 'static,
    {
        Source::Fetch(Box::new(move |abort| Box::pin(fetch(abort))))
    }
}

/// Which trace to show once the load's traces are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Open {
    /// The first trace of the file (the loaded copy, when it was loaded),
    /// in whichever pane is shown; a file of several traces is listed in
    /// the file pane, as a search's results.
    First,
    /// The first trace, in the trace pane.
    Show,
    /// None: the caller decides.
    Nothing,
}

/// Why a load gave no traces.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadError {
    /// It failed; the text says why, naming what was loaded.
    Failed(String),
    /// The user cancelled it, or a newer load took its place.
    Cancelled,
}

/// One load: what, from where, and what to do with it.
pub struct Load {
    name: String,
    source: Source,
    open: Open,
    abort: Abort,
    report: bool,
}

impl Load {
    pub fn new(name: impl Into<String>, source: Source) -> Load {
        Load {
            name: name.into(),
            source,
            open: Open::First,
            abort: Abort::new(),
            report: true,
        }
    }

    pub fn open(mut self, open: Open) -> Load {
        self.open = open;
        self
    }

    /// Cancels the load when `abort` is aborted (a newer load of the same
    /// kind, or the user).
    pub fn abort(mut self, abort: Abort) -> Load {
        self.abort = abort;
        self
    }

    /// Leaves failures to the caller instead of a message.
    pub fn quiet(mut self) -> Load {
        self.report = false;
        self
    }

    /// Runs the load in its own task.
    pub fn spawn(self, app: AppState) {
        leptos::task::spawn_local(async move {
            let _ = self.run(app).await;
        });
    }

    /// Runs the load. Returns the file's traces once they are listed (a
    /// trace already loaded stands for its copy); their analysis may go on
    /// after, and the header's entry stays until it is done.
    pub async fn run(self, app: AppState) -> Result<Vec<Loaded>, LoadError> {
        let Load {
            name,
            source,
            open,
            abort,
            report,
        } = self;
        let job = Job::start(app, &name, abort.clone());
        frames::memory_mark("start");
        let start = format!("traceglass:start:{name}");
        perf_mark(&start, None);
        let listed = match slices(source, &abort).await {
            Ok(slices) => read(&job, slices).await,
            Err(_) if abort.is_cancelled() => Err(LoadError::Cancelled),
            Err(e) => Err(LoadError::Failed(e)),
        };
        let unbuilt = match listed {
            Ok(u) => u,
            Err(e) => {
                job.end_with(&e, report);
                return Err(e);
            }
        };
        let (all, new) = match build(&job, unbuilt).await {
            Ok(built) => built,
            Err(e) => {
                job.end_with(&e, report);
                return Err(e);
            }
        };
        perf_mark("traceglass:loaded", Some(&start));
        match (open, all.first()) {
            // A file of several traces opens the way a search does.
            (Open::First, Some(first)) if all.len() > 1 => {
                app.select(first.key);
                app.show_file(&job.name, all.iter().map(|l| l.key).collect());
            }
            (Open::First, Some(first)) => {
                app.select(first.key);
                // Another file's list is no place to stay.
                if app.pane.get_untracked() == super::state::Pane::File {
                    app.show(first.key);
                }
            }
            (Open::Show, Some(first)) => app.show(first.key),
            _ => {}
        }
        leptos::task::spawn_local(async move {
            analyse_shown(&job, new).await;
            perf_mark("traceglass:analysed", Some(&start));
            job.end();
        });
        Ok(all)
    }
}

/// Cancels the load `id`, if it can still be cancelled.
pub fn cancel(id: u64) {
    let abort = JOBS.with_borrow(|j| j.iter().find(|(k, _)| *k == id).map(|(_, a)| a.clone()));
    if let Some(abort) = abort {
        abort.abort();
    }
}

thread_local! {
    /// The aborts of the loads that can still be cancelled, by job id.
    static JOBS: std::cell::RefCell<Vec<(u64, Abort)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A load's entry in the header.
struct Job {
    app: AppState,
    id: u64,
    name: String,
    abort: Abort,
}

impl Job {
    fn start(app: AppState, name: &str, abort: Abort) -> Job {
        let id = app.next_id();
        JOBS.with_borrow_mut(|j| j.push((id, abort.clone())));
        app.loads.update(|l| {
            l.push(LoadJob {
                id,
                name: name.to_string(),
                progress: None,
                cancellable: true,
            })
        });
        Job {
            app,
            id,
            name: name.to_string(),
            abort,
        }
    }

    fn progress(&self, text: String) {
        let id = self.id;
        self.app.loads.update(|l| {
            if let Some(j) = l.iter_mut().find(|j| j.id == id) {
                j.progress = Some(text);
            }
        });
    }

    /// Whether the load was cancelled.
    fn check(&self) -> Result<(), LoadError> {
        if self.abort.is_cancelled() {
            Err(LoadError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// The traces are listed: there is nothing left to cancel.
    fn listed(&self) {
        let id = self.id;
        JOBS.with_borrow_mut(|j| j.retain(|(k, _)| *k != id));
        self.app.loads.update(|l| {
            if let Some(j) = l.iter_mut().find(|j| j.id == id) {
                j.cancellable = false;
            }
        });
    }

    fn end_with(&self, e: &LoadError, report: bool) {
        if let (LoadError::Failed(text), true) = (e, report) {
            self.app.message(Level::Error, text.clone());
        }
        self.end();
    }

    fn end(&self) {
        let id = self.id;
        JOBS.with_borrow_mut(|j| j.retain(|(k, _)| *k != id));
        self.app.loads.update(|l| l.retain(|j| j.id != id));
        if self.app.loads.with_untracked(Vec::is_empty) {
            super::warm_up::start_once(self.app);
        }
    }
}

/// The bytes of a source, as slices.
async fn slices(source: Source, abort: &Abort) -> Result<Slices, String> {
    Ok(match source {
        Source::File(file) => Slices::File(sources::FileSlices::new(file)),
        Source::Url(url) => Slices::Download(sources::fetch_file(&url, abort).await?),
        Source::Fetch(fetch) => Slices::Download(fetch(abort.clone()).await?),
        Source::Download(download) => Slices::Download(download),
    })
}

/// Reads the slices into the loader a piece at a time, giving the page back
/// whenever a frame's worth of work is done, with the progress line moving.
async fn read(job: &Job, mut slices: Slices) -> Result<Unbuilt, LoadError> {
    let name = &job.name;
    let failed = |e: String| LoadError::Failed(e);
    let size = slices.size();
    let mut loader = Loader::new(name);
    let mut budget = Budget::new();
    let mut shown_at = frames::now_ms();
    let of_size = |read: f64| match size {
        Some(size) => format!("{} of {}", mb(read), mb(size)),
        None => mb(read),
    };
    job.progress(of_size(0.0));
    while let Some(slice) = slices.next().await {
        job.check()?;
        let slice = slice.map_err(failed)?;
        for piece in slice.chunks(PIECE) {
            loader.push(piece).map_err(|e| failed(e.to_string()))?;
            capacity::keep_within(&mut loader);
            if budget.spent() {
                // A changed line costs the frame a style and layout pass:
                // the progress moves a few times a second.
                if frames::now_ms() - shown_at >= PROGRESS_EVERY_MS {
                    shown_at = frames::now_ms();
                    let kept = thousands(loader.spans_read());
                    job.progress(match loader.spans_dropped() {
                        0 if loader.keeps_spans() => {
                            format!("{}, {kept} spans", of_size(loader.bytes_read() as f64))
                        }
                        dropped => format!(
                            "{}, {kept} spans kept: the tab's memory is full, {} more counted, not kept",
                            of_size(loader.bytes_read() as f64),
                            thousands(dropped)
                        ),
                    });
                }
                budget.give_back().await;
                job.check()?;
            }
        }
    }
    job.progress(format!("building {} spans", thousands(loader.spans_read())));
    budget.give_back().await;
    job.check()?;
    let unbuilt = loader.finish_unbuilt().map_err(|e| failed(e.to_string()))?;
    perf_mark(
        "traceglass:import",
        Some(&format!("traceglass:start:{name}")),
    );
    frames::memory_mark("read");
    Ok(unbuilt)
}

/// Builds each trace, giving the page back whenever a frame's worth of
/// work is done (also inside one large trace), and lists the new ones.
/// Returns the file's traces (a trace already loaded stands for its copy)
/// and, apart, the new ones, analysed when they are small.
async fn build(job: &Job, unbuilt: Unbuilt) -> Result<(Vec<Loaded>, Vec<Loaded>), LoadError> {
    let (app, name) = (job.app, &job.name);
    warn_import(app, name, &unbuilt.warnings);
    let format = unbuilt.format.label();
    let total = unbuilt.builders.len();
    let mut budget = Budget::new();
    perf_mark("traceglass:build-start", None);
    let mut all = Vec::with_capacity(total);
    let mut new = Vec::new();
    for (i, builder) in unbuilt.builders.into_iter().enumerate() {
        job.check()?;
        if builder.len() >= LARGE_TRACE {
            job.progress(format!("building {} spans", thousands(builder.len())));
        }
        let trace = builder.build_paced(&mut budget).await;
        match app.loaded_copy(&trace) {
            Some(existing) => all.push(existing),
            None => {
                let l = super::skew::loaded(app, name, format, trace, &mut budget).await;
                all.push(l.clone());
                new.push(l);
            }
        }
        if budget.spent() {
            job.progress(format!("building trace {} of {total}", i + 1));
            budget.give_back().await;
        }
    }
    perf_mark("traceglass:build", Some("traceglass:build-start"));
    frames::memory_mark("build");
    // Small traces are analysed before they are shown, so that their views
    // come whole; a file with a large trace is shown first and analysed
    // after its first paint (see `analyse_shown`).
    if new.iter().all(|l| l.trace.spans.len() < LARGE_TRACE) {
        analyse(job, &new, &mut budget).await;
    }
    job.check()?;
    // Listing and opening the traces render much: they start on a fresh
    // frame, not after the last slice of building in this one.
    if !new.is_empty() {
        frames::after_paint().await;
        job.check()?;
    }
    job.listed();
    // The same trace may have been listed by another load meanwhile.
    let (listed, taken): (Vec<Loaded>, Vec<Loaded>) = new
        .into_iter()
        .partition(|l| app.loaded_copy_of(l).is_none());
    if !listed.is_empty() {
        app.traces.update(|v| v.extend(listed.iter().cloned()));
    }
    let taken: HashSet<u64> = taken.iter().map(|l| l.key).collect();
    let all = all
        .into_iter()
        .filter_map(|l| {
            if taken.contains(&l.key) {
                app.loaded_copy_of(&l)
            } else {
                Some(l)
            }
        })
        .collect();
    Ok((all, listed))
}

fn warn_import(app: AppState, name: &str, warnings: &[String]) {
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
    app.message(
        Level::Warning,
        format!("{name}: loaded with problems: {}{tail}", shown.join("; ")),
    );
}

/// Analyses the traces just listed that are not yet, the one on screen
/// first, once the page has shown them. Each trace's views fill in as its
/// analysis lands.
async fn analyse_shown(job: &Job, mut new: Vec<Loaded>) {
    new.retain(|l| l.analysis.with_untracked(Option::is_none));
    if new.is_empty() {
        return;
    }
    let shown = job.app.selected.get_untracked();
    if let Some(i) = new.iter().position(|l| Some(l.key) == shown) {
        new[..=i].rotate_right(1);
    }
    frames::after_first_frames().await;
    analyse(job, &new, &mut Budget::new()).await;
}

/// Analyses those of `new` that are not yet, giving the page back whenever
/// a frame's worth of work is done.
async fn analyse(job: &Job, new: &[Loaded], budget: &mut Budget) {
    let total = new.len();
    perf_mark("traceglass:analysis-start", None);
    for (i, l) in new.iter().enumerate() {
        if l.analysis.with_untracked(Option::is_some) {
            continue;
        }
        let spans = l.trace.spans.len();
        if spans >= LARGE_TRACE {
            job.progress(format!("analysing {} spans", thousands(spans)));
        }
        let analysis = TraceAnalysis::new_paced(&l.trace, budget).await;
        if spans >= LARGE_TRACE {
            // Shown before it was analysed: its views fill in at the start
            // of a frame, not after a slice of analysis.
            budget.frame_start().await;
        }
        l.analysis.set(Some(Arc::new(analysis)));
        if budget.spent() {
            job.progress(format!("analysing trace {} of {total}", i + 1));
            budget.give_back().await;
        }
    }
    perf_mark("traceglass:analysis", Some("traceglass:analysis-start"));
    frames::memory_mark("analysis");
}

/// Bytes handed to the loader at a time: about a millisecond of parsing.
const PIECE: usize = 256 * 1024;

/// Time between two updates of the progress line.
const PROGRESS_EVERY_MS: f64 = 100.0;

/// Spans from which a trace's own building and analysing show in the
/// progress line, from which a trace is shown before it is analysed, and
/// from which find searches it a frame's worth at a time.
pub const LARGE_TRACE: usize = 10_000;

fn mb(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1_000_000.0)
}
