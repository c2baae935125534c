//! Comparing real traces: two CRISP oracle cases whose merged tree can be
//! worked out by hand, and the HotROD capture against itself and against
//! copies changed in known ways (a query made 1 s slower; half the driver
//! lookups dropped).

mod common;

use serde_json::Value;
use traceglass::analysis::compare::{compare, Change, Comparison, Which};
use traceglass::analysis::TraceAnalysis;
use traceglass::import::import_bytes;
use traceglass::model::Trace;

fn load(bytes: &[u8]) -> Trace {
    import_bytes("fixture.json", bytes)
        .unwrap()
        .traces
        .pop()
        .unwrap()
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(common::fixtures_dir().join(path)).unwrap()
}

fn diff(a: &Trace, b: &Trace) -> Comparison {
    compare((a, &TraceAnalysis::new(a)), (b, &TraceAnalysis::new(b)))
}

/// `[service] name`, indented by depth, with the counts, the change and
/// the critical-path times of A and B in the trace's unit (µs).
fn outline(c: &Comparison, a: &Trace, b: &Trace) -> Vec<String> {
    c.nodes
        .iter()
        .map(|n| {
            let (svc, name) = match (n.a.operation, n.b.operation) {
                (Some(op), _) => a.operation_names(op),
                (None, Some(op)) => b.operation_names(op),
                _ => None,
            }
            .unwrap_or(("?", "?"));
            format!(
                "{}[{svc}] {name} {}/{} {} {}/{}",
                "  ".repeat(n.depth as usize),
                n.a.count,
                n.b.count,
                n.change.label(),
                n.a.critical_path_ns / 1000,
                n.b.critical_path_ns / 1000
            )
        })
        .collect()
}

/// CRISP 13 (O2 under O1, with O3 and O4 under O2) against 14 (O2, O3 and
/// O4 all under O1): the O3 and O4 under O2 are removed, those under O1
/// added, and each node's times are the oracle's `opTimeExclusive`.
#[test]
fn crisp_13_against_14() {
    let a = load(&fixture("crisp/13.json"));
    let b = load(&fixture("crisp/14.json"));
    let c = diff(&a, &b);
    assert_eq!(
        outline(&c, &a, &b),
        [
            "[S1] O1 1/1 faster 40/35",
            "  [S2] O2 1/1 faster 40/20",
            "    [S3] O3 1/0 removed 0/0",
            "    [S4] O4 1/0 removed 20/0",
            "  [S3] O3 0/1 added 0/0",
            "  [S4] O4 0/1 added 0/25",
        ]
    );
    assert!(!c.roots_differ);
    assert_eq!(
        c.headline,
        "B was 20.0 µs faster than A (80.0 µs against 100 µs); 20.0 µs of it is O2 in S2 itself."
    );
}

/// CRISP 23 and 24 are one shape (two O2 calls of three O3 calls each)
/// with other errors: grouped, every node is the same.
#[test]
fn crisp_23_against_24_is_the_same_shape() {
    let a = load(&fixture("crisp/23.json"));
    let b = load(&fixture("crisp/24.json"));
    let c = diff(&a, &b);
    assert_eq!(
        outline(&c, &a, &b),
        [
            "[S1] O1 1/1 same 100/100",
            "  [S2] O2 2/2 same 300/300",
            "    [S3] O3 6/6 same 300/300",
        ]
    );
    assert_eq!(
        c.headline,
        "A and B both took 700 µs, and no operation's critical-path time changed by more than 7.00 µs."
    );
}

const HOTROD: &str = "otlp/hotrod-40spans-6services.json";

/// Every span of the HotROD document, to change in place.
fn spans_mut(doc: &mut Value) -> Vec<&mut Value> {
    doc["resourceSpans"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .flat_map(|rs| rs["scopeSpans"].as_array_mut().unwrap().iter_mut())
        .flat_map(|ss| ss["spans"].as_array_mut().unwrap().iter_mut())
        .collect()
}

fn nanos(v: &Value) -> i64 {
    v.as_str().unwrap().parse().unwrap()
}

#[test]
fn hotrod_against_itself_is_the_same_everywhere() {
    let t = load(&fixture(HOTROD));
    let c = diff(&t, &t);
    assert!(c.nodes.iter().all(|n| n.change == Change::Same));
    // The 11 HTTP GET calls of the frontend are one node; below it, the
    // customer call and the ten route calls.
    assert_eq!(
        outline(&c, &t, &t),
        [
            "[frontend] GET /dispatch 1/1 same 0/0",
            "  [frontend] HTTP GET 11/11 same 2372/2372",
            "    [customer] GET /customer 1/1 same 224/224",
            "      [mysql] SQL SELECT 1/1 same 282387/282387",
            "    [route] GET /route 10/10 same 186712/186712",
            "  [frontend] driver.DriverService/FindNearest 1/1 same 549/549",
            "    [driver] driver.DriverService/FindNearest 1/1 same 503/503",
            "      [redis-manual] FindDriverIDs 1/1 same 22355/22355",
            "      [redis-manual] GetDriver 13/13 same 204087/204087",
        ]
    );
    assert_eq!(
        c.nodes.iter().map(|n| n.a.count as usize).sum::<usize>(),
        t.spans.len()
    );
    assert!(
        c.headline.starts_with("A and B both took 694 ms"),
        "{}",
        c.headline
    );
}

/// B is HotROD with its customer query 1 s slower: every span that ends at
/// or after the query's end ends 1 s later, and those that start after it
/// start 1 s later too.
#[test]
fn hotrod_with_a_slower_query_names_the_query() {
    let bytes = fixture(HOTROD);
    let a = load(&bytes);
    let mut doc: Value = serde_json::from_slice(&bytes).unwrap();
    let mut spans = spans_mut(&mut doc);
    let at = spans
        .iter()
        .find(|s| s["name"] == "SQL SELECT")
        .map(|s| nanos(&s["endTimeUnixNano"]))
        .unwrap();
    const SECOND: i64 = 1_000_000_000;
    for s in spans.iter_mut() {
        let (start, end) = (nanos(&s["startTimeUnixNano"]), nanos(&s["endTimeUnixNano"]));
        if start >= at {
            s["startTimeUnixNano"] = Value::String((start + SECOND).to_string());
        }
        if end >= at {
            s["endTimeUnixNano"] = Value::String((end + SECOND).to_string());
        }
    }
    let b = load(&serde_json::to_vec(&doc).unwrap());
    let c = diff(&a, &b);
    assert_eq!(
        c.headline,
        "B took 1.00 s longer than A (1.69 s against 694 ms); 1.00 s of it is the mysql query SELECT * FROM customer WHERE customer_id=?."
    );
    let slower: Vec<String> = outline(&c, &a, &b)
        .into_iter()
        .filter(|l| !l.contains(" same "))
        .collect();
    assert_eq!(
        slower,
        ["      [mysql] SQL SELECT 1/1 slower 282387/1282387"]
    );
    // One root: its critical path covers the trace, so the nodes'
    // changes add up to the second B took longer.
    let moved: i64 = c.nodes.iter().map(|n| n.delta().critical_path_ns).sum();
    assert_eq!(moved, SECOND);
}

/// B is HotROD without 6 of its 13 driver lookups: their node says 13
/// against 7, and the time they leave is the driver service's own.
#[test]
fn hotrod_with_fewer_lookups_groups_them() {
    let bytes = fixture(HOTROD);
    let a = load(&bytes);
    let mut doc: Value = serde_json::from_slice(&bytes).unwrap();
    for rs in doc["resourceSpans"].as_array_mut().unwrap() {
        for ss in rs["scopeSpans"].as_array_mut().unwrap() {
            let list = ss["spans"].as_array_mut().unwrap();
            let mut seen = 0;
            list.retain(|s| {
                if s["name"] != "GetDriver" {
                    return true;
                }
                seen += 1;
                seen <= 7
            });
        }
    }
    let b = load(&serde_json::to_vec(&doc).unwrap());
    let c = diff(&a, &b);
    let (ix, node) = c
        .nodes
        .iter()
        .enumerate()
        .find(|(_, n)| {
            n.a.operation
                .and_then(|op| a.operation_names(op))
                .is_some_and(|(_, name)| name == "GetDriver")
        })
        .unwrap();
    assert_eq!((node.a.count, node.b.count), (13, 7));
    assert_eq!(node.change, Change::Faster);
    assert_eq!(c.spans(ix as u32, Which::B).len(), 7);
    assert!(
        c.headline.starts_with("A and B both took 694 ms; the time moved on the critical path: the call to 127.0.0.1 (driver.DriverService/FindNearest) took"),
        "{}",
        c.headline
    );
    assert!(
        c.headline
            .contains("which ran 7 times in B against 13 times in A"),
        "{}",
        c.headline
    );
    // The time the lookups leave is the driver's own, in its server span.
    let first = c.node(c.ranked[0]).unwrap();
    let op = first.b.operation.unwrap();
    assert_eq!(
        b.operation_names(op),
        Some(("driver", "driver.DriverService/FindNearest"))
    );
    assert_eq!(
        first.delta().critical_path_ns,
        -node.delta().critical_path_ns
    );
}
