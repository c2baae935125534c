//! The minimap: every span of the trace drawn once on a canvas, with the
//! view window on top. Drag across it to choose a window; drag its edges
//! (the scrubbers) to move one side.

use super::geometry::{window_of, MIN_WINDOW};
use crate::ui::budget::Budget;
use crate::ui::state::Loaded;
use crate::ui::view_state::ViewState;
use crate::ui::{dom, frames};
use leptos::prelude::*;

const HEIGHT: u32 = 56;

/// Draws every span of the trace on the canvas (see `raster`), giving the
/// page back whenever a frame's worth of work is done.
async fn draw(canvas: NodeRef<leptos::html::Canvas>, trace: &crate::model::Trace) {
    // The view may be gone by the time this runs.
    let Some(Some(c)) = canvas.try_get_untracked() else {
        return;
    };
    let width = c.client_width().max(300) as u32;
    let pixels = super::raster::raster(trace, width, HEIGHT, &mut Budget::new()).await;
    let Some(Some(c)) = canvas.try_get_untracked() else {
        return;
    };
    let Some(ctx) = crate::ui::widgets::sized_2d(&c, width, HEIGHT) else {
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
    let state = expect_context::<ViewState>();
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
            frames::after_first_frames().await;
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
        let x = dom::fraction_in(&el, ev.client_x());
        drag.set_value(Some(kind.unwrap_or(Drag::New(x))));
    };
    let on_move = window_event_listener(leptos::ev::mousemove, move |ev| {
        let Some(d) = drag.get_value() else { return };
        let Some(el) = area.get_untracked() else {
            return;
        };
        let x = dom::fraction_in(&el, ev.client_x());
        let (a, b) = state.window.get_untracked();
        state.window.set(match d {
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
            <div class="mm-shade" style:left="0" style:width=move || format!("{}%", state.window.get().0 * 100.0)></div>
            <div class="mm-shade" style:right="0" style:width=move || format!("{}%", (1.0 - state.window.get().1) * 100.0)></div>
            <div
                class="mm-window"
                data-testid="minimap-window"
                style:left=move || format!("{}%", state.window.get().0 * 100.0)
                style:width=move || { let (a, b) = state.window.get(); format!("{}%", (b - a) * 100.0) }
            >
                <span class="scrubber left" data-testid="scrubber-left" on:mousedown=move |ev| start(ev, Some(Drag::Left))></span>
                <span class="scrubber right" data-testid="scrubber-right" on:mousedown=move |ev| start(ev, Some(Drag::Right))></span>
            </div>
        </div>
    }
}
