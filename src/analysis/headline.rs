//! The bottleneck headline: one sentence, composed from the critical path,
//! that names the operation with the largest exclusive critical-path time,
//! how long it took and what share of the trace that is. When an N+1,
//! fan-out or error finding leads instead (by time at stake, or because it
//! explains that operation and fixing it would save time), the finding's
//! sentence follows, with what fixing it would save.

use super::describe::{
    describe_span, describe_span_with, format_duration, format_share, work_kind, WorkKind,
};
use super::findings::{capitalize, Finding, FindingKind};
use super::CriticalPath;
use crate::model::pace::{self, NoPause, Pace};
use crate::model::{SpanIx, Trace};
use crate::text::thousands;

/// Critical-path time of one operation (service, span name) on one root's path.
#[derive(Clone, Debug, PartialEq)]
pub struct OperationTime {
    pub operation: u32,
    pub time_ns: i64,
    /// The operation's span with the most critical-path time: its evidence.
    pub top_span: SpanIx,
}

/// Exclusive critical-path time per operation, largest first.
pub fn operation_times(trace: &Trace, cp: &CriticalPath) -> Vec<OperationTime> {
    pace::now(operation_times_paced(trace, cp, &mut NoPause))
}

/// [`operation_times`], pausing through `pace` as it goes.
pub async fn operation_times_paced(
    trace: &Trace,
    cp: &CriticalPath,
    pace: &mut impl Pace,
) -> Vec<OperationTime> {
    // Operations are dense indices into `trace.operations`: a slot each.
    let mut by_op: Vec<Option<OperationTime>> = vec![None; trace.operations.len()];
    for (i, span) in trace.spans.iter().enumerate() {
        if pace::due(i) {
            pace.pause().await;
        }
        let t = cp.time_of(i as SpanIx);
        if t <= 0 {
            continue;
        }
        let Some(slot) = by_op.get_mut(span.operation as usize) else {
            continue;
        };
        let e = slot.get_or_insert(OperationTime {
            operation: span.operation,
            time_ns: 0,
            top_span: i as SpanIx,
        });
        if t > cp.time_of(e.top_span) {
            e.top_span = i as SpanIx;
        }
        e.time_ns = e.time_ns.saturating_add(t);
    }
    let mut v: Vec<OperationTime> = by_op.into_iter().flatten().collect();
    v.sort_by(|a, b| {
        b.time_ns
            .cmp(&a.time_ns)
            .then(a.operation.cmp(&b.operation))
    });
    v
}

/// The headline sentence for a trace, composed from its findings and its
/// [`operation_times`].
pub fn headline(trace: &Trace, operation_times: &[OperationTime], findings: &[Finding]) -> String {
    let mut s = whole_headline(trace, operation_times, findings);
    if trace.unloaded_spans > 0 {
        let kept = trace.spans.len();
        s.push_str(&format!(
            " This is a partial trace: the first {} of its {} spans were loaded, and everything here is of those alone.",
            thousands(kept),
            thousands(kept.saturating_add(trace.unloaded_spans))
        ));
    }
    s
}

fn whole_headline(
    trace: &Trace,
    operation_times: &[OperationTime],
    findings: &[Finding],
) -> String {
    let Some(root) = trace.main_root().and_then(|r| trace.span(r)) else {
        return "The trace has no spans.".to_string();
    };
    let total = trace.duration_ns();
    let mut s = format!(
        "{} ({}) took {}",
        trace.span_name(root),
        trace.service_name(root),
        format_duration(total)
    );
    if trace.roots.len() > 1 {
        s.push_str(&format!(" across {} root spans", trace.roots.len()));
    }
    let Some(mut lead) = findings.first() else {
        s.push_str(". No span has a duration, so nothing is on the critical path.");
        return s;
    };
    // A repetition or fan-out that explains the dominant operation says more.
    if lead.kind == FindingKind::DominantOperation {
        let top_op = lead
            .evidence
            .first()
            .and_then(|&e| trace.span(e))
            .map(|sp| sp.operation);
        if let Some(better) = findings.iter().find(|f| {
            matches!(
                f.kind,
                FindingKind::SequentialRepetition | FindingKind::FanOut
            ) && f.time_at_stake_ns > 0
                && f.evidence
                    .iter()
                    .any(|&e| trace.span(e).map(|sp| sp.operation) == top_op)
        }) {
            lead = better;
        }
    }
    match lead.kind {
        FindingKind::DominantOperation => {
            let (Some(top), Some(top_span)) = (
                operation_times.first(),
                operation_times.first().and_then(|t| trace.span(t.top_span)),
            ) else {
                return s + ".";
            };
            let share = format_share(top.time_ns, total);
            let kind = work_kind(trace, top_span);
            if top_span.operation == root.operation {
                s.push_str(&format!(
                    ". {share} of it was {} itself ({}), not waiting on any other span.",
                    trace.span_name(root),
                    format_duration(top.time_ns)
                ));
            } else {
                let verb = match kind {
                    WorkKind::OwnCompute => "",
                    _ => "waiting on ",
                };
                s.push_str(&format!(
                    ". {share} of it was {verb}{}.",
                    describe_span_with(trace, top_span, &format_duration(top.time_ns))
                ));
            }
            // Put the fast database call beside the slow one, as the seed story does.
            if kind != WorkKind::Database {
                let db = trace
                    .spans
                    .iter()
                    .filter(|sp| work_kind(trace, sp) == WorkKind::Database)
                    .max_by_key(|sp| sp.duration_ns);
                if let Some(db) = db {
                    s.push_str(&format!(
                        " {} took {}.",
                        capitalize(&describe_span(trace, db)),
                        format_duration(db.duration_ns)
                    ));
                }
            }
            s
        }
        FindingKind::SequentialRepetition => format!("{s}: {}", lead.sentence),
        _ => format!("{s}. {}", lead.sentence),
    }
}
