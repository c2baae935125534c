//! The comparison's headline, in the words of the trace headline: how much
//! longer (or shorter) B took than A, and the one or two nodes whose
//! critical-path time changed the most the same way, each named as the
//! trace headline names a span, with how often it ran on each side.

use super::{Comparison, Node, NodeIx, Which};
use crate::analysis::describe::{describe_span, format_duration, statements_among};
use crate::analysis::TraceAnalysis;
use crate::model::Trace;

/// One trace with its analysis.
type Analysed<'t> = (&'t Trace, &'t TraceAnalysis);

/// The sentence for [`Comparison::headline`].
pub(super) fn headline(sides: (Analysed, Analysed), cmp: &Comparison) -> String {
    let (a, b) = (sides.0 .0, sides.1 .0);
    let (da, db) = (cmp.duration_a_ns, cmp.duration_b_ns);
    let (Some(root_a), Some(root_b)) = (
        a.main_root().and_then(|r| a.span(r)),
        b.main_root().and_then(|r| b.span(r)),
    ) else {
        return match (a.spans.is_empty(), b.spans.is_empty()) {
            (true, true) => "Neither trace has any spans.".to_string(),
            (true, false) => format!("A has no spans; B took {}.", format_duration(db)),
            _ => format!("B has no spans; A took {}.", format_duration(da)),
        };
    };
    let mut s = String::new();
    if cmp.roots_differ {
        s.push_str(&format!(
            "A's root is {} ({}) and B's is {} ({}): the traces have different root operations, so they are compared by the shape below their roots. ",
            a.span_name(root_a),
            a.service_name(root_a),
            b.span_name(root_b),
            b.service_name(root_b)
        ));
    }
    let diff = db.saturating_sub(da);
    let tol = cmp.tolerance_ns;
    let named = |ix: NodeIx| Named::of(sides, cmp, ix);
    if diff.saturating_abs() <= tol {
        if format_duration(da) == format_duration(db) {
            s.push_str(&format!("A and B both took {}", format_duration(db)));
        } else {
            s.push_str(&format!(
                "B took about as long as A ({} against {})",
                format_duration(db),
                format_duration(da)
            ));
        }
        let up = first_moving(cmp, 1).and_then(named);
        let down = first_moving(cmp, -1).and_then(named);
        s.push_str(&match (up, down) {
            (Some(u), Some(d)) => format!(
                "; the time moved on the critical path: {} took {} more{}, and {} {} less{}.",
                u.what,
                format_duration(u.change),
                u.counts,
                d.what,
                format_duration(d.change),
                d.counts
            ),
            (Some(n), None) | (None, Some(n)) => format!(
                "; {} took {} {} on the critical path{}, made up by small changes elsewhere.",
                n.what,
                format_duration(n.change),
                if n.slower { "more" } else { "less" },
                n.counts
            ),
            (None, None) => format!(
                ", and no operation's critical-path time changed{}.",
                beyond(tol)
            ),
        });
        return s;
    }

    let sign = diff.signum();
    if diff > 0 {
        s.push_str(&format!(
            "B took {} longer than A ({} against {})",
            format_duration(diff),
            format_duration(db),
            format_duration(da)
        ));
    } else {
        s.push_str(&format!(
            "B was {} faster than A ({} against {})",
            format_duration(diff.saturating_neg()),
            format_duration(db),
            format_duration(da)
        ));
    }
    let total = diff.saturating_abs();
    let same_way: Vec<NodeIx> = cmp
        .ranked
        .iter()
        .copied()
        .filter(|&i| {
            cmp.node(i)
                .is_some_and(|n| n.delta().critical_path_ns.signum() == sign)
        })
        .collect();
    let mut causes = same_way.iter().copied().filter_map(named);
    let Some(first) = causes.next() else {
        s.push_str(&format!(
            "; no single operation accounts for it: none {} on the critical path{}.",
            if diff > 0 { "grew" } else { "shrank" },
            beyond(tol)
        ));
        return s;
    };
    if first.change > total {
        s.push_str(&format!(
            "; {} alone took {} {} on the critical path{}, partly {} elsewhere.",
            first.what,
            format_duration(first.change),
            if diff > 0 { "more" } else { "less" },
            first.counts,
            if diff > 0 {
                "made up by time saved"
            } else {
                "offset by time added"
            }
        ));
        return s;
    }
    // One node that is most of the difference says it; otherwise the next
    // with it, and when the two are still not most, that it is spread.
    let second = (first.change.saturating_mul(2) < total)
        .then(|| causes.next())
        .flatten();
    match second {
        None if first.change.saturating_mul(2) < total => s.push_str(&format!(
            "; {} of it is {}{}, and no other part changed{}.",
            format_duration(first.change),
            first.what,
            first.counts,
            beyond(tol)
        )),
        None => s.push_str(&format!(
            "; {} of it is {}{}.",
            format_duration(first.change),
            first.what,
            first.counts
        )),
        Some(second) if first.change.saturating_add(second.change).saturating_mul(2) < total => s
            .push_str(&format!(
            "; it is spread over {} places in the tree, the largest {} in {}{}, and {} in {}{}.",
            same_way.len(),
            format_duration(first.change),
            first.what,
            first.counts,
            format_duration(second.change),
            second.what,
            second.counts
        )),
        Some(second) => s.push_str(&format!(
            "; {} of it is {}{}, and {} is {}{}.",
            format_duration(first.change),
            first.what,
            first.counts,
            format_duration(second.change),
            second.what,
            second.counts
        )),
    }
    s
}

/// " by more than 1.00 ms", or nothing when the tolerance is zero.
fn beyond(tol: i64) -> String {
    if tol > 0 {
        format!(" by more than {}", format_duration(tol))
    } else {
        String::new()
    }
}

/// The ranked node whose critical-path time moved most in the direction
/// of `sign`.
fn first_moving(cmp: &Comparison, sign: i64) -> Option<NodeIx> {
    cmp.ranked.iter().copied().find(|&i| {
        cmp.node(i)
            .is_some_and(|n| n.delta().critical_path_ns.signum() == sign)
    })
}

/// A node put in words.
struct Named {
    /// "the postgresql query SELECT …", as the trace headline names a span.
    what: String,
    /// How much its critical-path time changed (never negative).
    change: i64,
    slower: bool,
    /// ", which ran 120 times in B against 3 times in A", or nothing.
    counts: String,
}

impl Named {
    fn of(sides: (Analysed, Analysed), cmp: &Comparison, ix: NodeIx) -> Option<Named> {
        let node = cmp.node(ix)?;
        let d = node.delta().critical_path_ns;
        // The side with the more critical-path time shows the node best:
        // by its span with the most of it.
        let ((trace, analysis), which) = if d > 0 {
            (sides.1, Which::B)
        } else {
            (sides.0, Which::A)
        };
        let spans = cmp.spans(ix, which);
        let top = spans
            .iter()
            .copied()
            .max_by_key(|&s| (analysis.critical_path.time_of(s), std::cmp::Reverse(s)))?;
        let what = describe_span(trace, trace.span(top)?) + &other_statements(trace, spans);
        Some(Named {
            what,
            change: d.saturating_abs(),
            slower: d > 0,
            counts: counts(node),
        })
    }
}

/// Spans of a node read for their statements: enough to tell one from
/// several, without normalising the SQL of a hundred thousand calls.
const STATEMENTS_READ: usize = 2_000;

/// " and 2 other statements of the same span name", when a node's calls
/// (grouped by service and span name) ran different statements: the
/// sentence names one, and its counts are of all of them.
fn other_statements(trace: &Trace, spans: &[crate::model::SpanIx]) -> String {
    let seen = statements_among(trace, spans, STATEMENTS_READ, 21);
    let others = seen.len().saturating_sub(1);
    match others {
        0 => String::new(),
        _ if seen.len() > 20 || spans.len() > STATEMENTS_READ => {
            " and other statements of the same span name".to_string()
        }
        1 => " and 1 other statement of the same span name".to_string(),
        n => format!(" and {n} other statements of the same span name"),
    }
}

fn counts(node: &Node) -> String {
    match (node.a.count, node.b.count) {
        (0, n) if n > 1 => format!(", which only B ran ({n} times)"),
        (0, _) => ", which only B ran".to_string(),
        (n, 0) if n > 1 => format!(", which only A ran ({n} times)"),
        (_, 0) => ", which only A ran".to_string(),
        (x, y) if x != y => format!(", which ran {} in B against {} in A", times(y), times(x)),
        _ => String::new(),
    }
}

fn times(n: u32) -> String {
    match n {
        1 => "once".to_string(),
        2 => "twice".to_string(),
        n => format!("{n} times"),
    }
}
