//! What the slow traces would have taken had the operation that explains
//! them taken its usual time (issue #16 §3, "the dominant call taking its
//! usual time in the summary's traces where known"): its usual duration is
//! the median of its spans in the other traces of the group, and each slow
//! trace is recomputed by [`what_if`] with every longer span of the
//! operation cut to it (shorter ones stay). Where the other traces never
//! ran the operation there is no usual time, and nothing is claimed.

use super::{Explanation, Kind, Ranking, Subject};
use crate::analysis::describe::format_duration;
use crate::analysis::summary::percentile;
use crate::analysis::what_if::{self, FixModel, Simulator};
use crate::analysis::TraceAnalysis;
use crate::model::pace::{self, NoPause};
use crate::model::Trace;

/// The counterfactual of one explanation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AtUsual {
    /// The operation's median duration in the other traces.
    pub usual_ns: i64,
    /// The slow traces' mean duration as they ran...
    pub slow_mean_ns: i64,
    /// ...and had the operation taken its usual duration.
    pub at_usual_mean_ns: i64,
}

/// The operation `(service, name)` of a trace, if it has one.
fn operation_of(trace: &Trace, (service, name): (&str, &str)) -> Option<u32> {
    (0..trace.operations.len() as u32).find(|&o| trace.operation_names(o) == Some((service, name)))
}

/// The median duration of the operation's spans in the traces `of`.
fn usual_duration(
    traces: &[(&Trace, &TraceAnalysis)],
    of: &[usize],
    op: (&str, &str),
) -> Option<i64> {
    let mut durations: Vec<i64> = Vec::new();
    for (t, _) in of.iter().filter_map(|&i| traces.get(i)) {
        if let Some(o) = operation_of(t, op) {
            durations.extend(
                t.spans
                    .iter()
                    .filter(|s| s.operation == o)
                    .map(|s| s.duration_ns),
            );
        }
    }
    if durations.is_empty() {
        return None;
    }
    durations.sort_unstable();
    Some(percentile(&durations, 50.0))
}

/// The mean duration of the traces `of` had the operation's longer spans
/// taken `usual_ns`: each trace's duration less what [`what_if`] finds its
/// request would save.
fn at_usual_mean(
    traces: &[(&Trace, &TraceAnalysis)],
    of: &[usize],
    op: (&str, &str),
    usual_ns: i64,
) -> i64 {
    let mut sum = 0f64;
    let mut sim = Simulator::default();
    let model = FixModel::UsualDuration { usual_ns };
    for (t, _) in of.iter().filter_map(|&i| traces.get(i)) {
        let saved = match operation_of(t, op) {
            Some(o) => {
                let fix = what_if::at_usual_durations(t, |x| (x == o).then_some(usual_ns));
                pace::now(sim.saving_paced(t, &fix, model, &mut NoPause)).saved_ns
            }
            None => 0,
        };
        sum += t.duration_ns().saturating_sub(saved) as f64;
    }
    (sum / of.len().max(1) as f64) as i64
}

/// Adds to the ranking's first operation explanation (when it is the
/// headline's) what the slow traces would have taken had the operation
/// taken its usual time, in its sentence and the headline's. `members` are
/// the group's traces (indices into `traces`), as given to the ranking.
pub fn add_usual_time(
    traces: &[(&Trace, &TraceAnalysis)],
    members: &[usize],
    ranking: &mut Ranking,
) {
    let Some(top) = ranking.explanations.first_mut() else {
        return;
    };
    let Explanation {
        kind: Kind::OperationTime,
        subject: Subject::Operation { service, operation },
        ..
    } = top
    else {
        return;
    };
    let op = (service.as_str(), operation.as_str());
    let slow = &ranking.slow_traces;
    let rest: Vec<usize> = members
        .iter()
        .copied()
        .filter(|m| !slow.contains(m))
        .collect();
    let Some(usual_ns) = usual_duration(traces, &rest, op) else {
        return;
    };
    let at = AtUsual {
        usual_ns,
        slow_mean_ns: ranking.slow_mean_ns,
        at_usual_mean_ns: at_usual_mean(traces, slow, op, usual_ns),
    };
    let n = slow.len();
    let clause = format!(
        " Had it taken its usual {} (the median in the other traces), {} would have taken about {}{} instead of {}.",
        format_duration(at.usual_ns),
        if n == 1 { "that trace" } else { "they" },
        format_duration(at.at_usual_mean_ns),
        if n == 1 { "" } else { " on average" },
        format_duration(at.slow_mean_ns)
    );
    if ranking.sentence.starts_with(&top.sentence) {
        ranking.sentence.insert_str(top.sentence.len(), &clause);
    }
    top.sentence.push_str(&clause);
    top.at_usual = Some(at);
}
