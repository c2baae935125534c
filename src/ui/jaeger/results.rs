//! The results of a Jaeger search: the list with Jaeger UI's sort orders
//! and a scatter plot of duration over start time (a click opens the
//! trace), the downloads of the results, the health line, and the progress
//! of fetching every result.

use super::rows::{self, ResultRow};
use super::state::{After, ExportFormat};
use super::JaegerUi;
use crate::sources::http::Abort;
use crate::ui::format::{absolute_time, format_duration, service_color};
use crate::ui::loader::Open;
use crate::ui::state::AppState;
use crate::ui::url::embed::EmbedParams;
use leptos::prelude::*;

#[component]
pub fn ResultsView() -> impl IntoView {
    let app = expect_context::<AppState>();
    let j = expect_context::<JaegerUi>();
    let rows = Memo::new(move |_| {
        let mut r = j.results.get();
        rows::sort_rows(&mut r, j.sort.get());
        r
    });
    let longest = Memo::new(move |_| {
        rows.with(|r| r.iter().map(|x| x.duration_ns).max().unwrap_or(1).max(1))
    });
    // Results ticked for a comparison, by trace id, at most two.
    let to_compare = RwSignal::new(Vec::<String>::new());
    view! {
        <div class="results" data-testid="results">
            <div class="results-head">
                <span data-testid="results-count">{move || j.searched.get().unwrap_or_else(|| "No search yet".into())}</span>
                <span class="results-download">
                    "Download "
                    <button class="button" data-testid="download-jaeger" title="The full traces of the results, as Jaeger UI downloads them ({\"data\":[…]})"
                        disabled=move || j.fetching.with(|f| f.running) || j.results.with(|r| r.is_empty())
                        on:click=move |_| j.fetch_results(app, After::Download(ExportFormat::Jaeger))>"Jaeger JSON"</button>
                    " "
                    <button class="button" data-testid="download-otlp" title="The full traces of the results, as OTLP/JSON ({\"resourceSpans\":[…]})"
                        disabled=move || j.fetching.with(|f| f.running) || j.results.with(|r| r.is_empty())
                        on:click=move |_| j.fetch_results(app, After::Download(ExportFormat::Otlp))>"OTLP JSON"</button>
                </span>
                <button class="button" data-testid="compare-results"
                    title="Tick two results to compare them: the shorter is A, the longer B"
                    disabled=move || to_compare.with(|c| c.len() != 2)
                    on:click=move |_| compare_results(j, app, &to_compare.get_untracked(), &rows.get_untracked())>
                    {move || format!("Compare ({} of 2 ticked)", to_compare.with(Vec::len))}
                </button>
                <label>"Sort "
                    <select data-testid="results-sort" on:change=move |ev| j.sort.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {rows::SORTS.iter().enumerate().map(|(i, s)| view! { <option value=i.to_string() selected=move || j.sort.get() == i>{*s}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <FetchProgress/>
            {(!use_context::<EmbedParams>().is_some_and(|e| e.hide_graph)).then(|| view! { <Scatter rows=rows/> })}
            <ul class="result-list">
                <For each=move || rows.get() key=|r| r.trace_id.clone() children=move |r: ResultRow| {
                    let id = r.trace_id.clone();
                    let tick_id = r.trace_id.clone();
                    let ticked_id = r.trace_id.clone();
                    let width = r.duration_ns as f64 * 100.0 / longest.get_untracked() as f64;
                    view! {
                        <li data-testid="result" on:click=move |_| j.open(app, id.clone())>
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
                                                // Two at most: the earliest ticked goes.
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
        </div>
    }
}

/// Compares the two results of `ids` (the shorter as A), fetching those
/// not loaded yet; the comparison opens once both are in.
fn compare_results(j: JaegerUi, app: AppState, ids: &[String], rows: &[ResultRow]) {
    let duration = |id: &String| {
        rows.iter()
            .find(|r| r.trace_id == *id)
            .map_or(0, |r| r.duration_ns)
    };
    let mut pair: Vec<&String> = ids.iter().collect();
    pair.sort_by_key(|id| duration(id));
    let [a, b] = pair[..] else {
        return;
    };
    app.pending_compare.set(Some((a.clone(), b.clone())));
    for id in [a, b] {
        if app.loaded_by_id(id).is_none() {
            if let Some(load) = j.fetch_trace(app, id.clone(), Abort::new()) {
                load.open(Open::Nothing).spawn(app);
            }
        }
    }
}

/// The health of the connection: a dot with a word (ok, slow, failing), the
/// API in use, the last request's round trip and the last successful contact.
#[component]
pub(super) fn HealthLine() -> impl IntoView {
    let j = expect_context::<JaegerUi>();
    move || {
        let h = j.health.get();
        let (class, word) = h.state()?;
        let mut parts = vec![match &h.failing {
            Some(why) => format!("{word} ({why})"),
            None => word.to_string(),
        }];
        if let Some(v) = j.version.get() {
            parts.push(v.label().to_string());
        }
        if let Some(ms) = h.last_ms {
            parts.push(format!("last request {ms:.0} ms"));
        }
        parts.push(match h.last_contact {
            Some(at) => format!("last contact {}", clock_time(at)),
            None => "no contact yet".to_string(),
        });
        Some(view! {
            <p class="jaeger-status jaeger-health" data-testid="jaeger-health" data-state=class>
                <span class=format!("dot {class}") aria-hidden="true" style:color=dot_color(class)>"●"</span>
                " "{parts.join(" · ")}
            </p>
        })
    }
}

/// The colour of the health dot (the word beside it says the same).
fn dot_color(state: &str) -> &'static str {
    match state {
        "ok" => "#2e7d32",
        "slow" => "#b26a00",
        _ => "var(--error)",
    }
}

/// A wall-clock time (ms since the epoch) as HH:MM:SS in the browser's zone.
fn clock_time(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!(
        "{:02}:{:02}:{:02}",
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds()
    )
}

/// Progress of fetching every search result, and what failed.
#[component]
pub fn FetchProgress() -> impl IntoView {
    let j = expect_context::<JaegerUi>();
    move || {
        let f = j.fetching.get();
        (f.total > 0).then(|| {
            let failed = f.failed.len();
            view! {
                <div class="fetch-progress">
                    <p data-testid="fetch-progress" role="status">
                        {format!(
                            "{} of {} fetched{}{}",
                            f.fetched,
                            f.total,
                            if failed > 0 { format!(", {failed} failed") } else { String::new() },
                            if f.running { "…" } else { "." }
                        )}
                    </p>
                    {(failed > 0).then(|| view! {
                        <ul class="fetch-failures" data-testid="fetch-failures">
                            {f.failed.into_iter().map(|(id, why)| view! { <li>{format!("{id}: {why}")}</li> }).collect_view()}
                        </ul>
                    })}
                </div>
            }
        })
    }
}

/// In the summary pane, while there are search results: how many are
/// loaded, and the action that fetches the rest and summarises them all.
#[component]
pub fn SearchSummaryBar() -> impl IntoView {
    let app = expect_context::<AppState>();
    let j = expect_context::<JaegerUi>();
    move || {
        let n = j.results.with(|r| r.len());
        (n > 0).then(|| {
            let loaded = j.loaded_result_keys(app).len();
            let label = if loaded < n {
                format!("Fetch all {n} traces and summarise")
            } else {
                format!("Summarise the {n} traces of the search")
            };
            view! {
                <div class="search-scope" data-testid="search-scope">
                    <span>{format!("The search found {n} trace{}; {loaded} loaded. ", if n == 1 { "" } else { "s" })}</span>
                    <button class="button" data-testid="fetch-all" disabled=move || j.fetching.with(|f| f.running)
                        on:click=move |_| j.fetch_results(app, After::Summarise)>{label}</button>
                    <FetchProgress/>
                </div>
            }
        })
    }
}

/// How long ago a trace started, in the largest whole unit.
fn relative_age(start_ns: i64) -> String {
    let now_ns = (js_sys::Date::now() * 1e6) as i64;
    let secs = (now_ns - start_ns) / 1_000_000_000;
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
fn Scatter(rows: Memo<Vec<ResultRow>>) -> impl IntoView {
    let app = expect_context::<AppState>();
    let j = expect_context::<JaegerUi>();
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
                let span = (t1 - t0).max(1) as f64;
                rows.iter().map(|r| {
                    let x = 10.0 + (r.start_ns - t0) as f64 / span * (W - 20.0);
                    let y = H - 8.0 - r.duration_ns as f64 / dmax * (H - 16.0);
                    let id = r.trace_id.clone();
                    let has_errors = r.errors > 0;
                    let tip = format!("{}: {}\n{} spans, {} services, {}", r.root_service, r.root_operation, r.spans, r.services.len(), format_duration(r.duration_ns));
                    view! {
                        <circle data-testid="scatter-point" cx=format!("{x:.1}") cy=format!("{y:.1}") r="5"
                            class:error=has_errors on:click=move |_| j.open(app, id.clone())>
                            <title>{tip}</title>
                        </circle>
                    }
                }).collect_view()
            })}
        </svg>
    }
}
