//! Two traces side by side: one merged tree of both, with each node's
//! count, duration, self time and critical-path time in A and in B, and a
//! sentence that says how much longer B took and which nodes account for
//! the difference on the critical path.
//!
//! Spans are matched by their path of (service, span name) from the root.
//! Siblings that share a (service, span name) are not paired one by one but
//! grouped: the 120 calls of a query in A and its 3 calls in B are one node
//! with counts 120 and 3, and the children of all of a group's spans are
//! merged under it, grouped the same way. Matching by position among
//! repeated siblings would pair call 4 of A with nothing in B and call it
//! removed, 117 times over; a group says what changed in one line.
//!
//! The main roots ([`Trace::main_root`]) of A and B are always the top node,
//! even when they are different operations: then [`Comparison::roots_differ`]
//! is set and the match holds only for the shape below them. The other
//! roots (orphans, traces with several roots) are grouped by (service, span
//! name) like the children of one invisible parent and come after the main
//! roots' node as further top-level nodes: an orphan `cache.get` in A and in
//! B match, wherever their lost parent was.
//!
//! Every span of A and of B is in exactly one node, so the nodes' times add
//! up to the traces' totals. The merge walks the tree with a stack, not by
//! recursion (traces can be 100,000 levels deep), and works on operation
//! indices mapped once to shared keys, never on strings per span.

mod merge;
mod words;

pub(super) use merge::map_keys;

use super::TraceAnalysis;
use crate::model::pace::{self, NoPause, Pace};
use crate::model::{SpanIx, Trace};

/// A node's critical-path time (or its duration, off the path: see
/// [`Change::Slower`]) is the same in A and B when it differs by at most
/// this share of the longer trace...
pub const SAME_SHARE: f64 = 0.01;
/// ...and by at most this much (1 ms): both bounds hold, so a 10 s trace
/// still tells a 5 ms change apart and a 1 ms trace a 20 µs one.
pub const SAME_MAX_NS: i64 = 1_000_000;

/// Index of a node in [`Comparison::nodes`].
pub type NodeIx = u32;

/// Which of the two traces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    A,
    B,
}

/// One node's spans in one trace, and their times added up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Side {
    /// The node's operation in this trace (an index into its
    /// `Trace::operations`); `None` when the node has no span here.
    pub operation: Option<u32>,
    /// Spans in the node.
    pub count: u32,
    /// Of those, the spans on the critical path (`CriticalPath::on_path`).
    pub on_path: u32,
    /// Their durations, added up (nested calls of one operation count twice).
    pub duration_ns: i64,
    /// Their self times (`TraceAnalysis::self_time_ns`), added up.
    pub self_time_ns: i64,
    /// Their exclusive critical-path times (`CriticalPath::time_of`), added up.
    pub critical_path_ns: i64,
    /// Where the node's spans are in the comparison's list of this trace's spans.
    spans: (u32, u32),
}

/// B minus A, for each figure of a node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delta {
    pub count: i64,
    pub duration_ns: i64,
    pub self_time_ns: i64,
    pub critical_path_ns: i64,
}

/// How a node changed from A to B.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    /// Only in B.
    Added,
    /// Only in A.
    Removed,
    /// More critical-path time in B, beyond the tolerance ([`SAME_SHARE`],
    /// [`SAME_MAX_NS`]). A node with no span on either critical path is
    /// judged by its duration instead, so that a background call that got
    /// slower still shows; a node on the path is judged by its own
    /// critical-path time only, so that a parent whose child got slower is
    /// the same and the child is what stands out.
    Slower,
    /// Less critical-path time in B (or, off the path, a shorter duration).
    Faster,
    /// Within the tolerance.
    Same,
}

impl Change {
    /// A sign that reads without colour: `+`, `−`, `>`, `<`, `=`.
    pub fn sign(self) -> &'static str {
        match self {
            Change::Added => "+",
            Change::Removed => "−",
            Change::Slower => ">",
            Change::Faster => "<",
            Change::Same => "=",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Slower => "slower",
            Change::Faster => "faster",
            Change::Same => "same",
        }
    }
}

/// A node of the merged tree: the spans of A and of B at one path of
/// (service, span name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// `None` for the top-level nodes (the main roots', then the other roots').
    pub parent: Option<NodeIx>,
    pub depth: u32,
    /// Nodes below this one; they follow it in [`Comparison::nodes`].
    pub descendants: u32,
    pub a: Side,
    pub b: Side,
    pub change: Change,
}

impl Node {
    /// B minus A.
    pub fn delta(&self) -> Delta {
        Delta {
            count: i64::from(self.b.count) - i64::from(self.a.count),
            duration_ns: self.b.duration_ns.saturating_sub(self.a.duration_ns),
            self_time_ns: self.b.self_time_ns.saturating_sub(self.a.self_time_ns),
            critical_path_ns: self
                .b
                .critical_path_ns
                .saturating_sub(self.a.critical_path_ns),
        }
    }

    pub fn side(&self, which: Which) -> &Side {
        match which {
            Which::A => &self.a,
            Which::B => &self.b,
        }
    }
}

/// Two traces compared. See the module documentation.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// The merged tree, depth-first: each node comes before its children,
    /// its subtree is the `descendants` nodes after it, siblings come by
    /// the earliest start of their spans (from each trace's start, the
    /// earlier of A and B). Node 0 is the main roots'.
    pub nodes: Vec<Node>,
    /// A's and B's main roots are different operations: they are still the
    /// top node, and the match is by the shape below them.
    pub roots_differ: bool,
    pub duration_a_ns: i64,
    pub duration_b_ns: i64,
    /// The largest difference that still counts as the same (see [`SAME_SHARE`]).
    pub tolerance_ns: i64,
    /// Nodes whose critical-path time changed by more than the tolerance,
    /// the largest change (either way) first: what accounts for the difference.
    pub ranked: Vec<NodeIx>,
    /// One sentence for people: how much longer (or shorter) B took, and
    /// which nodes account for it.
    pub headline: String,
    /// Every span of A once, each node's a range (in tree order).
    spans_a: Vec<SpanIx>,
    spans_b: Vec<SpanIx>,
}

impl Comparison {
    pub fn node(&self, ix: NodeIx) -> Option<&Node> {
        self.nodes.get(ix as usize)
    }

    /// The spans of a node in one trace, in that trace's tree order: all of
    /// them (each span of a trace is in one node, so the lists together
    /// hold each span once, four bytes a span; no cap is needed).
    pub fn spans(&self, ix: NodeIx, which: Which) -> &[SpanIx] {
        let Some(node) = self.node(ix) else {
            return &[];
        };
        let (list, (from, to)) = match which {
            Which::A => (&self.spans_a, node.a.spans),
            Which::B => (&self.spans_b, node.b.spans),
        };
        list.get(from as usize..to as usize).unwrap_or(&[])
    }

    /// The direct children of a node, in order.
    pub fn children(&self, ix: NodeIx) -> impl Iterator<Item = NodeIx> + '_ {
        let end = self
            .node(ix)
            .map_or(0, |n| ix as usize + 1 + n.descendants as usize);
        let mut next = ix as usize + 1;
        std::iter::from_fn(move || {
            if next >= end {
                return None;
            }
            let child = next;
            next += 1 + self.nodes.get(child)?.descendants as usize;
            Some(child as NodeIx)
        })
    }

    /// The top-level nodes: the main roots', then the other roots' groups.
    pub fn tops(&self) -> impl Iterator<Item = NodeIx> + '_ {
        let mut next = 0usize;
        std::iter::from_fn(move || {
            let node = self.nodes.get(next)?;
            let top = next;
            next += 1 + node.descendants as usize;
            Some(top as NodeIx)
        })
    }

    /// The trace duration of one side.
    pub fn duration_ns(&self, which: Which) -> i64 {
        match which {
            Which::A => self.duration_a_ns,
            Which::B => self.duration_b_ns,
        }
    }
}

/// The largest difference that counts as the same for two traces of
/// these durations: [`SAME_SHARE`] of the longer, at most [`SAME_MAX_NS`].
pub fn tolerance(duration_a_ns: i64, duration_b_ns: i64) -> i64 {
    let longer = duration_a_ns.max(duration_b_ns).max(0);
    ((longer as f64 * SAME_SHARE) as i64).min(SAME_MAX_NS)
}

/// Compares trace B with trace A, each with its analysis.
pub fn compare(a: (&Trace, &TraceAnalysis), b: (&Trace, &TraceAnalysis)) -> Comparison {
    pace::now(compare_paced(a, b, &mut NoPause))
}

/// [`compare`], pausing through `pace` every few thousand spans.
pub async fn compare_paced(
    a: (&Trace, &TraceAnalysis),
    b: (&Trace, &TraceAnalysis),
    pace: &mut impl Pace,
) -> Comparison {
    let (duration_a_ns, duration_b_ns) = (a.0.duration_ns(), b.0.duration_ns());
    let tolerance_ns = tolerance(duration_a_ns, duration_b_ns);
    let merged = merge::merge(a, b, tolerance_ns, pace).await;
    let mut ranked: Vec<NodeIx> = (0..merged.nodes.len() as NodeIx)
        .filter(|&i| {
            merged
                .nodes
                .get(i as usize)
                .is_some_and(|n| n.delta().critical_path_ns.saturating_abs() > tolerance_ns)
        })
        .collect();
    let change = |i: &NodeIx| {
        merged
            .nodes
            .get(*i as usize)
            .map_or(0, |n| n.delta().critical_path_ns.saturating_abs())
    };
    ranked.sort_by(|x, y| change(y).cmp(&change(x)).then(x.cmp(y)));
    let mut out = Comparison {
        nodes: merged.nodes,
        roots_differ: merged.roots_differ,
        duration_a_ns,
        duration_b_ns,
        tolerance_ns,
        ranked,
        headline: String::new(),
        spans_a: merged.spans_a,
        spans_b: merged.spans_b,
    };
    out.headline = words::headline((a, b), &out);
    out
}

// At the end: the architecture check reads a file up to its first `cfg(test)`.
#[cfg(test)]
mod tests;
