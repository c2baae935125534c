//! App-wide state, shared through context: the loaded traces and which one
//! is shown, the messages, the loads under way, the pane and the traces
//! ticked for the summary. What one trace view shows (selection, collapsed
//! spans, find, window…) is not here: it is the view's own
//! (`view_state::ViewState`).

use crate::analysis::skew::Adjustment;
use crate::analysis::TraceAnalysis;
use crate::model::{SpanIx, Trace};
use leptos::prelude::*;
use std::collections::HashSet;
use std::sync::Arc;

/// One loaded trace with its analysis, computed once at load.
#[derive(Clone)]
pub struct Loaded {
    /// Unique for the page's life: two loads of one trace id never coexist.
    pub key: u64,
    /// Where it came from: a file name, a URL, "Jaeger trace …".
    pub source: String,
    pub format: &'static str,
    /// The version shown: corrected for clock skew, unless the user asked
    /// for the trace as recorded (see `skew`).
    pub trace: Arc<Trace>,
    /// Set once, when the analysis is done: a large trace is listed and
    /// shown first and analysed after (views show the model meanwhile).
    /// The analysis of the version shown.
    pub analysis: ArcRwSignal<Option<Arc<TraceAnalysis>>>,
    /// Both versions, only when clock skew was corrected (a trace without
    /// skew is kept once).
    pub skew: Option<Arc<Skew>>,
}

/// A version of a trace: as recorded, or corrected for clock skew.
#[derive(Clone)]
pub struct Version {
    pub trace: Arc<Trace>,
    /// The recorded version is analysed the first time it is shown.
    pub analysis: ArcRwSignal<Option<Arc<TraceAnalysis>>>,
}

/// A trace whose clock skew was corrected: its versions, with the same
/// span indices, and what moved.
///
/// A trace under [`KEEP_BOTH_BELOW`] spans holds both versions, and the
/// switch between them is instant. A larger one holds only the version
/// shown, so that its memory is not taken twice: the switch makes the other
/// from it (`ui::skew::switch`), and lets go of it.
pub struct Skew {
    pub corrected: Option<Version>,
    pub recorded: Option<Version>,
    /// Whether the version shown is the recorded one.
    pub showing_recorded: bool,
    /// What moved, the same whichever version is held or shown.
    pub moved: Arc<Moved>,
}

/// What the clock-skew correction of a trace moved.
pub struct Moved {
    pub adjustments: Vec<Adjustment>,
    /// Each span that moved, by how much in all (ns): the moves that make
    /// the corrected version from the recorded one.
    pub moves: Vec<(SpanIx, i64)>,
    /// The warning each moved span has in the corrected version.
    pub notes: Vec<(SpanIx, String)>,
}

impl Skew {
    /// These versions, showing the recorded one or not, with the same moves.
    pub fn with(
        &self,
        corrected: Option<Version>,
        recorded: Option<Version>,
        showing_recorded: bool,
    ) -> Skew {
        Skew {
            corrected,
            recorded,
            showing_recorded,
            moved: self.moved.clone(),
        }
    }
}

/// Spans from which a trace corrected for clock skew holds only the
/// version shown.
pub const KEEP_BOTH_BELOW: usize = 100_000;

impl Loaded {
    /// Whether `recorded`, a trace as recorded, is the same recording as
    /// this one (another load of it).
    pub fn same_recording_as(&self, recorded: &Trace) -> bool {
        match &self.skew {
            None => self.trace.same_recording(recorded),
            Some(s) => match &s.recorded {
                Some(r) => r.trace.same_recording(recorded),
                None => self.trace.same_recording_moved(&s.moved.moves, recorded),
            },
        }
    }

    /// Whether `other` is the same recording as this one.
    pub fn same_as(&self, other: &Loaded) -> bool {
        match (self.recorded_held(), other.recorded_held()) {
            (_, Some(r)) => self.same_recording_as(r),
            (Some(r), None) => other.same_recording_as(r),
            // Both hold their corrected version alone: the same recording
            // corrects the same way.
            (None, None) => self.trace.same_recording(&other.trace),
        }
    }

    /// The trace as recorded, when it is held.
    fn recorded_held(&self) -> Option<&Arc<Trace>> {
        match &self.skew {
            None => Some(&self.trace),
            Some(s) => s.recorded.as_ref().map(|v| &v.trace),
        }
    }

    /// Whether the trace is shown as recorded although it has skew.
    pub fn shows_recorded(&self) -> bool {
        self.skew.as_ref().is_some_and(|s| s.showing_recorded)
    }

    /// This trace showing its recorded or its corrected version, when that
    /// version is held.
    pub fn showing(&self, recorded: bool) -> Option<Loaded> {
        let s = self.skew.as_ref()?;
        let v = if recorded { &s.recorded } else { &s.corrected };
        let v = v.as_ref()?;
        let mut l = self.clone();
        l.trace = v.trace.clone();
        l.analysis = v.analysis.clone();
        l.skew = Some(Arc::new(s.with(
            s.corrected.clone(),
            s.recorded.clone(),
            recorded,
        )));
        Some(l)
    }
}

/// The same trace in the same version: a trace whose version was swapped
/// is another `Loaded` for the views (the pane draws it again), under the
/// same key (its view state is kept).
impl PartialEq for Loaded {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key && Arc::ptr_eq(&self.trace, &other.trace)
    }
}

/// What the main pane shows: one trace, the summary across traces, a
/// Jaeger search's results, the traces of a file, or two traces compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Trace,
    Summary,
    Results,
    File,
    Compare,
}

/// The traces of one file of several, listed as a search's results.
#[derive(Clone, Debug, PartialEq)]
pub struct FileTraces {
    /// The file's name.
    pub name: String,
    /// Its traces (a trace loaded before stands for its copy), in the file's order.
    pub keys: Vec<u64>,
    /// The list's order (an index of Jaeger UI's sort orders), kept while
    /// other panes are shown.
    pub sort: usize,
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

/// A load under way, as the header lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadJob {
    pub id: u64,
    /// What is loaded: a file name, a URL's last segment, "Jaeger trace …".
    pub name: String,
    /// How far it came, in words ("12.0 MB of 85.0 MB, 14,000 spans").
    pub progress: Option<String>,
    /// Until its traces are listed, a load can be cancelled.
    pub cancellable: bool,
}

#[derive(Clone, Copy)]
pub struct AppState {
    pub traces: RwSignal<Vec<Loaded>>,
    /// The key of the trace on screen.
    pub selected: RwSignal<Option<u64>>,
    /// The trace on screen: changes only when another trace is shown, not
    /// when others are added or removed.
    pub current: Memo<Option<Loaded>>,
    pub messages: RwSignal<Vec<Message>>,
    pub loads: RwSignal<Vec<LoadJob>>,
    pub pane: RwSignal<Pane>,
    /// Traces ticked in the list, for the summary.
    pub ticked: RwSignal<HashSet<u64>>,
    /// The two traces compared (A, B), by key.
    pub compare: RwSignal<Option<(u64, u64)>>,
    /// Two trace ids to compare once both are loaded (from the URL, or
    /// search results being fetched).
    pub pending_compare: RwSignal<Option<(String, String)>>,
    /// The last file of several traces, listed in the file pane.
    pub file: RwSignal<Option<FileTraces>>,
    pub show_help: RwSignal<bool>,
    /// The span detail under the selected row instead of beside the
    /// timeline (a preference, kept by `prefs`).
    pub detail_inline: RwSignal<bool>,
    next_id: StoredValue<u64>,
}

impl AppState {
    pub fn new() -> AppState {
        let traces = RwSignal::new(Vec::<Loaded>::new());
        let selected = RwSignal::new(None::<u64>);
        let current = Memo::new(move |_| {
            let key = selected.get()?;
            traces.with(|v| v.iter().find(|l| l.key == key).cloned())
        });
        AppState {
            traces,
            selected,
            current,
            messages: RwSignal::new(Vec::new()),
            loads: RwSignal::new(Vec::new()),
            pane: RwSignal::new(Pane::Trace),
            ticked: RwSignal::new(HashSet::new()),
            compare: RwSignal::new(None),
            pending_compare: RwSignal::new(None),
            file: RwSignal::new(None),
            show_help: RwSignal::new(false),
            detail_inline: RwSignal::new(super::prefs::detail_inline()),
            next_id: StoredValue::new(1),
        }
    }

    /// A number not given out before on this page.
    pub fn next_id(&self) -> u64 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }

    /// Shows a message; returns its id.
    pub fn message(&self, level: Level, text: String) -> u64 {
        let id = self.next_id();
        self.messages
            .update(|m| m.push(Message { id, level, text }));
        id
    }

    pub fn dismiss(&self, id: u64) {
        self.messages.update(|m| m.retain(|x| x.id != id));
    }

    /// Makes the trace of `key` the one the trace pane shows.
    pub fn select(&self, key: u64) {
        if self.selected.get_untracked() != Some(key) {
            self.selected.set(Some(key));
        }
    }

    /// Shows the trace of `key` in the trace pane.
    pub fn show(&self, key: u64) {
        self.select(key);
        if self.pane.get_untracked() != Pane::Trace {
            self.pane.set(Pane::Trace);
        }
    }

    /// Compares trace B (`b`) with trace A (`a`) in the compare pane.
    pub fn open_compare(&self, a: u64, b: u64) {
        self.pending_compare.set(None);
        if self.compare.get_untracked() != Some((a, b)) {
            self.compare.set(Some((a, b)));
        }
        if self.pane.get_untracked() != Pane::Compare {
            self.pane.set(Pane::Compare);
        }
    }

    /// Lists the traces of the file `name` in the file pane, and shows it.
    pub fn show_file(&self, name: &str, keys: Vec<u64>) {
        self.file.set(Some(FileTraces {
            name: name.to_string(),
            keys,
            sort: 0,
        }));
        if self.pane.get_untracked() != Pane::File {
            self.pane.set(Pane::File);
        }
    }

    /// Removes a trace; when it was shown, the first one left is shown.
    pub fn remove(&self, key: u64) {
        self.traces.update(|v| v.retain(|l| l.key != key));
        self.ticked.update(|t| {
            t.remove(&key);
        });
        if self
            .compare
            .get_untracked()
            .is_some_and(|(a, b)| a == key || b == key)
        {
            self.compare.set(None);
            if self.pane.get_untracked() == Pane::Compare {
                self.pane.set(Pane::Trace);
            }
        }
        if self
            .file
            .with_untracked(|f| f.as_ref().is_some_and(|f| f.keys.contains(&key)))
        {
            self.file.update(|f| {
                if let Some(f) = f {
                    f.keys.retain(|k| *k != key);
                }
            });
        }
        if self.selected.get_untracked() == Some(key) {
            let first = self.traces.with_untracked(|v| v.first().map(|l| l.key));
            self.selected.set(first);
        }
    }

    /// The loaded trace with this id, if any.
    pub fn loaded_by_id(&self, trace_id: &str) -> Option<Loaded> {
        let id = crate::model::normalize_trace_id(trace_id);
        self.traces
            .with_untracked(|v| v.iter().find(|l| l.trace.trace_id == id).cloned())
    }

    /// The loaded trace that is the same recording as `trace` (a trace as
    /// recorded), if any.
    pub fn loaded_copy(&self, trace: &Trace) -> Option<Loaded> {
        self.traces
            .with_untracked(|v| v.iter().find(|l| l.same_recording_as(trace)).cloned())
    }

    /// The loaded trace that is the same recording as `l`, if any.
    pub fn loaded_copy_of(&self, l: &Loaded) -> Option<Loaded> {
        self.traces
            .with_untracked(|v| v.iter().find(|m| m.same_as(l)).cloned())
    }

    /// Puts `now` in the place of the loaded trace of its key (another
    /// version of it).
    pub fn replace(&self, now: &Loaded) {
        self.traces.update(|v| {
            if let Some(l) = v.iter_mut().find(|l| l.key == now.key) {
                *l = now.clone();
            }
        });
    }

    /// Whether anything is being loaded.
    pub fn loading(&self) -> bool {
        self.loads.with(|l| !l.is_empty())
    }
}
