//! The virtualised timeline: only the rows in view are in the DOM, whatever
//! the trace's size. Rows are the spans in tree order, minus the descendants
//! of collapsed spans.

use super::detail::SpanDetail;
use super::format::{format_duration, service_color};
use super::minimap::{fraction_in, window_of, Minimap, MIN_WINDOW};
use super::state::{AppState, Loaded};
use super::widgets::Toggle;
use crate::analysis::describe::parse_duration;
use crate::analysis::search::{with_ancestors, Query};
use crate::model::{SpanIx, Trace};
use leptos::prelude::*;
use leptos::tachys::html::attribute::custom::custom_attribute;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

pub const ROW_HEIGHT: f64 = 24.0;
const OVERSCAN: usize = 8;
const NAME_WIDTH: f64 = 340.0;
const MIN_NAME_WIDTH: f64 = 120.0;
const INDENT: f64 = 14.0;

/// The spans shown as rows: tree order without descendants of collapsed
/// spans, and, when `keep` is given, without spans it rejects (with their
/// subtrees). Also returns how many spans `keep` hid.
pub fn visible_rows(
    trace: &Trace,
    collapsed: &HashSet<SpanIx>,
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
        if collapsed.contains(&ix) {
            i += trace.descendant_count(ix);
        }
    }
    (out, hidden)
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

/// Critical-path sections per span, for drawing.
fn sections_by_span(loaded: &Loaded) -> HashMap<SpanIx, Vec<(i64, i64)>> {
    let mut m: HashMap<SpanIx, Vec<(i64, i64)>> = HashMap::new();
    for s in &loaded.analysis.critical_path.sections {
        m.entry(s.span).or_default().push((s.start_ns, s.end_ns));
    }
    m
}

#[component]
pub fn Timeline(loaded: Loaded) -> impl IntoView {
    let state = expect_context::<AppState>();
    let trace = loaded.trace.clone();
    let loaded_for_minimap = loaded.clone();
    let loaded_for_detail = loaded.clone();
    let sections = Arc::new(sections_by_span(&loaded));
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(600.0f64);
    let container = NodeRef::<leptos::html::Div>::new();

    let t_rows = trace.clone();
    let on_path = Arc::new(loaded.analysis.critical_path.on_path.clone());
    // Find: matches in tree order, recomputed when the query changes.
    let t_find = trace.clone();
    let matches = Memo::new(move |_| state.find.with(|q| Query::parse(q).find(&t_find)));
    let match_set =
        Memo::new(move |_| matches.with(|m| m.iter().copied().collect::<HashSet<SpanIx>>()));
    let t_keep = trace.clone();
    let filtered = Memo::new(move |_| {
        let cp = state.cp_only.get();
        let only_matches = state.matches_only.get() && state.find.with(|q| !q.trim().is_empty());
        let keep: Option<Vec<bool>> = match (cp, only_matches) {
            (false, false) => None,
            (true, false) => Some(on_path.as_ref().clone()),
            (false, true) => Some(matches.with(|m| with_ancestors(&t_keep, m))),
            (true, true) => Some(matches.with(|m| {
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
    let observer = StoredValue::new_local(None::<(web_sys::ResizeObserver, Closure<dyn FnMut()>)>);
    Effect::new(move |_| {
        let block = inline_block.get();
        observer.update_value(|o| {
            if o.is_none() {
                let measure = Closure::<dyn FnMut()>::new(move || {
                    if let Some(el) = inline_block.get_untracked() {
                        inline_h.set(el.offset_height() as f64);
                    }
                });
                *o = web_sys::ResizeObserver::new(measure.as_ref().unchecked_ref())
                    .ok()
                    .map(|r| (r, measure));
            }
            if let Some((r, _)) = o {
                r.disconnect();
                if let Some(el) = &block {
                    r.observe(el);
                }
            }
        });
    });
    on_cleanup(move || {
        observer.try_update_value(|o| {
            if let Some((r, _)) = o.take() {
                r.disconnect();
            }
        });
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
    let parents: Arc<Vec<SpanIx>> = Arc::new(
        (0..trace.spans.len() as SpanIx)
            .filter(|&i| !trace.children(i).is_empty())
            .collect(),
    );
    let p_all = parents.clone();
    let collapse_all = move || state.collapsed.set(p_all.iter().copied().collect());
    let expand_all = move || state.collapsed.set(HashSet::new());
    let p_more = parents.clone();
    let t_more = t_levels.clone();
    // Collapse the deepest level of spans that are open and in view.
    let collapse_level = move || {
        let shown: HashSet<SpanIx> = rows.with_untracked(|r| r.iter().copied().collect());
        let open =
            |i: &&SpanIx| shown.contains(*i) && !state.collapsed.with_untracked(|c| c.contains(*i));
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
                .filter(|i| state.collapsed.with_untracked(|c| c.contains(i)))
                .collect()
        });
        let depth = shown
            .iter()
            .filter_map(|&i| t_less.span(i))
            .map(|s| s.depth)
            .min();
        if let Some(d) = depth {
            state.collapsed.update(|c| {
                for i in &shown {
                    if t_less.span(*i).is_some_and(|s| s.depth == d) {
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
            p_below
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
            .with_untracked(|c| ancestors.iter().any(|a| c.contains(a)))
        {
            state.collapsed.update(|c| {
                ancestors.iter().for_each(|a| {
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
                viewport.get_untracked() / 3.0
            };
            let y = row_top(pos, gap.get_untracked()) - above;
            el.set_scroll_top(y.max(0.0) as i32);
            scroll_top.set(el.scroll_top() as f64);
        }
        state.scroll_to.set(None);
    });
    let window = Memo::new(move |_| {
        let g = gap.get();
        let top = scroll_top.get();
        let first = row_at(top, g).saturating_sub(OVERSCAN);
        let last = row_at(top + viewport.get(), g) + OVERSCAN;
        let count = last.saturating_sub(first) + 1;
        rows.with(|r| {
            r.iter()
                .enumerate()
                .skip(first)
                .take(count)
                .map(|(i, &ix)| (i, ix))
                .collect::<Vec<_>>()
        })
    });

    let measure = move || {
        if let Some(el) = container.get_untracked() {
            scroll_top.set(el.scroll_top() as f64);
            let h = el.client_height() as f64;
            if h > 0.0 {
                viewport.set(h);
            }
        }
    };
    Effect::new(move |_| {
        if container.get().is_some() {
            measure();
        }
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

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
                        && !state.collapsed.with_untracked(|c| c.contains(&ix));
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
                    if state.collapsed.with_untracked(|c| c.contains(&ix)) {
                        state.collapsed.update(|c| {
                            c.remove(&ix);
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

    // The view window: each row's track is stretched so that the window's
    // part of the trace fills the bar column.
    let track_left = move || {
        let (a, b) = state.view_range.get();
        format!("{:.4}%", -a / (b - a).max(1e-9) * 100.0)
    };
    let track_width = move || {
        let (a, b) = state.view_range.get();
        format!("{:.4}%", 100.0 / (b - a).max(1e-9))
    };

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

    let t_row = trace.clone();
    let render_row = move |(i, ix): (usize, SpanIx)| {
        let t = &t_row;
        let Some(span) = t.span(ix) else {
            return ().into_any();
        };
        let has_children = !t.children(ix).is_empty();
        let collapsed = move || state.collapsed.with(|c| c.contains(&ix));
        let depth = span.depth;
        let name = t.span_name(span).to_string();
        let service = t.service_name(span).to_string();
        let color = service_color(span.service);
        let left = pct(span.start_ns);
        let width = (span.duration_ns as f64 * 100.0 / total).max(0.0);
        let is_error = span.is_error();
        let dur = format_duration(span.duration_ns);
        // Duration label: after the bar, inside its end when the bar reaches
        // the right edge and is wide, else before it.
        let (label_left, label_right, label_inside) = if left + width <= 80.0 {
            (Some(left + width), None, false)
        } else if width >= 15.0 {
            (None, Some(100.0 - left - width), true)
        } else {
            (None, Some(100.0 - left), false)
        };
        let span_id = span.span_id.to_string();
        // Critical-path marks: the span's own sections, plus its descendants'
        // when it is collapsed.
        let own: Vec<(i64, i64)> = sections.get(&ix).cloned().unwrap_or_default();
        // The descendants' sections only when collapsed: the top rows of a
        // large trace have subtrees of nearly every span.
        let t_marks = t.clone();
        let sections_marks = sections.clone();
        let marks = move || {
            let list: Vec<(i64, i64)> = if collapsed() && has_children {
                t_marks
                    .subtree(ix)
                    .iter()
                    .filter_map(|d| sections_marks.get(d))
                    .flatten()
                    .copied()
                    .collect()
            } else {
                own.clone()
            };
            list.into_iter()
                .map(|(s, e)| {
                    view! {
                        <span
                            class="cp"
                            style:left=format!("{:.4}%", pct(s))
                            style:width=format!("{:.4}%", ((e - s) as f64 * 100.0 / total).max(0.05))
                        ></span>
                    }
                })
                .collect_view()
        };
        let toggle = move |ev: leptos::ev::MouseEvent| {
            ev.stop_propagation();
            state.collapsed.update(|c| {
                if !c.remove(&ix) {
                    c.insert(ix);
                }
            });
        };
        view! {
            <div
                class="row"
                role="treeitem"
                aria-expanded=move || has_children.then(|| if collapsed() { "false" } else { "true" })
                aria-selected=move || if state.selected_span.get() == Some(ix) { "true" } else { "false" }
                data-span-id=span_id
                class:selected=move || state.selected_span.get() == Some(ix)
                class:highlighted=move || state.highlight.with(|h| h.contains(&ix))
                class:match=move || match_set.with(|m| m.contains(&ix))
                style:top=move || format!("{}px", row_top(i, gap.get()))
                on:click=move |_| select_clicked(i, ix)
            >
                <div class="name-cell" style:width=move || format!("{}px", name_width.get())>
                    // One element for all the indentation guides (a repeating
                    // background), not one per level: rows are made as they scroll in.
                    <span class="indent" style:width=format!("{}px", depth as f64 * INDENT)></span>
                    {if has_children {
                        view! {
                            <button class="toggle" data-testid="toggle" aria-label="Collapse or expand" on:click=toggle>
                                {move || if collapsed() { "▸" } else { "▾" }}
                            </button>
                        }.into_any()
                    } else {
                        view! { <span class="toggle-space"></span> }.into_any()
                    }}
                    <span class="swatch" style:background=color></span>
                    <span class="span-name" title=format!("{service}: {name}")>
                        <span class="svc">{service.clone()}</span>" "
                        <span class="op">{name.clone()}</span>
                    </span>
                    {is_error.then(|| view! { <span class="error-mark" title="error">"!"</span> })}
                </div>
                <div class="bar-cell">
                    <div class="track" style:left=track_left style:width=track_width>
                    <div
                        class="bar"
                        class:error=is_error
                        style:left=format!("{left:.4}%")
                        style:width=format!("{:.4}%", width.max(0.1))
                        style:background=color
                    ></div>
                    {marks}
                    <span
                        class="dur"
                        class:inside=label_inside
                        style:left=label_left.map(|l| format!("calc({l:.4}% + 4px)"))
                        style:right=label_right.map(|r| format!("calc({r:.4}% + 4px)"))
                    >{dur}</span>
                    </div>
                </div>
            </div>
        }
        // `aria-level` has no typed attribute in tachys; set it by name.
        .add_any_attr(custom_attribute("aria-level", (depth + 1).to_string()))
        .into_any()
    };

    view! {
        <div class="timeline-wrap">
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
                    <button class="link" on:click=move |_| state.highlight.set(HashSet::new())>"clear"</button>
                </Show>
            </div>
            <div class="minimap-row">
                <Minimap loaded=loaded_for_minimap.clone()/>
                <button class="small" data-testid="reset-zoom" title="Show the whole trace"
                    disabled=move || state.view_range.get() == (0.0, 1.0)
                    on:click=move |_| state.view_range.set((0.0, 1.0))>"Reset zoom"</button>
            </div>
            <div class="ruler">
                <div class="name-cell" style:width=move || format!("{}px", name_width.get())>
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
                <div class="rows" role="tree" aria-label="Spans" style:height=move || format!("{}px", row_top(rows.with(|r| r.len()), gap.get()))>
                    <For each=move || window.get() key=|k| *k children=render_row/>
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
