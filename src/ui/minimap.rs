//! The minimap: every span of the trace drawn once on a canvas, with the
//! view window on top. Drag across it to choose a window; drag its edges
//! (the scrubbers) to move one side.

use super::budget::Budget;
use super::format::service_color;
use super::state::{AppState, Loaded};
use crate::model::pace::{self, Pace};
use leptos::prelude::*;

const HEIGHT: u32 = 56;
/// The smallest window, as a fraction of the trace.
pub const MIN_WINDOW: f64 = 1e-6;

/// Where `client_x` falls across `el`, from 0 to 1.
pub fn fraction_in(el: &web_sys::Element, client_x: i32) -> f64 {
    let r = el.get_bounding_client_rect();
    if r.width() <= 0.0 {
        return 0.0;
    }
    ((client_x as f64 - r.left()) / r.width()).clamp(0.0, 1.0)
}

/// Orders and clamps a window.
pub fn window_of(a: f64, b: f64) -> (f64, f64) {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let (lo, hi) = (lo.clamp(0.0, 1.0), hi.clamp(0.0, 1.0));
    if hi - lo < MIN_WINDOW {
        let mid = (lo + hi) / 2.0;
        (
            (mid - MIN_WINDOW / 2.0).max(0.0),
            (mid + MIN_WINDOW / 2.0).min(1.0),
        )
    } else {
        (lo, hi)
    }
}

/// The RGBA pixels of the minimap: each span a bar in its service's
/// colour, at its place in tree order; later spans paint over earlier ones.
///
/// Spans are painted last to first, and each pixel only once: per pixel
/// row, `next` leads from a pixel to the first one at or after it that is
/// still blank (a union-find with path halving), so a million spans cost
/// about a million steps plus one per pixel, whatever their widths.
///
/// It pauses through `pace` every [`pace::STRIDE`] spans: at a million
/// spans it is about a tenth of a second of work.
async fn raster(t: &crate::model::Trace, width: u32, height: u32, pace: &mut impl Pace) -> Vec<u8> {
    let (w, h) = (width.max(1) as usize, height.max(1) as usize);
    // One u32 a pixel, its bytes in RGBA order in memory.
    let mut px = vec![0u32; w * h];
    // Per row, w + 1 entries: the last one is a blank that is never painted.
    let stride = w + 1;
    let mut next: Vec<u32> = (0..h).flat_map(|_| 0..=w as u32).collect();
    let blank = |next: &mut Vec<u32>, base: usize, mut x: usize| -> usize {
        loop {
            let n = next[base + x] as usize;
            if n == x {
                return x;
            }
            let nn = next[base + n];
            next[base + x] = nn;
            x = nn as usize;
        }
    };
    let n = t.tree_order.len().max(1) as f64;
    let scale = w as f64 / t.duration_ns().max(1) as f64;
    let rows = h as f64 / n;
    let colors: Vec<u32> = (0..t.services.len().max(1))
        .map(|i| u32::from_le_bytes(rgba(service_color(i as u32))))
        .collect();
    for (k, (pos, &ix)) in t.tree_order.iter().enumerate().rev().enumerate() {
        if pace::due(k) {
            pace.pause().await;
        }
        let Some(s) = t.span(ix) else { continue };
        let color = colors.get(s.service as usize).copied().unwrap_or(u32::MAX);
        // Clamped: 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h.
        let x0 = (((s.start_ns - t.start_ns) as f64 * scale) as usize).min(w - 1);
        let x1 = (((s.end_ns() - t.start_ns) as f64 * scale).ceil() as usize).clamp(x0 + 1, w);
        let y0 = ((pos as f64 * rows) as usize).min(h - 1);
        let y1 = (((pos + 1) as f64 * rows).ceil() as usize).clamp(y0 + 1, h);
        for y in y0..y1 {
            let base = y * stride;
            let mut x = blank(&mut next, base, x0);
            while x < x1 {
                px[y * w + x] = color;
                next[base + x] = x as u32 + 1;
                x = blank(&mut next, base, x + 1);
            }
        }
    }
    px.into_iter().flat_map(u32::to_le_bytes).collect()
}

/// `#rrggbb` as opaque RGBA.
fn rgba(hex: &str) -> [u8; 4] {
    let byte = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(128)
    };
    [byte(1), byte(3), byte(5), 255]
}

/// Draws every span of the trace on the canvas (see `raster`), giving the
/// page back whenever a frame's worth of work is done.
async fn draw(canvas: NodeRef<leptos::html::Canvas>, trace: &crate::model::Trace) {
    // The view may be gone by the time this runs.
    let Some(Some(c)) = canvas.try_get_untracked() else {
        return;
    };
    let width = c.client_width().max(300) as u32;
    let pixels = raster(trace, width, HEIGHT, &mut Budget::new()).await;
    let Some(Some(c)) = canvas.try_get_untracked() else {
        return;
    };
    let Some(ctx) = super::widgets::sized_2d(&c, width, HEIGHT) else {
        return;
    };
    if let Ok(image) = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
        wasm_bindgen::Clamped(&pixels),
        width,
        HEIGHT,
    ) {
        let _ = ctx.put_image_data(&image, 0.0, 0.0);
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Drag {
    New(f64),
    Left,
    Right,
}

#[component]
pub fn Minimap(loaded: Loaded) -> impl IntoView {
    let state = expect_context::<AppState>();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let area = NodeRef::<leptos::html::Div>::new();
    let trace = loaded.trace.clone();

    // Draw once: one row of pixels per span in tree order (rows share pixels
    // when the trace is taller than the canvas). The pixels are computed
    // here and handed to the canvas in one call: a call per span took most
    // of a quarter second at 100k spans. Drawing every span is work for
    // frames of its own, after the trace view's first ones.
    Effect::new(move |_| {
        if canvas.get().is_none() {
            return;
        }
        let trace = trace.clone();
        leptos::task::spawn_local(async move {
            super::timeline::after_first_frames().await;
            draw(canvas, &trace).await;
        });
    });

    let drag = StoredValue::new(None::<Drag>);
    let start = move |ev: leptos::ev::MouseEvent, kind: Option<Drag>| {
        ev.prevent_default();
        ev.stop_propagation();
        let Some(el) = area.get_untracked() else {
            return;
        };
        let x = fraction_in(&el, ev.client_x());
        drag.set_value(Some(kind.unwrap_or(Drag::New(x))));
    };
    let on_move = window_event_listener(leptos::ev::mousemove, move |ev| {
        let Some(d) = drag.get_value() else { return };
        let Some(el) = area.get_untracked() else {
            return;
        };
        let x = fraction_in(&el, ev.client_x());
        let (a, b) = state.view_range.get_untracked();
        state.view_range.set(match d {
            Drag::New(x0) => window_of(x0, x),
            Drag::Left => window_of(x.min(b - MIN_WINDOW), b),
            Drag::Right => window_of(a, x.max(a + MIN_WINDOW)),
        });
    });
    let on_up = window_event_listener(leptos::ev::mouseup, move |_| drag.set_value(None));
    on_cleanup(move || {
        on_move.remove();
        on_up.remove();
    });

    view! {
        <div class="minimap" data-testid="minimap" node_ref=area on:mousedown=move |ev| start(ev, None)
            title="Drag to choose the time window">
            <canvas node_ref=canvas aria-label="Every span of the trace"></canvas>
            <div class="mm-shade" style:left="0" style:width=move || format!("{}%", state.view_range.get().0 * 100.0)></div>
            <div class="mm-shade" style:right="0" style:width=move || format!("{}%", (1.0 - state.view_range.get().1) * 100.0)></div>
            <div
                class="mm-window"
                data-testid="minimap-window"
                style:left=move || format!("{}%", state.view_range.get().0 * 100.0)
                style:width=move || { let (a, b) = state.view_range.get(); format!("{}%", (b - a) * 100.0) }
            >
                <span class="scrubber left" data-testid="scrubber-left" on:mousedown=move |ev| start(ev, Some(Drag::Left))></span>
                <span class="scrubber right" data-testid="scrubber-right" on:mousedown=move |ev| start(ev, Some(Drag::Right))></span>
            </div>
        </div>
    }
}
