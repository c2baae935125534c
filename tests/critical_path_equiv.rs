//! The critical path against the implementation it replaced (#18: it was
//! quadratic when one parent has many overlapping children): the quadratic
//! walk is kept here, as it was, and both must give the same
//! `CriticalPath` (sections, per-span time, on-path flags) on random trees
//! and on random fan-outs (many overlapping children of one parent, siblings
//! overlapping by less than the skew allowance, equal end times, zero
//! durations, FOLLOWS_FROM and producer/consumer children).

mod common;

use proptest::prelude::*;
use traceglass::analysis::{critical_path, is_blocking, CriticalPath, Section, OVERLAP_ALLOWANCE};
use traceglass::model::{SpanIx, SpanKind, Trace};

/// The critical path as computed before #18, unchanged but for the pauses.
fn reference(trace: &Trace) -> CriticalPath {
    let n = trace.spans.len();
    let mut out = CriticalPath {
        sections: Vec::new(),
        span_time_ns: vec![0; n],
        on_path: vec![false; n],
    };
    let mut clip: Vec<Option<(i64, i64)>> = vec![None; n];
    let mut kid_range: Vec<(u32, u32)> = vec![(0, 0); n];
    let mut kid_list: Vec<SpanIx> = Vec::with_capacity(n);
    let kids = |range: &[(u32, u32)], ix: usize| -> std::ops::Range<usize> {
        let (a, b) = range.get(ix).copied().unwrap_or((0, 0));
        a as usize..b as usize
    };
    let iv = |clip: &[Option<(i64, i64)>], c: SpanIx| clip.get(c as usize).copied().flatten();

    for &root in &trace.roots {
        let Some(r) = trace.span(root) else { continue };
        clip[root as usize] = Some((r.start_ns, r.end_ns()));
        let mut stack = vec![root];
        while let Some(ix) = stack.pop() {
            let Some((ps, pe)) = clip[ix as usize] else {
                continue;
            };
            let from = kid_list.len();
            for &c in trace.children(ix) {
                if !is_blocking(trace, ix, c) {
                    continue;
                }
                let Some(cs) = trace.span(c) else { continue };
                let (s, e) = (cs.start_ns, cs.end_ns());
                if s >= pe || e <= ps {
                    continue;
                }
                clip[c as usize] = Some((s.max(ps), e.min(pe)));
                kid_list.push(c);
                stack.push(c);
            }
            let kept = &mut kid_list[from..];
            kept.reverse();
            kept.sort_by_key(|&c| std::cmp::Reverse(iv(&clip, c).map_or(i64::MIN, |x| x.1)));
            kid_range[ix as usize] = (from as u32, kid_list.len() as u32);
        }

        let mut cur = root;
        let mut cut = iv(&clip, root).map_or(0, |x| x.1);
        let mut returning: Option<(SpanIx, usize)> = None;
        let mut chain_pos: Vec<usize> = Vec::new();
        out.on_path[root as usize] = true;
        loop {
            let (cur_start, cur_end) = iv(&clip, cur).unwrap_or((cut, cut));
            let siblings = kid_list.get(kids(&kid_range, cur as usize)).unwrap_or(&[]);
            let next = match returning {
                None => siblings.first().map(|&c| (c, 0)),
                Some((later, pos)) => siblings
                    .iter()
                    .enumerate()
                    .skip(pos + 1)
                    .find(|&(_, &c)| happens_before(&clip, siblings, cur_end - cur_start, c, later))
                    .map(|(i, &c)| (c, i)),
            };
            match next {
                Some((c, pos)) => {
                    let c_end = iv(&clip, c).map_or(cut, |x| x.1).min(cut);
                    push(&mut out, cur, c_end, cut);
                    out.on_path[c as usize] = true;
                    chain_pos.push(pos);
                    cur = c;
                    cut = c_end;
                    returning = None;
                }
                None => {
                    push(&mut out, cur, cur_start.min(cut), cut);
                    if cur == root {
                        break;
                    }
                    let Some(p) = trace.span(cur).and_then(|s| s.parent) else {
                        break;
                    };
                    returning = Some((cur, chain_pos.pop().unwrap_or(0)));
                    cut = cur_start.min(cut);
                    cur = p;
                }
            }
        }
    }

    for i in 0..n {
        if !out.on_path.get(i).copied().unwrap_or(false) {
            continue;
        }
        let Some((s, e)) = iv(&clip, i as SpanIx) else {
            continue;
        };
        let on_path_children: i64 = kid_list
            .get(kids(&kid_range, i))
            .map(|k| {
                k.iter()
                    .filter(|&&c| out.on_path.get(c as usize).copied().unwrap_or(false))
                    .filter_map(|&c| iv(&clip, c).map(|(a, b)| b - a))
                    .sum()
            })
            .unwrap_or(0);
        if let Some(t) = out.span_time_ns.get_mut(i) {
            *t = (e - s - on_path_children).max(0);
        }
    }
    out
}

fn happens_before(
    clip: &[Option<(i64, i64)>],
    siblings: &[SpanIx],
    parent_duration: i64,
    before: SpanIx,
    later: SpanIx,
) -> bool {
    let get = |c: SpanIx| clip.get(c as usize).copied().flatten();
    let (Some((bs, be)), Some((ls, le))) = (get(before), get(later)) else {
        return false;
    };
    if be < ls {
        return true;
    }
    if be < le && bs < ls && parent_duration > 0 {
        let overlap = (be - ls) as f64 / parent_duration as f64;
        if overlap < OVERLAP_ALLOWANCE {
            let inside = |t: i64| t >= ls && t <= be;
            let events: usize = siblings
                .iter()
                .filter_map(|&c| get(c))
                .map(|(s, e)| usize::from(inside(s)) + usize::from(inside(e)))
                .sum();
            return events == 2;
        }
    }
    false
}

fn push(out: &mut CriticalPath, span: SpanIx, start: i64, end: i64) {
    if end > start {
        out.sections.push(Section {
            span,
            start_ns: start,
            end_ns: end,
        });
    }
}

/// One span to build: parent (an earlier span), start, duration, kind,
/// whether its parent is referenced by FOLLOWS_FROM.
#[derive(Clone, Debug)]
struct Gen {
    parent: Option<usize>,
    start: i64,
    duration: i64,
    kind: SpanKind,
    follows_from: bool,
}

const KINDS: [SpanKind; 6] = [
    SpanKind::Unspecified,
    SpanKind::Internal,
    SpanKind::Server,
    SpanKind::Client,
    SpanKind::Producer,
    SpanKind::Consumer,
];

const BASE: i64 = 1_700_000_000_000_000_000;

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
            service: 0,
            name: i % 5,
        })
        .collect();
    common::random_trace(&spans, &["svc"])
}

/// Raw choices per span: (parent choice, layout, a, b, kind, follows roll).
type Raw = (u32, u8, i64, i64, usize, u8);

fn raw() -> impl Strategy<Value = Raw> {
    (
        any::<u32>(),
        0u8..100,
        0i64..1_000_000,
        0i64..1_000_000,
        0usize..KINDS.len(),
        0u8..100,
    )
}

/// Parent duration of the fan-outs: the skew allowance is 1% of it.
const PARENT: i64 = 100_000;

/// A parent (span 0) with many children, a few of which have children of
/// their own; `fan` is the share (in %) of spans that are the parent's
/// children, the rest go under a random earlier span (or are roots).
fn spans(raw: Vec<Raw>, fan: u8) -> Vec<Gen> {
    let mut out: Vec<Gen> = vec![Gen {
        parent: None,
        start: BASE,
        duration: PARENT,
        kind: KINDS[raw.first().map_or(0, |r| r.4)],
        follows_from: false,
    }];
    // Ends to share, so that siblings end at the same time.
    let ends = [PARENT / 4, PARENT / 2, PARENT * 3 / 4, PARENT];
    let mut prev_end = BASE;
    for (i, (sel, layout, a, b, kind, follows)) in raw.into_iter().enumerate() {
        let i = i + 1;
        let parent = match sel % 100 {
            x if x < u32::from(fan) => Some(0),
            x if x < 97 => Some(sel as usize / 100 % i),
            _ => None,
        };
        let (ps, pd) = parent.map_or((BASE, PARENT), |p| (out[p].start, out[p].duration.max(1)));
        let (start, duration) = match layout {
            // Anywhere in the parent.
            0..=29 => {
                let s = ps + a % pd;
                (s, b % (ps + pd - s + 1))
            }
            // After the previous child, overlapping it by up to 1.5% of
            // the parent: mostly skew, sometimes concurrency.
            30..=54 => {
                let s = prev_end - a % (pd * 3 / 200 + 1);
                (s, b % (pd / 20 + 1))
            }
            // Ending at one of a few shared times.
            55..=69 => {
                let e = ps + ends[(a % 4) as usize] * pd / PARENT;
                let d = b % (pd / 3 + 1);
                (e - d, d)
            }
            // Zero duration.
            70..=79 => (ps + a % (pd + 1), 0),
            // Sticking out of the parent, or wholly outside it.
            _ => (ps - pd / 10 + a % (pd * 6 / 5 + 1), b % (pd / 2 + 1)),
        };
        prev_end = start + duration;
        out.push(Gen {
            parent,
            start,
            duration,
            kind: KINDS[kind],
            follows_from: follows < 8,
        });
    }
    out
}

fn same(trace: &Trace) -> Result<(), TestCaseError> {
    let (new, old) = (critical_path(trace), reference(trace));
    prop_assert_eq!(&new.sections, &old.sections);
    prop_assert_eq!(&new.span_time_ns, &old.span_time_ns);
    prop_assert_eq!(&new.on_path, &old.on_path);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn critical_path_is_unchanged_on_random_trees(raw in prop::collection::vec(raw(), 0..60)) {
        same(&build(&spans(raw, 30)))?;
    }

    #[test]
    fn critical_path_is_unchanged_on_many_overlapping_children(
        raw in prop::collection::vec(raw(), 0..400),
        fan in 80u8..97,
    ) {
        same(&build(&spans(raw, fan)))?;
    }
}

/// A skew chain: each child starts a hair before the previous one ends, so
/// that every step back up checks the skew allowance.
#[test]
fn critical_path_is_unchanged_on_a_long_skew_chain() {
    let mut g = vec![Gen {
        parent: None,
        start: BASE,
        duration: 10_000_000,
        kind: SpanKind::Server,
        follows_from: false,
    }];
    for i in 0..2_000i64 {
        g.push(Gen {
            parent: Some(0),
            start: BASE + i * 1_000,
            duration: 1_000 + i % 3 * 200,
            kind: SpanKind::Client,
            follows_from: false,
        });
    }
    let trace = build(&g);
    let (new, old) = (critical_path(&trace), reference(&trace));
    assert_eq!(new.sections, old.sections);
    assert_eq!(new.span_time_ns, old.span_time_ns);
    assert_eq!(new.on_path, old.on_path);
    assert!(new.sections.len() > 1_000);
}
