//! What one trace's view shows: the selected span, the collapsed and
//! highlighted spans, find and its matches, the filters (critical path,
//! matches, a service), the view window,
//! the tab, the detail, the name column's width and the scroll position.
//!
//! Each loaded trace that has been shown has one [`ViewState`], kept by
//! [`Views`] until the trace is removed: the view is drawn from it, so
//! another trace arriving or leaving never resets it, and coming back to a
//! trace finds it as it was left. A trace shown for the first time starts
//! with the settings of the view shown before it (find, filters, collapse
//! below, tab, column width), or with what a link's URL says.

use super::budget::Budget;
use super::loader::LARGE_TRACE;
use super::state::{AppState, Loaded};
use super::timeline::geometry::{Window, WHOLE};
use super::timeline::outline;
use super::timeline::repeats::{run_containing, GROUP_ABOVE_SPANS, MIN_RUN};
use super::url::embed::EmbedParams;
use super::url::params::ViewParams;
use crate::analysis::describe::parse_duration;
use crate::analysis::search::Query;
use crate::model::pace::{Pace, STRIDE};
use crate::model::{SpanIx, SpanSet, Trace};
use leptos::prelude::*;
use std::sync::{Arc, OnceLock};

/// Which view of the trace is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Timeline,
    Statistics,
    Flame,
    ServiceMap,
}

/// The name column's width when nothing else was chosen, in CSS pixels.
pub const NAME_WIDTH: f64 = 340.0;

/// One trace view's state, shared with its parts through context.
#[derive(Clone, Copy)]
pub struct ViewState {
    loaded: StoredValue<Loaded>,
    /// Spans with children, found the first time a control needs them.
    parents: StoredValue<OnceLock<Vec<SpanIx>>>,
    pub selected: RwSignal<Option<SpanIx>>,
    pub collapsed: RwSignal<SpanSet>,
    /// Spans marked by a finding or a statistics row.
    pub highlight: RwSignal<SpanSet>,
    /// A span the timeline should scroll to (taken and cleared by it).
    pub scroll_to: RwSignal<Option<SpanIx>>,
    pub tab: RwSignal<Tab>,
    /// The span the flame graph is zoomed into (none: the whole trace).
    pub flame_zoom: RwSignal<Option<SpanIx>>,
    /// The find query (`uiFind`).
    pub find: RwSignal<String>,
    /// The matches of `find`, in tree order.
    pub matches: RwSignal<Vec<SpanIx>>,
    /// While a large trace is searched: how far, in %.
    pub searching: RwSignal<Option<usize>>,
    /// The match prev/next is on; `None` until one is visited.
    pub match_cursor: RwSignal<Option<usize>>,
    pub matches_only: RwSignal<bool>,
    /// "Critical path only": hide spans that have no critical-path time.
    pub cp_only: RwSignal<bool>,
    /// The service the timeline is filtered to (a service map's node was
    /// clicked): its spans and their ancestors are shown.
    pub service_filter: RwSignal<Option<String>>,
    /// The service map shows this trace's services only, not all loaded
    /// traces'.
    pub map_one_trace: RwSignal<bool>,
    /// `collapseBelow`, as typed (a Go duration).
    pub collapse_below: RwSignal<Option<String>>,
    /// The part of the trace the bar column shows.
    pub window: RwSignal<Window>,
    pub detail_open: RwSignal<bool>,
    pub name_width: RwSignal<f64>,
    /// The trace header collapsed to its title (which hides the facts and
    /// the minimap, as Jaeger UI's `uiTimelineCollapseTitle` does).
    pub title_collapsed: RwSignal<bool>,
    /// Where the timeline was scrolled to when it was last shown.
    pub scroll_top: StoredValue<f64>,
    /// Runs of repeated siblings shown as one row each: as chosen, or
    /// (`None`) in traces of more than `GROUP_ABOVE_SPANS` spans.
    pub group_repeats: RwSignal<Option<bool>>,
    /// The fewest repeats grouped.
    pub group_min: RwSignal<usize>,
    /// Leaders of the runs shown span by span all the same.
    pub expanded_runs: RwSignal<SpanSet>,
    /// The attribute keys shown after each row's name (none: the defaults).
    pub fields: RwSignal<Vec<String>>,
}

/// The settings a trace shown for the first time takes from the view shown
/// before it.
#[derive(Clone, Debug, PartialEq)]
struct Carry {
    find: String,
    matches_only: bool,
    cp_only: bool,
    collapse_below: Option<String>,
    tab: Tab,
    detail_open: bool,
    name_width: f64,
    group_repeats: Option<bool>,
    group_min: usize,
    fields: Option<Vec<String>>,
}

impl Default for Carry {
    fn default() -> Carry {
        Carry {
            find: String::new(),
            matches_only: false,
            cp_only: false,
            collapse_below: None,
            tab: Tab::Timeline,
            detail_open: true,
            name_width: NAME_WIDTH,
            group_repeats: None,
            group_min: MIN_RUN,
            fields: None,
        }
    }
}

impl ViewState {
    /// A new state under the current owner, with `carry`'s settings.
    fn new(loaded: Loaded, carry: Carry) -> ViewState {
        let state = ViewState {
            loaded: StoredValue::new(loaded),
            parents: StoredValue::new(OnceLock::new()),
            selected: RwSignal::new(None),
            collapsed: RwSignal::new(SpanSet::new()),
            highlight: RwSignal::new(SpanSet::new()),
            scroll_to: RwSignal::new(None),
            tab: RwSignal::new(carry.tab),
            flame_zoom: RwSignal::new(None),
            find: RwSignal::new(carry.find),
            matches: RwSignal::new(Vec::new()),
            searching: RwSignal::new(None),
            match_cursor: RwSignal::new(None),
            matches_only: RwSignal::new(carry.matches_only),
            cp_only: RwSignal::new(carry.cp_only),
            service_filter: RwSignal::new(None),
            map_one_trace: RwSignal::new(false),
            collapse_below: RwSignal::new(None),
            window: RwSignal::new(WHOLE),
            detail_open: RwSignal::new(carry.detail_open),
            name_width: RwSignal::new(carry.name_width),
            title_collapsed: RwSignal::new(
                use_context::<EmbedParams>().is_some_and(|e| e.collapse_title),
            ),
            scroll_top: StoredValue::new(0.0),
            group_repeats: RwSignal::new(carry.group_repeats),
            group_min: RwSignal::new(carry.group_min),
            expanded_runs: RwSignal::new(SpanSet::new()),
            fields: RwSignal::new(carry.fields.unwrap_or_else(super::prefs::row_fields)),
        };
        if let Some(c) = carry.collapse_below {
            let _ = state.set_collapse_below(&c);
        }
        state.search_as_find_changes();
        state
    }

    pub fn trace(&self) -> Arc<Trace> {
        self.loaded.with_value(|l| l.trace.clone())
    }

    fn carry(&self) -> Carry {
        Carry {
            find: self.find.get_untracked(),
            matches_only: self.matches_only.get_untracked(),
            cp_only: self.cp_only.get_untracked(),
            collapse_below: self.collapse_below.get_untracked(),
            tab: self.tab.get_untracked(),
            detail_open: self.detail_open.get_untracked(),
            name_width: self.name_width.get_untracked(),
            group_repeats: self.group_repeats.get_untracked(),
            group_min: self.group_min.get_untracked(),
            fields: Some(self.fields.get_untracked()),
        }
    }

    /// `f` of the spans with children, found the first time.
    fn with_parents<T>(&self, f: impl FnOnce(&[SpanIx]) -> T) -> T {
        let trace = self.trace();
        self.parents
            .with_value(|cell| f(cell.get_or_init(|| outline::parents(&trace))))
    }

    /// Selects a span and brings it into view.
    pub fn select(&self, ix: SpanIx) {
        self.selected.set(Some(ix));
        self.scroll_to.set(Some(ix));
    }

    /// Selects spans as evidence: highlights them, selects the first and
    /// brings it into view in the timeline.
    pub fn show_spans(&self, spans: &[SpanIx]) {
        self.highlight.set(spans.iter().copied().collect());
        if let Some(&first) = spans.first() {
            self.tab.set(Tab::Timeline);
            self.select(first);
        }
    }

    /// Shows the timeline filtered to the spans of `service` (with their
    /// ancestors, so that the tree still reads).
    pub fn filter_service(&self, service: String) {
        self.service_filter.set(Some(service));
        self.tab.set(Tab::Timeline);
    }

    pub fn collapse_all(&self) {
        let all: SpanSet = self.with_parents(|p| p.iter().copied().collect());
        self.collapsed.set(all);
    }

    pub fn expand_all(&self) {
        self.collapsed.set(SpanSet::new());
    }

    /// Collapses the deepest level of the open spans among `rows`.
    pub fn collapse_level(&self, rows: &[SpanIx]) {
        let trace = self.trace();
        let level = self.with_parents(|p| {
            self.collapsed
                .with_untracked(|c| outline::deepest_open_level(&trace, p, rows, c))
        });
        if !level.is_empty() {
            self.collapsed.update(|c| c.extend(level));
        }
    }

    /// Opens the shallowest level of the collapsed spans among `rows`.
    pub fn expand_level(&self, rows: &[SpanIx]) {
        let trace = self.trace();
        let level = self
            .collapsed
            .with_untracked(|c| outline::shallowest_collapsed_level(&trace, rows, c));
        if !level.is_empty() {
            self.collapsed.update(|c| {
                for ix in level {
                    c.remove(ix);
                }
            });
        }
    }

    /// Collapses or opens one span.
    pub fn toggle(&self, ix: SpanIx) {
        self.collapsed.update(|c| {
            if !c.remove(ix) {
                c.insert(ix);
            }
        });
    }

    /// "Collapse shorter than": collapses the parents shorter than `text`
    /// (a Go duration), or, for an empty text, opens everything. The error
    /// says what is wrong with the text; nothing changes then.
    pub fn set_collapse_below(&self, text: &str) -> Result<(), String> {
        let text = text.trim();
        if text.is_empty() {
            self.collapse_below.set(None);
            self.expand_all();
            return Ok(());
        }
        let limit = parse_duration(text)?;
        let trace = self.trace();
        let short = self.with_parents(|p| outline::shorter_than(&trace, p, limit));
        self.collapse_below.set(Some(text.to_string()));
        self.collapsed.set(short);
        Ok(())
    }

    /// Opens the ancestors of `ix` that are collapsed, and the grouped
    /// runs that hide it; true when it opened anything.
    pub fn reveal(&self, ix: SpanIx) -> bool {
        let trace = self.trace();
        let ancestors = outline::ancestors(&trace, ix);
        let collapsed = self
            .collapsed
            .with_untracked(|c| ancestors.iter().any(|&a| c.contains(a)));
        if collapsed {
            self.collapsed.update(|c| {
                for &a in &ancestors {
                    c.remove(a);
                }
            });
        }
        if !self.grouping_untracked() {
            return collapsed;
        }
        // A grouped run hides its members but its leader, and every
        // member's subtree.
        let min = self.group_min.get_untracked();
        let hiding: Vec<SpanIx> = std::iter::once(ix)
            .chain(ancestors)
            .filter_map(|a| {
                let run = run_containing(&trace, a, min)?;
                (a != ix || run.leader != ix).then_some(run.leader)
            })
            .filter(|&l| !self.expanded_runs.with_untracked(|e| e.contains(l)))
            .collect();
        let grouped = !hiding.is_empty();
        if grouped {
            self.expanded_runs.update(|e| e.extend(hiding));
        }
        collapsed || grouped
    }

    /// Whether runs of repeats are grouped (tracked).
    pub fn grouping(&self) -> bool {
        let spans = self.loaded.with_value(|l| l.trace.spans.len());
        self.group_repeats
            .get()
            .unwrap_or(spans > GROUP_ABOVE_SPANS)
    }

    fn grouping_untracked(&self) -> bool {
        let spans = self.loaded.with_value(|l| l.trace.spans.len());
        self.group_repeats
            .get_untracked()
            .unwrap_or(spans > GROUP_ABOVE_SPANS)
    }

    /// Shows a run span by span, or as one row again.
    pub fn expand_run(&self, leader: SpanIx, expand: bool) {
        self.expanded_runs.update(|e| {
            if expand {
                e.insert(leader);
            } else {
                e.remove(leader);
            }
        });
    }

    /// The keys shown after each row's name, kept for the next visit.
    pub fn set_fields(&self, keys: Vec<String>) {
        super::prefs::set_row_fields(&keys);
        self.fields.set(keys);
    }

    /// Shows what a URL says of the view: everything it does not say goes
    /// back to its default (back and forward restore an entry as it was).
    pub fn apply(&self, p: &ViewParams) {
        let trace = self.trace();
        if self.find.with_untracked(|f| *f != p.find) {
            self.find.set(p.find.clone());
            self.match_cursor.set(None);
        }
        let below = p
            .collapse_below
            .as_deref()
            .filter(|c| parse_duration(c).is_ok());
        match below {
            Some(c) => {
                let _ = self.set_collapse_below(c);
            }
            None => {
                self.collapse_below.set(None);
                self.collapsed.set(
                    p.collapsed
                        .as_deref()
                        .map_or_else(SpanSet::new, |ids| outline::spans_by_id(&trace, ids)),
                );
            }
        }
        let fields = p.fields.clone().unwrap_or_else(super::prefs::row_fields);
        if self.fields.with_untracked(|f| *f != fields) {
            self.fields.set(fields);
        }
        let window = p.window.unwrap_or(WHOLE);
        if self.window.get_untracked() != window {
            self.window.set(window);
        }
        match p.span.as_deref().and_then(|id| trace.find_span(id)) {
            Some(ix) => self.select(ix),
            None => self.selected.set(None),
        }
    }

    /// The view as the URL keeps it; `trace` is written when more than one
    /// trace is loaded.
    pub fn params(&self, with_trace: bool) -> ViewParams {
        let trace = self.trace();
        let collapse_below = self.collapse_below.get();
        // Collapsing by duration is already in the URL as collapseBelow.
        let collapsed = if collapse_below.is_none() {
            Some(self.collapsed.with(|c| outline::top_collapsed(&trace, c)))
        } else {
            None
        };
        ViewParams {
            trace: with_trace.then(|| trace.trace_id.clone()),
            span: self
                .selected
                .get()
                .and_then(|ix| trace.span(ix))
                .map(|s| s.span_id.to_string()),
            collapsed,
            window: Some(self.window.get()),
            find: self.find.get(),
            collapse_below,
            fields: Some(self.fields.get()).filter(|f| !f.is_empty()),
        }
    }

    /// Finds the matches of `find` whenever it changes. A large trace is
    /// searched a frame's worth at a time, `searching` saying how far it
    /// got; a newer query stops an older search.
    fn search_as_find_changes(&self) {
        let state = *self;
        let generation = StoredValue::new(0u64);
        Effect::new(move |_| {
            let query = state.find.with(|q| Query::parse(q));
            let trace = state.trace();
            let gen = generation.get_value().wrapping_add(1);
            generation.set_value(gen);
            if trace.spans.len() < LARGE_TRACE || query.is_empty() {
                state.matches.set(query.find(&trace));
                state.searching.set(None);
                return;
            }
            state.searching.set(Some(0));
            leptos::task::spawn_local(async move {
                let mut budget = Budget::new();
                let mut finder = query.finder(&trace);
                let mut found = Vec::new();
                let total = trace.tree_order.len().max(1);
                let mut done = 0;
                for chunk in trace.tree_order.chunks(STRIDE) {
                    if generation.try_get_value() != Some(gen) {
                        return;
                    }
                    found.extend(chunk.iter().copied().filter(|&ix| finder.matches(ix)));
                    done += chunk.len();
                    let pct = done * 100 / total;
                    if state.searching.try_get_untracked() != Some(Some(pct)) {
                        state.searching.try_set(Some(pct));
                    }
                    budget.pause().await;
                }
                if generation.try_get_value() == Some(gen) {
                    state.matches.try_set(found);
                    state.searching.try_set(None);
                }
            });
        });
    }
}

/// Every view state, by trace key: the views the trace pane draws.
#[derive(Clone, Copy)]
pub struct Views {
    app: AppState,
    /// The owner the states live under: the app's, not a view's.
    owner: StoredValue<Owner>,
    entries: StoredValue<Vec<(u64, Owner, ViewState)>>,
    /// The trace shown last, whose settings a new view takes.
    shown: StoredValue<Option<u64>>,
}

impl Views {
    /// Made by the app, under its owner.
    pub fn new(app: AppState) -> Views {
        let views = Views {
            app,
            owner: StoredValue::new(Owner::current().unwrap_or_default()),
            entries: StoredValue::new(Vec::new()),
            shown: StoredValue::new(None),
        };
        // A removed trace's state goes with it, once its view (when it was
        // shown) has been taken down.
        Effect::new(move |_| {
            let keys: Vec<u64> = app.traces.with(|t| t.iter().map(|l| l.key).collect());
            let mut gone = Vec::new();
            views.entries.update_value(|e| {
                e.retain(|(k, owner, _)| {
                    let keep = keys.contains(k);
                    if !keep {
                        gone.push(owner.clone());
                    }
                    keep
                })
            });
            if !gone.is_empty() {
                set_timeout(
                    move || gone.iter().for_each(Owner::cleanup),
                    std::time::Duration::ZERO,
                );
            }
        });
        views
    }

    /// The state of `loaded`'s view, made now if it has none: it then takes
    /// the settings of the view shown last.
    pub fn state(&self, loaded: &Loaded) -> ViewState {
        let key = loaded.key;
        if let Some(s) = self.get(key) {
            // The trace may show its other version now (clock skew
            // corrected or not): same spans, so the state stays.
            let listed = self.app.traces.with_untracked(|v| v.contains(loaded));
            if listed && s.loaded.with_value(|l| l != loaded) {
                s.loaded.set_value(loaded.clone());
            }
            return s;
        }
        let carry = self
            .shown
            .get_value()
            .and_then(|k| self.get(k))
            .map(|s| s.carry())
            .unwrap_or_default();
        let owner = self.owner.with_value(Owner::child);
        let state = owner.with(|| ViewState::new(loaded.clone(), carry));
        self.entries.update_value(|e| e.push((key, owner, state)));
        state
    }

    fn get(&self, key: u64) -> Option<ViewState> {
        self.entries
            .with_value(|e| e.iter().find(|(k, _, _)| *k == key).map(|(_, _, s)| *s))
    }

    /// Notes the trace the pane shows now.
    pub fn shown(&self, key: u64) {
        self.shown.set_value(Some(key));
    }

    /// Makes `loaded` the trace shown, as a URL describes it.
    pub fn open_at(&self, loaded: &Loaded, p: &ViewParams) {
        self.state(loaded).apply(p);
        self.app.select(loaded.key);
    }

    /// Shows `loaded` with `span` selected and in view.
    pub fn open_span(&self, loaded: &Loaded, span: SpanIx) {
        let s = self.state(loaded);
        s.tab.set(Tab::Timeline);
        s.detail_open.set(true);
        let _ = s.reveal(span);
        s.select(span);
        self.app.show(loaded.key);
    }

    /// Back or forward to a URL: shows the trace it names (the one shown,
    /// when it names none that is loaded) as it describes it.
    pub fn navigate(&self, p: &ViewParams) {
        let target = p
            .trace
            .as_deref()
            .and_then(|id| self.app.loaded_by_id(id))
            .or_else(|| self.app.current.get_untracked());
        if let Some(l) = target {
            self.open_at(&l, p);
        }
    }
}
