//! Which spans the timeline shows as rows, and what each collapse control
//! collapses: the span tree in tree order, minus the descendants of
//! collapsed spans and the subtrees a filter rejects. Plain functions of
//! the trace and span sets, compiled and tested natively.

use super::repeats::Runs;
use crate::analysis::search::with_ancestors;
use crate::model::{SpanIx, SpanSet, Trace};
use crate::ui::url::params::MAX_COLLAPSED;

/// Runs of repeated siblings shown as one row each, but those expanded.
#[derive(Clone, Copy)]
pub struct Grouping<'a> {
    pub runs: &'a Runs,
    /// Leaders of the runs shown span by span.
    pub expanded: &'a SpanSet,
}

impl Grouping<'_> {
    /// The run `ix` leads, when it is shown as one row.
    pub fn grouped(&self, ix: SpanIx) -> Option<&super::repeats::Run> {
        self.runs
            .of_leader(ix)
            .filter(|_| !self.expanded.contains(ix))
    }
}

/// The spans shown as rows: tree order without descendants of collapsed
/// spans, and, when `keep` is given, without spans it rejects (with their
/// subtrees); a grouped run is its leader's row alone. Also returns how
/// many spans `keep` hid.
pub fn visible_rows(
    trace: &Trace,
    collapsed: &SpanSet,
    keep: Option<&[bool]>,
    grouping: Option<Grouping>,
) -> (Vec<SpanIx>, usize) {
    let grouping = grouping.filter(|g| !g.runs.is_empty());
    if collapsed.is_empty() && keep.is_none() && grouping.is_none() {
        return (trace.tree_order.clone(), 0);
    }
    let mut out = Vec::with_capacity(trace.tree_order.len());
    let mut hidden = 0;
    let mut i = 0;
    while let Some(&ix) = trace.tree_order.get(i) {
        i += 1;
        if keep.is_some_and(|k| !k.get(ix as usize).copied().unwrap_or(false)) {
            let skip = trace.descendant_count(ix);
            hidden += skip + 1;
            i += skip;
            continue;
        }
        out.push(ix);
        if let Some(run) = grouping.as_ref().and_then(|g| g.grouped(ix)) {
            // The members are consecutive siblings: their subtrees are one
            // stretch of tree order, up to the end of the last one's.
            let last = trace.tree_position(run.last).map(|p| p as usize);
            if let Some(last) = last.filter(|&l| l >= i) {
                i = last + 1 + trace.descendant_count(run.last);
                continue;
            }
        }
        if collapsed.contains(ix) {
            i += trace.descendant_count(ix);
        }
    }
    (out, hidden)
}

/// What the filters keep: both when both are on, either one, or `None`
/// (everything) when neither is.
pub fn keep_both(a: Option<Vec<bool>>, b: Option<Vec<bool>>) -> Option<Vec<bool>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.into_iter().zip(b).map(|(x, y)| x && y).collect()),
        (a, b) => a.or(b),
    }
}

/// What the service filter keeps: the spans of the service named
/// `service`, and their ancestors (so that the tree still reads).
pub fn of_service(trace: &Trace, service: &str) -> Vec<bool> {
    let spans: Vec<SpanIx> = (0..trace.spans.len() as SpanIx)
        .filter(|&ix| {
            trace
                .span(ix)
                .is_some_and(|s| trace.service_name(s) == service)
        })
        .collect();
    with_ancestors(trace, &spans)
}

/// The spans that have children: what "collapse all" collapses.
pub fn parents(trace: &Trace) -> Vec<SpanIx> {
    (0..trace.spans.len() as SpanIx)
        .filter(|&i| !trace.children(i).is_empty())
        .collect()
}

/// "−1 level": the deepest of the open parents among the rows shown.
pub fn deepest_open_level(
    trace: &Trace,
    parents: &[SpanIx],
    rows: &[SpanIx],
    collapsed: &SpanSet,
) -> Vec<SpanIx> {
    let shown: SpanSet = rows.iter().copied().collect();
    let open: Vec<SpanIx> = parents
        .iter()
        .copied()
        .filter(|&i| shown.contains(i) && !collapsed.contains(i))
        .collect();
    let depth = |i: SpanIx| trace.span(i).map(|s| s.depth);
    let Some(deepest) = open.iter().filter_map(|&i| depth(i)).max() else {
        return Vec::new();
    };
    open.into_iter()
        .filter(|&i| depth(i) == Some(deepest))
        .collect()
}

/// "+1 level": the shallowest of the collapsed spans among the rows shown.
pub fn shallowest_collapsed_level(
    trace: &Trace,
    rows: &[SpanIx],
    collapsed: &SpanSet,
) -> Vec<SpanIx> {
    let shut: Vec<SpanIx> = rows
        .iter()
        .copied()
        .filter(|&i| collapsed.contains(i))
        .collect();
    let depth = |i: SpanIx| trace.span(i).map(|s| s.depth);
    let Some(shallowest) = shut.iter().filter_map(|&i| depth(i)).min() else {
        return Vec::new();
    };
    shut.into_iter()
        .filter(|&i| depth(i) == Some(shallowest))
        .collect()
}

/// `collapseBelow`: the parents shorter than `limit_ns`.
pub fn shorter_than(trace: &Trace, parents: &[SpanIx], limit_ns: i64) -> SpanSet {
    parents
        .iter()
        .copied()
        .filter(|&i| trace.span(i).is_some_and(|s| s.duration_ns < limit_ns))
        .collect()
}

/// The ancestors of `ix`, nearest first: what must be open for it to show.
pub fn ancestors(trace: &Trace, ix: SpanIx) -> Vec<SpanIx> {
    let mut out = Vec::new();
    let mut cur = trace.span(ix).and_then(|s| s.parent);
    while let Some(p) = cur {
        out.push(p);
        cur = trace.span(p).and_then(|s| s.parent);
    }
    out
}

/// The spans of `ids`, by one pass over the spans (the first span of an
/// id, as `Trace::find_span` gives).
pub fn spans_by_id(trace: &Trace, ids: &[String]) -> SpanSet {
    let mut first: std::collections::HashMap<&str, SpanIx> =
        ids.iter().map(|id| (id.as_str(), SpanIx::MAX)).collect();
    for (i, sp) in trace.spans.iter().enumerate() {
        if let Some(ix) = first.get_mut(&*sp.span_id) {
            if *ix == SpanIx::MAX {
                *ix = i as SpanIx;
            }
        }
    }
    first
        .into_values()
        .filter(|&ix| ix != SpanIx::MAX)
        .collect()
}

/// The ids of the collapsed spans highest in the tree, in tree order, at
/// most [`MAX_COLLAPSED`]: found without sorting them all ("collapse all"
/// collapses a third of a million spans at 1M), and by position, not by
/// comparing ids.
pub fn top_collapsed(trace: &Trace, collapsed: &SpanSet) -> Vec<String> {
    let mut by_row: Vec<(u32, SpanIx)> = collapsed
        .iter()
        .filter_map(|ix| trace.tree_position(ix).map(|p| (p, ix)))
        .collect();
    if by_row.len() > MAX_COLLAPSED {
        by_row.select_nth_unstable(MAX_COLLAPSED);
        by_row.truncate(MAX_COLLAPSED);
    }
    by_row.sort_unstable();
    by_row
        .iter()
        .filter_map(|&(_, ix)| trace.span(ix).map(|s| s.span_id.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::sample;

    /// root(0..100) > a(0..40) > a1, a2; root > b(50..60) > b1 > b11.
    fn tree() -> Trace {
        sample::trace(&[
            ("root", None, "svc", 0, 100),
            ("a", Some("root"), "svc", 0, 40),
            ("a1", Some("a"), "svc", 0, 10),
            ("a2", Some("a"), "svc", 10, 10),
            ("b", Some("root"), "svc", 50, 10),
            ("b1", Some("b"), "svc", 50, 5),
            ("b11", Some("b1"), "svc", 50, 1),
        ])
    }

    fn ix(t: &Trace, id: &str) -> SpanIx {
        t.find_span(id).unwrap_or(SpanIx::MAX)
    }

    fn names(t: &Trace, rows: &[SpanIx]) -> Vec<String> {
        rows.iter()
            .filter_map(|&i| t.span(i).map(|s| t.span_name(s).to_string()))
            .collect()
    }

    #[test]
    fn collapsed_spans_hide_their_descendants_and_filters_their_subtrees() {
        let t = tree();
        let (all, hidden) = visible_rows(&t, &SpanSet::new(), None, None);
        assert_eq!(names(&t, &all), ["root", "a", "a1", "a2", "b", "b1", "b11"]);
        assert_eq!(hidden, 0);
        let shut: SpanSet = [ix(&t, "a")].into_iter().collect();
        let (rows, _) = visible_rows(&t, &shut, None, None);
        assert_eq!(names(&t, &rows), ["root", "a", "b", "b1", "b11"]);
        let mut keep = vec![true; t.spans.len()];
        keep[ix(&t, "b") as usize] = false;
        let (rows, hidden) = visible_rows(&t, &shut, Some(&keep), None);
        assert_eq!(names(&t, &rows), ["root", "a"]);
        assert_eq!(hidden, 3);
    }

    /// The service filter keeps a service's spans and the ancestors that
    /// lead to them, whatever their service; other subtrees go.
    #[test]
    fn the_service_filter_keeps_its_spans_with_their_ancestors() {
        let t = sample::trace(&[
            ("root", None, "web", 0, 100),
            ("a", Some("root"), "api", 0, 40),
            ("a1", Some("a"), "db", 0, 10),
            ("a2", Some("a"), "api", 10, 10),
            ("b", Some("root"), "api", 50, 10),
            ("c", Some("root"), "cache", 60, 10),
        ]);
        let keep = of_service(&t, "db");
        let (rows, hidden) = visible_rows(&t, &SpanSet::new(), Some(&keep), None);
        assert_eq!(names(&t, &rows), ["root", "a", "a1"]);
        assert_eq!(hidden, 3);
        let keep = of_service(&t, "api");
        let (rows, _) = visible_rows(&t, &SpanSet::new(), Some(&keep), None);
        assert_eq!(names(&t, &rows), ["root", "a", "a2", "b"]);
        let keep = of_service(&t, "nowhere");
        assert!(visible_rows(&t, &SpanSet::new(), Some(&keep), None)
            .0
            .is_empty());
    }

    #[test]
    fn a_grouped_run_is_one_row_until_expanded() {
        // root > q0..q4 (q2 has a child) > then `after`.
        let t = sample::named(&[
            ("root", None, "s", "root", 0, 100),
            ("q0", Some("root"), "s", "q", 0, 5),
            ("q1", Some("root"), "s", "q", 5, 5),
            ("q2", Some("root"), "s", "q", 10, 5),
            ("q2c", Some("q2"), "s", "child", 11, 1),
            ("q3", Some("root"), "s", "q", 15, 5),
            ("q4", Some("root"), "s", "q", 20, 5),
            ("after", Some("root"), "s", "after", 30, 5),
        ]);
        let runs = Runs::find(&t, 5);
        let mut expanded = SpanSet::new();
        let g = Grouping {
            runs: &runs,
            expanded: &expanded,
        };
        let (rows, _) = visible_rows(&t, &SpanSet::new(), None, Some(g));
        assert_eq!(names(&t, &rows), ["root", "q", "after"]);
        expanded.insert(ix(&t, "q0"));
        let g = Grouping {
            runs: &runs,
            expanded: &expanded,
        };
        let (rows, _) = visible_rows(&t, &SpanSet::new(), None, Some(g));
        assert_eq!(rows.len(), t.spans.len());
    }

    #[test]
    fn levels_collapse_deepest_first_and_open_shallowest_first() {
        let t = tree();
        let parents = parents(&t);
        assert_eq!(parents.len(), 4);
        let mut shut = SpanSet::new();
        let rows = visible_rows(&t, &shut, None, None).0;
        let level = deepest_open_level(&t, &parents, &rows, &shut);
        assert_eq!(names(&t, &level), ["b1"]);
        shut.extend(level);
        let rows = visible_rows(&t, &shut, None, None).0;
        let level = deepest_open_level(&t, &parents, &rows, &shut);
        assert_eq!(names(&t, &level), ["a", "b"]);
        shut.extend(level);
        let rows = visible_rows(&t, &shut, None, None).0;
        assert_eq!(
            names(&t, &shallowest_collapsed_level(&t, &rows, &shut)),
            ["a", "b"]
        );
    }

    #[test]
    fn collapse_below_picks_the_short_parents() {
        let t = tree();
        let short = shorter_than(&t, &parents(&t), 20);
        let mut got = names(&t, &short.iter().collect::<Vec<_>>());
        got.sort();
        assert_eq!(got, ["b", "b1"]);
        assert_eq!(
            names(&t, &ancestors(&t, ix(&t, "b11"))),
            ["b1", "b", "root"]
        );
    }

    #[test]
    fn filters_combine() {
        assert_eq!(keep_both(None, None), None);
        assert_eq!(
            keep_both(Some(vec![true, false]), None),
            Some(vec![true, false])
        );
        assert_eq!(
            keep_both(Some(vec![true, false, true]), Some(vec![true, true, false])),
            Some(vec![true, false, false])
        );
    }
}
