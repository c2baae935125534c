//! Where spans live in the shapes the loader streams, and what to do with
//! each value found there. Jaeger: `{data:[{traceID, spans:[…],
//! processes}]}`, a bare trace, a list of traces. OTLP: `{resourceSpans:[{
//! resource, scopeSpans:[{scope, spans:[…]}]}]}`, Tempo's `batches`, Jaeger
//! v3's `{result:…}`. Each container gets a [`Role`] from its parent's role
//! and key; a value worth reading (a span, a trace id, processes, a
//! resource, a scope) is captured and read once it ends. A Jaeger span is
//! first read in place by the fast reader. The context a span needs may
//! come after it (processes, a resource or a scope): it is settled when the
//! container closes.

use super::{Frame, Scanner};
use crate::import::{envelope_errors, jaeger, otlp, Collector, Format};
use serde_json::value::RawValue;
use std::collections::HashMap;

/// Keys the scanner reacts to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Key {
    Other,
    Data,
    ResourceSpans,
    Batches,
    Result,
    Spans,
    TraceId,
    Processes,
    Warnings,
    Errors,
    Resource,
    ScopeSpans,
    Scope,
}

impl Key {
    pub(super) fn of(bytes: &[u8]) -> Key {
        match bytes {
            b"data" => Key::Data,
            b"resourceSpans" | b"resource_spans" => Key::ResourceSpans,
            b"batches" => Key::Batches,
            b"result" => Key::Result,
            b"spans" => Key::Spans,
            b"traceID" => Key::TraceId,
            b"processes" => Key::Processes,
            b"warnings" => Key::Warnings,
            b"errors" => Key::Errors,
            b"resource" => Key::Resource,
            b"scopeSpans"
            | b"scope_spans"
            | b"instrumentationLibrarySpans"
            | b"instrumentation_library_spans" => Key::ScopeSpans,
            b"scope" | b"instrumentationLibrary" | b"instrumentation_library" => Key::Scope,
            _ => Key::Other,
        }
    }
}

/// What a container is, as far as finding spans goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    /// Nothing of interest inside.
    Other,
    /// An object that may be an envelope or a Jaeger trace.
    Obj,
    /// A list whose objects are `Obj`.
    TraceList,
    /// Jaeger spans.
    JSpans,
    /// `resourceSpans` or `batches`.
    ResList,
    /// One `resourceSpans` item.
    Res,
    ScopeList,
    /// One `scopeSpans` item.
    Scope,
    /// OTLP spans.
    OSpans,
}

/// The child value being captured by a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Cap {
    None,
    Record,
    TraceId,
    Processes,
    Warnings,
    Errors,
    Resource,
    ScopeInfo,
}

pub(super) struct TraceCtx {
    /// Prefix of the stand-in service names of this trace object.
    tag: String,
    trace_id: Option<String>,
    processes: Option<HashMap<String, jaeger::Process>>,
    warnings: Vec<String>,
    errors: Option<String>,
    /// The service of each (trace id, process id): a stand-in while the
    /// processes are not known.
    deferred: jaeger::StandIns,
}

pub(super) struct ResCtx {
    resource: Option<otlp::ResourceCtx>,
    /// Spans seen before the resource: (scope, number, text).
    pending: Vec<(Option<String>, usize, Box<str>)>,
}

pub(super) struct ScopeCtx {
    seen: bool,
    name: Option<String>,
    pending: Vec<(usize, Box<str>)>,
}

pub(super) enum Ctx {
    None,
    Res(Box<ResCtx>),
    Scope(Box<ScopeCtx>),
}

pub(super) fn new_frame(obj: bool, role: Role, via: Key) -> Frame {
    let ctx = match role {
        Role::Obj => Ctx::None,
        Role::Res => Ctx::Res(Box::new(ResCtx {
            resource: None,
            pending: Vec::new(),
        })),
        Role::Scope => Ctx::Scope(Box::new(ScopeCtx {
            seen: false,
            name: None,
            pending: Vec::new(),
        })),
        _ => Ctx::None,
    };
    Frame {
        obj,
        role,
        via,
        expect_key: obj,
        key: Key::Other,
        want_value: !obj,
        cap: Cap::None,
        cap_start: 0,
        items: 0,
        ctx,
        trace: None,
    }
}

/// The role of a child container and what to capture of a child value.
pub(super) fn child_of(parent: Role, key: Key, first: u8) -> (Role, Cap) {
    let container = |r: Role, open: u8| if first == open { r } else { Role::Other };
    match (parent, key) {
        (Role::Obj, Key::Data) if first == b'[' => (Role::TraceList, Cap::None),
        (Role::Obj, Key::Data) | (Role::Obj, Key::Result) => {
            (container(Role::Obj, b'{'), Cap::None)
        }
        (Role::Obj, Key::ResourceSpans) | (Role::Obj, Key::Batches) => {
            (container(Role::ResList, b'['), Cap::None)
        }
        (Role::Obj, Key::Spans) => (container(Role::JSpans, b'['), Cap::None),
        (Role::Obj, Key::TraceId) => (Role::Other, Cap::TraceId),
        (Role::Obj, Key::Processes) => (Role::Other, Cap::Processes),
        (Role::Obj, Key::Warnings) => (Role::Other, Cap::Warnings),
        (Role::Obj, Key::Errors) => (Role::Other, Cap::Errors),
        (Role::TraceList, _) => (container(Role::Obj, b'{'), Cap::None),
        (Role::ResList, _) => (container(Role::Res, b'{'), Cap::None),
        (Role::Res, Key::Resource) => (Role::Other, Cap::Resource),
        (Role::Res, Key::ScopeSpans) => (container(Role::ScopeList, b'['), Cap::None),
        (Role::ScopeList, _) => (container(Role::Scope, b'{'), Cap::None),
        (Role::Scope, Key::Scope) => (Role::Other, Cap::ScopeInfo),
        (Role::Scope, Key::Spans) => (container(Role::OSpans, b'['), Cap::None),
        (Role::JSpans, _) | (Role::OSpans, _) if first == b'{' => (Role::Other, Cap::Record),
        _ => (Role::Other, Cap::None),
    }
}

impl Scanner {
    /// Reads a Jaeger span that starts at `i` straight from the buffer with
    /// the fast reader, without first looking for its end: most spans are
    /// read in one pass this way. `None` when the span is not a Jaeger
    /// span, is not complete in the buffer with the comma or bracket after
    /// it, or is one for the general reader; the span is then cut out and
    /// read as usual. Otherwise the position after it.
    pub(super) fn read_jaeger_in_place(&mut self, i: usize, out: &mut Collector) -> Option<usize> {
        let n = self.stack.len();
        let (head, rest) = self.stack.split_at_mut(n.checked_sub(1)?);
        let spans = rest.first_mut()?;
        if spans.role != Role::JSpans {
            return None;
        }
        let mut r = jaeger::Reader::new(self.buf.get(i..)?);
        let parts = r.span().ok()?;
        // Only when a comma or the list's end follows, as a span cut out is
        // read when they come: a span followed by anything else, or by the
        // end of the buffer, is cut out, so that it counts the same (or not
        // at all, when the input ends first) in pieces of any size.
        let after = self.buf.as_bytes().get(i + r.i..)?;
        match after.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b',' | b']') => {}
            _ => return None,
        }
        let t = trace_ctx(&mut head.last_mut()?.trace, &mut self.serial);
        spans.cap = Cap::None;
        if let Some(d) = self.doc.as_mut() {
            d.streamed = true;
        }
        self.streamed_any = true;
        self.format.get_or_insert(Format::JaegerJson);
        let (trace_id, processes) = jaeger_ctx(t);
        jaeger::read_span_parts(parts, trace_id, processes, out);
        if r.newlines > 0 {
            self.line += r.newlines;
            self.line_start = self.abs(i + r.line_start);
        }
        Some(i + r.i)
    }

    /// The child value of the top frame ends before `i`.
    pub(super) fn end_child(&mut self, i: usize, out: &mut Collector) {
        let end = self.abs(i);
        let n = self.stack.len();
        let Some(top) = self.stack.last_mut() else {
            return;
        };
        let cap = std::mem::replace(&mut top.cap, Cap::None);
        if cap == Cap::None {
            return;
        }
        let number = top.items;
        let start = top.cap_start;
        let a = start.saturating_sub(self.base) as usize;
        let z = end.saturating_sub(self.base) as usize;
        let text = self.buf.get(a..z).unwrap_or("").trim();
        match cap {
            Cap::Record => {
                if let Some(d) = self.doc.as_mut() {
                    d.streamed = true;
                }
                self.streamed_any = true;
                let (head, rest) = self.stack.split_at_mut(n.saturating_sub(1));
                let Some(spans) = rest.first() else { return };
                if spans.role == Role::JSpans {
                    self.format.get_or_insert(Format::JaegerJson);
                    let Some(Frame { trace, .. }) = head.last_mut() else {
                        return;
                    };
                    let t = trace_ctx(trace, &mut self.serial);
                    let (trace_id, processes) = jaeger_ctx(t);
                    jaeger::read_span_record(text, number, trace_id, processes, out);
                } else {
                    if self.format.is_none() {
                        let via_batches = head.iter().any(|f| f.via == Key::Batches);
                        let via_result = head.iter().any(|f| f.via == Key::Result);
                        self.format = Some(if via_batches {
                            Format::Tempo
                        } else if via_result {
                            Format::JaegerApiV3
                        } else {
                            Format::Otlp
                        });
                    }
                    read_otlp(text, number, head, out);
                }
            }
            Cap::TraceId => {
                let id = serde_json::from_str::<crate::import::json::Text>(text)
                    .ok()
                    .map(|t| crate::model::normalize_trace_id(&t.0));
                if let Some(f) = self.stack.last_mut() {
                    trace_ctx(&mut f.trace, &mut self.serial).trace_id = id;
                }
            }
            Cap::Processes | Cap::Warnings | Cap::Errors => {
                if let Some(f) = self.stack.last_mut() {
                    let t = trace_ctx(&mut f.trace, &mut self.serial);
                    match cap {
                        Cap::Processes => match jaeger::parse_processes(text) {
                            Ok(p) => t.processes = Some(p),
                            Err(e) => {
                                out.warn(e);
                                t.processes = Some(HashMap::new());
                            }
                        },
                        Cap::Warnings => {
                            t.warnings = serde_json::from_str::<Option<Vec<String>>>(text)
                                .ok()
                                .flatten()
                                .unwrap_or_default();
                        }
                        _ => {
                            t.errors = serde_json::from_str::<&RawValue>(text)
                                .ok()
                                .and_then(|r| envelope_errors(Some(r)));
                        }
                    }
                }
            }
            Cap::Resource => {
                let resource = otlp::ResourceCtx::parse(Some(text), out);
                if let Some(Ctx::Res(r)) = self.stack.last_mut().map(|f| &mut f.ctx) {
                    r.resource = Some(resource);
                }
            }
            Cap::ScopeInfo => {
                if let Some(Ctx::Scope(s)) = self.stack.last_mut().map(|f| &mut f.ctx) {
                    s.seen = true;
                    s.name = otlp::parse_scope(text);
                }
            }
            Cap::None => {}
        }
    }

    pub(super) fn frame_closed(&mut self, frame: Frame, out: &mut Collector) {
        if let Some(t) = frame.trace {
            let empty = HashMap::new();
            let processes = t.processes.as_ref().unwrap_or(&empty);
            for (tid, pids) in &t.deferred {
                let b = out.builder(tid);
                for pid in pids.keys() {
                    jaeger::resolve_process(b, &t.tag, pid, processes);
                }
            }
            let streamed = self.doc.as_ref().is_some_and(|d| d.streamed);
            if streamed {
                if let Some(tid) = &t.trace_id {
                    for w in &t.warnings {
                        out.builder(tid).warn(format!("Jaeger: {w}"));
                    }
                }
                if let Some(e) = &t.errors {
                    out.warn(format!("the Jaeger response reports errors: {e}"));
                }
            }
        }
        match frame.ctx {
            Ctx::Scope(s) => {
                // Spans that came before their scope: the scope is known now,
                // or there is none.
                if s.pending.is_empty() {
                    return;
                }
                let Some(Frame {
                    ctx: Ctx::Res(r), ..
                }) = self
                    .stack
                    .len()
                    .checked_sub(2)
                    .and_then(|i| self.stack.get_mut(i))
                else {
                    return;
                };
                for (number, text) in s.pending {
                    match r.resource.as_mut() {
                        Some(res) => {
                            otlp::read_span_record(&text, number, res, s.name.as_deref(), out)
                        }
                        None => r.pending.push((s.name.clone(), number, text)),
                    }
                }
            }
            Ctx::Res(r) => {
                let mut resource = r
                    .resource
                    .unwrap_or_else(|| otlp::ResourceCtx::parse(None, out));
                for (scope, number, text) in r.pending {
                    otlp::read_span_record(&text, number, &mut resource, scope.as_deref(), out);
                }
            }
            Ctx::None => {}
        }
    }
}

/// The Jaeger trace context of an object frame, made on first use.
fn trace_ctx<'c>(slot: &'c mut Option<Box<TraceCtx>>, serial: &mut u32) -> &'c mut TraceCtx {
    slot.get_or_insert_with(|| {
        *serial += 1;
        Box::new(TraceCtx {
            tag: format!("\u{1}{serial}:"),
            trace_id: None,
            processes: None,
            warnings: Vec::new(),
            errors: None,
            deferred: Default::default(),
        })
    })
}

/// The trace id and the processes a Jaeger span of this trace object is read with.
fn jaeger_ctx(t: &mut TraceCtx) -> (Option<&str>, jaeger::Processes<'_>) {
    let processes = match &t.processes {
        Some(p) => jaeger::Processes::Known {
            map: p,
            services: &mut t.deferred,
        },
        None => jaeger::Processes::Later {
            tag: &t.tag,
            stand_ins: &mut t.deferred,
        },
    };
    (t.trace_id.as_deref(), processes)
}

/// An OTLP span, in the `spans` of a scope whose frames are `head`
/// (… Res, ScopeList, Scope).
fn read_otlp(text: &str, number: usize, head: &mut [Frame], out: &mut Collector) {
    let n = head.len();
    let (outer, scope) = head.split_at_mut(n.saturating_sub(1));
    let Some(Frame {
        ctx: Ctx::Scope(scope),
        ..
    }) = scope.first_mut()
    else {
        return;
    };
    let res = outer
        .len()
        .checked_sub(2)
        .and_then(|i| outer.get_mut(i))
        .and_then(|f| match &mut f.ctx {
            Ctx::Res(r) => r.resource.as_mut(),
            _ => None,
        });
    match res {
        Some(res) if scope.seen => {
            otlp::read_span_record(text, number, res, scope.name.as_deref(), out)
        }
        _ => scope.pending.push((number, text.into())),
    }
}
