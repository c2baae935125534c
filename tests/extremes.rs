//! Time at the limits of `i64` (issue #18): traces whose starts and
//! durations are anywhere from `i64::MIN` to `i64::MAX`, as a hostile or
//! broken file can give them, go through the whole engine (build,
//! analysis with its findings and savings, statistics, the summary and its
//! slow-vs-rest ranking, a comparison) without an arithmetic overflow.
//! The tests run with overflow checks on (`cargo test`'s profile), so an
//! overflow is a panic here, where a release build would silently give a
//! wrong answer.

use proptest::prelude::*;
use traceglass::analysis::compare::compare;
use traceglass::analysis::summary::summarize;
use traceglass::analysis::tail::{self, Slow};
use traceglass::analysis::{statistics, GroupBy, TraceAnalysis};
use traceglass::model::{AttrValue, SpanInput, SpanKind, Status, StatusCode, Trace, TraceBuilder};

/// Times that break arithmetic: the limits, near them, zero, and ordinary.
fn extreme() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(i64::MAX),
        Just(i64::MIN),
        Just(i64::MAX - 1),
        Just(i64::MIN + 1),
        Just(i64::MAX / 2),
        Just(i64::MIN / 2),
        Just(0i64),
        Just(-1i64),
        (0i64..1_000_000_000),
        any::<i64>(),
    ]
}

/// (parent choice, start, duration, error, same name as the previous, kind roll).
type Raw = (u32, i64, i64, bool, bool, u8);

fn raw() -> impl Strategy<Value = Vec<Raw>> {
    proptest::collection::vec(
        (
            any::<u32>(),
            extreme(),
            extreme(),
            any::<bool>(),
            any::<bool>(),
            0u8..4,
        ),
        1..30,
    )
}

fn build(id: &str, raw: &[Raw]) -> Trace {
    let mut b = TraceBuilder::new(id);
    let services = [b.service("web", vec![]), b.service("db", vec![])];
    let mut name = 0usize;
    for (i, &(parent, start, duration, error, same, kind)) in raw.iter().enumerate() {
        if !same {
            name += 1;
        }
        let parent_span_id =
            (i > 0 && parent % 5 != 0).then(|| format!("{:016x}", parent as usize % i));
        let attributes = vec![
            b.attribute(
                "db.statement",
                AttrValue::Str(format!("SELECT * FROM t{} WHERE id = {i}", name % 3)),
            ),
            b.attribute("k8s.pod.name", AttrValue::Str(format!("pod-{}", name % 2))),
        ];
        let sym = b.intern(&format!("op-{}", name % 4));
        b.push(SpanInput {
            span_id: format!("{i:016x}"),
            parent_span_id,
            service: services[i % 2],
            name: sym,
            kind: [
                SpanKind::Internal,
                SpanKind::Client,
                SpanKind::Server,
                SpanKind::Producer,
            ][kind as usize],
            start_ns: Some(start),
            duration_ns: Some(duration),
            status: Status {
                code: if error {
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_engine_never_overflows_at_the_limits(a in raw(), b in raw(), c in raw()) {
        let traces = [build("a", &a), build("b", &b), build("c", &c)];
        let analyses: Vec<TraceAnalysis> = traces.iter().map(TraceAnalysis::new).collect();
        for (t, an) in traces.iter().zip(&analyses) {
            prop_assert!(t.duration_ns() >= 0, "a trace's duration is never negative");
            for f in &an.findings {
                prop_assert!(f.time_at_stake_ns >= 0);
                if let Some(s) = f.saving {
                    prop_assert!(s.saved_ns >= 0);
                }
            }
            let _ = statistics(t, &an.self_time_ns, &an.critical_path, &GroupBy::Operation, Some(&GroupBy::Attribute("k8s.pod.name".into())));
        }
        let pairs: Vec<(&Trace, &TraceAnalysis)> = traces.iter().zip(&analyses).collect();
        let _ = summarize(&pairs);
        for slow in [Slow::Percentile(50.0), Slow::Range { from_ns: i64::MIN, to_ns: i64::MAX }] {
            let _ = tail::rank(&pairs, &[0, 1, 2], slow);
        }
        let _ = compare(pairs[0], pairs[1]);
    }
}
