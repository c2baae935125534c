//! `analysis::flame` on random trees: every bar inside its parent's, the
//! bars of a row in order without overlapping, the uncovered part of a
//! span's bar its self time; merged across traces, every span in one node
//! and, by critical-path time, each bar as wide as its children and its
//! own time.

mod common;

use proptest::prelude::*;
use traceglass::analysis::flame::{merge, trace_flame, Flame, Weight};
use traceglass::analysis::{self_times, TraceAnalysis};
use traceglass::model::{SpanKind, Trace};

const EPS: f64 = 1e-9;

/// (parent choice, root roll, start offset, duration) of 1–60 spans.
fn trees() -> impl Strategy<Value = Vec<(u32, u8, i64, i64)>> {
    prop::collection::vec(
        (
            any::<u32>(),
            0u8..100,
            0i64..1_000,
            prop_oneof![Just(0i64), 0i64..600],
        ),
        1..=60,
    )
}

fn build(raw: &[(u32, u8, i64, i64)]) -> Trace {
    let spans: Vec<common::RandomSpan> = raw
        .iter()
        .enumerate()
        .map(|(i, &(sel, root, start, duration))| common::RandomSpan {
            parent: (i > 0 && root >= 5).then(|| sel as usize % i),
            follows_from: false,
            start,
            duration: if i == 0 { duration + 1_000 } else { duration },
            kind: SpanKind::Internal,
            service: i % 2,
            name: i % 3,
        })
        .collect();
    common::random_trace(&spans, &["a", "b"])
}

/// The items of a flame graph nest (each inside the one its subtree
/// starts under) and the items of one row come left to right.
fn check_nesting(f: &Flame) -> Result<(), TestCaseError> {
    let n = f.len();
    let mut open: Vec<usize> = Vec::new();
    for i in 0..n {
        while open.last().is_some_and(|&o| f.end[o] as usize <= i) {
            open.pop();
        }
        let parent = open.last().copied();
        prop_assert!(f.x0[i] >= -EPS && f.x1[i] <= 1.0 + EPS && f.x0[i] <= f.x1[i] + EPS);
        prop_assert!((f.end[i] as usize) > i && (f.end[i] as usize) <= n);
        if let Some(p) = parent {
            prop_assert_eq!(f.depth[i], f.depth[p] + 1);
            prop_assert!(f.x0[i] >= f.x0[p] - EPS && f.x1[i] <= f.x1[p] + EPS);
        } else {
            prop_assert_eq!(f.depth[i], 0);
        }
        open.push(i);
    }
    let mut last_in_row: Vec<f64> = Vec::new();
    for i in 0..n {
        let d = f.depth[i] as usize;
        if last_in_row.len() <= d {
            last_in_row.resize(d + 1, f64::MIN);
        }
        prop_assert!(
            f.x0[i] >= last_in_row[d] - EPS,
            "item {} overlaps the one before it in its row",
            i
        );
        last_in_row[d] = last_in_row[d].max(f.x1[i]);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn one_trace_nests_and_shows_self_time(raw in trees()) {
        let t = build(&raw);
        let f = trace_flame(&t);
        prop_assert_eq!(f.len(), t.spans.len());
        check_nesting(&f)?;
        // A span inside its parent's time, itself inside its parent's, up
        // to a root: its bar's part with no child below is its self time.
        let own = self_times(&t);
        let inside = |ix: u32| {
            let mut at = ix;
            while let Some(p) = t.spans[at as usize].parent {
                let (c, q) = (&t.spans[at as usize], &t.spans[p as usize]);
                if c.start_ns < q.start_ns || c.end_ns() > q.end_ns() {
                    return false;
                }
                at = p;
            }
            true
        };
        for (p, &ix) in t.tree_order.iter().enumerate() {
            let span = &t.spans[ix as usize];
            if span.duration_ns == 0 || !inside(ix) {
                continue;
            }
            let width = f.x1[p] - f.x0[p];
            let mut covered = 0.0;
            let mut c = p + 1;
            while c < f.end[p] as usize {
                covered += f.x1[c] - f.x0[c];
                c = f.end[c] as usize;
            }
            let uncovered = (width - covered) / width.max(f64::MIN_POSITIVE);
            let expected = own[ix as usize] as f64 / span.duration_ns as f64;
            prop_assert!((uncovered - expected).abs() < 1e-6, "span {}: {} uncovered, self time {}", ix, uncovered, expected);
        }
    }

    #[test]
    fn merged_traces_nest_and_add_up(a in trees(), b in trees(), c in trees()) {
        let traces: Vec<Trace> = [a, b, c].iter().map(|r| build(r)).collect();
        let analyses: Vec<TraceAnalysis> = traces.iter().map(TraceAnalysis::new).collect();
        let pairs: Vec<(&Trace, &TraceAnalysis)> = traces.iter().zip(&analyses).collect();
        let m = merge(&pairs);
        let spans: u32 = m.nodes.iter().map(|n| n.spans).sum();
        prop_assert_eq!(spans as usize, traces.iter().map(|t| t.spans.len()).sum::<usize>());
        prop_assert!(m.nodes.iter().all(|n| n.traces >= 1 && n.traces as usize <= traces.len() && n.traces <= n.spans));
        for w in [Weight::CriticalPath, Weight::Total] {
            let l = m.layout(w);
            prop_assert_eq!(l.flame.len(), m.nodes.len());
            check_nesting(&l.flame)?;
        }
        // By critical-path time, a bar is its children and its own time.
        let l = m.layout(Weight::CriticalPath);
        let top: f64 = m.nodes.iter().filter(|n| n.parent.is_none()).map(|n| n.critical_path_total_ns as f64).sum();
        if top > 0.0 {
            for (i, &node) in l.node_of.iter().enumerate() {
                let x = &m.nodes[node as usize];
                let width = l.flame.x1[i] - l.flame.x0[i];
                prop_assert!((width - x.critical_path_total_ns as f64 / top).abs() < 1e-9);
            }
        }
    }
}

/// Times at the limits of `i64` lay out without overflow, inside [0, 1].
#[test]
fn extreme_times_lay_out() {
    let raw = [(0, 99, 0, 0), (0, 99, 0, 0), (0, 99, 0, 0), (1, 99, 0, 0)];
    let mut spans: Vec<common::RandomSpan> = raw
        .iter()
        .enumerate()
        .map(
            |(i, &(sel, _, _, _)): (usize, &(usize, u8, i64, i64))| common::RandomSpan {
                parent: (i > 0).then_some(sel),
                follows_from: false,
                start: i64::MIN + 1,
                duration: i64::MAX,
                kind: SpanKind::Internal,
                service: 0,
                name: i,
            },
        )
        .collect();
    spans[2].start = i64::MAX - 1;
    spans[3].duration = 0;
    let t = common::random_trace(&spans, &["a"]);
    let f = trace_flame(&t);
    check_nesting(&f).unwrap();
    let a = TraceAnalysis::new(&t);
    let m = merge(&[(&t, &a), (&t, &a)]);
    for w in [Weight::CriticalPath, Weight::Total] {
        check_nesting(&m.layout(w).flame).unwrap();
    }
}
