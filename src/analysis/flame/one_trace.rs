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
use crate::model::Trace;

/// Lays out the flame graph of `trace`: item `p` is the span at tree
/// position `p` (`trace.tree_order[p]`), so a span's subtree is the run of
/// items of its subtree in tree order.
///
/// The spans are read once, in their own order, into arrays by tree
/// position; the layout then walks those arrays only: a span's children
/// are the items `p + 1`, then each one's `end`, up to its own `end`.
pub fn trace_flame(trace: &Trace) -> Flame {
    let n = trace.tree_order.len();
    let mut out = Flame::with_capacity(n);
    out.x0.resize(n, 0.0);
    out.x1.resize(n, 0.0);
    out.depth.resize(n, 0);
    out.end.resize(n, 0);
    // Each span's time, then (once its parent is laid out) its time clipped
    // to its parent's, by tree position.
    let mut time: Vec<(i64, i64)> = vec![(0, 0); n];
    for (ix, span) in trace.spans.iter().enumerate() {
        let Some(p) = trace.tree_position(ix as u32).map(|p| p as usize) else {
            continue;
        };
        let end = (p + 1)
            .saturating_add(trace.descendant_count(ix as u32))
            .min(n);
        if let (Some(t), Some(d), Some(e)) =
            (time.get_mut(p), out.depth.get_mut(p), out.end.get_mut(p))
        {
            *t = (span.start_ns, span.end_ns());
            *d = span.depth;
            *e = end as u32;
        }
    }
    let whole = (trace.start_ns, trace.end_ns.max(trace.start_ns));
    place(0, n as u32, whole, (0.0, 1.0), &mut out, &mut time);
    for p in 0..n {
        let (Some(&end), Some(&t), Some(&x0), Some(&x1)) =
            (out.end.get(p), time.get(p), out.x0.get(p), out.x1.get(p))
        else {
            continue;
        };
        if end as usize > p + 1 {
            place(p as u32 + 1, end, t, (x0, x1), &mut out, &mut time);
        }
    }
    out
}

/// A time clipped to `(s, e)`.
fn clip((start, end): (i64, i64), (s, e): (i64, i64)) -> (i64, i64) {
    let a = start.clamp(s, e);
    (a, end.clamp(a, e))
}

/// Places the siblings from item `first` to `stop` (in start order, each
/// the next one's predecessor by `end`) inside a parent whose clipped time
/// `parent` is drawn over `bar` (see the module documentation).
fn place(
    first: u32,
    stop: u32,
    parent: (i64, i64),
    bar: (f64, f64),
    out: &mut Flame,
    time: &mut [(i64, i64)],
) {
    let (s, e) = parent;
    // Rounding can leave a bar's right edge a hair left of its left one.
    let (a, b) = (bar.0, bar.1.max(bar.0));
    let scale = if e > s {
        (b - a) / e.saturating_sub(s) as f64
    } else {
        0.0
    };
    let at = |t: i64| (a + t.saturating_sub(s) as f64 * scale).clamp(a, b);
    let next = |out: &Flame, c: u32| out.end.get(c as usize).map_or(stop, |&e| e.max(c + 1));
    let clipped =
        |time: &[(i64, i64)], c: u32| time.get(c as usize).map_or((s, s), |&t| clip(t, parent));
    let mut i = first;
    while i < stop {
        // The cluster that starts at child i: the children after it that
        // start before every earlier one of the cluster has ended.
        let (from, mut reach) = clipped(time, i);
        let mut sum = reach.saturating_sub(from);
        let mut j = next(out, i);
        while j < stop {
            let (cs, ce) = clipped(time, j);
            if cs >= reach {
                break;
            }
            reach = reach.max(ce);
            sum = sum.saturating_add(ce.saturating_sub(cs));
            j = next(out, j);
        }
        let (left, right) = (at(from), at(reach));
        let mut cursor = left;
        let mut c = i;
        while c < j {
            let (cs, ce) = clipped(time, c);
            let share = if sum > 0 {
                (right - left) * (ce.saturating_sub(cs) as f64 / sum as f64)
            } else {
                0.0
            };
            let ix = c as usize;
            if let (Some(x0), Some(x1), Some(t)) =
                (out.x0.get_mut(ix), out.x1.get_mut(ix), time.get_mut(ix))
            {
                *x0 = cursor.min(b);
                *x1 = (cursor + share).min(b);
                *t = (cs, ce);
            }
            cursor += share;
            c = next(out, c);
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
