//! Where the timeline draws things: the rows' vertical positions (with the
//! inline detail as a gap under one row), which recycled slot draws which
//! row, the view window (the part of the trace the bar column shows) with
//! its zoom and pan, and where a span's bar and duration label go.
//!
//! Plain arithmetic on numbers and span indices, compiled and tested
//! natively; the timeline's components only read signals, call these and
//! write styles.

use crate::model::SpanIx;

/// The height of one row, in CSS pixels.
pub const ROW_HEIGHT: f64 = 24.0;

/// Rows drawn above and below the view, so that a scroll of a few rows
/// shows rows already drawn.
pub const OVERSCAN: usize = 8;

/// The smallest view window, as a fraction of the trace.
pub const MIN_WINDOW: f64 = 1e-6;

/// The inline detail: the position of the row it sits under, and its height.
pub type Gap = Option<(usize, f64)>;

/// Where row `i` starts, in pixels; rows after the gap's row move down by
/// its height.
pub fn row_top(i: usize, gap: Gap) -> f64 {
    let y = i as f64 * ROW_HEIGHT;
    match gap {
        Some((p, h)) if i > p => y + h,
        _ => y,
    }
}

/// The row at pixel `y`; the inline detail counts as part of its row.
pub fn row_at(y: f64, gap: Gap) -> usize {
    let y = y.max(0.0);
    let plain = (y / ROW_HEIGHT) as usize;
    match gap {
        Some((p, h)) if plain > p => {
            let below = y - row_top(p + 1, None);
            if below < h {
                p
            } else {
                p + 1 + ((below - h) / ROW_HEIGHT) as usize
            }
        }
        _ => plain,
    }
}

/// How many rows the drawn window holds for a viewport this tall: the rows
/// in view, the overscan on both sides, and one more for a partly shown row
/// at each edge. The window has this many slots whatever the scroll position.
pub fn window_slots(viewport: f64) -> usize {
    (viewport.max(0.0) / ROW_HEIGHT).ceil() as usize + 2 * OVERSCAN + 2
}

/// Where to scroll so that row `pos` is seen: a third down the view, or,
/// when the inline detail is under it, near the top so that the detail is
/// seen too.
pub fn scroll_target(pos: usize, gap: Gap, view_height: f64) -> f64 {
    let above = if gap.is_some_and(|(p, _)| p == pos) {
        ROW_HEIGHT
    } else {
        view_height / 3.0
    };
    (row_top(pos, gap) - above).max(0.0)
}

/// What one slot draws: a row's position and its span, or nothing.
pub type Slot = Option<(usize, SpanIx)>;

/// What the drawn window depends on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SlotInput {
    /// How many slots there are (see [`window_slots`]).
    pub slots: usize,
    pub gap: Gap,
    pub scroll_top: f64,
    pub viewport: f64,
    /// Changes whenever the list of rows does: positions then name other spans.
    pub rows_gen: u64,
    /// Changes once the view has stood still for a moment.
    pub settled: u32,
    /// Settling after a window that drew only the rows in view: draw half
    /// the overscan now, the rest on the next frame.
    pub half_filled: bool,
}

/// Gives the rows in view to a fixed number of slots: row `p` is drawn by
/// slot `p % slots`, so that a row keeps its slot (its DOM element) while
/// it stays in view, a scroll only gives new rows to the slots of the rows
/// that left, and a jump gives every slot a new row without making
/// elements.
///
/// When the view moves by more than the overscan at once (a jump, a drag
/// of the scrollbar, a fast fling), the rows drawn around it are of no
/// use: only the rows in view are drawn then ("lazy"), and the other slots
/// keep what they showed (rows of the same list, out of view) until the
/// window settles. A slot only ever shows the row at its position, so
/// nothing on screen is stale. The first window, and the first after a
/// resize, also draw only the rows in view.
#[derive(Clone, Debug, Default)]
pub struct Slotter {
    /// The first row, rows generation and settle count of the last window.
    last: Option<(usize, u64, u32)>,
    lazy: bool,
}

impl Slotter {
    /// Whether the last window drew only the rows in view.
    pub fn lazy(&self) -> bool {
        self.lazy
    }

    /// The slots for `input`, given what they drew before (`drawn`).
    pub fn place(
        &mut self,
        drawn: Option<&[Slot]>,
        rows: &[SpanIx],
        input: &SlotInput,
    ) -> Vec<Slot> {
        let n = input.slots.max(1);
        let in_view = row_at(input.scroll_top, input.gap);
        let first = in_view.saturating_sub(OVERSCAN);
        let view_end = row_at(input.scroll_top + input.viewport, input.gap).saturating_add(1);
        let view = in_view.saturating_sub(1)..=view_end;
        let jumped = self.last.is_some_and(|(last_first, gen, settled)| {
            gen == input.rows_gen
                && settled == input.settled
                && first.abs_diff(last_first) > OVERSCAN
        });
        self.last = Some((first, input.rows_gen, input.settled));
        let resized = drawn.is_none_or(|d| d.len() != n);
        self.lazy = resized || jumped;
        let near = if self.lazy {
            view
        } else if input.half_filled {
            view.start().saturating_sub(OVERSCAN / 2)..=view.end().saturating_add(OVERSCAN / 2)
        } else {
            0..=usize::MAX
        };
        let mut slots = match drawn {
            Some(d) if !resized && jumped => d.to_vec(),
            _ => vec![None; n],
        };
        for (p, &ix) in rows.iter().enumerate().skip(first).take(n) {
            if !near.contains(&p) {
                continue;
            }
            if let Some(slot) = slots.get_mut(p % n) {
                *slot = Some((p, ix));
            }
        }
        slots
    }
}

/// The slots that draw a row, in the order of their rows (the DOM order
/// once the view settles: tab order and assistive technology follow it).
pub fn in_row_order(slots: &[Slot]) -> Vec<usize> {
    let mut shown: Vec<(usize, usize)> = slots
        .iter()
        .enumerate()
        .filter_map(|(k, s)| s.map(|(p, _)| (p, k)))
        .collect();
    shown.sort_unstable();
    shown.into_iter().map(|(_, k)| k).collect()
}

/// The slots that draw a row, in slot order.
pub fn used_slots(slots: &[Slot]) -> Vec<usize> {
    slots
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_some())
        .map(|(k, _)| k)
        .collect()
}

/// The slot that draws `ix`, if any.
pub fn slot_of(slots: &[Slot], ix: SpanIx) -> Option<usize> {
    slots.iter().position(|s| s.is_some_and(|(_, x)| x == ix))
}

/// A view window: the part of the trace the bar column shows, as fractions
/// of the trace's duration, `0 <= start < end <= 1`.
pub type Window = (f64, f64);

/// The whole trace.
pub const WHOLE: Window = (0.0, 1.0);

/// Orders and clamps a window, and widens it to [`MIN_WINDOW`].
pub fn window_of(a: f64, b: f64) -> Window {
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

/// Zooms by `factor` (below 1 zooms in) around the point `at` of the
/// window (0 its left edge, 1 its right), keeping that point in place
/// where the trace's edges allow.
pub fn zoom((a, b): Window, factor: f64, at: f64) -> Window {
    let w = ((b - a) * factor).clamp(MIN_WINDOW, 1.0);
    let center = a + at * (b - a);
    let lo = (center - at * w).max(0.0);
    let lo = if lo + w > 1.0 { 1.0 - w } else { lo };
    window_of(lo, lo + w)
}

/// Moves the window by `by` of its own width, within the trace.
pub fn pan((a, b): Window, by: f64) -> Window {
    let w = b - a;
    let lo = (a + by * w).clamp(0.0, 1.0 - w);
    (lo, lo + w)
}

/// The window a drag across the ruler chose, from `x0` to `x1` (fractions
/// of the current window), or `None` for a drag too short to mean one.
pub fn zoom_into((a, b): Window, x0: f64, x1: f64) -> Option<Window> {
    if (x1 - x0).abs() <= 0.005 {
        return None;
    }
    let w = b - a;
    Some(window_of(a + x0.min(x1) * w, a + x0.max(x1) * w))
}

/// Where the rows' tracks go so that the window fills the bar column: the
/// left edge and the width, in % of the column.
pub fn track((a, b): Window) -> (f64, f64) {
    let w = (b - a).max(1e-9);
    (-a / w * 100.0, 100.0 / w)
}

/// The ruler's five ticks: where each sits (a fraction of the column) and
/// the time from the trace's start it reads, in ns.
pub fn ticks((a, b): Window, total_ns: f64) -> [(f64, i64); 5] {
    std::array::from_fn(|k| {
        let f = k as f64 / 4.0;
        (f, (total_ns * (a + f * (b - a))) as i64)
    })
}

/// Where the duration label of a bar goes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Label {
    /// After the bar's end, at this % of the track from its left.
    After(f64),
    /// Inside the bar's end, at this % of the track from its right.
    Inside(f64),
    /// Before the bar's start, at this % of the track from its right.
    Before(f64),
}

/// A span's bar, in % of the trace (the track), and its label's place.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bar {
    pub left: f64,
    pub width: f64,
    pub label: Label,
}

/// The bar of a span that starts `offset_ns` after the trace and lasts
/// `duration_ns`, in a trace `total_ns` long. The label goes after the bar
/// while it ends in the first 80 % of the trace, else inside its end when
/// the bar is wide, else before it.
pub fn bar(offset_ns: i64, duration_ns: i64, total_ns: i64) -> Bar {
    let total = total_ns.max(1) as f64;
    let left = offset_ns as f64 * 100.0 / total;
    let width = (duration_ns as f64 * 100.0 / total).max(0.0);
    let label = if left + width <= 80.0 {
        Label::After(left + width)
    } else if width >= 15.0 {
        Label::Inside(100.0 - left - width)
    } else {
        Label::Before(100.0 - left)
    };
    Bar { left, width, label }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rows_below_the_gap_move_down_by_its_height() {
        let gap = Some((2, 100.0));
        assert_eq!(row_top(2, gap), 48.0);
        assert_eq!(row_top(3, gap), 72.0 + 100.0);
        // A pixel inside the detail belongs to the row above it.
        assert_eq!(row_at(72.0 + 50.0, gap), 2);
        assert_eq!(row_at(72.0 + 100.0, gap), 3);
        assert_eq!(row_at(-5.0, gap), 0);
    }

    #[test]
    fn a_row_with_the_detail_scrolls_near_the_top() {
        assert_eq!(scroll_target(10, Some((10, 200.0)), 600.0), 240.0 - 24.0);
        assert_eq!(scroll_target(10, None, 600.0), 240.0 - 200.0);
        assert_eq!(scroll_target(1, None, 600.0), 0.0);
    }

    fn input(scroll_top: f64, viewport: f64) -> SlotInput {
        SlotInput {
            slots: window_slots(viewport),
            gap: None,
            scroll_top,
            viewport,
            rows_gen: 0,
            settled: 0,
            half_filled: false,
        }
    }

    #[test]
    fn the_first_window_draws_only_the_rows_in_view_then_the_overscan() {
        let rows: Vec<SpanIx> = (0..1000).collect();
        let mut s = Slotter::default();
        let first = s.place(None, &rows, &input(2400.0, 240.0));
        assert!(s.lazy());
        let drawn: Vec<usize> = first.iter().flatten().map(|(p, _)| *p).collect();
        assert_eq!(drawn.iter().min(), Some(&99));
        assert_eq!(drawn.iter().max(), Some(&111));
        let mut settled = input(2400.0, 240.0);
        settled.settled = 1;
        let full = s.place(Some(&first), &rows, &settled);
        assert!(!s.lazy());
        assert_eq!(full.iter().flatten().count(), window_slots(240.0));
    }

    #[test]
    fn a_jump_keeps_the_old_slots_and_draws_the_view() {
        let rows: Vec<SpanIx> = (0..10_000).collect();
        let mut s = Slotter::default();
        let a = s.place(None, &rows, &input(0.0, 240.0));
        let b = s.place(Some(&a), &rows, &input(0.0, 240.0));
        let c = s.place(Some(&b), &rows, &input(100_000.0, 240.0));
        assert!(s.lazy());
        // Rows of the old window stay in the slots the new view does not need.
        assert!(c.iter().flatten().any(|(p, _)| *p < 100));
        for p in row_at(100_000.0, None) - 1..=row_at(100_240.0, None) + 1 {
            assert_eq!(c[p % c.len()], Some((p, p as SpanIx)));
        }
    }

    fn close((a, b): Window, (c, d): Window) -> bool {
        (a - c).abs() < 1e-9 && (b - d).abs() < 1e-9
    }

    #[test]
    fn the_window_zooms_around_a_point_and_stays_inside_the_trace() {
        assert!(close(zoom(WHOLE, 0.8, 0.5), (0.1, 0.9)));
        assert!(close(zoom((0.0, 0.5), 0.5, 0.0), (0.0, 0.25)));
        assert!(close(zoom((0.9, 1.0), 4.0, 1.0), (0.6, 1.0)));
        assert!(close(zoom(WHOLE, 1.25, 0.5), WHOLE));
        let (a, b) = zoom((0.5, 0.5 + MIN_WINDOW), 0.1, 0.5);
        assert!(b - a >= MIN_WINDOW * 0.999);
    }

    #[test]
    fn pan_moves_by_the_width_and_stops_at_the_edges() {
        assert!(close(pan((0.1, 0.9), 0.1), (0.18, 0.98)));
        assert!(close(pan((0.1, 0.9), 0.5), (0.2, 1.0)));
        assert!(close(pan((0.1, 0.9), -0.5), (0.0, 0.8)));
    }

    #[test]
    fn a_ruler_drag_zooms_into_its_range_of_the_window() {
        assert!(close(
            zoom_into((0.2, 0.6), 0.5, 0.25).unwrap_or(WHOLE),
            (0.3, 0.4)
        ));
        assert_eq!(zoom_into(WHOLE, 0.5, 0.503), None);
        assert!(close(track((0.2, 0.6)), (-50.0, 250.0)));
    }

    #[test]
    fn labels_go_after_inside_or_before_the_bar() {
        assert_eq!(bar(0, 50, 100).label, Label::After(50.0));
        assert_eq!(bar(50, 50, 100).label, Label::Inside(0.0));
        assert_eq!(bar(90, 5, 100).label, Label::Before(10.0));
        assert_eq!(bar(0, 0, 0).width, 0.0);
    }

    #[derive(Clone, Debug)]
    enum Move {
        Scroll(f64),
        Settle,
        Resize(f64),
        HalfFill(bool),
    }

    fn moves() -> impl Strategy<Value = Vec<Move>> {
        proptest::collection::vec(
            prop_oneof![
                4 => (-2_000.0f64..2_000.0).prop_map(Move::Scroll),
                1 => (-500_000.0f64..500_000.0).prop_map(Move::Scroll),
                1 => Just(Move::Settle),
                1 => (0.0f64..900.0).prop_map(Move::Resize),
                1 => any::<bool>().prop_map(Move::HalfFill),
            ],
            1..60,
        )
    }

    proptest! {
        /// Every row in view is drawn, by exactly one slot, which shows the
        /// row at its position; and a span keeps its slot while it stays in
        /// view and the window is not resized.
        #[test]
        fn rows_in_view_are_drawn_once_and_keep_their_slot(
            n_rows in 0usize..5_000,
            gap_at in proptest::option::of((0usize..5_000, 0.0f64..400.0)),
            moves in moves(),
        ) {
            let rows: Vec<SpanIx> = (0..n_rows as SpanIx).map(|i| i * 7 + 3).collect();
            let mut s = Slotter::default();
            let mut inp = input(0.0, 400.0);
            inp.gap = gap_at.filter(|(p, _)| *p < n_rows);
            let mut drawn: Option<Vec<Slot>> = None;
            for m in moves {
                match m {
                    Move::Scroll(d) => inp.scroll_top = (inp.scroll_top + d).clamp(0.0, row_top(n_rows, inp.gap)),
                    Move::Settle => inp.settled += 1,
                    Move::Resize(h) => { inp.viewport = h; inp.slots = window_slots(h); }
                    Move::HalfFill(h) => inp.half_filled = h,
                }
                let before = drawn.clone();
                let slots = s.place(drawn.as_deref(), &rows, &inp);
                prop_assert_eq!(slots.len(), inp.slots);
                // Each slot shows the row at its position.
                for (k, slot) in slots.iter().enumerate() {
                    if let Some((p, ix)) = slot {
                        prop_assert_eq!(p % slots.len(), k);
                        prop_assert_eq!(rows.get(*p), Some(ix));
                    }
                }
                // Every row in view is in exactly one slot.
                let first = row_at(inp.scroll_top, inp.gap);
                let last = row_at(inp.scroll_top + inp.viewport, inp.gap);
                for p in first..=last.min(n_rows.saturating_sub(1)) {
                    if p >= n_rows { break; }
                    let holding = slots.iter().filter(|s| s.is_some_and(|(q, _)| q == p)).count();
                    prop_assert_eq!(holding, 1, "row {} in view", p);
                }
                // A span in view before and after keeps its slot.
                if let Some(before) = before.filter(|b| b.len() == slots.len()) {
                    for p in first..=last {
                        let Some(&ix) = rows.get(p) else { break };
                        if let (Some(a), Some(b)) = (slot_of(&before, ix), slot_of(&slots, ix)) {
                            prop_assert_eq!(a, b);
                        }
                    }
                }
                drawn = Some(slots);
            }
        }
    }
}
