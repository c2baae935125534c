//! Trace statistics, after Jaeger UI's Trace Statistics view: spans grouped
//! by service, operation or any attribute key, with an optional sub-group,
//! and for each group the count, duration and self-time figures, the share
//! of the trace, and the time the group spends on the critical path.

use super::CriticalPath;
use crate::model::{SpanIx, Trace};
use std::collections::{BTreeSet, HashMap};

/// What spans are grouped by.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum GroupBy {
    Service,
    Operation,
    Attribute(String),
}

impl GroupBy {
    pub fn label(&self) -> String {
        match self {
            GroupBy::Service => "Service".to_string(),
            GroupBy::Operation => "Operation".to_string(),
            GroupBy::Attribute(k) => k.clone(),
        }
    }

    /// The group a span falls in.
    pub fn key(&self, trace: &Trace, span: SpanIx) -> String {
        let Some(s) = trace.span(span) else {
            return String::new();
        };
        match self {
            GroupBy::Service => trace.service_name(s).to_string(),
            GroupBy::Operation => trace.span_name(s).to_string(),
            GroupBy::Attribute(k) => {
                let resource = trace.services.get(s.service as usize).and_then(|svc| {
                    let sym = trace.strings.lookup(k)?;
                    svc.resource.iter().find(|a| a.key == sym).map(|a| &a.value)
                });
                match trace.attr(s, k).or(resource) {
                    Some(v) => v.to_string(),
                    None => format!("(without {k})"),
                }
            }
        }
    }
}

/// Figures of one group (or sub-group).
#[derive(Clone, Debug, PartialEq)]
pub struct StatsRow {
    pub group: String,
    pub subgroup: Option<String>,
    pub count: usize,
    pub total_ns: i64,
    pub min_ns: i64,
    pub max_ns: i64,
    pub self_total_ns: i64,
    pub self_min_ns: i64,
    pub self_max_ns: i64,
    pub critical_path_ns: i64,
    /// The spans of the group, to highlight them.
    pub spans: Vec<SpanIx>,
}

impl StatsRow {
    pub fn avg_ns(&self) -> i64 {
        self.total_ns / self.count.max(1) as i64
    }
    pub fn self_avg_ns(&self) -> i64 {
        self.self_total_ns / self.count.max(1) as i64
    }
    /// Self time as a share of the trace's duration, in percent.
    pub fn share_of_trace(&self, trace: &Trace) -> f64 {
        pct(self.self_total_ns, trace.duration_ns())
    }
    /// Critical-path time as a share of the trace's duration, in percent.
    pub fn critical_path_share(&self, trace: &Trace) -> f64 {
        pct(self.critical_path_ns, trace.duration_ns())
    }
}

fn pct(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Groups every span of the trace; rows by total duration, largest first.
pub fn statistics(
    trace: &Trace,
    self_time_ns: &[i64],
    cp: &CriticalPath,
    by: &GroupBy,
    sub: Option<&GroupBy>,
) -> Vec<StatsRow> {
    let mut rows: HashMap<(String, Option<String>), StatsRow> = HashMap::new();
    for (i, span) in trace.spans.iter().enumerate() {
        let ix = i as SpanIx;
        let group = by.key(trace, ix);
        let subgroup = sub.map(|g| g.key(trace, ix));
        let d = span.duration_ns;
        let st = self_time_ns.get(i).copied().unwrap_or(0);
        let row = rows
            .entry((group.clone(), subgroup.clone()))
            .or_insert_with(|| StatsRow {
                group,
                subgroup,
                count: 0,
                total_ns: 0,
                min_ns: i64::MAX,
                max_ns: i64::MIN,
                self_total_ns: 0,
                self_min_ns: i64::MAX,
                self_max_ns: i64::MIN,
                critical_path_ns: 0,
                spans: Vec::new(),
            });
        row.count += 1;
        row.total_ns = row.total_ns.saturating_add(d);
        row.min_ns = row.min_ns.min(d);
        row.max_ns = row.max_ns.max(d);
        row.self_total_ns = row.self_total_ns.saturating_add(st);
        row.self_min_ns = row.self_min_ns.min(st);
        row.self_max_ns = row.self_max_ns.max(st);
        row.critical_path_ns = row.critical_path_ns.saturating_add(cp.time_of(ix));
        row.spans.push(ix);
    }
    let mut v: Vec<StatsRow> = rows.into_values().collect();
    v.sort_by(|a, b| {
        b.total_ns
            .cmp(&a.total_ns)
            .then_with(|| a.group.cmp(&b.group))
            .then_with(|| a.subgroup.cmp(&b.subgroup))
    });
    v
}

/// Every attribute key of the trace's spans and resources, sorted, for the pickers.
pub fn attribute_keys(trace: &Trace) -> Vec<String> {
    let mut keys = BTreeSet::new();
    for s in &trace.spans {
        for a in &s.attributes {
            keys.insert(a.key);
        }
    }
    for svc in &trace.services {
        for a in &svc.resource {
            keys.insert(a.key);
        }
    }
    let mut v: Vec<String> = keys.into_iter().map(|k| trace.str(k).to_string()).collect();
    v.sort();
    v.dedup();
    v
}

/// The table as CSV (RFC 4180), durations in milliseconds.
pub fn to_csv(trace: &Trace, by: &GroupBy, sub: Option<&GroupBy>, rows: &[StatsRow]) -> String {
    let ms = |ns: i64| format!("{:.3}", ns as f64 / 1e6);
    let mut header = vec![csv_field(&by.label())];
    if let Some(s) = sub {
        header.push(csv_field(&s.label()));
    }
    header.extend(
        [
            "Count",
            "Total ms",
            "Avg ms",
            "Min ms",
            "Max ms",
            "Self total ms",
            "Self avg ms",
            "Self min ms",
            "Self max ms",
            "Self % of trace",
            "Critical path ms",
            "Critical path %",
        ]
        .map(String::from),
    );
    let mut out = header.join(",");
    out.push_str("\r\n");
    for r in rows {
        let mut f = vec![csv_field(&r.group)];
        if sub.is_some() {
            f.push(csv_field(r.subgroup.as_deref().unwrap_or("")));
        }
        f.extend([
            r.count.to_string(),
            ms(r.total_ns),
            ms(r.avg_ns()),
            ms(r.min_ns),
            ms(r.max_ns),
            ms(r.self_total_ns),
            ms(r.self_avg_ns()),
            ms(r.self_min_ns),
            ms(r.self_max_ns),
            format!("{:.2}", r.share_of_trace(trace)),
            ms(r.critical_path_ns),
            format!("{:.2}", r.critical_path_share(trace)),
        ]);
        out.push_str(&f.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Quotes a CSV field when needed; a leading `=`, `+`, `-` or `@` is
/// prefixed with `'` so spreadsheets do not run trace data as a formula.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}
