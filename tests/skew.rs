//! Clock-skew correction on the real cases of ../shared/fixtures, and its
//! corrected traces against the builder's own normalisation.
//!
//! The CRISP oracle (`tests/crisp.rs`) and the fixture snapshots
//! (`tests/fixtures.rs`) read the traces as recorded: the snapshots show
//! what the importers produce, and CRISP computes its critical path from
//! the recorded times with its own skew tolerance. The correction moves
//! nothing in any CRISP file (checked here), so the oracle holds for the
//! trace the app shows as well.

mod common;

use proptest::prelude::*;
use traceglass::analysis::skew::{correct, plan_paced, Corrected};
use traceglass::analysis::TraceAnalysis;
use traceglass::import::import_bytes;
use traceglass::model::pace::{self, NoPause};
use traceglass::model::{SpanKind, Trace};

fn fixture(rel: &str) -> Trace {
    let path = common::fixtures_dir().join(rel);
    let bytes = std::fs::read(&path).unwrap();
    let mut imported = import_bytes(rel, &bytes).unwrap();
    assert_eq!(imported.traces.len(), 1, "{rel}");
    imported.traces.remove(0)
}

fn ix(t: &Trace, id: &str) -> u32 {
    t.find_span(id).unwrap_or_else(|| panic!("no span {id}"))
}

/// Whether span `i` lies within its parent.
fn fits(t: &Trace, i: u32) -> bool {
    let s = &t.spans[i as usize];
    s.parent.is_none_or(|p| {
        let p = &t.spans[p as usize];
        s.start_ns >= p.start_ns && s.end_ns() <= p.end_ns()
    })
}

/// Zipkin's own example: serviceb's server span (shared id) and the span
/// it started report times 65.4 ms before servicea's client span. Both
/// are on host 192.0.0.0 and move together into the client span, centred
/// ((94,539 − 93,577) / 2 = 481 µs each way): +65.922 ms.
#[test]
fn zipkin_server_before_its_client_is_moved_into_it() {
    let t = fixture("zipkin/skew-child-before-parent.json");
    let Corrected {
        trace: c,
        adjustments,
    } = correct(&t).expect("skew corrected");
    let server = ix(&t, "74280ae0c10d8062:server");
    let started = ix(&t, "43210ae0c10d1234");
    let moved: Vec<(u32, i64)> = adjustments.iter().map(|a| (a.span, a.shift_ns)).collect();
    assert_eq!(moved, [(server, 65_922_000), (started, 65_922_000)]);
    assert!(!fits(&t, server));
    for i in 0..c.spans.len() as u32 {
        assert!(fits(&c, i), "{}", c.spans[i as usize].span_id);
    }
    let w = &c.spans[server as usize].warnings;
    assert_eq!(
        w.last().map(String::as_str),
        Some("clock skew: moved +65.9 ms into its client span servicea post (host 192.0.0.0's clock against host 127.0.0.0's)")
    );
    assert!(c.warnings.iter().any(|x| x.span == Some(server)));
    // The trace now starts with its root, 62.3 ms later than recorded.
    let root = c.main_root().unwrap();
    assert_eq!(c.start_ns, c.spans[root as usize].start_ns);
    assert_eq!(c.start_ns - t.start_ns, 62_307_000);
    assert_eq!(c.duration_ns(), c.spans[root as usize].duration_ns);
    // The same spans at the same indices.
    assert_eq!(c.spans.len(), t.spans.len());
    assert!(c
        .spans
        .iter()
        .zip(&t.spans)
        .all(|(a, b)| a.span_id == b.span_id));
}

/// The OpenTelemetry demo: frontend's `POST /api/cart` server span starts
/// 118 µs before frontend-proxy's client span. It is centred in it,
/// ((6,050 − 5,575.532) / 2 = 237.234 µs each way): +355.234 µs, with its
/// 10 spans. The three children that end after their parents are left:
/// two are on their parent's clock (frontend under frontend), the third
/// outlived a proxy that timed out after 15 s (longer than its parent,
/// and started within it).
#[test]
fn oteldemo_server_before_its_proxy_is_centred_in_it() {
    let t = fixture("otlp/oteldemo-timeout-clock-skew.json");
    let Corrected {
        trace: c,
        adjustments,
    } = correct(&t).expect("skew corrected");
    assert_eq!(adjustments.len(), 1);
    let a = &adjustments[0];
    let span = &c.spans[a.span as usize];
    assert_eq!(c.span_name(span), "POST /api/cart");
    assert_eq!(c.service_name(span), "frontend");
    assert_eq!(
        (a.shift_ns, a.total_ns, a.moved_with),
        (355_234, 355_234, 10)
    );
    assert!(!fits(&t, a.span) && fits(&c, a.span));
    assert_eq!(
        span.warnings.last().map(String::as_str),
        Some("clock skew: moved +355 µs into its client span frontend-proxy router frontend egress (frontend's clock against frontend-proxy's), with the 10 spans under it")
    );
    for &d in c.subtree(a.span) {
        let shift = c.spans[d as usize].start_ns - t.spans[d as usize].start_ns;
        assert_eq!(shift, 355_234);
    }
    let outside: Vec<&str> = (0..t.spans.len() as u32)
        .filter(|&i| !fits(&c, i))
        .map(|i| c.span_name(&c.spans[i as usize]))
        .collect();
    assert_eq!(
        outside,
        [
            "oteldemo.ProductCatalogService/GetProduct",
            "executing api route (pages) /api/cart",
            "POST"
        ]
    );
    // The analysis of the corrected trace reads the corrected times: the
    // proxy's client span waits 237 µs before and after the server (not
    // 592 µs after it alone), so it has less critical-path time.
    let recorded = TraceAnalysis::new(&t);
    let corrected = TraceAnalysis::new(&c);
    assert_eq!(recorded.critical_path.time_of(a.parent), 592_468);
    assert_eq!(corrected.critical_path.time_of(a.parent), 2 * 237_234);
}

/// Nothing to correct in CRISP's files (no client and server on two
/// clocks that do not fit), so the oracle's trace is the one shown.
#[test]
fn crisp_traces_need_no_correction() {
    for path in common::fixture_files("crisp") {
        let bytes = std::fs::read(&path).unwrap();
        let imported = import_bytes(&path.display().to_string(), &bytes).unwrap();
        for t in &imported.traces {
            assert!(correct(t).is_none(), "{}", path.display());
        }
    }
}

const KINDS: [SpanKind; 5] = [
    SpanKind::Internal,
    SpanKind::Server,
    SpanKind::Client,
    SpanKind::Producer,
    SpanKind::Consumer,
];

/// Raw choices per span: (parent choice, root roll, start, duration, kind,
/// follows roll, service).
type Raw = (u32, u8, i64, i64, usize, u8, usize);

fn spans() -> impl Strategy<Value = Vec<common::RandomSpan>> {
    let raw = (
        any::<u32>(),
        0u8..100,
        -500i64..1_500,
        0i64..1_000,
        0usize..KINDS.len(),
        0u8..100,
        0usize..4,
    );
    prop::collection::vec(raw, 1..=50).prop_map(|raw: Vec<Raw>| {
        raw.into_iter()
            .enumerate()
            .map(
                |(i, (sel, root, start, duration, kind, follows, service))| common::RandomSpan {
                    parent: (i > 0 && root >= 10).then(|| sel as usize % i),
                    follows_from: follows < 10,
                    start,
                    duration,
                    kind: KINDS[kind],
                    service,
                    name: i % 5,
                },
            )
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The corrected trace is the trace the builder makes of the moved
    /// spans: the same tree order, roots, children, depths and extent.
    /// Each moved span fits its parent, unless it is longer than it or
    /// may outlive it (then it starts with it).
    #[test]
    fn a_corrected_trace_is_the_build_of_its_moved_spans(mut gen in spans()) {
        let services = ["web", "api", "db", "queue"];
        let t = common::random_trace(&gen, &services);
        let Some(Corrected { trace: c, adjustments }) = correct(&t) else {
            return Ok(());
        };
        for (g, (a, b)) in gen.iter_mut().zip(c.spans.iter().zip(&t.spans)) {
            g.start += a.start_ns - b.start_ns;
        }
        let rebuilt = common::random_trace(&gen, &services);
        prop_assert_eq!(&c.tree_order, &rebuilt.tree_order);
        prop_assert_eq!(&c.roots, &rebuilt.roots);
        prop_assert_eq!((c.start_ns, c.end_ns, c.max_depth), (rebuilt.start_ns, rebuilt.end_ns, rebuilt.max_depth));
        for i in 0..c.spans.len() as u32 {
            prop_assert_eq!(c.children(i), rebuilt.children(i));
            prop_assert_eq!(c.subtree(i), rebuilt.subtree(i));
            prop_assert_eq!(c.spans[i as usize].depth, rebuilt.spans[i as usize].depth);
        }
        for a in &adjustments {
            let (s, p) = (&c.spans[a.span as usize], &c.spans[a.parent as usize]);
            prop_assert!(s.start_ns >= p.start_ns, "{} starts before its parent", s.span_id);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A large trace is corrected in place and made again as recorded by
    /// undoing the plan (`ui::skew`): the undone trace is the recorded one
    /// (order, roots, children, times, warnings), and the corrected trace
    /// with its moves taken back is recognised as the same recording.
    #[test]
    fn a_plan_undone_gives_back_the_trace_as_recorded(gen in spans()) {
        let services = ["web", "api", "db", "queue"];
        let t = common::random_trace(&gen, &services);
        let Some(plan) = pace::now(plan_paced(&t, &mut NoPause)) else {
            return Ok(());
        };
        let moved = pace::now(t.clone().into_shifted_paced(&plan.shifts, plan.notes.clone(), &mut NoPause));
        let moves: Vec<(u32, i64)> = plan
            .shifts
            .iter()
            .enumerate()
            .filter(|(_, &by)| by != 0)
            .map(|(i, &by)| (i as u32, by))
            .collect();
        prop_assert!(moved.same_recording_moved(&moves, &t));
        let back = pace::now(moved.into_unshifted_paced(&plan.shifts, &plan.notes, &mut NoPause));
        prop_assert_eq!(&back.tree_order, &t.tree_order);
        prop_assert_eq!(&back.roots, &t.roots);
        prop_assert_eq!((back.start_ns, back.end_ns), (t.start_ns, t.end_ns));
        prop_assert_eq!(&back.warnings, &t.warnings);
        for i in 0..t.spans.len() as u32 {
            prop_assert_eq!(back.children(i), t.children(i));
            let (a, b) = (&back.spans[i as usize], &t.spans[i as usize]);
            prop_assert_eq!((a.start_ns, a.duration_ns, a.depth), (b.start_ns, b.duration_ns, b.depth));
            prop_assert_eq!(&a.warnings, &b.warnings);
        }
        prop_assert!(back.same_recording(&t));
    }
}

/// The bundled demo has no skew: the app shows it as `tests/demo.rs`
/// reads it.
#[test]
fn the_demo_needs_no_correction() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/public/demo/flask-slow-view.otlp.json"
    );
    let bytes = std::fs::read(path).unwrap();
    let imported = import_bytes("flask-slow-view.otlp.json", &bytes).unwrap();
    assert!(imported.traces.iter().all(|t| correct(t).is_none()));
}
