//! What a fix would save: the request's end-to-end duration recomputed with
//! some spans shorter, moved earlier or gone.
//!
//! # The model
//!
//! It reads the trace as `critical_path` does: only blocking children count
//! (no FOLLOWS_FROM child, no consumer under a producer), each clipped to its
//! (clipped) parent, a child wholly outside its parent dropped with its
//! subtree. The request is the main root; its start stays where it is.
//!
//! - **Predecessor.** Each child waits for its predecessor: of its siblings
//!   that happen before it, the one that ended latest (ties: the later in
//!   (start, end, index) order), or else for its parent's start. A sibling
//!   happens before it when it comes earlier in (start, end, index) order and
//!   ended at or before the child started, or, as CRISP reads clock skew,
//!   ended less than [`OVERLAP_ALLOWANCE`] of the parent's duration after
//!   the child started, started before it, ended before it, and no other
//!   sibling starts or ends inside that overlap. (The critical path's walk
//!   asks for an end strictly before the start; an end exactly at the start
//!   counts as before here, so that zero-duration steps chain.)
//! - **Lead.** The time from the predecessor's end (or the parent's start)
//!   to the child's start stays the same: a child's new start is its
//!   predecessor's new end (or its parent's new start) plus its lead, never
//!   before its parent's new start.
//! - **Tail.** A parent ends its original trailing time after its children:
//!   its new end is the latest new end of its children plus `end − latest
//!   child end`. A span with no blocking child keeps its duration.
//!
//! With no change every span gets back its clipped times, so the new
//! duration is the main root's duration. A [`Change`] says, per span: it
//! takes a new duration (its own time is replaced, its children no longer
//! count); it is removed (it, its subtree and its lead take no time: what
//! waited for it waits for its predecessor, keeping its own lead); it no
//! longer waits (its lead is dropped); or it starts when an earlier sibling
//! starts. Every step is monotone (sums and maxima), and every change only
//! takes time away: a new duration is never longer than the span's, a
//! removed span ends where it would have begun, a dropped lead was never
//! negative, and an earlier sibling never starts later than the span did.
//! So no fix makes the request longer.
//!
//! Only the ancestors of changed spans are simulated again, each over its
//! children, deepest first: one fix costs its changes plus the children of
//! the spans above them, not the whole trace. Everything is iterative
//! (traces can be 100,000 levels deep) and saturating (times can be near
//! the limits of `i64`); times inside a parent are relative to its start.
//!
//! # The fix of each finding
//!
//! - **N+1** ([`batched`]): the run of calls batched into one call taking the
//!   calls' median duration. The first call takes the median; the others are
//!   removed, and the time between them goes with them (in a loop that is
//!   the loop's own work per call, which one batch mostly no longer does).
//! - **Fan-out with a straggler** ([`FixModel::StragglerAtMedian`]): the
//!   last to finish takes its siblings' median duration.
//! - **Throttled fan-out** ([`all_at_once`]): every member starts when the
//!   first one starts, as if none waited for a free slot; each keeps
//!   its duration. That assumes the callee answers them all at once as fast
//!   as it answered a few, so it is the most a larger limit could save.
//! - **Errors on the path** ([`retries_removed`]): each failed attempt that
//!   a later sibling of the same operation retried takes no time (with its
//!   subtree), and its retry no longer waits: the back-off before it goes.
//!   The parent's own work before the attempt, and any sibling between the
//!   attempt and its retry, stay. A failure that nothing retried is kept:
//!   its work would still have to be done, and how long it would take when
//!   it succeeds is unknown. With no retried attempt there is no
//!   counterfactual.
//! - **Dominant operation** ([`at_usual_durations`]): its spans take their
//!   usual duration, known only across traces (the summary's tail
//!   explanation takes the median of the operation's spans in the traces
//!   of the same root operation outside the tail). Within one trace there
//!   is no usual time: the finding keeps its estimate.
//! - **Uninstrumented time**: no fix is modelled. What fills the gap is
//!   unknown, so the finding keeps its estimate (the gap's critical-path time).

use super::{is_blocking, OVERLAP_ALLOWANCE};
use crate::model::pace::{self, NoPause, Pace};
use crate::model::{SpanIx, Trace};
use rustc_hash::{FxHashMap, FxHashSet};

mod fixes;
pub use fixes::{all_at_once, at_usual_durations, batched, retries, retries_removed};

/// One change to one span's timing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// It takes this long, if shorter than it took; its children no longer count.
    Duration(i64),
    /// It, its subtree and its lead take no time.
    Removed,
    /// It starts when this earlier sibling starts (ignored unless the
    /// sibling is kept and earlier in (start, end, index) order).
    StartsWith(SpanIx),
    /// It starts as soon as its predecessor ends: its lead is dropped.
    NoWait,
}

/// How a finding's fix was modelled (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixModel {
    /// N+1: the run batched into one call of its median duration.
    Batched { calls: usize, median_ns: i64 },
    /// Fan-out: the straggler at its siblings' median duration.
    StragglerAtMedian { median_ns: i64 },
    /// Throttled fan-out: every member started with the first.
    AllAtOnce { calls: usize },
    /// Errors: the retried attempts and their back-off removed.
    RetriesRemoved { attempts: usize },
    /// An operation's spans at its usual duration, from other traces.
    UsualDuration { usual_ns: i64 },
}

/// A computed counterfactual: the request with a fix applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Saving {
    /// The main root's duration with the fix.
    pub new_duration_ns: i64,
    /// The main root's duration less `new_duration_ns` (never negative).
    pub saved_ns: i64,
    pub model: FixModel,
}

impl Saving {
    /// The main root's duration without the fix.
    pub fn duration_ns(&self) -> i64 {
        self.new_duration_ns.saturating_add(self.saved_ns)
    }
}

/// The main root's duration, as the model reads it.
pub fn request_duration(trace: &Trace) -> i64 {
    trace
        .main_root()
        .and_then(|r| trace.span(r))
        .map_or(0, |r| r.end_ns().saturating_sub(r.start_ns))
}

/// The request with `changes` applied, as a [`Saving`] of `model`.
pub fn saving(trace: &Trace, changes: &[(SpanIx, Change)], model: FixModel) -> Saving {
    pace::now(Simulator::default().saving_paced(trace, changes, model, &mut NoPause))
}

/// The main root's duration with `changes` applied. Several changes of one
/// span combine: removal wins, the shortest duration counts, the first
/// `StartsWith` is used.
pub fn new_duration(trace: &Trace, changes: &[(SpanIx, Change)]) -> i64 {
    pace::now(Simulator::default().new_duration_paced(trace, changes, &mut NoPause))
}

/// The changes of one span, combined.
#[derive(Clone, Copy, Debug, Default)]
struct Combined {
    removed: bool,
    no_wait: bool,
    duration: Option<i64>,
    starts_with: Option<SpanIx>,
}

/// A kept child: its clipped interval.
#[derive(Clone, Copy, Debug)]
struct Kid {
    ix: SpanIx,
    start: i64,
    end: i64,
}

/// Buffers reused from one parent to the next.
#[derive(Default)]
struct Scratch {
    kids: Vec<Kid>,
    /// (clipped end, place in `kids`), sorted.
    by_end: Vec<(i64, u32)>,
    /// New start and end of each kid, relative to the parent's new start.
    starts: Vec<i64>,
    ends: Vec<i64>,
}

/// [`saving`] and [`new_duration`] for several fixes of one trace, with
/// the buffers kept from one to the next (findings compute dozens of
/// savings per trace, most of them on small traces).
#[derive(Default)]
pub struct Simulator {
    combined: FxHashMap<SpanIx, Combined>,
    affected: FxHashSet<SpanIx>,
    /// (depth, span) of the affected spans.
    order: Vec<(u32, SpanIx)>,
    clip: FxHashMap<SpanIx, (i64, i64)>,
    new_dur: FxHashMap<SpanIx, i64>,
    scratch: Scratch,
}

impl Simulator {
    /// [`saving`], pausing through `pace` as it goes.
    pub async fn saving_paced(
        &mut self,
        trace: &Trace,
        changes: &[(SpanIx, Change)],
        model: FixModel,
        pace: &mut impl Pace,
    ) -> Saving {
        let before = request_duration(trace);
        let after = self
            .new_duration_paced(trace, changes, pace)
            .await
            .min(before);
        Saving {
            new_duration_ns: after,
            saved_ns: before.saturating_sub(after).max(0),
            model,
        }
    }

    /// [`new_duration`], pausing through `pace` as it goes.
    pub async fn new_duration_paced(
        &mut self,
        trace: &Trace,
        changes: &[(SpanIx, Change)],
        pace: &mut impl Pace,
    ) -> i64 {
        self.combined.clear();
        self.affected.clear();
        self.order.clear();
        self.clip.clear();
        self.new_dur.clear();
        let before = request_duration(trace);
        match trace.main_root() {
            Some(root) => self.run(trace, root, changes, pace).await.unwrap_or(before),
            None => 0,
        }
    }

    /// The main root's new duration, or `None` when no change reaches it.
    async fn run(
        &mut self,
        trace: &Trace,
        root: SpanIx,
        changes: &[(SpanIx, Change)],
        pace: &mut impl Pace,
    ) -> Option<i64> {
        let Simulator {
            combined,
            affected,
            order,
            clip,
            new_dur,
            scratch,
        } = self;
        for &(ix, change) in changes {
            let c = combined.entry(ix).or_default();
            match change {
                Change::Removed => c.removed = true,
                Change::NoWait => c.no_wait = true,
                Change::Duration(d) => c.duration = Some(c.duration.map_or(d, |o| o.min(d))),
                Change::StartsWith(s) => {
                    c.starts_with.get_or_insert(s);
                }
            }
        }
        if let Some(c) = combined.get(&root) {
            if c.removed {
                return Some(0);
            }
            if let Some(d) = c.duration {
                return Some(d.clamp(0, request_duration(trace)));
            }
        }
        // The ancestors of changed spans, each once, by depth.
        let mut steps = 0usize;
        for &ix in combined.keys() {
            let mut cur = trace.span(ix).and_then(|s| s.parent);
            while let Some(p) = cur {
                steps += 1;
                if steps >= pace::STRIDE {
                    steps = 0;
                    pace.pause().await;
                }
                if !affected.insert(p) {
                    break;
                }
                let Some(span) = trace.span(p) else { break };
                order.push((span.depth, p));
                cur = span.parent;
            }
        }
        if !affected.contains(&root) {
            return None;
        }
        order.sort_unstable();
        // Clipped intervals of the affected spans, from the root down.
        for &(_, ix) in order.iter() {
            let Some(span) = trace.span(ix) else { continue };
            let (s, e) = (span.start_ns, span.end_ns());
            let kept = match span.parent {
                None if ix == root => Some((s, e)),
                Some(p) if is_blocking(trace, p, ix) => clip
                    .get(&p)
                    .filter(|&&(ps, pe)| s < pe && e > ps)
                    .map(|&(ps, pe)| (s.max(ps), e.min(pe))),
                _ => None,
            };
            if let Some(iv) = kept {
                clip.insert(ix, iv);
            }
        }
        // New durations, from the deepest up.
        for &(_, ix) in order.iter().rev() {
            let Some(&iv) = clip.get(&ix) else { continue };
            steps += trace.children(ix).len();
            if steps >= pace::STRIDE {
                steps = 0;
                pace.pause().await;
            }
            let d = simulate(trace, ix, iv, combined, new_dur, scratch);
            new_dur.insert(ix, d);
        }
        new_dur.get(&root).copied()
    }
}

/// The new duration of `parent` (clipped to `(ps, pe)`) from its kept
/// children's predecessors, leads and new durations.
fn simulate(
    trace: &Trace,
    parent: SpanIx,
    (ps, pe): (i64, i64),
    combined: &FxHashMap<SpanIx, Combined>,
    new_dur: &FxHashMap<SpanIx, i64>,
    sc: &mut Scratch,
) -> i64 {
    let length = pe.saturating_sub(ps).max(0);
    sc.kids.clear();
    for &c in trace.children(parent) {
        if !is_blocking(trace, parent, c) {
            continue;
        }
        let Some(span) = trace.span(c) else { continue };
        let (s, e) = (span.start_ns, span.end_ns());
        if s < pe && e > ps {
            sc.kids.push(Kid {
                ix: c,
                start: s.max(ps),
                end: e.min(pe),
            });
        }
    }
    if sc.kids.is_empty() {
        return length;
    }
    sc.kids.sort_unstable_by_key(|k| (k.start, k.end, k.ix));
    sc.by_end.clear();
    sc.by_end
        .extend(sc.kids.iter().enumerate().map(|(i, k)| (k.end, i as u32)));
    sc.by_end.sort_unstable();
    sc.starts.clear();
    sc.ends.clear();
    let last_end = sc.by_end.last().map_or(pe, |x| x.0);
    let tail = pe.saturating_sub(last_end).max(0);
    let mut latest = 0i64;
    for (i, k) in sc.kids.iter().enumerate() {
        let pred = predecessor(&sc.kids, &sc.by_end, i, k, length);
        let (anchor, lead) = match pred.and_then(|p| Some((sc.ends.get(p)?, sc.kids.get(p)?))) {
            Some((&new_end, p)) => (new_end, k.start.saturating_sub(p.end)),
            None => (0, k.start.saturating_sub(ps)),
        };
        let change = combined.get(&k.ix).copied().unwrap_or_default();
        let lead = if change.no_wait { lead.min(0) } else { lead };
        let mut start = anchor.saturating_add(lead).max(0);
        let like = change
            .starts_with
            .and_then(|l| place(trace, parent, (ps, pe), &sc.kids, l));
        if let Some(&s) = like.filter(|&l| l < i).and_then(|l| sc.starts.get(l)) {
            start = s;
        }
        let own = k.end.saturating_sub(k.start);
        let dur = match change.duration {
            Some(d) => d.clamp(0, own),
            None => new_dur.get(&k.ix).copied().unwrap_or(own).clamp(0, own),
        };
        let end = if change.removed {
            anchor
        } else {
            start.saturating_add(dur)
        };
        sc.starts.push(start);
        sc.ends.push(end);
        latest = latest.max(end);
    }
    latest.saturating_add(tail)
}

/// The place in `kids` of the predecessor of `kids[i]` (see the module
/// documentation): the latest end at or before its start, unless a sibling
/// overlapping its start by clock skew ended later.
fn predecessor(
    kids: &[Kid],
    by_end: &[(i64, u32)],
    i: usize,
    k: &Kid,
    length: i64,
) -> Option<usize> {
    let key = (k.start, i as u32);
    let strict = by_end.partition_point(|&e| e < key);
    let before = strict
        .checked_sub(1)
        .and_then(|j| by_end.get(j))
        .map(|&(_, p)| p as usize);
    // Only the first sibling to end after the start can be skew: any later
    // one's overlap holds that sibling's end.
    let first_after = by_end.partition_point(|&(e, _)| e <= k.start);
    let skew = by_end.get(first_after).and_then(|&(e, p)| {
        let s = kids.get(p as usize)?;
        let overlap = e.saturating_sub(k.start);
        let ok = p as usize != i
            && s.start < k.start
            && e < k.end
            && length > 0
            && (overlap as f64 / length as f64) < OVERLAP_ALLOWANCE
            && events(kids, by_end, k.start, e) == 2;
        ok.then_some(p as usize)
    });
    skew.or(before)
}

/// Sibling starts and ends inside `from..=to`.
fn events(kids: &[Kid], by_end: &[(i64, u32)], from: i64, to: i64) -> usize {
    let starts = kids
        .partition_point(|k| k.start <= to)
        .saturating_sub(kids.partition_point(|k| k.start < from));
    let ends = by_end
        .partition_point(|&(e, _)| e <= to)
        .saturating_sub(by_end.partition_point(|&(e, _)| e < from));
    starts + ends
}

/// The place of `like` among the kept children of `parent` (clipped to
/// `(ps, pe)`), if it is one of them.
fn place(
    trace: &Trace,
    parent: SpanIx,
    (ps, pe): (i64, i64),
    kids: &[Kid],
    like: SpanIx,
) -> Option<usize> {
    let span = trace.span(like)?;
    if span.parent != Some(parent) {
        return None;
    }
    let key = (span.start_ns.max(ps), span.end_ns().min(pe), like);
    kids.binary_search_by_key(&key, |k| (k.start, k.end, k.ix))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::sample;

    const MS: i64 = 1_000_000;

    fn ix(t: &Trace, id: &str) -> SpanIx {
        t.find_span(id).unwrap_or(SpanIx::MAX)
    }

    /// `n` calls of `len` under a root, one after the other from `first`
    /// with `gap` between them, the root ending `tail` after the last.
    fn sequential(n: usize, first: i64, len: i64, gap: i64, tail: i64) -> Trace {
        let ids: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
        let end = first + n as i64 * (len + gap) - gap + tail;
        let mut rows = vec![("r", None, "web", "GET /", 0, end)];
        for (i, id) in ids.iter().enumerate() {
            let start = first + i as i64 * (len + gap);
            rows.push((id.as_str(), Some("r"), "db", "SELECT", start, len));
        }
        sample::named(&rows)
    }

    #[test]
    fn n_plus_one_of_ten_calls_batched_saves_nine() {
        let t = sequential(10, 5 * MS, 10 * MS, 0, 5 * MS);
        let calls: Vec<SpanIx> = (0..10).map(|i| ix(&t, &format!("c{i}"))).collect();
        let model = FixModel::Batched {
            calls: 10,
            median_ns: 10 * MS,
        };
        let s = saving(&t, &batched(&calls, 10 * MS), model);
        assert_eq!(s.new_duration_ns, 20 * MS);
        assert_eq!(s.saved_ns, 90 * MS);
        assert_eq!(s.duration_ns(), 110 * MS);
        // The time between the calls goes with them, not the time before the first.
        let t = sequential(10, 5 * MS, 10 * MS, MS, 6 * MS);
        let calls: Vec<SpanIx> = (0..10).map(|i| ix(&t, &format!("c{i}"))).collect();
        assert_eq!(new_duration(&t, &batched(&calls, 10 * MS)), 21 * MS);
    }

    #[test]
    fn a_straggler_at_its_siblings_median() {
        let t = sample::named(&[
            ("p", None, "api", "GET /search", 0, 410),
            ("a", Some("p"), "api", "query shard", 5, 100),
            ("b", Some("p"), "api", "query shard", 5, 110),
            ("c", Some("p"), "api", "query shard", 5, 90),
            ("d", Some("p"), "api", "query shard", 5, 400),
        ]);
        let fix = [(ix(&t, "d"), Change::Duration(100))];
        // The siblings now end last: the longest at 115, and the root's 5 after.
        assert_eq!(new_duration(&t, &fix), 120);
    }

    #[test]
    fn a_throttled_fan_out_all_at_once() {
        // Six calls of 30, two at a time, then 10 of the parent's own.
        let t = sample::named(&[
            ("p", None, "api", "batch", 0, 100),
            ("a", Some("p"), "api", "call", 0, 30),
            ("b", Some("p"), "api", "call", 0, 30),
            ("c", Some("p"), "api", "call", 30, 30),
            ("d", Some("p"), "api", "call", 30, 30),
            ("e", Some("p"), "api", "call", 60, 30),
            ("f", Some("p"), "api", "call", 60, 30),
        ]);
        let members: Vec<SpanIx> = ["a", "b", "c", "d", "e", "f"]
            .iter()
            .map(|id| ix(&t, id))
            .collect();
        assert_eq!(new_duration(&t, &all_at_once(members[0], &members)), 40);
    }

    #[test]
    fn retries_and_their_back_off_removed() {
        // A failed attempt, 1 of back-off, the retry, 4 of the root's own.
        let t = sample::named(&[
            ("r", None, "shop", "checkout", 0, 160),
            ("a1", Some("r"), "shop", "charge card", 5, 100),
            ("a2", Some("r"), "shop", "charge card", 106, 50),
        ]);
        let (a1, a2) = (ix(&t, "a1"), ix(&t, "a2"));
        assert_eq!(retries(&t, &[a1]), vec![(a1, a2)]);
        let fix = retries_removed(&retries(&t, &[a1]));
        assert_eq!(fix, vec![(a1, Change::Duration(0)), (a2, Change::NoWait)]);
        // The root's 5 before the attempt stays: 5, the retry's 50, 4.
        assert_eq!(new_duration(&t, &fix), 59);

        // Two failed attempts, each followed by 5 of back-off, then the
        // retry that succeeds, and another operation after it.
        let t = sample::named(&[
            ("r", None, "shop", "checkout", 0, 70),
            ("a1", Some("r"), "shop", "charge", 5, 10),
            ("a2", Some("r"), "shop", "charge", 20, 10),
            ("a3", Some("r"), "shop", "charge", 35, 10),
            ("mail", Some("r"), "shop", "send mail", 50, 10),
        ]);
        let (a1, a2, a3) = (ix(&t, "a1"), ix(&t, "a2"), ix(&t, "a3"));
        let found = retries(&t, &[a1, a2, a3]);
        // The last attempt failed too, but nothing retried it: it stays.
        assert_eq!(found, vec![(a1, a2), (a2, a3)]);
        // a3 at 5-15, mail 5 after it, the root's 10 after that.
        assert_eq!(new_duration(&t, &retries_removed(&found)), 40);

        // Work between the attempt and its retry stays, and so does its lead.
        let t = sample::named(&[
            ("r", None, "shop", "checkout", 0, 100),
            ("a1", Some("r"), "shop", "charge", 10, 20),
            ("log", Some("r"), "shop", "log", 40, 10),
            ("a2", Some("r"), "shop", "charge", 60, 30),
        ]);
        let found = retries(&t, &[ix(&t, "a1")]);
        // a1 at 10 takes nothing; log 10 after; a2 at once; the root's 10.
        assert_eq!(new_duration(&t, &retries_removed(&found)), 70);
    }

    #[test]
    fn what_waited_for_a_removed_span_waits_for_its_predecessor() {
        let t = sample::named(&[
            ("r", None, "s", "r", 0, 100),
            ("x", Some("r"), "s", "x", 10, 10),
            ("y", Some("r"), "s", "y", 30, 10),
            ("z", Some("r"), "s", "z", 50, 10),
        ]);
        // y and its lead of 10 go; z keeps its own lead of 10 after x.
        assert_eq!(new_duration(&t, &[(ix(&t, "y"), Change::Removed)]), 80);
        // Shorter, y keeps its lead and z follows it.
        assert_eq!(new_duration(&t, &[(ix(&t, "y"), Change::Duration(4))]), 94);
        // A duration longer than the span's is no fix.
        assert_eq!(
            new_duration(&t, &[(ix(&t, "y"), Change::Duration(50))]),
            100
        );
        // The root itself.
        assert_eq!(new_duration(&t, &[(ix(&t, "r"), Change::Duration(7))]), 7);
        assert_eq!(new_duration(&t, &[(ix(&t, "r"), Change::Removed)]), 0);
    }

    #[test]
    fn a_concurrent_sibling_still_holds_the_parent() {
        let t = sample::named(&[
            ("r", None, "s", "r", 0, 100),
            ("a", Some("r"), "s", "a", 10, 80),
            ("b", Some("r"), "s", "b", 10, 40),
        ]);
        assert_eq!(new_duration(&t, &[(ix(&t, "b"), Change::Duration(1))]), 100);
        // a to 10: b, ending at 50, then decides; the root's 10 after.
        assert_eq!(new_duration(&t, &[(ix(&t, "a"), Change::Duration(10))]), 60);
    }

    #[test]
    fn a_change_deep_down_moves_every_ancestor() {
        let t = sample::named(&[
            ("r", None, "s", "r", 0, 100),
            ("a", Some("r"), "s", "a", 10, 80),
            ("b", Some("a"), "s", "b", 20, 60),
            ("leaf", Some("b"), "s", "leaf", 30, 40),
            ("after", Some("r"), "s", "after", 90, 5),
        ]);
        // The leaf 30 shorter: b, a and after end 30 sooner.
        assert_eq!(
            new_duration(&t, &[(ix(&t, "leaf"), Change::Duration(10))]),
            70
        );
    }

    #[test]
    fn clock_skew_between_siblings_is_read_as_one_after_the_other() {
        // x ends 5 after y started: 0.5 % of the parent, skew.
        let t = sample::named(&[
            ("r", None, "s", "r", 0, 1000),
            ("x", Some("r"), "s", "x", 0, 505),
            ("y", Some("r"), "s", "y", 500, 400),
        ]);
        // y starts 5 before x's new end, but never before its parent.
        assert_eq!(
            new_duration(&t, &[(ix(&t, "x"), Change::Duration(105))]),
            600
        );
        assert_eq!(new_duration(&t, &[(ix(&t, "x"), Change::Duration(2))]), 500);
        // 50 of overlap is concurrency: y does not move.
        let t = sample::named(&[
            ("r", None, "s", "r", 0, 1000),
            ("x", Some("r"), "s", "x", 0, 550),
            ("y", Some("r"), "s", "y", 500, 400),
        ]);
        assert_eq!(
            new_duration(&t, &[(ix(&t, "x"), Change::Duration(105))]),
            1000
        );
    }

    #[test]
    fn starts_with_only_an_earlier_kept_sibling() {
        let t = sample::named(&[
            ("r", None, "s", "r", 0, 100),
            ("a", Some("r"), "s", "a", 10, 10),
            ("b", Some("r"), "s", "b", 50, 40),
            ("c", Some("a"), "s", "c", 12, 2),
        ]);
        let (a, b, c) = (ix(&t, "a"), ix(&t, "b"), ix(&t, "c"));
        assert_eq!(new_duration(&t, &[(b, Change::StartsWith(a))]), 60);
        // Not a sibling, or not earlier: nothing moves.
        assert_eq!(new_duration(&t, &[(b, Change::StartsWith(c))]), 100);
        assert_eq!(new_duration(&t, &[(a, Change::StartsWith(b))]), 100);
        assert_eq!(new_duration(&t, &[(b, Change::StartsWith(b))]), 100);
    }

    #[test]
    fn no_change_gives_the_root_duration_back() {
        let t = sequential(7, 3, 11, 2, 9);
        let all: Vec<(SpanIx, Change)> = (0..t.spans.len() as SpanIx)
            .map(|i| (i, Change::Duration(i64::MAX)))
            .collect();
        assert_eq!(new_duration(&t, &all), request_duration(&t));
        assert_eq!(new_duration(&t, &[]), request_duration(&t));
    }

    #[test]
    fn times_at_the_limits_of_i64_saturate() {
        let hi = i64::MAX - 100;
        let t = sample::named(&[
            ("r", None, "s", "r", hi, 1000),
            ("a", Some("r"), "s", "a", hi + 10, 20),
            ("b", Some("r"), "s", "b", hi + 40, i64::MAX),
        ]);
        let d = request_duration(&t);
        assert_eq!(d, 100);
        assert_eq!(new_duration(&t, &[]), d);
        // b waits for a: a and its lead go.
        assert_eq!(new_duration(&t, &[(ix(&t, "a"), Change::Removed)]), 70);
        assert_eq!(new_duration(&t, &[(ix(&t, "b"), Change::Duration(0))]), 40);

        let lo = i64::MIN + 5;
        let t = sample::named(&[
            ("r", None, "s", "r", lo, i64::MAX),
            ("a", Some("r"), "s", "a", lo, i64::MAX - 10),
            ("b", Some("r"), "s", "b", -3, i64::MAX),
            ("c", Some("a"), "s", "c", lo + 1, i64::MAX),
        ]);
        // r ends at 4 and a at -6; b, clipped to -3..4, follows a 3 later,
        // and c, clipped to a, starts 1 after a.
        let d = request_duration(&t);
        assert_eq!(d, i64::MAX);
        for fix in [
            vec![],
            vec![(ix(&t, "c"), Change::Duration(0))],
            vec![(ix(&t, "a"), Change::Removed)],
            vec![(ix(&t, "b"), Change::StartsWith(ix(&t, "a")))],
        ] {
            let n = new_duration(&t, &fix);
            assert!((0..=d).contains(&n), "{fix:?}: {n}");
        }
        // c at 0: a lasts 1, then b's lead of 3 and its 7.
        assert_eq!(new_duration(&t, &[(ix(&t, "c"), Change::Duration(0))]), 11);
    }

    #[test]
    fn a_chain_a_hundred_thousand_deep_needs_no_recursion() {
        let ids: Vec<String> = (0..100_000).map(|i| format!("s{i}")).collect();
        let rows: Vec<sample::NamedRow> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let parent = i
                    .checked_sub(1)
                    .and_then(|p| ids.get(p))
                    .map(String::as_str);
                (
                    id.as_str(),
                    parent,
                    "s",
                    "op",
                    i as i64,
                    300_000 - 2 * i as i64,
                )
            })
            .collect();
        let t = sample::named(&rows);
        let leaf = ix(&t, "s99999");
        // The leaf (100,002 long) to 2: every ancestor 100,000 shorter.
        assert_eq!(new_duration(&t, &[(leaf, Change::Duration(2))]), 200_000);
    }

    #[test]
    fn usual_durations_only_shorten() {
        let t = sample::named(&[
            ("r", None, "web", "GET /", 0, 100),
            ("q1", Some("r"), "db", "SELECT", 10, 50),
            ("q2", Some("r"), "db", "SELECT", 60, 5),
        ]);
        let select = t.span(ix(&t, "q1")).map_or(0, |s| s.operation);
        let fix = at_usual_durations(&t, |op| (op == select).then_some(10));
        assert_eq!(fix, vec![(ix(&t, "q1"), Change::Duration(10))]);
        assert_eq!(new_duration(&t, &fix), 60);
    }
}
