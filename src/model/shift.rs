//! A trace with some spans moved in time: the clock-skew correction's
//! output (`analysis::skew` decides what moves and by how much; this
//! module makes the moved trace).
//!
//! The moved trace is a second [`Trace`], made from the first with the
//! builder's own ordering ([`super::tree`]: siblings and roots by start,
//! the longer first; the same walk, the same extent and depth), so that
//! the tree order, the roots and the trace's start and end are right for
//! the new times. Everything else stays as the builder left it: the same
//! span indices (a selection, a collapsed set or a finding's spans mean
//! the same spans in both), the same parents, the same tables. A span's
//! events move with it.
//!
//! One difference from a build: a span that had no start time was given
//! its parent's, and is ordered among its siblings by that start here,
//! where the build put it after them.

use super::pace::{self, NoPause, Pace};
use super::tree::{by_start, Children, Unlaid, Walk};
use super::{Span, SpanIx, Trace, TraceWarning};

impl Trace {
    /// This trace with each span's start (and its events) moved by
    /// `shifts[span]` ns (saturating; a missing entry is 0), and `notes`
    /// added to the spans' and the trace's warnings.
    pub fn shifted(&self, shifts: &[i64], notes: Vec<(SpanIx, String)>) -> Trace {
        pace::now(self.clone().into_shifted_paced(shifts, notes, &mut NoPause))
    }

    /// [`Trace::shifted`] in place: the spans are moved where they are, not
    /// copied, so that a large trace is never held twice.
    pub async fn into_shifted_paced(
        mut self,
        shifts: &[i64],
        notes: Vec<(SpanIx, String)>,
        pace: &mut impl Pace,
    ) -> Trace {
        move_spans(&mut self.spans, shifts, 1, pace).await;
        for (ix, message) in notes {
            if let Some(s) = self.spans.get_mut(ix as usize) {
                s.warnings.push(message.clone());
                self.warnings.push(TraceWarning {
                    span: Some(ix),
                    message,
                });
            }
        }
        self.lay_out_again(pace).await
    }

    /// Undoes [`Trace::into_shifted_paced`] with the same `shifts` and
    /// `notes`: the spans go back where they were, and the notes are taken
    /// out of the warnings.
    pub async fn into_unshifted_paced(
        mut self,
        shifts: &[i64],
        notes: &[(SpanIx, String)],
        pace: &mut impl Pace,
    ) -> Trace {
        move_spans(&mut self.spans, shifts, -1, pace).await;
        for (ix, message) in notes {
            if let Some(s) = self.spans.get_mut(*ix as usize) {
                if let Some(at) = s.warnings.iter().rposition(|w| w == message) {
                    s.warnings.remove(at);
                }
            }
        }
        let noted: std::collections::HashSet<(SpanIx, &str)> =
            notes.iter().map(|(i, m)| (*i, m.as_str())).collect();
        self.warnings.retain(|w| {
            !w.span
                .is_some_and(|s| noted.contains(&(s, w.message.as_str())))
        });
        self.lay_out_again(pace).await
    }

    /// The tree order, roots, extent and depths again, for the spans' new
    /// times (the parents stay).
    async fn lay_out_again(self, pace: &mut impl Pace) -> Trace {
        let n = self.spans.len();
        let start: Vec<i64> = self.spans.iter().map(|s| s.start_ns).collect();
        let end: Vec<i64> = self.spans.iter().map(Span::end_ns).collect();
        let order = by_start(&start, &end);
        // The parents are final (cycles were cut by the build): the spans
        // form a forest, and every span is reached from a root.
        let parent: Vec<Option<SpanIx>> = self.spans.iter().map(|s| s.parent).collect();
        let children = Children::new(&parent, order, pace).await;
        let mut roots = self.roots.clone();
        roots.sort_by(order);
        let mut walk = Walk::new(n);
        for &r in &roots {
            walk.run(r, &children, pace).await;
        }
        if walk.order.len() != n {
            // Not a forest after all: keep the order the build found.
            return self;
        }
        let tree_order = walk.order;
        drop((start, end, parent));
        Unlaid {
            trace_id: self.trace_id,
            spans: self.spans,
            strings: self.strings,
            services: self.services,
            operations: self.operations,
            roots,
            warnings: self.warnings,
            error_count: self.error_count,
            unloaded_spans: self.unloaded_spans,
        }
        .lay_out(children, tree_order, pace)
        .await
    }
}

/// Moves each span (and its events) by `sign * shifts[span]`, saturating.
async fn move_spans(spans: &mut [Span], shifts: &[i64], sign: i64, pace: &mut impl Pace) {
    for (i, s) in spans.iter_mut().enumerate() {
        let by = shifts.get(i).copied().unwrap_or(0).saturating_mul(sign);
        if by != 0 {
            s.start_ns = s.start_ns.saturating_add(by);
            for e in &mut s.events {
                e.time_ns = e.time_ns.saturating_add(by);
            }
        }
        if pace::due(i) {
            pace.pause().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::sample::trace;
    use super::*;

    fn ids(t: &Trace, list: &[SpanIx]) -> Vec<String> {
        list.iter()
            .map(|&i| t.spans[i as usize].span_id.to_string())
            .collect()
    }

    /// A child moved past its sibling comes after it in tree order; the
    /// span indices, parents, depths and subtrees stay; the trace's start
    /// and end follow the new times.
    #[test]
    fn a_moved_span_takes_its_place_among_its_siblings() {
        let t = trace(&[
            ("r", None, "web", 0, 100),
            ("a", Some("r"), "web", 10, 10),
            ("b", Some("r"), "db", -20, 30),
            ("b1", Some("b"), "db", -15, 5),
        ]);
        assert_eq!(ids(&t, &t.tree_order), ["r", "b", "b1", "a"]);
        assert_eq!(t.start_ns, -20);
        let b = t.find_span("b").unwrap_or(SpanIx::MAX);
        let b1 = t.find_span("b1").unwrap_or(SpanIx::MAX);
        let mut shifts = vec![0; t.spans.len()];
        shifts[b as usize] = 50;
        shifts[b1 as usize] = 50;
        let moved = t.shifted(&shifts, vec![(b, "moved".to_string())]);
        assert_eq!(ids(&moved, &moved.tree_order), ["r", "a", "b", "b1"]);
        assert_eq!(ids(&moved, moved.children(0)), ["a", "b"]);
        assert_eq!(moved.spans[b as usize].start_ns, 30);
        assert_eq!(moved.spans[b1 as usize].start_ns, 35);
        assert_eq!((moved.start_ns, moved.end_ns), (0, 100));
        assert_eq!(moved.subtree(b), &[b, b1]);
        assert_eq!(moved.tree_position(b), Some(2));
        assert_eq!(moved.spans[b1 as usize].depth, 2);
        assert_eq!(moved.spans[b as usize].warnings, ["moved"]);
        assert_eq!(moved.warnings.last().map(|w| w.span), Some(Some(b)));
        // The recorded trace is untouched.
        assert_eq!(t.spans[b as usize].start_ns, -20);
        assert!(t.spans[b as usize].warnings.is_empty());
    }

    /// Roots are ordered again by their new starts; moves saturate.
    #[test]
    fn roots_follow_their_new_starts_and_moves_saturate() {
        let t = trace(&[("x", None, "a", 0, 10), ("y", None, "b", 5, 10)]);
        let moved = t.shifted(&[i64::MAX, i64::MIN], Vec::new());
        assert_eq!(ids(&moved, &moved.roots), ["y", "x"]);
        assert_eq!(moved.spans[0].start_ns, i64::MAX);
        assert_eq!(moved.spans[1].start_ns, i64::MIN + 5);
        assert_eq!(moved.start_ns, i64::MIN + 5);
        assert_eq!(moved.end_ns, i64::MAX);
    }
}
