//! The results of a Jaeger search: the list with Jaeger UI's sort orders
//! and a scatter plot of duration over start time (a click opens the
//! trace), the downloads of the results, the health line, and the progress
//! of fetching every result.

use super::rows::{self, ResultRow};
use super::state::{After, ExportFormat};
use super::JaegerUi;
use crate::sources::http::Abort;
use crate::ui::loader::Open;
use crate::ui::result_list::{ResultList, Scatter};
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
    let open = Callback::new(move |id: String| j.open(app, id));
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
            {(!use_context::<EmbedParams>().is_some_and(|e| e.hide_graph)).then(|| view! { <Scatter rows=rows open=open/> })}
            <ResultList rows=rows open=open to_compare=to_compare/>
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
