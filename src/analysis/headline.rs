//! The bottleneck headline: one sentence, composed from the critical path,
//! that names the operation with the largest exclusive critical-path time,
//! how long it took and what share of the trace that is.

use super::describe::{
    describe_span, describe_span_with, format_duration, format_share, work_kind, WorkKind,
};
use super::CriticalPath;
use crate::model::{SpanIx, Trace};
use std::collections::HashMap;

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
    let mut by_op: HashMap<u32, OperationTime> = HashMap::new();
    for (i, span) in trace.spans.iter().enumerate() {
        let t = cp.time_of(i as SpanIx);
        if t <= 0 {
            continue;
        }
        let e = by_op.entry(span.operation).or_insert(OperationTime {
            operation: span.operation,
            time_ns: 0,
            top_span: i as SpanIx,
        });
        if t > cp.time_of(e.top_span) {
            e.top_span = i as SpanIx;
        }
        e.time_ns += t;
    }
    let mut v: Vec<OperationTime> = by_op.into_values().collect();
    v.sort_by(|a, b| {
        b.time_ns
            .cmp(&a.time_ns)
            .then(a.operation.cmp(&b.operation))
    });
    v
}

/// The headline sentence for a trace.
pub fn headline(trace: &Trace, cp: &CriticalPath) -> String {
    let Some(root_ix) = trace.main_root() else {
        return "The trace has no spans.".to_string();
    };
    let Some(root) = trace.span(root_ix) else {
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
    let ops = operation_times(trace, cp);
    let Some(top) = ops.first() else {
        s.push_str(". No span has a duration, so nothing is on the critical path.");
        return s;
    };
    let Some(top_span) = trace.span(top.top_span) else {
        return s + ".";
    };
    let share = format_share(top.time_ns, total);
    let kind = work_kind(trace, top_span);
    if top.top_span == root_ix
        || (kind == WorkKind::OwnCompute && top_span.operation == root.operation)
    {
        s.push_str(&format!(
            ". {share} of it was {} itself ({}), not waiting on any other span.",
            trace.span_name(root),
            format_duration(top.time_ns)
        ));
    } else {
        let verb = match kind {
            WorkKind::ExternalCall | WorkKind::Database | WorkKind::Messaging => "waiting on ",
            WorkKind::OwnCompute => "",
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
            let mut d = describe_span(trace, db);
            if let Some(first) = d.get(..1) {
                d = first.to_uppercase() + d.get(1..).unwrap_or("");
            }
            s.push_str(&format!(" {d} took {}.", format_duration(db.duration_ns)));
        }
    }
    s
}
