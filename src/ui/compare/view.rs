//! The compare view: two loaded traces, A and B, as one merged tree
//! (`analysis::compare`), each node with its count, duration, self time
//! and critical-path time in A and in B and the differences, told apart
//! by a sign and a colour; the headline; the nodes that account for the
//! difference, each revealing its row; a node's spans opened in either
//! trace. Only the rows in view are in the DOM.

use super::rows::{self, ROW_HEIGHT};
use crate::analysis::compare::{compare_paced, Change, Comparison, NodeIx, Side, Which};
use crate::model::{SpanIx, Trace};
use crate::ui::budget::Budget;
use crate::ui::format::format_duration;
use crate::ui::frames::perf_mark;
use crate::ui::state::{AppState, Loaded};
use crate::ui::view_state::Views;
use crate::ui::widgets::SizeWatch;
use leptos::prelude::*;
use std::sync::Arc;

/// Nodes listed under "what accounts for the difference".
const RANKED_SHOWN: usize = 5;

/// The compare pane: the two traces of `AppState::compare`, once both are
/// loaded and analysed.
#[component]
pub fn CompareView() -> impl IntoView {
    let app = expect_context::<AppState>();
    let pair = Memo::new(move |_| {
        let (ka, kb) = app.compare.get()?;
        app.traces.with(|t| {
            let find = |k: u64| t.iter().find(|l| l.key == k).cloned();
            Some((find(ka)?, find(kb)?))
        })
    });
    view! {
        <div class="compare" data-testid="compare">
            {move || match pair.get() {
                Some((a, b)) => view! { <Compared a b/> }.into_any(),
                None => view! {
                    <p class="empty" data-testid="compare-empty">
                        "Choose two traces to compare: tick two in the list and press Compare, or pick one under “Compare with” in a trace's header."
                    </p>
                }.into_any(),
            }}
        </div>
    }
}

/// One trace's side of the header.
fn side_title(which: &'static str, l: &Loaded) -> impl IntoView {
    let t = &l.trace;
    let (svc, op) = t
        .main_root()
        .and_then(|r| t.span(r))
        .map(|r| (t.service_name(r).to_string(), t.span_name(r).to_string()))
        .unwrap_or_default();
    view! {
        <div class="cmp-side" data-testid=format!("compare-side-{}", which.to_lowercase())>
            <span class="cmp-which">{which}</span>
            <span class="svc">{svc}</span>" "<span class="op">{op}</span>
            <span class="meta">{format!(" {} · {} spans · trace {}", format_duration(t.duration_ns()), t.spans.len(), t.trace_id)}</span>
        </div>
    }
}

#[component]
fn Compared(a: Loaded, b: Loaded) -> impl IntoView {
    let app = expect_context::<AppState>();
    let result = RwSignal::new(None::<Arc<Comparison>>);
    let (aa, ba) = (a.analysis.clone(), b.analysis.clone());
    let (ta, tb) = (a.trace.clone(), b.trace.clone());
    Effect::new(move |started: Option<bool>| {
        if started == Some(true) {
            return true;
        }
        let (Some(x), Some(y)) = (aa.get(), ba.get()) else {
            return false;
        };
        let (ta, tb) = (ta.clone(), tb.clone());
        leptos::task::spawn_local(async move {
            let mut budget = Budget::new();
            // Measured as `traceglass:compare` (bench/compare.mjs).
            perf_mark("traceglass:compare-start", None);
            let c = compare_paced((&ta, &x), (&tb, &y), &mut budget).await;
            perf_mark("traceglass:compare", Some("traceglass:compare-start"));
            result.try_set(Some(Arc::new(c)));
        });
        true
    });
    let (ka, kb) = (a.key, b.key);
    let heading = view! {
        <div class="cmp-head">
            {side_title("A", &a)}
            {side_title("B", &b)}
            <button class="button" data-testid="compare-swap" title="Compare the other way round"
                on:click=move |_| app.open_compare(kb, ka)>"Swap A and B"</button>
        </div>
    };
    let body = move || match result.get() {
        Some(c) => view! { <Tree a=a.clone() b=b.clone() cmp=c/> }.into_any(),
        None => view! {
            <p class="analysing" role="status" data-testid="analysing">
                {format!("Comparing {} and {} spans…", a.trace.spans.len(), b.trace.spans.len())}
            </p>
        }
        .into_any(),
    };
    view! { {heading} {body} }
}

/// The span of `spans` that took longest: the one a node opens.
fn longest(t: &Trace, spans: &[SpanIx]) -> Option<SpanIx> {
    spans
        .iter()
        .copied()
        .max_by_key(|&s| t.span(s).map_or(0, |x| x.duration_ns))
}

#[component]
fn Tree(a: Loaded, b: Loaded, cmp: Arc<Comparison>) -> impl IntoView {
    let views = expect_context::<Views>();
    let n = cmp.nodes.len();
    let changed = Arc::new(rows::changed_below(&cmp));
    let collapsed = RwSignal::new(vec![false; n]);
    let changes_only = RwSignal::new(n > rows::CHANGES_ONLY_ABOVE);
    let selected = RwSignal::new(None::<NodeIx>);
    let (c2, ch2) = (cmp.clone(), changed.clone());
    let shown = Memo::new(move |_| {
        let only = changes_only.get();
        collapsed.with(|col| rows::visible(&c2, col, &ch2, only))
    });
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(600.0f64);
    let scroller = NodeRef::<leptos::html::Div>::new();
    let watch = SizeWatch::new(move || {
        if let Some(el) = scroller.get_untracked() {
            viewport.set(f64::from(el.client_height()));
        }
    });
    Effect::new(move |_| {
        let el = scroller.get();
        watch.watch(el.as_deref().map(|e| e.as_ref()));
    });
    // Shows a node: its ancestors opened, the filter off if it hides it,
    // scrolled to the middle of the view, selected.
    let c3 = cmp.clone();
    let ch3 = changed.clone();
    let reveal = move |ix: NodeIx| {
        let up = rows::ancestors(&c3, ix);
        if collapsed.with_untracked(|c| up.iter().any(|&p| c.get(p as usize) == Some(&true))) {
            collapsed.update(|c| {
                for p in up {
                    if let Some(x) = c.get_mut(p as usize) {
                        *x = false;
                    }
                }
            });
        }
        if changes_only.get_untracked() && !ch3.get(ix as usize).copied().unwrap_or(true) {
            changes_only.set(false);
        }
        selected.set(Some(ix));
        let pos = shown.with_untracked(|s| s.iter().position(|&r| r == ix));
        if let (Some(pos), Some(el)) = (pos, scroller.get_untracked()) {
            let top = pos as f64 * ROW_HEIGHT - viewport.get_untracked() / 2.0;
            el.set_scroll_top(top.max(0.0) as i32);
        }
    };
    let (ta, tb) = (a.trace.clone(), b.trace.clone());
    let name_of = {
        let (ta, tb, c) = (ta.clone(), tb.clone(), cmp.clone());
        move |ix: NodeIx| {
            c.node(ix)
                .map(|node| rows::name(&ta, &tb, node))
                .unwrap_or_default()
        }
    };
    let ranked: Vec<(NodeIx, String, String)> = cmp
        .ranked
        .iter()
        .take(RANKED_SHOWN)
        .filter_map(|&ix| {
            let node = cmp.node(ix)?;
            let (op, svc) = name_of(ix);
            let d = node.delta().critical_path_ns;
            Some((
                ix,
                format!("{op} ({svc})"),
                format!("{} on the critical path", rows::signed_duration(d)),
            ))
        })
        .collect();
    let c4 = cmp.clone();
    let name_row = name_of.clone();
    let row = move |ix: NodeIx| {
        let Some(node) = c4.node(ix).cloned() else {
            return ().into_any();
        };
        let (op, svc) = name_row(ix);
        let has_kids = node.descendants > 0;
        let d = node.delta();
        let change = node.change;
        let counts = match (node.a.count, node.b.count) {
            (x, y) if x == y => x.to_string(),
            (x, y) => format!("{x} → {y}"),
        };
        let fig = |f: fn(&Side) -> i64| {
            (
                rows::side_duration(&node, Which::A, f),
                rows::side_duration(&node, Which::B, f),
            )
        };
        let (da, db) = fig(|s| s.duration_ns);
        let (sa, sb) = fig(|s| s.self_time_ns);
        let (ca, cb) = fig(|s| s.critical_path_ns);
        let indent = format!("{}px", 4 + node.depth.min(40) * 14);
        let title = format!("{op} ({svc}): {}", change.label());
        view! {
            <div class=format!("cmp-row chg-{}", change.label()) data-testid="compare-row" data-change=change.label()
                class:selected=move || selected.get() == Some(ix)
                on:click=move |_| selected.set(Some(ix))>
                <span class="chg" title=change.label() aria-label=change.label()>{change.sign()}</span>
                <span class="cmp-name" style:padding-left=indent title=title>
                    {has_kids.then(|| view! {
                        <button class="toggle small" data-testid="compare-toggle"
                            aria-label=move || if collapsed.with(|c| c.get(ix as usize) == Some(&true)) { "Expand" } else { "Collapse" }
                            on:click=move |ev| {
                                ev.stop_propagation();
                                collapsed.update(|c| if let Some(x) = c.get_mut(ix as usize) { *x = !*x });
                            }>
                            {move || if collapsed.with(|c| c.get(ix as usize) == Some(&true)) { "▸" } else { "▾" }}
                        </button>
                    })}
                    <span class="op">{op}</span>" "<span class="svc">{svc}</span>
                </span>
                <span class="num" data-testid="compare-count">{counts}</span>
                <span class="num">{da}</span><span class="num">{db}</span><span class="num delta">{rows::signed_duration(d.duration_ns)}</span>
                <span class="num">{sa}</span><span class="num">{sb}</span><span class="num delta">{rows::signed_duration(d.self_time_ns)}</span>
                <span class="num">{ca}</span><span class="num">{cb}</span><span class="num delta" data-testid="compare-cp-delta">{rows::signed_duration(d.critical_path_ns)}</span>
            </div>
        }
        .into_any()
    };
    let drawn = Memo::new(move |_| {
        let range = shown.with(|s| rows::drawn(scroll_top.get(), viewport.get(), s.len()));
        let ids: Vec<NodeIx> = shown.with(|s| {
            s.get(range.clone())
                .map(<[NodeIx]>::to_vec)
                .unwrap_or_default()
        });
        (range.start, ids)
    });
    let total_height = move || format!("{}px", shown.with(Vec::len) as f64 * ROW_HEIGHT);
    let offset = move || format!("translateY({}px)", drawn.with(|d| d.0) as f64 * ROW_HEIGHT);
    let c5 = cmp.clone();
    let (la, lb) = (a.clone(), b.clone());
    let open = move |which: Which| {
        let Some(ix) = selected.get_untracked() else {
            return;
        };
        let (l, t) = match which {
            Which::A => (&la, &ta),
            Which::B => (&lb, &tb),
        };
        if let Some(span) = longest(t, c5.spans(ix, which)) {
            views.open_span(l, span);
        }
    };
    let c6 = cmp.clone();
    let name_sel = name_of.clone();
    let selection = move || {
        let ix = selected.get()?;
        let node = c6.node(ix)?;
        let (op, svc) = name_sel(ix);
        let side = |s: &Side, which: &str| {
            if s.count == 0 {
                format!("not in {which}")
            } else {
                format!(
                    "{which}: {} call{} ({} on the critical path), {} in all, {} on the critical path",
                    s.count,
                    if s.count == 1 { "" } else { "s" },
                    s.on_path,
                    format_duration(s.duration_ns),
                    format_duration(s.critical_path_ns)
                )
            }
        };
        let (in_a, in_b) = (node.a.count > 0, node.b.count > 0);
        let open = open.clone();
        let open2 = open.clone();
        Some(view! {
            <div class="cmp-selection" data-testid="compare-selection">
                <strong>{format!("{op} ({svc})")}</strong>
                {format!(" — {}. {}; {}.", node.change.label(), side(&node.a, "A"), side(&node.b, "B"))}
                {in_a.then(|| view! { " "<button class="small" data-testid="compare-open-a" on:click=move |_| open(Which::A)>"Open in A"</button> })}
                {in_b.then(|| view! { " "<button class="small" data-testid="compare-open-b" on:click=move |_| open2(Which::B)>"Open in B"</button> })}
            </div>
        })
    };
    let reveal2 = reveal.clone();
    let roots_differ = cmp.roots_differ;
    view! {
        <p class="headline" data-testid="compare-headline">{cmp.headline.clone()}</p>
        {roots_differ.then(|| view! {
            <p class="cmp-note" data-testid="compare-roots-differ">
                "The two traces start with different operations: only the shape below their roots is matched."
            </p>
        })}
        {(!ranked.is_empty()).then(|| view! {
            <div class="cmp-ranked">
                <span>"What accounts for the difference: "</span>
                <ol data-testid="compare-ranked">
                    {ranked.into_iter().map(|(ix, what, how)| {
                        let reveal = reveal2.clone();
                        view! { <li><button class="link" on:click=move |_| reveal(ix)>{what}</button>{format!(" {how}")}</li> }
                    }).collect_view()}
                </ol>
            </div>
        })}
        <div class="cmp-controls">
            <label>
                <input type="checkbox" data-testid="compare-changes-only" prop:checked=move || changes_only.get()
                    on:change=move |ev| changes_only.set(event_target_checked(&ev))/>
                " Changes only"
            </label>
            <span class="cmp-legend" aria-label="Legend">
                {[Change::Added, Change::Removed, Change::Slower, Change::Faster, Change::Same].into_iter().map(|c| view! {
                    <span class=format!("chg-{}", c.label())><span class="chg">{c.sign()}</span>{format!(" {}", c.label())}</span>
                }).collect_view()}
            </span>
            <span class="cmp-count">{move || format!("{} of {} nodes", shown.with(Vec::len), n)}</span>
        </div>
        {selection}
        <div class="cmp-table" data-testid="compare-table">
            <div class="cmp-row cmp-header cmp-groups">
                <span></span><span></span><span></span>
                <span class="cmp-group">"Duration"</span>
                <span class="cmp-group">"Self time"</span>
                <span class="cmp-group" title="Exclusive critical-path time">"Critical path"</span>
            </div>
            <div class="cmp-row cmp-header">
                <span></span><span>"Operation (service)"</span><span class="num">"Calls A → B"</span>
                <span class="num">"A"</span><span class="num">"B"</span><span class="num">"Δ"</span>
                <span class="num">"A"</span><span class="num">"B"</span><span class="num">"Δ"</span>
                <span class="num">"A"</span><span class="num">"B"</span><span class="num">"Δ"</span>
            </div>
            <div class="cmp-scroll" node_ref=scroller on:scroll=move |ev| {
                let top = event_target::<web_sys::HtmlElement>(&ev).scroll_top();
                scroll_top.set(f64::from(top));
            }>
                <div class="cmp-rows" style:height=total_height>
                    <div style:transform=offset>
                        {move || drawn.with(|d| d.1.iter().map(|&ix| row(ix)).collect_view())}
                    </div>
                </div>
            </div>
        </div>
    }
}
