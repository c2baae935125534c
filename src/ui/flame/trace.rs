//! The "Flame graph" tab of the trace view: the open trace as an icicle
//! (`analysis::flame::trace_flame`), laid out once when the tab is first
//! shown. A click zooms into a span's subtree and selects the span, so
//! the detail beside it shows the span and the timeline has it selected
//! when it is shown again; the zoom is kept in the view's state.

use super::chart::{FlameChart, Source};
use crate::analysis::flame::{trace_flame, Flame};
use crate::analysis::TraceAnalysis;
use crate::model::Trace;
use crate::ui::format::{format_duration, service_color};
use crate::ui::state::Loaded;
use crate::ui::view_state::ViewState;
use leptos::prelude::*;
use std::sync::Arc;

/// One trace's spans as a flame graph's items (item `p` is the span at
/// tree position `p`).
struct TraceSource {
    trace: Arc<Trace>,
    analysis: Arc<TraceAnalysis>,
    flame: Flame,
}

impl TraceSource {
    fn span(&self, item: u32) -> Option<(u32, &crate::model::Span)> {
        let ix = *self.trace.tree_order.get(item as usize)?;
        Some((ix, self.trace.span(ix)?))
    }
}

impl Source for TraceSource {
    fn flame(&self) -> &Flame {
        &self.flame
    }

    fn name(&self, item: u32) -> String {
        self.span(item)
            .map(|(_, s)| self.trace.span_name(s).to_string())
            .unwrap_or_default()
    }

    fn colour(&self, item: u32) -> &'static str {
        service_color(self.span(item).map_or(0, |(_, s)| s.service))
    }

    fn critical(&self, item: u32) -> bool {
        self.span(item).is_some_and(|(ix, _)| {
            self.analysis
                .critical_path
                .on_path
                .get(ix as usize)
                .copied()
                .unwrap_or(false)
        })
    }

    fn tooltip(&self, item: u32) -> Vec<String> {
        let Some((ix, s)) = self.span(item) else {
            return Vec::new();
        };
        let own = self.analysis.self_time_ns.get(ix as usize).copied();
        let mut lines = vec![
            self.trace.span_name(s).to_string(),
            format!("service {}", self.trace.service_name(s)),
            format!("duration {}", format_duration(s.duration_ns)),
            format!("self time {}", format_duration(own.unwrap_or(0))),
        ];
        let cp = self.analysis.critical_path.time_of(ix);
        if cp > 0 {
            lines.push(format!("critical path {}", format_duration(cp)));
        }
        if s.is_error() {
            lines.push("error".to_string());
        }
        lines
    }

    fn parent(&self, item: u32) -> Option<u32> {
        let (_, s) = self.span(item)?;
        self.trace.tree_position(s.parent?)
    }
}

#[component]
pub fn TraceFlame(loaded: Loaded) -> impl IntoView {
    view! {
        <div class="flame-view" data-testid="flame-view">
            {crate::ui::widgets::when_analysed(
                loaded,
                |trace, analysis| view! { <Laid trace analysis/> }.into_any(),
                "Finding the critical path",
            )}
        </div>
    }
}

#[component]
fn Laid(trace: Arc<Trace>, analysis: Arc<TraceAnalysis>) -> impl IntoView {
    let state = expect_context::<ViewState>();
    // Measured for bench/browser.mjs as `traceglass:flame-layout`.
    crate::ui::frames::perf_mark("traceglass:flame-layout-start", None);
    let flame = trace_flame(&trace);
    crate::ui::frames::perf_mark(
        "traceglass:flame-layout",
        Some("traceglass:flame-layout-start"),
    );
    let source: Arc<dyn Source> = Arc::new(TraceSource {
        trace: trace.clone(),
        analysis,
        flame,
    });
    let t = trace.clone();
    let zoom = Signal::derive(move || {
        state
            .flame_zoom
            .get()
            .and_then(|span| t.tree_position(span))
    });
    let on_zoom = Callback::new(move |item: Option<u32>| {
        let span = item.and_then(|p| trace.tree_order.get(p as usize).copied());
        state.flame_zoom.set(span);
        if let Some(span) = span {
            state.select(span);
        }
    });
    view! { <FlameChart source zoom on_zoom/> }
}
