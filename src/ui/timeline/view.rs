//! The `Timeline` component: it works out which rows are shown and where,
//! and puts the parts together (find, the outline controls, the minimap,
//! the ruler, the rows and the inline detail). Only the rows in view are
//! in the DOM, drawn in recycled slots (see `slots`), whatever the trace's
//! size.

use super::controls::OutlineTools;
use super::ctx::Ctx;
use super::find::FindTools;
use super::geometry::{self, row_top};
use super::marks::Marks;
use super::minimap::Minimap;
use super::outline;
use super::repeats::Runs;
use super::ruler::Ruler;
use super::{focus, keyboard, row, slots};
use crate::analysis::search::with_ancestors;
use crate::model::SpanIx;
use crate::ui::detail::SpanDetail;
use crate::ui::frames;
use crate::ui::state::{AppState, Loaded};
use crate::ui::url::embed::EmbedParams;
use crate::ui::view_state::ViewState;
use crate::ui::widgets::SizeWatch;
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;

#[component]
pub fn Timeline(loaded: Loaded) -> impl IntoView {
    let app = expect_context::<AppState>();
    let state = expect_context::<ViewState>();
    let trace = loaded.trace.clone();
    let analysis = loaded.analysis.clone();
    let marks = Memo::new({
        let analysis = analysis.clone();
        move |_| analysis.with(|a| a.as_deref().map(|a| Arc::new(Marks::new(&a.critical_path))))
    });
    let runs = Memo::new({
        let trace = trace.clone();
        move |_| {
            state
                .grouping()
                .then(|| Arc::new(Runs::find(&trace, state.group_min.get())))
        }
    });
    let t_rows = trace.clone();
    let filtered = Memo::new(move |_| {
        // Until the analysis lands, "critical path only" has nothing to keep.
        let on_path = if state.cp_only.get() {
            analysis.with(|a| a.as_ref().map(|a| a.critical_path.on_path.clone()))
        } else {
            None
        };
        let only_matches = state.matches_only.get() && state.find.with(|q| !q.trim().is_empty());
        let matching = only_matches.then(|| state.matches.with(|m| with_ancestors(&t_rows, m)));
        let of_service = state
            .service_filter
            .with(|s| s.as_deref().map(|name| outline::of_service(&t_rows, name)));
        let keep = outline::keep_both(outline::keep_both(on_path, matching), of_service);
        runs.with(|runs| {
            state.expanded_runs.with(|expanded| {
                let grouping = runs
                    .as_deref()
                    .map(|runs| outline::Grouping { runs, expanded });
                state
                    .collapsed
                    .with(|c| outline::visible_rows(&t_rows, c, keep.as_deref(), grouping))
            })
        })
    });
    let rows = Memo::new(move |_| filtered.with(|f| f.0.clone()));
    let hidden = Memo::new(move |_| filtered.with(|f| f.1));
    let matched = Memo::new(move |_| state.matches.with(|m| m.iter().copied().collect()));

    // The inline detail: one block of measured height under the selected
    // row; the rows after it move down by that height.
    let inline_pos = Memo::new(move |_| {
        if !app.detail_inline.get() || !state.detail_open.get() {
            return None;
        }
        let sel = state.selected.get()?;
        rows.with(|r| r.iter().position(|&x| x == sel))
    });
    let inline_h = RwSignal::new(0.0f64);
    let gap = Memo::new(move |_| inline_pos.get().map(|p| (p, inline_h.get())));
    let ctx = Ctx {
        state,
        rows,
        matched,
        gap,
        marks,
        runs,
        scroll_top: RwSignal::new(0.0),
        viewport: RwSignal::new(0.0),
        container: NodeRef::new(),
    };

    let inline_shown = Memo::new(move |_| inline_pos.get().is_some());
    let inline_block = NodeRef::<leptos::html::Div>::new();
    // Its height is measured whenever it changes (another span, the
    // filter, the window's width).
    let inline_watch = SizeWatch::new(move || {
        if let Some(el) = inline_block.get_untracked() {
            inline_h.set(el.offset_height() as f64);
        }
    });
    Effect::new(move |_| {
        let block = inline_block.get();
        inline_watch.watch(block.as_ref().map(AsRef::as_ref));
    });

    // Scroll requests (a finding, a match, a link): open the ancestors,
    // then bring the row into view.
    Effect::new(move |_| {
        let Some(target) = state.scroll_to.get() else {
            return;
        };
        let opened = state.reveal(target);
        let pos = rows.with(|r| r.iter().position(|&x| x == target));
        let scroll = move || {
            if let (Some(pos), Some(el)) = (pos, ctx.container.try_get_untracked().flatten()) {
                // The view's height, measured here: this may run before
                // `viewport` is.
                let y =
                    geometry::scroll_target(pos, gap.get_untracked(), el.client_height() as f64);
                ctx.scroll_to_y(y);
            }
        };
        if opened {
            // The rows' box grows with what was opened only once the DOM
            // is updated: scrolled now, it would stop at its old height.
            leptos::task::spawn_local(async move {
                frames::frame_start().await;
                scroll();
            });
        } else {
            scroll();
        }
        state.scroll_to.set(None);
    });

    // The height is measured once the new view has been drawn, and the
    // rows that fill it are drawn on the next frame. Measuring while the
    // view is built would force a layout of the whole page in the same
    // task, and the first frame would carry building, that layout, and the
    // rows' own layout and paint (bench/README.md, session 7). From then
    // on, an observer measures it whenever it changes (the window resized,
    // the bottleneck panel above folded), within the frame that changed it.
    // A view shown again goes back to where it was scrolled.
    let restore = state
        .scroll_to
        .get_untracked()
        .is_none()
        .then(|| state.scroll_top.get_value())
        .filter(|y| *y > 0.0);
    let height_watch = SizeWatch::new(move || ctx.measure());
    Effect::new(move |_| {
        if ctx.container.get().is_some() {
            leptos::task::spawn_local(async move {
                frames::after_paint().await;
                ctx.measure();
                if let Some(y) = restore {
                    ctx.scroll_to_y(y);
                }
                if let Some(el) = ctx.container.try_get_untracked().flatten() {
                    height_watch.watch(Some(&el));
                }
            });
        }
    });

    let focus = focus::Focus::new();
    let slots = slots::Slots::new(ctx, move || focus.slots_move());
    let rows_el = NodeRef::<leptos::html::Div>::new();
    let find_input = NodeRef::<leptos::html::Input>::new();
    keyboard::listen(ctx, find_input);
    focus.follow(slots, rows_el);

    // A click selects the row and opens the detail. With the detail inline
    // under a row above, the rows below move up when it closes: scroll by
    // as much, so that the clicked row stays under the pointer.
    let select_clicked = move |i: usize, ix: SpanIx| {
        if let Some((_, h)) = gap.get_untracked().filter(|(p, _)| *p < i) {
            ctx.scroll_by(-h);
        }
        state.selected.set(Some(ix));
        state.detail_open.set(true);
    };
    // A click in the rows: on a row's toggle it collapses or expands the
    // row's span, elsewhere it selects the span. One listener for all the
    // rows, which read their span from their slot.
    let on_rows_click = move |ev: leptos::ev::MouseEvent| {
        let target = crate::ui::dom::event_element(ev.target());
        let Some((p, ix)) = slots.shown_at(target.as_ref()) else {
            return;
        };
        let on = |class: &str| {
            target
                .as_ref()
                .is_some_and(|t| t.closest(class).ok().flatten().is_some())
        };
        if on(".group-toggle") {
            state.expand_run(ix, true);
        } else if on(".regroup") {
            state.expand_run(ix, false);
        } else if on(".toggle") {
            state.toggle(ix);
        } else {
            select_clicked(p, ix);
        }
    };
    let on_wheel = move |ev: web_sys::WheelEvent| {
        let window = state.window.get_untracked();
        if ev.ctrl_key() || ev.meta_key() {
            ev.prevent_default();
            let at = ev
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .map_or(0.5, |el| {
                    let r = el.get_bounding_client_rect();
                    // As drawn: a narrow page caps the column (--name-max).
                    let name_w = el
                        .query_selector(".name-cell")
                        .ok()
                        .flatten()
                        .map_or(state.name_width.get_untracked(), |c| {
                            c.get_bounding_client_rect().width()
                        });
                    let x = ev.client_x() as f64 - r.left() - name_w;
                    (x / (r.width() - name_w).max(1.0)).clamp(0.0, 1.0)
                });
            let factor = if ev.delta_y() < 0.0 { 0.8 } else { 1.25 };
            ctx.set_window(geometry::zoom(window, factor, at));
        } else if ev.shift_key() {
            ev.prevent_default();
            ctx.set_window(geometry::pan(window, ev.delta_y().signum() * 0.1));
        }
    };

    // What every row shares, set once here rather than on each row: the
    // name column's width, and the place of the rows' tracks, stretched so
    // that the view window's part of the trace fills the bar column. Set
    // as properties, not as a `style` attribute, which the page's
    // content-security policy does not allow.
    let wrap = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let (left, width) = geometry::track(state.window.get());
        let name = state.name_width.get();
        if let Some(el) = wrap.get() {
            let style = web_sys::HtmlElement::style(&el);
            let _ = style.set_property("--name-width", &format!("{name}px"));
            let _ = style.set_property("--track-left", &format!("{left:.4}%"));
            let _ = style.set_property("--track-width", &format!("{width:.4}%"));
        }
    });
    let render_slot = row::renderer(ctx, slots, focus);
    let detail = loaded.clone();
    // Jaeger UI's `uiTimelineHideMinimap`.
    let hide_minimap = use_context::<EmbedParams>().is_some_and(|e| e.hide_minimap);
    view! {
        <div class="timeline-wrap" node_ref=wrap>
            <FindTools find_input=find_input/>
            <OutlineTools rows=rows hidden=hidden runs=runs/>
            <div class="minimap-row">
                {
                    let loaded = loaded.clone();
                    move || (!hide_minimap && !state.title_collapsed.get()).then(|| view! { <Minimap loaded=loaded.clone()/> })
                }
                <button class="small" data-testid="reset-zoom" title="Show the whole trace"
                    disabled=move || state.window.get() == geometry::WHOLE
                    on:click=move |_| ctx.set_window(geometry::WHOLE)>"Reset zoom"</button>
            </div>
            <Ruler trace=trace/>
            <div
                class="timeline"
                data-testid="timeline"
                node_ref=ctx.container
                on:scroll=move |_| ctx.measure()
                on:wheel=on_wheel
            >
                <div
                    class="rows"
                    role="tree"
                    aria-label="Spans"
                    aria-owns=move || slots.aria_owns.get()
                    node_ref=rows_el
                    on:focusin=move |ev| focus.focus_in(slots, &ev)
                    on:focusout=move |ev| focus.focus_out(rows_el, &ev)
                    on:click=on_rows_click
                    style:height=move || format!("{}px", row_top(rows.with(|r| r.len()), gap.get()))
                >
                    <For each=move || slots.order.get() key=|k| *k children=render_slot/>
                </div>
                {move || inline_shown.get().then(|| view! {
                    <div
                        class="inline-detail"
                        data-testid="inline-detail"
                        node_ref=inline_block
                        style:top=move || format!("{}px", row_top(inline_pos.get().map_or(0, |p| p + 1), None))
                    >
                        <SpanDetail loaded=detail.clone() inline=true/>
                    </div>
                })}
            </div>
        </div>
    }
}
