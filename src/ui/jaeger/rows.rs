//! The rows of a Jaeger search's results, from Jaeger's trace summaries or
//! from whole traces, and Jaeger UI's ten sort orders. Plain Rust, tested
//! natively.

use crate::jaeger::TraceSummary;
use crate::model::{normalize_trace_id, Trace};

/// One search result.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultRow {
    pub trace_id: String,
    pub root_service: String,
    pub root_operation: String,
    pub spans: u64,
    pub errors: u64,
    /// Each service and its span count, by name.
    pub services: Vec<(String, u64)>,
    pub start_ns: i64,
    pub duration_ns: i64,
}

impl ResultRow {
    /// The row of a whole trace, read from the model's tables.
    pub fn of_trace(t: &Trace) -> ResultRow {
        let root = t.main_root().and_then(|r| t.span(r));
        let mut services: Vec<(String, u64)> = t
            .services
            .iter()
            .map(|s| (t.str(s.name).to_string(), u64::from(s.span_count)))
            .collect();
        services.sort();
        ResultRow {
            trace_id: t.trace_id.clone(),
            root_service: root
                .map(|r| t.service_name(r).to_string())
                .unwrap_or_default(),
            root_operation: root.map(|r| t.span_name(r).to_string()).unwrap_or_default(),
            spans: t.spans.len() as u64,
            errors: t.error_count as u64,
            services,
            start_ns: t.start_ns,
            duration_ns: t.duration_ns(),
        }
    }

    /// The row of a trace summary (Jaeger v3's `trace-summaries`).
    pub fn of_summary(s: TraceSummary) -> ResultRow {
        ResultRow {
            trace_id: normalize_trace_id(&s.trace_id),
            root_service: s.root_service,
            root_operation: s.root_operation,
            spans: s.span_count,
            errors: s.error_count,
            services: s.services,
            start_ns: s.start_ns,
            duration_ns: s.end_ns.saturating_sub(s.start_ns),
        }
    }
}

/// Jaeger UI's ten sort orders, by index.
pub const SORTS: [&str; 10] = [
    "Most Recent",
    "Oldest First",
    "Longest First",
    "Shortest First",
    "Most Spans",
    "Least Spans",
    "Most Errors",
    "Least Errors",
    "Trace Name A-Z",
    "Trace Name Z-A",
];

/// Sorts the rows in the order of [`SORTS`]`[order]` (Most Recent for any
/// other index).
pub fn sort_rows(rows: &mut [ResultRow], order: usize) {
    let name = |r: &ResultRow| format!("{}: {}", r.root_service, r.root_operation);
    match order {
        1 => rows.sort_by_key(|r| r.start_ns),
        2 => rows.sort_by_key(|r| std::cmp::Reverse(r.duration_ns)),
        3 => rows.sort_by_key(|r| r.duration_ns),
        4 => rows.sort_by_key(|r| std::cmp::Reverse(r.spans)),
        5 => rows.sort_by_key(|r| r.spans),
        6 => rows.sort_by_key(|r| std::cmp::Reverse(r.errors)),
        7 => rows.sort_by_key(|r| r.errors),
        8 => rows.sort_by_key(name),
        9 => rows.sort_by_key(|r| std::cmp::Reverse(name(r))),
        _ => rows.sort_by_key(|r| std::cmp::Reverse(r.start_ns)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::sample;

    fn row(id: &str, start: i64, dur: i64, spans: u64, name: &str) -> ResultRow {
        ResultRow {
            trace_id: id.into(),
            root_service: "svc".into(),
            root_operation: name.into(),
            spans,
            errors: spans % 2,
            services: Vec::new(),
            start_ns: start,
            duration_ns: dur,
        }
    }

    #[test]
    fn the_ten_orders() {
        let rows = vec![
            row("a", 1, 30, 5, "b"),
            row("b", 3, 10, 7, "c"),
            row("c", 2, 20, 2, "a"),
        ];
        let ids = |order: usize| {
            let mut r = rows.clone();
            sort_rows(&mut r, order);
            r.into_iter().map(|r| r.trace_id).collect::<String>()
        };
        assert_eq!(ids(0), "bca");
        assert_eq!(ids(1), "acb");
        assert_eq!(ids(2), "acb");
        assert_eq!(ids(3), "bca");
        assert_eq!(ids(4), "bac");
        assert_eq!(ids(5), "cab");
        assert_eq!(ids(8), "cab");
        assert_eq!(ids(9), "bac");
        assert_eq!(SORTS.len(), 10);
    }

    #[test]
    fn a_traces_row_counts_spans_per_service_from_the_model() {
        let t = sample::trace(&[
            ("1", None, "front", 0, 10),
            ("2", Some("1"), "db", 0, 10),
            ("3", Some("1"), "db", 0, 10),
        ]);
        let r = ResultRow::of_trace(&t);
        assert_eq!(
            r.services,
            vec![("db".to_string(), 2), ("front".to_string(), 1)]
        );
        assert_eq!((r.spans, r.root_service.as_str()), (3, "front"));
    }
}
