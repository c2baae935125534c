//! Bottleneck summary across many traces, as CRISP does offline: traces
//! grouped by root operation; for each group the distribution of durations,
//! each operation's critical-path time (p50/p95/p99 and share), the
//! operation that explains the tail (and what the slow traces would take
//! if it took its usual time), a heat map of operation × trace, and the
//! findings counted across traces.

use super::describe::{format_duration, format_share, statement};
use super::what_if::{self, FixModel};
use super::{FindingKind, TraceAnalysis};
use crate::model::pace::{self, NoPause};
use crate::model::{SpanIx, Trace};
use std::collections::HashMap;

/// Operations drawn in the heat map, by total critical-path time.
pub const HEATMAP_OPERATIONS: usize = 15;
/// The tail starts at this percentile of trace duration.
pub const TAIL_PERCENTILE: f64 = 95.0;

/// Nearest-rank percentiles of a sample.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Percentiles {
    pub p50: i64,
    pub p90: i64,
    pub p95: i64,
    pub p99: i64,
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.clamp(1, sorted.len()) - 1)
        .copied()
        .unwrap_or(0)
}

impl Percentiles {
    pub fn of(mut values: Vec<i64>) -> Percentiles {
        values.sort_unstable();
        Percentiles {
            p50: percentile(&values, 50.0),
            p90: percentile(&values, 90.0),
            p95: percentile(&values, 95.0),
            p99: percentile(&values, 99.0),
        }
    }
}

/// One operation's critical-path time across the traces of a group.
#[derive(Clone, Debug, PartialEq)]
pub struct OperationSummary {
    pub service: String,
    pub operation: String,
    /// Per trace (zero where the operation was not on the path).
    pub critical_path: Percentiles,
    pub total_ns: i64,
    /// Share of all critical-path time of the group, in percent.
    pub share: f64,
}

/// The operation that accounts for the slowest traces being slow.
#[derive(Clone, Debug, PartialEq)]
pub struct TailExplanation {
    pub threshold_ns: i64,
    pub slow_traces: usize,
    pub service: String,
    pub operation: String,
    /// How much more critical-path time it took in the slow traces, on average.
    pub extra_ns: i64,
    /// `extra_ns` over how much longer the slow traces were, in percent.
    pub explains: f64,
    /// The operation's usual duration: the median of its spans in the
    /// other traces of the group (`None` where they have none).
    pub usual_ns: Option<i64>,
    /// The slow traces' mean duration, and what it would be if the
    /// operation took its usual duration ([`what_if::at_usual_durations`]).
    pub slow_mean_ns: i64,
    pub at_usual_mean_ns: Option<i64>,
    pub sentence: String,
}

/// A finding seen in several traces.
#[derive(Clone, Debug, PartialEq)]
pub struct FindingCount {
    pub kind: FindingKind,
    pub label: String,
    pub traces: usize,
    pub sentence: String,
}

/// Cells of operation × trace: critical-path time, and the span to open.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Heatmap {
    /// "service: operation" per row.
    pub operations: Vec<String>,
    /// Indices into the summarised traces, by duration, shortest first.
    pub traces: Vec<usize>,
    /// Row-major: `cells[row * traces.len() + column]`.
    pub cells: Vec<(i64, Option<SpanIx>)>,
    pub max_ns: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GroupSummary {
    pub root_service: String,
    pub root_operation: String,
    /// Indices into the summarised traces, by duration, shortest first.
    pub traces: Vec<usize>,
    pub duration: Percentiles,
    pub operations: Vec<OperationSummary>,
    pub tail: Option<TailExplanation>,
    pub heatmap: Heatmap,
    pub findings: Vec<FindingCount>,
}

/// Per trace: its duration and the critical-path time of each operation.
/// Operations are numbered across the group by their (service, name), so
/// that traces can be compared.
struct TraceRow {
    index: usize,
    duration: i64,
    /// (group operation, time, the span to open), by group operation.
    ops: Vec<(u32, i64, SpanIx)>,
}

impl TraceRow {
    fn op(&self, op: u32) -> Option<(i64, SpanIx)> {
        self.ops
            .binary_search_by_key(&op, |o| o.0)
            .ok()
            .and_then(|i| self.ops.get(i))
            .map(|o| (o.1, o.2))
    }
}

/// Summarises traces, grouped by root service and operation, largest group first.
pub fn summarize(traces: &[(&Trace, &TraceAnalysis)]) -> Vec<GroupSummary> {
    let mut groups: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (i, (t, _)) in traces.iter().enumerate() {
        let root = t.main_root().and_then(|r| t.span(r));
        let key = root.map_or_else(
            || ("(none)".to_string(), "(no root)".to_string()),
            |r| (t.service_name(r).to_string(), t.span_name(r).to_string()),
        );
        groups.entry(key).or_default().push(i);
    }
    let mut out: Vec<GroupSummary> = groups
        .into_iter()
        .map(|((svc, op), members)| summarize_group(traces, svc, op, members))
        .collect();
    out.sort_by(|a, b| {
        b.traces
            .len()
            .cmp(&a.traces.len())
            .then_with(|| a.root_operation.cmp(&b.root_operation))
    });
    out
}

fn summarize_group<'t>(
    traces: &[(&'t Trace, &TraceAnalysis)],
    root_service: String,
    root_operation: String,
    members: Vec<usize>,
) -> GroupSummary {
    // Operations of the group, numbered by borrowed (service, name).
    let mut op_ids: HashMap<(&'t str, &'t str), u32> = HashMap::new();
    let mut op_names: Vec<(&'t str, &'t str)> = Vec::new();
    let mut rows: Vec<TraceRow> = Vec::with_capacity(members.len());
    for &i in &members {
        let Some(&(t, a)) = traces.get(i) else {
            continue;
        };
        let mut ops: Vec<(u32, i64, SpanIx)> = a
            .operation_times
            .iter()
            .filter_map(|o| {
                let key = t.operation_names(o.operation)?;
                let id = *op_ids.entry(key).or_insert_with(|| {
                    op_names.push(key);
                    (op_names.len() - 1) as u32
                });
                Some((id, o.time_ns, o.top_span))
            })
            .collect();
        ops.sort_unstable_by_key(|o| o.0);
        rows.push(TraceRow {
            index: i,
            duration: t.duration_ns(),
            ops,
        });
    }
    rows.sort_by_key(|r| (r.duration, r.index));
    let durations: Vec<i64> = rows.iter().map(|r| r.duration).collect();
    let duration = Percentiles::of(durations.clone());

    // Each operation's time in each trace (columns in duration order).
    let mut op_times: Vec<Vec<i64>> = vec![vec![0; rows.len()]; op_names.len()];
    for (col, r) in rows.iter().enumerate() {
        for &(op, t, _) in &r.ops {
            if let Some(cell) = op_times.get_mut(op as usize).and_then(|v| v.get_mut(col)) {
                *cell = t;
            }
        }
    }
    let all_cp: i64 = op_times.iter().flatten().sum();
    let mut order: Vec<u32> = (0..op_names.len() as u32).collect();
    let totals: Vec<i64> = op_times.iter().map(|v| v.iter().sum()).collect();
    order.sort_by(|&a, &b| {
        totals[b as usize]
            .cmp(&totals[a as usize])
            .then_with(|| op_names[a as usize].1.cmp(op_names[b as usize].1))
    });
    let operations: Vec<OperationSummary> = order
        .iter()
        .map(|&o| {
            let (svc, op) = op_names[o as usize];
            let total_ns = totals[o as usize];
            OperationSummary {
                service: svc.to_string(),
                operation: op.to_string(),
                critical_path: Percentiles::of(op_times[o as usize].clone()),
                total_ns,
                share: if all_cp > 0 {
                    total_ns as f64 * 100.0 / all_cp as f64
                } else {
                    0.0
                },
            }
        })
        .collect();

    let tail = explain_tail(traces, &rows, &op_times, &op_names, &durations);
    let heatmap = heatmap(&rows, &order, &op_names);
    let findings = count_findings(traces, &members);
    GroupSummary {
        root_service,
        root_operation,
        traces: rows.iter().map(|r| r.index).collect(),
        duration,
        operations,
        tail,
        heatmap,
        findings,
    }
}

fn explain_tail(
    traces: &[(&Trace, &TraceAnalysis)],
    rows: &[TraceRow],
    op_times: &[Vec<i64>],
    op_names: &[(&str, &str)],
    sorted_durations: &[i64],
) -> Option<TailExplanation> {
    let threshold = percentile(sorted_durations, TAIL_PERCENTILE);
    // Columns are in duration order, so the slow traces are the last ones.
    let first_slow = rows.iter().position(|r| r.duration >= threshold)?;
    let slow = rows.len() - first_slow;
    let rest = first_slow;
    if slow == 0 || rest == 0 {
        return None;
    }
    let mean = |v: &[i64]| v.iter().sum::<i64>() as f64 / v.len().max(1) as f64;
    let gap = mean(sorted_durations.get(first_slow..).unwrap_or(&[]))
        - mean(sorted_durations.get(..first_slow).unwrap_or(&[]));
    if gap <= 0.0 {
        return None;
    }
    let (best, extra) = op_times
        .iter()
        .enumerate()
        .map(|(o, times)| {
            let s = mean(times.get(first_slow..).unwrap_or(&[]));
            let r = mean(times.get(..first_slow).unwrap_or(&[]));
            (o, s - r)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)))?;
    if extra <= 0.0 {
        return None;
    }
    let (service, operation) = *op_names.get(best)?;
    let explains = (extra / gap * 100.0).min(100.0);
    let (slow_rows, rest_rows) = (rows.get(first_slow..)?, rows.get(..first_slow)?);
    let slow_mean_ns = mean(sorted_durations.get(first_slow..).unwrap_or(&[])) as i64;
    let usual = usual_duration(traces, rest_rows, (service, operation));
    let at_usual = usual.map(|u| at_usual_mean(traces, slow_rows, (service, operation), u));
    let mut sentence = format!(
        "In the {slow} slowest trace{} (≥ p{}, {}), {operation} in {service} took {} more than usual; it explains {:.0} % of the tail.",
        if slow == 1 { "" } else { "s" },
        TAIL_PERCENTILE,
        format_duration(threshold),
        format_duration(extra as i64),
        explains
    );
    if let (Some(u), Some(a)) = (usual, at_usual) {
        sentence.push_str(&format!(
            " Had it taken its usual {} (the median in the other traces), {} would have taken about {}{} instead of {}.",
            format_duration(u),
            if slow == 1 { "that trace" } else { "they" },
            format_duration(a),
            if slow == 1 { "" } else { " on average" },
            format_duration(slow_mean_ns)
        ));
    }
    Some(TailExplanation {
        threshold_ns: threshold,
        slow_traces: slow,
        service: service.to_string(),
        operation: operation.to_string(),
        extra_ns: extra as i64,
        explains,
        usual_ns: usual,
        slow_mean_ns,
        at_usual_mean_ns: at_usual,
        sentence,
    })
}

/// The operation `(service, name)` of a trace, if it has one.
fn operation_of(trace: &Trace, (service, name): (&str, &str)) -> Option<u32> {
    (0..trace.operations.len() as u32).find(|&o| trace.operation_names(o) == Some((service, name)))
}

/// The median duration of the operation's spans in the traces of `rows`.
fn usual_duration(
    traces: &[(&Trace, &TraceAnalysis)],
    rows: &[TraceRow],
    op: (&str, &str),
) -> Option<i64> {
    let mut durations: Vec<i64> = Vec::new();
    for r in rows {
        let Some((t, _)) = traces.get(r.index) else {
            continue;
        };
        if let Some(o) = operation_of(t, op) {
            let spans = t.spans.iter().filter(|s| s.operation == o);
            durations.extend(spans.map(|s| s.duration_ns));
        }
    }
    if durations.is_empty() {
        return None;
    }
    durations.sort_unstable();
    Some(percentile(&durations, 50.0))
}

/// The mean duration of the traces of `rows` had the operation's spans
/// taken `usual_ns` (only the longer ones change): each trace's duration
/// less what [`what_if`] finds its request would save.
fn at_usual_mean(
    traces: &[(&Trace, &TraceAnalysis)],
    rows: &[TraceRow],
    op: (&str, &str),
    usual_ns: i64,
) -> i64 {
    let mut sum = 0f64;
    let mut sim = what_if::Simulator::default();
    let model = FixModel::UsualDuration { usual_ns };
    for r in rows {
        let saved = match traces.get(r.index) {
            Some((t, _)) => match operation_of(t, op) {
                Some(o) => {
                    let fix = what_if::at_usual_durations(t, |x| (x == o).then_some(usual_ns));
                    pace::now(sim.saving_paced(t, &fix, model, &mut NoPause)).saved_ns
                }
                None => 0,
            },
            None => 0,
        };
        sum += r.duration.saturating_sub(saved) as f64;
    }
    (sum / rows.len().max(1) as f64) as i64
}

fn heatmap(rows: &[TraceRow], order: &[u32], op_names: &[(&str, &str)]) -> Heatmap {
    let ops: Vec<u32> = order.iter().copied().take(HEATMAP_OPERATIONS).collect();
    let mut cells = Vec::with_capacity(ops.len() * rows.len());
    let mut max_ns = 0;
    for &o in &ops {
        for r in rows {
            let cell = r.op(o).map_or((0, None), |(t, s)| (t, Some(s)));
            max_ns = max_ns.max(cell.0);
            cells.push(cell);
        }
    }
    Heatmap {
        operations: ops
            .iter()
            .filter_map(|&o| op_names.get(o as usize))
            .map(|(svc, op)| format!("{svc}: {op}"))
            .collect(),
        traces: rows.iter().map(|r| r.index).collect(),
        cells,
        max_ns,
    }
}

fn count_findings(traces: &[(&Trace, &TraceAnalysis)], members: &[usize]) -> Vec<FindingCount> {
    let mut counts: HashMap<(FindingKind, String), usize> = HashMap::new();
    for &i in members {
        let Some((t, a)) = traces.get(i) else {
            continue;
        };
        let mut seen = std::collections::HashSet::new();
        for f in &a.findings {
            if f.kind == FindingKind::DominantOperation {
                continue;
            }
            let label = match f.evidence.first().and_then(|&e| t.span(e)) {
                Some(s) if f.kind == FindingKind::ErrorsOnPath => {
                    format!("{} ({})", t.span_name(s), t.service_name(s))
                }
                Some(s) => match statement(t, s) {
                    Some(st) => super::shorten::statement(&st, 60),
                    None => format!("{} ({})", t.span_name(s), t.service_name(s)),
                },
                None => continue,
            };
            if seen.insert((f.kind, label.clone())) {
                *counts.entry((f.kind, label)).or_default() += 1;
            }
        }
    }
    let total = members.len();
    let mut v: Vec<FindingCount> = counts
        .into_iter()
        .map(|((kind, label), n)| {
            let what = match kind {
                FindingKind::SequentialRepetition => format!("N+1 on {label}"),
                FindingKind::FanOut => format!("Fan-out of {label}"),
                FindingKind::ErrorsOnPath => format!("Errors on the critical path in {label}"),
                FindingKind::Uninstrumented => format!("Uninstrumented time in {label}"),
                FindingKind::DominantOperation => label.clone(),
            };
            FindingCount {
                kind,
                sentence: format!(
                    "{what} in {n} of {total} traces ({}).",
                    format_share(n as i64, total as i64)
                ),
                label,
                traces: n,
            }
        })
        .collect();
    v.sort_by(|a, b| b.traces.cmp(&a.traces).then_with(|| a.label.cmp(&b.label)));
    v
}
