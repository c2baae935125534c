//! A selection of a group: the table's rows split into the slow traces
//! and the rest, and an explanation as the table's ids before it is put in
//! words.

use super::table::{Row, Table};
use super::{Example, Kind, Slow, Support};
use std::ops::Range;

/// The group split into its slow traces and the rest.
pub(super) struct Split<'a> {
    pub table: &'a Table,
    pub slow: Slow,
    pub threshold_ns: i64,
    /// The slow rows: one run of the rows in duration order.
    pub rows: Range<usize>,
    /// Slow traces and others, as `f64` for the means.
    pub n: f64,
    pub r: f64,
    pub rest_mean: f64,
    pub gap: f64,
}

impl Split<'_> {
    pub fn is_slow(&self, row: usize) -> bool {
        self.rows.contains(&row)
    }

    /// How much longer a trace took than the rest's mean.
    pub fn excess(&self, row: &Row) -> f64 {
        (row.duration_ns as f64 - self.rest_mean).max(0.0)
    }

    pub fn rows(&self) -> impl Iterator<Item = (bool, &Row)> {
        self.table
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| (self.is_slow(i), row))
    }

    pub fn slow_count(&self) -> usize {
        self.rows.len()
    }

    pub fn rest_count(&self) -> usize {
        self.table.rows.len() - self.rows.len()
    }
}

/// What an explanation is about, as the table's ids.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum About {
    Operation(u32),
    /// A value, and the values on exactly the same traces.
    Value(u32, Vec<u32>),
}

/// An explanation before it is put in words.
#[derive(Clone, Debug)]
pub(super) struct Found {
    pub kind: Kind,
    pub about: About,
    pub extra: f64,
    pub support: Support,
    pub examples: Vec<Example>,
    /// Operation time and calls: the per-trace value counted as support.
    pub threshold: f64,
    /// Operation time: its calls per trace, on average in slow and rest.
    pub calls: (f64, f64),
}
