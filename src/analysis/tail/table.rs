//! A group of traces as numbers: per trace its duration, each operation's
//! critical-path time and calls, the patterns its findings name, and the
//! attribute values on its critical path with the time under each.
//! Operations, keys and values are interned once for the group; values stay
//! borrowed from the traces until their key is known to be kept, so a key
//! of ids costs no allocation per span.

use super::{Histogram, NEAR_UNIQUE_SHARE, SKIPPED_KEYS};
use crate::analysis::{what_if, FindingKind, TraceAnalysis};
use crate::model::{AttrValue, SpanIx, Trace};
use rustc_hash::FxHashMap;

/// No id: an operation not seen, a key skipped.
const NONE: u32 = u32::MAX;
/// A trace's key not looked up yet.
const UNSEEN: u32 = u32::MAX - 1;

/// A pattern found by `analysis::findings`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Pattern {
    FanOut,
    Errors,
    Uninstrumented,
}

/// One operation in one trace.
#[derive(Clone, Copy, Debug)]
pub(super) struct OpCell {
    pub op: u32,
    pub time_ns: i64,
    pub calls: u32,
    /// The span with the most critical-path time, else the first.
    pub span: SpanIx,
}

/// One pattern about one operation in one trace.
#[derive(Clone, Copy, Debug)]
pub(super) struct PatternCell {
    pub pattern: Pattern,
    pub op: u32,
    /// Time at stake, added up over the trace's findings of this key.
    pub stake_ns: i64,
    /// Fan-out: the most concurrent calls; errors: failed spans.
    pub width: u32,
    /// Errors: one was followed by a retry of the same operation.
    pub retried: bool,
    pub span: SpanIx,
}

/// One attribute value on one trace's critical path.
#[derive(Clone, Copy, Debug)]
pub(super) struct AttrCell {
    pub value: u32,
    /// Critical-path time of the subtrees of the spans that carry it.
    pub time_ns: i64,
    /// The span carrying it with the most time under it.
    pub span: SpanIx,
}

#[derive(Clone, Debug)]
pub(super) struct Row {
    /// Index into the traces the table was made from.
    pub index: usize,
    pub duration_ns: i64,
    /// By `op`.
    pub ops: Vec<OpCell>,
    /// By (`pattern`, `op`).
    pub patterns: Vec<PatternCell>,
    /// By `value`.
    pub attrs: Vec<AttrCell>,
    /// Critical-path time under any value of each kept key, by key.
    pub keys: Vec<(u32, i64)>,
}

impl Row {
    pub fn op(&self, op: u32) -> Option<&OpCell> {
        let i = self.ops.binary_search_by_key(&op, |c| c.op).ok()?;
        self.ops.get(i)
    }

    pub fn pattern(&self, key: (Pattern, u32)) -> Option<&PatternCell> {
        let i = self
            .patterns
            .binary_search_by_key(&key, |c| (c.pattern, c.op))
            .ok()?;
        self.patterns.get(i)
    }

    pub fn attr(&self, value: u32) -> Option<&AttrCell> {
        let i = self.attrs.binary_search_by_key(&value, |c| c.value).ok()?;
        self.attrs.get(i)
    }
}

/// A group of traces as numbers, ready to rank any selection of its slow
/// traces (`Table::rank`) and to draw its durations ([`Table::histogram`]).
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// (service, span name) of each operation.
    pub(super) ops: Vec<(String, String)>,
    /// (key, value as text) of each kept attribute value.
    pub(super) values: Vec<(String, String)>,
    /// The key of each value (an index into the kept keys).
    pub(super) value_keys: Vec<u32>,
    /// How many keys were kept.
    pub(super) keys: usize,
    /// By duration, shortest first (ties by index).
    pub(super) rows: Vec<Row>,
}

impl Table {
    /// The traces `members` (indices into `traces`; others are skipped).
    pub fn new(traces: &[(&Trace, &TraceAnalysis)], members: &[usize]) -> Table {
        let mut b = Builder::default();
        for &i in members {
            if let Some(&(t, a)) = traces.get(i) {
                b.add(i, t, a);
            }
        }
        b.finish()
    }

    /// How many traces the group has.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The group's durations, shortest first.
    pub fn durations(&self) -> Vec<i64> {
        self.rows.iter().map(|r| r.duration_ns).collect()
    }

    /// The traces, as indices into the traces given to [`Table::new`],
    /// shortest first.
    pub fn traces(&self) -> Vec<usize> {
        self.rows.iter().map(|r| r.index).collect()
    }

    /// A histogram of the group's durations in `bins` bins.
    pub fn histogram(&self, bins: usize) -> Histogram {
        Histogram::of(&self.durations(), bins)
    }
}

/// An attribute value as it is compared, borrowed from its trace.
/// Arrays, maps, bytes and empty values are not compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum ValueRef<'t> {
    Str(&'t str),
    Int(i64),
    Bool(bool),
    /// The bits of an `f64`.
    Double(u64),
}

impl<'t> ValueRef<'t> {
    fn of(v: &'t AttrValue) -> Option<ValueRef<'t>> {
        Some(match v {
            AttrValue::Str(s) => ValueRef::Str(s),
            AttrValue::Int(n) => ValueRef::Int(*n),
            AttrValue::Bool(b) => ValueRef::Bool(*b),
            AttrValue::Double(d) => ValueRef::Double(d.to_bits()),
            _ => return None,
        })
    }

    fn text(self) -> String {
        match self {
            ValueRef::Str(s) => s.to_string(),
            ValueRef::Int(n) => n.to_string(),
            ValueRef::Bool(b) => b.to_string(),
            ValueRef::Double(bits) => f64::from_bits(bits).to_string(),
        }
    }
}

/// Where a value stands in the trace being added.
#[derive(Clone, Copy, Debug, Default)]
struct Seen {
    /// The trace it was last seen in, plus one.
    stamp: u32,
    /// The last tree position of the subtrees counted so far.
    covered_to: u32,
    time_ns: i64,
    span: SpanIx,
    span_ns: i64,
}

#[derive(Default)]
struct Builder<'t> {
    op_ids: FxHashMap<(&'t str, &'t str), u32>,
    ops: Vec<(&'t str, &'t str)>,
    key_ids: FxHashMap<&'t str, u32>,
    keys: Vec<&'t str>,
    value_ids: FxHashMap<(u32, ValueRef<'t>), u32>,
    /// (key, value) of each value id.
    values: Vec<(u32, ValueRef<'t>)>,
    /// Time under each key, per trace, before its key is known to be kept.
    key_times: Vec<Vec<(u32, i64)>>,
    rows: Vec<Row>,
    // Scratch, reused from trace to trace.
    local_ops: Vec<u32>,
    calls: Vec<(u32, SpanIx)>,
    local_keys: Vec<u32>,
    under: Vec<i64>,
    /// Per service of the trace: (value, key) of its resource.
    service_values: Vec<Vec<(u32, u32)>>,
    seen: Vec<Seen>,
    touched: Vec<u32>,
    seen_keys: Vec<Seen>,
    touched_keys: Vec<u32>,
    stamp: u32,
}

impl<'t> Builder<'t> {
    fn add(&mut self, index: usize, t: &'t Trace, a: &TraceAnalysis) {
        let ops = self.operations(t, a);
        let patterns = self.patterns(t, a);
        let (attrs, keys) = self.attributes(t, a);
        self.key_times.push(keys);
        self.rows.push(Row {
            index,
            duration_ns: t.duration_ns(),
            ops,
            patterns,
            attrs,
            keys: Vec::new(),
        });
    }

    /// Each operation's calls (all its spans) and critical-path time.
    fn operations(&mut self, t: &'t Trace, a: &TraceAnalysis) -> Vec<OpCell> {
        self.calls.clear();
        self.calls.resize(t.operations.len(), (0, 0));
        for (i, s) in t.spans.iter().enumerate() {
            if let Some(c) = self.calls.get_mut(s.operation as usize) {
                if c.0 == 0 {
                    c.1 = i as SpanIx;
                }
                c.0 += 1;
            }
        }
        self.local_ops.clear();
        self.local_ops.resize(t.operations.len(), NONE);
        let mut cells = Vec::new();
        for (local, &(calls, first)) in self.calls.iter().enumerate() {
            if calls == 0 {
                continue;
            }
            let Some(key) = t.operation_names(local as u32) else {
                continue;
            };
            let op = *self.op_ids.entry(key).or_insert_with(|| {
                self.ops.push(key);
                (self.ops.len() - 1) as u32
            });
            if let Some(l) = self.local_ops.get_mut(local) {
                *l = cells.len() as u32;
            }
            cells.push(OpCell {
                op,
                time_ns: 0,
                calls,
                span: first,
            });
        }
        for o in &a.operation_times {
            let at = self.local_ops.get(o.operation as usize).copied();
            if let Some(c) = at.and_then(|i| cells.get_mut(i as usize)) {
                c.time_ns = o.time_ns;
                c.span = o.top_span;
            }
        }
        // From now on, `local_ops` maps to the group's operation.
        for l in self.local_ops.iter_mut() {
            if let Some(c) = cells.get(*l as usize) {
                *l = c.op;
            }
        }
        cells.sort_unstable_by_key(|c| c.op);
        cells
    }

    fn op_of(&self, t: &Trace, span: SpanIx) -> Option<u32> {
        let s = t.span(span)?;
        self.local_ops
            .get(s.operation as usize)
            .copied()
            .filter(|&o| o != NONE)
    }

    /// The trace's fan-outs, errors and uninstrumented time, by operation.
    fn patterns(&self, t: &Trace, a: &TraceAnalysis) -> Vec<PatternCell> {
        let mut cells: Vec<PatternCell> = Vec::new();
        for f in &a.findings {
            let Some(&first) = f.evidence.first() else {
                continue;
            };
            let (pattern, span) = match f.kind {
                FindingKind::FanOut => match t.span(first).and_then(|s| s.parent) {
                    Some(p) => (Pattern::FanOut, p),
                    None => continue,
                },
                FindingKind::ErrorsOnPath => (Pattern::Errors, first),
                FindingKind::Uninstrumented => (Pattern::Uninstrumented, first),
                // Repetitions are counted as calls; the dominant operation
                // is an operation's time.
                FindingKind::SequentialRepetition | FindingKind::DominantOperation => continue,
            };
            let Some(op) = self.op_of(t, span) else {
                continue;
            };
            let retried =
                pattern == Pattern::Errors && !what_if::retries(t, &f.evidence).is_empty();
            let width = f.evidence.len() as u32;
            match cells
                .iter_mut()
                .find(|c| c.pattern == pattern && c.op == op)
            {
                Some(c) => {
                    c.stake_ns = c.stake_ns.saturating_add(f.time_at_stake_ns);
                    c.width = c.width.max(width);
                    c.retried |= retried;
                }
                None => cells.push(PatternCell {
                    pattern,
                    op,
                    stake_ns: f.time_at_stake_ns,
                    width,
                    retried,
                    span,
                }),
            }
        }
        cells.sort_unstable_by_key(|c| (c.pattern, c.op));
        cells
    }

    /// The group's key of one of the trace's keys, or `NONE` when skipped.
    fn key(&mut self, t: &'t Trace, sym: crate::model::Sym) -> u32 {
        let Some(&k) = self.local_keys.get(sym.0 as usize) else {
            return NONE;
        };
        if k != UNSEEN {
            return k;
        }
        let name = t.str(sym);
        let k = if SKIPPED_KEYS.contains(&name) {
            NONE
        } else {
            *self.key_ids.entry(name).or_insert_with(|| {
                self.keys.push(name);
                self.seen_keys.push(Seen::default());
                (self.keys.len() - 1) as u32
            })
        };
        if let Some(slot) = self.local_keys.get_mut(sym.0 as usize) {
            *slot = k;
        }
        k
    }

    fn value(&mut self, key: u32, v: ValueRef<'t>) -> u32 {
        *self.value_ids.entry((key, v)).or_insert_with(|| {
            self.values.push((key, v));
            self.seen.push(Seen::default());
            (self.values.len() - 1) as u32
        })
    }

    /// The (value, key) of each attribute that is compared.
    fn intern(
        &mut self,
        t: &'t Trace,
        attrs: &'t [crate::model::Attribute],
        out: &mut Vec<(u32, u32)>,
    ) {
        for attr in attrs {
            let key = self.key(t, attr.key);
            if key == NONE {
                continue;
            }
            if let Some(v) = ValueRef::of(&attr.value) {
                out.push((self.value(key, v), key));
            }
        }
    }

    /// The values on the trace's critical path, with the time under each,
    /// and the time under any value of each key.
    fn attributes(&mut self, t: &'t Trace, a: &TraceAnalysis) -> (Vec<AttrCell>, Vec<(u32, i64)>) {
        let cp = &a.critical_path;
        self.stamp += 1;
        self.local_keys.clear();
        self.local_keys.resize(t.strings.len(), UNSEEN);
        // Critical-path time under each span: its own plus its subtree's.
        self.under.clear();
        self.under.resize(t.spans.len(), 0);
        for &ix in t.tree_order.iter().rev() {
            let own = cp.time_of(ix);
            let kids: i64 = t
                .children(ix)
                .iter()
                .map(|&c| self.under.get(c as usize).copied().unwrap_or(0))
                .fold(0i64, i64::saturating_add);
            if let Some(u) = self.under.get_mut(ix as usize) {
                *u = own.saturating_add(kids);
            }
        }
        let mut service_values = std::mem::take(&mut self.service_values);
        service_values.resize_with(t.services.len(), Vec::new);
        for (svc, list) in t.services.iter().zip(service_values.iter_mut()) {
            list.clear();
            self.intern(t, &svc.resource, list);
        }
        let mut span_values = Vec::new();
        self.touched.clear();
        self.touched_keys.clear();
        for (pos, &ix) in t.tree_order.iter().enumerate() {
            if !cp.on_path.get(ix as usize).copied().unwrap_or(false) {
                continue;
            }
            let Some(span) = t.span(ix) else { continue };
            let end = (pos + t.descendant_count(ix)) as u32;
            let time = self.under.get(ix as usize).copied().unwrap_or(0);
            span_values.clear();
            self.intern(t, &span.attributes, &mut span_values);
            let resource = service_values
                .get(span.service as usize)
                .map_or(&[][..], |v| v.as_slice());
            for &(v, k) in span_values.iter().chain(resource) {
                let at = Place {
                    stamp: self.stamp,
                    pos: pos as u32,
                    end,
                    span: ix,
                    time,
                };
                cover(&mut self.seen, &mut self.touched, v, at);
                cover(&mut self.seen_keys, &mut self.touched_keys, k, at);
            }
        }
        self.service_values = service_values;
        let mut cells: Vec<AttrCell> = self
            .touched
            .iter()
            .filter_map(|&v| {
                let s = self.seen.get(v as usize)?;
                Some(AttrCell {
                    value: v,
                    time_ns: s.time_ns,
                    span: s.span,
                })
            })
            .collect();
        cells.sort_unstable_by_key(|c| c.value);
        let mut keys: Vec<(u32, i64)> = self
            .touched_keys
            .iter()
            .filter_map(|&k| Some((k, self.seen_keys.get(k as usize)?.time_ns)))
            .collect();
        keys.sort_unstable();
        (cells, keys)
    }

    fn finish(mut self) -> Table {
        // Per key: its (trace, value) pairs and its distinct values.
        // (A resource value of a service with no span on the path was
        // interned but is on no trace: it does not count.)
        let mut pairs = vec![0usize; self.keys.len()];
        let mut distinct = vec![0usize; self.keys.len()];
        let mut used = vec![false; self.values.len()];
        for row in &self.rows {
            for c in &row.attrs {
                let Some(&(k, _)) = self.values.get(c.value as usize) else {
                    continue;
                };
                if let Some(p) = pairs.get_mut(k as usize) {
                    *p += 1;
                }
                if let Some(u) = used.get_mut(c.value as usize).filter(|u| !**u) {
                    *u = true;
                    if let Some(d) = distinct.get_mut(k as usize) {
                        *d += 1;
                    }
                }
            }
        }
        let kept: Vec<bool> = pairs
            .iter()
            .zip(&distinct)
            .map(|(&p, &d)| d as f64 <= NEAR_UNIQUE_SHARE * p as f64)
            .collect();
        // Kept keys and values, numbered again in the same order; values
        // as owned text.
        let mut key_number = vec![NONE; self.keys.len()];
        let mut keys = 0;
        for (k, slot) in key_number.iter_mut().enumerate() {
            if kept.get(k).copied().unwrap_or(false) {
                *slot = keys;
                keys += 1;
            }
        }
        let mut renumber = vec![NONE; self.values.len()];
        let mut values = Vec::new();
        let mut value_keys = Vec::new();
        for (old, &(k, v)) in self.values.iter().enumerate() {
            let on_a_trace = used.get(old).copied().unwrap_or(false);
            let key = key_number.get(k as usize).copied().unwrap_or(NONE);
            if let (true, Some(slot), Some(name)) = (
                on_a_trace && key != NONE,
                renumber.get_mut(old),
                self.keys.get(k as usize),
            ) {
                *slot = values.len() as u32;
                values.push((name.to_string(), v.text()));
                value_keys.push(key);
            }
        }
        for (row, key_times) in self.rows.iter_mut().zip(self.key_times) {
            row.attrs.retain_mut(|c| {
                c.value = renumber.get(c.value as usize).copied().unwrap_or(NONE);
                c.value != NONE
            });
            row.keys = key_times
                .into_iter()
                .filter_map(|(k, t)| {
                    let k = key_number.get(k as usize).copied().filter(|&k| k != NONE)?;
                    Some((k, t))
                })
                .collect();
        }
        self.rows.sort_by_key(|r| (r.duration_ns, r.index));
        Table {
            ops: self
                .ops
                .iter()
                .map(|&(s, n)| (s.to_string(), n.to_string()))
                .collect(),
            values,
            value_keys,
            keys: keys as usize,
            rows: self.rows,
        }
    }
}

/// A span on the critical path that carries a value: where it is in tree
/// order, where its subtree ends, and the critical-path time under it.
#[derive(Clone, Copy)]
struct Place {
    stamp: u32,
    pos: u32,
    end: u32,
    span: SpanIx,
    time: i64,
}

/// Counts the time under `at` for value or key `id`, unless a subtree
/// counted already holds it (tree order visits a subtree after its root).
fn cover(seen: &mut [Seen], touched: &mut Vec<u32>, id: u32, at: Place) {
    let Some(s) = seen.get_mut(id as usize) else {
        return;
    };
    if s.stamp != at.stamp {
        *s = Seen {
            stamp: at.stamp,
            covered_to: at.end,
            time_ns: at.time,
            span: at.span,
            span_ns: at.time,
        };
        touched.push(id);
    } else if at.pos > s.covered_to {
        s.covered_to = at.end;
        s.time_ns = s.time_ns.saturating_add(at.time);
        if at.time > s.span_ns {
            s.span = at.span;
            s.span_ns = at.time;
        }
    }
}
