//! Bottleneck summary across many traces, as CRISP does offline: traces
//! grouped by root operation; for each group the distribution of durations,
//! each operation's critical-path time (p50/p95/p99 and share), what
//! explains the tail (ranked by [`super::tail`]), a heat map of operation ×
//! trace, and the findings counted across traces.

use super::describe::{format_share, statement};
use super::tail::{self, Ranking, Slow};
use super::{FindingKind, TraceAnalysis};
use crate::model::{SpanIx, Trace};
use std::collections::HashMap;

/// Operations drawn in the heat map, by total critical-path time.
pub const HEATMAP_OPERATIONS: usize = 15;
/// The tail starts at this percentile of trace duration.
pub const TAIL_PERCENTILE: f64 = tail::DEFAULT_PERCENTILE;

pub use tail::percentile;

/// Nearest-rank percentiles of a sample.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Percentiles {
    pub p50: i64,
    pub p90: i64,
    pub p95: i64,
    pub p99: i64,
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
    /// What explains the traces at or above [`TAIL_PERCENTILE`], when
    /// anything does; the view ranks again for another percentile or a
    /// brushed range with [`tail::Table`].
    pub tail: Option<Ranking>,
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
    let all_cp: i64 = op_times
        .iter()
        .flatten()
        .copied()
        .fold(0i64, i64::saturating_add);
    let mut order: Vec<u32> = (0..op_names.len() as u32).collect();
    let totals: Vec<i64> = op_times
        .iter()
        .map(|v| v.iter().copied().fold(0i64, i64::saturating_add))
        .collect();
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

    let tail = Some(tail::rank(traces, &members, Slow::default()))
        .filter(|r| !r.explanations.is_empty())
        .map(|mut r| {
            tail::add_usual_time(traces, &members, &mut r);
            r
        });
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
