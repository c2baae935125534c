//! The flame graph of one trace: a bar per span, in its row (its depth),
//! placed by real time inside its parent's bar.
//!
//! Each span's bar stands for its time clipped to its parent's (a child
//! that starts before its parent or ends after it is cut at the parent's
//! edges; one wholly outside has no width, nor has its subtree: the
//! timeline shows such spans). Inside a bar, time runs left to right at the
//! bar's own scale, so children that follow one another sit where they ran,
//! with the parent's own time between them: the part of a bar with nothing
//! below it is the span's self time, exactly as `analysis::self_times`
//! counts it.
//!
//! Children that overlap in time (concurrent calls: a cluster of siblings
//! whose clipped intervals overlap, one after another in start order) are
//! drawn side by side, in start order, over the stretch of time the
//! cluster covers, each as wide as its share of the cluster's summed
//! durations. Two parallel 60 ms calls under a 100 ms parent that together
//! cover 80 ms are two bars of 40 ms's width each, and the parent's 20 ms
//! of its own stay uncovered; stacking them at their real times would need
//! more rows than the depth, and scaling all children to the parent's
//! width would hide the self time. The tooltip gives each span's real
//! duration. A span's children are placed inside its bar at its bar's
//! scale, so a squeezed span's subtree is squeezed with it.
//!
//! Roots (a trace may have several, orphans included) are placed the same
//! way under an invisible parent that spans the whole trace.

use super::Flame;
use crate::model::{SpanIx, Trace};

/// Lays out the flame graph of `trace`: item `p` is the span at tree
/// position `p` (`trace.tree_order[p]`), so a span's subtree is the run of
/// items of its subtree in tree order.
pub fn trace_flame(trace: &Trace) -> Flame {
    let n = trace.tree_order.len();
    let mut out = Flame::with_capacity(n);
    out.x0.resize(n, 0.0);
    out.x1.resize(n, 0.0);
    for (p, &ix) in trace.tree_order.iter().enumerate() {
        let depth = trace.span(ix).map_or(0, |s| s.depth);
        out.depth.push(depth);
        let end = (p + 1).saturating_add(trace.descendant_count(ix)).min(n);
        out.end.push(end as u32);
    }
    // Each span's time clipped to its parent's, as laid out.
    let mut clipped: Vec<(i64, i64)> = vec![(0, 0); n];
    let whole = (trace.start_ns, trace.end_ns.max(trace.start_ns));
    place(
        trace,
        &trace.roots,
        whole,
        (0.0, 1.0),
        &mut out,
        &mut clipped,
    );
    for p in 0..n {
        let Some(&ix) = trace.tree_order.get(p) else {
            continue;
        };
        let children = trace.children(ix);
        if children.is_empty() {
            continue;
        }
        let time = clipped.get(p).copied().unwrap_or((0, 0));
        let bar = (
            out.x0.get(p).copied().unwrap_or(0.0),
            out.x1.get(p).copied().unwrap_or(0.0),
        );
        place(trace, children, time, bar, &mut out, &mut clipped);
    }
    out
}

/// `span`'s time clipped to `(s, e)`.
fn clip(trace: &Trace, span: SpanIx, (s, e): (i64, i64)) -> (i64, i64) {
    match trace.span(span) {
        Some(sp) => {
            let a = sp.start_ns.clamp(s, e);
            (a, sp.end_ns().clamp(a, e))
        }
        None => (s, s),
    }
}

/// Places `children` (in start order) inside a parent whose clipped time
/// `time` is drawn over `bar` (see the module documentation).
fn place(
    trace: &Trace,
    children: &[SpanIx],
    time: (i64, i64),
    bar: (f64, f64),
    out: &mut Flame,
    clipped: &mut [(i64, i64)],
) {
    let (s, e) = time;
    let (a, b) = bar;
    let scale = if e > s {
        (b - a) / e.saturating_sub(s) as f64
    } else {
        0.0
    };
    let at = |t: i64| (a + t.saturating_sub(s) as f64 * scale).clamp(a, b);
    let mut i = 0;
    while i < children.len() {
        // The cluster that starts at child i: the children after it that
        // start before every earlier one of the cluster has ended.
        let (first, mut reach) = children.get(i).map_or((s, s), |&c| clip(trace, c, time));
        let mut sum = reach.saturating_sub(first);
        let mut j = i + 1;
        while let Some(&c) = children.get(j) {
            let (cs, ce) = clip(trace, c, time);
            if cs >= reach {
                break;
            }
            reach = reach.max(ce);
            sum = sum.saturating_add(ce.saturating_sub(cs));
            j += 1;
        }
        let (left, right) = (at(first), at(reach));
        let mut cursor = left;
        for &c in children.get(i..j).unwrap_or(&[]) {
            let (cs, ce) = clip(trace, c, time);
            let share = if sum > 0 {
                (right - left) * (ce.saturating_sub(cs) as f64 / sum as f64)
            } else {
                0.0
            };
            let Some(pos) = trace.tree_position(c).map(|p| p as usize) else {
                continue;
            };
            if let (Some(x0), Some(x1), Some(t)) = (
                out.x0.get_mut(pos),
                out.x1.get_mut(pos),
                clipped.get_mut(pos),
            ) {
                *x0 = cursor;
                *x1 = (cursor + share).min(b);
                *t = (cs, ce);
            }
            cursor += share;
        }
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::self_times;
    use crate::model::sample;

    const EPS: f64 = 1e-9;

    /// The bar of the span with id `id`.
    fn bar(t: &Trace, f: &Flame, id: &str) -> (f64, f64) {
        let p = t.find_span(id).and_then(|s| t.tree_position(s)).unwrap() as usize;
        (f.x0[p], f.x1[p])
    }

    fn close(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < EPS && (a.1 - b.1).abs() < EPS
    }

    /// Children that follow one another sit where they ran, and what is
    /// left uncovered of the parent is its self time.
    #[test]
    fn sequential_children_sit_at_their_times() {
        let t = sample::trace(&[
            ("r", None, "web", 0, 100),
            ("a", Some("r"), "db", 10, 20),
            ("b", Some("r"), "db", 40, 50),
            ("c", Some("b"), "db", 50, 10),
        ]);
        let f = trace_flame(&t);
        assert!(close(bar(&t, &f, "r"), (0.0, 1.0)));
        assert!(close(bar(&t, &f, "a"), (0.1, 0.3)));
        assert!(close(bar(&t, &f, "b"), (0.4, 0.9)));
        assert!(close(bar(&t, &f, "c"), (0.5, 0.6)));
        assert_eq!(f.depth, vec![0, 1, 1, 2]);
        assert_eq!(f.end, vec![4, 2, 4, 4]);
    }

    /// Two overlapping calls share the time they cover by their durations,
    /// in start order; the parent's own 20 ns stay uncovered.
    #[test]
    fn concurrent_children_share_the_time_they_cover() {
        let t = sample::trace(&[
            ("r", None, "web", 0, 100),
            ("a", Some("r"), "db", 0, 60),
            ("b", Some("r"), "db", 20, 60),
            ("c", Some("r"), "db", 90, 10),
        ]);
        let f = trace_flame(&t);
        assert!(close(bar(&t, &f, "a"), (0.0, 0.4)));
        assert!(close(bar(&t, &f, "b"), (0.4, 0.8)));
        assert!(close(bar(&t, &f, "c"), (0.9, 1.0)));
        let self_r = self_times(&t)[t.find_span("r").unwrap() as usize];
        assert_eq!(self_r, 10);
    }

    /// A child that sticks out of its parent is cut at the parent's edges;
    /// one wholly after it has no width, nor has its subtree.
    #[test]
    fn children_are_clipped_into_their_parent() {
        let t = sample::trace(&[
            ("r", None, "web", 0, 100),
            ("p", Some("r"), "web", 50, 20),
            ("early", Some("p"), "db", 40, 20),
            ("late", Some("p"), "db", 80, 10),
            ("under", Some("late"), "db", 82, 5),
        ]);
        let f = trace_flame(&t);
        assert!(close(bar(&t, &f, "p"), (0.5, 0.7)));
        assert!(close(bar(&t, &f, "early"), (0.5, 0.6)));
        let late = bar(&t, &f, "late");
        assert!((late.1 - late.0).abs() < EPS && late.0 <= 0.7 + EPS);
        let under = bar(&t, &f, "under");
        assert!((under.1 - under.0).abs() < EPS);
    }

    /// Several roots share the trace's width by their times.
    #[test]
    fn roots_are_placed_across_the_whole_trace() {
        let t = sample::trace(&[
            ("r", None, "web", 0, 40),
            ("orphan", Some("lost"), "db", 60, 40),
        ]);
        let f = trace_flame(&t);
        assert!(close(bar(&t, &f, "r"), (0.0, 0.4)));
        assert!(close(bar(&t, &f, "orphan"), (0.6, 1.0)));
    }

    /// A chain 100,000 levels deep is laid out without recursion.
    #[test]
    fn deep_chains_are_laid_out() {
        const N: usize = 100_000;
        let ids: Vec<String> = (0..N).map(|i| format!("{i:x}")).collect();
        let rows: Vec<sample::Row> = (0..N)
            .map(|i| {
                let parent = i.checked_sub(1).map(|p| ids[p].as_str());
                (
                    ids[i].as_str(),
                    parent,
                    "svc",
                    i as i64,
                    (2 * N - 2 * i) as i64,
                )
            })
            .collect();
        let t = sample::trace(&rows);
        let f = trace_flame(&t);
        assert_eq!(f.len(), N);
        assert_eq!(f.depth[N - 1], (N - 1) as u32);
        assert!(f.x1[N - 1] > f.x0[N - 1]);
        assert!(f.x0[N - 1] >= f.x0[N - 2] && f.x1[N - 1] <= f.x1[N - 2] + EPS);
    }
}
