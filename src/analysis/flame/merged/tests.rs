use super::*;
use crate::model::sample;

const EPS: f64 = 1e-9;

fn analysed(t: Trace) -> (Trace, TraceAnalysis) {
    let a = TraceAnalysis::new(&t);
    (t, a)
}

/// The node of the path of span names `path` from a root.
fn node(m: &MergedFlame, path: &[&str]) -> u32 {
    let mut parent = None;
    let mut found = None;
    for name in path {
        found = (0..m.nodes.len() as u32)
            .find(|&i| m.nodes[i as usize].parent == parent && m.names(i).1 == *name);
        parent = found;
    }
    found.unwrap_or_else(|| panic!("no node {path:?}"))
}

/// A request that queries three times, then reads a cache; and one that
/// queries once, then does work of its own that queries again.
fn two_requests() -> Vec<(Trace, TraceAnalysis)> {
    vec![
        analysed(sample::named(&[
            ("r", None, "web", "GET /", 0, 100),
            ("d1", Some("r"), "db", "SELECT", 10, 10),
            ("d2", Some("r"), "db", "SELECT", 20, 15),
            ("d3", Some("r"), "db", "SELECT", 35, 5),
            ("c", Some("r"), "cache", "GET", 50, 30),
        ])),
        analysed(sample::named(&[
            ("r", None, "web", "GET /", 0, 50),
            ("d1", Some("r"), "db", "SELECT", 0, 10),
            ("w", Some("r"), "web", "render", 20, 20),
            ("d2", Some("w"), "db", "SELECT", 25, 10),
        ])),
    ]
}

fn pairs(v: &[(Trace, TraceAnalysis)]) -> Vec<(&Trace, &TraceAnalysis)> {
    v.iter().map(|(t, a)| (t, a)).collect()
}

/// Spans merge by their path of names: the four SELECTs under the root
/// are one node of two traces; the one under `render` is another.
#[test]
fn spans_merge_by_their_path_and_count_spans_and_traces() {
    let v = two_requests();
    let m = merge(&pairs(&v));
    assert_eq!(m.traces, 2);
    assert_eq!(m.nodes.len(), 5);
    let root = &m.nodes[node(&m, &["GET /"]) as usize];
    assert_eq!((root.spans, root.traces, root.total_ns), (2, 2, 150));
    let select = &m.nodes[node(&m, &["GET /", "SELECT"]) as usize];
    assert_eq!((select.spans, select.traces, select.total_ns), (4, 2, 40));
    assert_eq!(select.depth, 1);
    let nested = &m.nodes[node(&m, &["GET /", "render", "SELECT"]) as usize];
    assert_eq!((nested.spans, nested.traces, nested.depth), (1, 1, 2));
    let cache = node(&m, &["GET /", "GET"]);
    assert_eq!(m.names(cache), ("cache", "GET"));
    assert_ne!(m.service_of(cache), m.service_of(node(&m, &["GET /"])));
    // Parents come before their children.
    for (i, n) in m.nodes.iter().enumerate() {
        assert!(n.parent.is_none_or(|p| (p as usize) < i));
    }
}

/// By critical-path time, a node is as wide as its own critical-path time
/// and its descendants', the heaviest child first, and the root's own
/// time is what is left on its right.
#[test]
fn critical_path_weight_is_left_heavy_and_adds_up() {
    let v = two_requests();
    let m = merge(&pairs(&v));
    let l = m.layout(Weight::CriticalPath);
    let root = node(&m, &["GET /"]);
    // Both requests are sequential: their critical paths are their durations.
    assert_eq!(m.nodes[root as usize].critical_path_total_ns, 150);
    let bar = |n: u32| {
        let i = l.item_of[n as usize] as usize;
        (l.flame.x0[i], l.flame.x1[i])
    };
    assert_eq!(bar(root), (0.0, 1.0));
    // SELECT 40, cache 30, render 20 (its SELECT 10 included).
    let (select, cache, render) = (
        bar(node(&m, &["GET /", "SELECT"])),
        bar(node(&m, &["GET /", "GET"])),
        bar(node(&m, &["GET /", "render"])),
    );
    assert!((select.0 - 0.0).abs() < EPS && (select.1 - 40.0 / 150.0).abs() < EPS);
    assert!((cache.0 - select.1).abs() < EPS && (cache.1 - 70.0 / 150.0).abs() < EPS);
    assert!((render.0 - cache.1).abs() < EPS && (render.1 - 90.0 / 150.0).abs() < EPS);
    let nested = bar(node(&m, &["GET /", "render", "SELECT"]));
    assert!((nested.0 - render.0).abs() < EPS && (nested.1 - nested.0 - 10.0 / 150.0).abs() < EPS);
    // Pre-order: the root, then SELECT, cache, render, render's SELECT.
    assert_eq!(l.flame.depth, vec![0, 1, 1, 1, 2]);
    assert_eq!(l.flame.end, vec![5, 2, 3, 5, 5]);
    for (item, &n) in l.node_of.iter().enumerate() {
        assert_eq!(l.item_of[n as usize] as usize, item);
    }
}

/// By total time, concurrent children that add up to more than they cover
/// share the covered part, and the parent's self time stays uncovered.
#[test]
fn total_weight_squeezes_concurrent_children_into_the_time_they_cover() {
    let v = vec![analysed(sample::named(&[
        ("r", None, "web", "GET /", 0, 100),
        ("a", Some("r"), "db", "SELECT a", 0, 60),
        ("b", Some("r"), "db", "SELECT b", 20, 60),
    ]))];
    let m = merge(&pairs(&v));
    let l = m.layout(Weight::Total);
    assert_eq!(l.flame.len(), 3);
    let (a, b) = (1, 2);
    assert!((l.flame.x0[a] - 0.0).abs() < EPS && (l.flame.x1[a] - 0.4).abs() < EPS);
    assert!((l.flame.x0[b] - 0.4).abs() < EPS && (l.flame.x1[b] - 0.8).abs() < EPS);
    let root = &m.nodes[l.node_of[0] as usize];
    assert_eq!((root.total_ns, root.self_ns), (100, 20));
}

/// Traces with other roots give other top nodes, sharing the width by
/// weight; orphans merge by name wherever their parent was.
#[test]
fn other_roots_are_top_nodes_of_their_own() {
    let v = vec![
        analysed(sample::named(&[("r", None, "web", "GET /", 0, 30)])),
        analysed(sample::named(&[
            ("r", None, "web", "POST /", 0, 60),
            ("o", Some("lost"), "db", "SELECT", 70, 10),
        ])),
        analysed(sample::named(&[("o", Some("gone"), "db", "SELECT", 0, 10)])),
    ];
    let m = merge(&pairs(&v));
    let l = m.layout(Weight::Total);
    assert_eq!(l.flame.depth, vec![0, 0, 0]);
    let names: Vec<&str> = l.node_of.iter().map(|&n| m.names(n).1).collect();
    assert_eq!(names, ["POST /", "GET /", "SELECT"]);
    // 60 + 30 + 20 ns in all.
    assert!((l.flame.x1[0] - 60.0 / 110.0).abs() < EPS);
    assert!((l.flame.x1[2] - 1.0).abs() < EPS);
    let orphan = &m.nodes[l.node_of[2] as usize];
    assert_eq!((orphan.spans, orphan.traces), (2, 2));
}

/// Nothing merged, nothing drawn.
#[test]
fn no_traces_give_an_empty_graph() {
    let m = merge(&[]);
    assert!(m.nodes.is_empty());
    assert!(m.layout(Weight::CriticalPath).flame.is_empty());
}
