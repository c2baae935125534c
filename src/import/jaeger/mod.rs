//! Jaeger JSON: the UI's download and the `/api/traces` envelope
//! (`{data:[trace…]}`), `{data: trace}`, `[trace…]`, a bare trace object, and
//! a bare span array whose spans carry their own `process` (jaeger-anonymizer).
//! Times are microseconds. Tags of every type, logs, CHILD_OF and FOLLOWS_FROM
//! references (also into other traces) are kept.

mod cursor;
mod fast;
mod parts;
mod serde_reader;

/// The fast reader (its span shape is in `fast.rs`), which the streaming
/// loader also runs in place on its buffer.
pub(super) use cursor::Reader;
pub(super) use parts::Process;
pub(super) use serde_reader::{json_to_attr, parse_processes};

use super::json::{span_label_str, us_beyond_ns, us_to_ns};
use super::Collector;
use crate::model::{
    normalize_span_id, normalize_trace_id, AttrValue, Attribute, Event, RefType, Reference,
    SpanInput, SpanKind, Status, StatusCode, TraceBuilder,
};
use parts::Parts;
use serde_json::value::RawValue;
use serde_reader::{serde_span, JTrace};
use std::borrow::Cow;
use std::collections::HashMap;

/// True when the object keys look like one Jaeger trace.
pub fn looks_like_trace(keys: &[String]) -> bool {
    keys.iter().any(|k| k == "spans") && keys.iter().any(|k| k == "traceID" || k == "processes")
}

/// True when the object keys look like one Jaeger span.
pub fn looks_like_span(keys: &[String]) -> bool {
    keys.iter().any(|k| k == "spanID")
        && keys.iter().any(|k| k == "traceID" || k == "operationName")
}

/// Reads one trace object.
pub fn read_trace(raw: &RawValue, out: &mut Collector) -> Result<(), String> {
    let t: JTrace =
        serde_json::from_str(raw.get()).map_err(|e| format!("not a Jaeger trace: {e}"))?;
    read_parsed_trace(t, out);
    Ok(())
}

fn read_parsed_trace(t: JTrace, out: &mut Collector) {
    let processes: HashMap<String, Process> = t
        .processes
        .unwrap_or_default()
        .into_iter()
        .map(|(k, p)| (k, Process::from(p)))
        .collect();
    let trace_id = t.trace_id.map(|t| normalize_trace_id(&t.0));
    for w in t.warnings.unwrap_or_default() {
        if let Some(id) = &trace_id {
            out.builder(id).warn(format!("Jaeger: {w}"));
        }
    }
    read_spans(&t.spans, trace_id.as_deref(), &processes, out);
}

/// Reads spans; each carries its trace id, or `trace_id` applies.
fn read_spans(
    spans: &[&RawValue],
    trace_id: Option<&str>,
    processes: &HashMap<String, Process>,
    out: &mut Collector,
) {
    let mut services = StandIns::default();
    for (i, raw) in spans.iter().enumerate() {
        let known = Processes::Known {
            map: processes,
            services: &mut services,
        };
        read_span_record(raw.get(), i + 1, trace_id, known, out);
    }
}

/// The fast reader against serde on one span's text: where the fast reader
/// reads a whole JSON value, serde reads the same; where serde reads it,
/// the fast reader gives the same or declines. Panics otherwise (the
/// differential fuzz target's check, through `import::jaeger_fast_vs_serde`).
pub(super) fn fast_vs_serde(text: &str) {
    let mut reader = Reader::new(text);
    let fast = reader.span();
    let whole = text
        .get(reader.i..)
        .is_some_and(|rest| rest.trim_start_matches([' ', '\t', '\n', '\r']).is_empty());
    match (fast, serde_span(text)) {
        (Ok(f), Ok(s)) => assert!(whole && f == s, "fast {f:?}\nserde {s:?}\non {text:?}"),
        (Ok(f), Err(e)) => assert!(!whole, "serde fails ({e}), fast reads {f:?} from {text:?}"),
        (Err(_), _) => {}
    }
}

/// How a span's `processID` is resolved.
pub(super) enum Processes<'p> {
    /// The trace's processes are known; `services` remembers the service
    /// each became, per trace id and process id.
    Known {
        map: &'p HashMap<String, Process>,
        services: &'p mut StandIns,
    },
    /// They come later in the file (Jaeger writes them after the spans): the
    /// span gets a stand-in service named `tag` + process id, renamed by
    /// [`resolve_process`] once the processes are read. `stand_ins` holds
    /// them per trace id and process id.
    Later {
        tag: &'p str,
        stand_ins: &'p mut StandIns,
    },
}

/// Stand-in services per trace id, per process id.
pub(super) type StandIns = rustc_hash::FxHashMap<String, rustc_hash::FxHashMap<String, u32>>;

/// Reads one span (`number` counts from 1 in its trace, for messages): with
/// the fast reader when it can, else with serde, which words the errors.
pub(super) fn read_span_record(
    raw: &str,
    number: usize,
    trace_id: Option<&str>,
    processes: Processes,
    out: &mut Collector,
) {
    let span = match Reader::new(raw).span() {
        Ok(parts) => parts,
        Err(_) => match serde_span(raw) {
            Ok(s) => s,
            Err(e) => {
                out.warn(format!(
                    "skipped {} (number {number} in its trace): {e}",
                    span_label_str(raw, &["spanID"]),
                ));
                return;
            }
        },
    };
    read_span_parts(span, trace_id, processes, out);
}

/// Adds a span that was read to the builder of its trace.
pub(super) fn read_span_parts(
    mut span: Parts,
    trace_id: Option<&str>,
    processes: Processes,
    out: &mut Collector,
) {
    // Spans of a trace object mostly repeat its (normalised) id as it is.
    let tid: Option<Cow<str>> = match (span.trace_id.as_deref(), trace_id) {
        (Some(raw), Some(t)) if raw == t => Some(Cow::Borrowed(t)),
        (raw, _) => raw
            .map(normalize_trace_id)
            .filter(|t| !t.is_empty())
            .map(Cow::Owned)
            .or_else(|| trace_id.map(Cow::Borrowed)),
    };
    let Some(tid) = tid else {
        out.warn(format!("skipped span {}: it has no traceID", span.span_id));
        return;
    };
    let b = out.builder(&tid);
    let mut warnings: Vec<String> = Vec::new();
    let pid = span.process_id.as_deref().unwrap_or("");
    let service = match (span.process.take(), processes) {
        (Some(p), _) => {
            if p.name.is_none() {
                warnings.push("the span's process has no serviceName".to_string());
            }
            p.service(b)
        }
        (None, Processes::Known { map, services }) => match map.get(pid) {
            Some(p) => {
                if p.name.is_none() {
                    warnings.push("the span's process has no serviceName".to_string());
                }
                cached(services, &tid, pid, || p.service(b))
            }
            None => {
                warnings.push(format!(
                    "process {} is not in the trace's processes",
                    span.process_id.as_deref().unwrap_or("(none)")
                ));
                b.service("unknown", Vec::new())
            }
        },
        (None, Processes::Later { tag, stand_ins }) => cached(stand_ins, &tid, pid, || {
            b.service(&format!("{tag}{pid}"), Vec::new())
        }),
    };
    let input = convert_span(span, service, warnings, b);
    b.push(input);
}

/// The service of (trace, process) from `cache`, made by `make` the first time.
fn cached(cache: &mut StandIns, tid: &str, pid: &str, make: impl FnOnce() -> u32) -> u32 {
    if let Some(&ix) = cache.get(tid).and_then(|m| m.get(pid)) {
        return ix;
    }
    let ix = make();
    cache
        .entry(tid.to_string())
        .or_default()
        .insert(pid.to_string(), ix);
    ix
}

/// Gives the stand-in service of process `pid` (see [`Processes::Later`])
/// its real name and resource, now that the trace's processes are known.
pub(super) fn resolve_process(
    b: &mut TraceBuilder,
    tag: &str,
    pid: &str,
    processes: &HashMap<String, Process>,
) {
    let stand_in = format!("{tag}{pid}");
    if b.strings.lookup(&stand_in).is_none() {
        // This process was known when its spans came: nothing stands in.
        return;
    }
    match processes.get(pid) {
        Some(p) => {
            if p.name.is_none() {
                b.warn_once(&format!(
                    "process {pid} has no serviceName; its spans are shown under \"unknown\""
                ));
            }
            let resource = p
                .resource
                .iter()
                .map(|(k, v)| b.attribute(k, v.clone()))
                .collect();
            b.rename_service(&stand_in, p.name.as_deref().unwrap_or("unknown"), resource);
        }
        None => {
            b.warn_once(&format!(
                "process {} is not in the trace's processes; its spans are shown under \"unknown\"",
                if pid.is_empty() { "(none)" } else { pid }
            ));
            b.rename_service(&stand_in, "unknown", Vec::new());
        }
    }
}

fn convert_span(
    s: Parts,
    service: u32,
    mut warnings: Vec<String>,
    b: &mut TraceBuilder,
) -> SpanInput {
    warnings.extend(s.warnings.iter().map(|w| format!("Jaeger: {w}")));
    // Exactly as many as the span has (a collected list starts at four).
    let mut references: Vec<Reference> = Vec::with_capacity(s.references.len());
    let own = b.trace_id();
    references.extend(s.references.iter().filter_map(|r| {
        let span_id = r.span_id.as_deref()?;
        Some(Reference {
            ref_type: match r.ref_type.as_deref() {
                Some("FOLLOWS_FROM") | Some("follows_from") => RefType::FollowsFrom,
                _ => RefType::ChildOf,
            },
            trace_id: match r.trace_id.as_deref() {
                // Mostly the span's own trace, already normalised: left
                // empty, which means this trace (a string a span less).
                Some(t) if t == own => String::new(),
                Some(t) => normalize_trace_id(t),
                None => String::new(),
            },
            span_id: normalize_span_id(span_id),
        })
    }));
    if references.is_empty() {
        if let Some(p) = s
            .parent_span_id
            .as_deref()
            .filter(|p| !p.is_empty() && !p.trim_start_matches('0').is_empty())
        {
            references.push(Reference {
                ref_type: RefType::ChildOf,
                trace_id: String::new(),
                span_id: normalize_span_id(p),
            });
        }
    }
    let mut kind = SpanKind::Unspecified;
    let mut status = Status::default();
    for (key, value) in &s.tags {
        match key.as_ref() {
            "span.kind" => kind = SpanKind::parse(value.as_str().unwrap_or("")),
            "error" if value.is_true() => status.code = StatusCode::Error,
            "otel.status_code" => match value.as_str() {
                Some("ERROR") => status.code = StatusCode::Error,
                Some("OK") if status.code != StatusCode::Error => status.code = StatusCode::Ok,
                _ => {}
            },
            "otel.status_description" => status.message = value.as_str().unwrap_or("").to_string(),
            _ => {}
        }
    }
    let attributes = tags_to_attrs(s.tags, b);
    let events = s
        .logs
        .into_iter()
        .map(|l| {
            let name = l
                .fields
                .iter()
                .find(|(k, _)| k == "event")
                .and_then(|(_, v)| v.as_str())
                .unwrap_or("")
                .to_string();
            Event {
                time_ns: us_to_ns(l.timestamp.unwrap_or_default()),
                name,
                attributes: tags_to_attrs(l.fields, b),
            }
        })
        .collect();
    for (field, us) in [("startTime", s.start_time), ("duration", s.duration)] {
        warnings.extend(us_beyond_ns(field, us));
    }
    SpanInput {
        span_id: normalize_span_id(&s.span_id),
        parent_span_id: None,
        references,
        service,
        name: b.intern(s.operation_name.as_deref().unwrap_or_default()),
        kind,
        start_ns: s.start_time.map(us_to_ns),
        duration_ns: s.duration.map(us_to_ns),
        status,
        attributes,
        events,
        links: Vec::new(),
        warnings,
        scope: None,
    }
}

/// The span's attributes, in a list of exactly their number: collecting
/// into the tags' own (larger) list would keep its spare room for good.
fn tags_to_attrs(tags: Vec<(Cow<'_, str>, AttrValue)>, b: &mut TraceBuilder) -> Vec<Attribute> {
    let mut out = Vec::with_capacity(tags.len());
    out.extend(tags.into_iter().map(|(k, v)| b.attribute(&k, v)));
    out
}

/// Reads a bare array of spans that carry their own `process`.
pub fn read_span_array(items: &[&RawValue], out: &mut Collector) {
    read_spans(items, None, &HashMap::new(), out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_references_and_logs() {
        let doc = r#"{"traceID":"1","spans":[
          {"traceID":"1","spanID":"a","operationName":"root","references":[],"startTime":10,"duration":100,"processID":"p1","tags":[{"key":"error","type":"bool","value":true}]},
          {"traceID":"1","spanID":"b","operationName":"next","references":[{"refType":"FOLLOWS_FROM","traceID":"1","spanID":"a"}],"startTime":20,"duration":5,"processID":"p1",
           "logs":[{"timestamp":21,"fields":[{"key":"event","type":"string","value":"retry"}]}]}],
          "processes":{"p1":{"serviceName":"svc","tags":[]}}}"#;
        let raw: Box<RawValue> = serde_json::from_str(doc).unwrap();
        let mut c = Collector::default();
        read_trace(&raw, &mut c).unwrap();
        let traces = c.finish();
        let t = &traces[0];
        assert_eq!(t.spans.len(), 2);
        let b = &t.spans[t.find_span("000000000000000b").unwrap() as usize];
        assert_eq!(b.parent_ref, RefType::FollowsFrom);
        assert_eq!(b.events[0].name, "retry");
        assert_eq!(b.events[0].time_ns, 21_000);
        assert!(t.spans[0].is_error());
    }

    #[test]
    fn a_bad_span_is_skipped_with_a_warning() {
        let doc = r#"{"traceID":"1","spans":[
          {"traceID":"1","spanID":"a","operationName":"ok","startTime":1,"duration":2,"processID":"p"},
          {"traceID":"1","spanID":"b","operationName":"bad","startTime":"soon","duration":2,"processID":"p"}],
          "processes":{"p":{"serviceName":"s"}}}"#;
        let raw: Box<RawValue> = serde_json::from_str(doc).unwrap();
        let mut c = Collector::default();
        read_trace(&raw, &mut c).unwrap();
        assert!(
            c.warnings.iter().any(|w| w.contains("span b")),
            "{:?}",
            c.warnings
        );
        let traces = c.finish();
        assert_eq!(traces[0].spans.len(), 1);
    }
}
