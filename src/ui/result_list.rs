//! A list of traces as a search shows them, for a Jaeger search's results
//! and for the traces of a dropped file alike: the scatter plot of
//! duration over start time, and the rows (root, duration bar, spans,
//! errors, age, services), each opening its trace, with a tick for
//! comparing two. The rows and their sort orders are `jaeger::rows`.

use super::format::{absolute_time, format_duration, service_color};
use super::jaeger::rows::ResultRow;
use leptos::prelude::*;

/// The rows, each opening its trace (`open` gets the trace id) and with a
/// tick that adds it to `to_compare` (two at most: the earliest ticked
/// goes).
#[component]
pub fn ResultList(
    rows: Memo<Vec<ResultRow>>,
    open: Callback<String>,
    to_compare: RwSignal<Vec<String>>,
) -> impl IntoView {
    let longest = Memo::new(move |_| {
        rows.with(|r| r.iter().map(|x| x.duration_ns).max().unwrap_or(1).max(1))
    });
    view! {
        <ul class="result-list">
            <For each=move || rows.get() key=|r| (r.trace_id.clone(), r.start_ns) children=move |r: ResultRow| {
                let id = r.trace_id.clone();
                let tick_id = r.trace_id.clone();
                let ticked_id = r.trace_id.clone();
                let width = r.duration_ns as f64 * 100.0 / longest.get_untracked() as f64;
                view! {
                    <li data-testid="result" on:click=move |_| open.run(id.clone())>
                        <div class="title">
                            <input type="checkbox" class="result-tick" data-testid="result-compare" title="Tick two results to compare them"
                                aria-label="Tick for comparison"
                                prop:checked=move || to_compare.with(|c| c.contains(&ticked_id))
                                on:click=|ev| ev.stop_propagation()
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    to_compare.update(|c| {
                                        c.retain(|x| *x != tick_id);
                                        if on {
                                            c.push(tick_id.clone());
                                            if c.len() > 2 {
                                                c.remove(0);
                                            }
                                        }
                                    });
                                }/>
                            <span class="svc">{r.root_service.clone()}</span>": "<span class="op">{r.root_operation.clone()}</span>
                            <span class="trace-id">{format!(" {}", r.trace_id.chars().take(7).collect::<String>())}</span>
                        </div>
                        <div class="duration-bar"><span style:width=format!("{width:.2}%")></span><em>{format_duration(r.duration_ns)}</em></div>
                        <div class="meta">
                            <span>{format!("{} spans", r.spans)}</span>
                            {(r.errors > 0).then(|| view! { <span class="errors">{format!("{} errors", r.errors)}</span> })}
                            <span title=absolute_time(r.start_ns)>{relative_age(r.start_ns)}</span>
                            <span>{absolute_time(r.start_ns)}</span>
                        </div>
                        <div class="pills">
                            {r.services.iter().enumerate().map(|(i, (s, n))| view! {
                                <span class="pill" style:border-color=service_color(i as u32)>{format!("{s} ({n})")}</span>
                            }).collect_view()}
                        </div>
                    </li>
                }
            }/>
        </ul>
    }
}

/// How long ago a trace started, in the largest whole unit.
fn relative_age(start_ns: i64) -> String {
    let now_ns = (js_sys::Date::now() * 1e6) as i64;
    let secs = now_ns.saturating_sub(start_ns) / 1_000_000_000;
    if secs < 0 {
        return "in the future".into();
    }
    let (n, unit) = match secs {
        s if s < 60 => (s, "second"),
        s if s < 3_600 => (s / 60, "minute"),
        s if s < 86_400 => (s / 3_600, "hour"),
        s => (s / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// Duration over start time, errors in red; a point opens its trace.
#[component]
pub fn Scatter(rows: Memo<Vec<ResultRow>>, open: Callback<String>) -> impl IntoView {
    const W: f64 = 800.0;
    const H: f64 = 160.0;
    view! {
        <svg class="scatter" data-testid="scatter" viewBox=format!("0 0 {W} {H}") preserveAspectRatio="none" role="img" aria-label="Duration over start time">
            {move || rows.with(|rows| {
                let (t0, t1) = (
                    rows.iter().map(|r| r.start_ns).min().unwrap_or(0),
                    rows.iter().map(|r| r.start_ns).max().unwrap_or(1),
                );
                let dmax = rows.iter().map(|r| r.duration_ns).max().unwrap_or(1).max(1) as f64;
                let span = t1.saturating_sub(t0).max(1) as f64;
                rows.iter().map(|r| {
                    let x = 10.0 + r.start_ns.saturating_sub(t0) as f64 / span * (W - 20.0);
                    let y = H - 8.0 - r.duration_ns as f64 / dmax * (H - 16.0);
                    let id = r.trace_id.clone();
                    let has_errors = r.errors > 0;
                    let tip = format!("{}: {}\n{} spans, {} services, {}", r.root_service, r.root_operation, r.spans, r.services.len(), format_duration(r.duration_ns));
                    view! {
                        <circle data-testid="scatter-point" cx=format!("{x:.1}") cy=format!("{y:.1}") r="5"
                            class:error=has_errors on:click=move |_| open.run(id.clone())>
                            <title>{tip}</title>
                        </circle>
                    }
                }).collect_view()
            })}
        </svg>
    }
}
