//! The tree as the builder makes it: the children of every span as ranges
//! of one list, sorted into tree order, and the depth-first walk over them
//! that gives each span its depth and the tree order, and leaves the spans
//! on a reference cycle unreached. Iterative, so that a deep trace cannot
//! overflow the stack.

use super::pace::{self, Pace};
use super::{Interner, Operation, Service, Span, SpanIx, Trace, TraceWarning};
use std::cmp::Ordering;

/// The order of siblings (and of roots): by start, the longer first when
/// two start together, then by index. `start` and `end` are per span.
pub(super) fn by_start<'a>(
    start: &'a [i64],
    end: &'a [i64],
) -> impl Fn(&SpanIx, &SpanIx) -> Ordering + Copy + 'a {
    move |a: &SpanIx, b: &SpanIx| {
        let (a, b) = (*a as usize, *b as usize);
        start[a]
            .cmp(&start[b])
            .then(end[b].cmp(&end[a]))
            .then(a.cmp(&b))
    }
}

/// What follows from the tree order: each span's position in it, how many
/// descendants follow it, and the trace's extent and depth.
pub(super) struct Layout {
    pub(super) tree_pos: Vec<u32>,
    pub(super) descendants: Vec<u32>,
    pub(super) start_ns: i64,
    pub(super) end_ns: i64,
    pub(super) max_depth: u32,
}

/// What a trace holds besides its tree: put together with the tree, the
/// `Trace`. The one place the build and `Trace::shifted` lay a trace out.
pub(super) struct Unlaid {
    pub(super) trace_id: String,
    pub(super) spans: Vec<Span>,
    pub(super) strings: Interner,
    pub(super) services: Vec<Service>,
    pub(super) operations: Vec<Operation>,
    pub(super) roots: Vec<SpanIx>,
    pub(super) warnings: Vec<TraceWarning>,
    pub(super) error_count: usize,
    pub(super) unloaded_spans: usize,
}

impl Unlaid {
    /// The trace, with `children` and `tree_order` as its tree.
    pub(super) async fn lay_out(
        self,
        children: Children,
        tree_order: Vec<SpanIx>,
        pace: &mut impl Pace,
    ) -> Trace {
        let (child_start, child_list) = children.into_parts();
        let Layout {
            tree_pos,
            descendants,
            start_ns,
            end_ns,
            max_depth,
        } = Layout::new(&self.spans, &tree_order, pace).await;
        Trace {
            trace_id: self.trace_id,
            spans: self.spans,
            strings: self.strings,
            services: self.services,
            operations: self.operations,
            child_start,
            child_list,
            tree_order,
            tree_pos,
            descendants,
            roots: self.roots,
            warnings: self.warnings,
            start_ns,
            end_ns,
            max_depth,
            error_count: self.error_count,
            unloaded_spans: self.unloaded_spans,
        }
    }
}

impl Layout {
    pub(super) async fn new(spans: &[Span], tree_order: &[SpanIx], pace: &mut impl Pace) -> Layout {
        let n = spans.len();
        let mut tree_pos = vec![0u32; n];
        for (pos, &ix) in tree_order.iter().enumerate() {
            tree_pos[ix as usize] = pos as u32;
        }
        pace.pause().await;
        // Descendant counts, children before parents (reverse tree order).
        let mut descendants = vec![0u32; n];
        let (mut start_ns, mut end_ns, mut max_depth) = (i64::MAX, i64::MIN, 0);
        for (k, &ix) in tree_order.iter().rev().enumerate() {
            let s = &spans[ix as usize];
            if let Some(p) = s.parent {
                descendants[p as usize] += descendants[ix as usize] + 1;
            }
            start_ns = start_ns.min(s.start_ns);
            end_ns = end_ns.max(s.end_ns());
            max_depth = max_depth.max(s.depth);
            if pace::due(k) {
                pace.pause().await;
            }
        }
        if n == 0 {
            (start_ns, end_ns) = (0, 0);
        }
        Layout {
            tree_pos,
            descendants,
            start_ns,
            end_ns,
            max_depth,
        }
    }
}

/// The depth-first walk of [`super::TraceBuilder::build_paced`]: from a root,
/// children in order, marking what it reaches, with each span's depth and
/// the order it was reached in.
pub(super) struct Walk {
    stack: Vec<SpanIx>,
    steps: usize,
    pub(super) visited: Vec<bool>,
    pub(super) depth: Vec<u32>,
    pub(super) order: Vec<SpanIx>,
}

impl Walk {
    pub(super) fn new(n: usize) -> Walk {
        Walk {
            stack: Vec::new(),
            steps: 0,
            visited: vec![false; n],
            depth: vec![0; n],
            order: Vec::with_capacity(n),
        }
    }

    pub(super) async fn run(&mut self, root: SpanIx, children: &Children, pace: &mut impl Pace) {
        self.stack.push(root);
        self.depth[root as usize] = 0;
        while let Some(ix) = self.stack.pop() {
            self.steps += 1;
            if pace::due(self.steps) {
                pace.pause().await;
            }
            if self.visited[ix as usize] {
                continue;
            }
            self.visited[ix as usize] = true;
            self.order.push(ix);
            let d = self.depth[ix as usize];
            for &c in children.of(ix).iter().rev() {
                if c != CUT && !self.visited[c as usize] {
                    self.depth[c as usize] = d + 1;
                    self.stack.push(c);
                }
            }
        }
    }
}

/// The children of every span, as ranges of one list (by span index), each
/// range in tree order: one allocation, not one list per parent.
pub(super) struct Children {
    start: Vec<u32>,
    list: Vec<SpanIx>,
    /// Whether [`Children::cut`] left holes in `list`.
    holes: bool,
}

/// A child taken out of its parent's range by a cycle cut.
const CUT: SpanIx = SpanIx::MAX;

impl Children {
    pub(super) async fn new(
        parent: &[Option<SpanIx>],
        order: impl Fn(&SpanIx, &SpanIx) -> Ordering,
        pace: &mut impl Pace,
    ) -> Children {
        let n = parent.len();
        let mut start = vec![0u32; n + 1];
        for p in parent.iter().flatten() {
            start[*p as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        // Each parent's children in index order, then sorted.
        let mut next = start.clone();
        let mut list = vec![0; start[n] as usize];
        for (i, p) in parent.iter().enumerate() {
            if let Some(p) = p {
                let at = &mut next[*p as usize];
                list[*at as usize] = i as SpanIx;
                *at += 1;
            }
            if pace::due(i) {
                pace.pause().await;
            }
        }
        for i in 0..n {
            list[start[i] as usize..start[i + 1] as usize].sort_by(&order);
            if pace::due(i) {
                pace.pause().await;
            }
        }
        Children {
            start,
            list,
            holes: false,
        }
    }

    fn of(&self, ix: SpanIx) -> &[SpanIx] {
        let i = ix as usize;
        &self.list[self.start[i] as usize..self.start[i + 1] as usize]
    }

    /// Takes `child` out of the children of `parent`.
    pub(super) fn cut(&mut self, parent: SpanIx, child: SpanIx) {
        let i = parent as usize;
        let range = self.start[i] as usize..self.start[i + 1] as usize;
        for c in &mut self.list[range] {
            if *c == child {
                *c = CUT;
                self.holes = true;
            }
        }
    }

    /// The ranges' starts (one more than spans) and the list, without holes.
    pub(super) fn into_parts(self) -> (Vec<u32>, Vec<SpanIx>) {
        if !self.holes {
            return (self.start, self.list);
        }
        let mut start = Vec::with_capacity(self.start.len());
        let mut list = Vec::with_capacity(self.list.len());
        for w in self.start.windows(2) {
            start.push(list.len() as u32);
            list.extend(
                self.list[w[0] as usize..w[1] as usize]
                    .iter()
                    .filter(|&&c| c != CUT),
            );
        }
        start.push(list.len() as u32);
        (start, list)
    }
}
