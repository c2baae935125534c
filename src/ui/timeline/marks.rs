//! The critical path as the timeline's rows draw it: each span's sections
//! in time order, and a collapsed row's whole subtree's sections (it then
//! stands for its descendants). An index over the analysis's sections,
//! made once per trace view; plain Rust, tested natively.

use crate::analysis::CriticalPath;
use crate::model::{SpanIx, Trace};
use std::collections::HashMap;

/// Critical-path sections per span, each list in time order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Marks(HashMap<SpanIx, Vec<(i64, i64)>>);

impl Marks {
    pub fn new(cp: &CriticalPath) -> Marks {
        let mut m: HashMap<SpanIx, Vec<(i64, i64)>> = HashMap::new();
        for s in &cp.sections {
            m.entry(s.span).or_default().push((s.start_ns, s.end_ns));
        }
        for list in m.values_mut() {
            list.sort_unstable();
        }
        Marks(m)
    }

    /// The sections of `ix` itself.
    pub fn of(&self, ix: SpanIx) -> Vec<(i64, i64)> {
        self.0.get(&ix).cloned().unwrap_or_default()
    }

    /// The sections of `ix` and its descendants, in time order: gathered
    /// from whichever is smaller, the subtree (a million spans under a
    /// collapsed root) or the spans on the path.
    pub fn of_subtree(&self, trace: &Trace, ix: SpanIx) -> Vec<(i64, i64)> {
        let subtree = trace.subtree(ix);
        let mut list: Vec<(i64, i64)> = if subtree.len() <= self.0.len() {
            subtree
                .iter()
                .filter_map(|d| self.0.get(d))
                .flatten()
                .copied()
                .collect()
        } else {
            self.0
                .iter()
                .filter(|(d, _)| trace.in_subtree(ix, **d))
                .flat_map(|(_, v)| v.iter().copied())
                .collect()
        };
        list.sort_unstable();
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::critical_path;
    use crate::model::sample;

    /// root(0..100) > a(10..40) > a1(20..30); root > b(50..90).
    fn trace() -> Trace {
        sample::trace(&[
            ("root", None, "svc", 0, 100),
            ("a", Some("root"), "svc", 10, 30),
            ("a1", Some("a"), "svc", 20, 10),
            ("b", Some("root"), "svc", 50, 40),
        ])
    }

    #[test]
    fn a_collapsed_row_carries_its_subtrees_sections_in_time_order() {
        let t = trace();
        let cp = critical_path(&t);
        let marks = Marks::new(&cp);
        let ix = |id: &str| t.find_span(id).unwrap_or(SpanIx::MAX);
        let own = marks.of(ix("a"));
        let whole = marks.of_subtree(&t, ix("a"));
        assert!(own.iter().all(|s| whole.contains(s)));
        assert!(marks.of(ix("a1")).iter().all(|s| whole.contains(s)));
        assert!(whole.windows(2).all(|w| w[0] <= w[1]));
        let all = marks.of_subtree(&t, ix("root"));
        let total: i64 = all.iter().map(|(s, e)| e - s).sum();
        assert_eq!(total, 100, "the sections cover the root: {all:?}");
    }
}
