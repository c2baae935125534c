//! The tab's memory as far as the app knows it ([`crate::memory::Capacity`]),
//! one for the page: loads ask it before they keep more spans, and the
//! clock-skew switch before it makes a second version of a large trace.

use crate::import::Loader;
use crate::memory::{self, Capacity, BUILD_PER_SPAN, WASM32_MAX};
use std::cell::RefCell;

thread_local! {
    static CAPACITY: RefCell<Capacity> = RefCell::new(Capacity::new(WASM32_MAX));
}

/// Lowers what the page may hold to `bytes` (the operator's
/// `memory.maxMB`).
pub fn limit_to(bytes: usize) {
    CAPACITY.with_borrow_mut(|c| *c = Capacity::new(bytes));
}

/// Stops `loader` keeping spans when those it holds would not fit once
/// built (see [`Loader::keep_within`]).
pub fn keep_within(loader: &mut Loader) {
    CAPACITY.with_borrow_mut(|c| loader.keep_within(c, memory::live(), BUILD_PER_SPAN));
}

/// Whether `bytes` more can be had now, with the margin kept free.
pub fn can_take(bytes: usize) -> bool {
    let need = memory::need(memory::live().saturating_add(bytes));
    CAPACITY.with_borrow_mut(|c| c.fits(need))
}
