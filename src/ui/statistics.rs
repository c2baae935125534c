//! The statistics view: spans grouped by service, operation or attribute,
//! with a sub-group, sortable columns, rows that highlight their spans in the
//! timeline, and a CSV download.

use super::format::format_duration;
use super::state::{AppState, Level, Loaded};
use super::view_state::ViewState;
use crate::analysis::stats::{attribute_keys, statistics, to_csv, GroupBy, StatsRow};
use crate::analysis::TraceAnalysis;
use crate::model::Trace;
use leptos::prelude::*;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    Group,
    Count,
    Total,
    Avg,
    Min,
    Max,
    SelfTotal,
    SelfAvg,
    SelfMin,
    SelfMax,
    Share,
    CriticalPath,
}

const COLUMNS: [(Col, &str); 12] = [
    (Col::Group, "Group"),
    (Col::Count, "Count"),
    (Col::Total, "Total"),
    (Col::Avg, "Avg"),
    (Col::Min, "Min"),
    (Col::Max, "Max"),
    (Col::SelfTotal, "Self total"),
    (Col::SelfAvg, "Self avg"),
    (Col::SelfMin, "Self min"),
    (Col::SelfMax, "Self max"),
    (Col::Share, "Self % of trace"),
    (Col::CriticalPath, "Critical path"),
];

fn sort_key(r: &StatsRow, col: Col) -> i64 {
    match col {
        Col::Group => 0,
        Col::Count => r.count as i64,
        Col::Total => r.total_ns,
        Col::Avg => r.avg_ns(),
        Col::Min => r.min_ns,
        Col::Max => r.max_ns,
        Col::SelfTotal | Col::Share => r.self_total_ns,
        Col::SelfAvg => r.self_avg_ns(),
        Col::SelfMin => r.self_min_ns,
        Col::SelfMax => r.self_max_ns,
        Col::CriticalPath => r.critical_path_ns,
    }
}

fn parse_group(v: &str) -> Option<GroupBy> {
    match v {
        "" => None,
        "service" => Some(GroupBy::Service),
        "operation" => Some(GroupBy::Operation),
        other => other
            .strip_prefix("attr:")
            .map(|k| GroupBy::Attribute(k.to_string())),
    }
}

fn group_value(g: &GroupBy) -> String {
    match g {
        GroupBy::Service => "service".to_string(),
        GroupBy::Operation => "operation".to_string(),
        GroupBy::Attribute(k) => format!("attr:{k}"),
    }
}

#[component]
pub fn StatisticsView(loaded: Loaded) -> impl IntoView {
    view! {
        <div class="statistics" data-testid="statistics">
            {super::widgets::when_analysed(
                loaded,
                |trace, analysis| view! { <Table trace analysis/> }.into_any(),
                "Computing self and critical-path times",
            )}
        </div>
    }
}

/// The table, for an analysed trace.
#[component]
fn Table(trace: Arc<Trace>, analysis: Arc<TraceAnalysis>) -> impl IntoView {
    let app = expect_context::<AppState>();
    let state = expect_context::<ViewState>();
    let keys = attribute_keys(&trace);
    let by = RwSignal::new(GroupBy::Service);
    let sub = RwSignal::new(None::<GroupBy>);
    let sort = RwSignal::new((Col::Total, true));

    let (t, a) = (trace.clone(), analysis.clone());
    let rows = Memo::new(move |_| {
        let mut rows = statistics(
            &t,
            &a.self_time_ns,
            &a.critical_path,
            &by.get(),
            sub.get().as_ref(),
        );
        let (col, desc) = sort.get();
        rows.sort_by(|x, y| {
            let o = if col == Col::Group {
                (&x.group, &x.subgroup).cmp(&(&y.group, &y.subgroup))
            } else {
                sort_key(x, col).cmp(&sort_key(y, col))
            };
            if desc {
                o.reverse()
            } else {
                o
            }
        });
        rows
    });

    let options = move |with_none: bool| {
        let mut v: Vec<(String, String)> = Vec::new();
        if with_none {
            v.push((String::new(), "(none)".to_string()));
        }
        v.push(("service".into(), "Service".into()));
        v.push(("operation".into(), "Operation".into()));
        v.extend(
            keys.iter()
                .map(|k| (format!("attr:{k}"), format!("attribute {k}"))),
        );
        v
    };
    let by_options = options(false);
    let sub_options = options(true);
    let t_csv = trace.clone();
    let total = trace.duration_ns();

    view! {
        <div class="stats-tools">
            <label>"Group by "
                <select data-testid="group-by" on:change=move |ev| {
                    if let Some(g) = parse_group(&event_target_value(&ev)) { by.set(g) }
                }>
                    {by_options.into_iter().map(|(v, l)| {
                        let selected = v == group_value(&GroupBy::Service);
                        view! { <option value=v selected=selected>{l}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>" Sub-group "
                <select data-testid="sub-group" on:change=move |ev| sub.set(parse_group(&event_target_value(&ev)))>
                    {sub_options.into_iter().map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}
                </select>
            </label>
            <button class="button" data-testid="download-csv" on:click=move |_| {
                let csv = rows.with(|r| to_csv(&t_csv, &by.get_untracked(), sub.get_untracked().as_ref(), r));
                let name = format!("traceglass-statistics-{}.csv", t_csv.trace_id);
                if let Err(e) = super::dom::download(&name, "text/csv;charset=utf-8", &csv) {
                    app.message(Level::Error, format!("The CSV could not be saved: {e}"));
                }
            }>"Download CSV"</button>
        </div>
        <table class="stats-table">
            <thead>
                <tr>
                    {COLUMNS.into_iter().map(|(col, label)| {
                        let label = move || if col == Col::Group { by.with(|b| b.label()) } else { label.to_string() };
                        view! {
                            <th
                                aria-sort=move || match sort.get() {
                                    (c, true) if c == col => "descending",
                                    (c, false) if c == col => "ascending",
                                    _ => "none",
                                }
                            >
                                <button class="sort" data-testid="sort" on:click=move |_| {
                                    sort.update(|s| *s = if s.0 == col { (col, !s.1) } else { (col, col != Col::Group) })
                                }>
                                    {label}
                                    {move || match sort.get() {
                                        (c, true) if c == col => " ▼",
                                        (c, false) if c == col => " ▲",
                                        _ => "",
                                    }}
                                </button>
                            </th>
                        }
                    }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {move || rows.get().into_iter().map(|r| {
                    let spans = r.spans.clone();
                    let group = match &r.subgroup {
                        Some(s) => format!("{} / {s}", r.group),
                        None => r.group.clone(),
                    };
                    let share = if total > 0 { r.self_total_ns as f64 * 100.0 / total as f64 } else { 0.0 };
                    let cp_share = if total > 0 { r.critical_path_ns as f64 * 100.0 / total as f64 } else { 0.0 };
                    view! {
                        <tr data-testid="stats-row" on:click=move |_| state.show_spans(&spans) title="Show these spans in the timeline">
                            <td class="group">{group}</td>
                            <td>{r.count}</td>
                            <td>{format_duration(r.total_ns)}</td>
                            <td>{format_duration(r.avg_ns())}</td>
                            <td>{format_duration(r.min_ns)}</td>
                            <td>{format_duration(r.max_ns)}</td>
                            <td>{format_duration(r.self_total_ns)}</td>
                            <td>{format_duration(r.self_avg_ns())}</td>
                            <td>{format_duration(r.self_min_ns)}</td>
                            <td>{format_duration(r.self_max_ns)}</td>
                            <td>{format!("{share:.1} %")}</td>
                            <td>{format!("{} ({cp_share:.1} %)", format_duration(r.critical_path_ns))}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
