//! Property tests over random trees: the critical path, self time and the
//! tree the builder derives hold their invariants whatever the timings are
//! (children sticking out of their parent or lying wholly outside it,
//! overlapping siblings, zero durations, several roots, FOLLOWS_FROM and
//! producer/consumer pairs).

mod common;

use proptest::prelude::*;
use traceglass::analysis::{critical_path, self_times, CriticalPath, Section};
use traceglass::model::{SpanKind, Trace};

/// One random span, before it becomes a `SpanInput`.
#[derive(Clone, Debug)]
struct Gen {
    parent: Option<usize>,
    follows_from: bool,
    start: i64,
    duration: i64,
    kind: SpanKind,
    service: usize,
}

const KINDS: [SpanKind; 6] = [
    SpanKind::Unspecified,
    SpanKind::Internal,
    SpanKind::Server,
    SpanKind::Client,
    SpanKind::Producer,
    SpanKind::Consumer,
];

/// Times near today's epoch nanoseconds, so that sums and ends are exercised
/// at realistic magnitudes.
const BASE: i64 = 1_700_000_000_000_000_000;

/// Raw choices per span: (parent choice, root roll, placement roll, start, duration, kind, follows roll, service).
type Raw = (u32, u8, u8, i64, i64, usize, u8, usize);

fn raw_span() -> impl Strategy<Value = Raw> {
    (
        any::<u32>(),
        0u8..100,
        0u8..100,
        0i64..1_000,
        prop_oneof![Just(0i64), 0i64..20, 0i64..1_000],
        0usize..KINDS.len(),
        0u8..100,
        0usize..3,
    )
}

/// 1–60 spans; each span's parent is an earlier span (or none: several roots).
/// Most children are placed inside their parent (sometimes with a small skew),
/// the rest anywhere: overlapping, sticking out, or wholly outside.
fn trees() -> impl Strategy<Value = Vec<Gen>> {
    prop::collection::vec(raw_span(), 1..=60).prop_map(|raw| {
        let mut out: Vec<Gen> = Vec::with_capacity(raw.len());
        for (i, (sel, root_roll, place, start, duration, kind, follows, service)) in
            raw.into_iter().enumerate()
        {
            let parent = if i == 0 || root_roll < 8 {
                None
            } else {
                Some(sel as usize % i)
            };
            let (start, duration) = match parent.map(|p| &out[p]) {
                // Inside the parent: a start within it, a duration that fits.
                Some(p) if place < 60 && p.duration > 0 => {
                    let s = p.start + start % p.duration;
                    let room = p.start + p.duration - s;
                    (s, duration % (room + 1))
                }
                // Inside, give or take a skew of a few nanoseconds.
                Some(p) if place < 70 => {
                    let skew = start % 7 - 3;
                    let s = p.start + skew + (start % (p.duration + 1));
                    (s, duration % (p.duration + 1))
                }
                // Anywhere.
                _ => (BASE + start, duration),
            };
            out.push(Gen {
                parent,
                follows_from: follows < 10,
                start,
                duration,
                kind: KINDS[kind],
                service,
            });
        }
        out
    })
}

fn build(spans: &[Gen]) -> Trace {
    let spans: Vec<common::RandomSpan> = spans
        .iter()
        .enumerate()
        .map(|(i, g)| common::RandomSpan {
            parent: g.parent,
            follows_from: g.follows_from,
            start: g.start,
            duration: g.duration,
            kind: g.kind,
            service: g.service,
            name: i % 7,
        })
        .collect();
    common::random_trace(&spans, &["frontend", "backend", "db"])
}

/// The root whose subtree holds each span.
fn root_of(trace: &Trace) -> Vec<u32> {
    let mut root = vec![u32::MAX; trace.spans.len()];
    for &r in &trace.roots {
        for &ix in trace.subtree(r) {
            root[ix as usize] = r;
        }
    }
    root
}

fn sections_of_root<'a>(
    cp: &'a CriticalPath,
    roots: &'a [u32],
    root: u32,
) -> impl Iterator<Item = &'a Section> + 'a {
    cp.sections
        .iter()
        .filter(move |s| roots[s.span as usize] == root)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn tree_order_and_depth(spans in trees()) {
        let trace = build(&spans);
        let n = trace.spans.len();
        prop_assert_eq!(n, spans.len());
        let mut seen = vec![0u32; n];
        for &ix in &trace.tree_order {
            prop_assert!((ix as usize) < n);
            seen[ix as usize] += 1;
        }
        prop_assert!(seen.iter().all(|&c| c == 1), "tree_order {:?}", trace.tree_order);
        for (i, s) in trace.spans.iter().enumerate() {
            match s.parent {
                Some(p) => prop_assert_eq!(s.depth, trace.spans[p as usize].depth + 1, "span {}", i),
                None => {
                    prop_assert_eq!(s.depth, 0);
                    prop_assert!(trace.roots.contains(&(i as u32)));
                }
            }
            // The builder keeps the generated parent (no cycles, no missing ids).
            prop_assert_eq!(s.parent.map(|p| p as usize), spans[i].parent);
        }
        // Subtrees of the roots partition the spans.
        let total: usize = trace.roots.iter().map(|&r| trace.subtree(r).len()).sum();
        prop_assert_eq!(total, n);
        // `in_subtree` is `b` in `subtree(a)`, for every pair: found by walking up the parents.
        for a in 0..n as u32 {
            for b in 0..n as u32 {
                let mut up = Some(b);
                while let Some(x) = up.filter(|&x| x != a) {
                    up = trace.spans[x as usize].parent;
                }
                prop_assert_eq!(trace.in_subtree(a, b), up == Some(a), "{} under {}", b, a);
            }
        }
    }

    #[test]
    fn critical_path_invariants(spans in trees()) {
        let trace = build(&spans);
        let cp = critical_path(&trace);
        let roots = root_of(&trace);
        prop_assert!(roots.iter().all(|&r| r != u32::MAX));

        for s in &cp.sections {
            let span = &trace.spans[s.span as usize];
            // Each section is non-empty and inside its span.
            prop_assert!(s.start_ns < s.end_ns, "empty section {:?}", s);
            prop_assert!(
                s.start_ns >= span.start_ns && s.end_ns <= span.end_ns(),
                "section {:?} outside its span [{}, {}]", s, span.start_ns, span.end_ns()
            );
            prop_assert!(cp.on_path[s.span as usize], "section {:?} of a span not on the path", s);
        }

        for &root in &trace.roots {
            // Sections of one root's path are pairwise disjoint. (Two roots that
            // overlap in time have overlapping paths, by design.)
            let mut secs: Vec<Section> = sections_of_root(&cp, &roots, root).copied().collect();
            secs.sort_by_key(|s| (s.start_ns, s.end_ns));
            for w in secs.windows(2) {
                prop_assert!(w[0].end_ns <= w[1].start_ns, "overlapping sections {:?} and {:?}", w[0], w[1]);
            }
            // They add up to the root's duration.
            let r = &trace.spans[root as usize];
            if r.duration_ns > 0 {
                let sum: i64 = secs.iter().map(|s| s.duration_ns()).sum();
                prop_assert_eq!(sum, r.duration_ns, "root {}", root);
                // And they are all inside the root's subtree.
                let sub = trace.subtree(root);
                prop_assert!(secs.iter().all(|s| sub.contains(&s.span)));
            }
            prop_assert!(cp.on_path[root as usize]);
        }

        // Exclusive critical time is never negative and never above the span's duration.
        for (i, &t) in cp.span_time_ns.iter().enumerate() {
            prop_assert!(t >= 0 && t <= trace.spans[i].duration_ns, "span {} time {}", i, t);
        }
    }

    #[test]
    fn self_time_within_duration(spans in trees()) {
        let trace = build(&spans);
        let st = self_times(&trace);
        prop_assert_eq!(st.len(), trace.spans.len());
        for (i, &t) in st.iter().enumerate() {
            let d = trace.spans[i].duration_ns;
            prop_assert!(t >= 0 && t <= d, "span {}: self time {} of duration {}", i, t, d);
        }
    }
}
