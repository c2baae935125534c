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
//! processes arrive ([`super::jaeger::resolve_process`]). An OTLP span whose
//! resource or scope has not been seen yet is kept as text until its object
//! closes.
//!
//! A document in which no span was found this way (Zipkin, a services list,
//! an error envelope, anything unexpected) is kept whole and read by the
//! general path in `import/mod.rs`, which words the messages.
//!
//! This file holds the [`Loader`] (pieces in, gzip, progress, the end of the
//! input) and the scanner's state; the scanner's work is split by what it
//! knows: `scan.rs` follows the JSON's structure and its documents,
//! `shape.rs` knows where spans live and reads them, `text.rs` keeps the
//! buffered text (UTF-8 checked as it comes, dropped once read).

mod scan;
mod shape;
mod text;

use super::{Collector, Format, ImportError, Imported, Unbuilt};
use crate::text::thousands;
use shape::{Cap, Ctx, Key, Role, TraceCtx};
use std::io::Write;

/// One open object or array: where the scanner is in it, and what it is
/// for spans (its role, the value it captures, the context it gathers).
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

/// The document being read (NDJSON holds one a line).
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

/// Everything the scanner keeps between two pieces of the input.
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
    /// No more text will come (set by `flush_carry` at the end).
    ended: bool,
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
}

/// Text held at most between pieces (a span, or a document that streams
/// no span, not complete yet): past it the file stops with a message
/// instead of taking the page's memory. A 1,000,000-span Jaeger file holds
/// a few kilobytes at a time; one value of 512 MB is no trace (issue #18:
/// a 1.57 MB gzip holding one 1 GB string used to trap the wasm).
pub const MAX_BUFFERED: usize = 512 * 1024 * 1024;

/// Compressed bytes inflated at a time: deflate inflates at most about
/// 1,032 times, so a piece never becomes more than about 64 MB of text
/// before it is scanned (and checked against [`MAX_BUFFERED`]).
const INFLATE_CHUNK: usize = 64 * 1024;

/// Plain bytes checked for a binary file (not UTF-8) before the first is
/// scanned; they are gathered first, whatever the size of the pieces.
const HEAD_CHECKED: usize = 4096;

/// Reads a file that arrives in pieces. Feed it with [`Loader::push`], then
/// call [`Loader::finish`]. Between pieces, [`Loader::spans_read`] and
/// [`Loader::bytes_read`] tell the progress.
pub struct Loader {
    file: String,
    started: bool,
    inflate: Option<flate2::write::MultiGzDecoder<Vec<u8>>>,
    /// Whether the input is gzip has been decided.
    sniffed: bool,
    /// The first bytes, held until there are enough to tell gzip.
    head: Vec<u8>,
    /// The first plain (inflated) bytes, held until there are
    /// [`HEAD_CHECKED`] of them or the input ends.
    plain_head: Vec<u8>,
    scanner: Scanner,
    out: Collector,
    bytes_in: u64,
    spans: usize,
    /// The first error that stops the load, kept for `finish`.
    failed: Option<ImportError>,
    /// Scanning stopped after spans were read: the rest is ignored.
    stopped: bool,
    /// [`MAX_BUFFERED`], or less in tests.
    max_buffered: usize,
    /// Why spans stopped being kept, once they did
    /// ([`Loader::stop_keeping_spans`]).
    full: Option<String>,
}

impl Loader {
    pub fn new(file: &str) -> Loader {
        Loader {
            file: file.to_string(),
            started: false,
            inflate: None,
            sniffed: false,
            head: Vec::new(),
            plain_head: Vec::new(),
            scanner: Scanner {
                line: 1,
                ..Scanner::default()
            },
            out: Collector::default(),
            bytes_in: 0,
            spans: 0,
            failed: None,
            stopped: false,
            max_buffered: MAX_BUFFERED,
            full: None,
        }
    }

    /// A loader that holds at most `max` bytes of text between pieces (the
    /// tests' way to reach the limit without gigabytes).
    pub fn with_max_buffered(file: &str, max: usize) -> Loader {
        Loader {
            max_buffered: max,
            ..Loader::new(file)
        }
    }

    /// Bytes given so far (compressed bytes for a gzip file).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_in
    }

    /// Spans read and kept so far.
    pub fn spans_read(&self) -> usize {
        self.spans
    }

    /// Keeps no more spans: the rest of the file is still read, for the
    /// context that comes after spans (Jaeger's `processes`) and to count
    /// what the file holds, but each span after this point is counted and
    /// dropped. `why` ends the file's warning, "loaded the first N of M
    /// spans: {why}". The caller does this when the memory left would not
    /// hold the spans read so far once built (see `import::capacity`).
    pub fn stop_keeping_spans(&mut self, why: String) {
        if self.full.is_none() {
            self.full = Some(why);
            self.out.stop_keeping();
        }
    }

    /// Whether spans are still kept.
    pub fn keeps_spans(&self) -> bool {
        self.full.is_none()
    }

    /// Stops keeping spans once those read so far would not fit in
    /// `capacity` when built (`per_span` bytes more each, the program
    /// holding `held` bytes now); the warning says how many the tab can
    /// hold. Called between pieces.
    pub fn keep_within(
        &mut self,
        capacity: &mut crate::memory::Capacity,
        held: usize,
        per_span: usize,
    ) {
        if self.full.is_some() {
            return;
        }
        let need = crate::memory::need_for_spans(held, self.spans, per_span);
        if !capacity.fits(need) {
            self.stop_keeping_spans(format!(
                "this browser tab can hold about {} spans of this file, and the rest would not fit in its memory",
                thousands(self.spans)
            ));
        }
    }

    /// Spans read but not kept.
    pub fn spans_dropped(&self) -> usize {
        self.out.dropped()
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
        if !self.sniffed && self.head.is_empty() {
            if bytes.starts_with(&[0x1f, 0x8b]) {
                self.inflate = Some(flate2::write::MultiGzDecoder::new(Vec::new()));
            } else if bytes.len() < 2 && bytes.first() == Some(&0x1f) {
                // Too short to tell: wait for more.
                self.head.extend_from_slice(bytes);
                return Ok(());
            }
            self.sniffed = true;
        }
        match self.inflate.as_mut() {
            Some(_) => {
                for chunk in bytes.chunks(INFLATE_CHUNK) {
                    let Some(gz) = self.inflate.as_mut() else {
                        break;
                    };
                    if let Err(e) = gz.write_all(chunk) {
                        return Err(self.fail(
                            None,
                            None,
                            format!("the gzip data is damaged: {e}"),
                        ));
                    }
                    let plain = std::mem::take(gz.get_mut());
                    self.feed(&plain, false)?;
                    if self.stopped {
                        break;
                    }
                }
                Ok(())
            }
            None => {
                if !self.head.is_empty() && !self.sniffed {
                    self.sniffed = true;
                    let mut all = std::mem::take(&mut self.head);
                    all.extend_from_slice(bytes);
                    if all.starts_with(&[0x1f, 0x8b]) {
                        self.inflate = Some(flate2::write::MultiGzDecoder::new(Vec::new()));
                        self.bytes_in -= all.len() as u64;
                        return self.push(&all);
                    }
                    return self.feed(&all, false);
                }
                self.feed(bytes, false)
            }
        }
    }

    fn fail(&mut self, line: Option<usize>, column: Option<usize>, message: String) -> ImportError {
        let e = self.error(line, column, message);
        self.failed = Some(e.clone());
        e
    }

    /// Scans plain (inflated) bytes. The first [`HEAD_CHECKED`] bytes are
    /// gathered before anything is scanned, so that the byte-order mark and
    /// the check for a binary file see the same bytes whatever the size of
    /// the pieces (`end`: there are no more).
    fn feed(&mut self, bytes: &[u8], end: bool) -> Result<(), ImportError> {
        if self.started {
            return self.scan(bytes);
        }
        const BOM: &[u8] = "\u{feff}".as_bytes();
        self.plain_head.extend_from_slice(bytes);
        // The checked bytes come after a byte-order mark.
        if self.plain_head.len() < HEAD_CHECKED + BOM.len() && !end {
            return Ok(());
        }
        let all = std::mem::take(&mut self.plain_head);
        if all.is_empty() {
            return Ok(());
        }
        self.started = true;
        let bytes = all.strip_prefix(BOM).unwrap_or(&all);
        let head = bytes.get(..bytes.len().min(HEAD_CHECKED)).unwrap_or(bytes);
        if let Err(e) = std::str::from_utf8(head) {
            if e.error_len().is_some() {
                let (line, column) = super::line_col(head, e.valid_up_to());
                return Err(self.fail(
                    Some(line),
                    Some(column),
                    "the file is not UTF-8 text (a binary file, or another encoding)".to_string(),
                ));
            }
        }
        self.scan(bytes)
    }

    /// Appends text and scans it.
    fn scan(&mut self, bytes: &[u8]) -> Result<(), ImportError> {
        self.scanner.append(bytes);
        let result = self.scanner.scan(&mut self.out);
        self.spans = self.out.span_count();
        match result {
            Ok(()) => {
                self.scanner.compact();
                if self.scanner.buf.len() > self.max_buffered {
                    let held = self.scanner.buf.len() as f64 / 1e6;
                    let message = format!(
                        "{held:.0} MB of text holds no complete span or document (at most {:.0} MB may be held at once): one value that large is no trace; is the file damaged?",
                        self.max_buffered as f64 / 1e6
                    );
                    return self.stopped_at(Stop {
                        line: None,
                        column: None,
                        message,
                    });
                }
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
        // Once scanning stopped, the rest of the input is not read: nor is
        // the end of a gzip stream (pieces after the stop never reach it).
        if let Some(gz) = self.inflate.as_mut().filter(|_| !self.stopped) {
            if let Err(e) = gz.try_finish() {
                return Err(self.error(None, None, format!("the gzip data is damaged: {e}")));
            }
            let plain = std::mem::take(gz.get_mut());
            self.feed(&plain, false)?;
        } else if !self.sniffed && !self.head.is_empty() {
            let all = std::mem::take(&mut self.head);
            self.feed(&all, false)?;
        }
        if !self.started {
            self.feed(&[], true)?;
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
        let dropped = self.out.dropped();
        if let (Some(why), true) = (self.full.take(), dropped > 0) {
            let kept = self.out.span_count();
            self.out.warn(format!(
                "loaded the first {} of {} spans: {why}",
                thousands(kept),
                thousands(kept.saturating_add(dropped))
            ));
        }
        let format = self.scanner.format.unwrap_or(Format::Otlp);
        super::unbuilt(&self.file, format, self.out)
    }
}
