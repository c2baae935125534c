//! The rows in view, drawn in a fixed number of slots (the DOM rows): which
//! slot draws which row is `geometry::Slotter`'s; this keeps it in step
//! with the scroll position, the height and the rows, puts the slots in
//! the order of their rows once the view settles, and tells assistive
//! technology that order meanwhile.

use super::ctx::Ctx;
use super::geometry::{self, Slot, SlotInput, Slotter};
use crate::model::SpanIx;
use crate::ui::frames;
use leptos::prelude::*;

/// How long the rows' window must stay still before the slots are put
/// back in the order of their rows.
const SETTLE_MS: u64 = 150;

#[derive(Clone, Copy)]
pub(super) struct Slots {
    /// What each slot draws.
    pub window: Memo<Vec<Slot>>,
    /// The slots that draw a row, in their DOM order.
    pub order: Memo<Vec<usize>>,
    /// The slots' element ids in the order of their rows.
    pub aria_owns: Memo<String>,
}

/// The element id of slot `k`, for `aria-owns`.
pub(super) fn slot_id(k: usize) -> String {
    format!("timeline-slot-{k}")
}

impl Slots {
    /// `on_move` is called before the slots move in the DOM.
    pub fn new(ctx: Ctx, on_move: impl Fn() + Send + Sync + 'static) -> Slots {
        let slot_count = Memo::new(move |_| geometry::window_slots(ctx.viewport.get()));
        // Bumped when the rows change: the positions of the rows drawn are
        // then those of another list. (Memos are read, not `track`ed, in
        // what follows: `track` subscribes without bringing a memo up to
        // date, and a memo nobody reads then stops telling its subscribers
        // about changes.)
        let rows_gen = Memo::new(move |before: Option<&u64>| {
            ctx.rows.with(|_| ());
            before.map_or(0, |g| g.wrapping_add(1))
        });
        // Bumped once the window has not changed for `SETTLE_MS`.
        let settled = RwSignal::new(0u32);
        let half_filled = RwSignal::new(false);
        let slotter = StoredValue::new(Slotter::default());
        let window = Memo::new(move |drawn: Option<&Vec<Slot>>| {
            let input = SlotInput {
                slots: slot_count.get(),
                gap: ctx.gap.get(),
                scroll_top: ctx.scroll_top.get(),
                viewport: ctx.viewport.get(),
                rows_gen: rows_gen.get(),
                settled: settled.get(),
                half_filled: half_filled.get(),
            };
            ctx.rows.with(|r| {
                slotter
                    .try_update_value(|s| s.place(drawn.map(Vec::as_slice), r, &input))
                    .unwrap_or_default()
            })
        });
        // While the rows scroll, the slots keep their place in the DOM, so
        // that no element moves; once the window has not changed for a
        // moment, they are put in the order of their rows (tab order),
        // which moves the few whose row wrapped around.
        let settle_timer = StoredValue::new(None::<TimeoutHandle>);
        Effect::new(move |_| {
            window.with(|_| ());
            if let Some(h) = settle_timer.get_value() {
                h.clear();
            }
            let h = set_timeout_with_handle(
                move || {
                    // Rows drawn in view only (a new view, a jump): the
                    // overscan comes over two frames, each with a share of
                    // new rows.
                    if slotter.try_with_value(Slotter::lazy).unwrap_or(false) {
                        half_filled.try_set(true);
                        leptos::task::spawn_local(async move {
                            frames::after_paint().await;
                            half_filled.try_set(false);
                        });
                    }
                    settled.try_update(|n| *n = n.wrapping_add(1));
                },
                std::time::Duration::from_millis(SETTLE_MS),
            )
            .ok();
            settle_timer.set_value(h);
        });
        on_cleanup(move || {
            if let Some(h) = settle_timer.try_get_value().flatten() {
                h.clear();
            }
        });
        let used = Memo::new(move |_| window.with(|w| geometry::used_slots(w)));
        let order = Memo::new(move |before: Option<&Vec<usize>>| {
            settled.with(|_| ());
            used.with(|_| ());
            let order = window.with_untracked(|w| geometry::in_row_order(w));
            // Moving an element takes the focus from a toggle in it: say so
            // before the elements move, so that the focus is given back.
            if before.is_some_and(|b| *b != order) {
                on_move();
            }
            order
        });
        let aria_owns = Memo::new(move |_| {
            window.with(|w| {
                geometry::in_row_order(w)
                    .into_iter()
                    .map(slot_id)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        });
        Slots {
            window,
            order,
            aria_owns,
        }
    }

    /// What slot `k` draws now.
    fn at(&self, k: usize) -> Slot {
        self.window.with_untracked(|w| w.get(k).copied().flatten())
    }

    /// The slot of the row an element is in.
    pub fn slot_of_element(el: Option<&web_sys::Element>) -> Option<usize> {
        el?.closest("[data-slot]")
            .ok()
            .flatten()?
            .get_attribute("data-slot")?
            .parse()
            .ok()
    }

    /// The row (position and span) an element is in.
    pub fn shown_at(&self, el: Option<&web_sys::Element>) -> Option<(usize, SpanIx)> {
        self.at(Self::slot_of_element(el)?)
    }

    /// The slot that draws `ix`, if any.
    pub fn slot_with(&self, ix: SpanIx) -> Option<usize> {
        self.window.with_untracked(|w| geometry::slot_of(w, ix))
    }
}
