//! One hand-built trace per finding kind, one where no finding applies, and
//! the real HotROD capture, whose N+1 and fan-out must both be found.

mod common;

use traceglass::analysis::{Finding, FindingKind, FixModel, TraceAnalysis};
use traceglass::import::import_bytes;
use traceglass::model::{AttrValue, SpanInput, SpanKind, Status, StatusCode, Trace, TraceBuilder};

const MS: i64 = 1_000_000;

struct S<'a> {
    id: &'a str,
    parent: Option<&'a str>,
    service: &'a str,
    name: &'a str,
    kind: SpanKind,
    start_ms: f64,
    dur_ms: f64,
    attrs: Vec<(&'a str, &'a str)>,
    error: bool,
}

fn s<'a>(
    id: &'a str,
    parent: Option<&'a str>,
    service: &'a str,
    name: &'a str,
    start_ms: f64,
    dur_ms: f64,
) -> S<'a> {
    S {
        id,
        parent,
        service,
        name,
        kind: SpanKind::Internal,
        start_ms,
        dur_ms,
        attrs: vec![],
        error: false,
    }
}

fn build(spans: Vec<S>) -> Trace {
    let mut b = TraceBuilder::new("t");
    for sp in spans {
        let service = b.service(sp.service, vec![]);
        let attributes = sp
            .attrs
            .iter()
            .map(|(k, v)| b.attribute(k, AttrValue::Str(v.to_string())))
            .collect();
        let name = b.intern(sp.name);
        b.push(SpanInput {
            span_id: sp.id.to_string(),
            parent_span_id: sp.parent.map(str::to_string),
            service,
            name,
            kind: sp.kind,
            start_ns: Some((sp.start_ms * MS as f64) as i64),
            duration_ns: Some((sp.dur_ms * MS as f64) as i64),
            status: Status {
                code: if sp.error {
                    StatusCode::Error
                } else {
                    StatusCode::Unset
                },
                message: String::new(),
            },
            attributes,
            ..Default::default()
        });
    }
    b.build()
}

fn kinds(a: &TraceAnalysis) -> Vec<FindingKind> {
    a.findings.iter().map(|f| f.kind).collect()
}

/// The first finding of `kind`, which the test expects (`what` says which).
fn first_of<'a>(a: &'a TraceAnalysis, kind: FindingKind, what: &str) -> &'a Finding {
    a.findings
        .iter()
        .find(|f| f.kind == kind)
        .unwrap_or_else(|| panic!("{what}: {:#?}", a.findings))
}

#[test]
fn dominant_external_call() {
    let t = build(vec![
        S {
            kind: SpanKind::Server,
            ..s("1", None, "store-front", "GET /checkout", 0.0, 2310.0)
        },
        S {
            kind: SpanKind::Client,
            attrs: vec![
                ("db.system", "postgresql"),
                (
                    "db.statement",
                    "SELECT qty FROM inventory WHERE sku = 'A-1'",
                ),
            ],
            ..s("2", Some("1"), "store-front", "SELECT", 10.0, 3.0)
        },
        S {
            kind: SpanKind::Client,
            attrs: vec![("peer.service", "payment-gateway")],
            ..s("3", Some("1"), "store-front", "POST /charge", 50.0, 2220.0)
        },
    ]);
    let a = TraceAnalysis::new(&t);
    assert_eq!(a.findings[0].kind, FindingKind::DominantOperation);
    assert_eq!(
        a.headline,
        "GET /checkout (store-front) took 2.31 s. 96 % of it was waiting on the call to payment-gateway (POST /charge, 2.22 s). \
         The postgresql query SELECT qty FROM inventory WHERE sku = ? took 3.00 ms."
    );
}

#[test]
fn sequential_repetition_tells_statements_apart() {
    let ids: Vec<String> = (0..100).map(|i| format!("c{i}")).collect();
    let stmts: Vec<String> = (0..85)
        .map(|i| format!("SELECT * FROM invoice_lines WHERE invoice_id = {i}"))
        .collect();
    let mut spans = vec![S {
        kind: SpanKind::Server,
        ..s("root", None, "billing", "GET /invoices", 0.0, 512.0)
    }];
    // Three other SELECTs, also named just "SELECT", with another statement.
    for (i, id) in ids.iter().take(3).enumerate() {
        spans.push(S {
            kind: SpanKind::Client,
            attrs: vec![
                ("db.system", "sqlite"),
                ("db.statement", "SELECT name FROM customers WHERE id = 7"),
            ],
            ..s(
                id,
                Some("root"),
                "billing",
                "SELECT",
                1.0 + i as f64 * 2.0,
                1.5,
            )
        });
    }
    for (i, id) in ids.iter().skip(3).take(85).enumerate() {
        spans.push(S {
            kind: SpanKind::Client,
            attrs: vec![("db.system", "sqlite"), ("db.statement", stmts[i].as_str())],
            ..s(
                id,
                Some("root"),
                "billing",
                "SELECT",
                10.0 + i as f64 * 5.0,
                5.0,
            )
        });
    }
    let t = build(spans);
    let a = TraceAnalysis::new(&t);
    let f = first_of(&a, FindingKind::SequentialRepetition, "an N+1 finding");
    assert_eq!(f.evidence.len(), 85);
    assert_eq!(
        a.headline,
        "GET /invoices (billing) took 512 ms: 85 sequential SELECT * FROM invoice_lines WHERE invoice_id = ? calls \
         from GET /invoices took 425 ms (83 %), an N+1 query pattern. Fixing this would make the request about \
         420 ms faster (82 %), with the calls batched into one call of their median duration (5.00 ms)."
    );
    // Batched, the first call takes the median (5 ms) and the other 84 go:
    // 84 × 5 ms, by construction.
    assert_eq!(f.time_at_stake_ns, 420 * MS);
    let saving = f.saving.expect("a computed saving");
    assert_eq!(saving.saved_ns, 420 * MS);
    assert_eq!(saving.new_duration_ns, 92 * MS);
    assert_eq!(
        saving.model,
        FixModel::Batched {
            calls: 85,
            median_ns: 5 * MS
        }
    );
}

#[test]
fn fan_out_straggler() {
    let t = build(vec![
        s("p", None, "api", "GET /search", 0.0, 410.0),
        S {
            kind: SpanKind::Client,
            ..s("a", Some("p"), "api", "query shard", 5.0, 100.0)
        },
        S {
            kind: SpanKind::Client,
            ..s("b", Some("p"), "api", "query shard", 5.0, 110.0)
        },
        S {
            kind: SpanKind::Client,
            ..s("c", Some("p"), "api", "query shard", 5.0, 90.0)
        },
        S {
            kind: SpanKind::Client,
            ..s("d", Some("p"), "api", "query shard", 5.0, 400.0)
        },
    ]);
    let a = TraceAnalysis::new(&t);
    let f = first_of(&a, FindingKind::FanOut, "a fan-out finding");
    assert_eq!(f.evidence[0], t.find_span("d").unwrap());
    // At the median, d ends with b, at 115 ms, 290 ms sooner.
    assert_eq!(f.time_at_stake_ns, 290 * MS, "{}", f.sentence);
    assert_eq!(f.saving.map(|s| s.new_duration_ns), Some(120 * MS));
    assert!(
        f.sentence.ends_with(
            "4.0× the others' median of 100 ms. Fixing this would make the request about 290 ms \
             faster (71 %), with the last one at the others' median."
        ),
        "{}",
        f.sentence
    );
}

#[test]
fn errors_and_retries_on_the_critical_path() {
    let t = build(vec![
        s("r", None, "shop", "checkout", 0.0, 160.0),
        S {
            kind: SpanKind::Client,
            error: true,
            ..s("1", Some("r"), "shop", "charge card", 5.0, 100.0)
        },
        S {
            kind: SpanKind::Client,
            ..s("2", Some("r"), "shop", "charge card", 106.0, 50.0)
        },
    ]);
    let a = TraceAnalysis::new(&t);
    let f = first_of(&a, FindingKind::ErrorsOnPath, "an errors finding");
    // The failed attempt (100 ms) and the back-off (1 ms) go; the retry
    // starts at 5 ms, where the attempt did.
    assert_eq!(f.time_at_stake_ns, 101 * MS);
    assert_eq!(
        f.saving.map(|s| (s.new_duration_ns, s.model)),
        Some((59 * MS, FixModel::RetriesRemoved { attempts: 1 }))
    );
    assert_eq!(
        f.sentence,
        "1 failed span on the critical path (charge card) spent 100 ms in failed attempts; 1 was followed by a \
         retry of the same operation. Fixing this would make the request about 101 ms faster (63 %), with the \
         retried attempt and the wait before its retry removed."
    );
}

#[test]
fn uninstrumented_gap() {
    let t = build(vec![
        s("r", None, "worker", "job", 0.0, 1000.0),
        s("1", Some("r"), "worker", "load", 0.0, 100.0),
        s("2", Some("r"), "worker", "store", 800.0, 100.0),
    ]);
    let a = TraceAnalysis::new(&t);
    let f = first_of(&a, FindingKind::Uninstrumented, "an uninstrumented finding");
    assert_eq!(f.time_at_stake_ns, 700 * MS);
    assert!(kinds(&a).contains(&FindingKind::DominantOperation));
}

#[test]
fn no_finding_applies_and_the_headline_is_still_a_sentence() {
    let t = build(vec![s("r", None, "cron", "tick", 0.0, 10.0)]);
    let a = TraceAnalysis::new(&t);
    assert_eq!(kinds(&a), vec![FindingKind::DominantOperation]);
    assert_eq!(a.headline, "tick (cron) took 10.0 ms. 100 % of it was tick itself (10.0 ms), not waiting on any other span.");

    let t = build(vec![s("r", None, "cron", "tick", 0.0, 0.0)]);
    let a = TraceAnalysis::new(&t);
    assert!(a.findings.is_empty());
    assert_eq!(
        a.headline,
        "tick (cron) took 0 ns. No span has a duration, so nothing is on the critical path."
    );
}

#[test]
fn hotrod_n_plus_one_and_fan_out_are_found() {
    let path = common::fixtures_dir().join("otlp/hotrod-40spans-6services.json");
    let imp = import_bytes("hotrod", &std::fs::read(path).unwrap()).unwrap();
    let t = &imp.traces[0];
    let a = TraceAnalysis::new(t);
    let n1 = first_of(&a, FindingKind::SequentialRepetition, "N+1");
    assert_eq!(n1.evidence.len(), 13);
    assert!(n1
        .evidence
        .iter()
        .all(|&e| t.span_name(&t.spans[e as usize]) == "GetDriver"));
    let fan = first_of(&a, FindingKind::FanOut, "fan-out");
    assert!(fan.evidence.len() >= 10, "{}", fan.sentence);
    assert!(
        fan.sentence.contains("HTTP GET to route"),
        "{}",
        fan.sentence
    );
    assert!(
        fan.sentence.contains("at most 3 at a time"),
        "{}",
        fan.sentence
    );
    assert!(a
        .findings
        .iter()
        .any(|f| f.kind == FindingKind::ErrorsOnPath));
}

#[test]
fn a_throttled_fan_out_all_at_once() {
    // Nine calls of 30 ms, three at a time, then 10 ms of the parent's own.
    let mut spans = vec![s("p", None, "api", "GET /report", 0.0, 100.0)];
    let ids = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for (i, id) in ids.iter().enumerate() {
        spans.push(S {
            kind: SpanKind::Client,
            ..s(
                id,
                Some("p"),
                "api",
                "fetch page",
                (i / 3) as f64 * 30.0,
                30.0,
            )
        });
    }
    let a = TraceAnalysis::new(&build(spans));
    let f = first_of(&a, FindingKind::FanOut, "a fan-out finding");
    // All started at 0, they end at 30 ms; the parent 10 ms after.
    assert_eq!(f.time_at_stake_ns, 60 * MS, "{}", f.sentence);
    assert_eq!(
        f.saving.map(|s| (s.new_duration_ns, s.model)),
        Some((40 * MS, FixModel::AllAtOnce { calls: 9 }))
    );
    assert!(
        f.sentence.ends_with(
            "at most 3 at a time; together they took 90.0 ms, while the slowest alone took 30.0 ms. \
             Fixing this would make the request about 60.0 ms faster (60 %), with all of them started at once."
        ),
        "{}",
        f.sentence
    );
}

#[test]
fn an_n_plus_one_beside_a_longer_call_would_save_nothing() {
    // Five 10 ms look-ups one after the other, while a 90 ms call runs.
    let mut spans = vec![
        s("r", None, "web", "GET /", 0.0, 100.0),
        S {
            kind: SpanKind::Client,
            attrs: vec![("peer.service", "search")],
            ..s("slow", Some("r"), "web", "POST /search", 5.0, 90.0)
        },
    ];
    let ids = ["l0", "l1", "l2", "l3", "l4"];
    for (i, id) in ids.iter().enumerate() {
        spans.push(s(
            id,
            Some("r"),
            "web",
            "lookup",
            5.0 + i as f64 * 10.0,
            10.0,
        ));
    }
    let a = TraceAnalysis::new(&build(spans));
    let f = first_of(&a, FindingKind::SequentialRepetition, "an N+1 finding");
    assert_eq!(f.time_at_stake_ns, 0);
    assert_eq!(f.saving.map(|s| s.new_duration_ns), Some(100 * MS));
    assert!(
        f.sentence.ends_with(
            "Fixing this would not make the request faster, even with the calls batched into one call of \
             their median duration (10.0 ms): other work would end no sooner."
        ),
        "{}",
        f.sentence
    );
}

#[test]
fn failures_not_retried_claim_no_saving() {
    let t = build(vec![
        s("r", None, "shop", "checkout", 0.0, 100.0),
        S {
            kind: SpanKind::Client,
            error: true,
            ..s("1", Some("r"), "shop", "charge card", 5.0, 90.0)
        },
    ]);
    let a = TraceAnalysis::new(&t);
    let f = first_of(&a, FindingKind::ErrorsOnPath, "an errors finding");
    // No counterfactual: the estimate (the time in the failure) stays.
    assert_eq!(f.saving, None);
    assert_eq!(f.time_at_stake_ns, 90 * MS);
    assert!(
        f.sentence.ends_with(
            "It was not retried, so no saving is computed: its work would still be needed."
        ),
        "{}",
        f.sentence
    );

    // One retried attempt, and another failure that nothing retried.
    let t = build(vec![
        s("r", None, "shop", "checkout", 0.0, 200.0),
        S {
            kind: SpanKind::Client,
            error: true,
            ..s("1", Some("r"), "shop", "charge card", 0.0, 50.0)
        },
        S {
            kind: SpanKind::Client,
            ..s("2", Some("r"), "shop", "charge card", 60.0, 40.0)
        },
        S {
            kind: SpanKind::Client,
            error: true,
            ..s("3", Some("r"), "shop", "send receipt", 100.0, 100.0)
        },
    ]);
    let a = TraceAnalysis::new(&t);
    let f = first_of(&a, FindingKind::ErrorsOnPath, "an errors finding");
    assert_eq!(f.time_at_stake_ns, 60 * MS, "{}", f.sentence);
    assert!(
        f.sentence.ends_with(
            "with the retried attempt and the wait before its retry removed (the failure that was not \
             retried is kept: its work would still be needed)."
        ),
        "{}",
        f.sentence
    );
}

#[test]
fn the_dominant_operation_and_uninstrumented_time_keep_their_estimate() {
    let t = build(vec![
        s("r", None, "worker", "job", 0.0, 1000.0),
        s("1", Some("r"), "worker", "load", 0.0, 100.0),
        s("2", Some("r"), "worker", "store", 800.0, 100.0),
    ]);
    let a = TraceAnalysis::new(&t);
    for f in &a.findings {
        assert_eq!(f.saving, None, "{:?}", f.kind);
        assert!(!f.sentence.contains("Fixing this"), "{}", f.sentence);
    }
    assert!(kinds(&a).contains(&FindingKind::Uninstrumented));
}

/// The dominant operation ran four queries of two statements: the sentence
/// names the longest and says its count covers both.
#[test]
fn the_dominant_operation_says_when_its_runs_differ_in_statement() {
    let q = |id, start, dur, sql| S {
        attrs: vec![("db.system", "postgresql"), ("db.statement", sql)],
        ..s(id, Some("r"), "db", "query", start, dur)
    };
    let t = build(vec![
        s("r", None, "web", "GET /", 0.0, 100.0),
        q("1", 1.0, 30.0, "SELECT * FROM orders WHERE id = 1"),
        q("2", 32.0, 20.0, "SELECT * FROM items WHERE order_id = 1"),
        q("3", 53.0, 20.0, "SELECT * FROM items WHERE order_id = 2"),
        q("4", 74.0, 20.0, "SELECT * FROM orders WHERE id = 2"),
    ]);
    let a = TraceAnalysis::new(&t);
    let f = first_of(&a, FindingKind::DominantOperation, "a dominant operation");
    assert!(
        f.sentence
            .starts_with("The postgresql query SELECT * FROM orders WHERE id = ? (90.0 ms)"),
        "{}",
        f.sentence
    );
    assert!(
        f.sentence
            .ends_with("It ran 4 times on the path, with 2 different statements."),
        "{}",
        f.sentence
    );
}
