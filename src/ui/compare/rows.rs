//! Plain: the rows the compare view shows of a [`Comparison`]'s merged
//! tree (collapsed nodes hide their subtrees; "changes only" keeps the
//! nodes that changed and the nodes above them), the rows drawn for a
//! scroll position, and the figures of a row in words.

use crate::analysis::compare::{Change, Comparison, Node, NodeIx, Which};
use crate::analysis::describe::format_duration;
use crate::model::Trace;

/// Height of one row, in CSS pixels (the stylesheet's `.cmp-row`).
pub const ROW_HEIGHT: f64 = 24.0;
/// Rows drawn above and below the ones in view.
pub const OVERSCAN: usize = 10;
/// Above this many nodes the view opens on the changes only.
pub const CHANGES_ONLY_ABOVE: usize = 200;

/// For each node, whether it or a node below it changed.
pub fn changed_below(c: &Comparison) -> Vec<bool> {
    let mut out: Vec<bool> = c.nodes.iter().map(|n| n.change != Change::Same).collect();
    // Children come after their parent: one pass from the end carries
    // each node's flag up to its parent.
    for i in (0..c.nodes.len()).rev() {
        let (Some(n), Some(&flag)) = (c.nodes.get(i), out.get(i)) else {
            continue;
        };
        if let (true, Some(p)) = (flag, n.parent) {
            if let Some(slot) = out.get_mut(p as usize) {
                *slot = true;
            }
        }
    }
    out
}

/// The nodes shown, in tree order: a collapsed node's subtree is hidden;
/// with `changes_only`, so is every node with no change at or below it.
pub fn visible(
    c: &Comparison,
    collapsed: &[bool],
    changed: &[bool],
    changes_only: bool,
) -> Vec<NodeIx> {
    let mut out = Vec::new();
    let mut i = 0usize;
    while let Some(n) = c.nodes.get(i) {
        let skip_whole = changes_only && !changed.get(i).copied().unwrap_or(true);
        if skip_whole {
            i += 1 + n.descendants as usize;
            continue;
        }
        out.push(i as NodeIx);
        if collapsed.get(i).copied().unwrap_or(false) {
            i += 1 + n.descendants as usize;
        } else {
            i += 1;
        }
    }
    out
}

/// The nodes to collapse so that `ix` is shown: its collapsed ancestors.
pub fn ancestors(c: &Comparison, ix: NodeIx) -> Vec<NodeIx> {
    let mut out = Vec::new();
    let mut cur = c.node(ix).and_then(|n| n.parent);
    while let Some(p) = cur {
        out.push(p);
        cur = c.node(p).and_then(|n| n.parent);
    }
    out
}

/// The rows drawn for a scroll position: those in view and [`OVERSCAN`]
/// on each side, as a range of positions in the rows shown.
pub fn drawn(scroll_top: f64, viewport: f64, rows: usize) -> std::ops::Range<usize> {
    let first = (scroll_top.max(0.0) / ROW_HEIGHT).floor() as usize;
    let in_view = (viewport.max(0.0) / ROW_HEIGHT).ceil() as usize + 1;
    let from = first.saturating_sub(OVERSCAN).min(rows);
    let to = first
        .saturating_add(in_view)
        .saturating_add(OVERSCAN)
        .min(rows);
    from..to.max(from)
}

/// A difference with its sign: `+1.20 s`, `−300 ms`, `0`.
pub fn signed_duration(ns: i64) -> String {
    match ns.signum() {
        1 => format!("+{}", format_duration(ns)),
        -1 => format!("−{}", format_duration(ns.saturating_abs())),
        _ => "0".to_string(),
    }
}

/// A difference of counts with its sign.
pub fn signed_count(n: i64) -> String {
    match n.signum() {
        1 => format!("+{n}"),
        -1 => format!("−{}", n.saturating_abs()),
        _ => "0".to_string(),
    }
}

/// The node's name, `operation (service)`, from whichever side has it.
pub fn name(a: &Trace, b: &Trace, node: &Node) -> (String, String) {
    let named = |t: &Trace, op: Option<u32>| {
        op.and_then(|o| t.operation_names(o))
            .map(|(svc, op)| (op.to_string(), svc.to_string()))
    };
    named(a, node.a.operation)
        .or_else(|| named(b, node.b.operation))
        .unwrap_or_default()
}

/// One side's figure, or a dash where the node has no span there.
pub fn side_duration(
    node: &Node,
    which: Which,
    figure: fn(&crate::analysis::compare::Side) -> i64,
) -> String {
    let side = node.side(which);
    if side.count == 0 {
        "—".to_string()
    } else {
        format_duration(figure(side))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{compare, TraceAnalysis};
    use crate::model::sample;

    fn pair() -> (Trace, Trace) {
        let a = sample::named(&[
            ("r", None, "web", "GET /", 0, 100),
            ("q", Some("r"), "db", "SELECT", 10, 10),
            ("c", Some("r"), "cache", "GET", 30, 10),
            ("c2", Some("c"), "cache", "lookup", 31, 5),
        ]);
        let b = sample::named(&[
            ("r", None, "web", "GET /", 0, 300),
            ("q", Some("r"), "db", "SELECT", 10, 210),
            ("c", Some("r"), "cache", "GET", 230, 10),
            ("c2", Some("c"), "cache", "lookup", 231, 5),
        ]);
        (a, b)
    }

    fn comparison(a: &Trace, b: &Trace) -> Comparison {
        compare((a, &TraceAnalysis::new(a)), (b, &TraceAnalysis::new(b)))
    }

    #[test]
    fn changes_only_keeps_what_changed_and_what_is_above_it() {
        let (a, b) = pair();
        let c = comparison(&a, &b);
        let names = |rows: &[NodeIx]| -> Vec<String> {
            rows.iter()
                .filter_map(|&i| c.node(i))
                .map(|n| name(&a, &b, n).0)
                .collect()
        };
        let none = vec![false; c.nodes.len()];
        let changed = changed_below(&c);
        let all = visible(&c, &none, &changed, false);
        assert_eq!(names(&all), ["GET /", "SELECT", "GET", "lookup"]);
        // The cache's calls took as long in both: only the query changed.
        let only = visible(&c, &none, &changed, true);
        assert_eq!(names(&only), ["GET /", "SELECT"]);
        // Collapsing the root hides everything below it.
        let mut collapsed = none.clone();
        collapsed[0] = true;
        assert_eq!(names(&visible(&c, &collapsed, &changed, false)), ["GET /"]);
        let lookup = all.last().copied().unwrap_or(0);
        assert_eq!(names(&ancestors(&c, lookup)), ["GET", "GET /"]);
    }

    #[test]
    fn rows_drawn_cover_the_view_and_stay_in_bounds() {
        assert_eq!(drawn(0.0, 240.0, 1000), 0..21);
        assert_eq!(drawn(2400.0, 240.0, 1000), 90..121);
        assert_eq!(drawn(1e9, 240.0, 50), 50..50);
        assert_eq!(drawn(-5.0, 0.0, 3), 0..3);
    }

    #[test]
    fn differences_read_with_their_sign() {
        assert_eq!(signed_duration(1_200_000_000), "+1.20 s");
        assert_eq!(signed_duration(-300_000_000), "−300 ms");
        assert_eq!(signed_duration(0), "0");
        // The extreme does not overflow.
        assert_eq!(signed_duration(i64::MIN), "−9223372037 s");
        assert_eq!(signed_count(-117), "−117");
        assert_eq!(signed_count(3), "+3");
    }
}
