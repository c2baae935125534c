//! Where the service map draws its services and calls: a layered drawing
//! (Sugiyama's), callers to the left of their callees, in plain Rust.
//!
//! 1. Cycles are broken by a depth-first walk from the services nobody
//!    calls: a call back to a service still on the walk's stack is drawn
//!    reversed (its arrow still points at the callee).
//! 2. Each service goes in the column after its furthest caller (longest
//!    path), so a chain reads left to right.
//! 3. A call that skips columns passes through a point in each column it
//!    crosses, which takes a slot there like a service does, so it never
//!    runs through a box.
//! 4. The order within each column is found by barycentre sweeps, down
//!    then up, keeping the order with the fewest crossings seen.
//! 5. Each box is moved towards the mean height of its neighbours, never
//!    closer than a gap to the one above or below it.
//!
//! Everything is deterministic: the same graph gives the same drawing.

/// A service's box, in the drawing's pixels.
pub const NODE_W: f64 = 168.0;
pub const NODE_H: f64 = 44.0;
/// Room between two columns, for the curves and their labels.
const COLUMN_GAP: f64 = 190.0;
/// Room between two boxes (or passing calls) in a column.
const ROW_GAP: f64 = 22.0;
/// The slot of a call passing through a column.
const PASS_H: f64 = 8.0;
const MARGIN: f64 = 16.0;
/// How far apart the two ends of A → B and B → A are drawn.
const PAIR_OFFSET: f64 = 9.0;
/// Barycentre sweeps (down and up count one each).
const SWEEPS: usize = 16;
/// Passes moving boxes towards their neighbours.
const STRAIGHTEN: usize = 6;

/// One call drawn: the points it passes through, from the caller's box to
/// the callee's.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgePath {
    pub points: Vec<(f64, f64)>,
    /// Where its label goes (the middle of a stretch between columns).
    pub label: (f64, f64),
    /// Drawn against the columns' direction: a call that closes a cycle.
    pub back: bool,
}

impl EdgePath {
    /// The SVG path: a curve leaving and reaching each point horizontally.
    pub fn svg(&self) -> String {
        let mut d = String::new();
        let mut prev: Option<(f64, f64)> = None;
        for &(x, y) in &self.points {
            match prev {
                None => d.push_str(&format!("M{x:.1},{y:.1}")),
                Some((px, py)) => {
                    let mx = (px + x) / 2.0;
                    d.push_str(&format!(" C{mx:.1},{py:.1} {mx:.1},{y:.1} {x:.1},{y:.1}"));
                }
            }
            prev = Some((x, y));
        }
        d
    }
}

/// The drawing: each service's box (top-left corner, [`NODE_W`] by
/// [`NODE_H`]), each call's path (in the order given; a call from a
/// service to itself, or naming a service that does not exist, has no
/// points), and the size of the whole.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub nodes: Vec<(f64, f64)>,
    pub edges: Vec<EdgePath>,
    pub width: f64,
    pub height: f64,
}

/// Lays out `n` services and the calls `edges` (caller, callee) between
/// them.
pub fn layout(n: usize, edges: &[(usize, usize)]) -> Layout {
    let valid = |&(a, b): &(usize, usize)| a < n && b < n && a != b;
    let back = reversed_edges(n, edges);
    // The edges as drawn, each from a lower column to a higher one.
    let dag: Vec<Option<(usize, usize)>> = edges
        .iter()
        .zip(&back)
        .map(|(&(a, b), &r)| valid(&(a, b)).then_some(if r { (b, a) } else { (a, b) }))
        .collect();
    let columns = columns(n, &dag);
    let mut g = Virtual::new(n, &columns);
    let chains: Vec<Vec<usize>> = dag
        .iter()
        .map(|e| e.map(|(a, b)| g.chain(a, b)).unwrap_or_default())
        .collect();
    g.order();
    g.place();
    let mut paths: Vec<EdgePath> = chains
        .iter()
        .zip(&back)
        .map(|(chain, &r)| g.path(chain, r))
        .collect();
    // A → B and B → A are drawn apart at their ends.
    for (i, &(a, b)) in edges.iter().enumerate() {
        let both = edges.iter().any(|&(c, d)| c == b && d == a);
        if !both || !valid(&(a, b)) {
            continue;
        }
        let dy = if back.get(i).copied().unwrap_or(false) {
            PAIR_OFFSET
        } else {
            -PAIR_OFFSET
        };
        if let Some(p) = paths.get_mut(i) {
            let last = p.points.len().saturating_sub(1);
            for k in [0, last] {
                if let Some(pt) = p.points.get_mut(k) {
                    pt.1 += dy;
                }
            }
            p.label.1 += dy;
        }
    }
    let nodes: Vec<(f64, f64)> = (0..n)
        .map(|v| (g.x(v), g.y.get(v).copied().unwrap_or(0.0) - NODE_H / 2.0))
        .collect();
    let width = g.x(usize::MAX).max(MARGIN) + MARGIN;
    let height = g.bottom() + MARGIN;
    Layout {
        nodes,
        edges: paths,
        width,
        height,
    }
}

/// Which edges close a cycle: found by a depth-first walk that starts from
/// the services nobody calls (then from the ones that call most against
/// being called), an edge to a service on the walk's stack.
fn reversed_edges(n: usize, edges: &[(usize, usize)]) -> Vec<bool> {
    let mut out_edges: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    let mut balance = vec![0i64; n];
    let mut called = vec![false; n];
    for (i, &(a, b)) in edges.iter().enumerate() {
        if a < n && b < n && a != b {
            if let Some(o) = out_edges.get_mut(a) {
                o.push((i, b));
            }
            if let Some(x) = balance.get_mut(a) {
                *x += 1;
            }
            if let Some(x) = balance.get_mut(b) {
                *x -= 1;
            }
            if let Some(c) = called.get_mut(b) {
                *c = true;
            }
        }
    }
    let mut starts: Vec<usize> = (0..n).collect();
    starts.sort_by_key(|&v| {
        (
            called.get(v).copied().unwrap_or(false),
            -balance.get(v).copied().unwrap_or(0),
            v,
        )
    });
    // 0 unvisited, 1 on the stack, 2 done.
    let mut state = vec![0u8; n];
    let mut back = vec![false; edges.len()];
    for s in starts {
        if state.get(s) != Some(&0) {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(s, 0)];
        if let Some(st) = state.get_mut(s) {
            *st = 1;
        }
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            let Some(&(i, w)) = out_edges.get(v).and_then(|o| o.get(*next)) else {
                if let Some(st) = state.get_mut(v) {
                    *st = 2;
                }
                stack.pop();
                continue;
            };
            *next += 1;
            match state.get(w) {
                Some(0) => {
                    if let Some(st) = state.get_mut(w) {
                        *st = 1;
                    }
                    stack.push((w, 0));
                }
                Some(1) => {
                    if let Some(b) = back.get_mut(i) {
                        *b = true;
                    }
                }
                _ => {}
            }
        }
    }
    back
}

/// Each service's column: one after its furthest caller (Kahn's order
/// over the acyclic edges).
fn columns(n: usize, dag: &[Option<(usize, usize)>]) -> Vec<usize> {
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut indegree = vec![0usize; n];
    for &(a, b) in dag.iter().flatten() {
        if let Some(s) = succ.get_mut(a) {
            s.push(b);
        }
        if let Some(d) = indegree.get_mut(b) {
            *d += 1;
        }
    }
    let mut column = vec![0usize; n];
    let mut ready: std::collections::VecDeque<usize> =
        (0..n).filter(|&v| indegree.get(v) == Some(&0)).collect();
    while let Some(v) = ready.pop_front() {
        let c = column.get(v).copied().unwrap_or(0);
        for &w in succ.get(v).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(cw) = column.get_mut(w) {
                *cw = (*cw).max(c + 1);
            }
            if let Some(d) = indegree.get_mut(w) {
                *d -= 1;
                if *d == 0 {
                    ready.push_back(w);
                }
            }
        }
    }
    column
}

/// The graph with a point for each column a call passes through: the
/// services first, then the passing points.
struct Virtual {
    /// Each node's column.
    column: Vec<usize>,
    /// The nodes of each column, in drawing order.
    layers: Vec<Vec<usize>>,
    pred: Vec<Vec<usize>>,
    succ: Vec<Vec<usize>>,
    real: usize,
    /// Each node's centre height, once placed.
    y: Vec<f64>,
}

impl Virtual {
    fn new(n: usize, columns: &[usize]) -> Virtual {
        let count = columns.iter().max().map_or(0, |m| m + 1);
        let mut layers = vec![Vec::new(); count];
        for (v, &c) in columns.iter().enumerate() {
            if let Some(l) = layers.get_mut(c) {
                l.push(v);
            }
        }
        Virtual {
            column: columns.to_vec(),
            layers,
            pred: vec![Vec::new(); n],
            succ: vec![Vec::new(); n],
            real: n,
            y: Vec::new(),
        }
    }

    /// Links `a` to `b` through a passing point in each column between
    /// them; the chain of nodes from `a` to `b`.
    fn chain(&mut self, a: usize, b: usize) -> Vec<usize> {
        let (ca, cb) = (self.col(a), self.col(b));
        let mut chain = vec![a];
        for c in ca + 1..cb {
            let d = self.column.len();
            self.column.push(c);
            self.pred.push(Vec::new());
            self.succ.push(Vec::new());
            if let Some(l) = self.layers.get_mut(c) {
                l.push(d);
            }
            chain.push(d);
        }
        chain.push(b);
        for w in chain.windows(2) {
            if let [u, v] = *w {
                if let Some(s) = self.succ.get_mut(u) {
                    s.push(v);
                }
                if let Some(p) = self.pred.get_mut(v) {
                    p.push(u);
                }
            }
        }
        chain
    }

    fn col(&self, v: usize) -> usize {
        self.column.get(v).copied().unwrap_or(0)
    }

    fn height(&self, v: usize) -> f64 {
        if v < self.real {
            NODE_H
        } else {
            PASS_H
        }
    }

    /// Each node's place in its column.
    fn positions(&self) -> Vec<f64> {
        let mut pos = vec![0.0; self.column.len()];
        for layer in &self.layers {
            for (i, &v) in layer.iter().enumerate() {
                if let Some(p) = pos.get_mut(v) {
                    *p = i as f64;
                }
            }
        }
        pos
    }

    fn crossings(&self) -> usize {
        let pos = self.positions();
        let at = |v: usize| pos.get(v).copied().unwrap_or(0.0);
        let mut total = 0;
        for layer in &self.layers {
            let links: Vec<(f64, f64)> = layer
                .iter()
                .flat_map(|&u| {
                    self.succ
                        .get(u)
                        .into_iter()
                        .flatten()
                        .map(move |&v| (at(u), at(v)))
                })
                .collect();
            for (i, &(a1, b1)) in links.iter().enumerate() {
                for &(a2, b2) in links.iter().skip(i + 1) {
                    if (a1 - a2) * (b1 - b2) < 0.0 {
                        total += 1;
                    }
                }
            }
        }
        total
    }

    /// Orders each column by barycentre sweeps, keeping the best order.
    fn order(&mut self) {
        let mut best = self.layers.clone();
        let mut fewest = self.crossings();
        for sweep in 0..SWEEPS {
            if fewest == 0 {
                break;
            }
            let down = sweep % 2 == 0;
            let count = self.layers.len();
            for k in 1..count {
                let l = if down { k } else { count - 1 - k };
                let pos = self.positions();
                let neighbours = if down { &self.pred } else { &self.succ };
                let key = |v: usize| {
                    let ns = neighbours.get(v).map(Vec::as_slice).unwrap_or(&[]);
                    if ns.is_empty() {
                        pos.get(v).copied().unwrap_or(0.0)
                    } else {
                        ns.iter()
                            .map(|&w| pos.get(w).copied().unwrap_or(0.0))
                            .sum::<f64>()
                            / ns.len() as f64
                    }
                };
                if let Some(layer) = self.layers.get_mut(l) {
                    let mut keyed: Vec<(f64, usize)> = layer.iter().map(|&v| (key(v), v)).collect();
                    keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
                    *layer = keyed.into_iter().map(|(_, v)| v).collect();
                }
            }
            let c = self.crossings();
            if c < fewest {
                fewest = c;
                best = self.layers.clone();
            }
        }
        self.layers = best;
    }

    /// The gap between the centres of `a` and the node below it, `b`.
    fn gap(&self, a: usize, b: usize) -> f64 {
        (self.height(a) + self.height(b)) / 2.0 + ROW_GAP
    }

    /// Heights: each column stacked and centred on the tallest, then each
    /// node moved towards its neighbours' mean.
    fn place(&mut self) {
        self.y = vec![0.0; self.column.len()];
        let stacked: Vec<f64> = self.layers.iter().map(|l| self.stack(l)).collect();
        let tallest = stacked.iter().copied().fold(0.0, f64::max);
        for (l, layer) in self.layers.clone().iter().enumerate() {
            let shift = (tallest - stacked.get(l).copied().unwrap_or(0.0)) / 2.0;
            let mut top = shift;
            for (i, &v) in layer.iter().enumerate() {
                if i > 0 {
                    top += layer.get(i - 1).map_or(0.0, |&u| self.gap(u, v));
                } else {
                    top += self.height(v) / 2.0;
                }
                if let Some(y) = self.y.get_mut(v) {
                    *y = top;
                }
            }
        }
        for pass in 0..STRAIGHTEN {
            let down = pass % 2 == 0;
            let count = self.layers.len();
            for k in 0..count {
                let l = if down { k } else { count - 1 - k };
                let Some(layer) = self.layers.get(l).cloned() else {
                    continue;
                };
                let wanted: Vec<f64> = layer
                    .iter()
                    .map(|&v| {
                        let ns: Vec<usize> = self
                            .pred
                            .get(v)
                            .into_iter()
                            .chain(self.succ.get(v))
                            .flatten()
                            .copied()
                            .collect();
                        let here = self.y.get(v).copied().unwrap_or(0.0);
                        if ns.is_empty() {
                            here
                        } else {
                            ns.iter()
                                .map(|&w| self.y.get(w).copied().unwrap_or(0.0))
                                .sum::<f64>()
                                / ns.len() as f64
                        }
                    })
                    .collect();
                let placed = self.spread(&layer, &wanted);
                for (&v, y) in layer.iter().zip(placed) {
                    if let Some(slot) = self.y.get_mut(v) {
                        *slot = y;
                    }
                }
            }
        }
        // The topmost box's top at the margin.
        let top = (0..self.column.len())
            .map(|v| self.y.get(v).copied().unwrap_or(0.0) - self.height(v) / 2.0)
            .fold(f64::INFINITY, f64::min);
        if top.is_finite() {
            for y in &mut self.y {
                *y += MARGIN - top;
            }
        }
    }

    /// The height a column takes stacked with its gaps.
    fn stack(&self, layer: &[usize]) -> f64 {
        let inner: f64 = layer
            .windows(2)
            .map(|w| match *w {
                [a, b] => self.gap(a, b),
                _ => 0.0,
            })
            .sum();
        let ends = layer.first().map_or(0.0, |&v| self.height(v) / 2.0)
            + layer.last().map_or(0.0, |&v| self.height(v) / 2.0);
        inner + ends
    }

    /// Centres as close to `wanted` as the order and the gaps allow: the
    /// mean of a pass pushing down from the top and one pushing up from
    /// the bottom, each of which keeps every gap (so their mean does).
    fn spread(&self, layer: &[usize], wanted: &[f64]) -> Vec<f64> {
        let want = |i: usize| wanted.get(i).copied().unwrap_or(0.0);
        let gap = |i: usize| match (layer.get(i), layer.get(i + 1)) {
            (Some(&a), Some(&b)) => self.gap(a, b),
            _ => 0.0,
        };
        let n = layer.len();
        let mut down = vec![0.0; n];
        for i in 0..n {
            let floor = if i == 0 {
                f64::NEG_INFINITY
            } else {
                down.get(i - 1).copied().unwrap_or(0.0) + gap(i - 1)
            };
            if let Some(d) = down.get_mut(i) {
                *d = want(i).max(floor);
            }
        }
        let mut up = vec![0.0; n];
        for i in (0..n).rev() {
            let ceiling = if i + 1 == n {
                f64::INFINITY
            } else {
                up.get(i + 1).copied().unwrap_or(0.0) - gap(i)
            };
            if let Some(u) = up.get_mut(i) {
                *u = want(i).min(ceiling);
            }
        }
        down.iter().zip(&up).map(|(d, u)| (d + u) / 2.0).collect()
    }

    /// The left edge of column `c`'s boxes; for `usize::MAX`, the right
    /// edge of the last column.
    fn x(&self, v: usize) -> f64 {
        let column = |c: usize| MARGIN + c as f64 * (NODE_W + COLUMN_GAP);
        if v == usize::MAX {
            return column(self.layers.len().saturating_sub(1))
                + if self.layers.is_empty() { 0.0 } else { NODE_W };
        }
        column(self.col(v))
    }

    fn bottom(&self) -> f64 {
        (0..self.column.len())
            .map(|v| self.y.get(v).copied().unwrap_or(0.0) + self.height(v) / 2.0)
            .fold(MARGIN, f64::max)
    }

    /// The points of a chain: out of its first box's right side, across
    /// each column it passes at its slot, into its last box's left side;
    /// turned round when the call is drawn reversed.
    fn path(&self, chain: &[usize], back: bool) -> EdgePath {
        if chain.len() < 2 {
            return EdgePath {
                points: Vec::new(),
                label: (0.0, 0.0),
                back,
            };
        }
        let y = |v: usize| self.y.get(v).copied().unwrap_or(0.0);
        let mut points = Vec::with_capacity(chain.len() * 2);
        let last = chain.len() - 1;
        for (i, &v) in chain.iter().enumerate() {
            let x = self.x(v);
            if i > 0 {
                points.push((x, y(v)));
            }
            if i < last {
                points.push((x + NODE_W, y(v)));
            }
        }
        // The stretches between columns are points (0, 1), (2, 3), …: the
        // label goes in the middle one, where the curve is at its middle.
        let stretch = (chain.len() - 1) / 2;
        let label = match (points.get(2 * stretch), points.get(2 * stretch + 1)) {
            (Some(a), Some(b)) => ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0),
            _ => (0.0, 0.0),
        };
        if back {
            points.reverse();
        }
        EdgePath {
            points,
            label,
            back,
        }
    }
}

#[cfg(test)]
mod tests;
