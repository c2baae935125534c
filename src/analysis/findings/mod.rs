//! Findings: patterns on the critical path, each with a sentence, the time
//! at stake (how much shorter the trace would be if it were fixed, estimated
//! from the critical path) and the spans that are its evidence.
//!
//! Every threshold is a named constant below, so that they are read and
//! tuned in one place.

use super::describe::{
    describe_span_with, format_duration, format_share, peer_name, statement, work_kind, WorkKind,
};
use super::{CriticalPath, OperationTime};
use crate::model::pace::{self, NoPause, Pace};
use crate::model::{SpanIx, Trace};
use std::collections::HashMap;

mod fan_out;

/// Sibling calls of one operation (and one statement) needed for an N+1 finding.
pub const MIN_SEQUENTIAL_REPEATS: usize = 5;
/// Two calls still count as one after the other when they overlap by at most
/// this fraction of their parent's duration (clock skew, not concurrency).
pub const SEQUENTIAL_OVERLAP_ALLOWANCE: f64 = 0.01;
/// Children running at the same time needed for a fan-out finding.
pub const MIN_FAN_OUT_CONCURRENCY: usize = 3;
/// A fan-out child is a straggler when it takes this many times its siblings' median.
pub const STRAGGLER_FACTOR: f64 = 2.0;
/// A span's uncovered critical-path time between its children must exceed
/// this share of the trace to be reported as uninstrumented.
pub const UNINSTRUMENTED_SHARE: f64 = 0.10;
/// At most this many spans are kept as one finding's evidence.
pub const MAX_EVIDENCE: usize = 200;
/// At most this many findings of one kind are reported, the largest first.
pub const MAX_PER_KIND: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FindingKind {
    /// The operation with the largest exclusive critical-path time.
    DominantOperation,
    /// N+1: the same call made many times, one after the other.
    SequentialRepetition,
    /// Calls made concurrently: limited parallelism, or one straggler.
    FanOut,
    /// Failed calls (and their retries) on the critical path.
    ErrorsOnPath,
    /// Critical-path time of a span between its children, covered by no span.
    Uninstrumented,
}

impl FindingKind {
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::DominantOperation => "Dominant operation",
            FindingKind::SequentialRepetition => "Sequential repetition (N+1)",
            FindingKind::FanOut => "Fan-out",
            FindingKind::ErrorsOnPath => "Errors on the critical path",
            FindingKind::Uninstrumented => "Uninstrumented time",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub kind: FindingKind,
    /// One sentence for people, standing on its own.
    pub sentence: String,
    /// How much shorter the trace would be if this were fixed (an estimate).
    pub time_at_stake_ns: i64,
    /// The spans that show it, most telling first.
    pub evidence: Vec<SpanIx>,
}

/// All findings of a trace, by time at stake, largest first, from its
/// critical path and the [`super::operation_times`] of that path.
pub fn findings(
    trace: &Trace,
    cp: &CriticalPath,
    operation_times: &[OperationTime],
) -> Vec<Finding> {
    pace::now(findings_paced(trace, cp, operation_times, &mut NoPause))
}

/// [`findings`], pausing through `pace` as it goes.
pub async fn findings_paced(
    trace: &Trace,
    cp: &CriticalPath,
    operation_times: &[OperationTime],
    pace: &mut impl Pace,
) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(dominant_operation(trace, cp, operation_times));
    pace.pause().await;
    out.extend(sequential_repetitions(trace, cp, pace).await);
    pace.pause().await;
    out.extend(fan_out::fan_outs(trace, cp, pace).await);
    pace.pause().await;
    out.extend(errors_on_path(trace, cp));
    pace.pause().await;
    out.extend(uninstrumented(trace, cp));
    out.sort_by_key(|f| std::cmp::Reverse(f.time_at_stake_ns));
    out
}

fn dominant_operation(
    trace: &Trace,
    cp: &CriticalPath,
    operation_times: &[OperationTime],
) -> Option<Finding> {
    let top = operation_times.first()?;
    let span = trace.span(top.top_span)?;
    let total = trace.duration_ns();
    let what = describe_span_with(trace, span, &format_duration(top.time_ns));
    let kind = work_kind(trace, span);
    let mut evidence: Vec<SpanIx> = trace
        .spans
        .iter()
        .enumerate()
        .filter(|(i, s)| s.operation == span.operation && cp.time_of(*i as SpanIx) > 0)
        .map(|(i, _)| i as SpanIx)
        .collect();
    // Counted before the evidence is capped.
    let runs = evidence.len();
    evidence.sort_by_key(|&i| std::cmp::Reverse(cp.time_of(i)));
    evidence.truncate(MAX_EVIDENCE);
    let mut sentence = format!(
        "{} is the largest part of the critical path: {} of the trace ({}).",
        capitalize(&what),
        format_share(top.time_ns, total),
        kind.label()
    );
    if runs > 1 {
        sentence.push_str(&format!(" It ran {runs} times on the path."));
    }
    Some(Finding {
        kind: FindingKind::DominantOperation,
        sentence,
        time_at_stake_ns: top.time_ns,
        evidence,
    })
}

/// A run of repeated calls, before it is put in words.
struct Repetition {
    parent: SpanIx,
    calls: Vec<SpanIx>,
    statement: Option<String>,
    sum: i64,
    stake: i64,
}

async fn sequential_repetitions(
    trace: &Trace,
    cp: &CriticalPath,
    pace: &mut impl Pace,
) -> Vec<Finding> {
    let mut found: Vec<Repetition> = Vec::new();
    let mut by_op: Vec<(u32, SpanIx)> = Vec::new();
    for (p, parent) in trace.spans.iter().enumerate() {
        if pace::due(p) {
            pace.pause().await;
        }
        let kids = trace.children(p as SpanIx);
        if kids.len() < MIN_SEQUENTIAL_REPEATS {
            continue;
        }
        // Same operation first (cheap); only groups large enough are split
        // by statement, so SQL is normalised only where it can matter.
        by_op.clear();
        by_op.extend(
            kids.iter()
                .filter_map(|&c| trace.span(c).map(|s| (s.operation, c))),
        );
        by_op.sort_unstable();
        let slack = (parent.duration_ns as f64 * SEQUENTIAL_OVERLAP_ALLOWANCE) as i64;
        for same_op in by_op.chunk_by(|a, b| a.0 == b.0) {
            if same_op.len() < MIN_SEQUENTIAL_REPEATS {
                continue;
            }
            let mut with_stmt: Vec<(Option<String>, SpanIx)> = same_op
                .iter()
                .map(|&(_, c)| (trace.span(c).and_then(|s| statement(trace, s)), c))
                .collect();
            with_stmt.sort_unstable();
            for group in with_stmt.chunk_by(|a, b| a.0 == b.0) {
                if group.len() < MIN_SEQUENTIAL_REPEATS {
                    continue;
                }
                let mut calls: Vec<SpanIx> = group.iter().map(|g| g.1).collect();
                calls.sort_by_key(|&c| trace.span(c).map_or(0, |s| s.start_ns));
                let best = longest_sequential_run(trace, &calls, slack);
                if best.len() < MIN_SEQUENTIAL_REPEATS {
                    continue;
                }
                let durations = best
                    .iter()
                    .filter_map(|&c| trace.span(c))
                    .map(|s| s.duration_ns);
                let sum: i64 = durations.clone().sum();
                let longest = durations.max().unwrap_or(0);
                let on_path: i64 = best.iter().map(|&c| subtree_path_time(trace, cp, c)).sum();
                found.push(Repetition {
                    parent: p as SpanIx,
                    calls: best.to_vec(),
                    statement: group.first().and_then(|g| g.0.clone()),
                    sum,
                    // Batched into one call, the run would take about its longest call.
                    stake: (sum - longest).min(on_path).max(0),
                });
            }
        }
    }
    found.sort_by_key(|r| std::cmp::Reverse(r.stake));
    found.truncate(MAX_PER_KIND);
    let total = trace.duration_ns();
    found
        .into_iter()
        .filter_map(|r| {
            let first = r.calls.first().and_then(|&c| trace.span(c))?;
            let parent = trace.span(r.parent)?;
            let kind = work_kind(trace, first);
            let db = kind == WorkKind::Database;
            let label = match (&r.statement, peer_name(trace, first)) {
                (Some(st), _) => format!("{} calls", super::shorten::statement(st, 60)),
                (None, Some(peer)) if db || kind == WorkKind::ExternalCall => {
                    format!("{} calls to {peer}", trace.span_name(first))
                }
                _ => format!(
                    "{} ({}) calls",
                    trace.span_name(first),
                    trace.service_name(first)
                ),
            };
            let pattern = if db {
                "an N+1 query pattern"
            } else {
                "an N+1 call pattern"
            };
            Some(Finding {
                kind: FindingKind::SequentialRepetition,
                sentence: format!(
                    "{} sequential {label} from {} took {} ({}), {pattern}.",
                    r.calls.len(),
                    trace.span_name(parent),
                    format_duration(r.sum),
                    format_share(r.sum, total)
                ),
                time_at_stake_ns: r.stake,
                evidence: r.calls.into_iter().take(MAX_EVIDENCE).collect(),
            })
        })
        .collect()
}

/// The longest run of calls (sorted by start) each starting after the
/// previous one ended, give or take `slack`.
fn longest_sequential_run<'c>(trace: &Trace, calls: &'c [SpanIx], slack: i64) -> &'c [SpanIx] {
    let mut best: &[SpanIx] = &[];
    let mut run_start = 0;
    for i in 1..=calls.len() {
        let breaks = i == calls.len() || {
            match (trace.span(calls[i - 1]), trace.span(calls[i])) {
                (Some(a), Some(b)) => b.start_ns + slack < a.end_ns(),
                _ => true,
            }
        };
        if breaks {
            if i - run_start > best.len() {
                best = &calls[run_start..i];
            }
            run_start = i;
        }
    }
    best
}

/// Critical-path time of a span and its descendants.
fn subtree_path_time(trace: &Trace, cp: &CriticalPath, ix: SpanIx) -> i64 {
    trace.subtree(ix).iter().map(|&d| cp.time_of(d)).sum()
}

fn median(mut v: Vec<i64>) -> i64 {
    if v.is_empty() {
        return 0;
    }
    v.sort_unstable();
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2
    }
}

fn errors_on_path(trace: &Trace, cp: &CriticalPath) -> Option<Finding> {
    let failed: Vec<SpanIx> = (0..trace.spans.len() as SpanIx)
        .filter(|&i| cp.on_path.get(i as usize).copied().unwrap_or(false))
        .filter(|&i| trace.span(i).is_some_and(|s| s.is_error()))
        .collect();
    if failed.is_empty() {
        return None;
    }
    // Failed attempts: the error span's time on the path, its subtree
    // included, counting nested failures once.
    let failed_set: std::collections::HashSet<SpanIx> = failed.iter().copied().collect();
    let lost: i64 = failed
        .iter()
        .filter(|&&f| !has_failed_ancestor(trace, &failed_set, f))
        .map(|&f| subtree_path_time(trace, cp, f))
        .sum();
    let retried = failed
        .iter()
        .filter(|&&f| {
            let Some(s) = trace.span(f) else { return false };
            let Some(p) = s.parent else { return false };
            trace.children(p).iter().any(|&o| {
                trace.span(o).is_some_and(|x| {
                    x.operation == s.operation && x.start_ns >= s.end_ns() && o != f
                })
            })
        })
        .count();
    let mut names: Vec<&str> = failed
        .iter()
        .filter_map(|&f| trace.span(f))
        .map(|s| trace.span_name(s))
        .collect();
    names.sort_unstable();
    names.dedup();
    let retry_text = match retried {
        0 => String::new(),
        1 => "; 1 was followed by a retry of the same operation".to_string(),
        n => format!("; {n} were followed by a retry of the same operation"),
    };
    Some(Finding {
        kind: FindingKind::ErrorsOnPath,
        sentence: format!(
            "{} failed span{} on the critical path ({}) spent {} in failed attempts{retry_text}.",
            failed.len(),
            if failed.len() == 1 { "" } else { "s" },
            super::shorten::name(&names.join(", "), 80),
            format_duration(lost)
        ),
        time_at_stake_ns: lost,
        evidence: failed.into_iter().take(MAX_EVIDENCE).collect(),
    })
}

fn has_failed_ancestor(
    trace: &Trace,
    failed: &std::collections::HashSet<SpanIx>,
    span: SpanIx,
) -> bool {
    let mut cur = trace.span(span).and_then(|s| s.parent);
    while let Some(p) = cur {
        if failed.contains(&p) {
            return true;
        }
        cur = trace.span(p).and_then(|s| s.parent);
    }
    false
}

fn uninstrumented(trace: &Trace, cp: &CriticalPath) -> Vec<Finding> {
    let total = trace.duration_ns();
    let threshold = (total as f64 * UNINSTRUMENTED_SHARE) as i64;
    let mut by_span: HashMap<SpanIx, i64> = HashMap::new();
    let mut extent: HashMap<SpanIx, Option<(i64, i64)>> = HashMap::new();
    for s in &cp.sections {
        let span_extent = *extent.entry(s.span).or_insert_with(|| {
            let kids = trace.children(s.span);
            let first = kids
                .iter()
                .filter_map(|&c| trace.span(c))
                .map(|c| c.start_ns)
                .min()?;
            let last = kids
                .iter()
                .filter_map(|&c| trace.span(c))
                .map(|c| c.end_ns())
                .max()?;
            Some((first, last))
        });
        let Some((first, last)) = span_extent else {
            continue;
        };
        let a = s.start_ns.max(first);
        let b = s.end_ns.min(last);
        if b > a {
            *by_span.entry(s.span).or_default() += b - a;
        }
    }
    let mut out: Vec<Finding> = by_span
        .into_iter()
        .filter(|&(_, t)| t > threshold && t > 0)
        .filter_map(|(ix, t)| {
            let s = trace.span(ix)?;
            Some(Finding {
                kind: FindingKind::Uninstrumented,
                sentence: format!(
                    "{} in {} spent {} ({}) between its child spans with no span covering it: uninstrumented work or waiting.",
                    trace.span_name(s),
                    trace.service_name(s),
                    format_duration(t),
                    format_share(t, total)
                ),
                time_at_stake_ns: t,
                evidence: vec![ix],
            })
        })
        .collect();
    out.sort_by_key(|f| std::cmp::Reverse(f.time_at_stake_ns));
    out
}

pub(crate) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::TraceAnalysis;
    use crate::model::sample;

    /// A root and `n` children of one operation, each row from `child(i)`.
    fn children(n: usize, root_ns: i64, child: impl Fn(i64) -> (i64, i64)) -> Trace {
        let ids: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
        let mut rows = vec![("r", None, "web", "GET /", 0, root_ns)];
        for (i, id) in ids.iter().enumerate() {
            let (start, duration) = child(i as i64);
            rows.push((id.as_str(), Some("r"), "web", "render", start, duration));
        }
        sample::named(&rows)
    }

    fn finding(a: &TraceAnalysis, kind: FindingKind) -> Option<&Finding> {
        a.findings.iter().find(|f| f.kind == kind)
    }

    /// #16 §4, #18: the count is of the spans the finding selects, not of
    /// the evidence kept.
    #[test]
    fn the_dominant_operation_counts_every_run_past_the_evidence_cap() {
        // 300 renders one after the other, with a nanosecond between them.
        let t = children(300, 3_301, |i| (1 + i * 11, 10));
        let a = TraceAnalysis::new(&t);
        let f = finding(&a, FindingKind::DominantOperation).expect("dominant");
        assert_eq!(f.evidence.len(), MAX_EVIDENCE);
        assert!(
            f.sentence.contains("It ran 300 times on the path."),
            "{}",
            f.sentence
        );
    }

    #[test]
    fn a_fan_out_counts_every_member_past_the_evidence_cap() {
        // 250 renders at once.
        let t = children(250, 100, |i| (10, 50 + i % 3));
        let a = TraceAnalysis::new(&t);
        let f = finding(&a, FindingKind::FanOut).expect("fan-out");
        assert_eq!(f.evidence.len(), MAX_EVIDENCE);
        assert!(
            f.sentence.contains("ran 250 render calls"),
            "{}",
            f.sentence
        );
    }
}
