//! The flame graph on a canvas, whatever it shows (one trace, or a group
//! merged): the rects `geometry` gives, in their service's colour, the
//! critical path marked by a dark strip along a bar's foot, names on the
//! bars wide enough for them; a tooltip on hover; a click zooms into the
//! item under the pointer; breadcrumbs and Reset zoom back out.
//!
//! What is drawn is on the canvas's `data-` attributes for tests and
//! tools: `data-zoom` (the zoomed item's name, empty for the whole graph),
//! `data-rects` and `data-rows` (drawn), `data-items` (laid out) and
//! `data-row-height` (CSS pixels: row `r` spans `r × h` to `(r + 1) × h`
//! from the canvas's top, and the top row is the zoomed item, across the
//! whole width).

use super::geometry::{self, Rect, LABEL_PX, MIN_PX, ROW_HEIGHT};
use crate::analysis::flame::Flame;
use crate::ui::widgets::{sized_2d, SizeWatch};
use leptos::prelude::*;
use std::sync::Arc;

/// What a flame graph shows, item by item.
pub trait Source: Send + Sync + 'static {
    fn flame(&self) -> &Flame;
    /// The name drawn on an item's bar.
    fn name(&self, item: u32) -> String;
    fn colour(&self, item: u32) -> &'static str;
    /// Whether the item is on a critical path.
    fn critical(&self, item: u32) -> bool;
    /// The tooltip's lines (the first one is the name).
    fn tooltip(&self, item: u32) -> Vec<String>;
    fn parent(&self, item: u32) -> Option<u32>;
}

/// Breadcrumbs shown at most (the top one and the nearest).
const CRUMBS: usize = 8;
/// The colour of rects that merge several items narrower than a pixel.
const MERGED_COLOUR: &str = "#a3abb9";
/// The tooltip's width, to keep it inside the chart (CSS pixels).
const TOOLTIP_WIDTH: f64 = 280.0;

/// The colour of the critical-path strip, from the stylesheet.
fn critical_colour(el: &web_sys::Element) -> String {
    web_sys::window()
        .and_then(|w| w.get_computed_style(el).ok().flatten())
        .and_then(|s| s.get_property_value("--cp").ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "#111827".to_string())
}

/// `name` cut to about what fits in `width` CSS pixels of 11 px text.
fn fitted(name: &str, width: f64) -> Option<String> {
    let room = ((width - 6.0) / 6.5).floor();
    if room < 2.0 {
        return None;
    }
    let room = room as usize;
    if name.chars().count() <= room {
        return Some(name.to_string());
    }
    let mut s: String = name.chars().take(room.saturating_sub(1)).collect();
    s.push('…');
    Some(s)
}

/// Draws `rects` (from `geometry::rects`) of `source` on `canvas`.
fn draw(
    canvas: &web_sys::HtmlCanvasElement,
    source: &dyn Source,
    rects: &[Rect],
    width: f64,
    rows: u32,
) {
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio().max(1.0));
    let height = f64::from(rows.max(1)) * ROW_HEIGHT;
    let Some(ctx) = sized_2d(
        canvas,
        (width * dpr).round() as u32,
        (height * dpr).round() as u32,
    ) else {
        return;
    };
    let _ = ctx.scale(dpr, dpr);
    let cp = critical_colour(canvas);
    ctx.set_font("11px system-ui, sans-serif");
    ctx.set_text_baseline("middle");
    for r in rects {
        let y = f64::from(r.row) * ROW_HEIGHT;
        let single = r.items == 1;
        ctx.set_fill_style_str(if single {
            source.colour(r.item)
        } else {
            MERGED_COLOUR
        });
        // A pixel's gap between bars, when they are wide enough to spare it.
        let w = if r.w > 3.0 * MIN_PX { r.w - 1.0 } else { r.w };
        ctx.fill_rect(r.x, y, w, ROW_HEIGHT - 1.0);
        if single && source.critical(r.item) {
            ctx.set_fill_style_str(&cp);
            ctx.fill_rect(r.x, y + ROW_HEIGHT - 4.0, w, 3.0);
        }
        if single && r.w >= LABEL_PX {
            if let Some(text) = fitted(&source.name(r.item), r.w) {
                ctx.set_fill_style_str("#111");
                let _ = ctx.fill_text(&text, r.x + 3.0, y + ROW_HEIGHT / 2.0 - 1.0);
            }
        }
    }
}

#[component]
pub fn FlameChart(
    source: Arc<dyn Source>,
    /// The zoomed item, or none for the whole graph.
    zoom: Signal<Option<u32>>,
    /// Called with the item to zoom into (a click, a breadcrumb), or none
    /// to show the whole graph again.
    on_zoom: Callback<Option<u32>>,
) -> impl IntoView {
    // A zoom on an item of no width (a node of no weight once the weight
    // changed) shows the whole graph, and says so.
    let src = source.clone();
    let zoom = Signal::derive(move || zoom.get().filter(|&z| geometry::zoomable(src.flame(), z)));
    let wrap = NodeRef::<leptos::html::Div>::new();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let width = RwSignal::new(0.0f64);
    // Rects and rows drawn.
    let drawn = RwSignal::new((0usize, 0u32));
    // The item under the pointer, and where (CSS pixels in the chart).
    let hover = RwSignal::new(None::<(u32, f64, f64)>);
    let measure = move || {
        if let Some(el) = wrap.get_untracked() {
            let w = f64::from(el.client_width());
            if w > 0.0 && width.get_untracked() != w {
                width.set(w);
            }
        }
    };
    let watch = SizeWatch::new(measure);
    Effect::new(move |_| {
        let el = wrap.get();
        watch.watch(el.as_ref().map(AsRef::as_ref));
        measure();
    });

    let rects = StoredValue::new(Vec::<Rect>::new());
    let src = source.clone();
    Effect::new(move |_| {
        let (w, z) = (width.get(), zoom.get());
        let Some(c) = canvas.get() else { return };
        if w <= 0.0 {
            return;
        }
        // Measured for bench/browser.mjs as `traceglass:flame`.
        crate::ui::frames::perf_mark("traceglass:flame-start", None);
        let flame = src.flame();
        let win = geometry::window(flame, z);
        let (count, rows) = rects
            .try_update_value(|out| {
                let rows = geometry::rects(flame, &win, w, out);
                draw(&c, src.as_ref(), out, w, rows);
                (out.len(), rows)
            })
            .unwrap_or((0, 0));
        crate::ui::frames::perf_mark("traceglass:flame", Some("traceglass:flame-start"));
        drawn.set((count, rows));
    });

    let at = move |ev: &web_sys::MouseEvent| -> Option<(f64, f64)> {
        let c = canvas.get_untracked()?;
        let r = c.get_bounding_client_rect();
        Some((
            f64::from(ev.client_x()) - r.left(),
            f64::from(ev.client_y()) - r.top(),
        ))
    };
    let src = source.clone();
    let item_at = move |x: f64, y: f64| {
        let flame = src.flame();
        let win = geometry::window(flame, zoom.get_untracked());
        geometry::hit(flame, &win, width.get_untracked(), x, y)
    };
    let hit_move = item_at.clone();
    let on_move = move |ev: web_sys::PointerEvent| {
        let found = at(&ev).and_then(|(x, y)| Some((hit_move(x, y)?, x, y)));
        if hover.get_untracked() != found {
            hover.set(found);
        }
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if let Some(item) = at(&ev).and_then(|(x, y)| item_at(x, y)) {
            hover.set(None);
            on_zoom.run(Some(item));
        }
    };

    let src = source.clone();
    let tooltip = move || {
        let (item, x, y) = hover.get()?;
        let lines = src.tooltip(item);
        let left = (x + 12.0).min((width.get() - TOOLTIP_WIDTH).max(0.0));
        Some(view! {
            <div class="flame-tooltip" data-testid="flame-tooltip" role="tooltip"
                style:left=format!("{left}px") style:top=format!("{}px", y + 14.0)>
                {lines.into_iter().enumerate().map(|(i, l)| view! {
                    <div class:name=i == 0>{l}</div>
                }).collect_view()}
            </div>
        })
    };
    let src = source.clone();
    let zoom_name = move || zoom.get().map(|z| src.name(z)).unwrap_or_default();
    let src = source.clone();
    let crumbs = move || {
        let z = zoom.get()?;
        let (up, cut) = geometry::crumbs(z, |i| src.parent(i), CRUMBS);
        let mut list: Vec<AnyView> = Vec::new();
        for (n, a) in up.into_iter().enumerate() {
            if cut && n == 1 {
                list.push(view! { <span class="crumb-cut">"… ›"</span> }.into_any());
            }
            let name = src.name(a);
            list.push(view! {
                <button class="link crumb" title=name.clone() on:click=move |_| on_zoom.run(Some(a))>{name.clone()}</button>
                <span class="crumb-sep">"›"</span>
            }.into_any());
        }
        list.push(view! { <span class="crumb here">{src.name(z)}</span> }.into_any());
        Some(list)
    };
    let items = source.flame().len();
    view! {
        <div class="flame">
            <div class="flame-bar">
                <button class="small" data-testid="flame-reset" title="Show the whole flame graph"
                    disabled=move || zoom.with(Option::is_none)
                    on:click=move |_| on_zoom.run(None)>"Reset zoom"</button>
                <nav class="flame-crumbs" data-testid="flame-crumbs" aria-label="Zoomed into">
                    <button class="link crumb" on:click=move |_| on_zoom.run(None)>"All"</button>
                    <span class="crumb-sep">"›"</span>
                    {crumbs}
                </nav>
            </div>
            <div class="flame-scroll">
                <div class="flame-area" node_ref=wrap on:pointerleave=move |_| hover.set(None)>
                    <canvas
                        node_ref=canvas
                        data-testid="flame-canvas"
                        aria-label="Flame graph: click a bar to zoom into it"
                        data-zoom=zoom_name
                        data-rects=move || drawn.get().0.to_string()
                        data-rows=move || drawn.get().1.to_string()
                        data-items=items.to_string()
                        data-row-height=ROW_HEIGHT.to_string()
                        style:width=move || format!("{}px", width.get())
                        style:height=move || format!("{}px", f64::from(drawn.get().1.max(1)) * ROW_HEIGHT)
                        on:pointermove=on_move
                        on:click=on_click
                    ></canvas>
                    {tooltip}
                </div>
            </div>
        </div>
    }
}
