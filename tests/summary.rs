//! The bottleneck summary across traces: percentiles, what explains the
//! tail, the heat map and findings counted across traces.

use traceglass::analysis::summary::{percentile, summarize};
use traceglass::analysis::tail::{Kind, Subject};
use traceglass::analysis::{FindingKind, TraceAnalysis};
use traceglass::model::{AttrValue, SpanInput, SpanKind, Trace, TraceBuilder};

const MS: i64 = 1_000_000;

/// A checkout: auth, then an orders query, then N+1 item look-ups.
/// Traces `slow` have an orders query 600 ms slower.
fn checkout(i: usize, slow: bool) -> Trace {
    let mut b = TraceBuilder::new(format!("{i:032x}"));
    let shop = b.service("shop", vec![]);
    let db = b.service("orders-db", vec![]);
    let base = (i as i64) * 10_000 * MS;
    let jitter = (i % 7) as i64 * MS;
    let orders = if slow { 650 * MS } else { 40 * MS + jitter };
    let items = 5;
    let total = 20 * MS + orders + items * 6 * MS + 5 * MS;
    let span = |b: &mut TraceBuilder,
                id: &str,
                parent: Option<&str>,
                svc,
                name: &str,
                kind,
                start: i64,
                dur: i64,
                stmt: Option<&str>| {
        let attributes = stmt
            .map(|s| {
                vec![
                    b.attribute("db.system", AttrValue::Str("postgresql".into())),
                    b.attribute("db.statement", AttrValue::Str(s.into())),
                ]
            })
            .unwrap_or_default();
        let name = b.intern(name);
        b.push(SpanInput {
            span_id: id.into(),
            parent_span_id: parent.map(String::from),
            service: svc,
            name,
            kind,
            start_ns: Some(base + start),
            duration_ns: Some(dur),
            attributes,
            ..Default::default()
        });
    };
    span(
        &mut b,
        "root",
        None,
        shop,
        "POST /checkout",
        SpanKind::Server,
        0,
        total,
        None,
    );
    span(
        &mut b,
        "auth",
        Some("root"),
        shop,
        "auth",
        SpanKind::Internal,
        MS,
        18 * MS,
        None,
    );
    span(
        &mut b,
        "orders",
        Some("root"),
        db,
        "SELECT orders",
        SpanKind::Client,
        20 * MS,
        orders,
        Some("SELECT * FROM orders WHERE user = 1"),
    );
    for k in 0..items {
        let id = format!("item{k}");
        let stmt = format!("SELECT * FROM items WHERE id = {k}");
        span(
            &mut b,
            &id,
            Some("root"),
            db,
            "SELECT",
            SpanKind::Client,
            20 * MS + orders + k * 6 * MS,
            5 * MS,
            Some(&stmt),
        );
    }
    b.build()
}

#[test]
fn percentiles_are_nearest_rank() {
    let v: Vec<i64> = (1..=100).collect();
    assert_eq!(percentile(&v, 50.0), 50);
    assert_eq!(percentile(&v, 95.0), 95);
    assert_eq!(percentile(&v, 99.0), 99);
    assert_eq!(percentile(&[], 50.0), 0);
    assert_eq!(percentile(&[7], 99.0), 7);
}

#[test]
fn the_tail_is_explained_by_the_slow_query() {
    let traces: Vec<Trace> = (0..300).map(|i| checkout(i, i % 19 == 3)).collect();
    let analyses: Vec<TraceAnalysis> = traces.iter().map(TraceAnalysis::new).collect();
    let input: Vec<(&Trace, &TraceAnalysis)> = traces.iter().zip(analyses.iter()).collect();
    let groups = summarize(&input);
    assert_eq!(groups.len(), 1);
    let g = &groups[0];
    assert_eq!(g.root_operation, "POST /checkout");
    assert_eq!(g.traces.len(), 300);
    assert!(g.duration.p50 < g.duration.p95);
    let tail = g.tail.as_ref().expect("a tail explanation");
    assert_eq!(tail.slow_traces.len(), 16);
    assert_eq!(tail.rest_traces, 284);
    // The slow traces are exactly the ones with the slow query.
    let mut slow = tail.slow_traces.clone();
    slow.sort_unstable();
    let expected: Vec<usize> = (0..300).filter(|i| i % 19 == 3).collect();
    assert_eq!(slow, expected);
    let top = &tail.explanations[0];
    assert_eq!(top.kind, Kind::OperationTime);
    assert_eq!(
        top.subject,
        Subject::Operation {
            service: "orders-db".into(),
            operation: "SELECT orders".into()
        }
    );
    assert!(top.share > 90.0, "{}", top.sentence);
    assert_eq!(
        (top.support.slow, top.support.slow_of, top.support.rest),
        (16, 16, 0)
    );
    assert_eq!(top.examples.len(), 3);
    assert!(top.examples.iter().all(|e| e.trace % 19 == 3));
    assert_eq!(
        tail.sentence, top.sentence,
        "the headline is the top explanation"
    );
    assert!(
        tail.sentence
            .starts_with("In the 16 slowest traces (≥ p95, "),
        "{}",
        tail.sentence
    );
    assert!(
        tail.sentence.contains("SELECT orders in orders-db took"),
        "{}",
        tail.sentence
    );
    // Every trace makes the same calls with the same attributes: nothing
    // but the query's time tells the slow ones apart.
    assert!(
        tail.explanations
            .iter()
            .all(|e| e.kind == Kind::OperationTime),
        "{:#?}",
        tail.explanations
    );
    // The orders query usually takes 40–46 ms (43 ms at the median); in the
    // slow traces it took 650 ms, and the item look-ups wait for it.
    let at = top.at_usual.expect("a usual time");
    assert_eq!(at.usual_ns, 43 * MS);
    assert_eq!(at.slow_mean_ns, 705 * MS);
    assert_eq!(at.at_usual_mean_ns, 98 * MS);
    assert!(
        tail.sentence.ends_with(
            "Had it taken its usual 43.0 ms (the median in the other traces), they would have taken \
             about 98.0 ms on average instead of 705 ms."
        ),
        "{}",
        tail.sentence
    );
    // The N+1 of item look-ups is in every trace.
    let n1 = g
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::SequentialRepetition)
        .expect("N+1 counted");
    assert_eq!(n1.traces, 300);
    assert!(
        n1.sentence.contains("in 300 of 300 traces"),
        "{}",
        n1.sentence
    );
    // Heat map: rows are operations, columns the traces by duration.
    assert_eq!(g.heatmap.traces.len(), 300);
    assert_eq!(g.heatmap.cells.len(), g.heatmap.operations.len() * 300);
    assert_eq!(g.heatmap.operations[0], "orders-db: SELECT orders");
    let shares: f64 = g.operations.iter().map(|o| o.share).sum();
    assert!((shares - 100.0).abs() < 1e-6);
}

#[test]
fn traces_group_by_root_operation_and_a_lone_trace_has_no_tail() {
    let traces = [checkout(1, false)];
    let analyses: Vec<TraceAnalysis> = traces.iter().map(TraceAnalysis::new).collect();
    let input: Vec<(&Trace, &TraceAnalysis)> = traces.iter().zip(analyses.iter()).collect();
    let groups = summarize(&input);
    assert_eq!(groups.len(), 1);
    assert!(groups[0].tail.is_none());
    assert!(summarize(&[]).is_empty());
}

/// A job that, in some traces, also rebuilds a cache (500 ms): no other
/// trace has a usual time for that, so the tail says nothing it would save.
fn job(i: usize, slow: bool) -> Trace {
    let mut b = TraceBuilder::new(format!("{i:032x}"));
    let svc = b.service("worker", vec![]);
    let base = (i as i64) * 10_000 * MS;
    let push =
        |b: &mut TraceBuilder, id: &str, parent: Option<&str>, name: &str, start: i64, dur: i64| {
            let name = b.intern(name);
            b.push(SpanInput {
                span_id: id.into(),
                parent_span_id: parent.map(String::from),
                service: svc,
                name,
                start_ns: Some(base + start),
                duration_ns: Some(dur),
                ..Default::default()
            });
        };
    let extra = if slow { 500 * MS } else { 0 };
    push(&mut b, "root", None, "job", 0, 100 * MS + extra);
    push(&mut b, "work", Some("root"), "work", 10 * MS, 80 * MS);
    if slow {
        push(
            &mut b,
            "cache",
            Some("root"),
            "rebuild cache",
            95 * MS,
            500 * MS,
        );
    }
    b.build()
}

#[test]
fn an_operation_only_the_slow_traces_ran_has_no_usual_time() {
    let traces: Vec<Trace> = (0..100).map(|i| job(i, i % 10 == 0)).collect();
    let analyses: Vec<TraceAnalysis> = traces.iter().map(TraceAnalysis::new).collect();
    let input: Vec<(&Trace, &TraceAnalysis)> = traces.iter().zip(analyses.iter()).collect();
    let groups = summarize(&input);
    let tail = groups[0].tail.as_ref().expect("a tail explanation");
    let top = &tail.explanations[0];
    assert_eq!(
        top.subject,
        Subject::Operation {
            service: "worker".into(),
            operation: "rebuild cache".into()
        }
    );
    assert_eq!(top.at_usual, None);
    assert_eq!(tail.slow_mean_ns, 600 * MS);
    assert!(!tail.sentence.contains("Had it taken"), "{}", tail.sentence);
}
