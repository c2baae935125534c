//! The ruler above the rows: the services' colours, the edge that resizes
//! the name column, and the time axis of the view window, which a drag
//! zooms into.

use super::geometry::{self, ticks};
use crate::model::Trace;
use crate::ui::dom;
use crate::ui::format::{format_duration, service_color};
use crate::ui::view_state::ViewState;
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;

/// The narrowest name column, in CSS pixels.
const MIN_NAME_WIDTH: f64 = 120.0;

/// Services named in the legend.
const LEGEND: usize = 12;

#[component]
pub(super) fn Ruler(trace: Arc<Trace>) -> impl IntoView {
    let state = expect_context::<ViewState>();
    let total = trace.duration_ns().max(1) as f64;

    // The name column is resized by dragging its edge.
    let resizing = StoredValue::new(None::<(i32, f64)>);
    let resize_move = window_event_listener(leptos::ev::mousemove, move |ev| {
        if let Some((x0, w0)) = resizing.get_value() {
            let max = (dom::viewport_width() * 0.7).max(MIN_NAME_WIDTH);
            state
                .name_width
                .set((w0 + (ev.client_x() - x0) as f64).clamp(MIN_NAME_WIDTH, max));
        }
    });
    let resize_up = window_event_listener(leptos::ev::mouseup, move |_| resizing.set_value(None));

    // Drag on the time axis to zoom into the dragged range of the window.
    let selection = RwSignal::new(None::<(f64, f64)>);
    let axis = StoredValue::new_local(None::<web_sys::Element>);
    let axis_down = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        let Some(el) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let x = dom::fraction_in(&el, ev.client_x());
        axis.set_value(Some(el));
        selection.set(Some((x, x)));
    };
    let axis_move = window_event_listener(leptos::ev::mousemove, move |ev| {
        if let (Some((x0, _)), Some(el)) = (selection.get_untracked(), axis.get_value()) {
            selection.set(Some((x0, dom::fraction_in(&el, ev.client_x()))));
        }
    });
    let axis_up = window_event_listener(leptos::ev::mouseup, move |_| {
        if let Some((x0, x1)) = selection.get_untracked() {
            if let Some(w) = geometry::zoom_into(state.window.get_untracked(), x0, x1) {
                state.window.set(w);
            }
            selection.set(None);
            axis.set_value(None);
        }
    });
    on_cleanup(move || {
        resize_move.remove();
        resize_up.remove();
        axis_move.remove();
        axis_up.remove();
    });

    let tick_marks = move || {
        ticks(state.window.get(), total)
            .into_iter()
            .map(|(f, ns)| {
                view! { <span class="tick" style:left=format!("{}%", f * 100.0)>{format_duration(ns)}</span> }
            })
            .collect_view()
    };
    view! {
        <div class="ruler">
            <div class="name-cell">
                <span
                    class="col-resizer"
                    data-testid="name-resizer"
                    role="separator"
                    aria-orientation="vertical"
                    title="Drag to resize the name column"
                    on:mousedown=move |ev: leptos::ev::MouseEvent| {
                        ev.prevent_default();
                        ev.stop_propagation();
                        resizing.set_value(Some((ev.client_x(), state.name_width.get_untracked())));
                    }
                ></span>
                <span class="legend">
                    {trace.services.iter().enumerate().take(LEGEND).map(|(i, s)| view! {
                        <span class="legend-item"><span class="swatch" style:background=service_color(i as u32)></span>{trace.str(s.name).to_string()}</span>
                    }).collect_view()}
                </span>
            </div>
            <div class="bar-cell ruler-zoom" data-testid="ruler" title="Drag to zoom into a time range"
                on:mousedown=axis_down>
                {tick_marks}
                {move || selection.get().map(|(x0, x1)| view! {
                    <span class="ruler-selection" style:left=format!("{}%", x0.min(x1) * 100.0) style:width=format!("{}%", (x1 - x0).abs() * 100.0)></span>
                })}
            </div>
        </div>
    }
}
