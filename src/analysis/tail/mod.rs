//! Slow against the rest: of the traces of one group (one root operation),
//! the slow ones are chosen (at or above a percentile of duration, or a
//! duration range brushed on a [`Histogram`]), and what explains their
//! extra time is ranked, each explanation with its effect in time, its
//! support and example traces.
//!
//! **The gap.** The slow group's mean duration minus the rest's (the
//! others of the group). Every effect is in nanoseconds per slow trace and
//! is also given as a share of the gap. Only a slow group that is slower
//! than the rest on average is explained.
//!
//! **Operations** ([`Kind::OperationTime`]): an operation's exclusive
//! critical-path time (`TraceAnalysis::operation_times`), mean in slow
//! minus mean in rest.
//!
//! **Calls** ([`Kind::Calls`], the size of an N+1): spans of an operation
//! per trace, mean in slow minus mean in rest (at least
//! [`MIN_EXTRA_CALLS`]), times the operation's critical-path time per call
//! in the slow traces: the part of its extra time that comes from making
//! more calls rather than slower ones.
//!
//! **Patterns** ([`Kind::FanOut`], [`Kind::Errors`],
//! [`Kind::Uninstrumented`]): the findings of each trace
//! (`TraceAnalysis::findings`), keyed by the operation they are about (the
//! fan-out's parent, the first failed span, the span with uncovered time);
//! the effect is the mean time at stake in slow minus in rest. A trace
//! whose pattern stayed under a finding's threshold counts as zero.
//!
//! **Attribute values** ([`Kind::Attribute`]), as Honeycomb's BubbleUp
//! compares them, weighted by critical-path time. A value is *on* a trace
//! when the root or a span on the critical path carries it, as a span
//! attribute or as a resource (process) attribute of the span's service.
//! The *time under* a value in a trace is the critical-path time of the
//! subtrees of the spans on the path that carry it (each span counted once
//! where such subtrees nest): a root attribute has the whole trace under
//! it, `peer.service` on a client span the call it made, a pod every span
//! of its service and what they called. The *usual* time under a key is
//! the rest's mean of the time under any value of that key (0 in a trace
//! without it). With `k` of the `n` slow traces and `m` of the `r` others
//! carrying the value, its effect is
//!
//! ```text
//! effect = (k/n − m/r) × mean over those k slow traces of
//!          clamp(time under the value − usual time under its key, 0, excess)
//! ```
//!
//! where a slow trace's excess is its duration minus the rest's mean. The
//! first factor is BubbleUp's difference of shares: a value on every trace,
//! slow or not, explains nothing, however much time is under it. The
//! second is the time the value can account for in a slow trace: what is
//! spent under it beyond what the others spend under that key anyway (the
//! others spend 100 ms under `peer.service` = `inventory-a`; 300 ms under
//! `inventory-b` is 200 ms more), never more than the trace is slow by. For
//! a key on the root (a tenant, a pod of the root's service) this is the
//! trace's excess itself. A value is ranked when `k ≥`
//! [`MIN_SLOW_SUPPORT`] and the shares differ by at least [`MIN_SHARE_GAP`].
//! Values unique to a trace (ids, timestamps, statements with their
//! literals) are dropped twice over: a key is left out of the group when
//! its values appear, on average, in fewer than two traces each (see
//! [`NEAR_UNIQUE_SHARE`]), and a value needs two slow traces. Values that
//! go together on exactly the same traces (a pod, its host and its IP) are
//! one explanation, the others named as `also`. Keys that restate what the
//! model holds already ([`SKIPPED_KEYS`]: span kind, error status) are not
//! compared.
//!
//! **Ranking.** By effect, largest first; at most [`MAX_PER_KIND`] of each
//! kind and [`MAX_EXPLANATIONS`] in all, each at least [`MIN_EXPLAINED`] of
//! the gap; effects within a microsecond of each other go by kind, in the
//! order of [`Kind`] (an operation before its calls, both before an
//! attribute value that accounts for the same time). The kinds overlap (an
//! operation called more often is both an operation and a call count, and
//! may carry an attribute value), so the effects do not add up to the gap.
//!
//! The group is first turned into numbers ([`Table::new`]: operations, keys
//! and values interned once for the group, strings borrowed from the traces
//! until a value is known to be kept); ranking a selection ([`Table::rank`])
//! reads only those numbers, so the view can rank again as the user moves
//! the percentile or the brush.

mod effects;
mod histogram;
mod split;
mod table;
mod usual;
mod words;

pub use histogram::{Histogram, Scale, DURATION_BINS};
pub use table::Table;
pub use usual::{add_usual_time, AtUsual};

use super::TraceAnalysis;
use crate::model::{SpanIx, Trace};

/// The slow group starts at this percentile of trace duration unless the
/// user picks another.
pub const DEFAULT_PERCENTILE: f64 = 95.0;
/// An attribute value must be on at least this many slow traces.
pub const MIN_SLOW_SUPPORT: usize = 2;
/// A key is dropped when its distinct values number more than this share
/// of its (trace, value) pairs: its values appear in fewer than two traces
/// each, on average (ids, timestamps, statements with literals).
pub const NEAR_UNIQUE_SHARE: f64 = 0.5;
/// The share of slow traces carrying a value must exceed the share of the
/// others by at least this much (20 points).
pub const MIN_SHARE_GAP: f64 = 0.2;
/// Calls per trace must grow by at least this much on average.
pub const MIN_EXTRA_CALLS: f64 = 1.0;
/// An explanation must account for at least this share of the gap.
pub const MIN_EXPLAINED: f64 = 0.02;
/// Explanations of one kind kept, the largest first.
pub const MAX_PER_KIND: usize = 5;
/// Explanations kept in all.
pub const MAX_EXPLANATIONS: usize = 12;
/// Example traces per explanation.
pub const EXAMPLES: usize = 3;
/// Attribute keys that restate the span's kind or status.
pub const SKIPPED_KEYS: [&str; 4] = [
    "span.kind",
    "error",
    "otel.status_code",
    "otel.status_description",
];

/// Which traces of the group are the slow ones.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Slow {
    /// At or above this percentile of duration (nearest rank), 0–100.
    Percentile(f64),
    /// Lasting from `from_ns` to `to_ns`, both included.
    Range { from_ns: i64, to_ns: i64 },
}

impl Default for Slow {
    fn default() -> Slow {
        Slow::Percentile(DEFAULT_PERCENTILE)
    }
}

/// Nearest-rank percentile of sorted values (0 for none).
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

/// What kind of thing explains the extra time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// An operation's critical-path time.
    OperationTime,
    /// An operation's calls per trace, on average in slow and in rest.
    Calls { slow: f64, rest: f64 },
    /// A fan-out from an operation: concurrent calls, on average where it
    /// was found in slow and in rest (0 where never found).
    FanOut { slow: f64, rest: f64 },
    /// Failed calls on the critical path; `retried` slow traces retried one.
    Errors { retried: usize },
    /// Critical-path time of a span covered by none of its children.
    Uninstrumented,
    /// An attribute value on the critical path.
    Attribute,
}

impl Kind {
    /// Where the kind comes among effects that are the same.
    fn order(self) -> u8 {
        match self {
            Kind::OperationTime => 0,
            Kind::Calls { .. } => 1,
            Kind::FanOut { .. } => 2,
            Kind::Errors { .. } => 3,
            Kind::Uninstrumented => 4,
            Kind::Attribute => 5,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::OperationTime => "Operation",
            Kind::Calls { .. } => "Calls (N+1)",
            Kind::FanOut { .. } => "Fan-out",
            Kind::Errors { .. } => "Errors on the critical path",
            Kind::Uninstrumented => "Uninstrumented time",
            Kind::Attribute => "Attribute value",
        }
    }
}

/// What an explanation is about.
#[derive(Clone, Debug, PartialEq)]
pub enum Subject {
    Operation {
        service: String,
        operation: String,
    },
    Attribute {
        key: String,
        value: String,
        /// Values on exactly the same traces, as (key, value).
        also: Vec<(String, String)>,
    },
}

/// In how many traces an explanation holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Support {
    /// `slow` of the `slow_of` slow traces...
    pub slow: usize,
    pub slow_of: usize,
    /// ...against `rest` of the `rest_of` others.
    pub rest: usize,
    pub rest_of: usize,
}

/// A slow trace where an explanation holds most strongly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Example {
    /// Index into the traces given to [`rank`] or [`Table::new`].
    pub trace: usize,
    /// The span to select when it opens.
    pub span: Option<SpanIx>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    pub kind: Kind,
    pub subject: Subject,
    /// The subject in words: "SELECT orders in orders-db", "pod `payments-7`".
    pub what: String,
    /// Of the slow group's extra time per trace, how much this accounts for.
    pub extra_ns: i64,
    /// `extra_ns` as a share of the gap, in percent (0–100).
    pub share: f64,
    pub support: Support,
    /// Up to [`EXAMPLES`] slow traces, strongest first.
    pub examples: Vec<Example>,
    /// One sentence standing on its own.
    pub sentence: String,
    /// For the top operation: what the slow traces would have taken had
    /// it taken its usual time ([`add_usual_time`]).
    pub at_usual: Option<AtUsual>,
}

/// What explains the slow group's extra time.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranking {
    pub slow: Slow,
    /// The shortest duration counted slow: the percentile's value, or the
    /// range's start.
    pub threshold_ns: i64,
    /// The slow traces (indices as in [`Example::trace`]), shortest first.
    pub slow_traces: Vec<usize>,
    /// How many others there are.
    pub rest_traces: usize,
    pub slow_mean_ns: i64,
    pub rest_mean_ns: i64,
    /// Largest effect first.
    pub explanations: Vec<Explanation>,
    /// The headline: the top explanation (with the top attribute value
    /// when that is not it), or why there is nothing to explain.
    pub sentence: String,
}

impl Ranking {
    /// The slow group's mean duration minus the rest's.
    pub fn gap_ns(&self) -> i64 {
        self.slow_mean_ns - self.rest_mean_ns
    }
}

/// Ranks what explains the extra time of the slow traces of a group
/// (`members`: indices into `traces`). The same as
/// `Table::new(traces, members).rank(slow)`; keep the [`Table`] to rank
/// the same group again.
pub fn rank(traces: &[(&Trace, &TraceAnalysis)], members: &[usize], slow: Slow) -> Ranking {
    Table::new(traces, members).rank(slow)
}

/// A percentile the user gave, within 0–100 (the default for NaN).
fn clamp_percentile(p: f64) -> f64 {
    if p.is_nan() {
        DEFAULT_PERCENTILE
    } else {
        p.clamp(0.0, 100.0)
    }
}

/// The rows (in duration order) that are slow: a percentile or a range of
/// durations is one run of sorted durations. Also gives the threshold.
fn select(sorted: &[i64], slow: Slow) -> (std::ops::Range<usize>, i64) {
    match slow {
        Slow::Percentile(p) => {
            let threshold = percentile(sorted, clamp_percentile(p));
            (
                sorted.partition_point(|&d| d < threshold)..sorted.len(),
                threshold,
            )
        }
        Slow::Range { from_ns, to_ns } => {
            let (from, to) = (from_ns.min(to_ns), from_ns.max(to_ns));
            let a = sorted.partition_point(|&d| d < from);
            let b = sorted.partition_point(|&d| d <= to);
            (a..b.max(a), from)
        }
    }
}

#[cfg(test)]
mod tests;
