//! Small controls used in several views.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Sizes a canvas (which clears it) and gives its 2D context.
pub fn sized_2d(
    c: &web_sys::HtmlCanvasElement,
    width: u32,
    height: u32,
) -> Option<web_sys::CanvasRenderingContext2d> {
    c.set_width(width);
    c.set_height(height);
    c.get_context("2d").ok()??.dyn_into().ok()
}

/// A tab that shows `value` of `current` and is selected while it is shown.
#[component]
pub fn Tab<T>(
    current: RwSignal<T>,
    value: T,
    testid: &'static str,
    children: Children,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    view! {
        <button
            role="tab"
            data-testid=testid
            aria-selected=move || if current.get() == value { "true" } else { "false" }
            on:click=move |_| current.set(value)
        >
            {children()}
        </button>
    }
}

/// A labelled checkbox bound to a signal.
#[component]
pub fn Toggle(checked: RwSignal<bool>, testid: &'static str, label: &'static str) -> impl IntoView {
    view! {
        <label>
            <input
                type="checkbox"
                data-testid=testid
                prop:checked=move || checked.get()
                on:change=move |ev| checked.set(event_target_checked(&ev))
            />
            {format!(" {label}")}
        </label>
    }
}
