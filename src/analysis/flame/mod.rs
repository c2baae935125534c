//! Flame graphs (icicles: the root on top, one row per depth): of one
//! trace ([`trace_flame`]), and merged across the traces of a summary
//! group ([`merge`], laid out by [`MergedFlame::layout`]).
//!
//! Both give a [`Flame`]: every item's left and right edge as fractions of
//! the whole width, its row and where its subtree ends, in pre-order, so
//! that a subtree is one run of items and the items of one row come left
//! to right. Drawing, zooming and hit-testing (`ui::flame::geometry`) read
//! only that, whichever kind of flame graph it is.
//!
//! A child is always drawn inside its parent, and the part of a parent's
//! bar with nothing below it is the parent's own time: in one trace
//! exactly its self time (`TraceAnalysis::self_time_ns`), in a merged
//! graph its own share of the weight. Where the children of a span
//! overlap in time (concurrent calls), their durations add up to more than
//! the time they cover; they then share the width of the time they cover,
//! in proportion to their durations (see [`trace_flame`]), so that no bar
//! sticks out of its parent and the uncovered part stays the self time.
//!
//! Layouts are flat arrays filled in one pass in tree order (no recursion:
//! traces can be 100,000 levels deep), with no allocation per span.

mod merged;
mod one_trace;

pub use merged::{merge, MergedFlame, MergedLayout, MergedNode, Weight};
pub use one_trace::trace_flame;

/// A flame graph laid out: one item per span (or merged node), in pre-order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Flame {
    /// Left edge of each item, as a fraction of the whole width (0 to 1).
    pub x0: Vec<f64>,
    /// Right edge of each item, at or after `x0`.
    pub x1: Vec<f64>,
    /// Row of each item, 0 for the top ones.
    pub depth: Vec<u32>,
    /// One past the last item of each item's subtree: the subtree of `i` is
    /// `i..end[i]`, and the next sibling of `i` (if any) is `end[i]`.
    pub end: Vec<u32>,
}

impl Flame {
    pub fn len(&self) -> usize {
        self.x0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.x0.is_empty()
    }

    /// An empty layout with room for `n` items.
    fn with_capacity(n: usize) -> Flame {
        Flame {
            x0: Vec::with_capacity(n),
            x1: Vec::with_capacity(n),
            depth: Vec::with_capacity(n),
            end: Vec::with_capacity(n),
        }
    }
}
