//! Hand-built groups whose answer is known by construction: a slow
//! database call on one pod, an N+1 that grows, a middle band picked by a
//! brushed range, failed calls retried, a call to a slower peer; the edges
//! of percentiles.

use super::*;
use crate::analysis::describe;
use crate::model::{AttrValue, SpanInput, SpanKind, Status, StatusCode, TraceBuilder};

const MS: i64 = 1_000_000;

/// One span of [`trace`], times in ms.
#[derive(Clone, Default)]
struct Sp {
    id: String,
    parent: Option<String>,
    service: &'static str,
    name: String,
    start: i64,
    dur: i64,
    attrs: Vec<(&'static str, AttrValue)>,
    error: bool,
    kind: SpanKind,
}

fn sp(
    id: &str,
    parent: Option<&str>,
    service: &'static str,
    name: &str,
    start: i64,
    dur: i64,
) -> Sp {
    Sp {
        id: id.into(),
        parent: parent.map(String::from),
        service,
        name: name.into(),
        start,
        dur,
        ..Sp::default()
    }
}

impl Sp {
    fn attr(mut self, key: &'static str, value: &str) -> Sp {
        self.attrs.push((key, AttrValue::Str(value.into())));
        self
    }

    fn failed(mut self) -> Sp {
        self.error = true;
        self
    }
}

/// Trace number `i` (its spans start at `i` seconds) of `spans`, with the
/// resource attributes of each service in `resources`.
fn trace(i: usize, resources: &[(&str, Vec<(&str, String)>)], spans: &[Sp]) -> Trace {
    let mut b = TraceBuilder::new(format!("{i:032x}"));
    for (svc, attrs) in resources {
        let resource = attrs
            .iter()
            .map(|(k, v)| b.attribute(k, AttrValue::Str(v.clone())))
            .collect();
        b.service(svc, resource);
    }
    let base = i as i64 * 1_000 * MS;
    for s in spans {
        let service = b.service(s.service, Vec::new());
        let attributes = s
            .attrs
            .iter()
            .map(|(k, v)| b.attribute(k, v.clone()))
            .collect();
        let name = b.intern(&s.name);
        b.push(SpanInput {
            span_id: s.id.clone(),
            parent_span_id: s.parent.clone(),
            service,
            name,
            kind: s.kind,
            start_ns: Some(base + s.start * MS),
            duration_ns: Some(s.dur * MS),
            status: Status {
                code: if s.error {
                    StatusCode::Error
                } else {
                    StatusCode::Unset
                },
                message: String::new(),
            },
            attributes,
            ..SpanInput::default()
        });
    }
    b.build()
}

/// Traces with their analyses, ranked as one group.
struct Group {
    traces: Vec<Trace>,
    analyses: Vec<TraceAnalysis>,
}

impl Group {
    fn new(traces: Vec<Trace>) -> Group {
        let analyses = traces.iter().map(TraceAnalysis::new).collect();
        Group { traces, analyses }
    }

    fn pairs(&self) -> Vec<(&Trace, &TraceAnalysis)> {
        self.traces.iter().zip(&self.analyses).collect()
    }

    fn table(&self) -> Table {
        let all: Vec<usize> = (0..self.traces.len()).collect();
        Table::new(&self.pairs(), &all)
    }

    fn rank(&self, slow: Slow) -> Ranking {
        let all: Vec<usize> = (0..self.traces.len()).collect();
        rank(&self.pairs(), &all, slow)
    }
}

fn kinds(r: &Ranking) -> Vec<Kind> {
    r.explanations.iter().map(|e| e.kind).collect()
}

fn example_traces(e: &Explanation) -> Vec<usize> {
    e.examples.iter().map(|x| x.trace).collect()
}

fn support(e: &Explanation) -> (usize, usize, usize, usize) {
    let s = e.support;
    (s.slow, s.slow_of, s.rest, s.rest_of)
}

fn operation(service: &str, operation: &str) -> Subject {
    Subject::Operation {
        service: service.into(),
        operation: operation.into(),
    }
}

fn sorted(mut v: Vec<usize>) -> Vec<usize> {
    v.sort_unstable();
    v
}

/// A charge: auth, a payments query and rendering, one after the other,
/// on pod `pod` (with its node as host); `extra` ms more in the query.
/// The root carries a request id (unique) and a tenant (one of four).
fn charge(i: usize, pod: &str, extra: i64) -> Trace {
    let query = 50 + (i % 5) as i64 + extra;
    trace(
        i,
        &[(
            "payment-gateway",
            vec![
                ("k8s.pod.name", pod.to_string()),
                ("host.name", format!("node-{pod}")),
            ],
        )],
        &[
            sp("r", None, "payment-gateway", "POST /charge", 0, query + 20)
                .attr("http.route", "/charge")
                .attr("request.id", &format!("req-{i}"))
                .attr("tenant.id", &format!("tenant-{}", i % 4)),
            sp("auth", Some("r"), "payment-gateway", "auth", 0, 12),
            sp("q", Some("r"), "payments-db", "SELECT payments", 12, query)
                .attr("db.system", "postgresql"),
            sp(
                "render",
                Some("r"),
                "payment-gateway",
                "render",
                12 + query,
                8,
            ),
        ],
    )
}

/// 20 charges; 7 and 13 ran on `payments-7` with a query 1 s slower.
fn charges() -> Group {
    Group::new(
        (0..20)
            .map(|i| match i {
                7 => charge(i, "payments-7", 1_000),
                13 => charge(i, "payments-7", 1_010),
                _ => charge(i, &format!("payments-{}", i % 3 + 1), 0),
            })
            .collect(),
    )
}

#[test]
fn two_slow_traces_on_one_pod_are_the_slow_query_and_the_pod() {
    let g = charges();
    let r = g.rank(Slow::default());
    assert_eq!(sorted(r.slow_traces.clone()), [7, 13]);
    assert_eq!(r.rest_traces, 18);
    assert_eq!(kinds(&r), [Kind::OperationTime, Kind::Attribute]);

    let query = &r.explanations[0];
    assert_eq!(query.subject, operation("payments-db", "SELECT payments"));
    // Only the query differs, so its extra time is the whole gap.
    assert!((query.extra_ns - r.gap_ns()).abs() <= 1, "{query:?}");
    assert_eq!(query.share, 100.0);
    assert_eq!(support(query), (2, 2, 0, 18));
    assert_eq!(example_traces(query), [13, 7]);
    let q13 = g.traces[13].find_span("q");
    assert_eq!(query.examples[0].span, q13);

    let pod = &r.explanations[1];
    assert_eq!(
        pod.subject,
        Subject::Attribute {
            key: "k8s.pod.name".into(),
            value: "payments-7".into(),
            also: vec![("host.name".into(), "node-payments-7".into())],
        }
    );
    assert_eq!(support(pod), (2, 2, 0, 18));
    // On the root: the whole excess of each slow trace.
    assert!((pod.extra_ns - r.gap_ns()).abs() <= 1, "{pod:?}");
    assert_eq!(example_traces(pod), [13, 7]);

    assert!(
        r.sentence.starts_with(
            "In the 2 slowest traces (≥ p95, 1.07 s), SELECT payments in payments-db took 1.01 s more than usual; it explains 100 % of the tail. It took 555 ms or more in 2 of the 2, against 0 % of the others."
        ),
        "{}",
        r.sentence
    );
    assert!(
        r.sentence.ends_with(
            " 2 of the 2 ran on pod `payments-7` (with host.name = `node-payments-7`), against 0 % of the others."
        ),
        "{}",
        r.sentence
    );
    assert_eq!(
        pod.sentence,
        "In the 2 slowest traces (≥ p95, 1.07 s), 2 of the 2 ran on pod `payments-7` (with host.name = `node-payments-7`), against 0 % of the others; the critical-path time under it accounts for 1.01 s, 100 % of the tail."
    );
}

/// Request ids are unique to a trace and each tenant is on one slow trace
/// at most: neither is an explanation, whatever their shares.
#[test]
fn values_unique_to_a_trace_or_on_one_slow_trace_are_left_out() {
    let g = charges();
    let table = g.table();
    assert!(table.values.iter().all(|(k, _)| k != "request.id"));
    assert!(table
        .values
        .iter()
        .any(|(k, v)| k == "tenant.id" && v == "tenant-3"));
    let r = table.rank(Slow::default());
    assert!(r
        .explanations
        .iter()
        .all(|e| !e.sentence.contains("tenant") && !e.sentence.contains("req-")));
    // A value on every trace explains nothing, however much time is under it.
    assert!(r
        .explanations
        .iter()
        .all(|e| !e.sentence.contains("postgresql") && !e.sentence.contains("/charge")));
}

/// Orders read item by item, back to back (5 ms each): 3 items in most
/// traces, 40 and 30 in traces 4 and 15.
fn orders(i: usize) -> Trace {
    let items = match i {
        4 => 40,
        15 => 30,
        _ => 3,
    };
    let mut spans = vec![sp("r", None, "web", "GET /orders", 0, 2 + 5 * items + 3)];
    for k in 0..items {
        spans.push(
            sp(
                &format!("i{k}"),
                Some("r"),
                "orders-db",
                "SELECT item",
                2 + 5 * k,
                5,
            )
            .attr("db.system", "postgresql"),
        );
    }
    trace(i, &[], &spans)
}

#[test]
fn more_calls_in_the_slow_traces_are_the_size_of_an_n_plus_one() {
    let g = Group::new((0..20).map(orders).collect());
    let r = g.rank(Slow::default());
    assert_eq!(sorted(r.slow_traces.clone()), [4, 15]);
    assert_eq!(
        kinds(&r),
        [
            Kind::OperationTime,
            Kind::Calls {
                slow: 35.0,
                rest: 3.0
            }
        ]
    );
    // 32 more calls of 5 ms: all of the gap.
    assert_eq!(r.gap_ns(), 160 * MS);
    for e in &r.explanations {
        assert_eq!(e.subject, operation("orders-db", "SELECT item"));
        assert_eq!(e.extra_ns, 160 * MS);
        assert_eq!(support(e), (2, 2, 0, 18));
    }
    let calls = &r.explanations[1];
    assert_eq!(example_traces(calls), [4, 15]);
    assert_eq!(
        calls.sentence,
        "In the 2 slowest traces (≥ p95, 155 ms), SELECT item in orders-db ran 35 times per trace, against 3 in the others; the extra calls took 160 ms on the critical path, 100 % of the tail. 2 of the 2 made 19 calls or more, against 0 % of the others."
    );
    assert!(
        r.explanations[0]
            .sentence
            .contains("took 160 ms more than usual (35 calls per trace, against 3);"),
        "{}",
        r.explanations[0].sentence
    );
}

/// A page: a cache read then a query. Traces 20–25 wait 200 ms more on
/// the cache; 28 and 29 wait 1 s more on the query.
fn page(i: usize) -> Trace {
    let cache = 10 + if (20..=25).contains(&i) { 200 } else { 0 };
    let query = 80 + (i % 3) as i64 + if i >= 28 { 1_000 } else { 0 };
    trace(
        i,
        &[],
        &[
            sp("r", None, "web", "GET /page", 0, cache + query + 10),
            sp("c", Some("r"), "cache", "GET", 5, cache),
            sp("q", Some("r"), "db", "SELECT page", 5 + cache, query),
        ],
    )
}

#[test]
fn a_brushed_range_ranks_its_own_traces_against_all_others() {
    let g = Group::new((0..30).map(page).collect());
    let table = g.table();
    let tail = table.rank(Slow::default());
    assert_eq!(sorted(tail.slow_traces.clone()), [28, 29]);
    assert_eq!(tail.explanations[0].subject, operation("db", "SELECT page"));

    // Brush the middle of the histogram, from 250 ms to 400 ms.
    let h = table.histogram(DURATION_BINS);
    assert_eq!(h.scale, Scale::Log);
    let width = 400.0;
    let (x0, x1) = (h.position(250 * MS) * width, h.position(400 * MS) * width);
    let brushed = h.brushed(x1, x0, width).expect("a range");
    let middle = table.rank(brushed);
    assert_eq!(
        sorted(middle.slow_traces.clone()),
        (20..=25).collect::<Vec<_>>()
    );
    // The rest holds the two slowest: their query is no explanation here.
    assert_eq!(middle.rest_traces, 24);
    let top = &middle.explanations[0];
    assert_eq!(top.subject, operation("cache", "GET"));
    assert_eq!(top.kind, Kind::OperationTime);
    assert_eq!(top.extra_ns, 200 * MS);
    assert_eq!(support(top), (6, 6, 0, 24));
    assert!(middle
        .explanations
        .iter()
        .all(|e| e.subject != operation("db", "SELECT page")));
    let Slow::Range { from_ns, to_ns } = brushed else {
        panic!("{brushed:?}");
    };
    let lead = format!(
        "In the 6 traces between {} and {}, GET in cache took 200 ms more than usual; it explains 100 % of their extra time.",
        describe::format_duration(from_ns),
        describe::format_duration(to_ns)
    );
    assert!(middle.sentence.starts_with(&lead), "{}", middle.sentence);
}

/// A checkout that calls charge once (50 ms); traces 18 and 19 first
/// fail a 500 ms charge and retry it.
fn checkout(i: usize) -> Trace {
    let mut spans = vec![sp("r", None, "shop", "POST /checkout", 0, 0)];
    let mut at = 5;
    if i >= 18 {
        spans.push(sp("fail", Some("r"), "payments", "charge", at, 500).failed());
        at += 500;
    }
    spans.push(sp(
        "ok",
        Some("r"),
        "payments",
        "charge",
        at,
        50 + (i % 2) as i64,
    ));
    spans[0].dur = at + 60;
    trace(i, &[], &spans)
}

#[test]
fn failed_calls_retried_on_the_critical_path_are_errors() {
    let g = Group::new((0..20).map(checkout).collect());
    let r = g.rank(Slow::default());
    assert_eq!(sorted(r.slow_traces.clone()), [18, 19]);
    let errors = r
        .explanations
        .iter()
        .find(|e| matches!(e.kind, Kind::Errors { .. }))
        .expect("errors ranked");
    assert_eq!(errors.kind, Kind::Errors { retried: 2 });
    assert_eq!(errors.subject, operation("payments", "charge"));
    assert_eq!(errors.extra_ns, 500 * MS);
    assert_eq!(support(errors), (2, 2, 0, 18));
    assert_eq!(example_traces(errors), [19, 18]);
    assert_eq!(errors.examples[0].span, g.traces[19].find_span("fail"));
    assert!(
        errors
            .sentence
            .contains("failed calls on the critical path, the first in charge in payments, cost 500 ms more than usual"),
        "{}",
        errors.sentence
    );
    assert!(errors
        .sentence
        .ends_with("2 of the 2 had them, 2 with a retry, against 0 % of the others."));
}

/// A request that calls inventory (100 ms on `inventory-a`; 300 ms on
/// `inventory-b` in traces 18 and 19 and, at 100 ms, in trace 3), then
/// computes for 50 ms (200 ms in 18 and 19).
fn stock(i: usize) -> Trace {
    let slow = i >= 18;
    let peer = if slow || i == 3 {
        "inventory-b"
    } else {
        "inventory-a"
    };
    let call = if slow { 300 } else { 100 };
    let compute = if slow { 200 } else { 50 };
    trace(
        i,
        &[],
        &[
            sp("r", None, "shop", "GET /stock", 0, 10 + call + compute),
            Sp {
                kind: SpanKind::Client,
                ..sp("call", Some("r"), "shop", "GET /inventory", 10, call)
            }
            .attr("peer.service", peer),
            sp("compute", Some("r"), "shop", "compute", 10 + call, compute),
        ],
    )
}

/// The time a value accounts for is the time under it beyond the usual
/// time under its key, times the difference of shares.
#[test]
fn an_attribute_weighs_the_time_under_it_beyond_the_usual() {
    let g = Group::new((0..20).map(stock).collect());
    let r = g.rank(Slow::default());
    assert_eq!(sorted(r.slow_traces.clone()), [18, 19]);
    assert_eq!(r.gap_ns(), 350 * MS);
    let order: Vec<(Kind, i64)> = r
        .explanations
        .iter()
        .map(|e| (e.kind, e.extra_ns))
        .collect();
    // (1 − 1/18) × (300 ms − 100 ms usual under peer.service).
    assert_eq!(
        order,
        [
            (Kind::OperationTime, 200 * MS),
            (Kind::Attribute, 188_888_889),
            (Kind::OperationTime, 150 * MS),
        ]
    );
    let peer = &r.explanations[1];
    assert_eq!(support(peer), (2, 2, 1, 18));
    assert!(peer
        .sentence
        .contains("2 of the 2 called `inventory-b`, against 6 % of the others"));
    assert_eq!(peer.examples[0].span, g.traces[19].find_span("call"));
    assert_eq!(
        r.explanations[0].subject,
        operation("shop", "GET /inventory")
    );
    assert_eq!(r.explanations[2].subject, operation("shop", "compute"));
}

#[test]
fn percentile_edges_never_panic_and_say_why_nothing_is_ranked() {
    // No traces.
    let empty = Group::new(Vec::new());
    let r = empty.rank(Slow::default());
    assert!(r.explanations.is_empty() && r.slow_traces.is_empty());
    assert_eq!(r.sentence, "There are no traces to compare.");
    assert!(empty.table().histogram(DURATION_BINS).counts.is_empty());

    // One trace.
    let one = Group::new(vec![charge(0, "p", 0)]);
    let r = one.rank(Slow::default());
    assert_eq!(r.slow_traces, [0]);
    assert_eq!(r.rest_traces, 0);
    assert!(r.explanations.is_empty());
    assert_eq!(
        r.sentence,
        "There is only one trace: there are no others to compare it with."
    );

    // All the same duration: all are at or above any percentile.
    let same = Group::new((0..10).map(|i| charge(i * 5, "p", 0)).collect());
    let r = same.rank(Slow::Percentile(95.0));
    assert_eq!(r.slow_traces.len(), 10);
    assert!(r.explanations.is_empty());
    assert_eq!(
        r.sentence,
        "All 10 traces are at or above p95 (70.0 ms): there are no others to compare them with."
    );

    let g = charges();
    // p100 is the slowest alone; p0 and a NaN are all and the default.
    let r = g.rank(Slow::Percentile(100.0));
    assert_eq!(r.slow_traces, [13]);
    assert_eq!(
        r.explanations[0].subject,
        operation("payments-db", "SELECT payments")
    );
    // One slow trace is not enough for an attribute value.
    assert!(kinds(&r).iter().all(|&k| k != Kind::Attribute));
    assert_eq!(g.rank(Slow::Percentile(0.0)).rest_traces, 0);
    assert_eq!(g.rank(Slow::Percentile(f64::NAN)).slow_traces.len(), 2);
    assert_eq!(g.rank(Slow::Percentile(250.0)).slow_traces, [13]);

    // A range with no trace, and one of the fastest (not slower).
    let r = g.rank(Slow::Range {
        from_ns: 500 * MS,
        to_ns: 600 * MS,
    });
    assert!(r.slow_traces.is_empty() && r.explanations.is_empty());
    assert_eq!(r.sentence, "No trace lasted between 500 ms and 600 ms.");
    let r = g.rank(Slow::Range {
        from_ns: 71 * MS,
        to_ns: 0,
    });
    assert_eq!(sorted(r.slow_traces.clone()), [0, 1, 5, 6, 10, 11, 15, 16]);
    assert!(r.explanations.is_empty());
    assert!(
        r.sentence.starts_with("The 8 traces between 0 ns and 71.0 ms took 70.5 ms on average, no longer than the 12 others"),
        "{}",
        r.sentence
    );
}

#[test]
fn a_trace_missing_from_the_traces_is_skipped() {
    let g = charges();
    let r = rank(&g.pairs(), &[0, 1, 99, 7, 13], Slow::default());
    assert_eq!(r.slow_traces.len() + r.rest_traces, 4);
}

#[test]
fn percentiles_are_nearest_rank() {
    let v: Vec<i64> = (1..=20).collect();
    assert_eq!(percentile(&v, 95.0), 19);
    assert_eq!(percentile(&v, 100.0), 20);
    assert_eq!(percentile(&v, 0.0), 1);
    assert_eq!(percentile(&[], 50.0), 0);
}
