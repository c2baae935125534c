//! Hand-built pairs whose answer is known by construction, a chain
//! 100,000 deep, and random trees compared with themselves and each other.

use super::*;
use crate::model::{AttrValue, SpanInput, TraceBuilder};
use proptest::prelude::*;

const MS: i64 = 1_000_000;

/// A span: id, parent id, service, name, start and duration (ms). A
/// name that starts with `SELECT` is a postgresql query with that
/// statement.
type Row<'a> = (&'a str, Option<&'a str>, &'a str, &'a str, i64, i64);

fn trace(rows: &[Row]) -> Trace {
    let mut b = TraceBuilder::new("t");
    for &(id, parent, service, name, start, duration) in rows {
        let service = b.service(service, Vec::new());
        let attributes = if name.starts_with("SELECT") {
            vec![
                b.attribute("db.system", AttrValue::Str("postgresql".into())),
                b.attribute("db.statement", AttrValue::Str(name.into())),
            ]
        } else {
            Vec::new()
        };
        let name = b.intern(name);
        b.push(SpanInput {
            span_id: id.to_string(),
            parent_span_id: parent.map(String::from),
            service,
            name,
            start_ns: Some(start * MS),
            duration_ns: Some(duration * MS),
            attributes,
            ..SpanInput::default()
        });
    }
    b.build()
}

fn diff(a: &Trace, b: &Trace) -> Comparison {
    compare((a, &TraceAnalysis::new(a)), (b, &TraceAnalysis::new(b)))
}

/// Each node's (service, span name) in A, else in B, with its counts
/// and change, indented by depth.
fn outline(c: &Comparison, a: &Trace, b: &Trace) -> Vec<String> {
    c.nodes
        .iter()
        .map(|n| {
            let names = match (n.a.operation, n.b.operation) {
                (Some(op), _) => a.operation_names(op),
                (None, Some(op)) => b.operation_names(op),
                (None, None) => None,
            };
            let (svc, name) = names.unwrap_or(("?", "?"));
            format!(
                "{}{svc} {name} {}/{} {}",
                "  ".repeat(n.depth as usize),
                n.a.count,
                n.b.count,
                n.change.label()
            )
        })
        .collect()
}

/// A request that reads orders `queries` times, one after the other
/// (2 ms each, every 3 ms), then renders for 5 ms.
fn request(queries: i64) -> Trace {
    let ids: Vec<String> = (0..queries).map(|i| format!("q{i}")).collect();
    let end = 2 + 3 * queries;
    let mut rows: Vec<Row> = vec![
        ("r", None, "web", "GET /orders", 0, end + 8),
        ("auth", Some("r"), "web", "check token", 0, 1),
    ];
    for (i, id) in ids.iter().enumerate() {
        rows.push((
            id,
            Some("r"),
            "orders-db",
            "SELECT * FROM orders WHERE id = 42",
            2 + 3 * i as i64,
            2,
        ));
    }
    rows.push(("render", Some("r"), "web", "render", end + 1, 5));
    trace(&rows)
}

#[test]
fn a_trace_compared_with_itself_is_the_same_everywhere() {
    let t = request(3);
    let c = diff(&t, &t);
    assert_eq!(
        outline(&c, &t, &t),
        [
            "web GET /orders 1/1 same",
            "  web check token 1/1 same",
            "  orders-db SELECT * FROM orders WHERE id = 42 3/3 same",
            "  web render 1/1 same",
        ]
    );
    assert!(c.nodes.iter().all(|n| n.delta() == Delta::default()));
    assert!(c.ranked.is_empty());
    assert!(!c.roots_differ);
    assert_eq!(
        c.headline,
        "A and B both took 19.0 ms, and no operation's critical-path time changed by more than 190 µs."
    );
    // The three queries, in tree order, on both sides.
    let q: Vec<SpanIx> = ["q0", "q1", "q2"]
        .iter()
        .filter_map(|id| t.find_span(id))
        .collect();
    assert_eq!(c.spans(2, Which::A), q);
    assert_eq!(c.spans(2, Which::B), q);
    assert_eq!(c.children(0).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(c.tops().collect::<Vec<_>>(), [0]);
}

/// 3 queries in A and 120 in B are one node, and the headline names it.
#[test]
fn an_n_plus_one_is_one_group_with_both_counts() {
    let (a, b) = (request(3), request(120));
    let c = diff(&a, &b);
    assert_eq!(
        outline(&c, &a, &b),
        [
            "web GET /orders 1/1 slower",
            "  web check token 1/1 same",
            "  orders-db SELECT * FROM orders WHERE id = 42 3/120 slower",
            "  web render 1/1 same",
        ]
    );
    let q = &c.nodes[2];
    assert_eq!(
        (q.a.critical_path_ns, q.b.critical_path_ns),
        (6 * MS, 240 * MS)
    );
    assert_eq!(q.delta().count, 117);
    assert_eq!((q.a.on_path, q.b.on_path), (3, 120));
    assert_eq!(q.b.duration_ns, 240 * MS);
    assert_eq!(c.spans(2, Which::B).len(), 120);
    assert_eq!(c.ranked, [2, 0]);
    assert_eq!(
        c.headline,
        "B took 351 ms longer than A (370 ms against 19.0 ms); 234 ms of it is the postgresql query SELECT * FROM orders WHERE id = ?, which ran 120 times in B against 3 times in A."
    );
    // The other way round, B is faster, for the same reason.
    let back = diff(&b, &a);
    assert_eq!(
        back.headline,
        "B was 351 ms faster than A (19.0 ms against 370 ms); 234 ms of it is the postgresql query SELECT * FROM orders WHERE id = ?, which ran 3 times in B against 120 times in A."
    );
}

/// Calls of one span name that ran different statements are one node;
/// the headline names the one with the most critical-path time and says
/// that the count covers the others too.
#[test]
fn a_node_of_several_statements_says_so() {
    let calls = |n: i64, slow: i64| {
        let mut b = TraceBuilder::new("t");
        let web = b.service("web", Vec::new());
        let db = b.service("orders-db", Vec::new());
        let (get, query) = (b.intern("GET /orders"), b.intern("query"));
        b.push(SpanInput {
            span_id: "r".into(),
            service: web,
            name: get,
            start_ns: Some(0),
            duration_ns: Some((3 * n + slow + 2) * MS),
            ..SpanInput::default()
        });
        for i in 0..n {
            let sql = [
                "SELECT * FROM orders WHERE id = 1",
                "SELECT * FROM items WHERE id = 2",
            ][(i % 2) as usize];
            let attributes = vec![
                b.attribute("db.system", AttrValue::Str("postgresql".into())),
                b.attribute("db.statement", AttrValue::Str(sql.into())),
            ];
            let extra = if i == 0 { slow } else { 0 };
            b.push(SpanInput {
                span_id: format!("q{i}"),
                parent_span_id: Some("r".into()),
                service: db,
                name: query,
                start_ns: Some((1 + 3 * i + if i > 0 { slow } else { 0 }) * MS),
                duration_ns: Some((2 + extra) * MS),
                attributes,
                ..SpanInput::default()
            });
        }
        b.build()
    };
    let (a, b) = (calls(4, 0), calls(10, 30));
    let c = diff(&a, &b);
    assert_eq!(
        c.headline,
        "B took 48.0 ms longer than A (62.0 ms against 14.0 ms); 42.0 ms of it is the postgresql query SELECT * FROM orders WHERE id = ? and 1 other statement of the same span name, which ran 10 times in B against 4 times in A."
    );
}

/// Ten steps, each 2 ms slower: no one or two of them are most of it.
#[test]
fn a_difference_spread_thin_is_said_so() {
    let steps = |each: i64| {
        let names: Vec<String> = (0..10).map(|i| format!("step {i}")).collect();
        let mut rows: Vec<Row> = vec![("r", None, "web", "GET /", 0, 10 * each)];
        for (i, name) in names.iter().enumerate() {
            rows.push((&name[5..], Some("r"), "web", name, i as i64 * each, each));
        }
        trace(&rows)
    };
    let (a, b) = (steps(1), steps(3));
    let c = diff(&a, &b);
    assert_eq!(c.ranked.len(), 10);
    assert_eq!(
        c.headline,
        "B took 20.0 ms longer than A (30.0 ms against 10.0 ms); it is spread over 10 places in the tree, the largest 2.00 ms in step 0 in web itself, and 2.00 ms in step 1 in web itself."
    );
    // One step 20 ms slower, and one 1 ms: the small one is left out.
    let one = trace(&[
        ("r", None, "web", "GET /", 0, 31),
        ("x", Some("r"), "web", "fetch", 0, 21),
        ("y", Some("r"), "web", "parse", 21, 10),
    ]);
    let base = trace(&[
        ("r", None, "web", "GET /", 0, 10),
        ("x", Some("r"), "web", "fetch", 0, 1),
        ("y", Some("r"), "web", "parse", 1, 9),
    ]);
    assert_eq!(
        diff(&base, &one).headline,
        "B took 21.0 ms longer than A (31.0 ms against 10.0 ms); 20.0 ms of it is fetch in web itself."
    );
    // A cause under half the difference, with nothing else beyond the
    // tolerance: the time is between two roots.
    let gap = |end: i64| {
        trace(&[
            ("r", None, "web", "GET /", 0, 10),
            ("s", None, "web", "poll", end - 10, 10),
        ])
    };
    let c = diff(&gap(20), &gap(60));
    assert_eq!(
        c.headline,
        "B took 40.0 ms longer than A (60.0 ms against 20.0 ms); no single operation accounts for it: none grew on the critical path by more than 600 µs."
    );
    let longer_root = trace(&[
        ("r", None, "web", "GET /", 0, 20),
        ("s", None, "web", "poll", 50, 10),
    ]);
    assert_eq!(
        diff(&gap(20), &longer_root).headline,
        "B took 40.0 ms longer than A (60.0 ms against 20.0 ms); 10.0 ms of it is GET / in web itself, and no other part changed by more than 600 µs."
    );
}

#[test]
fn added_and_removed_subtrees_are_told_apart() {
    let a = trace(&[
        ("r", None, "web", "GET /", 0, 100),
        ("auth", Some("r"), "auth", "authorize", 0, 30),
        ("tok", Some("auth"), "auth", "check token", 5, 20),
        ("db", Some("r"), "db", "SELECT 1", 40, 50),
    ]);
    let b = trace(&[
        ("r", None, "web", "GET /", 0, 100),
        ("db", Some("r"), "db", "SELECT 1", 2, 50),
        ("c", Some("r"), "cache", "lookup", 55, 40),
        ("get", Some("c"), "cache", "GET", 60, 20),
    ]);
    let c = diff(&a, &b);
    // Siblings by their earliest start in either trace: authorize at 0
    // (A), SELECT at 2 (B), lookup at 55 (B).
    assert_eq!(
        outline(&c, &a, &b),
        [
            "web GET / 1/1 faster",
            "  auth authorize 1/0 removed",
            "    auth check token 1/0 removed",
            "  db SELECT 1 1/1 same",
            "  cache lookup 0/1 added",
            "    cache GET 0/1 added",
        ]
    );
    let cp: Vec<i64> = c
        .nodes
        .iter()
        .map(|n| n.delta().critical_path_ns / MS)
        .collect();
    assert_eq!(cp, [-10, -10, -20, 0, 20, 20]);
    assert_eq!(c.ranked, [2, 4, 5, 0, 1]);
    assert_eq!(
        c.headline,
        "A and B both took 100 ms; the time moved on the critical path: lookup in cache itself took 20.0 ms more, which only B ran, and check token in auth itself 20.0 ms less, which only A ran."
    );
}

/// A node off both critical paths is judged by its duration; one on the
/// path by its own critical-path time, not its children's.
#[test]
fn off_the_path_a_node_is_judged_by_its_duration() {
    let build = |bg: i64, db: i64| {
        let mut b = TraceBuilder::new("t");
        let web = b.service("web", Vec::new());
        let spans = [
            ("r", None, "GET /", 0, db + 70),
            ("h", Some("r"), "handle", 10, db + 50),
            ("d", Some("h"), "SELECT 1", 20, db),
            ("bg", Some("r"), "audit", 20, bg),
        ];
        for (id, parent, name, start, duration) in spans {
            let name = b.intern(name);
            let follows = id == "bg";
            b.push(SpanInput {
                span_id: id.to_string(),
                parent_span_id: parent.filter(|_| !follows).map(String::from),
                references: parent
                    .filter(|_| follows)
                    .map(|p| crate::model::Reference {
                        ref_type: crate::model::RefType::FollowsFrom,
                        trace_id: "t".to_string(),
                        span_id: p.to_string(),
                    })
                    .into_iter()
                    .collect(),
                service: web,
                name,
                start_ns: Some(start * MS),
                duration_ns: Some(duration * MS),
                ..SpanInput::default()
            });
        }
        b.build()
    };
    let (a, b) = (build(10, 30), build(50, 60));
    let c = diff(&a, &b);
    assert_eq!(
        outline(&c, &a, &b),
        [
            "web GET / 1/1 same",
            "  web handle 1/1 same",
            "    web SELECT 1 1/1 slower",
            "  web audit 1/1 slower",
        ]
    );
    assert_eq!(c.nodes[3].a.on_path + c.nodes[3].b.on_path, 0);
}

#[test]
fn different_roots_are_still_the_top_node_and_the_headline_says_so() {
    let a = trace(&[
        ("r", None, "web", "GET /a", 0, 100),
        ("d", Some("r"), "db", "SELECT 1", 10, 50),
    ]);
    let b = trace(&[
        ("r", None, "api", "POST /b", 0, 200),
        ("d", Some("r"), "db", "SELECT 1", 10, 150),
    ]);
    let c = diff(&a, &b);
    assert!(c.roots_differ);
    assert_eq!(
        outline(&c, &a, &b),
        ["web GET /a 1/1 same", "  db SELECT 1 1/1 slower"]
    );
    assert_eq!(
        b.operation_names(c.nodes[0].b.operation.unwrap()),
        Some(("api", "POST /b"))
    );
    assert_eq!(
        c.headline,
        "A's root is GET /a (web) and B's is POST /b (api): the traces have different root operations, so they are compared by the shape below their roots. B took 100 ms longer than A (200 ms against 100 ms); 100 ms of it is the postgresql query SELECT ?."
    );
}

/// Orphans are grouped by (service, span name) among the other roots.
#[test]
fn other_roots_are_matched_among_themselves() {
    let a = trace(&[
        ("r", None, "web", "GET /", 0, 100),
        ("o1", Some("lost"), "cache", "GET", 10, 5),
        ("o2", Some("lost"), "cache", "GET", 20, 5),
        ("o3", Some("gone"), "queue", "send", 30, 5),
    ]);
    let b = trace(&[
        ("r", None, "web", "GET /", 0, 100),
        ("o1", Some("lost"), "cache", "GET", 12, 5),
    ]);
    let c = diff(&a, &b);
    assert_eq!(
        outline(&c, &a, &b),
        [
            "web GET / 1/1 same",
            "cache GET 2/1 faster",
            "queue send 1/0 removed"
        ]
    );
    assert_eq!(c.tops().collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(c.nodes[1].parent, None);
}

#[test]
fn a_trace_without_spans_is_said_so() {
    let empty = TraceBuilder::new("e").build();
    let t = request(1);
    let c = diff(&empty, &t);
    assert_eq!(outline(&c, &empty, &t)[0], "web GET /orders 0/1 added");
    assert_eq!(c.headline, "A has no spans; B took 13.0 ms.");
    assert_eq!(diff(&empty, &empty).nodes, []);
}

/// A chain of `n` spans, each inside its parent.
fn chain(n: usize) -> Trace {
    let mut b = TraceBuilder::new("deep");
    let service = b.service("svc", Vec::new());
    let name = b.intern("step");
    for i in 0..n {
        b.push(SpanInput {
            span_id: format!("{i:x}"),
            parent_span_id: i.checked_sub(1).map(|p| format!("{p:x}")),
            service,
            name,
            start_ns: Some(i as i64),
            duration_ns: Some(4 * n as i64 - 2 * i as i64),
            ..SpanInput::default()
        });
    }
    b.build()
}

#[test]
fn a_chain_100000_deep_does_not_overflow_the_stack() {
    let (a, b) = (chain(100_000), chain(99_990));
    let c = diff(&a, &b);
    assert_eq!(c.nodes.len(), 100_000);
    assert_eq!(c.nodes.last().map(|n| n.depth), Some(99_999));
    assert_eq!(c.nodes[0].descendants, 99_999);
    assert!(c.nodes[99_990..]
        .iter()
        .all(|n| n.change == Change::Removed));
    assert_eq!(c.children(0).collect::<Vec<_>>(), [1]);
}

/// Random trees (as in tests/properties.rs, smaller): 1–40 spans, each
/// under an earlier one or a root, of 3 services and 4 names.
fn random_trace(raw: &[(u32, u8, i64, i64, u8)]) -> Trace {
    let mut b = TraceBuilder::new("p");
    let services: Vec<u32> = ["web", "api", "db"]
        .iter()
        .map(|s| b.service(s, Vec::new()))
        .collect();
    let mut spans: Vec<(i64, i64)> = Vec::new();
    for (i, &(sel, roll, start, duration, op)) in raw.iter().enumerate() {
        let parent = (i > 0 && roll >= 10).then(|| sel as usize % i);
        let (s, d) = match parent.and_then(|p| spans.get(p)) {
            Some(&(ps, pd)) if roll < 80 && pd > 0 => {
                let s = ps + start % pd;
                (s, duration % (ps + pd - s + 1))
            }
            _ => (start, duration),
        };
        spans.push((s, d));
        let name = b.intern(["a", "b", "c", "d"][op as usize % 4]);
        b.push(SpanInput {
            span_id: format!("{i:x}"),
            parent_span_id: parent.map(|p| format!("{p:x}")),
            service: services[op as usize % 3],
            name,
            start_ns: Some(s),
            duration_ns: Some(d),
            ..SpanInput::default()
        });
    }
    b.build()
}

fn raw() -> impl Strategy<Value = Vec<(u32, u8, i64, i64, u8)>> {
    prop::collection::vec(
        (
            any::<u32>(),
            0u8..100,
            0i64..1_000,
            0i64..1_000,
            any::<u8>(),
        ),
        1..=40,
    )
}

/// Every span of a trace is in exactly one node, and the nodes' figures
/// add up to the trace's.
fn check_side(c: &Comparison, t: &Trace, an: &TraceAnalysis, which: Which) {
    let mut seen = vec![0u32; t.spans.len()];
    let (mut cp, mut count, mut self_time) = (0, 0, 0);
    for (i, n) in c.nodes.iter().enumerate() {
        let side = n.side(which);
        for &s in c.spans(i as NodeIx, which) {
            seen[s as usize] += 1;
        }
        assert_eq!(c.spans(i as NodeIx, which).len(), side.count as usize);
        cp += side.critical_path_ns;
        count += side.count as usize;
        self_time += side.self_time_ns;
        if let Some(p) = n.parent {
            assert!((p as usize) < i);
            assert_eq!(c.nodes[p as usize].depth + 1, n.depth);
        }
    }
    assert!(seen.iter().all(|&k| k == 1));
    assert_eq!(count, t.spans.len());
    assert_eq!(cp, an.critical_path.span_time_ns.iter().sum::<i64>());
    assert_eq!(self_time, an.self_time_ns.iter().sum::<i64>());
}

proptest! {
    #[test]
    fn a_random_tree_compared_with_itself_is_the_same(raw in raw()) {
        let t = random_trace(&raw);
        let an = TraceAnalysis::new(&t);
        let c = compare((&t, &an), (&t, &an));
        prop_assert!(c.nodes.iter().all(|n| n.change == Change::Same));
        prop_assert!(c.nodes.iter().all(|n| n.delta() == Delta::default()));
        check_side(&c, &t, &an, Which::A);
        check_side(&c, &t, &an, Which::B);
    }

    #[test]
    fn two_random_trees_keep_every_span_and_its_time(ra in raw(), rb in raw()) {
        let (a, b) = (random_trace(&ra), random_trace(&rb));
        let (aa, ab) = (TraceAnalysis::new(&a), TraceAnalysis::new(&b));
        let c = compare((&a, &aa), (&b, &ab));
        check_side(&c, &a, &aa, Which::A);
        check_side(&c, &b, &ab, Which::B);
        let subtree: u32 = c.tops().map(|t| 1 + c.nodes[t as usize].descendants).sum();
        prop_assert_eq!(subtree as usize, c.nodes.len());
    }
}
