//! Analyses over one normalised trace: plain functions from `&Trace` to plain data.

mod critical_path;
pub mod describe;
pub mod findings;
mod headline;
pub mod search;
mod self_time;
pub mod stats;
pub mod summary;

pub use critical_path::{
    critical_path, is_blocking, join_sections, CriticalPath, Section, OVERLAP_ALLOWANCE,
};
pub use findings::{findings, Finding, FindingKind};
pub use headline::{headline, operation_times, OperationTime};
pub use self_time::self_times;
pub use stats::{statistics, GroupBy, StatsRow};

use crate::model::pace::{self, NoPause, Pace};
use crate::model::Trace;

/// Everything the trace view shows besides the model, computed once per trace.
#[derive(Clone, Debug)]
pub struct TraceAnalysis {
    pub critical_path: CriticalPath,
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
        let self_time_ns = self_time::self_times_paced(trace, pace).await;
        pace.pause().await;
        let findings = findings::findings_paced(trace, &critical_path, pace).await;
        pace.pause().await;
        let headline = headline(trace, &critical_path, &findings);
        TraceAnalysis {
            critical_path,
            self_time_ns,
            findings,
            headline,
        }
    }
}
