//! The fixes of each finding's kind, as changes to the spans that
//! [`super::Simulator`] applies (the models are in the module doc above).

use super::Change;
use crate::model::{SpanIx, Trace};
use rustc_hash::FxHashMap;

/// N+1: `calls` (by start) batched into one call of `median_ns`.
pub fn batched(calls: &[SpanIx], median_ns: i64) -> Vec<(SpanIx, Change)> {
    let mut out = Vec::with_capacity(calls.len());
    let mut it = calls.iter();
    if let Some(&first) = it.next() {
        out.push((first, Change::Duration(median_ns)));
    }
    out.extend(it.map(|&c| (c, Change::Removed)));
    out
}

/// Throttled fan-out: every member started when `first` starts.
pub fn all_at_once(first: SpanIx, members: &[SpanIx]) -> Vec<(SpanIx, Change)> {
    members
        .iter()
        .filter(|&&m| m != first)
        .map(|&m| (m, Change::StartsWith(first)))
        .collect()
}

/// The failed attempts among `failed` that a later sibling of the same
/// operation retried, each with its retry: the first such sibling to start
/// at or after the attempt's end. In the order of `failed`.
pub fn retries(trace: &Trace, failed: &[SpanIx]) -> Vec<(SpanIx, SpanIx)> {
    // The children of the failed spans' parents, by (parent, operation), by start.
    let mut by_op: FxHashMap<(SpanIx, u32), Vec<(i64, SpanIx)>> = FxHashMap::default();
    let mut parents: Vec<SpanIx> = failed
        .iter()
        .filter_map(|&f| trace.span(f)?.parent)
        .collect();
    parents.sort_unstable();
    parents.dedup();
    for p in parents {
        for &c in trace.children(p) {
            if let Some(s) = trace.span(c) {
                by_op
                    .entry((p, s.operation))
                    .or_default()
                    .push((s.start_ns, c));
            }
        }
    }
    for v in by_op.values_mut() {
        v.sort_unstable();
    }
    failed
        .iter()
        .filter_map(|&f| {
            let s = trace.span(f)?;
            let later = by_op.get(&(s.parent?, s.operation))?;
            let from = later.partition_point(|&(t, _)| t < s.end_ns());
            // Only a zero-duration attempt can come first among its own later ones.
            let retry = later.get(from..)?.iter().find(|&&(_, o)| o != f)?;
            Some((f, retry.1))
        })
        .collect()
}

/// Errors on the path: each attempt of `retries` (from [`retries`]) takes
/// no time, and its retry no longer waits (the back-off goes).
pub fn retries_removed(retries: &[(SpanIx, SpanIx)]) -> Vec<(SpanIx, Change)> {
    retries
        .iter()
        .flat_map(|&(attempt, retry)| [(attempt, Change::Duration(0)), (retry, Change::NoWait)])
        .collect()
}

/// Every span whose operation has a usual duration (`usual`, by the trace's
/// operation index, e.g. the median in other traces of the same root
/// operation) shorter than its own takes that duration.
pub fn at_usual_durations(
    trace: &Trace,
    usual: impl Fn(u32) -> Option<i64>,
) -> Vec<(SpanIx, Change)> {
    trace
        .spans
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let u = usual(s.operation)?;
            (u < s.duration_ns).then_some((i as SpanIx, Change::Duration(u.max(0))))
        })
        .collect()
}
