//! The bottleneck summary across traces: for the ticked traces (or all
//! loaded ones, or the results of a Jaeger search, fetched first), grouped
//! by root operation, the duration percentiles, what explains the tail,
//! findings counted across traces, the operations' critical-path
//! percentiles, a heat map of operation × trace whose cells open that
//! trace with the operation's span selected, and the group's service map.

use super::flame::MergedFlameView;
use super::format::format_duration;
use super::jaeger::{JaegerUi, SearchSummaryBar};
use super::service_map::GroupServiceMap;
use super::state::{AppState, Loaded};
use super::tail::SlowAgainstRest;
use super::view_state::Views;
use crate::analysis::summary::{summarize, GroupSummary};
use crate::analysis::TraceAnalysis;
use crate::model::Trace;
use leptos::prelude::*;
use std::sync::Arc;

const CELL_HEIGHT: f64 = 14.0;
/// Operations listed in the table.
const TABLE_OPERATIONS: usize = 20;

#[component]
pub fn SummaryView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let chosen = Memo::new(move |_| {
        let ticked = state.ticked.get();
        state.traces.with(|all| {
            all.iter()
                .filter(|l| ticked.is_empty() || ticked.contains(&l.key))
                .cloned()
                .collect::<Vec<Loaded>>()
        })
    });
    // None while a chosen trace is still being analysed.
    let groups = Memo::new(move |_| {
        chosen.with(|c| {
            let analyses: Vec<Arc<TraceAnalysis>> =
                c.iter().map(|l| l.analysis.get()).collect::<Option<_>>()?;
            let pairs: Vec<(&Trace, &TraceAnalysis)> = c
                .iter()
                .zip(&analyses)
                .map(|(l, a)| (l.trace.as_ref(), a.as_ref()))
                .collect();
            // Measured for bench/browser.mjs as `traceglass:summary`.
            super::frames::perf_mark("traceglass:summary-start", None);
            let summary = Arc::new(summarize(&pairs));
            super::frames::perf_mark("traceglass:summary", Some("traceglass:summary-start"));
            Some(summary)
        })
    });
    let jaeger = expect_context::<JaegerUi>();
    view! {
        <div class="summary" data-testid="summary">
            <SearchSummaryBar/>
            <p class="summary-scope" data-testid="summary-scope">
                {move || {
                    let n = chosen.with(|c| c.len());
                    let ticked = state.ticked.get();
                    let s = if n == 1 { "" } else { "s" };
                    if ticked.is_empty() {
                        format!("Summary of {n} loaded trace{s}, grouped by root operation.")
                    } else if ticked == jaeger.loaded_result_keys(state) {
                        format!("Summary of the {n} trace{s} of the search, grouped by root operation.")
                    } else if let Some(name) = state.file.with(|f| {
                        f.as_ref()
                            .filter(|f| f.keys.len() == ticked.len() && f.keys.iter().all(|k| ticked.contains(k)))
                            .map(|f| f.name.clone())
                    }) {
                        format!("Summary of the {n} trace{s} of {name}, grouped by root operation.")
                    } else {
                        format!("Summary of {n} ticked trace{s}, grouped by root operation.")
                    }
                }}
            </p>
            {move || {
                let list = chosen.get();
                match groups.get() {
                    Some(groups) => groups.iter().cloned().map(|g| view! { <Group group=g traces=list.clone()/> }).collect_view().into_any(),
                    None => {
                        let done = list.iter().filter(|l| l.analysis.with(Option::is_some)).count();
                        view! {
                            <p class="analysing" role="status">
                                {format!("Analysing the traces: {done} of {} done…", list.len())}
                            </p>
                        }.into_any()
                    }
                }
            }}
        </div>
    }
}

/// The keys of the group's median trace and its slowest, when it has two
/// traces or more.
fn median_and_slowest(group: &GroupSummary, traces: &[Loaded]) -> Option<(u64, u64)> {
    let n = group.traces.len();
    if n < 2 {
        return None;
    }
    // By duration, shortest first: the median is the lower middle one.
    let median = traces.get(*group.traces.get((n - 1) / 2)?)?.key;
    let slowest = traces.get(*group.traces.last()?)?.key;
    Some((median, slowest))
}

#[component]
fn Group(group: GroupSummary, traces: Vec<Loaded>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let views = expect_context::<Views>();
    let d = group.duration;
    let heat = group.heatmap.clone();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let columns = heat.traces.len().max(1);
    let rows = heat.operations.len();
    let cell_w = (900.0 / columns as f64).clamp(1.0, 24.0);
    let width = (cell_w * columns as f64).ceil() as u32;
    let height = (CELL_HEIGHT * rows as f64).ceil().max(1.0) as u32;
    let draw = heat.clone();
    Effect::new(move |_| {
        let Some(c) = canvas.get() else { return };
        let Some(ctx) = super::widgets::sized_2d(&c, width, height) else {
            return;
        };
        let max = draw.max_ns.max(1) as f64;
        let cols = draw.traces.len();
        for (i, (t, _)) in draw.cells.iter().enumerate() {
            let (row, col) = (i / cols.max(1), i % cols.max(1));
            // White (none) to deep red (the most critical-path time).
            let f = (*t as f64 / max).sqrt();
            let (r, g, b) = (255.0 - 55.0 * f, 255.0 - 215.0 * f, 255.0 - 215.0 * f);
            ctx.set_fill_style_str(&format!("rgb({r:.0},{g:.0},{b:.0})"));
            ctx.fill_rect(
                col as f64 * cell_w,
                row as f64 * CELL_HEIGHT,
                cell_w,
                CELL_HEIGHT - 1.0,
            );
        }
    });
    let click_heat = heat.clone();
    let click_traces = traces.clone();
    // A trace shift-clicked in the heat map, waiting for the one to compare it with.
    let picked = RwSignal::new(None::<u64>);
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(c) = canvas.get_untracked() else {
            return;
        };
        let r = c.get_bounding_client_rect();
        let x = ev.client_x() as f64 - r.left();
        let y = ev.client_y() as f64 - r.top();
        let (col, row) = ((x / cell_w) as usize, (y / CELL_HEIGHT) as usize);
        let cols = click_heat.traces.len();
        let Some(&trace_index) = click_heat.traces.get(col) else {
            return;
        };
        let span = click_heat.cells.get(row * cols + col).and_then(|c| c.1);
        let Some(l) = click_traces.get(trace_index) else {
            return;
        };
        // Shift-click: the first trace picked is A, the second B.
        if ev.shift_key() {
            match picked.get_untracked() {
                Some(a) if a != l.key => {
                    picked.set(None);
                    state.open_compare(a, l.key);
                }
                _ => picked.set(Some(l.key)),
            }
            return;
        }
        match span {
            Some(s) => views.open_span(l, s),
            None => state.show(l.key),
        }
    };
    let pair = median_and_slowest(&group, &traces);
    let members: Vec<Loaded> = group
        .traces
        .iter()
        .filter_map(|&i| traces.get(i).cloned())
        .collect();
    let labels = heat.operations.clone();
    let ops = group
        .operations
        .iter()
        .take(TABLE_OPERATIONS)
        .cloned()
        .collect::<Vec<_>>();
    view! {
        <section class="summary-group" data-testid="summary-group">
            <h2>
                <span class="svc">{group.root_service.clone()}</span>" "
                <span class="op">{group.root_operation.clone()}</span>
                <span class="count">{format!(" — {} traces", group.traces.len())}</span>
            </h2>
            <p class="facts" data-testid="durations">
                {format!(
                    "Duration p50 {}, p90 {}, p95 {}, p99 {}",
                    format_duration(d.p50),
                    format_duration(d.p90),
                    format_duration(d.p95),
                    format_duration(d.p99)
                )}
            </p>
            <SlowAgainstRest group=group.clone() traces=traces.clone() median=pair.map(|p| p.0)/>
            {pair.map(|(a, b)| view! {
                <button class="button" data-testid="compare-slowest"
                    title="Compare the slowest trace of this group (B) with its median one (A)"
                    on:click=move |_| state.open_compare(a, b)>"Compare the slowest with the median"</button>
            })}
            {(!group.findings.is_empty()).then(|| view! {
                <ul class="finding-counts" data-testid="finding-counts">
                    {group.findings.iter().take(10).map(|f| view! { <li>{f.sentence.clone()}</li> }).collect_view()}
                </ul>
            })}
            <Show when=move || picked.with(Option::is_some)>
                <p class="hint" data-testid="heat-picked">"One trace picked for a comparison (A): shift-click another to compare it with (B). "
                    <button class="small" on:click=move |_| picked.set(None)>"Cancel"</button>
                </p>
            </Show>
            <div class="heatmap" data-testid="heatmap">
                <div class="heat-labels">
                    {labels.into_iter().map(|l| view! { <div class="heat-label" title=l.clone()>{l.clone()}</div> }).collect_view()}
                </div>
                <div class="heat-scroll">
                    <canvas
                        node_ref=canvas
                        style:width=format!("{width}px")
                        style:height=format!("{height}px")
                        title="Critical-path time per operation and trace (traces by duration, shortest first). Click to open; shift-click two traces to compare them."
                        on:click=on_click
                    ></canvas>
                </div>
            </div>
            <MergedFlameView group=group.clone() traces=traces.clone()/>
            <GroupServiceMap traces=members/>
            <table class="stats-table" data-testid="summary-operations">
                <thead>
                    <tr><th>"Operation"</th><th>"Critical path p50"</th><th>"p95"</th><th>"p99"</th><th>"Share"</th></tr>
                </thead>
                <tbody>
                    {ops.into_iter().map(|o| view! {
                        <tr>
                            <td class="group">{format!("{}: {}", o.service, o.operation)}</td>
                            <td>{format_duration(o.critical_path.p50)}</td>
                            <td>{format_duration(o.critical_path.p95)}</td>
                            <td>{format_duration(o.critical_path.p99)}</td>
                            <td>{format!("{:.1} %", o.share)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
