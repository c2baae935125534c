//! The virtualised timeline: only the rows in view are in the DOM, whatever
//! the trace's size. Rows are the spans in tree order, minus the descendants
//! of collapsed spans.

use super::format::{format_duration, service_color};
use super::state::{AppState, Loaded};
use crate::model::{SpanIx, Trace};
use leptos::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub const ROW_HEIGHT: f64 = 24.0;
const OVERSCAN: usize = 8;
const NAME_WIDTH: f64 = 340.0;
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
    let sections = Arc::new(sections_by_span(&loaded));
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(600.0f64);
    let container = NodeRef::<leptos::html::Div>::new();

    let t_rows = trace.clone();
    let on_path = Arc::new(loaded.analysis.critical_path.on_path.clone());
    let filtered = Memo::new(move |_| {
        let keep = state.cp_only.get().then_some(on_path.as_slice());
        state.collapsed.with(|c| visible_rows(&t_rows, c, keep))
    });
    let rows = Memo::new(move |_| filtered.with(|f| f.0.clone()));
    let hidden = Memo::new(move |_| filtered.with(|f| f.1));

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
            let y = pos as f64 * ROW_HEIGHT - viewport.get_untracked() / 3.0;
            el.set_scroll_top(y.max(0.0) as i32);
            scroll_top.set(el.scroll_top() as f64);
        }
        state.scroll_to.set(None);
    });
    let window = Memo::new(move |_| {
        let first = ((scroll_top.get() / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN);
        let count = (viewport.get() / ROW_HEIGHT).ceil() as usize + 2 * OVERSCAN;
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
    let ticks: Vec<(f64, String)> = (0..=4)
        .map(|k| {
            let f = k as f64 / 4.0;
            (f * 100.0, format_duration((total * f) as i64))
        })
        .collect();

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
        let sub: Vec<(i64, i64)> = if has_children {
            t.subtree(ix)
                .iter()
                .filter_map(|d| sections.get(d))
                .flatten()
                .copied()
                .collect()
        } else {
            own.clone()
        };
        let marks = move || {
            let list = if collapsed() {
                sub.clone()
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
                attr:aria-level=(depth + 1).to_string()
                aria-expanded=move || has_children.then(|| if collapsed() { "false" } else { "true" })
                aria-selected=move || if state.selected_span.get() == Some(ix) { "true" } else { "false" }
                data-span-id=span_id
                class:selected=move || state.selected_span.get() == Some(ix)
                class:highlighted=move || state.highlight.with(|h| h.contains(&ix))
                style:top=format!("{}px", i as f64 * ROW_HEIGHT)
                on:click=move |_| state.selected_span.set(Some(ix))
            >
                <div class="name-cell" style:width=format!("{NAME_WIDTH}px")>
                    <span class="indent" style:width=format!("{}px", depth as f64 * INDENT)>
                        {(0..depth).map(|_| view! { <span class="guide" style:width=format!("{INDENT}px")></span> }).collect_view()}
                    </span>
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
        }
        .into_any()
    };

    view! {
        <div class="timeline-wrap">
            <div class="timeline-tools">
                <label>
                    <input
                        type="checkbox"
                        data-testid="cp-only"
                        prop:checked=move || state.cp_only.get()
                        on:change=move |ev| state.cp_only.set(event_target_checked(&ev))
                    />
                    " Critical path only"
                </label>
                <Show when=move || state.cp_only.get()>
                    <span class="hidden-count" data-testid="hidden-count">
                        {move || format!("{} spans off the critical path hidden", hidden.get())}
                    </span>
                </Show>
                <Show when=move || state.highlight.with(|h| !h.is_empty())>
                    <span class="highlight-count">
                        {move || format!("{} spans highlighted", state.highlight.with(|h| h.len()))}
                    </span>
                    <button class="link" on:click=move |_| state.highlight.set(HashSet::new())>"clear"</button>
                </Show>
            </div>
            <div class="ruler" aria-hidden="true">
                <div class="name-cell" style:width=format!("{NAME_WIDTH}px")>
                    <span class="legend">
                        {trace.services.iter().enumerate().take(12).map(|(i, s)| view! {
                            <span class="legend-item"><span class="swatch" style:background=service_color(i as u32)></span>{trace.str(s.name).to_string()}</span>
                        }).collect_view()}
                    </span>
                </div>
                <div class="bar-cell">
                    {ticks.into_iter().map(|(p, label)| view! {
                        <span class="tick" style:left=format!("{p}%")>{label}</span>
                    }).collect_view()}
                </div>
            </div>
            <div
                class="timeline"
                data-testid="timeline"
                role="tree"
                aria-label="Spans"
                node_ref=container
                on:scroll=move |_| measure()
            >
                <div class="rows" style:height=move || format!("{}px", rows.with(|r| r.len()) as f64 * ROW_HEIGHT)>
                    <For each=move || window.get() key=|k| *k children=render_row/>
                </div>
            </div>
        </div>
    }
}
