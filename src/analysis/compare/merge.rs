//! The merged tree: each node's spans in A and B found from its parent's,
//! grouped by a key shared by both traces, one node at a time off a stack.
//!
//! A span is known by its operation's key: (service, span name) interned
//! once for both traces, so that the walk compares numbers. A node's
//! children are gathered as `key << 32 | tree position` from the children
//! of all its spans, sorted, and the two sorted lists of A and B are read
//! side by side: each key is one child node, with the spans that have it
//! in A, in B, or in both.

use super::{Change, Node, NodeIx, Side};
use crate::analysis::TraceAnalysis;
use crate::model::pace::{Pace, STRIDE};
use crate::model::{SpanIx, Trace};
use rustc_hash::FxHashMap;

/// What [`merge`] gives [`super::compare_paced`].
pub(super) struct Merged {
    pub nodes: Vec<Node>,
    pub roots_differ: bool,
    pub spans_a: Vec<SpanIx>,
    pub spans_b: Vec<SpanIx>,
}

/// One of the two traces as the merge reads it.
struct Input<'t> {
    trace: &'t Trace,
    analysis: &'t TraceAnalysis,
    /// The shared key of each of the trace's operations.
    key: Vec<u32>,
    /// The node ranges point into this list.
    members: Vec<SpanIx>,
}

impl Input<'_> {
    fn key_of(&self, span: SpanIx) -> u32 {
        self.trace
            .span(span)
            .and_then(|s| self.key.get(s.operation as usize))
            .copied()
            .unwrap_or(u32::MAX)
    }

    /// `key << 32 | tree position` of a span, so that sorting groups by key
    /// and keeps each group in tree order.
    fn packed(&self, span: SpanIx) -> u64 {
        let pos = self.trace.tree_position(span).unwrap_or(u32::MAX);
        (u64::from(self.key_of(span)) << 32) | u64::from(pos)
    }

    /// Appends the spans of `packed` (one key) to the members and adds up
    /// their times; also gives the earliest start, from the trace's start.
    fn side(&mut self, packed: &[u64]) -> (Side, i64) {
        let from = self.members.len() as u32;
        let mut side = Side::default();
        let mut first = i64::MAX;
        let cp = &self.analysis.critical_path;
        for &p in packed {
            let Some(&ix) = self.trace.tree_order.get((p & 0xFFFF_FFFF) as usize) else {
                continue;
            };
            let Some(span) = self.trace.span(ix) else {
                continue;
            };
            self.members.push(ix);
            side.operation = Some(span.operation);
            side.count += 1;
            side.duration_ns = side.duration_ns.saturating_add(span.duration_ns);
            let self_time = self.analysis.self_time_ns.get(ix as usize).copied();
            side.self_time_ns = side.self_time_ns.saturating_add(self_time.unwrap_or(0));
            side.critical_path_ns = side.critical_path_ns.saturating_add(cp.time_of(ix));
            side.on_path += u32::from(cp.on_path.get(ix as usize).copied().unwrap_or(false));
            first = first.min(span.start_ns.saturating_sub(self.trace.start_ns));
        }
        side.spans = (from, self.members.len() as u32);
        (side, first)
    }

    /// The children of the node's spans, packed and sorted, into `out`.
    fn children(&self, side: &Side, out: &mut Vec<u64>) {
        out.clear();
        let (from, to) = side.spans;
        for &ix in self.members.get(from as usize..to as usize).unwrap_or(&[]) {
            out.extend(self.trace.children(ix).iter().map(|&c| self.packed(c)));
        }
        out.sort_unstable();
    }
}

/// A node whose spans are known, waiting for its children to be merged.
struct Pending {
    parent: Option<NodeIx>,
    depth: u32,
    a: Side,
    b: Side,
    /// Sibling order: earliest start, then key.
    order: (i64, u32),
}

/// One key for each distinct (service, span name) of the two traces, and
/// each trace's operations mapped to them.
fn keys(a: &Trace, b: &Trace) -> (Vec<u32>, Vec<u32>) {
    let mut table: FxHashMap<(&str, &str), u32> = FxHashMap::default();
    let ka = map_keys(a, &mut table);
    let kb = map_keys(b, &mut table);
    (ka, kb)
}

/// Each of `t`'s operations mapped to its key in `table`, one key per
/// distinct (service, span name), new ones added (also the merged flame
/// graph's keys across a summary group's traces).
pub(in crate::analysis) fn map_keys<'t>(
    t: &'t Trace,
    table: &mut FxHashMap<(&'t str, &'t str), u32>,
) -> Vec<u32> {
    (0..t.operations.len() as u32)
        .map(|op| {
            let names = t.operation_names(op).unwrap_or(("", ""));
            let next = table.len() as u32;
            *table.entry(names).or_insert(next)
        })
        .collect()
}

/// Builds the merged tree of A and B (see the module documentation of
/// `compare`), each node's change judged with `tolerance_ns`.
pub(super) async fn merge(
    a: (&Trace, &TraceAnalysis),
    b: (&Trace, &TraceAnalysis),
    tolerance_ns: i64,
    pace: &mut impl Pace,
) -> Merged {
    let (key_a, key_b) = keys(a.0, b.0);
    let mut a = Input {
        trace: a.0,
        analysis: a.1,
        key: key_a,
        members: Vec::with_capacity(a.0.spans.len()),
    };
    let mut b = Input {
        trace: b.0,
        analysis: b.1,
        key: key_b,
        members: Vec::with_capacity(b.0.spans.len()),
    };
    let root_a = a.trace.main_root();
    let root_b = b.trace.main_root();
    let roots_differ = match (root_a, root_b) {
        (Some(x), Some(y)) => a.key_of(x) != b.key_of(y),
        _ => false,
    };

    // The main roots first, then the other roots grouped by key.
    let mut stack: Vec<Pending> = Vec::new();
    let (mut ka, mut kb): (Vec<u64>, Vec<u64>) = (Vec::new(), Vec::new());
    let others = |t: &Input, main: Option<SpanIx>, out: &mut Vec<u64>| {
        out.clear();
        out.extend(
            t.trace
                .roots
                .iter()
                .filter(|&&r| Some(r) != main)
                .map(|&r| t.packed(r)),
        );
        out.sort_unstable();
    };
    others(&a, root_a, &mut ka);
    others(&b, root_b, &mut kb);
    group(&mut a, &mut b, &ka, &kb, None, 0, &mut stack);
    stack.sort_by_key(|k| std::cmp::Reverse(k.order));
    if root_a.is_some() || root_b.is_some() {
        let pa: Vec<u64> = root_a.map(|r| a.packed(r)).into_iter().collect();
        let pb: Vec<u64> = root_b.map(|r| b.packed(r)).into_iter().collect();
        let (sa, _) = a.side(&pa);
        let (sb, _) = b.side(&pb);
        stack.push(Pending {
            parent: None,
            depth: 0,
            a: sa,
            b: sb,
            order: (i64::MIN, 0),
        });
    }

    let mut nodes: Vec<Node> = Vec::new();
    let mut kids: Vec<Pending> = Vec::new();
    let (mut work, mut next_pause) = (0usize, STRIDE);
    while let Some(p) = stack.pop() {
        work += p.a.count as usize + p.b.count as usize;
        if work >= next_pause {
            next_pause = work + STRIDE;
            pace.pause().await;
        }
        let ix = nodes.len() as NodeIx;
        a.children(&p.a, &mut ka);
        b.children(&p.b, &mut kb);
        kids.clear();
        group(&mut a, &mut b, &ka, &kb, Some(ix), p.depth + 1, &mut kids);
        kids.sort_by_key(|k| k.order);
        stack.extend(kids.drain(..).rev());
        let change = change(&p.a, &p.b, tolerance_ns);
        nodes.push(Node {
            parent: p.parent,
            depth: p.depth,
            descendants: 0,
            a: p.a,
            b: p.b,
            change,
        });
    }
    // Nodes come after their parent: counting from the end adds each
    // subtree up before its parent is reached.
    for i in (0..nodes.len()).rev() {
        let Some((parent, d)) = nodes.get(i).and_then(|n| Some((n.parent?, n.descendants))) else {
            continue;
        };
        if let Some(p) = nodes.get_mut(parent as usize) {
            p.descendants += 1 + d;
        }
    }
    Merged {
        nodes,
        roots_differ,
        spans_a: a.members,
        spans_b: b.members,
    }
}

/// One pending node per key of the sorted lists `ka` (spans of A) and `kb`
/// (of B), pushed to `out` in key order.
fn group(
    a: &mut Input,
    b: &mut Input,
    ka: &[u64],
    kb: &[u64],
    parent: Option<NodeIx>,
    depth: u32,
    out: &mut Vec<Pending>,
) {
    let run = |list: &[u64], at: usize, key: u64| {
        list.get(at..).map_or(0, |rest| {
            rest.iter().take_while(|&&x| x >> 32 == key).count()
        })
    };
    let (mut i, mut j) = (0usize, 0usize);
    loop {
        let key = match (ka.get(i), kb.get(j)) {
            (Some(x), Some(y)) => (x >> 32).min(y >> 32),
            (Some(x), None) => x >> 32,
            (None, Some(y)) => y >> 32,
            (None, None) => break,
        };
        let (na, nb) = (run(ka, i, key), run(kb, j, key));
        let (sa, fa) = a.side(ka.get(i..i + na).unwrap_or(&[]));
        let (sb, fb) = b.side(kb.get(j..j + nb).unwrap_or(&[]));
        i += na;
        j += nb;
        out.push(Pending {
            parent,
            depth,
            a: sa,
            b: sb,
            order: (fa.min(fb), key as u32),
        });
    }
}

/// How a node changed (see [`Change`]).
fn change(a: &Side, b: &Side, tolerance_ns: i64) -> Change {
    match (a.count, b.count) {
        (0, n) if n > 0 => return Change::Added,
        (n, 0) if n > 0 => return Change::Removed,
        _ => {}
    }
    let d = if a.on_path > 0 || b.on_path > 0 {
        b.critical_path_ns.saturating_sub(a.critical_path_ns)
    } else {
        b.duration_ns.saturating_sub(a.duration_ns)
    };
    if d.saturating_abs() <= tolerance_ns {
        Change::Same
    } else if d > 0 {
        Change::Slower
    } else {
        Change::Faster
    }
}
