//! The focus on a row's toggle follows its span, not its slot: when the
//! rows move between slots (collapse, expand, filters) it moves to the
//! span's new slot, and it leaves the rows when the span leaves the window
//! (as it did when each span had its own element).

use super::slots::Slots;
use crate::model::SpanIx;
use crate::ui::dom;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

#[derive(Clone, Copy)]
pub(super) struct Focus {
    /// The span whose toggle has the focus.
    span: StoredValue<Option<SpanIx>>,
    /// Set when elements may move or lose the row they show while a toggle
    /// has the focus: a slot that had the focused span is given another
    /// one (its toggle may go, and the focus fall to the page), or the
    /// slots are put in order.
    moving: StoredValue<bool>,
}

impl Focus {
    pub fn new() -> Focus {
        Focus {
            span: StoredValue::new(None),
            moving: StoredValue::new(false),
        }
    }

    /// The slots are about to move in the DOM.
    pub fn slots_move(&self) {
        if self.span.get_value().is_some() {
            self.moving.set_value(true);
        }
    }

    /// A slot that drew `before` now draws another span.
    pub fn slot_changed(&self, before: Option<SpanIx>) {
        if before.is_some() && self.span.get_value() == before {
            self.moving.set_value(true);
        }
    }

    pub fn focus_in(&self, slots: Slots, ev: &leptos::ev::FocusEvent) {
        let el = dom::event_element(ev.target());
        self.span
            .set_value(slots.shown_at(el.as_ref()).map(|(_, ix)| ix));
    }

    pub fn focus_out(&self, rows: NodeRef<leptos::html::Div>, ev: &leptos::ev::FocusEvent) {
        let to_rows = match (ev.related_target(), rows.get_untracked()) {
            (Some(to), Some(rows)) => to
                .dyn_ref::<web_sys::Node>()
                .is_some_and(|n| rows.contains(Some(n))),
            _ => false,
        };
        if !to_rows && !self.moving.get_value() {
            self.span.set_value(None);
        }
    }

    /// After the slots have been given their new spans, gives the focus
    /// back to the toggle of the span that had it.
    pub fn follow(self, slots: Slots, rows: NodeRef<leptos::html::Div>) {
        Effect::new(move |_| {
            slots.window.with(|_| ());
            slots.order.with(|_| ());
            if self.span.get_value().is_some() {
                request_animation_frame(move || self.refocus(slots, rows));
            }
        });
    }

    fn refocus(&self, slots: Slots, rows: NodeRef<leptos::html::Div>) {
        let Some(moving) = self.moving.try_get_value() else {
            return;
        };
        self.moving.set_value(false);
        let (Some(want), Some(rows_el)) = (self.span.get_value(), rows.get_untracked()) else {
            return;
        };
        let active = dom::active_element();
        let in_rows = active.as_ref().is_some_and(|a| rows_el.contains(Some(a)));
        if !in_rows && !moving {
            return;
        }
        let here = Slots::slot_of_element(active.as_ref());
        let there = slots.slot_with(want);
        if in_rows && here.is_some() && here == there {
            return;
        }
        let target = there.and_then(|k| {
            rows_el
                .query_selector(&format!("[data-slot=\"{k}\"] .toggle"))
                .ok()
                .flatten()
        });
        match target {
            Some(el) => dom::focus_without_scrolling(&el),
            None => {
                self.span.set_value(None);
                if let Some(el) = active
                    .filter(|_| in_rows)
                    .and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = el.blur();
                }
            }
        }
    }
}
