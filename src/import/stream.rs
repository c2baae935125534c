//! Streaming import: bytes go in as pieces of any size, spans come out as
//! soon as each one is complete, so that a caller can read a file in slices,
//! show progress and give the page back between them.
//!
//! A structural scanner follows the JSON (strings, brackets, keys) without
//! building it. It knows where spans live in the two shapes of nearly every
//! large file, Jaeger's traces (`{data:[{traceID, spans:[…], processes}]}`,
//! a bare trace, a list of traces) and OTLP (`{resourceSpans:[{resource,
//! scopeSpans:[{scope, spans:[…]}]}]}`, Tempo's `batches`, Jaeger v3's
//! `{result:…}`, one document a line for NDJSON). Each span is cut out and
//! parsed on its own, then its bytes are dropped: memory holds the model and
//! one piece, never the whole file.
//!
//! The context a span needs may come after it. Jaeger writes `processes`
//! after `spans`: such spans get a stand-in service, renamed when the
//! processes arrive ([`jaeger::resolve_process`]). An OTLP span whose
//! resource or scope has not been seen yet is kept as text until its object
//! closes.
//!
//! A document in which no span was found this way (Zipkin, a services list,
//! an error envelope, anything unexpected) is kept whole and read by the
//! general path in `mod.rs`, which words the messages.

use super::{
    envelope_errors, jaeger, otlp, read_document, strip_position, Collector, Format, ImportError,
    Imported, Unbuilt,
};
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::io::Write;

/// Keys the scanner reacts to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
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
    fn of(bytes: &[u8]) -> Key {
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
enum Role {
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
enum Cap {
    None,
    Record,
    TraceId,
    Processes,
    Warnings,
    Errors,
    Resource,
    ScopeInfo,
}

struct TraceCtx {
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

struct ResCtx {
    resource: Option<otlp::ResourceCtx>,
    /// Spans seen before the resource: (scope, number, text).
    pending: Vec<(Option<String>, usize, Box<str>)>,
}

struct ScopeCtx {
    seen: bool,
    name: Option<String>,
    pending: Vec<(usize, Box<str>)>,
}

enum Ctx {
    None,
    Res(Box<ResCtx>),
    Scope(Box<ScopeCtx>),
}

struct Frame {
    obj: bool,
    role: Role,
    /// The key this container is the value of.
    via: Key,
    expect_key: bool,
    key: Key,
    want_value: bool,
    cap: Cap,
    /// Absolute offset where the captured child value starts.
    cap_start: u64,
    items: usize,
    ctx: Ctx,
    trace: Option<Box<TraceCtx>>,
}

struct Doc {
    start: u64,
    line: usize,
    /// A span was found by the scanner: the document is not kept whole.
    streamed: bool,
}

/// Where the fast skip through a span is.
#[derive(Clone, Copy)]
struct Skip {
    depth: u32,
    in_string: bool,
}

/// Why scanning stopped.
struct Stop {
    line: Option<usize>,
    column: Option<usize>,
    message: String,
}

#[derive(Default)]
struct Scanner {
    /// The text not yet consumed. Bytes that are not UTF-8 were replaced.
    buf: String,
    /// The start of a character whose bytes continue in the next piece.
    carry: Vec<u8>,
    /// Plain bytes appended so far.
    appended: u64,
    /// Offset of the first byte that is not UTF-8, if any.
    not_utf8: Option<u64>,
    /// Absolute offset of `buf[0]`.
    base: u64,
    /// Next byte to scan, in `buf`.
    pos: usize,
    line: usize,
    line_start: u64,
    in_string: bool,
    /// Inside a span being cut out: only its end is looked for.
    skip: Option<Skip>,
    key_start: Option<u64>,
    stack: Vec<Frame>,
    doc: Option<Doc>,
    docs: usize,
    next_role: Option<(Role, Key)>,
    serial: u32,
    format: Option<Format>,
    /// Some span was streamed from some document.
    streamed_any: bool,
}

fn new_frame(obj: bool, role: Role, via: Key) -> Frame {
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
fn child_of(parent: Role, key: Key, first: u8) -> (Role, Cap) {
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
    fn abs(&self, i: usize) -> u64 {
        self.base + i as u64
    }

    fn stop(&self, at: u64, message: String) -> Stop {
        Stop {
            line: Some(self.line),
            column: Some(at.saturating_sub(self.line_start) as usize + 1),
            message,
        }
    }

    /// The text between two absolute offsets, if still buffered.
    fn slice(&self, from: u64, to: u64) -> &str {
        let a = from.saturating_sub(self.base) as usize;
        let z = to.saturating_sub(self.base) as usize;
        self.buf.get(a..z).unwrap_or("")
    }

    /// Appends plain bytes as text. A character cut between two pieces waits
    /// for the rest in `carry`; bytes that are not UTF-8 become U+FFFD and
    /// the first of them is remembered for a warning.
    fn append(&mut self, bytes: &[u8]) {
        let joined;
        let mut bytes = bytes;
        if !self.carry.is_empty() {
            let mut j = std::mem::take(&mut self.carry);
            j.extend_from_slice(bytes);
            joined = j;
            bytes = &joined;
        }
        let mut at = self.appended;
        self.appended += bytes.len() as u64;
        loop {
            match std::str::from_utf8(bytes) {
                Ok(text) => {
                    self.buf.push_str(text);
                    return;
                }
                Err(e) => {
                    let (good, rest) = bytes.split_at(e.valid_up_to());
                    self.buf.push_str(&String::from_utf8_lossy(good));
                    at += good.len() as u64;
                    let Some(bad) = e.error_len() else {
                        self.carry = rest.to_vec();
                        self.appended -= rest.len() as u64;
                        return;
                    };
                    self.not_utf8.get_or_insert(at);
                    self.buf.push(char::REPLACEMENT_CHARACTER);
                    at += bad as u64;
                    bytes = rest.get(bad..).unwrap_or(&[]);
                }
            }
        }
    }

    /// The end of the input: a character still cut is not UTF-8.
    fn flush_carry(&mut self) {
        if !self.carry.is_empty() {
            self.not_utf8.get_or_insert(self.appended);
            self.appended += self.carry.len() as u64;
            self.carry.clear();
            self.buf.push(char::REPLACEMENT_CHARACTER);
        }
    }

    /// Scans what is buffered.
    fn scan(&mut self, out: &mut Collector) -> Result<(), Stop> {
        loop {
            if let Some(skip) = self.skip {
                if !self.skip_span(skip) {
                    return Ok(());
                }
                continue;
            }
            if self.in_string {
                let rest = self.buf.as_bytes().get(self.pos..).unwrap_or(&[]);
                match memchr::memchr2(b'"', b'\\', rest) {
                    None => {
                        self.pos = self.buf.len();
                        return Ok(());
                    }
                    Some(k) => {
                        let i = self.pos + k;
                        if rest.get(k) == Some(&b'\\') {
                            if i + 1 >= self.buf.len() {
                                // The escaped byte is in the next piece.
                                self.pos = i;
                                return Ok(());
                            }
                            self.pos = i + 2;
                            continue;
                        }
                        self.in_string = false;
                        self.pos = i + 1;
                        self.string_end(i);
                        continue;
                    }
                }
            }
            let Some(&c) = self.buf.as_bytes().get(self.pos) else {
                return Ok(());
            };
            let i = self.pos;
            self.pos += 1;
            match c {
                b' ' | b'\t' | b'\r' => {}
                b'\n' => {
                    self.line += 1;
                    self.line_start = self.abs(self.pos);
                }
                b'"' => {
                    let is_key = self.stack.last().is_some_and(|f| f.obj && f.expect_key);
                    if is_key {
                        self.key_start = Some(self.abs(i + 1));
                    } else {
                        self.value_start(i, c)?;
                    }
                    self.in_string = true;
                }
                b'{' | b'[' => {
                    self.value_start(i, c)?;
                    let (role, via) = self.next_role.take().unwrap_or((Role::Other, Key::Other));
                    let span_starts = c == b'{'
                        && self.stack.last().is_some_and(|f| {
                            f.cap == Cap::Record && f.cap_start == self.base + i as u64
                        });
                    if span_starts {
                        if let Some(end) = self.read_jaeger_in_place(i, out) {
                            self.pos = end;
                            continue;
                        }
                        self.skip = Some(Skip {
                            depth: 1,
                            in_string: false,
                        });
                    } else {
                        self.stack.push(new_frame(c == b'{', role, via));
                    }
                }
                b'}' | b']' => self.close(i, c, out)?,
                b',' => {
                    self.end_child(i, out);
                    if let Some(f) = self.stack.last_mut() {
                        f.expect_key = f.obj;
                        f.want_value = !f.obj;
                    } else {
                        return Err(self.stop(self.abs(i), "a comma outside any JSON value".into()));
                    }
                }
                b':' => {
                    if let Some(f) = self.stack.last_mut() {
                        f.want_value = true;
                    }
                }
                _ => {
                    if self.stack.last().is_none_or(|f| f.want_value) {
                        self.value_start(i, c)?;
                    }
                }
            }
        }
    }

    /// Reads a Jaeger span that starts at `i` straight from the buffer with
    /// the fast reader, without first looking for its end: most spans are
    /// read in one pass this way. `None` when the span is not a Jaeger
    /// span, is not complete in the buffer, or is one for the general
    /// reader; the span is then cut out and read as usual. Otherwise the
    /// position after it.
    fn read_jaeger_in_place(&mut self, i: usize, out: &mut Collector) -> Option<usize> {
        let n = self.stack.len();
        let (head, rest) = self.stack.split_at_mut(n.checked_sub(1)?);
        let spans = rest.first_mut()?;
        if spans.role != Role::JSpans {
            return None;
        }
        let mut r = jaeger::Reader::new(self.buf.get(i..)?);
        let parts = r.span().ok()?;
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

    /// Runs through a span's bytes to its closing brace: the span is parsed
    /// on its own later, so nothing inside it matters to the scanner but
    /// strings and brackets. False when the buffer ends first.
    fn skip_span(&mut self, mut skip: Skip) -> bool {
        let bytes = self.buf.as_bytes().get(self.pos..).unwrap_or(&[]);
        let mut k = 0;
        let n = bytes.len();
        while k < n {
            let b = bytes.get(k).copied().unwrap_or(b' ');
            k += 1;
            if skip.in_string {
                match b {
                    b'\\' => {
                        if k >= n {
                            // The escaped byte is in the next piece.
                            k -= 1;
                            break;
                        }
                        k += 1;
                    }
                    b'"' => skip.in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => skip.in_string = true,
                b'{' | b'[' => skip.depth += 1,
                b'}' | b']' => {
                    skip.depth -= 1;
                    if skip.depth == 0 {
                        self.pos += k;
                        self.skip = None;
                        return true;
                    }
                }
                b'\n' => {
                    self.line += 1;
                    self.line_start = self.base + (self.pos + k) as u64;
                }
                _ => {}
            }
        }
        self.pos += k;
        self.skip = Some(skip);
        false
    }

    fn string_end(&mut self, quote: usize) {
        if let Some(start) = self.key_start.take() {
            let key = Key::of(self.slice(start, self.abs(quote)).as_bytes());
            if let Some(f) = self.stack.last_mut() {
                f.key = key;
                f.expect_key = false;
            }
        }
    }

    /// A value starts at `i` with byte `c`.
    fn value_start(&mut self, i: usize, c: u8) -> Result<(), Stop> {
        let at = self.abs(i);
        let Some(top) = self.stack.last_mut() else {
            // A new document.
            let role = match c {
                b'{' => Role::Obj,
                b'[' => Role::TraceList,
                _ => {
                    let what = match c {
                        b'"' => "a string",
                        b't' | b'f' => "a boolean",
                        b'n' => "null",
                        b'-' | b'0'..=b'9' => "a number",
                        _ => {
                            return Err(self.stop(
                                at,
                                format!(
                                    "malformed JSON: a document cannot start with {}",
                                    describe_byte(c)
                                ),
                            ))
                        }
                    };
                    return Err(Stop {
                        line: (self.docs > 0).then_some(self.line),
                        column: None,
                        message: format!(
                            "the document is {what}, not a trace. Tried {}",
                            super::TRIED
                        ),
                    });
                }
            };
            self.next_role = Some((role, Key::Other));
            self.doc = Some(Doc {
                start: at,
                line: self.line,
                streamed: false,
            });
            self.docs += 1;
            return Ok(());
        };
        if !top.want_value {
            return Ok(());
        }
        top.want_value = false;
        top.items += 1;
        let (role, cap) = child_of(top.role, top.key, c);
        if cap != Cap::None {
            top.cap = cap;
            top.cap_start = at;
        }
        self.next_role = Some((role, top.key));
        Ok(())
    }

    fn close(&mut self, i: usize, c: u8, out: &mut Collector) -> Result<(), Stop> {
        let at = self.abs(i);
        let Some(top) = self.stack.last() else {
            return Err(self.stop(
                at,
                format!(
                    "malformed JSON: {} without an opening bracket",
                    describe_byte(c)
                ),
            ));
        };
        let obj = top.obj;
        // What came before the bracket is complete either way.
        self.end_child(i, out);
        if obj != (c == b'}') {
            let want = if obj { "'}'" } else { "']'" };
            return Err(self.stop(
                at,
                format!(
                    "malformed JSON: expected {want} but found {}",
                    describe_byte(c)
                ),
            ));
        }
        if let Some(frame) = self.stack.pop() {
            self.frame_closed(frame, out);
        }
        if self.stack.is_empty() {
            self.doc_end(at + 1, out)?;
        }
        Ok(())
    }

    /// The child value of the top frame ends before `i`.
    fn end_child(&mut self, i: usize, out: &mut Collector) {
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
                let id = serde_json::from_str::<super::json::Text>(text)
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

    fn frame_closed(&mut self, frame: Frame, out: &mut Collector) {
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

    /// A document ended at `end`: read it whole unless its spans were streamed.
    fn doc_end(&mut self, end: u64, out: &mut Collector) -> Result<(), Stop> {
        let Some(doc) = self.doc.take() else {
            return Ok(());
        };
        if doc.streamed {
            return Ok(());
        }
        let ndjson = self.docs > 1;
        let text = self.slice(doc.start, end);
        let raw = serde_json::from_str::<&RawValue>(text).map_err(|e| Stop {
            line: Some(doc.line + e.line().saturating_sub(1)),
            column: Some(e.column()),
            message: if ndjson {
                format!(
                    "malformed JSON on this line of NDJSON: {}",
                    strip_position(&e)
                )
            } else {
                format!("malformed JSON: {}", strip_position(&e))
            },
        })?;
        let format = read_document(raw, out).map_err(|message| Stop {
            line: ndjson.then_some(doc.line),
            column: None,
            message,
        })?;
        self.format.get_or_insert(format);
        Ok(())
    }

    /// Closes every open container after the input stopped early, so that
    /// what they were waiting for (processes, a resource) is settled.
    fn close_all(&mut self, out: &mut Collector) {
        self.skip = None;
        self.in_string = false;
        for f in &mut self.stack {
            f.cap = Cap::None;
        }
        while let Some(frame) = self.stack.pop() {
            self.frame_closed(frame, out);
        }
        self.doc = None;
    }

    /// Drops bytes that no capture needs any more.
    fn compact(&mut self) {
        let mut keep = self.abs(self.pos);
        if let Some(k) = self.key_start {
            keep = keep.min(k.saturating_sub(1));
        }
        if let Some(d) = &self.doc {
            if !d.streamed {
                keep = keep.min(d.start);
            }
        }
        for f in &self.stack {
            if f.cap != Cap::None {
                keep = keep.min(f.cap_start);
            }
        }
        let mut drop = keep.saturating_sub(self.base) as usize;
        while drop > 0 && !self.buf.is_char_boundary(drop) {
            drop -= 1;
        }
        if drop == 0 {
            return;
        }
        self.buf.drain(..drop.min(self.buf.len()));
        self.base += drop as u64;
        self.pos = self.pos.saturating_sub(drop);
    }

    /// The end of the input: what is still open is incomplete.
    fn end_of_input(&mut self, out: &mut Collector) -> Result<(), Stop> {
        let Some(doc) = self.doc.take() else {
            return Ok(());
        };
        if doc.streamed {
            out.warn(format!(
                "the file ends before its JSON is complete (line {}): the spans before that point are loaded",
                self.line
            ));
            self.doc = Some(doc);
            self.close_all(out);
            return Ok(());
        }
        let end = self.abs(self.buf.len());
        let text = self.slice(doc.start, end).to_string();
        match serde_json::from_str::<&RawValue>(&text) {
            Err(e) if self.docs > 1 => Err(Stop {
                line: Some(doc.line),
                column: (e.line() == 1).then(|| e.column()),
                message: format!(
                    "malformed JSON on this line of NDJSON: {}",
                    strip_position(&e)
                ),
            }),
            Err(e) => Err(Stop {
                line: Some(doc.line + e.line().saturating_sub(1)),
                column: Some(e.column()),
                message: format!("malformed JSON: {}", strip_position(&e)),
            }),
            // Complete after all (cannot happen with an open bracket).
            Ok(_) => {
                self.doc = Some(doc);
                self.doc_end(end, out)
            }
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

fn describe_byte(c: u8) -> String {
    if c.is_ascii_graphic() {
        format!("'{}'", c as char)
    } else {
        format!("the byte 0x{c:02x}")
    }
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

/// Reads a file that arrives in pieces. Feed it with [`Loader::push`], then
/// call [`Loader::finish`]. Between pieces, [`Loader::spans_read`] and
/// [`Loader::bytes_read`] tell the progress.
pub struct Loader {
    file: String,
    started: bool,
    inflate: Option<flate2::write::MultiGzDecoder<Vec<u8>>>,
    /// The first bytes, held until there are enough to tell gzip.
    head: Vec<u8>,
    scanner: Scanner,
    out: Collector,
    bytes_in: u64,
    spans: usize,
    /// The first error that stops the load, kept for `finish`.
    failed: Option<ImportError>,
    /// Scanning stopped after spans were read: the rest is ignored.
    stopped: bool,
}

impl Loader {
    pub fn new(file: &str) -> Loader {
        Loader {
            file: file.to_string(),
            started: false,
            inflate: None,
            head: Vec::new(),
            scanner: Scanner {
                line: 1,
                ..Scanner::default()
            },
            out: Collector::default(),
            bytes_in: 0,
            spans: 0,
            failed: None,
            stopped: false,
        }
    }

    /// Bytes given so far (compressed bytes for a gzip file).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_in
    }

    /// Spans read so far.
    pub fn spans_read(&self) -> usize {
        self.spans
    }

    /// Bytes held between pieces: the part of a span or document that is
    /// not complete yet (a whole document when it is not streamed).
    pub fn buffered(&self) -> usize {
        self.scanner.buf.len()
    }

    fn error(&self, line: Option<usize>, column: Option<usize>, message: String) -> ImportError {
        ImportError {
            file: self.file.clone(),
            line,
            column,
            message,
        }
    }

    /// Takes the next piece of the file. An error means the file cannot be
    /// loaded; stop feeding it (`finish` gives the same error).
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), ImportError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        self.bytes_in += bytes.len() as u64;
        if self.stopped || bytes.is_empty() {
            return Ok(());
        }
        if !self.started && self.inflate.is_none() && self.head.is_empty() {
            if bytes.starts_with(&[0x1f, 0x8b]) {
                self.inflate = Some(flate2::write::MultiGzDecoder::new(Vec::new()));
            } else if bytes.len() < 2 && bytes.first() == Some(&0x1f) {
                // Too short to tell: wait for more.
                self.head.extend_from_slice(bytes);
                return Ok(());
            }
        }
        match self.inflate.as_mut() {
            Some(gz) => {
                if let Err(e) = gz.write_all(bytes) {
                    return Err(self.fail(None, None, format!("the gzip data is damaged: {e}")));
                }
                let plain = std::mem::take(gz.get_mut());
                self.feed(&plain)
            }
            None => {
                if !self.head.is_empty() && !self.started {
                    let mut all = std::mem::take(&mut self.head);
                    all.extend_from_slice(bytes);
                    if all.starts_with(&[0x1f, 0x8b]) {
                        self.inflate = Some(flate2::write::MultiGzDecoder::new(Vec::new()));
                        self.bytes_in -= all.len() as u64;
                        return self.push(&all);
                    }
                    return self.feed(&all);
                }
                self.feed(bytes)
            }
        }
    }

    fn fail(&mut self, line: Option<usize>, column: Option<usize>, message: String) -> ImportError {
        let e = self.error(line, column, message);
        self.failed = Some(e.clone());
        e
    }

    /// Scans plain (inflated) bytes.
    fn feed(&mut self, mut bytes: &[u8]) -> Result<(), ImportError> {
        if !self.started {
            if bytes.is_empty() {
                return Ok(());
            }
            self.started = true;
            if let Some(rest) = bytes.strip_prefix("\u{feff}".as_bytes()) {
                bytes = rest;
            }
            let head = bytes.get(..bytes.len().min(4096)).unwrap_or(bytes);
            if let Err(e) = std::str::from_utf8(head) {
                if e.error_len().is_some() {
                    let (line, column) = super::line_col(head, e.valid_up_to());
                    return Err(self.fail(
                        Some(line),
                        Some(column),
                        "the file is not UTF-8 text (a binary file, or another encoding)"
                            .to_string(),
                    ));
                }
            }
        }
        self.scanner.append(bytes);
        let result = self.scanner.scan(&mut self.out);
        self.spans = self.out.span_count();
        match result {
            Ok(()) => {
                self.scanner.compact();
                Ok(())
            }
            Err(stop) => self.stopped_at(stop),
        }
    }

    fn stopped_at(&mut self, stop: Stop) -> Result<(), ImportError> {
        if self.scanner.streamed_any && self.spans > 0 {
            let at = match (stop.line, stop.column) {
                (Some(l), Some(c)) => format!(" at line {l}, column {c}"),
                (Some(l), None) => format!(" at line {l}"),
                _ => String::new(),
            };
            self.out.warn(format!(
                "reading stopped{at}: {}; the spans before that point are loaded",
                stop.message
            ));
            self.stopped = true;
            self.scanner.close_all(&mut self.out);
            self.scanner.buf = String::new();
            Ok(())
        } else {
            Err(self.fail(stop.line, stop.column, stop.message))
        }
    }

    /// Ends the input and builds the traces.
    pub fn finish(self) -> Result<Imported, ImportError> {
        self.finish_unbuilt().map(Unbuilt::build)
    }

    /// Ends the input; the traces are left for the caller to build.
    pub fn finish_unbuilt(mut self) -> Result<Unbuilt, ImportError> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        if let Some(gz) = self.inflate.as_mut() {
            if let Err(e) = gz.try_finish() {
                return Err(self.error(None, None, format!("the gzip data is damaged: {e}")));
            }
            let plain = std::mem::take(gz.get_mut());
            self.feed(&plain)?;
        } else if !self.started && !self.head.is_empty() {
            let all = std::mem::take(&mut self.head);
            self.feed(&all)?;
        }
        if !self.stopped {
            self.scanner.flush_carry();
            if let Err(stop) = self.scanner.scan(&mut self.out) {
                self.stopped_at(stop)?;
            }
        }
        if let Some(at) = self.scanner.not_utf8 {
            self.out.warn(format!(
                "the file has bytes that are not UTF-8 text (the first at byte {at}); they are shown as the replacement character �"
            ));
        }
        if !self.stopped {
            if let Err(stop) = self.scanner.end_of_input(&mut self.out) {
                self.stopped_at(stop)?;
            }
        }
        if self.scanner.docs == 0 {
            return Err(self.error(None, None, "the file is empty".to_string()));
        }
        let format = self.scanner.format.unwrap_or(Format::Otlp);
        super::unbuilt(&self.file, format, self.out)
    }
}
