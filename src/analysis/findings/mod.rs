//! Findings: patterns on the critical path, each with a sentence, the time
//! at stake (how much shorter the request would be if it were fixed) and
//! the spans that are its evidence.
//!
//! Where a kind's fix is modelled (N+1, fan-out, retried failures; see
//! [`super::what_if`]), the time at stake is computed: the request's
//! duration is recomputed with the pattern fixed, and the sentence says how
//! much faster it would be. The dominant operation (no usual time within
//! one trace), failures that nothing retried and uninstrumented time keep
//! an estimate from the critical path, and their sentences claim no
//! counterfactual.
//!
//! Every threshold is a named constant below, so that they are read and
//! tuned in one place.

use super::describe::{
    describe_span_with, format_duration, format_share, peer_name, statement, statements_among,
    work_kind, WorkKind,
};
use super::what_if::{self, FixModel, Saving};
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
    /// How much shorter the request would be if this were fixed: the
    /// computed `saving` where there is one, else an estimate from the
    /// critical path.
    pub time_at_stake_ns: i64,
    /// The request's duration recomputed with this fixed, where the kind's
    /// fix is modelled.
    pub saving: Option<Saving>,
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
    let mut sim = what_if::Simulator::default();
    out.extend(dominant_operation(trace, cp, operation_times));
    pace.pause().await;
    out.extend(sequential_repetitions(trace, cp, &mut sim, pace).await);
    pace.pause().await;
    out.extend(fan_out::fan_outs(trace, cp, &mut sim, pace).await);
    pace.pause().await;
    out.extend(errors_on_path(trace, cp, &mut sim, pace).await);
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
        // The operation's runs may have run different statements: the
        // sentence names one, so it says the count covers them all.
        let statements = statements_among(trace, &evidence, MAX_EVIDENCE, usize::MAX);
        let of = match statements.len() {
            0 | 1 => String::new(),
            n if runs > MAX_EVIDENCE => format!(", with at least {n} different statements"),
            n => format!(", with {n} different statements"),
        };
        sentence.push_str(&format!(" It ran {runs} times on the path{of}."));
    }
    Some(Finding {
        kind: FindingKind::DominantOperation,
        sentence,
        time_at_stake_ns: top.time_ns,
        saving: None,
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
    sim: &mut what_if::Simulator,
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
                let sum = durations.clone().fold(0i64, i64::saturating_add);
                let longest = durations.max().unwrap_or(0);
                let on_path: i64 = best
                    .iter()
                    .map(|&c| subtree_path_time(trace, cp, c))
                    .fold(0i64, i64::saturating_add);
                found.push(Repetition {
                    parent: p as SpanIx,
                    calls: best.to_vec(),
                    statement: group.first().and_then(|g| g.0.clone()),
                    sum,
                    // Batched into one call, the run would take about its longest call.
                    stake: sum.saturating_sub(longest).min(on_path).max(0),
                });
            }
        }
    }
    found.sort_by_key(|r| std::cmp::Reverse(r.stake));
    found.truncate(MAX_PER_KIND);
    let total = trace.duration_ns();
    let mut out = Vec::with_capacity(found.len());
    for r in found {
        let (Some(first), Some(parent)) = (
            r.calls.first().and_then(|&c| trace.span(c)),
            trace.span(r.parent),
        ) else {
            continue;
        };
        let median_ns = median(
            r.calls
                .iter()
                .filter_map(|&c| trace.span(c))
                .map(|s| s.duration_ns)
                .collect(),
        );
        let model = FixModel::Batched {
            calls: r.calls.len(),
            median_ns,
        };
        let fix = what_if::batched(&r.calls, median_ns);
        let saving = sim.saving_paced(trace, &fix, model, pace).await;
        pace.pause().await;
        let how = format!(
            "with the calls batched into one call of their median duration ({})",
            format_duration(median_ns)
        );
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
        out.push(Finding {
            kind: FindingKind::SequentialRepetition,
            sentence: format!(
                "{} sequential {label} from {} took {} ({}), {pattern}.{}",
                r.calls.len(),
                trace.span_name(parent),
                format_duration(r.sum),
                format_share(r.sum, total),
                saving_words(&saving, &how)
            ),
            time_at_stake_ns: saving.saved_ns,
            saving: Some(saving),
            evidence: r.calls.into_iter().take(MAX_EVIDENCE).collect(),
        });
    }
    out
}

/// The words that end a finding's sentence: what fixing it (`how`) would
/// save, as the request's new duration says.
fn saving_words(saving: &Saving, how: &str) -> String {
    if saving.saved_ns > 0 {
        format!(
            " Fixing this would make the request about {} faster ({}), {how}.",
            format_duration(saving.saved_ns),
            format_share(saving.saved_ns, saving.duration_ns())
        )
    } else {
        format!(" Fixing this would not make the request faster, even {how}: other work would end no sooner.")
    }
}

/// The longest run of calls (sorted by start) each starting after the
/// previous one ended, give or take `slack`.
fn longest_sequential_run<'c>(trace: &Trace, calls: &'c [SpanIx], slack: i64) -> &'c [SpanIx] {
    let mut best: &[SpanIx] = &[];
    let mut run_start = 0;
    for i in 1..=calls.len() {
        let breaks = i == calls.len() || {
            match (trace.span(calls[i - 1]), trace.span(calls[i])) {
                (Some(a), Some(b)) => b.start_ns.saturating_add(slack) < a.end_ns(),
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
    trace
        .subtree(ix)
        .iter()
        .map(|&d| cp.time_of(d))
        .fold(0i64, i64::saturating_add)
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
        v[m - 1] + (v[m] - v[m - 1]) / 2
    }
}

async fn errors_on_path(
    trace: &Trace,
    cp: &CriticalPath,
    sim: &mut what_if::Simulator,
    pace: &mut impl Pace,
) -> Option<Finding> {
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
        .filter(|&&f| !has_ancestor_in(trace, &failed_set, f))
        .map(|&f| subtree_path_time(trace, cp, f))
        .fold(0i64, i64::saturating_add);
    // The attempts that a later call of the same operation retried are
    // removed; a failure nothing retried stays, its work still to be done.
    let retries = what_if::retries(trace, &failed);
    let retried = retries.len();
    let saving = if retried > 0 {
        let fix = what_if::retries_removed(&retries);
        let model = FixModel::RetriesRemoved { attempts: retried };
        Some(sim.saving_paced(trace, &fix, model, pace).await)
    } else {
        None
    };
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
    // Failures not retried, nor inside a retried attempt, stay.
    let removed: std::collections::HashSet<SpanIx> = retries.iter().map(|r| r.0).collect();
    let kept = failed
        .iter()
        .filter(|&f| !removed.contains(f) && !has_ancestor_in(trace, &removed, *f))
        .count();
    let what_if_text = match &saving {
        Some(saving) => {
            let attempts = if retried == 1 {
                "the retried attempt and the wait before its retry"
            } else {
                "the retried attempts and the wait before each retry"
            };
            let rest = match kept {
                0 => "",
                1 => " (the failure that was not retried is kept: its work would still be needed)",
                _ => " (the failures that were not retried are kept: their work would still be needed)",
            };
            saving_words(saving, &format!("with {attempts} removed{rest}"))
        }
        None if failed.len() == 1 => {
            " It was not retried, so no saving is computed: its work would still be needed."
                .to_string()
        }
        None => " None was retried, so no saving is computed: their work would still be needed."
            .to_string(),
    };
    Some(Finding {
        kind: FindingKind::ErrorsOnPath,
        sentence: format!(
            "{} failed span{} on the critical path ({}) spent {} in failed attempts{retry_text}.{what_if_text}",
            failed.len(),
            if failed.len() == 1 { "" } else { "s" },
            super::shorten::name(&names.join(", "), 80),
            format_duration(lost)
        ),
        time_at_stake_ns: saving.map_or(lost, |s| s.saved_ns),
        saving,
        evidence: failed.into_iter().take(MAX_EVIDENCE).collect(),
    })
}

fn has_ancestor_in(trace: &Trace, set: &std::collections::HashSet<SpanIx>, span: SpanIx) -> bool {
    let mut cur = trace.span(span).and_then(|s| s.parent);
    while let Some(p) = cur {
        if set.contains(&p) {
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
            let t = by_span.entry(s.span).or_default();
            *t = t.saturating_add(b.saturating_sub(a));
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
                saving: None,
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
