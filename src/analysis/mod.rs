//! Analyses over one normalised trace: plain functions from `&Trace` to plain data.

pub mod compare;
mod critical_path;
pub mod describe;
pub mod findings;
pub mod flame;
mod headline;
pub mod search;
mod self_time;
pub mod service_map;
pub mod shorten;
pub mod skew;
pub mod stats;
pub mod summary;
pub mod tail;
pub mod what_if;

pub use compare::{compare, Change, Comparison, Node, NodeIx};
pub use critical_path::{
    critical_path, is_blocking, join_sections, CriticalPath, Section, OVERLAP_ALLOWANCE,
};
pub use findings::{findings, Finding, FindingKind};
pub use headline::{headline, operation_times, OperationTime};
pub use self_time::self_times;
pub use stats::{statistics, GroupBy, StatsRow};
pub use what_if::{FixModel, Saving};

use crate::model::pace::{self, NoPause, Pace};
use crate::model::Trace;

/// Everything the trace view shows besides the model, computed once per trace.
#[derive(Clone, Debug)]
pub struct TraceAnalysis {
    pub critical_path: CriticalPath,
    /// Exclusive critical-path time per operation, largest first: what the
    /// findings, the headline, the summary and the bottleneck bar rank.
    pub operation_times: Vec<OperationTime>,
    pub self_time_ns: Vec<i64>,
    /// By time at stake, largest first.
    pub findings: Vec<Finding>,
    pub headline: String,
}

impl TraceAnalysis {
    pub fn new(trace: &Trace) -> TraceAnalysis {
        pace::now(TraceAnalysis::new_paced(trace, &mut NoPause))
    }

    /// [`TraceAnalysis::new`], pausing through `pace` as it goes.
    pub async fn new_paced(trace: &Trace, pace: &mut impl Pace) -> TraceAnalysis {
        let critical_path = critical_path::critical_path_paced(trace, pace).await;
        pace.pause().await;
        let operation_times = headline::operation_times_paced(trace, &critical_path, pace).await;
        pace.pause().await;
        let self_time_ns = self_time::self_times_paced(trace, pace).await;
        pace.pause().await;
        let findings =
            findings::findings_paced(trace, &critical_path, &operation_times, pace).await;
        pace.pause().await;
        let headline = headline(trace, &operation_times, &findings);
        TraceAnalysis {
            critical_path,
            operation_times,
            self_time_ns,
            findings,
            headline,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::sample;

    /// A request that calls a database three times, one after the other,
    /// then a cache: three operations of three services, with time of the
    /// root's own between the calls.
    fn request() -> Trace {
        sample::named(&[
            ("r", None, "web", "GET /", 0, 100),
            ("d1", Some("r"), "db", "SELECT", 10, 10),
            ("d2", Some("r"), "db", "SELECT", 20, 15),
            ("d3", Some("r"), "db", "SELECT", 35, 5),
            ("c", Some("r"), "cache", "GET", 50, 30),
        ])
    }

    /// The analysis holds the per-operation times of its critical path,
    /// exactly as `operation_times` computes them on their own.
    #[test]
    fn operation_times_are_those_of_the_critical_path() {
        let t = request();
        let a = TraceAnalysis::new(&t);
        assert_eq!(a.operation_times, operation_times(&t, &critical_path(&t)));
        let names: Vec<(&str, i64)> = a
            .operation_times
            .iter()
            .filter_map(|o| Some((t.operation_names(o.operation)?.1, o.time_ns)))
            .collect();
        // GET / runs alone for 0-10, 40-50 and 80-100; ties go by operation.
        assert_eq!(names, [("GET /", 40), ("SELECT", 30), ("GET", 30)]);
        // The longest SELECT is its evidence.
        let select = a.operation_times.get(1).map(|o| o.top_span);
        assert_eq!(select, t.find_span("d2"));
    }
}
