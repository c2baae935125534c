//! OTLP/JSON (`ExportTraceServiceRequest`): `{resourceSpans}`, Tempo's
//! `{batches}`, Jaeger v2's `/api/v3` `{"result": …}`, the deprecated
//! `instrumentationLibrarySpans`, and the snake_case names of gogo-proto JSON.
//! Ids in hex of any case or base64; int64 fields as strings or numbers;
//! enums as integers or names.

use super::json::{span_label_str, Float, Int, Text};
use super::Collector;
use crate::model::ids::otlp_id_to_hex;
use crate::model::{
    AttrValue, Attribute, Event, Link, SpanInput, SpanKind, Status, StatusCode, TraceBuilder,
};
use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Deserialize)]
pub struct Request<'a> {
    #[serde(
        rename = "resourceSpans",
        alias = "resource_spans",
        alias = "batches",
        borrow,
        default
    )]
    resource_spans: Vec<ResourceSpans<'a>>,
}

#[derive(Deserialize)]
struct ResourceSpans<'a> {
    #[serde(default)]
    resource: Option<Resource>,
    #[serde(rename = "scopeSpans", alias = "scope_spans", borrow, default)]
    scope_spans: Vec<ScopeSpans<'a>>,
    #[serde(
        rename = "instrumentationLibrarySpans",
        alias = "instrumentation_library_spans",
        borrow,
        default
    )]
    library_spans: Vec<ScopeSpans<'a>>,
}

#[derive(Deserialize, Default)]
struct Resource {
    #[serde(default)]
    attributes: Vec<KeyValue>,
}

#[derive(Deserialize)]
struct ScopeSpans<'a> {
    #[serde(default)]
    scope: Option<Scope>,
    #[serde(
        rename = "instrumentationLibrary",
        alias = "instrumentation_library",
        default
    )]
    library: Option<Scope>,
    #[serde(borrow, default)]
    spans: Vec<&'a RawValue>,
}

#[derive(Deserialize, Default)]
struct Scope {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

#[derive(Deserialize)]
struct KeyValue {
    key: String,
    #[serde(default)]
    value: Option<AnyValue>,
}

#[derive(Deserialize, Default)]
struct AnyValue {
    #[serde(rename = "stringValue", alias = "string_value", default)]
    string_value: Option<String>,
    #[serde(rename = "boolValue", alias = "bool_value", default)]
    bool_value: Option<bool>,
    #[serde(rename = "intValue", alias = "int_value", default)]
    int_value: Option<Int>,
    #[serde(rename = "doubleValue", alias = "double_value", default)]
    double_value: Option<Float>,
    #[serde(rename = "bytesValue", alias = "bytes_value", default)]
    bytes_value: Option<String>,
    #[serde(rename = "arrayValue", alias = "array_value", default)]
    array_value: Option<ArrayValue>,
    #[serde(rename = "kvlistValue", alias = "kvlist_value", default)]
    kvlist_value: Option<KvList>,
}

#[derive(Deserialize, Default)]
struct ArrayValue {
    #[serde(default)]
    values: Vec<AnyValue>,
}

#[derive(Deserialize, Default)]
struct KvList {
    #[serde(default)]
    values: Vec<KeyValue>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Enum {
    Num(i64),
    Name(String),
}

#[derive(Deserialize)]
struct OSpan {
    #[serde(rename = "traceId", alias = "trace_id", default)]
    trace_id: Option<Text>,
    #[serde(rename = "spanId", alias = "span_id")]
    span_id: Text,
    #[serde(rename = "parentSpanId", alias = "parent_span_id", default)]
    parent_span_id: Option<Text>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    kind: Option<Enum>,
    #[serde(rename = "startTimeUnixNano", alias = "start_time_unix_nano", default)]
    start: Option<Int>,
    #[serde(rename = "endTimeUnixNano", alias = "end_time_unix_nano", default)]
    end: Option<Int>,
    #[serde(default)]
    attributes: Vec<KeyValue>,
    #[serde(default)]
    events: Vec<OEvent>,
    #[serde(default)]
    links: Vec<OLink>,
    #[serde(default)]
    status: Option<OStatus>,
}

#[derive(Deserialize)]
struct OEvent {
    #[serde(rename = "timeUnixNano", alias = "time_unix_nano", default)]
    time: Option<Int>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    attributes: Vec<KeyValue>,
}

#[derive(Deserialize)]
struct OLink {
    #[serde(rename = "traceId", alias = "trace_id", default)]
    trace_id: Option<Text>,
    #[serde(rename = "spanId", alias = "span_id", default)]
    span_id: Option<Text>,
    #[serde(default)]
    attributes: Vec<KeyValue>,
}

#[derive(Deserialize)]
struct OStatus {
    #[serde(default)]
    code: Option<Enum>,
    #[serde(default)]
    message: Option<String>,
}

fn any_to_attr(v: AnyValue) -> AttrValue {
    if let Some(s) = v.string_value {
        AttrValue::Str(s)
    } else if let Some(b) = v.bool_value {
        AttrValue::Bool(b)
    } else if let Some(Int(n)) = v.int_value {
        AttrValue::Int(n)
    } else if let Some(Float(f)) = v.double_value {
        AttrValue::Double(f)
    } else if let Some(b) = v.bytes_value {
        use base64::Engine;
        match base64::engine::general_purpose::STANDARD.decode(b.as_bytes()) {
            Ok(bytes) => AttrValue::Bytes(bytes),
            Err(_) => AttrValue::Str(b),
        }
    } else if let Some(a) = v.array_value {
        AttrValue::Array(a.values.into_iter().map(any_to_attr).collect())
    } else if let Some(kv) = v.kvlist_value {
        AttrValue::KvList(
            kv.values
                .into_iter()
                .map(|kv| (kv.key, kv.value.map_or(AttrValue::Empty, any_to_attr)))
                .collect(),
        )
    } else {
        AttrValue::Empty
    }
}

/// The attributes, in a list of exactly their number (see `jaeger::tags_to_attrs`).
fn attrs(kvs: Vec<KeyValue>, b: &mut TraceBuilder) -> Vec<Attribute> {
    let mut out = Vec::with_capacity(kvs.len());
    out.extend(kvs.into_iter().map(|kv| {
        let v = kv.value.map_or(AttrValue::Empty, any_to_attr);
        b.attribute(&kv.key, v)
    }));
    out
}

/// Reads one request object (`{resourceSpans}` or `{batches}`).
pub fn read_request(raw: &RawValue, out: &mut Collector) -> Result<(), String> {
    let req: Request =
        serde_json::from_str(raw.get()).map_err(|e| format!("not OTLP/JSON: {e}"))?;
    read_parsed_request(req, out);
    Ok(())
}

fn read_parsed_request(req: Request, out: &mut Collector) {
    for rs in req.resource_spans {
        let mut resource = ResourceCtx::new(rs.resource.unwrap_or_default());
        for ss in rs.scope_spans.into_iter().chain(rs.library_spans) {
            let scope = scope_name(ss.scope.or(ss.library).unwrap_or_default());
            for (i, raw_span) in ss.spans.iter().enumerate() {
                read_span_record(raw_span.get(), i + 1, &mut resource, scope.as_deref(), out);
            }
        }
    }
}

/// A resource, read once and applied to every span under it.
pub(super) struct ResourceCtx {
    service_name: Option<String>,
    attributes: Vec<(String, AttrValue)>,
    /// The service it became in each trace it appears in.
    service_in: rustc_hash::FxHashMap<String, u32>,
}

impl ResourceCtx {
    fn new(resource: Resource) -> ResourceCtx {
        let service_name = resource
            .attributes
            .iter()
            .find(|kv| kv.key == "service.name")
            .and_then(|kv| kv.value.as_ref())
            .and_then(|v| v.string_value.clone())
            .filter(|s| !s.is_empty());
        let attributes = resource
            .attributes
            .into_iter()
            .map(|kv| (kv.key, kv.value.map_or(AttrValue::Empty, any_to_attr)))
            .collect();
        ResourceCtx {
            service_name,
            attributes,
            service_in: Default::default(),
        }
    }

    /// Reads the raw `resource` value of a `resourceSpans` item; `None`
    /// when it has none. A malformed resource counts as none, with a warning.
    pub(super) fn parse(raw: Option<&str>, out: &mut Collector) -> ResourceCtx {
        let resource = match raw.map(serde_json::from_str::<Option<Resource>>) {
            Some(Ok(r)) => r.unwrap_or_default(),
            Some(Err(e)) => {
                out.warn(format!("a resource is malformed and was left out: {e}"));
                Resource::default()
            }
            None => Resource::default(),
        };
        ResourceCtx::new(resource)
    }

    fn service(&mut self, b: &mut TraceBuilder) -> u32 {
        if let Some(&ix) = self.service_in.get(b.trace_id()) {
            return ix;
        }
        let resource: Vec<Attribute> = self
            .attributes
            .iter()
            .map(|(k, v)| b.attribute(k, v.clone()))
            .collect();
        let ix = match &self.service_name {
            Some(n) => b.service(n, resource),
            None => {
                let ix = b.service("unknown", resource);
                b.warn_once(
                    "a resource has no service.name; its spans are shown under \"unknown\"",
                );
                ix
            }
        };
        self.service_in.insert(b.trace_id().to_string(), ix);
        ix
    }
}

fn scope_name(scope: Scope) -> Option<String> {
    scope
        .name
        .filter(|n| !n.is_empty())
        .map(|n| match scope.version {
            Some(v) if !v.is_empty() => format!("{n} {v}"),
            _ => n,
        })
}

/// The name (and version) of a raw `scope` or `instrumentationLibrary` value.
pub(super) fn parse_scope(raw: &str) -> Option<String> {
    serde_json::from_str::<Option<Scope>>(raw)
        .ok()
        .flatten()
        .and_then(scope_name)
}

/// Reads one span (`number` counts from 1 in its scope, for messages).
pub(super) fn read_span_record(
    raw: &str,
    number: usize,
    resource: &mut ResourceCtx,
    scope: Option<&str>,
    out: &mut Collector,
) {
    let span: OSpan = match serde_json::from_str(raw) {
        Ok(s) => s,
        Err(e) => {
            out.warn(format!(
                "skipped {} (number {number} of its scope): {e}",
                span_label_str(raw, &["spanId", "span_id"]),
            ));
            return;
        }
    };
    let trace_id = span
        .trace_id
        .as_ref()
        .map(|t| otlp_id_to_hex(&t.0, 16))
        .unwrap_or_default();
    let b = out.builder(&trace_id);
    let service = resource.service(b);
    let scope_sym = scope.map(|n| b.intern(n));
    let input = convert_span(span, service, scope_sym, b);
    b.push(input);
}

fn convert_span(
    s: OSpan,
    service: u32,
    scope: Option<crate::model::Sym>,
    b: &mut TraceBuilder,
) -> SpanInput {
    let mut warnings = Vec::new();
    let kind = match s.kind {
        Some(Enum::Num(n)) => SpanKind::from_otlp(n),
        Some(Enum::Name(n)) => SpanKind::parse(&n),
        None => SpanKind::Unspecified,
    };
    let status = match s.status {
        Some(st) => Status {
            code: match st.code {
                Some(Enum::Num(2)) => StatusCode::Error,
                Some(Enum::Num(1)) => StatusCode::Ok,
                Some(Enum::Name(n)) if n.ends_with("ERROR") => StatusCode::Error,
                Some(Enum::Name(n)) if n.ends_with("OK") => StatusCode::Ok,
                _ => StatusCode::Unset,
            },
            message: st.message.unwrap_or_default(),
        },
        None => Status::default(),
    };
    let start = s.start.map(|t| t.0).filter(|&t| t != 0);
    let end = s.end.map(|t| t.0).filter(|&t| t != 0);
    let duration = match (start, end) {
        (Some(a), Some(z)) => Some(z.saturating_sub(a)),
        _ => None,
    };
    if start.is_some() && end.is_none() {
        warnings.push("span has no end time".to_string());
    }
    let attributes = attrs(s.attributes, b);
    let events = s
        .events
        .into_iter()
        .map(|e| Event {
            time_ns: e.time.map_or(0, |t| t.0),
            name: e.name.unwrap_or_default(),
            attributes: attrs(e.attributes, b),
        })
        .collect();
    let links = s
        .links
        .into_iter()
        .map(|l| Link {
            trace_id: l
                .trace_id
                .map(|t| otlp_id_to_hex(&t.0, 16))
                .unwrap_or_default(),
            span_id: l
                .span_id
                .map(|t| otlp_id_to_hex(&t.0, 8))
                .unwrap_or_default(),
            attributes: attrs(l.attributes, b),
        })
        .collect();
    SpanInput {
        span_id: otlp_id_to_hex(&s.span_id.0, 8),
        parent_span_id: s
            .parent_span_id
            .map(|p| p.0)
            .filter(|p| !p.is_empty())
            .map(|p| otlp_id_to_hex(&p, 8)),
        references: Vec::new(),
        service,
        name: b.intern(s.name.as_deref().unwrap_or_default()),
        kind,
        start_ns: start,
        duration_ns: duration,
        status,
        attributes,
        events,
        links,
        warnings,
        scope,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(doc: &str) -> Vec<crate::model::Trace> {
        let raw: Box<RawValue> = serde_json::from_str(doc).unwrap();
        let mut c = Collector::default();
        read_request(&raw, &mut c).unwrap();
        c.finish()
    }

    #[test]
    fn reads_values_of_every_type() {
        let t = load(
            r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
            "scopeSpans":[{"scope":{"name":"lib"},"spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174",
            "name":"op","kind":"SPAN_KIND_SERVER","startTimeUnixNano":"1000","endTimeUnixNano":3000,
            "attributes":[{"key":"i","value":{"intValue":"9007199254740993"}},{"key":"d","value":{"doubleValue":1.5}},
              {"key":"b","value":{"boolValue":true}},{"key":"a","value":{"arrayValue":{"values":[{"stringValue":"x"}]}}},
              {"key":"k","value":{"kvlistValue":{"values":[{"key":"z","value":{"intValue":1}}]}}},
              {"key":"y","value":{"bytesValue":"AQI="}}],
            "status":{"code":"STATUS_CODE_ERROR","message":"boom"}}]}]}]}"#,
        );
        let s = &t[0].spans[0];
        assert_eq!(t[0].trace_id, "5b8efff798038103d269b633813fc60c");
        assert_eq!(&*s.span_id, "eee19b7ec3c1b174");
        assert_eq!(s.kind, SpanKind::Server);
        assert_eq!(s.duration_ns, 2000);
        assert!(s.is_error());
        assert_eq!(t[0].attr(s, "i"), Some(&AttrValue::Int(9007199254740993)));
        assert_eq!(t[0].attr(s, "y"), Some(&AttrValue::Bytes(vec![1, 2])));
        assert_eq!(t[0].service_name(s), "api");
    }

    #[test]
    fn deprecated_instrumentation_library_spans() {
        let t = load(
            r#"{"resourceSpans":[{"instrumentationLibrarySpans":[{"instrumentationLibrary":{"name":"old"},
            "spans":[{"traceId":"AAAAAAAAAAAAAAAAAAAAAQ==","spanId":"AAAAAAAAAAE=","name":"x","kind":2,
            "startTimeUnixNano":5,"endTimeUnixNano":9}]}]}]}"#,
        );
        assert_eq!(t[0].trace_id, "00000000000000000000000000000001");
        assert_eq!(&*t[0].spans[0].span_id, "0000000000000001");
        assert_eq!(t[0].str(t[0].spans[0].scope.unwrap()), "old");
    }
}
