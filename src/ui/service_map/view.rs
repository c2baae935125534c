//! The service map drawn: the trace view's "Service map" tab (the
//! services of every loaded trace, or of this one, with this trace's
//! critical path outlined) and a summary group's map. Every name is a text
//! node; a click on a service filters a timeline to it.

use super::layout::{layout, EdgePath, NODE_H, NODE_W};
use crate::analysis::service_map::{service_map, ServiceEdge, ServiceMap, ServiceNode};
use crate::model::Trace;
use crate::ui::format::{format_duration, plural, service_color};
use crate::ui::state::{AppState, Loaded};
use crate::ui::view_state::{ViewState, Views};
use crate::ui::widgets::Toggle;
use leptos::prelude::*;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Longest service name drawn in a box (the whole name is its tooltip).
const NAME_CHARS: usize = 22;

/// The trace view's tab: the services of the loaded traces (or of this
/// one), those on this trace's critical path outlined; a click on one of
/// this trace's services shows the timeline filtered to it.
#[component]
pub fn ServiceMapTab(loaded: Loaded) -> impl IntoView {
    let app = expect_context::<AppState>();
    let state = expect_context::<ViewState>();
    let count = Memo::new(move |_| app.traces.with(Vec::len));
    let one = Memo::new(move |_| state.map_one_trace.get() || count.get() < 2);
    let trace = loaded.trace.clone();
    let analysis = loaded.analysis.clone();
    let map = Memo::new(move |_| {
        let mut m = if one.get() {
            service_map(&[&trace])
        } else {
            app.traces.with(|all| {
                let refs: Vec<&Trace> = all.iter().map(|l| l.trace.as_ref()).collect();
                service_map(&refs)
            })
        };
        analysis.with(|a| {
            if let Some(a) = a {
                m.mark_critical_path(&trace, &a.critical_path);
            }
        });
        Arc::new(m)
    });
    let t = loaded.trace.clone();
    let here: Arc<HashSet<String>> = Arc::new(
        t.services
            .iter()
            .map(|s| t.str(s.name).to_string())
            .collect(),
    );
    let analysed = loaded.analysis.clone();
    let scope = move || {
        let n = count.get();
        let whose = if one.get() {
            "this trace".to_string()
        } else {
            format!("the {n} loaded traces")
        };
        let path = if analysed.with(Option::is_some) {
            "outlined: on this trace's critical path"
        } else {
            "the critical path is outlined once the trace is analysed"
        };
        format!("Services of {whose} and the calls between them ({path}). Click one of this trace's services to filter the timeline to it.")
    };
    let pick = Callback::new(move |name: String| state.filter_service(name));
    view! {
        <div class="service-map-view" data-testid="service-map-view">
            <p class="map-scope" data-testid="service-map-scope">
                {scope}
                <Show when=move || { count.get() > 1 }>
                    " "
                    <Toggle checked=state.map_one_trace testid="service-map-one-trace" label="Only this trace"/>
                </Show>
            </p>
            <MapSvg map=map.into() clickable=Some(here.clone()) pick=pick/>
        </div>
    }
}

/// A summary group's map: the services of its traces; a click on one opens
/// the slowest trace of the group that has it, filtered to it.
#[component]
pub fn GroupServiceMap(traces: Vec<Loaded>) -> impl IntoView {
    let app = expect_context::<AppState>();
    let views = expect_context::<Views>();
    let refs: Vec<&Trace> = traces.iter().map(|l| l.trace.as_ref()).collect();
    let map = Arc::new(service_map(&refs));
    let count = map.services.len();
    // By duration, slowest first.
    let mut by_duration = traces;
    by_duration.sort_by_key(|l| std::cmp::Reverse(l.trace.duration_ns()));
    let members = StoredValue::new(by_duration);
    let pick = Callback::new(move |name: String| {
        let target = members.with_value(|m| {
            m.iter()
                .find(|l| l.trace.services.iter().any(|s| l.trace.str(s.name) == name))
                .cloned()
        });
        if let Some(l) = target {
            views.state(&l).filter_service(name);
            app.show(l.key);
        }
    });
    view! {
        <details class="group-map" data-testid="group-service-map">
            <summary>{format!("Service map ({})", plural(count, "service"))}</summary>
            <p class="map-scope">"Click a service to open the slowest trace of the group that has it, filtered to it."</p>
            <MapSvg map=Signal::stored(map) clickable=None pick=pick/>
        </details>
    }
}

/// Tells the arrow markers of several maps on one page apart.
static MAP_IDS: AtomicUsize = AtomicUsize::new(0);

/// The map as SVG. `clickable`: the services a click may pick (`None`:
/// all); the others are drawn faded.
#[component]
fn MapSvg(
    map: Signal<Arc<ServiceMap>>,
    clickable: Option<Arc<HashSet<String>>>,
    pick: Callback<String>,
) -> impl IntoView {
    let id = MAP_IDS.fetch_add(1, Ordering::Relaxed);
    let arrow = format!("svc-arrow-{id}");
    move || {
        let m = map.get();
        if m.services.is_empty() {
            return view! { <p class="map-empty">"No services to draw."</p> }.into_any();
        }
        let pairs: Vec<(usize, usize)> = m.calls.iter().map(|e| (e.from, e.to)).collect();
        let l = layout(m.services.len(), &pairs);
        let marker = format!("url(#{arrow})");
        let edges = m
            .calls
            .iter()
            .zip(&l.edges)
            .map(|(e, p)| edge(&m, e, p, &marker))
            .collect_view();
        let nodes = m
            .services
            .iter()
            .zip(&l.nodes)
            .enumerate()
            .map(|(i, (s, &at))| {
                let active = clickable.as_ref().is_none_or(|c| c.contains(&s.name));
                node(i, s, at, active, pick)
            })
            .collect_view();
        view! {
            <div class="service-map-wrap">
                <svg class="service-map" data-testid="service-map"
                    viewBox=format!("0 0 {:.0} {:.0}", l.width, l.height)
                    width=format!("{:.0}", l.width) height=format!("{:.0}", l.height)
                    role="group" aria-label="Service map">
                    <defs>
                        <marker id=arrow.clone() viewBox="0 0 10 10" refX="10" refY="5"
                            markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                            <path d="M0,0 L10,5 L0,10 z" class="svc-arrow"></path>
                        </marker>
                    </defs>
                    <g class="svc-edges">{edges}</g>
                    <g class="svc-nodes">{nodes}</g>
                </svg>
            </div>
        }
        .into_any()
    }
}

/// One call: its curve, its arrow and its label.
fn edge(m: &ServiceMap, e: &ServiceEdge, p: &EdgePath, marker: &str) -> impl IntoView {
    let name = |i: usize| {
        m.services
            .get(i)
            .map_or("", |s| s.name.as_str())
            .to_string()
    };
    let (from, to) = (name(e.from), name(e.to));
    let p95 = format_duration(e.p95_ns);
    let mut label = format!("{}× · p95 {p95}", e.calls);
    if e.errors > 0 {
        label.push_str(&format!(" · {} err", e.errors));
    }
    let tip = format!(
        "{from} → {to}: {}, {}, p95 {p95}{}",
        plural(e.calls as usize, "call"),
        plural(e.errors as usize, "error"),
        if e.on_critical_path {
            " (on this trace's critical path)"
        } else {
            ""
        }
    );
    let failing = e.errors > 0;
    view! {
        <g class="svc-edge" class:critical=e.on_critical_path class:failing=failing class:back=p.back
            data-testid="service-edge" data-from=from data-to=to
            data-calls=e.calls.to_string() data-errors=e.errors.to_string()>
            <title>{tip}</title>
            <path d=p.svg() marker-end=marker.to_string()></path>
            <text x=format!("{:.1}", p.label.0) y=format!("{:.1}", p.label.1 - 4.0) text-anchor="middle">{label}</text>
        </g>
    }
}

/// One service's box: a band of its colour, its name and its counts.
fn node(
    i: usize,
    s: &ServiceNode,
    (x, y): (f64, f64),
    active: bool,
    pick: Callback<String>,
) -> impl IntoView {
    let short: String = if s.name.chars().count() > NAME_CHARS {
        let head: String = s.name.chars().take(NAME_CHARS - 1).collect();
        format!("{head}…")
    } else {
        s.name.clone()
    };
    let mut facts = plural(s.spans as usize, "span");
    if s.errors > 0 {
        facts.push_str(&format!(" · {} err", s.errors));
    }
    let tip = format!(
        "{}: {}, {} in error, in {}{}",
        s.name,
        plural(s.spans as usize, "span"),
        s.errors,
        plural(s.traces as usize, "trace"),
        match (active, s.on_critical_path) {
            (false, _) => " (not in this trace)",
            (true, true) => " (on this trace's critical path; click to filter the timeline to it)",
            (true, false) => " (click to filter the timeline to it)",
        }
    );
    let name = s.name.clone();
    let key_name = s.name.clone();
    let failing = s.errors > 0;
    view! {
        <g class="svc-node" class:critical=s.on_critical_path class:absent=!active class:failing=failing
            data-testid="service-node" data-service=s.name.clone()
            transform=format!("translate({x:.1},{y:.1})")
            tabindex=if active { "0" } else { "-1" } role="button" aria-disabled=(!active).to_string()
            on:click=move |_| if active { pick.run(name.clone()) }
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if active && (ev.key() == "Enter" || ev.key() == " ") {
                    ev.prevent_default();
                    pick.run(key_name.clone());
                }
            }>
            <title>{tip}</title>
            <rect class="svc-box" width=NODE_W.to_string() height=NODE_H.to_string() rx="6"></rect>
            <rect class="svc-band" width="6" height=NODE_H.to_string() rx="3" fill=service_color(i as u32)></rect>
            <text class="svc-name" x="14" y="18">{short}</text>
            <text class="svc-facts" x="14" y="35">{facts}</text>
        </g>
    }
}
