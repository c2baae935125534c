//! Small controls used in several views.

use super::state::Loaded;
use crate::analysis::TraceAnalysis;
use crate::model::Trace;
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// `ready` once the trace's analysis has landed; until then a status line
/// that says `waiting` is under way (a large trace is shown before it is
/// analysed).
pub fn when_analysed(
    loaded: Loaded,
    ready: impl Fn(Arc<Trace>, Arc<TraceAnalysis>) -> AnyView + Send + Sync + 'static,
    waiting: &'static str,
) -> impl IntoView {
    let (trace, analysis) = (loaded.trace, loaded.analysis);
    move || match analysis.get() {
        Some(a) => ready(trace.clone(), a),
        None => view! {
            <p class="analysing" data-testid="analysing" role="status">
                {format!("{waiting} of {} spans…", trace.spans.len())}
            </p>
        }
        .into_any(),
    }
}

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

/// A `ResizeObserver` that calls `on_resize` whenever the element it
/// watches changes size, kept with its closure and disconnected when the
/// current reactive owner is cleaned up.
#[derive(Clone, Copy)]
pub struct SizeWatch(StoredValue<Option<Observer>, LocalStorage>);

/// The observer and the closure it calls, which must live as long as it.
type Observer = (web_sys::ResizeObserver, Closure<dyn FnMut()>);

impl SizeWatch {
    pub fn new(on_resize: impl FnMut() + 'static) -> SizeWatch {
        let on_resize = Closure::<dyn FnMut()>::new(on_resize);
        let observer = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref())
            .ok()
            .map(|r| (r, on_resize));
        let stored = StoredValue::new_local(observer);
        on_cleanup(move || {
            stored.try_update_value(|o| {
                if let Some((r, _)) = o.take() {
                    r.disconnect();
                }
            });
        });
        SizeWatch(stored)
    }

    /// Watches `el` alone, or nothing.
    pub fn watch(&self, el: Option<&web_sys::Element>) {
        self.0.try_with_value(|o| {
            if let Some((r, _)) = o {
                r.disconnect();
                if let Some(el) = el {
                    r.observe(el);
                }
            }
        });
    }
}
