//! Slow against the rest, in one group of the summary: a histogram of the
//! group's trace durations on a canvas, where the slow traces are chosen
//! by percentile (p95 unless the user types another) or by brushing a
//! range; and what explains their extra time (`analysis::tail`), each
//! explanation with its effect, its support and example traces that open,
//! or open compared with the group's median trace.

use super::format::format_duration;
use super::state::{AppState, Loaded};
use super::view_state::Views;
use crate::analysis::summary::GroupSummary;
use crate::analysis::tail::{self, Histogram, Ranking, Slow, Table, DURATION_BINS};
use crate::analysis::TraceAnalysis;
use crate::model::Trace;
use leptos::prelude::*;
use std::sync::Arc;

const WIDTH: u32 = 640;
const HEIGHT: u32 = 80;

/// Calls `f` with the group's traces and their analyses (all are analysed:
/// the summary is drawn only then).
fn with_pairs<R>(traces: &[Loaded], f: impl FnOnce(&[(&Trace, &TraceAnalysis)]) -> R) -> Option<R> {
    let analyses = traces
        .iter()
        .map(|l| l.analysis.get_untracked())
        .collect::<Option<Vec<_>>>()?;
    let refs: Vec<(&Trace, &TraceAnalysis)> = traces
        .iter()
        .zip(&analyses)
        .map(|(l, a)| (l.trace.as_ref(), a.as_ref()))
        .collect();
    Some(f(&refs))
}

/// The colours the canvas draws with, from the stylesheet's properties.
fn colours(el: &web_sys::Element) -> (String, String, String) {
    let style = web_sys::window().and_then(|w| w.get_computed_style(el).ok().flatten());
    let get = |name: &str, default: &str| {
        style
            .as_ref()
            .and_then(|s| s.get_property_value(name).ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| default.to_string())
    };
    (
        get("--fg-2", "#515a6b"),
        get("--slower", "#c62828"),
        get("--accent", "#2458c6"),
    )
}

#[component]
pub fn SlowAgainstRest(
    group: GroupSummary,
    traces: Vec<Loaded>,
    /// The group's median trace: what an example is compared with.
    median: Option<u64>,
) -> impl IntoView {
    let app = expect_context::<AppState>();
    let views = expect_context::<Views>();
    let members = group.traces.clone();
    let durations: Vec<i64> = members
        .iter()
        .filter_map(|&i| traces.get(i))
        .map(|l| l.trace.duration_ns())
        .collect();
    let hist = Arc::new(Histogram::of(&durations, DURATION_BINS));
    let slow = RwSignal::new(Slow::default());
    let percentile = RwSignal::new(tail::DEFAULT_PERCENTILE);
    // The group in numbers, made the first time another selection is asked for.
    let table = StoredValue::new(None::<Arc<Table>>);
    let first = group.tail.clone();
    let (for_rank, members_rank) = (traces.clone(), members.clone());
    let ranking = Memo::new(move |_| -> Option<Arc<Ranking>> {
        let s = slow.get();
        if s == Slow::default() {
            if let Some(r) = &first {
                return Some(Arc::new(r.clone()));
            }
        }
        let t = match table.get_value() {
            Some(t) => t,
            None => {
                let t = Arc::new(with_pairs(&for_rank, |p| Table::new(p, &members_rank))?);
                table.set_value(Some(t.clone()));
                t
            }
        };
        // Measured for bench/compare.mjs as `traceglass:rank`.
        super::frames::perf_mark("traceglass:rank-start", None);
        let mut r = t.rank(s);
        with_pairs(&for_rank, |p| {
            tail::add_usual_time(p, &members_rank, &mut r)
        });
        super::frames::perf_mark("traceglass:rank", Some("traceglass:rank-start"));
        Some(Arc::new(r))
    });

    let canvas = NodeRef::<leptos::html::Canvas>::new();
    // A brush under way: where it started and where the pointer is, in CSS pixels.
    let brush = RwSignal::new(None::<(f64, f64)>);
    let draw_hist = hist.clone();
    Effect::new(move |_| {
        let Some(c) = canvas.get() else { return };
        let r = ranking.get();
        let live = brush.get();
        let Some(ctx) = super::widgets::sized_2d(&c, WIDTH, HEIGHT) else {
            return;
        };
        let (plain, slow_colour, accent) = colours(&c);
        let bins = draw_hist.bins().max(1);
        let bar_w = f64::from(WIDTH) / bins as f64;
        let max = f64::from(draw_hist.max_count().max(1));
        // A bin is slow when its traces are in the selection.
        let from = r.as_ref().map_or(i64::MAX, |r| r.threshold_ns);
        let to = match r.as_ref().map(|r| r.slow) {
            Some(Slow::Range { from_ns, to_ns }) => from_ns.max(to_ns),
            _ => i64::MAX,
        };
        for (i, &n) in draw_hist.counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let lo = draw_hist.edges_ns.get(i).copied().unwrap_or(0);
            let hi = draw_hist.edges_ns.get(i + 1).copied().unwrap_or(lo);
            let is_slow = hi >= from && lo <= to;
            ctx.set_fill_style_str(if is_slow { &slow_colour } else { &plain });
            let h = (f64::from(n) / max).sqrt() * f64::from(HEIGHT - 4);
            ctx.fill_rect(
                i as f64 * bar_w + 1.0,
                f64::from(HEIGHT) - h,
                (bar_w - 2.0).max(1.0),
                h,
            );
        }
        // The threshold, and the brush under way.
        ctx.set_fill_style_str(&accent);
        if r.is_some() {
            let x = draw_hist.position(from) * f64::from(WIDTH);
            ctx.fill_rect(
                x.clamp(0.0, f64::from(WIDTH) - 2.0),
                0.0,
                2.0,
                f64::from(HEIGHT),
            );
        }
        if let Some((a, b)) = live {
            ctx.set_global_alpha(0.25);
            ctx.fill_rect(a.min(b), 0.0, (a - b).abs().max(1.0), f64::from(HEIGHT));
            ctx.set_global_alpha(1.0);
        }
    });
    let x_of = move |ev: &web_sys::PointerEvent| -> Option<f64> {
        let c = canvas.get_untracked()?;
        let r = c.get_bounding_client_rect();
        let scale = f64::from(WIDTH) / r.width().max(1.0);
        Some(((f64::from(ev.client_x()) - r.left()) * scale).clamp(0.0, f64::from(WIDTH)))
    };
    let brush_hist = hist.clone();
    let on_down = move |ev: web_sys::PointerEvent| {
        if let Some(x) = x_of(&ev) {
            if let Some(c) = canvas.get_untracked() {
                let _ = c.set_pointer_capture(ev.pointer_id());
            }
            brush.set(Some((x, x)));
        }
    };
    let on_move = move |ev: web_sys::PointerEvent| {
        if let (Some((a, _)), Some(x)) = (brush.get_untracked(), x_of(&ev)) {
            brush.set(Some((a, x)));
        }
    };
    let on_up = move |ev: web_sys::PointerEvent| {
        let Some((a, _)) = brush.get_untracked() else {
            return;
        };
        let b = x_of(&ev).unwrap_or(a);
        brush.set(None);
        if let Some(s) = brush_hist.brushed(a, b, f64::from(WIDTH)) {
            slow.set(s);
        }
    };
    let set_percentile = move |ev: leptos::ev::Event| {
        if let Ok(p) = event_target_value(&ev).trim().parse::<f64>() {
            if p.is_finite() && (0.0..=100.0).contains(&p) {
                percentile.set(p);
                slow.set(Slow::Percentile(p));
            }
        }
    };
    let (lo, hi) = (
        durations.first().copied().unwrap_or(0),
        durations.last().copied().unwrap_or(0),
    );
    let scale = match hist.scale {
        tail::Scale::Log => "log scale",
        tail::Scale::Linear => "linear scale",
    };
    let list = traces.clone();
    let explanations = move || {
        let r = ranking.get()?;
        let list = list.clone();
        Some(view! {
            <p class="tail-scope" data-testid="tail-scope">{scope(&r)}</p>
            <p class="headline" data-testid="tail">{r.sentence.clone()}</p>
            <ol class="explanations" data-testid="explanations">
                {r.explanations.iter().map(|e| {
                    let s = e.support;
                    let meta = format!(
                        "{} · explains {:.0} % · in {} of {} slow, {} of {} others",
                        e.kind.label(),
                        e.share,
                        s.slow, s.slow_of, s.rest, s.rest_of
                    );
                    let examples = e.examples.iter().enumerate().filter_map(|(n, ex)| {
                        let l = list.get(ex.trace)?.clone();
                        let span = ex.span;
                        let key = l.key;
                        let label = format!("example {} ({})", n + 1, format_duration(l.trace.duration_ns()));
                        let open = move |_| match span {
                            Some(s) => views.open_span(&l, s),
                            None => app.show(l.key),
                        };
                        let compare = median.filter(|&m| m != key).map(|m| view! {
                            <button class="small" data-testid="tail-example-compare" title="Compare this slow trace (B) with the group's median trace (A)"
                                on:click=move |_| app.open_compare(m, key)>"vs median"</button>
                        });
                        Some(view! {
                            <span class="tail-example">
                                <button class="link" data-testid="tail-example" on:click=open>{label}</button>
                                {compare}
                            </span>
                        })
                    }).collect_view();
                    // The headline is the first explanation's sentence (and more).
                    let said = r.sentence.starts_with(&e.sentence);
                    view! {
                        <li data-testid="explanation">
                            <div class="sentence">{if said { e.what.clone() } else { e.sentence.clone() }}</div>
                            <div class="meta">{meta}" "{examples}</div>
                        </li>
                    }
                }).collect_view()}
            </ol>
        })
    };
    // One trace has no others to be slow against.
    let several = members.len() > 1;
    several.then(|| view! {
        <div class="slow-vs-rest" data-testid="slow-vs-rest">
            <div class="tail-controls">
                <label>
                    "Slow traces: at or above p"
                    <input type="number" min="0" max="100" step="1" data-testid="tail-percentile"
                        prop:value=move || percentile.get().to_string() on:change=set_percentile/>
                </label>
                <span class="hint">" or drag across the histogram to choose a range of durations"</span>
                <Show when=move || slow.get() != Slow::Percentile(percentile.get())>
                    <button class="small" data-testid="tail-reset" on:click=move |_| slow.set(Slow::Percentile(percentile.get_untracked()))>
                        {move || format!("Back to p{}", percentile.get())}
                    </button>
                </Show>
            </div>
            <canvas class="tail-histogram" data-testid="tail-histogram" node_ref=canvas
                style:width=format!("{WIDTH}px") style:height=format!("{HEIGHT}px")
                title="Trace durations of this group. Drag to choose the slow traces."
                on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up></canvas>
            <div class="tail-axis" style:width=format!("{WIDTH}px")>
                <span>{format_duration(lo)}</span><span>{scale}</span><span>{format_duration(hi)}</span>
            </div>
            {explanations}
        </div>
    })
}

/// "40 slow traces (≥ p95, 2.40 s) against 760 others: 2.41 s against 380 ms on average".
fn scope(r: &Ranking) -> String {
    let which = match r.slow {
        Slow::Percentile(p) => format!("≥ p{p}, {}", format_duration(r.threshold_ns)),
        Slow::Range { from_ns, to_ns } => format!(
            "{} to {}",
            format_duration(from_ns.min(to_ns)),
            format_duration(from_ns.max(to_ns))
        ),
    };
    let n = r.slow_traces.len();
    format!(
        "{n} slow trace{} ({which}) against {} other{}: {} against {} on average.",
        if n == 1 { "" } else { "s" },
        r.rest_traces,
        if r.rest_traces == 1 { "" } else { "s" },
        format_duration(r.slow_mean_ns),
        format_duration(r.rest_mean_ns)
    )
}
