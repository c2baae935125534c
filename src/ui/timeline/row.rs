//! One row of the timeline: slot `k` draws whichever row of the window
//! falls to it. Its memos tell when that row or its state changes, and the
//! row is then rebuilt in place, which only writes the text, attributes
//! and styles that differ (no elements or bindings are made, but for a
//! toggle, an error mark or a critical-path mark that comes or goes).

use super::ctx::Ctx;
use super::fields::{self, Field};
use super::focus::Focus;
use super::geometry::{self, row_top, Label};
use super::outline::Grouping;
use super::slots::{slot_id, Slots};
use crate::analysis::join_sections;
use crate::model::{SpanIx, Trace};
use crate::ui::format::{format_duration, service_color};
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos::tachys::html::attribute::custom::custom_attribute;

/// The indentation per level, in CSS pixels.
const INDENT: f64 = 14.0;

/// Critical-path marks closer than this part of the shown window are drawn
/// as one (about half a pixel of a 1,000-pixel bar column). A collapsed
/// root carries its whole subtree's path, tens of thousands of sections at
/// a million spans: drawn one element each, they made "collapse all"
/// slower than all the rest.
const MARKS_PER_WINDOW: f64 = 2000.0;

/// A run of repeats drawn as one row.
#[derive(Clone, PartialEq)]
struct Group {
    /// "120 ×"
    count: String,
    /// Each call's start and end.
    calls: Vec<(i64, i64)>,
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
    bar: geometry::Bar,
    dur: String,
    fields: Vec<Field>,
    group: Option<Group>,
    /// The leader of a run shown span by span: how many it would group.
    regroup: Option<usize>,
}

impl RowInfo {
    fn of(t: &Trace, ix: SpanIx, grouping: Option<Grouping>, keys: &[String]) -> Option<RowInfo> {
        let span = t.span(ix)?;
        let run =
            grouping.and_then(|g| g.runs.of_leader(ix).map(|r| (r, !g.expanded.contains(ix))));
        let (bar, dur, group, regroup) = match run {
            Some((run, true)) => (
                geometry::bar(run.start_ns - t.start_ns, run.span_ns(), t.duration_ns()),
                format!("{}, {}", format_duration(run.span_ns()), run.shape.word()),
                Some(Group {
                    count: format!("{} ×", run.len),
                    calls: run
                        .members(t)
                        .iter()
                        .filter_map(|&m| t.span(m).map(|s| (s.start_ns, s.end_ns())))
                        .collect(),
                }),
                None,
            ),
            other => (
                geometry::bar(
                    span.start_ns - t.start_ns,
                    span.duration_ns,
                    t.duration_ns(),
                ),
                format_duration(span.duration_ns),
                None,
                other.map(|(r, _)| r.len),
            ),
        };
        Some(RowInfo {
            depth: span.depth,
            has_children: !t.children(ix).is_empty(),
            is_error: span.is_error(),
            service: t.service_name(span).to_string(),
            name: t.span_name(span).to_string(),
            span_id: span.span_id.to_string(),
            color: service_color(span.service),
            bar,
            dur,
            fields: fields::row_fields(t, span, keys),
            group,
            regroup,
        })
    }
}

/// The function that draws slot `k`.
pub(super) fn renderer(ctx: Ctx, slots: Slots, focus: Focus) -> impl Fn(usize) -> AnyView + Clone {
    move |k| slot(ctx, slots, focus, k)
}

fn slot(ctx: Ctx, slots: Slots, focus: Focus, k: usize) -> AnyView {
    let state = ctx.state;
    let trace = ctx.trace();
    let (t_info, t_marks) = (trace.clone(), trace.clone());
    let t0 = trace.start_ns;
    let total = trace.duration_ns().max(1) as f64;
    let pct = move |ns: i64| (ns - t0) as f64 * 100.0 / total;
    let cur = Memo::new(move |_| slots.window.with(|w| w.get(k).copied().flatten()));
    let span = Memo::new(move |_| cur.get().map(|(_, ix)| ix));
    let info = Memo::new(move |_| {
        let ix = span.get()?;
        ctx.runs.with(|runs| {
            state.expanded_runs.with(|expanded| {
                let grouping = runs.as_deref().map(|runs| Grouping { runs, expanded });
                state
                    .fields
                    .with(|keys| RowInfo::of(&t_info, ix, grouping, keys))
            })
        })
    });
    let collapsed = Memo::new(move |_| {
        span.get()
            .is_some_and(|ix| state.collapsed.with(|c| c.contains(ix)))
    });
    let selected = Memo::new(move |_| span.get().is_some() && state.selected.get() == span.get());
    let highlighted = Memo::new(move |_| {
        span.get()
            .is_some_and(|ix| state.highlight.with(|h| h.contains(ix)))
    });
    let matched = Memo::new(move |_| {
        span.get()
            .is_some_and(|ix| ctx.matched.with(|m| m.contains(ix)))
    });
    // Critical-path marks, in time order: the span's own sections, plus
    // its descendants' when it is collapsed (only then: the top rows of a
    // large trace have subtrees of nearly every span).
    let marks = Memo::new(move |_| {
        let Some(ix) = span.get() else {
            return Vec::new();
        };
        let whole = collapsed.get() && !t_marks.children(ix).is_empty();
        ctx.marks.with(|m| match m {
            None => Vec::new(),
            Some(m) if whole => m.of_subtree(&t_marks, ix),
            Some(m) => m.of(ix),
        })
    });
    let drawn = StoredValue::new(None::<SpanIx>);
    (move || {
        let now = span.get();
        let before = drawn.get_value();
        if before != now {
            focus.slot_changed(before);
        }
        drawn.set_value(now);
        let (pos, _) = cur.get()?;
        let i = info.get()?;
        let (a, b) = state.window.get();
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
        let grouped = i.group.is_some();
        let toggle = if grouped {
            EitherOf3::A(view! {
                <button class="toggle group-toggle" data-testid="group-toggle" aria-label="Show the repeats one by one" title="Show the repeats one by one">"▸"</button>
            })
        } else if i.has_children {
            EitherOf3::B(view! {
                <button class="toggle" data-testid="toggle" aria-label="Collapse or expand">
                    {if collapsed { "▸" } else { "▾" }}
                </button>
            })
        } else {
            EitherOf3::C(view! { <span class="toggle-space"></span> })
        };
        let calls = i.group.as_ref().map(|g| {
            join_sections(&g.calls, from, to, min_gap)
                .into_iter()
                .map(|(s, e)| {
                    view! {
                        <span
                            class="call"
                            style:left=format!("{:.4}%", pct(s))
                            style:width=format!("{:.4}%", ((e - s) as f64 * 100.0 / total).max(0.05))
                        ></span>
                    }
                })
                .collect::<Vec<_>>()
        });
        let count = i.group.as_ref().map(|g| view! { <span class="repeat-count" data-testid="repeat-count">{g.count.clone()}</span>" " });
        let regroup = i.regroup.map(|n| {
            view! {
                <button class="small regroup" data-testid="regroup" title=format!("Show the {n} repeats as one row")>{format!("⊟ {n} ×")}</button>
            }
        });
        let fields = i
            .fields
            .iter()
            .map(|f| {
                view! {
                    <span class="field" data-testid="row-field" title=format!("{}: {}", f.key, f.full)>{f.text.clone()}</span>
                }
            })
            .collect::<Vec<_>>();
        let (label_left, label_right, inside) = match i.bar.label {
            Label::After(l) => (Some(l), None, false),
            Label::Inside(r) => (None, Some(r), true),
            Label::Before(r) => (None, Some(r), false),
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
                    class:grouped=grouped
                    style:top=format!("{}px", row_top(pos, ctx.gap.get()))
                >
                    // The name column's width and the track's place (the view
                    // window) are the timeline's, set once on it.
                    <div class="name-cell">
                        // One element for all the indentation guides (a
                        // repeating background), not one per level.
                        <span class="indent" style:width=format!("{}px", i.depth as f64 * INDENT)></span>
                        {toggle}
                        <span class="swatch" style:background=i.color></span>
                        <span class="span-name" title=title>
                            {count}
                            <span class="svc">{i.service}</span>" "
                            <span class="op">{i.name}</span>
                            {fields}
                        </span>
                        {regroup}
                        {i.is_error.then(|| view! { <span class="error-mark" title="error">"!"</span> })}
                    </div>
                    <div class="bar-cell">
                        <div class="track">
                            <div
                                class="bar"
                                class:group=grouped
                                class:error=i.is_error
                                style:left=format!("{:.4}%", i.bar.left)
                                style:width=format!("{:.4}%", i.bar.width.max(0.1))
                                style:background=i.color
                            ></div>
                            {calls}
                            {marks}
                            <span
                                class="dur"
                                class:inside=inside
                                style:left=label_left.map(|l| format!("calc({l:.4}% + 4px)"))
                                style:right=label_right.map(|r| format!("calc({r:.4}% + 4px)"))
                            >{i.dur}</span>
                        </div>
                    </div>
                </div>
            }
            // `aria-level` has no typed attribute in tachys; set it by name.
            .add_any_attr(custom_attribute("aria-level", (i.depth + 1).to_string())),
        )
    })
    .into_any()
}
