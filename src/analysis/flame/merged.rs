//! The flame graph merged across traces: where the time of a whole group
//! of requests goes.
//!
//! Spans are merged by their path of (service, span name) from their root,
//! as `compare` matches two traces (and with its keys: `compare::map_keys`):
//! a node holds every span, in every trace, whose path is the node's, and
//! knows how many spans and how many traces that is, and their durations,
//! self times and exclusive critical-path times added up. Unlike `compare`,
//! which pairs two sorted lists of children side by side, any number of
//! traces go through here one after the other, each span finding its node
//! from its parent's with one hash look-up: a map of (parent node, key) to
//! node, over flat arrays and without recursion.
//!
//! The layout ([`MergedFlame::layout`]) is speedscope's left-heavy view:
//! siblings sorted by weight, heaviest first, each as wide as its weight.
//! The weight is the user's choice ([`Weight`]): critical-path time (the
//! node's exclusive critical-path time plus its descendants': what made the
//! requests take as long as they did) or total time (the node's summed
//! durations). Under the critical-path weight, a node's children add up to
//! its weight less its own time exactly. Under the total weight, concurrent
//! children's durations can add up to more than the time they cover in
//! their parents; they then share the covered part (the parents' summed
//! durations less their self times) in proportion to their durations, as
//! in one trace's flame graph, so that the part of a bar with nothing below
//! it is always the node's own time.

use super::Flame;
use crate::analysis::compare::map_keys;
use crate::analysis::TraceAnalysis;
use crate::model::Trace;
use rustc_hash::FxHashMap;

/// What a merged flame graph's widths stand for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Weight {
    /// Exclusive critical-path time, of the node and its descendants.
    #[default]
    CriticalPath,
    /// Summed durations.
    Total,
}

/// Spans of one path of (service, span name) across the merged traces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergedNode {
    pub parent: Option<u32>,
    pub depth: u32,
    /// The node's (service, span name), an index into [`MergedFlame::keys`].
    pub key: u32,
    /// Spans in the node, over all traces.
    pub spans: u32,
    /// Traces with a span in the node.
    pub traces: u32,
    /// Of the spans, those on their trace's critical path.
    pub on_path: u32,
    /// The spans' durations, added up.
    pub total_ns: i64,
    /// Their self times (`TraceAnalysis::self_time_ns`), added up.
    pub self_ns: i64,
    /// Their exclusive critical-path times (`CriticalPath::time_of`), added up.
    pub critical_path_ns: i64,
    /// `critical_path_ns` of the node and all its descendants.
    pub critical_path_total_ns: i64,
}

impl MergedNode {
    /// The node's width in the layout, and the part of it that is its own.
    fn weight(&self, weight: Weight) -> (i64, i64) {
        match weight {
            Weight::CriticalPath => (self.critical_path_total_ns, self.critical_path_ns),
            Weight::Total => (self.total_ns, self.self_ns),
        }
    }
}

/// The merged tree of a group of traces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergedFlame {
    /// Parents before their children.
    pub nodes: Vec<MergedNode>,
    /// (service, span name) of each key.
    pub keys: Vec<(String, String)>,
    /// The service of each key, an index into `services` (for colours).
    pub key_service: Vec<u32>,
    pub services: Vec<String>,
    /// Traces merged.
    pub traces: usize,
}

/// A merged flame graph laid out for one weight.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MergedLayout {
    pub weight: Weight,
    pub flame: Flame,
    /// The node of each item.
    pub node_of: Vec<u32>,
    /// The item of each node.
    pub item_of: Vec<u32>,
}

/// Merges `traces` (see the module documentation).
pub fn merge(traces: &[(&Trace, &TraceAnalysis)]) -> MergedFlame {
    let mut table: FxHashMap<(&str, &str), u32> = FxHashMap::default();
    // (parent node, or NONE for a root; key) to node.
    let mut child: FxHashMap<(u32, u32), u32> = FxHashMap::default();
    let mut nodes: Vec<MergedNode> = Vec::new();
    let mut last_trace: Vec<usize> = Vec::new();
    let mut node_of: Vec<u32> = Vec::new();
    for (t, (trace, analysis)) in traces.iter().enumerate() {
        let keys = map_keys(trace, &mut table);
        node_of.clear();
        node_of.resize(trace.spans.len(), NONE);
        let cp = &analysis.critical_path;
        // Tree order: a span's parent has its node before the span.
        for &ix in &trace.tree_order {
            let Some(span) = trace.span(ix) else {
                continue;
            };
            let Some(&key) = keys.get(span.operation as usize) else {
                continue;
            };
            let parent = span
                .parent
                .and_then(|p| node_of.get(p as usize).copied())
                .filter(|&n| n != NONE);
            let depth = parent
                .and_then(|p| nodes.get(p as usize))
                .map_or(0, |p| p.depth + 1);
            let next = nodes.len() as u32;
            let node = *child.entry((parent.unwrap_or(NONE), key)).or_insert(next);
            if node == next {
                nodes.push(MergedNode {
                    parent,
                    depth,
                    key,
                    ..MergedNode::default()
                });
                last_trace.push(usize::MAX);
            }
            if let Some(slot) = node_of.get_mut(ix as usize) {
                *slot = node;
            }
            let (Some(n), Some(seen)) = (
                nodes.get_mut(node as usize),
                last_trace.get_mut(node as usize),
            ) else {
                continue;
            };
            n.spans += 1;
            if *seen != t {
                *seen = t;
                n.traces += 1;
            }
            n.on_path += u32::from(cp.on_path.get(ix as usize).copied().unwrap_or(false));
            n.total_ns = n.total_ns.saturating_add(span.duration_ns.max(0));
            let self_ns = analysis.self_time_ns.get(ix as usize).copied().unwrap_or(0);
            n.self_ns = n.self_ns.saturating_add(self_ns.max(0));
            n.critical_path_ns = n.critical_path_ns.saturating_add(cp.time_of(ix).max(0));
        }
    }
    // Nodes come after their parent: from the end, each subtree is added up
    // before its parent is reached.
    for n in nodes.iter_mut() {
        n.critical_path_total_ns = n.critical_path_ns;
    }
    for i in (0..nodes.len()).rev() {
        let Some((parent, total)) = nodes
            .get(i)
            .and_then(|n| Some((n.parent?, n.critical_path_total_ns)))
        else {
            continue;
        };
        if let Some(p) = nodes.get_mut(parent as usize) {
            p.critical_path_total_ns = p.critical_path_total_ns.saturating_add(total);
        }
    }
    let mut keys = vec![(String::new(), String::new()); table.len()];
    for (&(service, name), &k) in &table {
        if let Some(slot) = keys.get_mut(k as usize) {
            *slot = (service.to_string(), name.to_string());
        }
    }
    let mut services: Vec<String> = Vec::new();
    let mut service_ix: FxHashMap<&str, u32> = FxHashMap::default();
    let key_service = keys
        .iter()
        .map(|(s, _)| {
            let next = services.len() as u32;
            *service_ix.entry(s.as_str()).or_insert_with(|| {
                services.push(s.clone());
                next
            })
        })
        .collect();
    MergedFlame {
        nodes,
        keys,
        key_service,
        services,
        traces: traces.len(),
    }
}

/// No node (a root's parent).
const NONE: u32 = u32::MAX;

impl MergedFlame {
    /// The (service, span name) of a node.
    pub fn names(&self, node: u32) -> (&str, &str) {
        self.nodes
            .get(node as usize)
            .and_then(|n| self.keys.get(n.key as usize))
            .map_or(("", ""), |(s, o)| (s.as_str(), o.as_str()))
    }

    /// The service index of a node (into `services`).
    pub fn service_of(&self, node: u32) -> u32 {
        self.nodes
            .get(node as usize)
            .and_then(|n| self.key_service.get(n.key as usize))
            .copied()
            .unwrap_or(0)
    }

    /// Lays the tree out left-heavy for `weight` (see the module
    /// documentation): the top nodes share the whole width by weight, and
    /// items come in pre-order, heaviest sibling first.
    pub fn layout(&self, weight: Weight) -> MergedLayout {
        let n = self.nodes.len();
        // Children of each node as ranges of one list (counted, then filled);
        // the top nodes are the children of slot `n`.
        let slot = |p: Option<u32>| p.map_or(n, |p| p as usize);
        let mut start = vec![0u32; n + 2];
        for node in &self.nodes {
            if let Some(s) = start.get_mut(slot(node.parent) + 2) {
                *s += 1;
            }
        }
        for i in 2..start.len() {
            let prev = start.get(i - 1).copied().unwrap_or(0);
            if let Some(s) = start.get_mut(i) {
                *s += prev;
            }
        }
        let mut list = vec![0u32; n];
        for (i, node) in self.nodes.iter().enumerate() {
            if let Some(s) = start.get_mut(slot(node.parent) + 1) {
                if let Some(l) = list.get_mut(*s as usize) {
                    *l = i as u32;
                }
                *s += 1;
            }
        }
        let w = |node: u32| {
            self.nodes
                .get(node as usize)
                .map_or((0, 0), |x| x.weight(weight))
        };
        let range = |s: usize| {
            let a = start.get(s).copied().unwrap_or(0) as usize;
            let b = start.get(s + 1).copied().unwrap_or(0) as usize;
            a..b
        };
        // Heaviest first; equal weights in the order they were met.
        for s in 0..=n {
            if let Some(kids) = list.get_mut(range(s)) {
                kids.sort_by_key(|&k| (std::cmp::Reverse(w(k).0), k));
            }
        }
        let kids = |s: usize| list.get(range(s)).unwrap_or(&[]);

        // Each node's bar, set by its parent, then the items in pre-order.
        let mut bar = vec![(0.0f64, 0.0f64); n];
        let mut out = MergedLayout {
            weight,
            flame: Flame::with_capacity(n),
            node_of: Vec::with_capacity(n),
            item_of: vec![0; n],
        };
        let top = kids(n);
        let sum: f64 = top.iter().map(|&k| w(k).0.max(0) as f64).sum();
        let top_share = (1.0, 1.0 / sum.max(1.0));
        place(top, (0.0, 1.0), top_share, &w, &mut bar);
        let mut stack: Vec<u32> = top.iter().rev().copied().collect();
        // Items whose subtree is still open, to set their end when it closes.
        let mut open: Vec<u32> = Vec::new();
        while let Some(node) = stack.pop() {
            let depth = self.nodes.get(node as usize).map_or(0, |x| x.depth);
            let item = out.flame.len() as u32;
            while let Some(&o) = open.last() {
                if out.flame.depth.get(o as usize).is_some_and(|&d| d >= depth) {
                    if let Some(e) = out.flame.end.get_mut(o as usize) {
                        *e = item;
                    }
                    open.pop();
                } else {
                    break;
                }
            }
            let (x0, x1) = bar.get(node as usize).copied().unwrap_or((0.0, 0.0));
            out.flame.x0.push(x0);
            out.flame.x1.push(x1);
            out.flame.depth.push(depth);
            out.flame.end.push(item + 1);
            out.node_of.push(node);
            if let Some(i) = out.item_of.get_mut(node as usize) {
                *i = item;
            }
            open.push(item);
            let children = kids(node as usize);
            if !children.is_empty() {
                let (whole, own) = w(node);
                let scale = if whole > 0 {
                    (x1 - x0) / whole as f64
                } else {
                    0.0
                };
                let room = whole.saturating_sub(own).max(0) as f64;
                let sum: f64 = children.iter().map(|&k| w(k).0.max(0) as f64).sum();
                let squeeze = if sum > room && sum > 0.0 {
                    room / sum
                } else {
                    1.0
                };
                place(children, (x0, x1), (squeeze, scale), &w, &mut bar);
                stack.extend(children.iter().rev());
            }
        }
        let len = out.flame.len() as u32;
        for o in open {
            if let Some(e) = out.flame.end.get_mut(o as usize) {
                *e = len;
            }
        }
        out
    }
}

/// Sets the bars of `children`, left to right from the parent's left edge,
/// each `weight × squeeze × scale` wide.
fn place(
    children: &[u32],
    (left, right): (f64, f64),
    (squeeze, scale): (f64, f64),
    w: &impl Fn(u32) -> (i64, i64),
    bar: &mut [(f64, f64)],
) {
    let mut cursor = left;
    for &k in children {
        let width = w(k).0.max(0) as f64 * squeeze * scale;
        if let Some(b) = bar.get_mut(k as usize) {
            *b = (cursor.min(right), (cursor + width).min(right));
        }
        cursor += width;
    }
}

#[cfg(test)]
mod tests;
