//! The one trace model every importer produces and every view reads.
//!
//! A [`Trace`] is built once, by [`TraceBuilder::build`], and never changes
//! afterwards: the builder resolves parents, breaks cycles, orders the tree
//! (depth-first, siblings by start time), computes depths, and fills the
//! service and operation tables. Views and analyses only read it.
//!
//! Spans live in one flat `Vec<Span>` and refer to each other by `u32`
//! index, never by pointer, so that a million-span trace is one allocation of
//! compact records rather than a tree of boxed nodes. Strings that repeat
//! (service names, operation names, attribute keys) are interned per trace.
//!
//! Times are nanoseconds since the Unix epoch (`i64`): Jaeger and Zipkin give
//! microseconds and are scaled at import, OTLP gives nanoseconds.

mod builder;
mod chunks;
pub mod ids;
pub mod pace;
#[cfg(test)]
pub mod sample;
mod shift;
mod size;
mod span_set;
mod tree;
mod value;

pub use builder::{SpanInput, TraceBuilder};
pub use ids::{normalize_span_id, normalize_trace_id};
pub use size::{span_heap, Size};
pub use span_set::SpanSet;
pub use value::AttrValue;

use rustc_hash::FxHashMap as HashMap;

/// Index of a span in [`Trace::spans`].
pub type SpanIx = u32;

/// An interned string of one trace (see [`Trace::str`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(pub u32);

/// A table of the distinct strings of one trace.
#[derive(Clone, Debug)]
pub struct Interner {
    strings: Vec<Box<str>>,
    index: HashMap<Box<str>, Sym>,
    /// The string last interned at each slot of [`recent_slot`], as its
    /// `Sym` plus one (0: none). Spans repeat the same few attribute keys
    /// over and over: most are found here with one comparison, without
    /// hashing the whole string.
    recent: [u32; RECENT],
}

const RECENT: usize = 64;

/// A slot for `s` from its length and three of its bytes.
fn recent_slot(s: &str) -> usize {
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0) as usize;
    (b.len()
        ^ at(0).wrapping_mul(7)
        ^ at(b.len() / 2).wrapping_mul(13)
        ^ at(b.len().wrapping_sub(1)).wrapping_mul(31))
        % RECENT
}

impl Default for Interner {
    fn default() -> Interner {
        Interner {
            strings: Vec::new(),
            index: HashMap::default(),
            recent: [0; RECENT],
        }
    }
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> Sym {
        let slot = recent_slot(s);
        let seen = self.recent[slot];
        if seen != 0
            && self
                .strings
                .get(seen as usize - 1)
                .is_some_and(|x| **x == *s)
        {
            return Sym(seen - 1);
        }
        let sym = match self.index.get(s) {
            Some(sym) => *sym,
            None => {
                let sym = Sym(self.strings.len() as u32);
                self.strings.push(s.into());
                self.index.insert(s.into(), sym);
                sym
            }
        };
        self.recent[slot] = sym.0 + 1;
        sym
    }

    pub fn get(&self, sym: Sym) -> &str {
        self.strings.get(sym.0 as usize).map_or("", |s| s)
    }

    pub fn lookup(&self, s: &str) -> Option<Sym> {
        self.index.get(s).copied()
    }

    pub fn len(&self) -> usize {
        self.strings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }
}

/// OpenTelemetry's span kind; Jaeger's `span.kind` tag and Zipkin's `kind` map onto it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SpanKind {
    #[default]
    Unspecified,
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

impl SpanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SpanKind::Unspecified => "unspecified",
            SpanKind::Internal => "internal",
            SpanKind::Server => "server",
            SpanKind::Client => "client",
            SpanKind::Producer => "producer",
            SpanKind::Consumer => "consumer",
        }
    }

    /// Parses the names used by Jaeger tags, Zipkin and OTLP enum strings.
    pub fn parse(s: &str) -> SpanKind {
        let s = s.trim();
        let s = s.strip_prefix("SPAN_KIND_").unwrap_or(s);
        match s.to_ascii_lowercase().as_str() {
            "internal" => SpanKind::Internal,
            "server" => SpanKind::Server,
            "client" => SpanKind::Client,
            "producer" => SpanKind::Producer,
            "consumer" => SpanKind::Consumer,
            _ => SpanKind::Unspecified,
        }
    }

    /// OTLP's integer encoding.
    pub fn from_otlp(n: i64) -> SpanKind {
        match n {
            1 => SpanKind::Internal,
            2 => SpanKind::Server,
            3 => SpanKind::Client,
            4 => SpanKind::Producer,
            5 => SpanKind::Consumer,
            _ => SpanKind::Unspecified,
        }
    }
}

/// OpenTelemetry's status code. Jaeger's `error=true` tag maps to `Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum StatusCode {
    #[default]
    Unset,
    Ok,
    Error,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Status {
    pub code: StatusCode,
    pub message: String,
}

/// How a span relates to the span it points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefType {
    ChildOf,
    FollowsFrom,
}

impl RefType {
    pub fn as_str(self) -> &'static str {
        match self {
            RefType::ChildOf => "CHILD_OF",
            RefType::FollowsFrom => "FOLLOWS_FROM",
        }
    }
}

/// A Jaeger reference (or an OTLP parent). May point into another trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    pub ref_type: RefType,
    pub trace_id: String,
    pub span_id: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub key: Sym,
    pub value: AttrValue,
}

/// A timed annotation on a span (OTLP event, Jaeger log, Zipkin annotation).
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub time_ns: i64,
    pub name: String,
    pub attributes: Vec<Attribute>,
}

/// An OTLP link (Jaeger's references that are not the parent are kept as references).
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub trace_id: String,
    pub span_id: String,
    pub attributes: Vec<Attribute>,
}

/// A service with its resource (Jaeger process) attributes.
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    pub name: Sym,
    pub resource: Vec<Attribute>,
    /// Spans of the trace in this service, counted once by the builder
    /// (a list of traces shows it without going through every span).
    pub span_count: u32,
}

/// A distinct (service, span name) pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operation {
    pub service: u32,
    pub name: Sym,
}

/// One span. Built only by [`TraceBuilder`].
#[derive(Clone, Debug)]
pub struct Span {
    pub span_id: Box<str>,
    /// The span this one hangs under in the tree, after orphan and cycle repair.
    pub parent: Option<SpanIx>,
    /// How `parent` was referenced; FOLLOWS_FROM children do not block their parent.
    pub parent_ref: RefType,
    /// Every reference the source gave (parent included), as written.
    pub references: Vec<Reference>,
    /// Index into [`Trace::services`].
    pub service: u32,
    /// Index into [`Trace::operations`].
    pub operation: u32,
    pub kind: SpanKind,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub status: Status,
    pub attributes: Vec<Attribute>,
    pub events: Vec<Event>,
    pub links: Vec<Link>,
    /// Problems found in this span's data, in words for people.
    pub warnings: Vec<String>,
    /// Index of the instrumentation scope name, if the source gave one.
    pub scope: Option<Sym>,
    /// Derived, filled by the builder.
    pub depth: u32,
}

impl Span {
    pub fn end_ns(&self) -> i64 {
        self.start_ns.saturating_add(self.duration_ns)
    }

    pub fn is_error(&self) -> bool {
        self.status.code == StatusCode::Error
    }
}

/// A problem with the trace as a whole, in words for people.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceWarning {
    pub span: Option<SpanIx>,
    pub message: String,
}

/// A whole trace, normalised. See the module documentation.
#[derive(Clone, Debug)]
pub struct Trace {
    pub trace_id: String,
    pub spans: Vec<Span>,
    pub strings: Interner,
    pub services: Vec<Service>,
    pub operations: Vec<Operation>,
    /// Children of each span, in tree order, as ranges into `child_list`.
    child_start: Vec<u32>,
    child_list: Vec<SpanIx>,
    /// Every span once, depth-first, roots and siblings by start time.
    pub tree_order: Vec<SpanIx>,
    /// Position of each span in `tree_order`.
    tree_pos: Vec<u32>,
    /// Number of descendants of each span; they follow it in `tree_order`.
    descendants: Vec<u32>,
    /// Spans without a parent in this trace, by start time.
    pub roots: Vec<SpanIx>,
    pub warnings: Vec<TraceWarning>,
    pub start_ns: i64,
    pub end_ns: i64,
    pub max_depth: u32,
    pub error_count: usize,
    /// Spans of this trace the file held but that were not loaded, when the
    /// load stopped keeping spans (the tab's memory was full): the trace is
    /// partial, and its analysis says so.
    pub unloaded_spans: usize,
}

impl Trace {
    pub fn str(&self, sym: Sym) -> &str {
        self.strings.get(sym)
    }

    pub fn span(&self, ix: SpanIx) -> Option<&Span> {
        self.spans.get(ix as usize)
    }

    pub fn children(&self, ix: SpanIx) -> &[SpanIx] {
        let i = ix as usize;
        match (self.child_start.get(i), self.child_start.get(i + 1)) {
            (Some(&a), Some(&b)) => self.child_list.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// The span and all its descendants, in tree order.
    pub fn subtree(&self, ix: SpanIx) -> &[SpanIx] {
        let i = ix as usize;
        match (self.tree_pos.get(i), self.descendants.get(i)) {
            (Some(&p), Some(&d)) => self
                .tree_order
                .get(p as usize..=(p + d) as usize)
                .unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Where the span comes in tree order (its row when every span is open).
    pub fn tree_position(&self, ix: SpanIx) -> Option<u32> {
        self.tree_pos.get(ix as usize).copied()
    }

    /// Whether `ix` is `root` or one of its descendants (a subtree is one
    /// run of `tree_order`).
    pub fn in_subtree(&self, root: SpanIx, ix: SpanIx) -> bool {
        let (r, i) = (root as usize, ix as usize);
        match (
            self.tree_pos.get(r),
            self.descendants.get(r),
            self.tree_pos.get(i),
        ) {
            (Some(&p), Some(&d), Some(&q)) => p <= q && q <= p + d,
            _ => false,
        }
    }

    /// Number of descendants of a span.
    pub fn descendant_count(&self, ix: SpanIx) -> usize {
        self.descendants.get(ix as usize).copied().unwrap_or(0) as usize
    }

    /// Whether `other` is the same recording of this trace, as when one
    /// trace is loaded twice (from a file and from Jaeger, in any span
    /// order, in nanoseconds or in Jaeger's microseconds, where a start and
    /// a duration each cut to the microsecond put the end up to 2 µs off):
    /// the same id and the same spans, by id, start and duration. Two
    /// captures of a test under one fixed trace id are not.
    pub fn same_recording(&self, other: &Trace) -> bool {
        self.same_recording_moved(&[], other)
    }

    /// [`Trace::same_recording`] for this trace with the spans of `moves`
    /// moved back by their amounts (ns): a trace corrected for clock skew,
    /// against a trace as recorded.
    pub fn same_recording_moved(&self, moves: &[(SpanIx, i64)], other: &Trace) -> bool {
        const PRECISION_NS: i64 = 2_000;
        let near = |a: i64, b: i64| a.abs_diff(b) < PRECISION_NS as u64;
        if self.trace_id != other.trace_id
            || self.spans.len() != other.spans.len()
            || (moves.is_empty()
                && (!near(self.start_ns, other.start_ns) || !near(self.end_ns, other.end_ns)))
        {
            return false;
        }
        let mut back: HashMap<SpanIx, i64> = HashMap::default();
        back.extend(moves.iter().copied());
        fn key<'t>(t: &'t Trace, back: &HashMap<SpanIx, i64>) -> Vec<(&'t str, i64, i64)> {
            let mut v: Vec<(&str, i64, i64)> = t
                .spans
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let by = back.get(&(i as SpanIx)).copied().unwrap_or(0);
                    (&*s.span_id, s.start_ns.saturating_sub(by), s.duration_ns)
                })
                .collect();
            v.sort_unstable();
            v
        }
        key(self, &back)
            .iter()
            .zip(key(other, &HashMap::default()).iter())
            .all(|(a, b)| a.0 == b.0 && near(a.1, b.1) && near(a.2, b.2))
    }

    pub fn duration_ns(&self) -> i64 {
        self.end_ns.saturating_sub(self.start_ns)
    }

    pub fn service_name(&self, span: &Span) -> &str {
        self.services
            .get(span.service as usize)
            .map_or("", |s| self.str(s.name))
    }

    pub fn span_name(&self, span: &Span) -> &str {
        self.operations
            .get(span.operation as usize)
            .map_or("", |o| self.str(o.name))
    }

    /// The service and span name of an operation.
    pub fn operation_names(&self, op: u32) -> Option<(&str, &str)> {
        let o = self.operations.get(op as usize)?;
        let svc = self
            .services
            .get(o.service as usize)
            .map_or("", |s| self.str(s.name));
        Some((svc, self.str(o.name)))
    }

    pub fn attr_key(&self, a: &Attribute) -> &str {
        self.str(a.key)
    }

    /// The first attribute with this key, if any.
    pub fn attr<'t>(&'t self, span: &'t Span, key: &str) -> Option<&'t AttrValue> {
        let sym = self.strings.lookup(key)?;
        span.attributes
            .iter()
            .find(|a| a.key == sym)
            .map(|a| &a.value)
    }

    /// The root that opens the trace: the earliest root, or the longest when
    /// several start together.
    pub fn main_root(&self) -> Option<SpanIx> {
        self.roots.first().copied()
    }

    pub fn find_span(&self, span_id: &str) -> Option<SpanIx> {
        self.spans
            .iter()
            .position(|s| &*s.span_id == span_id)
            .map(|i| i as SpanIx)
    }
}

#[cfg(test)]
mod interner_tests {
    use super::*;

    /// Strings that share a slot of the recent table still get their own
    /// symbol, and the same string always the same one.
    #[test]
    fn interner_keeps_strings_apart_when_slots_collide() {
        let mut t = Interner::default();
        let (a, b) = ("a1b2c", "a9b8c");
        assert_eq!(recent_slot(a), recent_slot(b));
        let (sa, sb) = (t.intern(a), t.intern(b));
        assert_ne!(sa, sb);
        let words: Vec<String> = (0..500).map(|i| format!("key.{i}")).collect();
        for round in 0..3 {
            assert_eq!(t.intern(a), sa, "round {round}");
            assert_eq!(t.intern(b), sb, "round {round}");
            for w in &words {
                let s = t.intern(w);
                assert_eq!(t.get(s), w);
                assert_eq!(t.lookup(w), Some(s));
            }
        }
        assert_eq!(t.len(), 502);
        assert_eq!(t.intern(""), t.intern(""));
    }
}

#[cfg(test)]
mod recording_tests {
    use super::sample::named;

    /// One trace loaded twice is one recording whatever the order of its
    /// spans; two captures under one fixed id are two.
    #[test]
    fn a_trace_loaded_twice_is_one_recording() {
        // Times in ns: the call starts at 2 µs and takes 5 µs.
        let a = named(&[
            ("r", None, "web", "GET", 0, 10_000),
            ("c", Some("r"), "db", "q", 2_000, 5_000),
        ]);
        let same = named(&[
            ("c", Some("r"), "db", "q", 2_000, 5_000),
            ("r", None, "web", "GET", 0, 10_000),
        ]);
        // As Jaeger writes it, in whole microseconds: the same recording.
        let micros = named(&[
            ("r", None, "web", "GET", 0, 10_000),
            ("c", Some("r"), "db", "q", 2_000, 5_400),
        ]);
        // Two microseconds longer: another capture.
        let other = named(&[
            ("r", None, "web", "GET", 0, 10_000),
            ("c", Some("r"), "db", "q", 2_000, 7_000),
        ]);
        assert_eq!(a.trace_id, other.trace_id);
        assert!(a.same_recording(&same));
        assert!(a.same_recording(&micros));
        assert!(!a.same_recording(&other));
    }
}
