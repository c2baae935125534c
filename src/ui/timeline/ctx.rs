//! What the timeline's parts share: the view's state, the rows shown, the
//! matches, the inline detail's gap, the critical-path marks, and the rows'
//! box with its scroll position and height.

use super::geometry::{Gap, Window};
use super::marks::Marks;
use super::repeats::Runs;
use crate::model::{SpanIx, SpanSet, Trace};
use crate::ui::view_state::ViewState;
use leptos::prelude::*;
use std::sync::Arc;

/// What the timeline's parts share.
#[derive(Clone, Copy)]
pub(super) struct Ctx {
    pub state: ViewState,
    /// The spans shown as rows, in order.
    pub rows: Memo<Vec<SpanIx>>,
    /// The matches, as a set.
    pub matched: Memo<SpanSet>,
    /// The inline detail under its row.
    pub gap: Memo<Gap>,
    /// The critical path per span, once the analysis has landed.
    pub marks: Memo<Option<Arc<Marks>>>,
    /// Runs of repeated siblings, while grouping is on.
    pub runs: Memo<Option<Arc<Runs>>>,
    /// Where the rows' box is scrolled to now (the view state keeps where
    /// it was left, for when the view is drawn again).
    pub scroll_top: RwSignal<f64>,
    /// The timeline's height, once measured.
    pub viewport: RwSignal<f64>,
    pub container: NodeRef<leptos::html::Div>,
}

impl Ctx {
    pub fn trace(&self) -> Arc<Trace> {
        self.state.trace()
    }

    /// Sets the view window, if it changed.
    pub fn set_window(&self, w: Window) {
        if self.state.window.get_untracked() != w {
            self.state.window.set(w);
        }
    }

    /// Scrolls the rows to `y` pixels, and notes where they are.
    pub fn scroll_to_y(&self, y: f64) {
        if let Some(el) = self.container.try_get_untracked().flatten() {
            el.set_scroll_top(y.max(0.0) as i32);
            self.measure_scroll(&el);
        }
    }

    /// Scrolls the rows by `dy` pixels.
    pub fn scroll_by(&self, dy: f64) {
        if let Some(el) = self.container.try_get_untracked().flatten() {
            el.set_scroll_top((el.scroll_top() as f64 + dy).max(0.0) as i32);
            self.measure_scroll(&el);
        }
    }

    fn measure_scroll(&self, el: &web_sys::HtmlDivElement) {
        let top = el.scroll_top() as f64;
        if self.scroll_top.try_get_untracked() != Some(top) {
            self.scroll_top.try_set(top);
        }
        self.state.scroll_top.try_set_value(top);
    }

    /// Reads the scroll position and the height of the rows' box.
    pub fn measure(&self) {
        if let Some(el) = self.container.try_get_untracked().flatten() {
            self.measure_scroll(&el);
            let h = el.client_height() as f64;
            if h > 0.0 && self.viewport.try_get_untracked() != Some(h) {
                self.viewport.try_set(h);
            }
        }
    }
}
