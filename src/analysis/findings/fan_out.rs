//! Fan-out findings: children of one parent running at the same time,
//! either held back by one straggler or throttled to a few at a time.

use super::{
    median, saving_words, Finding, FindingKind, MAX_EVIDENCE, MAX_PER_KIND,
    MIN_FAN_OUT_CONCURRENCY, STRAGGLER_FACTOR,
};
use crate::analysis::describe::{format_duration, peer_name};
use crate::analysis::what_if::{self, Change, FixModel};
use crate::analysis::{is_blocking, CriticalPath};
use crate::model::pace::{self, Pace};
use crate::model::{SpanIx, Trace};

/// Concurrent children of one parent, before they are put in words.
struct FanOut {
    parent: SpanIx,
    /// The last to finish first (all of them: the evidence is capped later).
    members: Vec<SpanIx>,
    /// The first to start.
    first: SpanIx,
    peak: usize,
    wall: i64,
    longest: i64,
    /// The others' median duration, when the last one is a straggler.
    straggler_median: Option<i64>,
    /// An estimate of the time at stake, to choose the ones computed.
    stake: i64,
}

pub(super) async fn fan_outs(
    trace: &Trace,
    cp: &CriticalPath,
    sim: &mut what_if::Simulator,
    pace: &mut impl Pace,
) -> Vec<Finding> {
    let mut found: Vec<FanOut> = Vec::new();
    let mut by_start: Vec<(i64, i64, SpanIx)> = Vec::new();
    let mut events: Vec<(i64, i32)> = Vec::new();
    for p in 0..trace.spans.len() as SpanIx {
        if pace::due(p as usize) {
            pace.pause().await;
        }
        let kids = trace.children(p);
        if kids.len() < MIN_FAN_OUT_CONCURRENCY {
            continue;
        }
        by_start.clear();
        by_start.extend(
            kids.iter()
                .copied()
                .filter(|&c| is_blocking(trace, p, c))
                .filter_map(|c| trace.span(c).map(|s| (s.start_ns, s.end_ns(), c))),
        );
        // Sweep the children's start and end events for the concurrency.
        events.clear();
        for &(s, e, _) in &by_start {
            if e > s {
                events.push((s, 1));
                events.push((e, -1));
            }
        }
        events.sort_unstable();
        let (mut cur, mut peak) = (0i32, 0i32);
        for (_, d) in &events {
            cur += d;
            peak = peak.max(cur);
        }
        if (peak.max(0) as usize) < MIN_FAN_OUT_CONCURRENCY {
            continue;
        }
        // The concurrent children: those overlapping at least one sibling.
        // By start time, a child overlaps an earlier one when it starts before
        // the latest end so far, and a later one when the next starts before
        // it ends.
        by_start.sort_unstable();
        let mut members: Vec<(i64, i64, SpanIx)> = Vec::new();
        let mut max_end = i64::MIN;
        for (i, &(start, end, c)) in by_start.iter().enumerate() {
            let overlaps_earlier = start < max_end;
            let overlaps_later = by_start.get(i + 1).is_some_and(|n| n.0 < end);
            if overlaps_earlier || overlaps_later {
                members.push((start, end, c));
            }
            max_end = max_end.max(end);
        }
        let (Some(&(first_start, _, first)), Some(&(last_start, last_end, last))) = (
            members.iter().min(),
            members.iter().max_by_key(|m| (m.1, m.2)),
        ) else {
            continue;
        };
        let wall = last_end.saturating_sub(first_start);
        let last_duration = last_end.saturating_sub(last_start);
        let others: Vec<i64> = members
            .iter()
            .filter(|m| m.2 != last)
            .map(|m| m.1.saturating_sub(m.0))
            .collect();
        let second_end = members
            .iter()
            .filter(|m| m.2 != last)
            .map(|m| m.1)
            .max()
            .unwrap_or(first_start);
        let med = median(others);
        let longest = members
            .iter()
            .map(|m| m.1.saturating_sub(m.0))
            .max()
            .unwrap_or(0);
        let on_path = cp.on_path.get(p as usize).copied().unwrap_or(false);
        let straggler = med > 0 && last_duration as f64 >= STRAGGLER_FACTOR * med as f64;
        // How much sooner the fan-out would end, if it is on the path.
        let saved = if straggler {
            last_duration
                .saturating_sub(med)
                .min(last_end.saturating_sub(second_end))
                .max(0)
        } else {
            // No straggler: the calls were throttled, at most `peak` at a time.
            wall.saturating_sub(longest).max(0)
        };
        let mut ordered = vec![last];
        ordered.extend(members.iter().map(|m| m.2).filter(|&c| c != last));
        found.push(FanOut {
            parent: p,
            members: ordered,
            first,
            peak: peak as usize,
            wall,
            longest,
            straggler_median: straggler.then_some(med),
            stake: if on_path { saved } else { 0 },
        });
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.stake));
    found.truncate(MAX_PER_KIND);
    let mut out = Vec::with_capacity(found.len());
    for mut f in found {
        let (Some(parent), Some(&last_ix)) = (trace.span(f.parent), f.members.first()) else {
            continue;
        };
        let Some(last) = trace.span(last_ix) else {
            continue;
        };
        let same_op = f
            .members
            .iter()
            .filter_map(|&m| trace.span(m))
            .all(|s| s.operation == last.operation);
        // Counted before the evidence is capped.
        let what = if same_op {
            format!(
                "{} {} calls",
                f.members.len(),
                describe_calls(trace, last_ix)
            )
        } else {
            format!("{} child spans", f.members.len())
        };
        let (fix, model, how) = match f.straggler_median {
            Some(med) => (
                vec![(last_ix, Change::Duration(med))],
                FixModel::StragglerAtMedian { median_ns: med },
                "with the last one at the others' median",
            ),
            None => (
                what_if::all_at_once(f.first, &f.members),
                FixModel::AllAtOnce {
                    calls: f.members.len(),
                },
                "with all of them started at once",
            ),
        };
        let saving = sim.saving_paced(trace, &fix, model, pace).await;
        pace.pause().await;
        let sentence = match f.straggler_median {
            Some(med) => format!(
                "{} ran {what} in parallel; the last to finish, {} ({}), took {}, {:.1}× the others' median of {}.{}",
                trace.span_name(parent),
                trace.span_name(last),
                trace.service_name(last),
                format_duration(last.duration_ns),
                last.duration_ns as f64 / med.max(1) as f64,
                format_duration(med),
                saving_words(&saving, how)
            ),
            None => format!(
                "{} ran {what} at most {} at a time; together they took {}, while the slowest alone took {}.{}",
                trace.span_name(parent),
                f.peak,
                format_duration(f.wall),
                format_duration(f.longest),
                saving_words(&saving, how)
            ),
        };
        f.members.truncate(MAX_EVIDENCE);
        out.push(Finding {
            kind: FindingKind::FanOut,
            sentence,
            time_at_stake_ns: saving.saved_ns,
            saving: Some(saving),
            evidence: f.members,
        });
    }
    out
}

fn describe_calls(trace: &Trace, ix: SpanIx) -> String {
    let Some(s) = trace.span(ix) else {
        return String::new();
    };
    let name = trace.span_name(s);
    let mut peers: Vec<String> = trace
        .children(ix)
        .iter()
        .filter_map(|&d| trace.span(d))
        .filter(|d| d.service != s.service)
        .map(|d| trace.service_name(d).to_string())
        .collect();
    peers.dedup();
    // The service that answered says more than an address.
    match peers.into_iter().next().or_else(|| peer_name(trace, s)) {
        Some(peer) => format!("{name} to {peer}"),
        None => name.to_string(),
    }
}
