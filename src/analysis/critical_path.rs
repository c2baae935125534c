//! The critical path: the chain of work that decided when each root ended.
//!
//! The algorithm is Jaeger UI's (and CRISP's), made iterative so that a
//! million-span or ten-thousand-deep trace cannot overflow the stack:
//!
//! 1. Only blocking children count. A child referenced by FOLLOWS_FROM, and a
//!    CONSUMER child under a PRODUCER parent, do not block their parent; they
//!    are dropped with their subtrees.
//! 2. Each child is clipped to its (clipped) parent's interval; a child wholly
//!    outside it is dropped with its subtree.
//! 3. Walking backwards from the root's end, the current span's
//!    last-finishing child is taken; when coming back up from a child, the
//!    last child that ends strictly before that child started. The time
//!    between is the current span's own critical time.
//!
//! Like CRISP, a sibling that ends a hair after the next one started still
//! "happens before" it when the overlap is under [`OVERLAP_ALLOWANCE`] of the
//! parent's duration and no third sibling starts or ends inside the overlap:
//! that is clock skew between hosts, not concurrency. Such a child's drawn
//! section is cut at its sibling's start, so sections never overlap; its
//! exclusive time, as CRISP defines it (its clipped duration minus the
//! durations of its children on the path, never below zero), counts it whole.
//!
//! The walk is amortised linear in the number of children (each parent's
//! children are scanned once, latest end first, since coming back up only
//! looks further down that list), and the "no third sibling inside the
//! overlap" test counts sibling starts and ends by binary search in their
//! sorted times, so that one parent with many overlapping children costs
//! O(n log n), not O(n²).

use crate::model::pace::{self, NoPause, Pace};
use crate::model::{RefType, SpanIx, SpanKind, Trace};

/// Overlap between consecutive siblings, as a fraction of their parent's
/// duration, that is still read as clock skew rather than concurrency
/// (CRISP's `overlap_allowance_fraction`).
pub const OVERLAP_ALLOWANCE: f64 = 0.01;

/// One stretch of time on the critical path, spent in `span` itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Section {
    pub span: SpanIx,
    pub start_ns: i64,
    pub end_ns: i64,
}

impl Section {
    pub fn duration_ns(&self) -> i64 {
        self.end_ns.saturating_sub(self.start_ns)
    }
}

/// The critical path of every root of a trace.
#[derive(Clone, Debug, Default)]
pub struct CriticalPath {
    /// Sections of all roots, each root's from latest to earliest.
    pub sections: Vec<Section>,
    /// Exclusive critical-path time of each span, indexed like `Trace::spans`
    /// (CRISP's `opTimeExclusive`, per span).
    pub span_time_ns: Vec<i64>,
    /// Whether each span is on the critical path.
    pub on_path: Vec<bool>,
}

impl CriticalPath {
    pub fn time_of(&self, span: SpanIx) -> i64 {
        self.span_time_ns.get(span as usize).copied().unwrap_or(0)
    }
}

/// Whether `child` blocks its parent `parent`.
pub fn is_blocking(trace: &Trace, parent: SpanIx, child: SpanIx) -> bool {
    let (Some(p), Some(c)) = (trace.span(parent), trace.span(child)) else {
        return false;
    };
    c.parent_ref == RefType::ChildOf
        && !(p.kind == SpanKind::Producer && c.kind == SpanKind::Consumer)
}

/// Computes the critical path of each root.
pub fn critical_path(trace: &Trace) -> CriticalPath {
    pace::now(critical_path_paced(trace, &mut NoPause))
}

/// [`critical_path`], pausing through `pace` as it goes.
pub async fn critical_path_paced(trace: &Trace, pace: &mut impl Pace) -> CriticalPath {
    let n = trace.spans.len();
    let mut steps = 0usize;
    let mut out = CriticalPath {
        sections: Vec::new(),
        span_time_ns: vec![0; n],
        on_path: vec![false; n],
    };
    // Clipped intervals; `None` for spans dropped from the computation.
    let mut clip: Vec<Option<(i64, i64)>> = vec![None; n];
    // Kept blocking children of each span, sorted by clipped end, latest
    // first: one flat list, each span's children a range of it.
    let mut kid_range: Vec<(u32, u32)> = vec![(0, 0); n];
    let mut kid_list: Vec<SpanIx> = Vec::with_capacity(n);
    // Aligned with `kid_list`: each span's children's clipped ends, latest
    // first, and their clipped starts, earliest first (not child by child).
    let mut kid_ends: Vec<i64> = Vec::with_capacity(n);
    let mut kid_starts: Vec<i64> = Vec::with_capacity(n);
    let kids = |range: &[(u32, u32)], ix: usize| -> std::ops::Range<usize> {
        let (a, b) = range.get(ix).copied().unwrap_or((0, 0));
        a as usize..b as usize
    };
    let iv = |clip: &[Option<(i64, i64)>], c: SpanIx| clip.get(c as usize).copied().flatten();

    for &root in &trace.roots {
        let Some(r) = trace.span(root) else { continue };
        clip[root as usize] = Some((r.start_ns, r.end_ns()));
        let mut stack = vec![root];
        while let Some(ix) = stack.pop() {
            steps += 1;
            if pace::due(steps) {
                pace.pause().await;
            }
            let Some((ps, pe)) = clip[ix as usize] else {
                continue;
            };
            let from = kid_list.len();
            for &c in trace.children(ix) {
                if !is_blocking(trace, ix, c) {
                    continue;
                }
                let Some(cs) = trace.span(c) else { continue };
                let (s, e) = (cs.start_ns, cs.end_ns());
                if s >= pe || e <= ps {
                    continue;
                }
                clip[c as usize] = Some((s.max(ps), e.min(pe)));
                kid_list.push(c);
                stack.push(c);
            }
            // Latest end first; equal ends in reverse tree order, as CRISP.
            let kept = &mut kid_list[from..];
            kept.reverse();
            kept.sort_by_key(|&c| std::cmp::Reverse(iv(&clip, c).map_or(i64::MIN, |x| x.1)));
            kid_range[ix as usize] = (from as u32, kid_list.len() as u32);
            for &c in kid_list.get(from..).unwrap_or(&[]) {
                let (s, e) = iv(&clip, c).unwrap_or((i64::MIN, i64::MIN));
                kid_ends.push(e);
                kid_starts.push(s);
            }
            if let Some(starts) = kid_starts.get_mut(from..) {
                starts.sort_unstable();
            }
        }

        let mut cur = root;
        let mut cut = iv(&clip, root).map_or(0, |x| x.1);
        // The child we just came back up from, and its place among its siblings.
        let mut returning: Option<(SpanIx, usize)> = None;
        // Place of each span of the current chain among its siblings.
        let mut chain_pos: Vec<usize> = Vec::new();
        out.on_path[root as usize] = true;
        loop {
            steps += 1;
            if pace::due(steps) {
                pace.pause().await;
            }
            let (cur_start, cur_end) = iv(&clip, cur).unwrap_or((cut, cut));
            let range = kids(&kid_range, cur as usize);
            let siblings = kid_list.get(range.clone()).unwrap_or(&[]);
            let times = Times {
                ends: kid_ends.get(range.clone()).unwrap_or(&[]),
                starts: kid_starts.get(range).unwrap_or(&[]),
            };
            let next = match returning {
                None => siblings.first().map(|&c| (c, 0)),
                Some((later, pos)) => siblings
                    .iter()
                    .enumerate()
                    .skip(pos + 1)
                    .find(|&(_, &c)| {
                        happens_before(&clip, times, cur_end.saturating_sub(cur_start), c, later)
                    })
                    .map(|(i, &c)| (c, i)),
            };
            match next {
                Some((c, pos)) => {
                    let c_end = iv(&clip, c).map_or(cut, |x| x.1).min(cut);
                    push(&mut out, cur, c_end, cut);
                    out.on_path[c as usize] = true;
                    chain_pos.push(pos);
                    cur = c;
                    cut = c_end;
                    returning = None;
                }
                None => {
                    push(&mut out, cur, cur_start.min(cut), cut);
                    if cur == root {
                        break;
                    }
                    let Some(p) = trace.span(cur).and_then(|s| s.parent) else {
                        break;
                    };
                    returning = Some((cur, chain_pos.pop().unwrap_or(0)));
                    cut = cur_start.min(cut);
                    cur = p;
                }
            }
        }
    }

    // Exclusive time, as CRISP: clipped duration minus the clipped durations
    // of the children on the path, never below zero.
    for i in 0..n {
        if pace::due(i) {
            pace.pause().await;
        }
        if !out.on_path.get(i).copied().unwrap_or(false) {
            continue;
        }
        let Some((s, e)) = iv(&clip, i as SpanIx) else {
            continue;
        };
        let on_path_children: i64 = kid_list
            .get(kids(&kid_range, i))
            .map(|k| {
                k.iter()
                    .filter(|&&c| out.on_path.get(c as usize).copied().unwrap_or(false))
                    .filter_map(|&c| iv(&clip, c).map(|(a, b)| b.saturating_sub(a)))
                    .fold(0i64, i64::saturating_add)
            })
            .unwrap_or(0);
        if let Some(t) = out.span_time_ns.get_mut(i) {
            *t = e.saturating_sub(s).saturating_sub(on_path_children).max(0);
        }
    }
    out
}

/// CRISP's happens-before between two siblings: `before` ended before `later`
/// started, or overlaps it by less than [`OVERLAP_ALLOWANCE`] of the parent
/// with no other sibling event inside the overlap.
fn happens_before(
    clip: &[Option<(i64, i64)>],
    siblings: Times,
    parent_duration: i64,
    before: SpanIx,
    later: SpanIx,
) -> bool {
    let get = |c: SpanIx| clip.get(c as usize).copied().flatten();
    let (Some((bs, be)), Some((ls, le))) = (get(before), get(later)) else {
        return false;
    };
    if be < ls {
        return true;
    }
    if be < le && bs < ls && parent_duration > 0 {
        let overlap = be.saturating_sub(ls) as f64 / parent_duration as f64;
        if overlap < OVERLAP_ALLOWANCE {
            return siblings.events_in(ls, be) == 2;
        }
    }
    false
}

/// The clipped times of one span's kept children.
#[derive(Clone, Copy)]
struct Times<'a> {
    /// Ends, latest first.
    ends: &'a [i64],
    /// Starts, earliest first.
    starts: &'a [i64],
}

impl Times<'_> {
    /// How many starts and ends lie in `from..=to`.
    fn events_in(&self, from: i64, to: i64) -> usize {
        let starts = (self.starts.partition_point(|&t| t <= to))
            .saturating_sub(self.starts.partition_point(|&t| t < from));
        let ends = (self.ends.partition_point(|&t| t >= from))
            .saturating_sub(self.ends.partition_point(|&t| t > to));
        starts + ends
    }
}

fn push(out: &mut CriticalPath, span: SpanIx, start: i64, end: i64) {
    if end > start {
        out.sections.push(Section {
            span,
            start_ns: start,
            end_ns: end,
        });
    }
}

/// Of `sections` (start, end), sorted, those that reach into `from..=to`,
/// with those less than `min_gap` apart joined into one: what can be told
/// apart when a time range is drawn at a given resolution.
pub fn join_sections(sections: &[(i64, i64)], from: i64, to: i64, min_gap: i64) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = Vec::new();
    for &(s, e) in sections.iter().filter(|&&(s, e)| e >= from && s <= to) {
        match out.last_mut() {
            Some(last) if s.saturating_sub(last.1) <= min_gap => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::join_sections;

    #[test]
    fn join_sections_keeps_the_range_and_joins_gaps_below_the_minimum() {
        let marks = [(0, 10), (12, 20), (30, 45), (50, 60), (200, 300)];
        // Gaps of 2, 10 and 5 ns; the mark at 200 is out of view.
        assert_eq!(
            join_sections(&marks, 0, 100, 2),
            vec![(0, 20), (30, 45), (50, 60)]
        );
        assert_eq!(join_sections(&marks, 0, 100, 5), vec![(0, 20), (30, 60)]);
        assert_eq!(join_sections(&marks, 0, 100, 10), vec![(0, 60)]);
        assert_eq!(
            join_sections(&marks, 0, 100, 0),
            vec![(0, 10), (12, 20), (30, 45), (50, 60)]
        );
        // A mark that reaches into the view from outside is kept whole.
        assert_eq!(join_sections(&marks, 250, 1000, 0), vec![(200, 300)]);
        // Nested or overlapping marks become one.
        assert_eq!(
            join_sections(&[(0, 100), (10, 20), (90, 120)], 0, 1000, 0),
            vec![(0, 120)]
        );
        assert!(join_sections(&[], 0, 10, 5).is_empty());
    }
}
