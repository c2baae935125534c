use super::*;

/// Whether two boxes (top-left corners) overlap.
fn overlap(a: (f64, f64), b: (f64, f64)) -> bool {
    a.0 < b.0 + NODE_W && b.0 < a.0 + NODE_W && a.1 < b.1 + NODE_H && b.1 < a.1 + NODE_H
}

/// No two boxes overlap, every box is inside the drawing, and every call
/// leaves its caller's box and reaches its callee's, at their sides.
fn check(n: usize, edges: &[(usize, usize)]) -> Layout {
    let l = layout(n, edges);
    assert_eq!(l.nodes.len(), n);
    assert_eq!(l.edges.len(), edges.len());
    for (i, &a) in l.nodes.iter().enumerate() {
        assert!(a.0 >= 0.0 && a.1 >= 0.0, "node {i} at {a:?}");
        assert!(a.0 + NODE_W <= l.width && a.1 + NODE_H <= l.height);
        for (j, &b) in l.nodes.iter().enumerate().skip(i + 1) {
            assert!(!overlap(a, b), "nodes {i} {a:?} and {j} {b:?} overlap");
        }
    }
    let on_side = |p: (f64, f64), v: usize| {
        let Some(&(x, y)) = l.nodes.get(v) else {
            return false;
        };
        (p.0 == x || p.0 == x + NODE_W) && p.1 >= y && p.1 <= y + NODE_H
    };
    for (e, &(a, b)) in l.edges.iter().zip(edges) {
        if a == b || a >= n || b >= n {
            assert!(e.points.is_empty());
            continue;
        }
        assert!(e.points.len() >= 2, "{a} → {b} is not drawn");
        let (first, last) = (e.points[0], e.points[e.points.len() - 1]);
        assert!(on_side(first, a), "{a} → {b} starts at {first:?}");
        assert!(on_side(last, b), "{a} → {b} ends at {last:?}");
        assert!(e.svg().starts_with('M'));
        // Every point of a path is inside the drawing.
        for p in &e.points {
            assert!(p.0 >= 0.0 && p.0 <= l.width && p.1 >= 0.0 && p.1 <= l.height);
        }
    }
    l
}

/// A chain reads left to right, each service one column further.
#[test]
fn a_chain_is_in_order() {
    let l = check(4, &[(2, 3), (0, 1), (1, 2)]);
    let x: Vec<f64> = l.nodes.iter().map(|n| n.0).collect();
    assert!(x[0] < x[1] && x[1] < x[2] && x[2] < x[3], "{x:?}");
    assert!(l.edges.iter().all(|e| !e.back));
}

/// A cycle is laid out (it does not loop forever), one of its calls drawn
/// backwards; calls both ways between two services are drawn apart; a
/// call to itself is not drawn.
#[test]
fn a_cycle_does_not_loop_forever() {
    let l = check(3, &[(0, 1), (1, 2), (2, 0)]);
    assert_eq!(l.edges.iter().filter(|e| e.back).count(), 1);
    let l = check(3, &[(0, 1), (1, 0), (1, 1), (1, 2), (2, 1)]);
    let (ab, ba) = (&l.edges[0], &l.edges[1]);
    assert_ne!(ab.points.first(), ba.points.last());
    assert_ne!(ab.label, ba.label);
    assert!(l.edges[2].points.is_empty());
    // Every node on a cycle, with calls to anything out of range too.
    check(5, &[(0, 1), (1, 2), (2, 3), (3, 4), (4, 0), (7, 1), (2, 9)]);
}

/// The callers nobody calls are in the first column.
#[test]
fn a_callee_is_right_of_its_callers() {
    let edges = [(0, 1), (0, 2), (1, 3), (2, 3), (0, 3)];
    let l = check(4, &edges);
    for &(a, b) in &edges {
        assert!(l.nodes[a].0 < l.nodes[b].0, "{a} → {b}");
    }
    // 0 → 3 skips a column: it passes the middle column at its own slot.
    assert_eq!(l.edges[4].points.len(), 4);
}

/// Two calls that cross when their services are listed in the order given
/// are drawn without crossing.
#[test]
fn crossings_are_removed() {
    // 0 → 3, 1 → 2: listed in that order, the calls cross.
    let l = check(4, &[(0, 3), (1, 2)]);
    let above = |a: usize, b: usize| l.nodes[a].1 < l.nodes[b].1;
    assert_eq!(above(0, 1), above(3, 2));
}

/// The same graph gives the same drawing.
#[test]
fn the_layout_is_deterministic() {
    let edges = fifty();
    assert_eq!(layout(50, &edges), layout(50, &edges));
}

/// Fifty services in tiers (a gateway, front services, shared back ends,
/// stores, a few calls back up) fit in a drawing a screen can show
/// scrolled one way, with no overlap.
#[test]
fn fifty_services_fit() {
    let edges = fifty();
    let l = check(50, &edges);
    let columns = {
        let mut xs: Vec<i64> = l.nodes.iter().map(|n| n.0 as i64).collect();
        xs.sort_unstable();
        xs.dedup();
        xs.len()
    };
    assert!(columns <= 5, "{columns} columns");
    assert!(l.width <= 5.0 * (NODE_W + 190.0), "{}", l.width);
    assert!(l.height <= 50.0 * (NODE_H + 22.0), "{}", l.height);
    // A star of 49 callees: one column of them, no overlap.
    let star: Vec<(usize, usize)> = (1..50).map(|i| (0, i)).collect();
    let s = check(50, &star);
    assert!(s.width <= 2.0 * (NODE_W + 190.0));
}

/// A graph without calls, or with one service, is a column of boxes.
#[test]
fn services_without_calls_are_stacked() {
    check(0, &[]);
    let l = check(1, &[]);
    assert!(l.width >= NODE_W && l.height >= NODE_H);
    check(3, &[]);
}

/// Tiers: 0 the gateway; 1–9 front services; 10–29 shared back ends;
/// 30–49 stores; each front calls three back ends, each back end one or
/// two stores, and a few back ends call back the front that called them.
fn fifty() -> Vec<(usize, usize)> {
    let mut edges = Vec::new();
    for f in 1..10 {
        edges.push((0, f));
        for k in 0..3 {
            let b = 10 + (f * 7 + k * 5) % 20;
            edges.push((f, b));
            if k == 0 && f % 3 == 0 {
                edges.push((b, f));
            }
        }
    }
    for b in 10..30 {
        edges.push((b, 30 + (b * 3) % 20));
        if b % 3 == 0 {
            edges.push((b, 30 + (b * 11) % 20));
        }
    }
    edges
}
