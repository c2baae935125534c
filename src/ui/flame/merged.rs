//! The merged flame graph of a summary group: where the time of all its
//! requests goes (`analysis::flame::merge`), laid out left-heavy by the
//! weight the user picks (critical-path time or total time). The merge is
//! done once, when the group is first drawn; a change of weight lays it
//! out again and keeps the zoom on the same node.

use super::chart::{FlameChart, Source};
use crate::analysis::flame::{self, Flame, MergedFlame, Weight};
use crate::analysis::summary::GroupSummary;
use crate::analysis::TraceAnalysis;
use crate::model::Trace;
use crate::ui::format::{format_duration, plural, service_color};
use crate::ui::state::Loaded;
use leptos::prelude::*;
use std::sync::Arc;

/// A merged tree laid out for one weight, as a flame graph's items.
struct MergedSource {
    merged: Arc<MergedFlame>,
    layout: flame::MergedLayout,
}

impl MergedSource {
    fn node(&self, item: u32) -> Option<(u32, &flame::MergedNode)> {
        let n = *self.layout.node_of.get(item as usize)?;
        Some((n, self.merged.nodes.get(n as usize)?))
    }
}

impl Source for MergedSource {
    fn flame(&self) -> &Flame {
        &self.layout.flame
    }

    fn name(&self, item: u32) -> String {
        self.node(item)
            .map(|(n, _)| self.merged.names(n).1.to_string())
            .unwrap_or_default()
    }

    fn colour(&self, item: u32) -> &'static str {
        service_color(
            self.node(item)
                .map_or(0, |(n, _)| self.merged.service_of(n)),
        )
    }

    fn critical(&self, item: u32) -> bool {
        self.layout.weight == Weight::Total
            && self.node(item).is_some_and(|(_, x)| x.critical_path_ns > 0)
    }

    fn tooltip(&self, item: u32) -> Vec<String> {
        let Some((n, x)) = self.node(item) else {
            return Vec::new();
        };
        let (service, name) = self.merged.names(n);
        vec![
            name.to_string(),
            format!("service {service}"),
            format!(
                "{} in {} of {}",
                plural(x.spans as usize, "span"),
                plural(x.traces as usize, "trace"),
                self.merged.traces
            ),
            format!(
                "critical path {} (its own {})",
                format_duration(x.critical_path_total_ns),
                format_duration(x.critical_path_ns)
            ),
            format!(
                "total time {} (self time {})",
                format_duration(x.total_ns),
                format_duration(x.self_ns)
            ),
        ]
    }

    fn parent(&self, item: u32) -> Option<u32> {
        let (_, x) = self.node(item)?;
        self.layout.item_of.get(x.parent? as usize).copied()
    }
}

#[component]
pub fn MergedFlameView(group: GroupSummary, traces: Vec<Loaded>) -> impl IntoView {
    // Every trace of a drawn summary is analysed.
    let analyses: Option<Vec<Arc<TraceAnalysis>>> = group
        .traces
        .iter()
        .filter_map(|&i| traces.get(i))
        .map(|l| l.analysis.get_untracked())
        .collect();
    let pairs: Vec<(&Trace, &TraceAnalysis)> = group
        .traces
        .iter()
        .filter_map(|&i| traces.get(i))
        .zip(analyses.iter().flatten())
        .map(|(l, a)| (l.trace.as_ref(), a.as_ref()))
        .collect();
    let merged = Arc::new(flame::merge(&pairs));
    let weight = RwSignal::new(Weight::CriticalPath);
    // The zoomed node (kept when the weight changes).
    let zoom_node = RwSignal::new(None::<u32>);
    let n = merged.traces;
    view! {
        <section class="merged-flame" data-testid="merged-flame">
            <h3>
                {if n == 1 {
                    "Where the time goes, in its one trace ".to_string()
                } else {
                    format!("Where the time goes, across the {n} traces ")
                }}
                <select data-testid="flame-weight" title="What the widths stand for"
                    on:change=move |ev| weight.set(match event_target_value(&ev).as_str() {
                        "total" => Weight::Total,
                        _ => Weight::CriticalPath,
                    })>
                    <option value="critical-path" selected>"by critical-path time"</option>
                    <option value="total">"by total time"</option>
                </select>
            </h3>
            <p class="hint">
                "Spans merged by their path of service and span name from the root, heaviest first; the part of a bar with nothing below it is that node's own time. "
                {move || match weight.get() {
                    Weight::CriticalPath => "Widths: critical-path time, what made the requests take as long as they did.",
                    Weight::Total => "Widths: summed durations (concurrent calls share the time they cover); a dark foot marks nodes with critical-path time.",
                }}
            </p>
            {move || {
                let w = weight.get();
                let source = Arc::new(MergedSource { merged: merged.clone(), layout: merged.layout(w) });
                let for_zoom = source.clone();
                let zoom = Signal::derive(move || {
                    zoom_node.get().and_then(|n| for_zoom.layout.item_of.get(n as usize).copied())
                });
                let for_pick = source.clone();
                let on_zoom = Callback::new(move |item: Option<u32>| {
                    zoom_node.set(item.and_then(|i| for_pick.layout.node_of.get(i as usize).copied()));
                });
                let source: Arc<dyn Source> = source;
                view! { <FlameChart source zoom on_zoom/> }
            }}
        </section>
    }
}
