//! The bottleneck panel: the headline, the findings ranked by time at stake
//! (each selects and scrolls to its evidence), and the critical path as one
//! stacked bar of operations, coloured by service.

use super::format::{format_duration, service_color};
use super::state::Loaded;
use super::view_state::ViewState;
use crate::analysis::describe::format_share;
use crate::analysis::{Finding, TraceAnalysis};
use crate::model::Trace;
use leptos::prelude::*;
use std::sync::Arc;

/// Operations drawn separately in the stacked bar; the rest are "other".
const BAR_OPERATIONS: usize = 12;

/// Findings drawn with the panel; the list shows about five at a time.
const FIRST_FINDINGS: usize = 6;

/// The panel, once the trace's analysis is done; until then, a line that
/// says it is under way.
#[component]
pub fn BottleneckPanel(loaded: Loaded) -> impl IntoView {
    let busy = loaded.analysis.clone();
    view! {
        <section
            class="bottleneck"
            data-testid="bottleneck-panel"
            aria-label="Where the time went"
            aria-busy=move || busy.with(Option::is_none).then_some("true")
        >
            {super::widgets::when_analysed(
                loaded,
                |trace, analysis| view! { <Panel trace analysis/> }.into_any(),
                "Finding the critical path",
            )}
        </section>
    }
}

/// What fixing a finding would save: computed (the request recomputed
/// with it fixed) where its kind has a model, else the estimate.
fn stake(f: &Finding) -> impl IntoView {
    match f.saving {
        Some(sv) => view! {
            <span class="stake saving" data-testid="saving"
                title=format!("Recomputed with this fixed: the request would take {} instead of {}", format_duration(sv.new_duration_ns), format_duration(sv.duration_ns()))>
                {format!("saves {} ({})", format_duration(sv.saved_ns), format_share(sv.saved_ns, sv.duration_ns()))}
            </span>
        }
        .into_any(),
        None => view! {
            <span class="stake" title="How much shorter the trace could be if this were fixed: an estimate from the critical path (no fix is modelled for it)">
                {format!("{} at stake", format_duration(f.time_at_stake_ns))}
            </span>
        }
        .into_any(),
    }
}

#[component]
fn Panel(trace: Arc<Trace>, analysis: Arc<TraceAnalysis>) -> impl IntoView {
    let state = expect_context::<ViewState>();
    let (t, a) = (trace, analysis);
    let total = t.duration_ns().max(1);
    let ops = &a.operation_times;
    let shown: i64 = ops.iter().take(BAR_OPERATIONS).map(|o| o.time_ns).sum();
    let all: i64 = ops.iter().map(|o| o.time_ns).sum();
    let segments = ops
        .iter()
        .take(BAR_OPERATIONS)
        .filter_map(|o| {
            let (svc, name) = t.operation_names(o.operation)?;
            let service_ix = t.operations.get(o.operation as usize)?.service;
            let label = format!(
                "{svc}: {} — {} ({})",
                name,
                format_duration(o.time_ns),
                format_share(o.time_ns, total)
            );
            let width = o.time_ns as f64 * 100.0 / total as f64;
            let evidence = o.top_span;
            Some(view! {
                <button
                    class="cp-seg"
                    title=label.clone()
                    aria-label=label
                    style:width=format!("{width:.3}%")
                    style:background=service_color(service_ix)
                    on:click=move |_| state.show_spans(&[evidence])
                ></button>
            })
        })
        .collect_view();
    let other = all - shown;
    // The list shows a few findings at a time (it scrolls): the first are
    // drawn with the panel, the rest on the next frame, so that the frame
    // in which the analysis lands stays short.
    let finding = move |i: usize, f: &Finding| {
        let evidence = f.evidence.clone();
        let count = evidence.len();
        view! {
            <li>
                <button class="finding" data-testid="finding" on:click=move |_| state.show_spans(&evidence)>
                    <span class="rank">{i + 1}</span>
                    <span class="kind">{f.kind.label()}</span>
                    {stake(f)}
                    <span class="sentence">{f.sentence.clone()}</span>
                    <span class="evidence">{format!("{count} span{}", if count == 1 { "" } else { "s" })}</span>
                </button>
            </li>
        }
    };
    let first = a
        .findings
        .iter()
        .take(FIRST_FINDINGS)
        .enumerate()
        .map(|(i, f)| finding(i, f))
        .collect_view();
    let rest_shown = RwSignal::new(false);
    if a.findings.len() > FIRST_FINDINGS {
        leptos::task::spawn_local(async move {
            super::frames::after_paint().await;
            rest_shown.try_set(true);
        });
    }
    let rest_of = a.clone();
    let rest = move || {
        rest_shown.get().then(|| {
            rest_of
                .findings
                .iter()
                .enumerate()
                .skip(FIRST_FINDINGS)
                .map(|(i, f)| finding(i, f))
                .collect_view()
        })
    };
    view! {
        <p class="headline" data-testid="headline">{a.headline.clone()}</p>
        <div class="cp-bar" data-testid="cp-bar" aria-label="Critical path by operation">
            {segments}
            {(other > 0).then(|| view! {
                <span class="cp-seg other" title=format!("other operations: {}", format_duration(other)) style:width=format!("{:.3}%", other as f64 * 100.0 / total as f64)></span>
            })}
        </div>
        <details class="findings" open=true>
            <summary>{format!("Findings ({})", a.findings.len())}</summary>
            <ol data-testid="findings">{first}{rest}</ol>
        </details>
    }
}
