//! From bytes to traces: format detection by content, and one importer per
//! format, each producing the one [`crate::model::Trace`].
//!
//! Detection never looks at the file name. Gzip is recognised by its magic
//! bytes. Input arrives in pieces through a [`Loader`] (`stream.rs`), which
//! cuts each span of a Jaeger or OTLP document out as soon as it is complete
//! and parses it on its own, so that a huge file never sits whole in memory
//! and one bad span is skipped with a warning naming it while the rest of
//! the trace loads. Several documents in a row are NDJSON, one a line (what
//! the OpenTelemetry Collector's file exporter writes). Any other document
//! is kept whole and read by [`read_document`], which sniffs its shape and
//! words the errors.

mod jaeger;
mod json;

/// Integers written as numbers or strings, for other readers of Jaeger's JSON.
pub use json::Int as json_int;
mod otlp;
mod stream;
mod zipkin;

pub use stream::Loader;

use crate::model::{Trace, TraceBuilder};
use json::{object_keys, value_kind};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::fmt;

/// The formats we read, for messages and for the trace list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    JaegerJson,
    Otlp,
    JaegerApiV3,
    Tempo,
    Zipkin,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Format::JaegerJson => "Jaeger JSON",
            Format::Otlp => "OTLP/JSON",
            Format::JaegerApiV3 => "Jaeger API v3 (OTLP)",
            Format::Tempo => "Tempo (OTLP batches)",
            Format::Zipkin => "Zipkin v2",
        }
    }
}

/// Every format tried, in the words of the "no format matched" message.
pub const TRIED: &str = "Jaeger JSON ({data:[…]}, a trace with traceID/spans/processes, or a span array with spanID), \
OTLP/JSON ({resourceSpans:[…]}, one per line for NDJSON), Jaeger API v3 ({result:{resourceSpans}}), \
Tempo ({batches:[…]}) and Zipkin v2 (a span array with traceId/id)";

/// What a file gave: its traces, and problems that did not stop the load.
#[derive(Debug)]
pub struct Imported {
    pub format: Format,
    pub traces: Vec<Trace>,
    pub warnings: Vec<String>,
}

/// Why a file could not be loaded at all.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportError {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, ", line {l}, column {c}")?,
            (Some(l), None) => write!(f, ", line {l}")?,
            _ => {}
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ImportError {}

/// Spans gathered per trace id, in the order the traces were first seen.
#[derive(Default)]
pub struct Collector {
    builders: Vec<TraceBuilder>,
    index: rustc_hash::FxHashMap<String, usize>,
    /// The builder used last: spans of one trace mostly come together.
    last: usize,
    pub warnings: Vec<String>,
    /// Spans are counted, not kept (see [`Loader::stop_keeping_spans`]).
    dropping: bool,
}

impl Collector {
    pub fn builder(&mut self, trace_id: &str) -> &mut TraceBuilder {
        if self
            .builders
            .get(self.last)
            .is_some_and(|b| b.trace_id() == trace_id)
        {
            return &mut self.builders[self.last];
        }
        let i = match self.index.get(trace_id) {
            Some(&i) => i,
            None => {
                let mut b = TraceBuilder::new(trace_id);
                if self.dropping {
                    b.stop_keeping();
                }
                self.builders.push(b);
                self.index
                    .insert(trace_id.to_string(), self.builders.len() - 1);
                self.builders.len() - 1
            }
        };
        self.last = i;
        // `i` is an index this collector handed out: always in bounds.
        &mut self.builders[i]
    }

    pub fn warn(&mut self, message: String) {
        self.warnings.push(message);
    }

    /// Spans kept.
    pub fn span_count(&self) -> usize {
        self.builders.iter().map(|b| b.len()).sum()
    }

    /// From now on, every trace counts the spans it is given without
    /// keeping them.
    pub fn stop_keeping(&mut self) {
        self.dropping = true;
        for b in &mut self.builders {
            b.stop_keeping();
        }
    }

    /// Spans counted but not kept.
    pub fn dropped(&self) -> usize {
        self.builders.iter().map(|b| b.dropped()).sum()
    }

    pub fn finish(self) -> Vec<Trace> {
        self.builders
            .into_iter()
            .filter(|b| !b.is_empty())
            .map(TraceBuilder::build)
            .collect()
    }
}

/// Reads a whole file's bytes into traces (see [`Loader`] for pieces).
pub fn import_bytes(file: &str, bytes: &[u8]) -> Result<Imported, ImportError> {
    let mut loader = Loader::new(file);
    loader.push(bytes)?;
    loader.finish()
}

/// What a file gave before its traces are built: building is the one step
/// of a load that is not done piece by piece, so a caller that must stay
/// responsive builds one trace at a time ([`Unbuilt::builders`]).
pub struct Unbuilt {
    pub format: Format,
    pub warnings: Vec<String>,
    /// One per trace, in the order the traces were first seen; none empty.
    pub builders: Vec<TraceBuilder>,
}

impl Unbuilt {
    pub fn build(self) -> Imported {
        Imported {
            format: self.format,
            traces: self.builders.into_iter().map(TraceBuilder::build).collect(),
            warnings: self.warnings,
        }
    }
}

fn unbuilt(file: &str, format: Format, mut out: Collector) -> Result<Unbuilt, ImportError> {
    let warnings = std::mem::take(&mut out.warnings);
    let builders: Vec<TraceBuilder> = out.builders.into_iter().filter(|b| !b.is_empty()).collect();
    if builders.is_empty() {
        let why = if !warnings.is_empty() {
            format!("no span could be read: {}", warnings.join("; "))
        } else {
            format!("the {} document holds no spans", format.label())
        };
        return Err(ImportError {
            file: file.to_string(),
            line: None,
            column: None,
            message: why,
        });
    }
    Ok(Unbuilt {
        format,
        warnings,
        builders,
    })
}

/// One importer run on its own, without the sniffer or the streaming
/// loader (the fuzz targets' way into each importer):
/// `text` is read as one JSON document of `format`'s shape, Jaeger's a
/// trace object or a span list, OTLP's a request, Zipkin's a span list.
#[doc(hidden)]
pub fn read_as(format: Format, text: &str) -> Result<Vec<Trace>, String> {
    let raw: &RawValue = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Collector::default();
    let is_list = raw.get().trim_start().starts_with('[');
    match format {
        Format::JaegerJson if is_list => {
            let items: Vec<&RawValue> =
                serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
            jaeger::read_span_array(&items, &mut out);
        }
        Format::JaegerJson => jaeger::read_trace(raw, &mut out)?,
        Format::Otlp | Format::JaegerApiV3 | Format::Tempo => otlp::read_request(raw, &mut out)?,
        Format::Zipkin => {
            let items: Vec<&RawValue> = if is_list {
                serde_json::from_str(raw.get()).map_err(|e| e.to_string())?
            } else {
                vec![raw]
            };
            zipkin::read_spans(&items, &mut out);
        }
    }
    Ok(out.finish())
}

/// The fast Jaeger reader against serde on one span's text (a fuzz
/// target's check): panics when they give different
/// answers. Declining is not an answer.
#[doc(hidden)]
pub fn jaeger_fast_vs_serde(text: &str) {
    jaeger::fast_vs_serde(text)
}

fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = bytes.get(..offset).unwrap_or(bytes);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

/// Reads one JSON document, deciding its format from its shape.
fn read_document(doc: &RawValue, out: &mut Collector) -> Result<Format, String> {
    match doc.get().trim_start().as_bytes().first() {
        Some(b'{') => {
            let map: BTreeMap<String, &RawValue> = serde_json::from_str(doc.get())
                .map_err(|e| format!("malformed JSON object: {e}"))?;
            read_object(doc, &map, out)
        }
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(doc.get())
                .map_err(|e| format!("malformed JSON array: {e}"))?;
            read_array(&items, out)
        }
        _ => Err(format!(
            "the document is {}, not a trace. Tried {TRIED}",
            value_kind(doc)
        )),
    }
}

fn read_object(
    doc: &RawValue,
    map: &BTreeMap<String, &RawValue>,
    out: &mut Collector,
) -> Result<Format, String> {
    let has = |k: &str| map.contains_key(k);
    if has("resourceSpans") || has("resource_spans") {
        otlp::read_request(doc, out)?;
        return Ok(Format::Otlp);
    }
    if has("batches") {
        otlp::read_request(doc, out)?;
        return Ok(Format::Tempo);
    }
    if let Some(result) = map.get("result") {
        let keys = object_keys(result).unwrap_or_default();
        if keys
            .iter()
            .any(|k| k == "resourceSpans" || k == "resource_spans")
        {
            otlp::read_request(result, out)?;
            return Ok(Format::JaegerApiV3);
        }
        return Err(format!(
            "a Jaeger API v3 response whose result is {} without resourceSpans",
            value_kind(result)
        ));
    }
    if let Some(data) = map.get("data") {
        let errors = envelope_errors(map.get("errors").copied());
        return match data.get().trim_start().as_bytes().first() {
            Some(b'[') => {
                let items: Vec<&RawValue> =
                    serde_json::from_str(data.get()).map_err(|e| e.to_string())?;
                if items.is_empty() {
                    return Err(match errors {
                        Some(e) => {
                            format!("the Jaeger response holds no traces; its errors say: {e}")
                        }
                        None => "the Jaeger response holds no traces (data is an empty list)"
                            .to_string(),
                    });
                }
                if let Some(e) = errors {
                    out.warn(format!("the Jaeger response reports errors: {e}"));
                }
                let f = read_array(&items, out)?;
                Ok(f)
            }
            Some(b'{') => {
                jaeger::read_trace(data, out)?;
                Ok(Format::JaegerJson)
            }
            _ => Err(match errors {
                Some(e) => format!("the Jaeger response is an error: {e}"),
                None => format!(
                    "the Jaeger response's data is {}, not traces",
                    value_kind(data)
                ),
            }),
        };
    }
    let keys: Vec<String> = map.keys().cloned().collect();
    if jaeger::looks_like_trace(&keys) {
        jaeger::read_trace(doc, out)?;
        return Ok(Format::JaegerJson);
    }
    if jaeger::looks_like_span(&keys) {
        jaeger::read_span_array(&[doc], out);
        return Ok(Format::JaegerJson);
    }
    if zipkin::looks_like_span(&keys) {
        zipkin::read_spans(&[doc], out);
        return Ok(Format::Zipkin);
    }
    if let Some(e) = map.get("error") {
        #[derive(serde::Deserialize)]
        struct V3Error {
            #[serde(default)]
            message: Option<String>,
            #[serde(rename = "httpCode", default)]
            http_code: Option<i64>,
        }
        if let Ok(v) = serde_json::from_str::<V3Error>(e.get()) {
            return Err(format!(
                "a Jaeger API error response (HTTP {}): {}",
                v.http_code.map_or("?".to_string(), |c| c.to_string()),
                v.message.unwrap_or_default()
            ));
        }
    }
    if has("traces") && (has("metrics") || has("traceID") || has("traces")) {
        return Err("a Tempo search response: it lists trace summaries, not spans. Open one of its traces by id instead".to_string());
    }
    if has("summaries") {
        return Err("a Jaeger trace-summaries response: it lists summaries, not spans".to_string());
    }
    if has("services") {
        return Err("a Jaeger services list, not traces".to_string());
    }
    if has("operations") {
        return Err("a Jaeger operations list, not traces".to_string());
    }
    Err(format!(
        "not a trace format we know: the object's keys are {}. Tried {TRIED}",
        describe_keys(&keys)
    ))
}

fn read_array(items: &[&RawValue], out: &mut Collector) -> Result<Format, String> {
    let Some(first) = items.first() else {
        return Err("the file is an empty list: no spans".to_string());
    };
    if first.get().trim_start().starts_with('[') {
        // Zipkin's /api/v2/traces: a list of span lists.
        for inner in items {
            let spans: Vec<&RawValue> = serde_json::from_str(inner.get())
                .map_err(|e| format!("a list of lists whose items are not all span lists: {e}"))?;
            zipkin::read_spans(&spans, out);
        }
        return Ok(Format::Zipkin);
    }
    let keys = object_keys(first).ok_or_else(|| {
        format!(
            "the file is a list of {} values, not spans or traces. Tried {TRIED}",
            value_kind(first)
                .trim_start_matches("an ")
                .trim_start_matches("a ")
        )
    })?;
    let has = |k: &str| keys.iter().any(|x| x == k);
    if has("resourceSpans") || has("resource_spans") || has("batches") {
        for item in items {
            otlp::read_request(item, out)?;
        }
        return Ok(Format::Otlp);
    }
    if jaeger::looks_like_trace(&keys) {
        for (i, item) in items.iter().enumerate() {
            if let Err(e) = jaeger::read_trace(item, out) {
                out.warn(format!("skipped trace number {}: {e}", i + 1));
            }
        }
        return Ok(Format::JaegerJson);
    }
    if jaeger::looks_like_span(&keys) {
        jaeger::read_span_array(items, out);
        return Ok(Format::JaegerJson);
    }
    if zipkin::looks_like_span(&keys) {
        zipkin::read_spans(items, out);
        return Ok(Format::Zipkin);
    }
    if has("parent") && has("child") {
        return Err(
            "a Jaeger dependency list (parent/child/callCount edges between services), not traces"
                .to_string(),
        );
    }
    Err(format!(
        "not a trace format we know: a list whose first item has the keys {}. Tried {TRIED}",
        describe_keys(&keys)
    ))
}

fn describe_keys(keys: &[String]) -> String {
    if keys.is_empty() {
        return "(none)".to_string();
    }
    let shown: Vec<&str> = keys.iter().take(8).map(String::as_str).collect();
    let more = if keys.len() > 8 {
        format!(" and {} more", keys.len() - 8)
    } else {
        String::new()
    };
    format!("{}{more}", shown.join(", "))
}

/// Jaeger's v1 envelope `errors[].msg`, joined.
fn envelope_errors(raw: Option<&RawValue>) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct E {
        #[serde(default)]
        msg: Option<String>,
        #[serde(rename = "traceID", default)]
        trace_id: Option<String>,
    }
    let list: Vec<E> = serde_json::from_str(raw?.get()).ok()?;
    let msgs: Vec<String> = list
        .into_iter()
        .filter_map(|e| {
            let m = e.msg?;
            Some(match e.trace_id {
                Some(t) => format!("{m} (trace {t})"),
                None => m,
            })
        })
        .collect();
    (!msgs.is_empty()).then(|| msgs.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_json_names_line_and_column() {
        let e =
            import_bytes("broken.json", b"{\"data\": [\n  {\"traceID\": \"abc\", \n").unwrap_err();
        assert_eq!(e.file, "broken.json");
        assert_eq!(e.line, Some(3));
        assert!(
            e.to_string().starts_with("broken.json, line 3, column"),
            "{e}"
        );
    }

    #[test]
    fn unknown_content_names_the_formats_tried() {
        let e = import_bytes("x.json", br#"{"hello":"world"}"#).unwrap_err();
        let s = e.to_string();
        assert!(
            s.contains("hello")
                && s.contains("Jaeger")
                && s.contains("OTLP")
                && s.contains("Zipkin"),
            "{s}"
        );
    }

    #[test]
    fn gzip_is_detected_by_magic() {
        use std::io::Write;
        let doc = br#"[{"traceId":"1","id":"2","name":"n","timestamp":1,"duration":2,"localEndpoint":{"serviceName":"s"}}]"#;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(doc).unwrap();
        let bytes = gz.finish().unwrap();
        let imp = import_bytes("whatever.bin", &bytes).unwrap();
        assert_eq!(imp.format, Format::Zipkin);
        assert_eq!(imp.traces[0].spans.len(), 1);
    }

    #[test]
    fn ndjson_error_names_the_line() {
        let text = "{\"resourceSpans\":[]}\n{\"resourceSpans\": [\n";
        let e = import_bytes("x.ndjson", text.as_bytes()).unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
    }

    #[test]
    fn envelope_errors_are_reported() {
        let e = import_bytes(
            "x.json",
            br#"{"data":null,"errors":[{"code":404,"msg":"trace not found"}]}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("trace not found"), "{e}");
    }

    #[test]
    fn empty_and_binary_files() {
        assert!(import_bytes("e.json", b"  \n")
            .unwrap_err()
            .message
            .contains("empty"));
        assert!(import_bytes("b.json", &[0xff, 0xfe, 0x00])
            .unwrap_err()
            .message
            .contains("UTF-8"));
    }
}
