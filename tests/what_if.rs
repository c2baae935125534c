//! `analysis::what_if` on random trees: its fast path, which simulates only
//! the ancestors of changed spans, gives the duration that a brute-force
//! recomputation of every span's times by the same model gives; no fix
//! makes the request longer; changing nothing changes nothing.

mod common;

use proptest::prelude::*;
use std::collections::{HashMap, HashSet};
use traceglass::analysis::what_if::{new_duration, request_duration, Change, Simulator};
use traceglass::analysis::{is_blocking, OVERLAP_ALLOWANCE};
use traceglass::model::pace::{self, NoPause};
use traceglass::model::{SpanIx, SpanKind, Trace};

/// Times near today's epoch nanoseconds.
const BASE: i64 = 1_700_000_000_000_000_000;

/// One random span, before it becomes a `SpanInput`.
#[derive(Clone, Debug)]
struct Gen {
    parent: Option<usize>,
    follows_from: bool,
    consumer: bool,
    start: i64,
    duration: i64,
}

/// (parent choice, root roll, placement roll, offset, duration, follows roll, kind roll).
type Raw = (u32, u8, u8, i64, i64, u8, u8);

/// 1–40 spans; each span's parent is an earlier span (or none). A child is
/// placed after its latest sibling so far, give or take a few nanoseconds
/// (a sequence, with clock skew; the first at its parent's start), inside its parent at random (concurrency),
/// or anywhere (sticking out, or wholly outside).
fn trees() -> impl Strategy<Value = Vec<Gen>> {
    let raw = (
        any::<u32>(),
        0u8..100,
        0u8..100,
        0i64..1_000,
        prop_oneof![Just(0i64), 0i64..20, 0i64..400],
        0u8..100,
        0u8..100,
    );
    prop::collection::vec(raw, 1..=40).prop_map(|raw: Vec<Raw>| {
        let mut out: Vec<Gen> = Vec::with_capacity(raw.len());
        let mut last_end: HashMap<usize, i64> = HashMap::new();
        for (i, (sel, root_roll, place, offset, duration, follows, kind)) in
            raw.into_iter().enumerate()
        {
            let parent = (i > 0 && root_roll >= 5).then(|| sel as usize % i);
            let start = match parent.map(|p| (p, &out[p])) {
                Some((p, g)) if place < 45 => {
                    last_end.get(&p).map_or(g.start, |&e| e + offset % 9 - 3)
                }
                Some((_, g)) if place < 90 => g.start + offset % (g.duration + 1),
                Some((_, g)) => g.start + offset - 500,
                None => BASE + offset,
            };
            if let Some(p) = parent {
                let e = last_end.entry(p).or_insert(i64::MIN);
                *e = (*e).max(start + duration);
            }
            // A parent is made long enough to hold a few children.
            let duration = if i == 0 { duration * 4 + 200 } else { duration };
            out.push(Gen {
                parent,
                follows_from: parent.is_some() && follows < 5,
                consumer: kind < 5,
                start,
                duration,
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
            kind: if g.consumer {
                SpanKind::Consumer
            } else if i % 4 == 0 {
                SpanKind::Producer
            } else {
                SpanKind::Internal
            },
            service: 0,
            name: i % 3,
        })
        .collect();
    common::random_trace(&spans, &["svc"])
}

/// Random changes: (span choice, kind, value).
fn changes() -> impl Strategy<Value = Vec<(u32, u8, u32)>> {
    prop::collection::vec((any::<u32>(), 0u8..5, any::<u32>()), 0..12)
}

fn to_changes(trace: &Trace, raw: &[(u32, u8, u32)]) -> Vec<(SpanIx, Change)> {
    let n = trace.spans.len() as u32;
    raw.iter()
        .map(|&(sel, kind, value)| {
            let ix = sel % n;
            let dur = trace.spans[ix as usize].duration_ns;
            let change = match kind {
                0 => Change::Duration(value as i64 % (2 * dur + 2)),
                1 => Change::Removed,
                // Mostly a sibling, sometimes any span.
                2 => {
                    let siblings = trace.spans[ix as usize]
                        .parent
                        .map_or(&[][..], |p| trace.children(p));
                    match siblings.get(value as usize % (siblings.len() + 1)) {
                        Some(&s) => Change::StartsWith(s),
                        None => Change::StartsWith(value % n),
                    }
                }
                3 => Change::NoWait,
                _ => Change::Duration(value as i64 % 3 - 1),
            };
            (ix, change)
        })
        .collect()
}

/// The model again, the obvious way: every span's times rebuilt, from the
/// main root down, recursively (the trees here are small), in absolute
/// time, with each child's predecessor found by trying every sibling.
struct Oracle<'t> {
    trace: &'t Trace,
    removed: HashSet<SpanIx>,
    no_wait: HashSet<SpanIx>,
    duration: HashMap<SpanIx, i64>,
    like: HashMap<SpanIx, SpanIx>,
}

/// A kept child: clipped start, clipped end, index.
type Kid = (i64, i64, SpanIx);

impl<'t> Oracle<'t> {
    fn new(trace: &'t Trace, changes: &[(SpanIx, Change)]) -> Oracle<'t> {
        let mut o = Oracle {
            trace,
            removed: HashSet::new(),
            no_wait: HashSet::new(),
            duration: HashMap::new(),
            like: HashMap::new(),
        };
        for &(ix, c) in changes {
            match c {
                Change::Removed => {
                    o.removed.insert(ix);
                }
                Change::NoWait => {
                    o.no_wait.insert(ix);
                }
                Change::Duration(d) => {
                    let e = o.duration.entry(ix).or_insert(d);
                    *e = (*e).min(d);
                }
                Change::StartsWith(s) => {
                    o.like.entry(ix).or_insert(s);
                }
            }
        }
        o
    }

    fn duration(&self) -> i64 {
        let Some(root) = self.trace.main_root() else {
            return 0;
        };
        let r = &self.trace.spans[root as usize];
        if self.removed.contains(&root) {
            return 0;
        }
        self.end(root, (r.start_ns, r.end_ns()), r.start_ns) - r.start_ns
    }

    fn end(&self, x: SpanIx, (s, e): (i64, i64), new_start: i64) -> i64 {
        if let Some(&d) = self.duration.get(&x) {
            return new_start + d.clamp(0, e - s);
        }
        let mut kids: Vec<Kid> = self
            .trace
            .children(x)
            .iter()
            .filter(|&&c| is_blocking(self.trace, x, c))
            .map(|&c| {
                let k = &self.trace.spans[c as usize];
                (k.start_ns, k.end_ns(), c)
            })
            .filter(|&(a, b, _)| a < e && b > s)
            .map(|(a, b, c)| (a.max(s), b.min(e), c))
            .collect();
        if kids.is_empty() {
            return new_start + (e - s);
        }
        kids.sort();
        let before = |a: &Kid, c: &Kid| -> bool {
            if a >= c {
                return false;
            }
            if a.1 <= c.0 {
                return true;
            }
            let inside = |t: i64| usize::from(c.0 <= t && t <= a.1);
            let events: usize = kids.iter().map(|k| inside(k.0) + inside(k.1)).sum();
            a.0 < c.0
                && a.1 < c.1
                && e - s > 0
                && ((a.1 - c.0) as f64 / (e - s) as f64) < OVERLAP_ALLOWANCE
                && events == 2
        };
        let mut start: HashMap<SpanIx, i64> = HashMap::new();
        let mut end: HashMap<SpanIx, i64> = HashMap::new();
        for c in &kids {
            let pred = kids
                .iter()
                .filter(|a| before(a, c))
                .max_by_key(|a| (a.1, **a));
            let (anchor, lead) = match pred {
                Some(p) => (end[&p.2], c.0 - p.1),
                None => (new_start, c.0 - s),
            };
            let lead = if self.no_wait.contains(&c.2) {
                lead.min(0)
            } else {
                lead
            };
            let mut st = new_start.max(anchor + lead);
            if let Some(l) = self.like.get(&c.2) {
                if let Some(k) = kids.iter().find(|k| k.2 == *l && *k < c) {
                    st = start[&k.2];
                }
            }
            start.insert(c.2, st);
            let en = if self.removed.contains(&c.2) {
                anchor
            } else {
                self.end(c.2, (c.0, c.1), st)
            };
            end.insert(c.2, en);
        }
        let latest = end.values().copied().max().unwrap_or(new_start);
        let last_end = kids.iter().map(|k| k.1).max().unwrap_or(e);
        latest.max(new_start) + (e - last_end)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_fast_path_agrees_with_brute_force(spans in trees(), raw in changes(), other in changes()) {
        let trace = build(&spans);
        let fix = to_changes(&trace, &raw);
        let fast = new_duration(&trace, &fix);
        let slow = Oracle::new(&trace, &fix).duration();
        prop_assert_eq!(fast, slow, "changes {:?}", fix);
        // One simulator for several fixes, as the findings use it.
        let mut sim = Simulator::default();
        for f in [&fix, &to_changes(&trace, &other), &fix] {
            let d = pace::now(sim.new_duration_paced(&trace, f, &mut NoPause));
            prop_assert_eq!(d, Oracle::new(&trace, f).duration(), "changes {:?}", f);
        }
    }

    #[test]
    fn no_fix_makes_the_request_longer(spans in trees(), raw in changes()) {
        let trace = build(&spans);
        let fix = to_changes(&trace, &raw);
        let d = new_duration(&trace, &fix);
        prop_assert!(d >= 0 && d <= request_duration(&trace), "{} > {}", d, request_duration(&trace));
    }

    #[test]
    fn changing_nothing_changes_nothing(spans in trees(), sel in prop::collection::vec(any::<u32>(), 0..8)) {
        let trace = build(&spans);
        let n = trace.spans.len() as u32;
        // No change, and changes that change nothing: a duration as long as
        // the span's or longer, a span started with itself.
        let mut fix: Vec<(SpanIx, Change)> = Vec::new();
        for s in sel {
            let ix = s % n;
            fix.push((ix, Change::Duration(trace.spans[ix as usize].duration_ns + (s % 3) as i64)));
            fix.push((ix, Change::StartsWith(ix)));
        }
        prop_assert_eq!(new_duration(&trace, &[]), request_duration(&trace));
        prop_assert_eq!(new_duration(&trace, &fix), request_duration(&trace));
        prop_assert_eq!(Oracle::new(&trace, &fix).duration(), request_duration(&trace));
    }
}
