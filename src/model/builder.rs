//! Normalisation: from the spans an importer read to a [`Trace`].
//!
//! Every repair happens here, once, with a warning that says what was wrong:
//! duplicate span ids, parents that are missing (the span becomes a root),
//! self-parents and cycles (the cycle is cut), spans without timestamp or
//! duration (they take their parent's start, or a zero duration).
//!
//! The spans wait for `build` in [`Chunks`] (`chunks.rs`); the children
//! lists and the depth-first walk that put the tree in order are in
//! `tree.rs`.

use super::chunks::Chunks;
use super::pace::{self, NoPause, Pace};
use super::tree::{by_start, Children, Unlaid, Walk};
use super::{
    Attribute, Event, Interner, Link, Operation, RefType, Reference, Service, Span, SpanIx,
    SpanKind, Status, StatusCode, Sym, Trace, TraceWarning,
};
use rustc_hash::FxHashMap as HashMap;

/// A span as an importer read it, before normalisation.
#[derive(Clone, Debug, Default)]
pub struct SpanInput {
    pub span_id: String,
    /// Parent span id within the same trace, if the format has one (OTLP, Zipkin).
    pub parent_span_id: Option<String>,
    /// Jaeger references (the parent among them).
    pub references: Vec<Reference>,
    /// Index into the builder's services (see [`TraceBuilder::service`]).
    pub service: u32,
    /// The span name, interned with [`TraceBuilder::intern`].
    pub name: Sym,
    pub kind: SpanKind,
    pub start_ns: Option<i64>,
    pub duration_ns: Option<i64>,
    pub status: Status,
    pub attributes: Vec<Attribute>,
    pub events: Vec<Event>,
    pub links: Vec<Link>,
    pub warnings: Vec<String>,
    pub scope: Option<Sym>,
}

/// Collects spans of one trace, then builds the normalised [`Trace`].
#[derive(Debug)]
pub struct TraceBuilder {
    trace_id: String,
    pub strings: Interner,
    services: Vec<Service>,
    service_index: HashMap<Sym, u32>,
    spans: Chunks<SpanInput>,
    warnings: Vec<String>,
    /// Whether pushed spans are kept (see [`TraceBuilder::stop_keeping`]).
    dropping: bool,
    /// Spans pushed after it stopped keeping them.
    dropped: usize,
}

impl TraceBuilder {
    pub fn new(trace_id: impl Into<String>) -> TraceBuilder {
        TraceBuilder {
            trace_id: trace_id.into(),
            strings: Interner::default(),
            services: Vec::new(),
            service_index: HashMap::default(),
            spans: Chunks::default(),
            warnings: Vec::new(),
            dropping: false,
            dropped: 0,
        }
    }

    /// From now on, spans pushed are counted but not kept: the trace built
    /// is partial, and says how many spans it lacks
    /// ([`Trace::unloaded_spans`]).
    pub fn stop_keeping(&mut self) {
        self.dropping = true;
    }

    /// Spans pushed but not kept.
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    pub fn trace_id(&self) -> &str {
        &self.trace_id
    }

    pub fn intern(&mut self, s: &str) -> Sym {
        self.strings.intern(s)
    }

    pub fn attribute(&mut self, key: &str, value: super::AttrValue) -> Attribute {
        Attribute {
            key: self.strings.intern(key),
            value,
        }
    }

    /// The service of this name, created with `resource` the first time it is seen.
    pub fn service(&mut self, name: &str, resource: Vec<Attribute>) -> u32 {
        let sym = self.strings.intern(name);
        if let Some(&ix) = self.service_index.get(&sym) {
            if let Some(svc) = self.services.get_mut(ix as usize) {
                for a in resource {
                    if !svc.resource.iter().any(|r| r.key == a.key) {
                        svc.resource.push(a);
                    }
                }
            }
            return ix;
        }
        let ix = self.services.len() as u32;
        self.services.push(Service {
            name: sym,
            resource,
            span_count: 0,
        });
        self.service_index.insert(sym, ix);
        ix
    }

    /// Renames the service called `from` (a stand-in an importer made
    /// before it knew the real name) to `to`, adding `resource`. When a
    /// service called `to` exists already, the two are merged at build.
    pub fn rename_service(&mut self, from: &str, to: &str, resource: Vec<Attribute>) {
        let Some(from_sym) = self.strings.lookup(from) else {
            return;
        };
        let Some(ix) = self.service_index.remove(&from_sym) else {
            return;
        };
        let to_sym = self.strings.intern(to);
        if let Some(svc) = self.services.get_mut(ix as usize) {
            svc.name = to_sym;
            for a in resource {
                if !svc.resource.iter().any(|r| r.key == a.key) {
                    svc.resource.push(a);
                }
            }
        }
        self.service_index.entry(to_sym).or_insert(ix);
    }

    pub fn push(&mut self, span: SpanInput) {
        if self.dropping {
            self.dropped += 1;
        } else {
            self.spans.push(span);
        }
    }

    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(message.into());
    }

    /// Adds a warning unless the same one was already added.
    pub fn warn_once(&mut self, message: &str) {
        if !self.warnings.iter().any(|w| w == message) {
            self.warnings.push(message.to_string());
        }
    }

    pub fn len(&self) -> usize {
        self.spans.len
    }

    pub fn is_empty(&self) -> bool {
        self.spans.len == 0
    }

    pub fn build(self) -> Trace {
        pace::now(self.build_paced(&mut NoPause))
    }

    /// [`TraceBuilder::build`], pausing through `pace` every
    /// [`pace::STRIDE`] spans of each pass.
    pub async fn build_paced(self, pace: &mut impl Pace) -> Trace {
        let TraceBuilder {
            trace_id,
            mut strings,
            mut services,
            spans: inputs,
            warnings: builder_warnings,
            dropped: unloaded_spans,
            ..
        } = self;
        let n = inputs.len;
        let mut warnings: Vec<TraceWarning> = builder_warnings
            .into_iter()
            .map(|message| TraceWarning {
                span: None,
                message,
            })
            .collect();

        // Span id -> first index with that id.
        let mut by_id: HashMap<&str, SpanIx> =
            HashMap::with_capacity_and_hasher(n, Default::default());
        let mut duplicate = vec![false; n];
        for (i, s) in inputs.iter().enumerate() {
            if by_id.contains_key(s.span_id.as_str()) {
                duplicate[i] = true;
            } else {
                by_id.insert(s.span_id.as_str(), i as SpanIx);
            }
            if pace::due(i) {
                pace.pause().await;
            }
        }

        // Resolve parents.
        let mut parent: Vec<Option<SpanIx>> = vec![None; n];
        let mut parent_ref: Vec<RefType> = vec![RefType::ChildOf; n];
        // The reference that made a CHILD_OF parent, if one did (u32::MAX:
        // none): the tree's edge, not kept twice (exports write it again).
        let mut parent_edge: Vec<u32> = vec![u32::MAX; n];
        let mut span_warnings: Vec<Vec<String>> = Vec::with_capacity(n);
        for (i, s) in inputs.iter().enumerate() {
            let mut w = Vec::new();
            if duplicate[i] {
                w.push(format!(
                    "duplicate span id {}: another span of this trace has the same id",
                    s.span_id
                ));
            }
            // The parent: the explicit parent id, else the first CHILD_OF
            // reference in this trace, else the first FOLLOWS_FROM in this trace.
            let mut wanted: Option<(&str, RefType)> = s
                .parent_span_id
                .as_deref()
                .filter(|p| !p.is_empty())
                .map(|p| (p, RefType::ChildOf));
            let mut from_ref: Option<usize> = None;
            if wanted.is_none() {
                let of = |kind: RefType| {
                    s.references.iter().position(|r| {
                        r.ref_type == kind && (r.trace_id.is_empty() || r.trace_id == trace_id)
                    })
                };
                from_ref = of(RefType::ChildOf).or_else(|| of(RefType::FollowsFrom));
                wanted = from_ref
                    .and_then(|k| s.references.get(k))
                    .map(|r| (r.span_id.as_str(), r.ref_type));
            }
            if let Some((pid, rt)) = wanted {
                parent_ref[i] = rt;
                match by_id.get(pid) {
                    Some(&p) if p as usize == i || pid == s.span_id => {
                        w.push(format!(
                            "span {} names itself as its parent; shown as a root",
                            s.span_id
                        ));
                    }
                    Some(&p) => {
                        parent[i] = Some(p);
                        if let (Some(k), RefType::ChildOf) = (from_ref, rt) {
                            if let Some(e) = parent_edge.get_mut(i) {
                                *e = k as u32;
                            }
                        }
                    }
                    None => w.push(format!(
                        "parent span {pid} is not in this trace; shown as a root"
                    )),
                }
            }
            span_warnings.push(w);
            if pace::due(i) {
                pace.pause().await;
            }
        }

        // Held no longer than needed: the build's peak is while the spans
        // are made below, with every span as read still held.
        drop((by_id, duplicate));

        // Start times, for ordering; spans without one sort by their parent later.
        let mut start_key: Vec<i64> = Vec::with_capacity(n);
        let mut end_key: Vec<i64> = Vec::with_capacity(n);
        let mut known_min: Option<i64> = None;
        for (i, s) in inputs.iter().enumerate() {
            let start = s.start_ns.unwrap_or(i64::MAX);
            start_key.push(start);
            end_key.push(start.saturating_add(s.duration_ns.unwrap_or(0)));
            if let Some(t) = s.start_ns {
                known_min = Some(known_min.map_or(t, |m: i64| m.min(t)));
            }
            if pace::due(i) {
                pace.pause().await;
            }
        }
        let known_min = known_min.unwrap_or(0);
        let order = by_start(&start_key, &end_key);
        let mut children = Children::new(&parent, order, pace).await;

        // Depth-first walk from the roots; spans not reached are on a cycle.
        let mut roots: Vec<SpanIx> = (0..n as SpanIx)
            .filter(|&i| parent[i as usize].is_none())
            .collect();
        roots.sort_by(order);
        let mut walk = Walk::new(n);
        for &r in &roots {
            walk.run(r, &children, pace).await;
        }
        // Cut cycles: take the earliest unvisited span as a new root.
        while let Some(cut) = (0..n as SpanIx)
            .filter(|&i| !walk.visited[i as usize])
            .min_by(order)
        {
            if let Some(p) = parent[cut as usize].take() {
                children.cut(p, cut);
            }
            if let Some(w) = span_warnings.get_mut(cut as usize) {
                w.push(format!(
                    "span {} is part of a reference cycle; the cycle was cut here and the span shown as a root",
                    inputs[cut as usize].span_id
                ));
            }
            roots.push(cut);
            walk.run(cut, &children, pace).await;
        }
        roots.sort_by(order);
        // Re-derive tree order with the final, sorted roots.
        if roots.len() > 1 {
            walk.visited.fill(false);
            walk.order.clear();
            for &r in &roots {
                walk.run(r, &children, pace).await;
            }
        }
        let Walk {
            depth,
            order: tree_order,
            ..
        } = walk;

        // Fill missing timestamps in tree order, so a parent is done before its children.
        let mut start: Vec<i64> = vec![0; n];
        let mut duration: Vec<i64> = vec![0; n];
        for (k, &ix) in tree_order.iter().enumerate() {
            if pace::due(k) {
                pace.pause().await;
            }
            let i = ix as usize;
            let s = &inputs[i];
            start[i] = match s.start_ns {
                Some(t) => t,
                None => {
                    span_warnings[i]
                        .push("span has no start time; placed at its parent's start".to_string());
                    parent[i].map_or(known_min, |p| start[p as usize])
                }
            };
            duration[i] = match s.duration_ns {
                Some(d) if d >= 0 => d,
                Some(d) => {
                    span_warnings[i]
                        .push(format!("span has a negative duration ({d} ns); shown as 0"));
                    0
                }
                None => {
                    span_warnings[i].push("span has no duration; shown as 0".to_string());
                    0
                }
            };
        }

        // Operation table.
        let mut op_index: HashMap<(u32, Sym), u32> = HashMap::default();
        let mut operations: Vec<Operation> = Vec::new();
        if services.is_empty() {
            let name = strings.intern("unknown");
            services.push(Service {
                name,
                resource: Vec::new(),
                span_count: 0,
            });
        }
        // Services renamed after the fact may share a name: keep the first.
        let mut canonical: Vec<u32> = Vec::with_capacity(services.len());
        {
            let mut first: HashMap<Sym, u32> = HashMap::default();
            let mut kept: Vec<Service> = Vec::with_capacity(services.len());
            for svc in services {
                match first.get(&svc.name) {
                    Some(&k) => {
                        if let Some(into) = kept.get_mut(k as usize) {
                            for a in svc.resource {
                                if !into.resource.iter().any(|r| r.key == a.key) {
                                    into.resource.push(a);
                                }
                            }
                        }
                        canonical.push(k);
                    }
                    None => {
                        let k = kept.len() as u32;
                        first.insert(svc.name, k);
                        canonical.push(k);
                        kept.push(svc);
                    }
                }
            }
            services = kept;
        }
        let service_count = services.len() as u32;

        drop((start_key, end_key));
        let mut spans: Vec<Span> = Vec::with_capacity(n);
        let mut error_count = 0;
        for (i, s) in inputs.chunks.into_iter().flatten().enumerate() {
            if pace::due(i) {
                pace.pause().await;
            }
            let service = canonical
                .get(s.service as usize)
                .copied()
                .filter(|&c| c < service_count)
                .unwrap_or(0);
            if let Some(svc) = services.get_mut(service as usize) {
                svc.span_count += 1;
            }
            let name = s.name;
            let operation = *op_index.entry((service, name)).or_insert_with(|| {
                operations.push(Operation { service, name });
                (operations.len() - 1) as u32
            });
            let mut warnings = std::mem::take(&mut span_warnings[i]);
            let mut own = s.warnings;
            own.append(&mut warnings);
            if s.status.code == StatusCode::Error {
                error_count += 1;
            }
            // The model keeps no spare room: lists an importer grew by
            // pushing are cut to their length (no copy when they fit).
            let (mut references, mut attributes, mut events, mut links) =
                (s.references, s.attributes, s.events, s.links);
            if let Some(&k) = parent_edge
                .get(i)
                .filter(|&&k| (k as usize) < references.len())
            {
                references.remove(k as usize);
            }
            references.shrink_to_fit();
            attributes.shrink_to_fit();
            events.shrink_to_fit();
            links.shrink_to_fit();
            spans.push(Span {
                span_id: s.span_id.into_boxed_str(),
                parent: parent[i],
                parent_ref: parent_ref[i],
                references,
                service,
                operation,
                kind: s.kind,
                start_ns: start[i],
                duration_ns: duration[i],
                status: s.status,
                attributes,
                events,
                links,
                warnings: own,
                scope: s.scope,
                depth: depth[i],
            });
        }

        for (i, s) in spans.iter().enumerate() {
            if pace::due(i) {
                pace.pause().await;
            }
            for w in &s.warnings {
                warnings.push(TraceWarning {
                    span: Some(i as SpanIx),
                    message: w.clone(),
                });
            }
        }
        if roots.len() > 1 {
            warnings.push(TraceWarning {
                span: None,
                message: format!("the trace has {} root spans", roots.len()),
            });
        }

        Unlaid {
            trace_id,
            spans,
            strings,
            services,
            operations,
            roots,
            warnings,
            error_count,
            unloaded_spans,
        }
        .lay_out(children, tree_order, pace)
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cycle (a -> b -> c -> a) is cut at its earliest span, which
    /// becomes a root with a warning and leaves its old parent's children.
    #[test]
    fn a_cycle_is_cut_once_and_leaves_no_trace_in_the_children() {
        let mut b = TraceBuilder::new("t");
        for (id, parent, start) in [
            ("r", None, 0),
            ("a", Some("c"), 10),
            ("b", Some("a"), 20),
            ("c", Some("b"), 30),
            ("d", Some("r"), 5),
        ] {
            b.push(SpanInput {
                span_id: id.to_string(),
                parent_span_id: parent.map(str::to_string),
                start_ns: Some(start),
                duration_ns: Some(1),
                ..SpanInput::default()
            });
        }
        let t = b.build();
        let ix = |id: &str| t.find_span(id).unwrap();
        assert_eq!(t.roots, vec![ix("r"), ix("a")]);
        assert_eq!(t.children(ix("c")), &[] as &[SpanIx]);
        assert_eq!(t.children(ix("a")), &[ix("b")]);
        assert_eq!(t.children(ix("r")), &[ix("d")]);
        let order: Vec<&str> = t
            .tree_order
            .iter()
            .map(|&i| &*t.spans[i as usize].span_id)
            .collect();
        assert_eq!(order, ["r", "d", "a", "b", "c"]);
        assert_eq!(t.subtree(ix("a")).len(), 3);
        let cut: Vec<_> = t
            .warnings
            .iter()
            .filter(|w| w.message.contains("reference cycle"))
            .collect();
        assert_eq!(cut.len(), 1);
        assert_eq!(cut[0].span, Some(ix("a")));
    }

    /// Each service counts its spans, also when two services became one (a
    /// stand-in renamed to a name that exists already).
    #[test]
    fn services_count_their_spans() {
        let mut b = TraceBuilder::new("t");
        let api = b.service("api", Vec::new());
        let stand_in = b.service("p2", Vec::new());
        let db = b.service("db", Vec::new());
        for (id, service) in [("a", api), ("b", stand_in), ("c", stand_in), ("d", db)] {
            b.push(SpanInput {
                span_id: id.to_string(),
                service,
                start_ns: Some(0),
                duration_ns: Some(1),
                ..SpanInput::default()
            });
        }
        b.rename_service("p2", "api", Vec::new());
        let t = b.build();
        let counts: Vec<(&str, u32)> = t
            .services
            .iter()
            .map(|s| (t.str(s.name), s.span_count))
            .collect();
        assert_eq!(counts, [("api", 3), ("db", 1)]);
    }
}
