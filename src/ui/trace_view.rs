//! The trace view: the header, the bottleneck panel, and the timeline or
//! statistics with the span detail. It draws one trace from that trace's
//! [`ViewState`], which it provides to its parts by context, and keeps the
//! URL in step with it.

use super::bottleneck::BottleneckPanel;
use super::detail::SpanDetail;
use super::format::{absolute_time, format_duration, plural};
use super::state::{AppState, Loaded};
use super::statistics::StatisticsView;
use super::timeline::Timeline;
use super::view_state::{Tab, Views};
use super::widgets;
use leptos::prelude::*;

#[component]
pub fn TraceView(loaded: Loaded) -> impl IntoView {
    let app = expect_context::<AppState>();
    let views = expect_context::<Views>();
    let state = views.state(&loaded);
    views.shown(loaded.key);
    provide_context(state);
    // The URL follows the view: a link copied now opens it as it is. It
    // names the trace when there are several (not again for every trace
    // a fetch adds).
    let several = Memo::new(move |_| app.traces.with(|t| t.len() > 1));
    Effect::new(move |_| super::url::write_view(&state.params(several.get())));
    let t = loaded.trace.clone();
    let root = t.main_root().and_then(|r| t.span(r));
    let (svc, op) = root
        .map(|r| (t.service_name(r).to_string(), t.span_name(r).to_string()))
        .unwrap_or_default();
    let warnings: Vec<String> = t
        .warnings
        .iter()
        .map(|w| match w.span.and_then(|s| t.span(s)) {
            Some(s) => format!("{} ({}): {}", t.span_name(s), s.span_id, w.message),
            None => w.message.clone(),
        })
        .collect();
    let warning_count = warnings.len();
    view! {
        <div class="trace-view">
            <div class="trace-header" data-testid="trace-header">
                <h1>
                    <span class="svc">{svc}</span>" "<span class="op">{op}</span>
                </h1>
                <div class="facts">
                    <span>{format!("started {}", absolute_time(t.start_ns))}</span>
                    <span>{format!("duration {}", format_duration(t.duration_ns()))}</span>
                    <span>{plural(t.services.len(), "service")}</span>
                    <span>{format!("{} spans", t.spans.len())}</span>
                    <span>{format!("depth {}", t.max_depth + 1)}</span>
                    {(t.error_count > 0).then(|| view! { <span class="errors">{format!("{} errors", t.error_count)}</span> })}
                    <span class="trace-id">{format!("trace {}", t.trace_id)}</span>
                </div>
                {(warning_count > 0).then(|| view! {
                    <details class="warnings">
                        <summary>{format!("{warning_count} warnings")}</summary>
                        <ul>{warnings.into_iter().take(200).map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
                    </details>
                })}
            </div>
            <BottleneckPanel loaded=loaded.clone()/>
            <div class="tabs" role="tablist">
                <widgets::Tab current=state.tab value=Tab::Timeline testid="tab-timeline">"Timeline"</widgets::Tab>
                <widgets::Tab current=state.tab value=Tab::Statistics testid="tab-statistics">"Statistics"</widgets::Tab>
            </div>
            <div class="main-split">
                {
                    let timeline = loaded.clone();
                    let stats = loaded.clone();
                    move || match state.tab.get() {
                        Tab::Timeline => view! { <Timeline loaded=timeline.clone()/> }.into_any(),
                        Tab::Statistics => view! { <StatisticsView loaded=stats.clone()/> }.into_any(),
                    }
                }
                <SpanDetail loaded=loaded/>
            </div>
        </div>
    }
}
