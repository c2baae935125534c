//! The trace view: the header, the bottleneck panel, and the timeline,
//! statistics, flame graph or service map with the span detail. It draws one trace from that trace's
//! [`ViewState`], which it provides to its parts by context, and keeps the
//! URL in step with it.

use super::bottleneck::BottleneckPanel;
use super::detail::SpanDetail;
use super::flame::TraceFlame;
use super::format::{absolute_time, format_duration, plural};
use super::service_map::ServiceMapTab;
use super::share::ShareButton;
use super::skew::SkewNote;
use super::state::{AppState, Loaded};
use super::statistics::StatisticsView;
use super::timeline::Timeline;
use super::url::embed::{EmbedParams, Show};
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
    let embed = use_context::<EmbedParams>().unwrap_or_default();
    if embed.show == Show::Timeline {
        // The timeline alone (with the span detail it opens).
        return view! {
            <div class="trace-view timeline-only">
                <div class="main-split">
                    <Timeline loaded=loaded.clone()/>
                    <SpanDetail loaded=loaded/>
                </div>
            </div>
        }
        .into_any();
    }
    let collapsed = state.title_collapsed;
    let title = format!("{svc} {op}");
    view! {
        <div class="trace-view">
            <div class="trace-header" class:collapsed=move || collapsed.get() data-testid="trace-header">
                <div class="title-row">
                    <button class="small header-toggle" data-testid="header-toggle"
                        aria-expanded=move || (!collapsed.get()).to_string()
                        title=move || if collapsed.get() { "Show the trace's details" } else { "Hide the trace's details" }
                        on:click=move |_| collapsed.update(|c| *c = !*c)>
                        {move || if collapsed.get() { "▸" } else { "▾" }}
                    </button>
                    <h1 title=title>
                        <span class="svc">{svc}</span>" "<span class="op">{op}</span>
                    </h1>
                    <CompareWith key=loaded.key/>
                    <ShareButton loaded=loaded.clone()/>
                </div>
                {(!embed.hide_summary).then(|| view! {
                    <div class="facts" data-testid="trace-facts">
                        <span>{format!("started {}", absolute_time(t.start_ns))}</span>
                        <span>{format!("duration {}", format_duration(t.duration_ns()))}</span>
                        <span>{plural(t.services.len(), "service")}</span>
                        <span>{format!("{} spans", t.spans.len())}</span>
                        <span>{format!("depth {}", t.max_depth + 1)}</span>
                        {(t.error_count > 0).then(|| view! { <span class="errors">{format!("{} errors", t.error_count)}</span> })}
                        <span class="trace-id">{format!("trace {}", t.trace_id)}</span>
                    </div>
                })}
                {(!embed.hide_summary).then(|| view! { <SkewNote loaded=loaded.clone()/> })}
                {(warning_count > 0 && !embed.hide_summary).then(|| view! {
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
                <widgets::Tab current=state.tab value=Tab::Flame testid="tab-flame">"Flame graph"</widgets::Tab>
                <widgets::Tab current=state.tab value=Tab::ServiceMap testid="tab-service-map">"Service map"</widgets::Tab>
            </div>
            <div class="main-split">
                {
                    let timeline = loaded.clone();
                    let stats = loaded.clone();
                    let flame = loaded.clone();
                    let map = loaded.clone();
                    move || match state.tab.get() {
                        Tab::Timeline => view! { <Timeline loaded=timeline.clone()/> }.into_any(),
                        Tab::Statistics => view! { <StatisticsView loaded=stats.clone()/> }.into_any(),
                        Tab::Flame => view! { <TraceFlame loaded=flame.clone()/> }.into_any(),
                        Tab::ServiceMap => view! { <ServiceMapTab loaded=map.clone()/> }.into_any(),
                    }
                }
                <SpanDetail loaded=loaded/>
            </div>
        </div>
    }
    .into_any()
}

/// Longest trace name shown in the "Compare with" list.
const COMPARE_NAME_CHARS: usize = 60;

/// A list of the other loaded traces: choosing one compares it (B) with
/// this one (A).
#[component]
fn CompareWith(key: u64) -> impl IntoView {
    let app = expect_context::<AppState>();
    // Listed when the list is first used: a file of a thousand traces
    // would otherwise make a thousand options with every trace shown.
    let used = RwSignal::new(false);
    let others = Memo::new(move |_| {
        if !used.get() {
            return Vec::new();
        }
        app.traces.with(|t| {
            t.iter()
                .filter(|l| l.key != key)
                .map(|l| {
                    let tr = &l.trace;
                    let name = tr
                        .main_root()
                        .and_then(|r| tr.span(r))
                        .map(|r| format!("{} {}", tr.service_name(r), tr.span_name(r)))
                        .unwrap_or_default();
                    let short: String = name.chars().take(COMPARE_NAME_CHARS).collect();
                    let id: String = tr.trace_id.chars().take(7).collect();
                    (
                        l.key,
                        format!("{short} — {} ({id})", format_duration(tr.duration_ns())),
                    )
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <Show when=move || app.traces.with(|t| t.len() > 1)>
            <label class="compare-with" title="Compare this trace (A) with another loaded trace (B)">
                "Compare with "
                <select data-testid="compare-with" on:focus=move |_| used.set(true) on:pointerdown=move |_| used.set(true) on:change=move |ev| {
                    if let Ok(other) = event_target_value(&ev).parse::<u64>() {
                        app.open_compare(key, other);
                    }
                }>
                    <option value="" selected>"…"</option>
                    {move || others.get().into_iter().map(|(k, label)| view! { <option value=k.to_string()>{label}</option> }).collect_view()}
                </select>
            </label>
        </Show>
    }
}
