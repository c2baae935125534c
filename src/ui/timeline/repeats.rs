//! Repeated siblings grouped into one row: five or more consecutive
//! siblings of one operation (and, for database calls, one statement once
//! literals are replaced) read as "120 × SELECT … (311 ms, sequential)".
//! A run is named by its first span, its leader: the row of a grouped run
//! is the leader's, and the other members and every member's subtree are
//! hidden until the run is expanded. Plain Rust, tested natively.

use crate::analysis::describe::statement;
use crate::model::{Span, SpanIx, Sym, Trace};
use std::collections::HashMap;

/// The fewest consecutive repeats grouped, unless the user picks another.
pub const MIN_RUN: usize = 5;

/// Runs are grouped by default in traces of more than this many spans (a
/// small trace reads well span by span); the user can turn grouping on or
/// off in any trace.
pub const GROUP_ABOVE_SPANS: usize = 100;

/// How the calls of a run follow each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Each starts once the one before has ended.
    Sequential,
    /// Each starts before the one before has ended.
    Parallel,
    /// Some one after the other, some overlapping.
    Mixed,
}

impl Shape {
    pub fn word(self) -> &'static str {
        match self {
            Shape::Sequential => "sequential",
            Shape::Parallel => "parallel",
            Shape::Mixed => "partly parallel",
        }
    }
}

/// One run of repeated siblings.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// The first member, which names the run and stands for it as a row.
    pub leader: SpanIx,
    /// The last member.
    pub last: SpanIx,
    pub len: usize,
    /// From the first call's start to the last one's end.
    pub start_ns: i64,
    pub end_ns: i64,
    pub shape: Shape,
}

impl Run {
    pub fn span_ns(&self) -> i64 {
        self.end_ns.saturating_sub(self.start_ns)
    }

    /// The members, in order.
    pub fn members<'t>(&self, trace: &'t Trace) -> &'t [SpanIx] {
        let siblings = siblings(trace, self.leader);
        let from = siblings.iter().position(|&s| s == self.leader);
        from.and_then(|f| siblings.get(f..f.saturating_add(self.len)))
            .unwrap_or(&[])
    }

    /// "120 × SELECT orders"
    pub fn label(&self, name: &str) -> String {
        format!("{} × {name}", self.len)
    }
}

/// Every run of a trace, by leader.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Runs {
    by_leader: HashMap<SpanIx, Run>,
    pub min: usize,
}

impl Runs {
    /// The runs of at least `min` (at least 2) consecutive repeats.
    pub fn find(trace: &Trace, min: usize) -> Runs {
        let min = min.max(2);
        let mut by_leader = HashMap::new();
        let mut cmp = Compare::new(trace);
        runs_among(&mut cmp, &trace.roots, min, |r| {
            by_leader.insert(r.leader, r);
        });
        for ix in 0..trace.spans.len() as SpanIx {
            let children = trace.children(ix);
            if children.len() >= min {
                runs_among(&mut cmp, children, min, |r| {
                    by_leader.insert(r.leader, r);
                });
            }
        }
        Runs { by_leader, min }
    }

    pub fn of_leader(&self, ix: SpanIx) -> Option<&Run> {
        self.by_leader.get(&ix)
    }

    pub fn len(&self) -> usize {
        self.by_leader.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_leader.is_empty()
    }
}

/// The siblings of `ix` (its parent's children, or the roots), in order.
fn siblings(trace: &Trace, ix: SpanIx) -> &[SpanIx] {
    match trace.span(ix).and_then(|s| s.parent) {
        Some(p) => trace.children(p),
        None => &trace.roots,
    }
}

/// What tells repeats apart, looked up once: the statement's keys.
struct Keys {
    query: Option<Sym>,
    statement: Option<Sym>,
}

impl Keys {
    fn of(trace: &Trace) -> Keys {
        Keys {
            query: trace.strings.lookup("db.query.text"),
            statement: trace.strings.lookup("db.statement"),
        }
    }

    /// The span's statement as written.
    fn raw<'t>(&self, span: &'t Span) -> Option<&'t str> {
        [self.query, self.statement]
            .into_iter()
            .flatten()
            .find_map(|k| span.attributes.iter().find(|a| a.key == k))
            .and_then(|a| a.value.as_str())
    }
}

/// Siblings compared in order, each statement normalised at most once
/// (and only where two texts of one operation differ).
struct Compare<'t> {
    trace: &'t Trace,
    keys: Keys,
    /// The last span normalised, and its statement.
    last: Option<(SpanIx, Option<String>)>,
}

impl<'t> Compare<'t> {
    fn new(trace: &'t Trace) -> Compare<'t> {
        Compare {
            trace,
            keys: Keys::of(trace),
            last: None,
        }
    }

    fn normal(&mut self, ix: SpanIx) -> Option<String> {
        if let Some((at, st)) = &self.last {
            if *at == ix {
                return st.clone();
            }
        }
        let st = self.trace.span(ix).and_then(|s| statement(self.trace, s));
        self.last = Some((ix, st.clone()));
        st
    }

    /// Whether `b` repeats `a`: one operation, and one statement (the same
    /// text, or the same once literals are replaced).
    fn same(&mut self, a: SpanIx, b: SpanIx) -> bool {
        let (Some(x), Some(y)) = (self.trace.span(a), self.trace.span(b)) else {
            return false;
        };
        if x.operation != y.operation {
            return false;
        }
        if self.keys.raw(x) == self.keys.raw(y) {
            return true;
        }
        self.normal(a) == self.normal(b)
    }
}

/// Calls `found` with each run of at least `min` repeats among `siblings`.
fn runs_among(cmp: &mut Compare, siblings: &[SpanIx], min: usize, mut found: impl FnMut(Run)) {
    let mut i = 0;
    while i < siblings.len() {
        let mut j = i + 1;
        while let (Some(&a), Some(&b)) = (siblings.get(j - 1), siblings.get(j)) {
            if !cmp.same(a, b) {
                break;
            }
            j += 1;
        }
        if j - i >= min {
            if let Some(run) = siblings
                .get(i..j)
                .and_then(|m| run_of_members(cmp.trace, m))
            {
                found(run);
            }
        }
        i = j;
    }
}

fn run_of_members(trace: &Trace, members: &[SpanIx]) -> Option<Run> {
    let (&leader, &last) = (members.first()?, members.last()?);
    let mut start_ns = i64::MAX;
    let mut end_ns = i64::MIN;
    let (mut after, mut overlapping) = (false, false);
    let mut prev_end: Option<i64> = None;
    for s in members.iter().filter_map(|&m| trace.span(m)) {
        start_ns = start_ns.min(s.start_ns);
        end_ns = end_ns.max(s.end_ns());
        if let Some(p) = prev_end {
            if s.start_ns >= p {
                after = true;
            } else {
                overlapping = true;
            }
        }
        prev_end = Some(prev_end.map_or(s.end_ns(), |p| p.max(s.end_ns())));
    }
    let shape = match (after, overlapping) {
        (_, false) => Shape::Sequential,
        (false, true) => Shape::Parallel,
        (true, true) => Shape::Mixed,
    };
    Some(Run {
        leader,
        last,
        len: members.len(),
        start_ns,
        end_ns,
        shape,
    })
}

/// The run `ix` belongs to (as any member), with at least `min` repeats:
/// found among its siblings only, for revealing one span.
pub fn run_containing(trace: &Trace, ix: SpanIx, min: usize) -> Option<Run> {
    let siblings = siblings(trace, ix);
    let at = siblings.iter().position(|&s| s == ix)?;
    let mut cmp = Compare::new(trace);
    let mut from = at;
    while from > 0 && siblings.get(from - 1).is_some_and(|&p| cmp.same(ix, p)) {
        from -= 1;
    }
    let mut to = at + 1;
    while siblings.get(to).is_some_and(|&n| cmp.same(ix, n)) {
        to += 1;
    }
    if to - from < min.max(2) {
        return None;
    }
    run_of_members(trace, siblings.get(from..to)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::sample;

    fn ix(t: &Trace, id: &str) -> SpanIx {
        t.find_span(id).unwrap_or(SpanIx::MAX)
    }

    /// root > 6 sequential `q` calls, then `other`, then 2 `q`; a parallel
    /// run of 5 `p` under `fan`.
    fn trace() -> Trace {
        type Owned<'a> = (String, Option<&'a str>, &'a str, &'a str, i64, i64);
        let mut spans: Vec<Owned> = vec![("root".into(), None, "svc", "root", 0, 1000)];
        for i in 0..6 {
            spans.push((format!("q{i}"), Some("root"), "db", "SELECT", i * 10, 10));
        }
        spans.push(("other".into(), Some("root"), "svc", "other", 60, 5));
        spans.push(("q6".into(), Some("root"), "db", "SELECT", 70, 5));
        spans.push(("q7".into(), Some("root"), "db", "SELECT", 80, 5));
        spans.push(("fan".into(), Some("root"), "svc", "fan", 100, 100));
        for i in 0..5 {
            spans.push((
                format!("p{i}"),
                Some("fan"),
                "svc",
                "GET /price",
                100 + i,
                50,
            ));
        }
        let rows: Vec<sample::NamedRow> = spans
            .iter()
            .map(|(id, p, s, n, a, d)| (id.as_str(), *p, *s, *n, *a, *d))
            .collect();
        sample::named(&rows)
    }

    #[test]
    fn consecutive_repeats_of_one_operation_form_runs() {
        let t = trace();
        let runs = Runs::find(&t, MIN_RUN);
        assert_eq!(runs.len(), 2);
        let q = runs.of_leader(ix(&t, "q0")).cloned();
        let q = q.unwrap_or_else(|| panic!("no run at q0"));
        assert_eq!(q.len, 6);
        assert_eq!(q.last, ix(&t, "q5"));
        assert_eq!((q.start_ns, q.end_ns), (t.start_ns, t.start_ns + 60));
        assert_eq!(q.shape, Shape::Sequential);
        assert_eq!(q.members(&t).len(), 6);
        assert_eq!(q.label("SELECT"), "6 × SELECT");
        let p = runs.of_leader(ix(&t, "p0")).map(|r| r.shape);
        assert_eq!(p, Some(Shape::Parallel));
        // Two repeats after another operation are no run.
        assert!(runs.of_leader(ix(&t, "q6")).is_none());
        // A lower minimum finds them.
        assert!(Runs::find(&t, 2).of_leader(ix(&t, "q6")).is_some());
    }

    #[test]
    fn another_statement_breaks_a_run() {
        let mut t = trace();
        let key = t.strings.intern("db.statement");
        for (id, sql) in [
            ("q0", "SELECT * FROM a WHERE id = 1"),
            ("q1", "SELECT * FROM a WHERE id = 2"),
        ] {
            let i = ix(&t, id) as usize;
            if let Some(s) = t.spans.get_mut(i) {
                s.attributes.push(crate::model::Attribute {
                    key,
                    value: crate::model::AttrValue::Str(sql.into()),
                });
            }
        }
        // q0 and q1 run the same statement (other literals), q2… none.
        let runs = Runs::find(&t, 2);
        assert_eq!(runs.of_leader(ix(&t, "q0")).map(|r| r.len), Some(2));
        assert_eq!(runs.of_leader(ix(&t, "q2")).map(|r| r.len), Some(4));
    }

    #[test]
    fn the_run_of_any_member_is_found_from_its_siblings() {
        let t = trace();
        let run = run_containing(&t, ix(&t, "q3"), MIN_RUN);
        assert_eq!(run.map(|r| r.leader), Some(ix(&t, "q0")));
        assert!(run_containing(&t, ix(&t, "q6"), MIN_RUN).is_none());
        assert!(run_containing(&t, ix(&t, "root"), MIN_RUN).is_none());
        let mixed = sample::named(&[
            ("r", None, "s", "r", 0, 100),
            ("a", Some("r"), "s", "x", 0, 10),
            ("b", Some("r"), "s", "x", 10, 10),
            ("c", Some("r"), "s", "x", 15, 10),
        ]);
        let shape = run_containing(&mixed, ix(&mixed, "b"), 3).map(|r| r.shape);
        assert_eq!(shape, Some(Shape::Mixed));
    }
}
