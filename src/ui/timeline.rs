//! The virtualised timeline: only the rows in view are in the DOM, whatever
//! the trace's size. Rows are the spans in tree order, minus the descendants
//! of collapsed spans.

use super::budget::Budget;
use super::detail::SpanDetail;
use super::format::{format_duration, service_color};
use super::minimap::{fraction_in, window_of, Minimap, MIN_WINDOW};
use super::state::{AppState, Loaded, LARGE_TRACE};
use super::widgets::{SizeWatch, Toggle};
use crate::analysis::describe::parse_duration;
use crate::analysis::join_sections;
use crate::analysis::search::{with_ancestors, Query};
use crate::analysis::TraceAnalysis;
use crate::model::pace::{Pace, STRIDE};
use crate::model::{SpanIx, SpanSet, Trace};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::tachys::html::attribute::custom::custom_attribute;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use wasm_bindgen::JsCast;

pub const ROW_HEIGHT: f64 = 24.0;
/// Rows drawn above and below the view, so that a scroll of a few rows
/// shows rows already drawn.
const OVERSCAN: usize = 8;
/// How long the rows' window must stay still before the rows are put back
/// in DOM order.
const SETTLE_MS: u64 = 150;
const NAME_WIDTH: f64 = 340.0;
const MIN_NAME_WIDTH: f64 = 120.0;
const INDENT: f64 = 14.0;

/// The spans shown as rows: tree order without descendants of collapsed
/// spans, and, when `keep` is given, without spans it rejects (with their
/// subtrees). Also returns how many spans `keep` hid.
pub fn visible_rows(
    trace: &Trace,
    collapsed: &SpanSet,
    keep: Option<&[bool]>,
) -> (Vec<SpanIx>, usize) {
    if collapsed.is_empty() && keep.is_none() {
        return (trace.tree_order.clone(), 0);
    }
    let mut out = Vec::with_capacity(trace.tree_order.len());
    let mut hidden = 0;
    let mut i = 0;
    while let Some(&ix) = trace.tree_order.get(i) {
        i += 1;
        if keep.is_some_and(|k| !k.get(ix as usize).copied().unwrap_or(false)) {
            let skip = trace.descendant_count(ix);
            hidden += skip + 1;
            i += skip;
            continue;
        }
        out.push(ix);
        if collapsed.contains(ix) {
            i += trace.descendant_count(ix);
        }
    }
    (out, hidden)
}

/// How many rows the visible window holds for a viewport this tall: the rows
/// in view, the overscan on both sides, and one more for a partly shown row
/// at each edge. The window has this many slots whatever the scroll position.
fn window_slots(viewport: f64) -> usize {
    (viewport.max(0.0) / ROW_HEIGHT).ceil() as usize + 2 * OVERSCAN + 2
}

/// Critical-path marks closer than this part of the shown window are drawn
/// as one (about half a pixel of a 1,000-pixel bar column). A collapsed
/// root carries its whole subtree's path, tens of thousands of sections at
/// a million spans: drawn one element each, they made "collapse all"
/// slower than all the rest.
const MARKS_PER_WINDOW: f64 = 2000.0;

/// The element id of slot `k`, for `aria-owns`.
fn slot_id(k: usize) -> String {
    format!("timeline-slot-{k}")
}

/// Where row `i` starts, in pixels, when `gap` is the inline detail: its
/// height, under the row at its position.
fn row_top(i: usize, gap: Option<(usize, f64)>) -> f64 {
    let y = i as f64 * ROW_HEIGHT;
    match gap {
        Some((p, h)) if i > p => y + h,
        _ => y,
    }
}

/// The row at pixel `y`; the inline detail counts as part of its row.
fn row_at(y: f64, gap: Option<(usize, f64)>) -> usize {
    let y = y.max(0.0);
    let plain = (y / ROW_HEIGHT) as usize;
    match gap {
        Some((p, h)) if plain > p => {
            let below = y - row_top(p + 1, None);
            if below < h {
                p
            } else {
                p + 1 + ((below - h) / ROW_HEIGHT) as usize
            }
        }
        _ => plain,
    }
}

fn viewport_width() -> f64 {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .unwrap_or(1280.0)
}

/// What a row shows of its span, worked out when a slot is given the span.
#[derive(Clone, PartialEq)]
struct RowInfo {
    depth: u32,
    has_children: bool,
    is_error: bool,
    service: String,
    name: String,
    span_id: String,
    color: &'static str,
    /// The bar, in % of the trace.
    left: f64,
    width: f64,
    dur: String,
    /// The duration label: after the bar, inside its end when the bar
    /// reaches the right edge and is wide, else before it.
    label_left: Option<f64>,
    label_right: Option<f64>,
    label_inside: bool,
}

impl RowInfo {
    fn of(t: &Trace, ix: SpanIx) -> Option<RowInfo> {
        let span = t.span(ix)?;
        let total = t.duration_ns().max(1) as f64;
        let left = (span.start_ns - t.start_ns) as f64 * 100.0 / total;
        let width = (span.duration_ns as f64 * 100.0 / total).max(0.0);
        let (label_left, label_right, label_inside) = if left + width <= 80.0 {
            (Some(left + width), None, false)
        } else if width >= 15.0 {
            (None, Some(100.0 - left - width), true)
        } else {
            (None, Some(100.0 - left), false)
        };
        Some(RowInfo {
            depth: span.depth,
            has_children: !t.children(ix).is_empty(),
            is_error: span.is_error(),
            service: t.service_name(span).to_string(),
            name: t.span_name(span).to_string(),
            span_id: span.span_id.to_string(),
            color: service_color(span.service),
            left,
            width,
            dur: format_duration(span.duration_ns),
            label_left,
            label_right,
            label_inside,
        })
    }
}

/// Focuses `el` without scrolling it into view (`focus({preventScroll})`;
/// the rows move the focus between their slots, which may be off screen).
fn focus_without_scrolling(el: &web_sys::Element) {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"preventScroll".into(), &true.into());
    if let Ok(focus) = js_sys::Reflect::get(el, &"focus".into()) {
        if let Some(f) = focus.dyn_ref::<js_sys::Function>() {
            let _ = f.call1(el, &options);
        }
    }
}

/// The spans of `trace` that have children, computed once into `cell`.
fn parents_of<'a>(cell: &'a OnceLock<Vec<SpanIx>>, trace: &Trace) -> &'a [SpanIx] {
    cell.get_or_init(|| {
        (0..trace.spans.len() as SpanIx)
            .filter(|&i| !trace.children(i).is_empty())
            .collect()
    })
}

/// Critical-path sections per span, in time order, for drawing.
fn sections_by_span(analysis: &TraceAnalysis) -> HashMap<SpanIx, Vec<(i64, i64)>> {
    let mut m: HashMap<SpanIx, Vec<(i64, i64)>> = HashMap::new();
    for s in &analysis.critical_path.sections {
        m.entry(s.span).or_default().push((s.start_ns, s.end_ns));
    }
    for list in m.values_mut() {
        list.sort_unstable();
    }
    m
}

/// Resolves once a trace view opened now has drawn its first two frames:
/// the one without rows, and the one its rows fill in (see the measure in
/// `Timeline`). Work that would share those frames (the minimap, the
/// analysis, the trace list's pages) starts after them.
pub(super) async fn after_first_frames() {
    crate::sources::after_paint().await;
    crate::sources::after_paint().await;
}

#[component]
pub fn Timeline(loaded: Loaded) -> impl IntoView {
    let state = expect_context::<AppState>();
    let trace = loaded.trace.clone();
    let loaded_for_minimap = loaded.clone();
    let loaded_for_detail = loaded.clone();
    // The critical path comes with the analysis, which may land after the
    // timeline is first shown.
    let analysis = loaded.analysis.clone();
    let sections =
        Memo::new(move |_| analysis.with(|a| a.as_deref().map(|a| Arc::new(sections_by_span(a)))));
    let scroll_top = RwSignal::new(0.0f64);
    // The timeline's height, once measured: until then the window holds
    // just the overscan, the first rows, which keep their slots when the
    // window grows to the measured height.
    let viewport = RwSignal::new(0.0f64);
    let container = NodeRef::<leptos::html::Div>::new();

    let t_rows = trace.clone();
    let path_analysis = loaded.analysis.clone();
    // Find: matches in tree order, recomputed when the query changes. A
    // large trace is searched a frame's worth at a time, the count saying
    // how far it got; a newer query stops an older search.
    let paced_find = trace.spans.len() >= LARGE_TRACE;
    let matches = RwSignal::new(if paced_find {
        Vec::new()
    } else {
        state.find.with_untracked(|q| Query::parse(q).find(&trace))
    });
    let searching = RwSignal::new(None::<usize>);
    let find_gen = StoredValue::new(0u64);
    let t_find = trace.clone();
    Effect::new(move |first: Option<()>| {
        state.find.track();
        if first.is_none() && !paced_find {
            // Found above, for the first render.
            return;
        }
        let query = state.find.with_untracked(|q| Query::parse(q));
        let gen = find_gen.get_value().wrapping_add(1);
        find_gen.set_value(gen);
        if !paced_find || query.is_empty() {
            matches.set(query.find(&t_find));
            searching.set(None);
            return;
        }
        searching.set(Some(0));
        let trace = t_find.clone();
        leptos::task::spawn_local(async move {
            let mut budget = Budget::new();
            let mut finder = query.finder(&trace);
            let mut found = Vec::new();
            let total = trace.tree_order.len().max(1);
            let mut done = 0;
            for chunk in trace.tree_order.chunks(STRIDE) {
                if find_gen.try_get_value() != Some(gen) {
                    return;
                }
                found.extend(chunk.iter().copied().filter(|&ix| finder.matches(ix)));
                done += chunk.len();
                let pct = done * 100 / total;
                if searching.get_untracked() != Some(pct) {
                    searching.set(Some(pct));
                }
                budget.pause().await;
            }
            if find_gen.try_get_value() == Some(gen) {
                matches.set(found);
                searching.set(None);
            }
        });
    });
    let match_set = Memo::new(move |_| matches.with(|m| m.iter().copied().collect::<SpanSet>()));
    let t_keep = trace.clone();
    let filtered = Memo::new(move |_| {
        // Until the analysis lands, "critical path only" has nothing to keep.
        let on_path: Option<Vec<bool>> = if state.cp_only.get() {
            path_analysis.with(|a| a.as_ref().map(|a| a.critical_path.on_path.clone()))
        } else {
            None
        };
        let only_matches = state.matches_only.get() && state.find.with(|q| !q.trim().is_empty());
        let keep: Option<Vec<bool>> = match (on_path, only_matches) {
            (None, false) => None,
            (Some(on_path), false) => Some(on_path),
            (None, true) => Some(matches.with(|m| with_ancestors(&t_keep, m))),
            (Some(on_path), true) => Some(matches.with(|m| {
                with_ancestors(&t_keep, m)
                    .into_iter()
                    .zip(on_path.iter())
                    .map(|(a, b)| a && *b)
                    .collect()
            })),
        };
        state
            .collapsed
            .with(|c| visible_rows(&t_rows, c, keep.as_deref()))
    });
    let rows = Memo::new(move |_| filtered.with(|f| f.0.clone()));
    let hidden = Memo::new(move |_| filtered.with(|f| f.1));

    // The inline detail: one block of measured height under the selected
    // row; the rows after it move down by that height.
    let inline_pos = Memo::new(move |_| {
        if !state.detail_inline.get() || !state.detail_open.get() {
            return None;
        }
        let sel = state.selected_span.get()?;
        rows.with(|r| r.iter().position(|&x| x == sel))
    });
    let inline_shown = Memo::new(move |_| inline_pos.get().is_some());
    let inline_h = RwSignal::new(0.0f64);
    let gap = Memo::new(move |_| inline_pos.get().map(|p| (p, inline_h.get())));
    let inline_block = NodeRef::<leptos::html::Div>::new();
    // Its height is measured whenever it changes (another span, the filter,
    // the window's width).
    let inline_watch = SizeWatch::new(move || {
        if let Some(el) = inline_block.get_untracked() {
            inline_h.set(el.offset_height() as f64);
        }
    });
    Effect::new(move |_| {
        let block = inline_block.get();
        inline_watch.watch(block.as_ref().map(AsRef::as_ref));
    });

    // Moving through the matches selects the match and scrolls to it.
    let go_to_match = move |delta: isize| {
        let n = matches.with_untracked(|m| m.len());
        if n == 0 {
            return;
        }
        let cur = state.match_cursor.get_untracked();
        let next = if state.match_cursor_fresh.get_untracked() {
            if delta < 0 {
                n - 1
            } else {
                0
            }
        } else {
            (cur as isize + delta).rem_euclid(n as isize) as usize
        };
        state.match_cursor_fresh.set(false);
        state.match_cursor.set(next);
        if let Some(ix) = matches.with_untracked(|m| m.get(next).copied()) {
            state.selected_span.set(Some(ix));
            state.scroll_to.set(Some(ix));
        }
    };

    // Collapse by level and by duration.
    let t_levels = trace.clone();
    // The spans with children: a pass over every span, made the first time
    // a control needs it rather than while a new trace is first drawn.
    let parents: Arc<OnceLock<Vec<SpanIx>>> = Arc::new(OnceLock::new());
    let (p_all, t_all) = (parents.clone(), trace.clone());
    let collapse_all = move || {
        let all = parents_of(&p_all, &t_all);
        state.collapsed.set(all.iter().copied().collect())
    };
    let expand_all = move || state.collapsed.set(SpanSet::new());
    let p_more = parents.clone();
    let t_more = t_levels.clone();
    // Collapse the deepest level of spans that are open and in view.
    let collapse_level = move || {
        let p_more = parents_of(&p_more, &t_more);
        let shown: SpanSet = rows.with_untracked(|r| r.iter().copied().collect());
        let open = |i: &&SpanIx| {
            shown.contains(**i) && !state.collapsed.with_untracked(|c| c.contains(**i))
        };
        let depth = p_more
            .iter()
            .filter(open)
            .filter_map(|&i| t_more.span(i))
            .map(|s| s.depth)
            .max();
        if let Some(d) = depth {
            let level: Vec<SpanIx> = p_more
                .iter()
                .filter(open)
                .copied()
                .filter(|&i| t_more.span(i).is_some_and(|s| s.depth == d))
                .collect();
            state.collapsed.update(|c| c.extend(level));
        }
    };
    let t_less = t_levels.clone();
    // Open the shallowest level of collapsed spans that are in view.
    let expand_level = move || {
        let shown: Vec<SpanIx> = rows.with_untracked(|r| {
            r.iter()
                .copied()
                .filter(|&i| state.collapsed.with_untracked(|c| c.contains(i)))
                .collect()
        });
        let depth = shown
            .iter()
            .filter_map(|&i| t_less.span(i))
            .map(|s| s.depth)
            .min();
        if let Some(d) = depth {
            state.collapsed.update(|c| {
                for &i in &shown {
                    if t_less.span(i).is_some_and(|s| s.depth == d) {
                        c.remove(i);
                    }
                }
            });
        }
    };
    let t_below = t_levels.clone();
    let p_below = parents.clone();
    let apply_collapse_below = move |limit: i64| {
        state.collapsed.set(
            parents_of(&p_below, &t_below)
                .iter()
                .copied()
                .filter(|&i| t_below.span(i).is_some_and(|s| s.duration_ns < limit))
                .collect(),
        );
    };
    let below_text = RwSignal::new(state.collapse_below.get_untracked().unwrap_or_default());
    let below_error = RwSignal::new(None::<String>);
    if let Some(limit) = state
        .collapse_below
        .get_untracked()
        .and_then(|t| parse_duration(&t).ok())
    {
        apply_collapse_below(limit);
    }

    // Scroll requests (from findings and statistics): open the ancestors,
    // then bring the row into view.
    let t_scroll = trace.clone();
    Effect::new(move |_| {
        let Some(target) = state.scroll_to.get() else {
            return;
        };
        let mut ancestors = Vec::new();
        let mut cur = t_scroll.span(target).and_then(|s| s.parent);
        while let Some(p) = cur {
            ancestors.push(p);
            cur = t_scroll.span(p).and_then(|s| s.parent);
        }
        if state
            .collapsed
            .with_untracked(|c| ancestors.iter().any(|&a| c.contains(a)))
        {
            state.collapsed.update(|c| {
                ancestors.iter().for_each(|&a| {
                    c.remove(a);
                })
            });
        }
        let pos = rows.with(|r| r.iter().position(|&x| x == target));
        if let (Some(pos), Some(el)) = (pos, container.get_untracked()) {
            // A row a third down the view; the row with the detail inline
            // near the top, so that the detail below it is seen.
            let above = if gap.get_untracked().is_some_and(|(p, _)| p == pos) {
                ROW_HEIGHT
            } else {
                // The view's height, measured here: this may run before
                // `viewport` is.
                f64::from(el.client_height()) / 3.0
            };
            let y = row_top(pos, gap.get_untracked()) - above;
            el.set_scroll_top(y.max(0.0) as i32);
            scroll_top.set(el.scroll_top() as f64);
        }
        state.scroll_to.set(None);
    });
    // The rows in view, drawn in a fixed number of slots: row `p` is drawn
    // by slot `p % slots`, so that a row keeps its element while it stays in
    // view, scrolling only gives new rows to the slots of the rows that
    // left, and a jump gives every slot a new row without making elements.
    // The slots are the DOM rows (see `render_slot`).
    //
    // When the view moves by more than the overscan at once (a jump, a drag
    // of the scrollbar, a fast fling), the rows that were drawn above and
    // below it are of no use: only the rows in view are drawn then, and the
    // slots of the overscan keep what they showed (rows of this same list,
    // out of view) until the window settles. A slot only ever shows the row
    // at its position, so nothing on screen is stale. The first window, and
    // the first after a resize, also draw the rows in view first.
    let slot_count = Memo::new(move |_| window_slots(viewport.get()));
    // Bumped when `rows` changes: the positions of the rows drawn are then
    // those of another list.
    // (Memos are read, not `track`ed, in what follows: `track` subscribes
    // without bringing a memo up to date, and a memo nobody reads then
    // stops telling its subscribers about changes.)
    let rows_gen = Memo::new(move |before: Option<&u64>| {
        rows.with(|_| ());
        before.map_or(0, |g| g.wrapping_add(1))
    });
    // Bumped once the window has not changed for `SETTLE_MS`.
    let settled = RwSignal::new(0u32);
    let last_draw = StoredValue::new((usize::MAX, u64::MAX, u32::MAX));
    // Whether the window drew only the rows in view, and whether the window
    // settling after it draws half the overscan (see below).
    let last_lazy = StoredValue::new(false);
    let half_filled = RwSignal::new(false);
    let window = Memo::new(move |drawn: Option<&Vec<Option<(usize, SpanIx)>>>| {
        let n = slot_count.get();
        let g = gap.get();
        let top = scroll_top.get();
        let gen = rows_gen.get();
        let settle = settled.get();
        let in_view = row_at(top, g);
        let first = in_view.saturating_sub(OVERSCAN);
        let view = in_view.saturating_sub(1)..=row_at(top + viewport.get(), g) + 1;
        let (last_first, last_gen, last_settle) = last_draw.get_value();
        last_draw.set_value((first, gen, settle));
        // A new number of slots (the first window, a resize) starts from
        // empty slots, filled for the rows in view only.
        let resized = drawn.is_none_or(|d| d.len() != n);
        let jumped =
            gen == last_gen && settle == last_settle && first.abs_diff(last_first) > OVERSCAN;
        let lazy = resized || jumped;
        last_lazy.set_value(lazy);
        // Settling after a lazy window draws half the overscan on each side
        // first, and the rest on the next frame (`half_filled`).
        let near = if lazy {
            view.clone()
        } else if half_filled.get() {
            view.start().saturating_sub(OVERSCAN / 2)..=view.end().saturating_add(OVERSCAN / 2)
        } else {
            0..=usize::MAX
        };
        let mut slots = match drawn {
            Some(d) if !resized && jumped => d.clone(),
            _ => vec![None; n],
        };
        rows.with(|r| {
            for (p, &ix) in r.iter().enumerate().skip(first).take(n) {
                if !near.contains(&p) {
                    continue;
                }
                if let Some(slot) = slots.get_mut(p % n) {
                    *slot = Some((p, ix));
                }
            }
        });
        slots
    });
    // The slots with a row, in the order of their rows.
    let in_row_order = move || {
        window.with_untracked(|w| {
            let mut shown: Vec<(usize, usize)> = w
                .iter()
                .enumerate()
                .filter_map(|(k, s)| s.map(|(p, _)| (p, k)))
                .collect();
            shown.sort_unstable();
            shown.into_iter().map(|(_, k)| k).collect::<Vec<_>>()
        })
    };
    let used_slots = Memo::new(move |_| {
        window.with(|w| {
            w.iter()
                .enumerate()
                .filter(|(_, s)| s.is_some())
                .map(|(k, _)| k)
                .collect::<Vec<_>>()
        })
    });
    // While the rows scroll, the slots keep their place in the DOM, so that
    // no element moves; once the window has not changed for a moment, they
    // are put in the order of their rows (tab order), which moves the few
    // whose row wrapped around. Meanwhile `aria-owns` gives assistive
    // technology the rows' order.
    let settle_timer = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        window.with(|_| ());
        if let Some(h) = settle_timer.get_value() {
            h.clear();
        }
        let h = set_timeout_with_handle(
            move || {
                // Rows drawn in view only (a new view, a jump): the overscan
                // comes over two frames, each with a share of new rows.
                if last_lazy.get_value() {
                    half_filled.set(true);
                    leptos::task::spawn_local(async move {
                        crate::sources::after_paint().await;
                        half_filled.try_set(false);
                    });
                }
                settled.update(|n| *n = n.wrapping_add(1));
            },
            std::time::Duration::from_millis(SETTLE_MS),
        )
        .ok();
        settle_timer.set_value(h);
    });
    on_cleanup(move || {
        if let Some(h) = settle_timer.try_get_value().flatten() {
            h.clear();
        }
    });
    // Set when elements may move or lose the row they show while a toggle
    // has the focus: see `follow_focus`.
    let focus_moving = StoredValue::new(false);
    // The span whose toggle has the focus.
    let focused_span = StoredValue::new(None::<SpanIx>);
    let slot_order = Memo::new(move |before: Option<&Vec<usize>>| {
        settled.with(|_| ());
        used_slots.with(|_| ());
        let order = in_row_order();
        // Moving an element takes the focus from a toggle in it: say so
        // before the elements move, so that the focus is given back.
        if before.is_some_and(|b| *b != order) && focused_span.get_value().is_some() {
            focus_moving.set_value(true);
        }
        order
    });
    let aria_owns = Memo::new(move |_| {
        window.with(|_| ());
        in_row_order()
            .into_iter()
            .map(slot_id)
            .collect::<Vec<_>>()
            .join(" ")
    });

    let measure = move || {
        if let Some(el) = container.try_get_untracked().flatten() {
            let top = el.scroll_top() as f64;
            if scroll_top.try_get_untracked() != Some(top) {
                scroll_top.try_set(top);
            }
            let h = el.client_height() as f64;
            if h > 0.0 && viewport.try_get_untracked() != Some(h) {
                viewport.try_set(h);
            }
        }
    };
    // The height is measured once the new view has been drawn, and the
    // rows that fill it are drawn on the next frame. Measuring while the
    // view is built would force a layout of the whole page in the same
    // task, and the first frame would carry building, that layout, and the
    // rows' own layout and paint (bench/README.md, session 7). From then
    // on, an observer measures it whenever it changes (the window resized,
    // the bottleneck panel above folded), within the frame that changed it.
    let height_watch = SizeWatch::new(measure);
    Effect::new(move |_| {
        if container.get().is_some() {
            leptos::task::spawn_local(async move {
                crate::sources::after_paint().await;
                measure();
                if let Some(el) = container.try_get_untracked().flatten() {
                    height_watch.watch(Some(&el));
                }
            });
        }
    });

    let t0 = trace.start_ns;
    let total = trace.duration_ns().max(1) as f64;
    let pct = move |ns: i64| (ns - t0) as f64 * 100.0 / total;
    let ticks = move || {
        let (a, b) = state.view_range.get();
        (0..=4)
            .map(|k| {
                let f = k as f64 / 4.0;
                let label = format_duration((total * (a + f * (b - a))) as i64);
                view! { <span class="tick" style:left=format!("{}%", f * 100.0)>{label}</span> }
            })
            .collect_view()
    };

    // The name column is resized by dragging its edge in the ruler.
    let name_width = RwSignal::new(NAME_WIDTH);
    let resizing = StoredValue::new(None::<(i32, f64)>);
    let resize_move = window_event_listener(leptos::ev::mousemove, move |ev| {
        if let Some((x0, w0)) = resizing.get_value() {
            let max = viewport_width() * 0.7;
            name_width.set(
                (w0 + (ev.client_x() - x0) as f64).clamp(MIN_NAME_WIDTH, max.max(MIN_NAME_WIDTH)),
            );
        }
    });
    let resize_up = window_event_listener(leptos::ev::mouseup, move |_| resizing.set_value(None));
    on_cleanup(move || {
        resize_move.remove();
        resize_up.remove();
    });

    // Drag on the ruler to zoom into the dragged range of the current window.
    let ruler_sel = RwSignal::new(None::<(f64, f64)>);
    let ruler_el = StoredValue::new(None::<web_sys::Element>);
    let ruler_down = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        let Some(el) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let x = fraction_in(&el, ev.client_x());
        ruler_el.set_value(Some(el));
        ruler_sel.set(Some((x, x)));
    };
    let ruler_move = window_event_listener(leptos::ev::mousemove, move |ev| {
        if let (Some((x0, _)), Some(el)) = (ruler_sel.get_untracked(), ruler_el.get_value()) {
            ruler_sel.set(Some((x0, fraction_in(&el, ev.client_x()))));
        }
    });
    let ruler_up = window_event_listener(leptos::ev::mouseup, move |_| {
        if let Some((x0, x1)) = ruler_sel.get_untracked() {
            if (x1 - x0).abs() > 0.005 {
                let (a, b) = state.view_range.get_untracked();
                let w = b - a;
                state
                    .view_range
                    .set(window_of(a + x0.min(x1) * w, a + x0.max(x1) * w));
            }
            ruler_sel.set(None);
            ruler_el.set_value(None);
        }
    });
    on_cleanup(move || {
        ruler_move.remove();
        ruler_up.remove();
    });
    // Zoom around a point, or pan, by a factor of the current window.
    let zoom = move |factor: f64, at: f64| {
        let (a, b) = state.view_range.get_untracked();
        let w = ((b - a) * factor).clamp(MIN_WINDOW, 1.0);
        let center = a + at * (b - a);
        let mut lo = center - at * w;
        if lo < 0.0 {
            lo = 0.0;
        }
        if lo + w > 1.0 {
            lo = 1.0 - w;
        }
        state.view_range.set(window_of(lo, lo + w));
    };
    let pan = move |by: f64| {
        let (a, b) = state.view_range.get_untracked();
        let w = b - a;
        let lo = (a + by * w).clamp(0.0, 1.0 - w);
        state.view_range.set((lo, lo + w));
    };
    let on_wheel = move |ev: web_sys::WheelEvent| {
        if ev.ctrl_key() || ev.meta_key() {
            ev.prevent_default();
            let at = ev
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .map_or(0.5, |el| {
                    let r = el.get_bounding_client_rect();
                    let name_w = name_width.get_untracked();
                    let x = ev.client_x() as f64 - r.left() - name_w;
                    (x / (r.width() - name_w).max(1.0)).clamp(0.0, 1.0)
                });
            zoom(if ev.delta_y() < 0.0 { 0.8 } else { 1.25 }, at);
        } else if ev.shift_key() {
            ev.prevent_default();
            pan(ev.delta_y().signum() * 0.1);
        }
    };

    // View state from the URL (deep link, back/forward) for this trace.
    super::url::apply_pending(state, &trace);

    // Keyboard: Jaeger UI's keys, arrows for the selection, `?` for help.
    let find_input = NodeRef::<leptos::html::Input>::new();
    let t_keys = trace.clone();
    let (k_collapse_all, k_expand_all) = (collapse_all.clone(), expand_all);
    let (k_collapse_level, k_expand_level) = (collapse_level.clone(), expand_level.clone());
    let select_row = move |ix: SpanIx| {
        state.selected_span.set(Some(ix));
        state.scroll_to.set(Some(ix));
    };
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let key = ev.key();
        let in_field = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if (ev.ctrl_key() || ev.meta_key()) && key.eq_ignore_ascii_case("b") {
            ev.prevent_default();
            if let Some(el) = find_input.get_untracked() {
                let _ = el.focus();
            }
            return;
        }
        if key == "Escape" {
            if state.show_help.get_untracked() {
                state.show_help.set(false);
            } else if !state.find.with_untracked(|q| q.is_empty()) {
                state.find.set(String::new());
            } else {
                state.detail_open.set(false);
            }
            return;
        }
        // Enter and Space on a button or link press it.
        let on_control = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "BUTTON" | "A" | "SUMMARY"));
        if in_field
            || (on_control && matches!(key.as_str(), "Enter" | " "))
            || ev.ctrl_key()
            || ev.meta_key()
            || ev.alt_key()
        {
            return;
        }
        let selected = state.selected_span.get_untracked();
        let pos = selected.and_then(|s| rows.with_untracked(|r| r.iter().position(|&x| x == s)));
        let row_at = |p: usize| rows.with_untracked(|r| r.get(p).copied());
        let big = ev.shift_key();
        let mut handled = true;
        match key.as_str() {
            "ArrowDown" | "f" => {
                if let Some(ix) = row_at(pos.map_or(0, |p| p + 1)) {
                    select_row(ix);
                }
            }
            "ArrowUp" | "b" => {
                if let Some(ix) = pos.and_then(|p| p.checked_sub(1)).and_then(row_at) {
                    select_row(ix);
                }
            }
            "ArrowLeft" => {
                if let Some(ix) = selected {
                    let open = !t_keys.children(ix).is_empty()
                        && !state.collapsed.with_untracked(|c| c.contains(ix));
                    if open {
                        state.collapsed.update(|c| {
                            c.insert(ix);
                        });
                    } else if let Some(p) = t_keys.span(ix).and_then(|s| s.parent) {
                        select_row(p);
                    }
                }
            }
            "ArrowRight" => {
                if let Some(ix) = selected {
                    if state.collapsed.with_untracked(|c| c.contains(ix)) {
                        state.collapsed.update(|c| {
                            c.remove(ix);
                        });
                    } else if let Some(&first) = t_keys.children(ix).first() {
                        select_row(first);
                    }
                }
            }
            "Enter" => state.detail_open.set(true),
            "s" | "w" => {
                if let Some(el) = container.get_untracked() {
                    let by = if key == "s" { 3.0 } else { -3.0 } * ROW_HEIGHT;
                    el.set_scroll_top(el.scroll_top() + by as i32);
                    scroll_top.set(el.scroll_top() as f64);
                }
            }
            "a" | "A" => pan(if big { -0.5 } else { -0.1 }),
            "d" | "D" => pan(if big { 0.5 } else { 0.1 }),
            "+" | "=" => zoom(0.8, 0.5),
            "-" | "_" => zoom(1.25, 0.5),
            "0" => state.view_range.set((0.0, 1.0)),
            "]" => k_collapse_all(),
            "[" => k_expand_all(),
            "p" => k_collapse_level(),
            "o" => k_expand_level(),
            "?" => state.show_help.update(|h| *h = !*h),
            _ => handled = false,
        }
        if handled {
            ev.prevent_default();
        }
    });
    on_cleanup(move || keys.remove());

    // A click selects the row and opens the detail. With the detail inline
    // under a row above, the rows below move up when it closes: scroll by
    // as much, so that the clicked row stays under the pointer.
    let select_clicked = move |i: usize, ix: SpanIx| {
        if let (Some((p, h)), Some(el)) = (gap.get_untracked(), container.get_untracked()) {
            if p < i {
                el.set_scroll_top((el.scroll_top() as f64 - h).max(0.0) as i32);
                scroll_top.set(el.scroll_top() as f64);
            }
        }
        state.selected_span.set(Some(ix));
        state.detail_open.set(true);
    };

    // The focus on a row's toggle follows the span, not the slot: when the
    // rows move between slots (collapse, expand, filters) it moves to the
    // span's new slot, and it leaves the rows when the span leaves the
    // window (as it did when each span had its own element).
    // `focus_moving` is set when a slot that had the focused span is given
    // another one (its toggle may go, the focus then falls to the page, or
    // show another span) and when the slots are put in order.
    let rows_el = NodeRef::<leptos::html::Div>::new();
    let slot_of_target = move |target: Option<web_sys::EventTarget>| {
        target
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("[data-slot]").ok().flatten())
            .and_then(|row| row.get_attribute("data-slot"))
            .and_then(|k| k.parse::<usize>().ok())
    };
    let on_focusin = move |ev: leptos::ev::FocusEvent| {
        let span = slot_of_target(ev.target())
            .and_then(|k| window.with_untracked(|w| w.get(k).copied().flatten()))
            .map(|(_, ix)| ix);
        focused_span.set_value(span);
    };
    let on_focusout = move |ev: leptos::ev::FocusEvent| {
        let to_rows = match (ev.related_target(), rows_el.get_untracked()) {
            (Some(to), Some(rows)) => to
                .dyn_ref::<web_sys::Node>()
                .is_some_and(|n| rows.contains(Some(n))),
            _ => false,
        };
        if !to_rows && !focus_moving.get_value() {
            focused_span.set_value(None);
        }
    };
    let follow_focus = move || {
        let moving = focus_moving.get_value();
        focus_moving.set_value(false);
        let (Some(want), Some(rows_el)) = (focused_span.get_value(), rows_el.get_untracked())
        else {
            return;
        };
        let active = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element());
        let in_rows = active.as_ref().is_some_and(|a| rows_el.contains(Some(a)));
        if !in_rows && !moving {
            return;
        }
        let slot_with = |ix: SpanIx| {
            window.with_untracked(|w| w.iter().position(|s| s.is_some_and(|(_, x)| x == ix)))
        };
        let here = active
            .as_ref()
            .and_then(|a| slot_of_target(Some(a.clone().into())));
        let there = slot_with(want);
        if in_rows && here.is_some() && here == there {
            return;
        }
        let target = there.and_then(|k| {
            rows_el
                .query_selector(&format!("[data-slot=\"{k}\"] .toggle"))
                .ok()
                .flatten()
        });
        match target {
            Some(el) => focus_without_scrolling(&el),
            None => {
                focused_span.set_value(None);
                if let Some(el) = active
                    .filter(|_| in_rows)
                    .and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = el.blur();
                }
            }
        }
    };
    Effect::new(move |_| {
        window.with(|_| ());
        slot_order.with(|_| ());
        if focused_span.get_value().is_some() {
            // After the slots have been given their new spans.
            request_animation_frame(follow_focus);
        }
    });

    // A click in the rows: on a row's toggle it collapses or expands the
    // row's span, elsewhere it selects the span. One listener for all the
    // rows, which read their span from their slot.
    let on_rows_click = move |ev: leptos::ev::MouseEvent| {
        let target = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        let Some(shown) = slot_of_target(target.clone().map(Into::into))
            .and_then(|k| window.with_untracked(|w| w.get(k).copied().flatten()))
        else {
            return;
        };
        let (p, ix) = shown;
        let on_toggle = target.is_some_and(|t| t.closest(".toggle").ok().flatten().is_some());
        if on_toggle {
            state.collapsed.update(|c| {
                if !c.remove(ix) {
                    c.insert(ix);
                }
            });
        } else {
            select_clicked(p, ix);
        }
    };

    // One row of the window. Slot `k` draws whichever row of the window
    // falls to it: its memos tell when that row or its state changes, and
    // the row is then rebuilt in place, which only writes the text,
    // attributes and styles that differ (no elements or bindings are made,
    // but for a toggle, an error mark or a critical-path mark that comes or
    // goes).
    let t_row = trace.clone();
    let render_slot = move |k: usize| {
        let t_info = t_row.clone();
        let t_marks = t_row.clone();
        let cur = Memo::new(move |_| window.with(|w| w.get(k).copied().flatten()));
        let span = Memo::new(move |_| cur.get().map(|(_, ix)| ix));
        let info = Memo::new(move |_| span.get().and_then(|ix| RowInfo::of(&t_info, ix)));
        let collapsed = Memo::new(move |_| {
            span.get()
                .is_some_and(|ix| state.collapsed.with(|c| c.contains(ix)))
        });
        let selected =
            Memo::new(move |_| span.get().is_some() && state.selected_span.get() == span.get());
        let highlighted = Memo::new(move |_| {
            span.get()
                .is_some_and(|ix| state.highlight.with(|h| h.contains(ix)))
        });
        let matched = Memo::new(move |_| {
            span.get()
                .is_some_and(|ix| match_set.with(|m| m.contains(ix)))
        });
        // Critical-path marks, in time order: the span's own sections, plus
        // its descendants' when it is collapsed (only then: the top rows of a
        // large trace have subtrees of nearly every span).
        let marks = Memo::new(move |_| {
            let Some(ix) = span.get() else {
                return Vec::new();
            };
            let whole = collapsed.get() && !t_marks.children(ix).is_empty();
            sections.with(|m| {
                let Some(m) = m else {
                    return Vec::new();
                };
                if !whole {
                    return m.get(&ix).cloned().unwrap_or_default();
                }
                // From whichever is smaller: the subtree (a million spans
                // under a collapsed root) or the spans on the path.
                let subtree = t_marks.subtree(ix);
                let mut list: Vec<(i64, i64)> = if subtree.len() <= m.len() {
                    subtree
                        .iter()
                        .filter_map(|d| m.get(d))
                        .flatten()
                        .copied()
                        .collect()
                } else {
                    m.iter()
                        .filter(|(d, _)| t_marks.in_subtree(ix, **d))
                        .flat_map(|(_, v)| v.iter().copied())
                        .collect()
                };
                list.sort_unstable();
                list
            })
        });
        let drawn = StoredValue::new(None::<SpanIx>);
        move || {
            let now = span.get();
            let before = drawn.get_value();
            if before != now && before.is_some() && focused_span.get_value() == before {
                focus_moving.set_value(true);
            }
            drawn.set_value(now);
            let (pos, _) = cur.get()?;
            let i = info.get()?;
            // The view window: the row's track is stretched so that the
            // window's part of the trace fills the bar column.
            let (a, b) = state.view_range.get();
            let window_w = (b - a).max(1e-9);
            let collapsed = collapsed.get();
            let (from, to) = (t0 + (a * total) as i64, t0 + (b * total) as i64);
            let min_gap = (window_w * total / MARKS_PER_WINDOW) as i64;
            let marks = marks.with(|m| {
                join_sections(m, from, to, min_gap)
                    .into_iter()
                    .map(|(s, e)| {
                        view! {
                            <span
                                class="cp"
                                style:left=format!("{:.4}%", pct(s))
                                style:width=format!("{:.4}%", ((e - s) as f64 * 100.0 / total).max(0.05))
                            ></span>
                        }
                    })
                    .collect::<Vec<_>>()
            });
            let title = format!("{}: {}", i.service, i.name);
            let toggle = if i.has_children {
                Either::Left(view! {
                    <button class="toggle" data-testid="toggle" aria-label="Collapse or expand">
                        {if collapsed { "▸" } else { "▾" }}
                    </button>
                })
            } else {
                Either::Right(view! { <span class="toggle-space"></span> })
            };
            Some(
                view! {
                    <div
                        class="row"
                        role="treeitem"
                        id=slot_id(k)
                        data-slot=k.to_string()
                        aria-expanded=i.has_children.then_some(if collapsed { "false" } else { "true" })
                        aria-selected=if selected.get() { "true" } else { "false" }
                        data-span-id=i.span_id
                        class:selected=selected.get()
                        class:highlighted=highlighted.get()
                        class:match=matched.get()
                        style:top=format!("{}px", row_top(pos, gap.get()))
                    >
                        // The name column's width and the track's place (the view
                        // window) are the timeline's, set once on it (see below).
                        <div class="name-cell">
                            // One element for all the indentation guides (a
                            // repeating background), not one per level.
                            <span class="indent" style:width=format!("{}px", i.depth as f64 * INDENT)></span>
                            {toggle}
                            <span class="swatch" style:background=i.color></span>
                            <span class="span-name" title=title>
                                <span class="svc">{i.service}</span>" "
                                <span class="op">{i.name}</span>
                            </span>
                            {i.is_error.then(|| view! { <span class="error-mark" title="error">"!"</span> })}
                        </div>
                        <div class="bar-cell">
                            <div class="track">
                                <div
                                    class="bar"
                                    class:error=i.is_error
                                    style:left=format!("{:.4}%", i.left)
                                    style:width=format!("{:.4}%", i.width.max(0.1))
                                    style:background=i.color
                                ></div>
                                {marks}
                                <span
                                    class="dur"
                                    class:inside=i.label_inside
                                    style:left=i.label_left.map(|l| format!("calc({l:.4}% + 4px)"))
                                    style:right=i.label_right.map(|r| format!("calc({r:.4}% + 4px)"))
                                >{i.dur}</span>
                            </div>
                        </div>
                    </div>
                }
                // `aria-level` has no typed attribute in tachys; set it by name.
                .add_any_attr(custom_attribute("aria-level", (i.depth + 1).to_string())),
            )
        }
    };

    // What every row shares, set once here rather than on each row: the
    // name column's width, and the place of the rows' tracks, stretched so
    // that the view window's part of the trace fills the bar column.
    let shared_style = move || {
        let (a, b) = state.view_range.get();
        let w = (b - a).max(1e-9);
        format!(
            "--name-width: {}px; --track-left: {:.4}%; --track-width: {:.4}%",
            name_width.get(),
            -a / w * 100.0,
            100.0 / w
        )
    };
    view! {
        <div class="timeline-wrap" style=shared_style>
            <div class="timeline-tools find-tools">
                <input
                    type="search"
                    node_ref=find_input
                    data-testid="find"
                    class="find"
                    placeholder="Find… (service, name, key=value, \"phrase\", -key)"
                    aria-label="Find spans"
                    prop:value=move || state.find.get()
                    on:input=move |ev| {
                        state.find.set(event_target_value(&ev));
                        state.match_cursor.set(0);
                        state.match_cursor_fresh.set(true);
                    }
                    on:keydown=move |ev: web_sys::KeyboardEvent| {
                        if ev.key() == "Enter" {
                            go_to_match(if ev.shift_key() { -1 } else { 1 });
                        } else if ev.key() == "Escape" {
                            state.find.set(String::new());
                        }
                    }
                />
                <span class="match-count" data-testid="match-count">
                    {move || {
                        let n = matches.with(|m| m.len());
                        if state.find.with(|q| q.trim().is_empty()) {
                            String::new()
                        } else if let Some(pct) = searching.get() {
                            format!("searching… {pct} %")
                        } else if n == 0 {
                            "no match".to_string()
                        } else if state.match_cursor_fresh.get() {
                            if n == 1 { "1 match".to_string() } else { format!("{n} matches") }
                        } else {
                            format!("{} of {n}", state.match_cursor.get() + 1)
                        }
                    }}
                </span>
                <button class="small" data-testid="prev-match" aria-label="Previous match" title="Previous match (Shift+Enter)" on:click=move |_| go_to_match(-1)>"↑"</button>
                <button class="small" data-testid="next-match" aria-label="Next match" title="Next match (Enter)" on:click=move |_| go_to_match(1)>"↓"</button>
                <Toggle checked=state.matches_only testid="matches-only" label="Matches only"/>
            </div>
            <div class="timeline-tools">
                <span class="level-buttons">
                    <button class="small" data-testid="expand-all" title="Expand all" on:click=move |_| expand_all()>"Expand all"</button>
                    <button class="small" data-testid="collapse-all" title="Collapse all" on:click=move |_| collapse_all()>"Collapse all"</button>
                    <button class="small" data-testid="expand-level" title="Expand one level" on:click=move |_| expand_level()>"+1 level"</button>
                    <button class="small" data-testid="collapse-level" title="Collapse one level" on:click=move |_| collapse_level()>"−1 level"</button>
                </span>
                <label>
                    "Collapse shorter than "
                    <input
                        type="text"
                        class="duration"
                        data-testid="collapse-below"
                        placeholder="100ms"
                        size="6"
                        prop:value=move || below_text.get()
                        on:change=move |ev| {
                            let text = event_target_value(&ev);
                            below_text.set(text.clone());
                            if text.trim().is_empty() {
                                below_error.set(None);
                                state.collapse_below.set(None);
                                expand_all();
                                return;
                            }
                            match parse_duration(&text) {
                                Ok(limit) => {
                                    below_error.set(None);
                                    state.collapse_below.set(Some(text.trim().to_string()));
                                    apply_collapse_below(limit);
                                }
                                Err(e) => below_error.set(Some(e)),
                            }
                        }
                    />
                </label>
                {move || below_error.get().map(|e| view! { <span class="input-error" role="alert">{e}</span> })}
                <Toggle checked=state.cp_only testid="cp-only" label="Critical path only"/>
                <Show when=move || { hidden.get() != 0 }>
                    <span class="hidden-count" data-testid="hidden-count">
                        {move || {
                            let n = hidden.get();
                            let only = state.matches_only.get() && state.find.with(|q| !q.trim().is_empty());
                            match (state.cp_only.get(), only) {
                                (true, false) => format!("{n} spans off the critical path hidden"),
                                (false, true) => format!("{n} spans not matching hidden"),
                                _ => format!("{n} spans off the critical path or not matching hidden"),
                            }
                        }}
                    </span>
                </Show>
                <Show when=move || state.highlight.with(|h| !h.is_empty())>
                    <span class="highlight-count">
                        {move || format!("{} spans highlighted", state.highlight.with(|h| h.len()))}
                    </span>
                    <button class="link" on:click=move |_| state.highlight.set(SpanSet::new())>"clear"</button>
                </Show>
            </div>
            <div class="minimap-row">
                <Minimap loaded=loaded_for_minimap.clone()/>
                <button class="small" data-testid="reset-zoom" title="Show the whole trace"
                    disabled=move || state.view_range.get() == (0.0, 1.0)
                    on:click=move |_| state.view_range.set((0.0, 1.0))>"Reset zoom"</button>
            </div>
            <div class="ruler">
                <div class="name-cell">
                    <span
                        class="col-resizer"
                        data-testid="name-resizer"
                        role="separator"
                        aria-orientation="vertical"
                        title="Drag to resize the name column"
                        on:mousedown=move |ev: leptos::ev::MouseEvent| {
                            ev.prevent_default();
                            ev.stop_propagation();
                            resizing.set_value(Some((ev.client_x(), name_width.get_untracked())));
                        }
                    ></span>
                    <span class="legend">
                        {trace.services.iter().enumerate().take(12).map(|(i, s)| view! {
                            <span class="legend-item"><span class="swatch" style:background=service_color(i as u32)></span>{trace.str(s.name).to_string()}</span>
                        }).collect_view()}
                    </span>
                </div>
                <div class="bar-cell ruler-zoom" data-testid="ruler" title="Drag to zoom into a time range"
                    on:mousedown=move |ev: leptos::ev::MouseEvent| ruler_down(ev)>
                    {ticks}
                    {move || ruler_sel.get().map(|(x0, x1)| view! {
                        <span class="ruler-selection" style:left=format!("{}%", x0.min(x1) * 100.0) style:width=format!("{}%", (x1 - x0).abs() * 100.0)></span>
                    })}
                </div>
            </div>
            <div
                class="timeline"
                data-testid="timeline"
                node_ref=container
                on:scroll=move |_| measure()
                on:wheel=on_wheel
            >
                <div
                    class="rows"
                    role="tree"
                    aria-label="Spans"
                    aria-owns=move || aria_owns.get()
                    node_ref=rows_el
                    on:focusin=on_focusin
                    on:focusout=on_focusout
                    on:click=on_rows_click
                    style:height=move || format!("{}px", row_top(rows.with(|r| r.len()), gap.get()))
                >
                    <For each=move || slot_order.get() key=|k| *k children=render_slot/>
                </div>
                {move || inline_shown.get().then(|| view! {
                    <div
                        class="inline-detail"
                        data-testid="inline-detail"
                        node_ref=inline_block
                        style:top=move || format!("{}px", row_top(inline_pos.get().map_or(0, |p| p + 1), None))
                    >
                        <SpanDetail loaded=loaded_for_detail.clone() inline=true/>
                    </div>
                })}
            </div>
        </div>
    }
}
