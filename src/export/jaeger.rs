//! The model as Jaeger JSON: `{"data":[trace…]}`, each trace
//! `{traceID, spans, processes, warnings}` in the shape of Jaeger's
//! `ui.Trace` (ANCHORS §3.1), times in microseconds.

use super::{parent_reference, parent_span_id, split_scope};
use crate::model::{AttrValue, Attribute, RefType, SpanKind, StatusCode, Trace};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
struct Document<'a> {
    data: Vec<JTrace<'a>>,
}

#[derive(Serialize)]
struct JTrace<'a> {
    #[serde(rename = "traceID")]
    trace_id: &'a str,
    spans: Vec<JSpan<'a>>,
    processes: BTreeMap<String, JProcess<'a>>,
    warnings: Option<Vec<&'a str>>,
}

#[derive(Serialize)]
struct JProcess<'a> {
    #[serde(rename = "serviceName")]
    service_name: &'a str,
    tags: Vec<Tag<'a>>,
}

#[derive(Serialize)]
struct JSpan<'a> {
    #[serde(rename = "traceID")]
    trace_id: &'a str,
    #[serde(rename = "spanID")]
    span_id: &'a str,
    #[serde(rename = "operationName")]
    operation_name: &'a str,
    references: Vec<JRef<'a>>,
    #[serde(rename = "startTime")]
    start_time: i64,
    duration: i64,
    tags: Vec<Tag<'a>>,
    logs: Vec<JLog<'a>>,
    #[serde(rename = "processID")]
    process_id: String,
    warnings: Option<Vec<&'a str>>,
}

#[derive(Serialize)]
struct JRef<'a> {
    #[serde(rename = "refType")]
    ref_type: &'static str,
    #[serde(rename = "traceID")]
    trace_id: &'a str,
    #[serde(rename = "spanID")]
    span_id: &'a str,
}

#[derive(Serialize)]
struct JLog<'a> {
    timestamp: i64,
    fields: Vec<Tag<'a>>,
}

#[derive(Serialize)]
struct Tag<'a> {
    key: &'a str,
    #[serde(rename = "type")]
    ty: &'static str,
    value: TagValue<'a>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum TagValue<'a> {
    Str(&'a str),
    Owned(String),
    Bool(bool),
    Int(i64),
    Double(f64),
}

/// Nanoseconds to Jaeger's microseconds, truncated as Jaeger's translator does.
fn us(ns: i64) -> i64 {
    ns.div_euclid(1_000)
}

/// An attribute as a Jaeger tag. Jaeger has no array or map type: those are
/// written as their JSON text, as OpenTelemetry's mapping asks.
fn tag<'a>(key: &'a str, v: &'a AttrValue) -> Tag<'a> {
    let (ty, value) = match v {
        AttrValue::Str(s) => ("string", TagValue::Str(s)),
        AttrValue::Bool(b) => ("bool", TagValue::Bool(*b)),
        AttrValue::Int(n) => ("int64", TagValue::Int(*n)),
        AttrValue::Double(d) if d.is_finite() => ("float64", TagValue::Double(*d)),
        AttrValue::Double(d) => ("float64", TagValue::Owned(non_finite(*d).to_string())),
        AttrValue::Bytes(b) => {
            use base64::Engine;
            (
                "binary",
                TagValue::Owned(base64::engine::general_purpose::STANDARD.encode(b)),
            )
        }
        AttrValue::Array(_) | AttrValue::KvList(_) => {
            ("string", TagValue::Owned(as_json(v).to_string()))
        }
        AttrValue::Empty => ("string", TagValue::Str("")),
    };
    Tag { key, ty, value }
}

/// Protobuf JSON's spelling of NaN and the infinities.
pub(super) fn non_finite(d: f64) -> &'static str {
    if d.is_nan() {
        "NaN"
    } else if d > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}

/// A value as plain JSON (for arrays and maps written as text).
fn as_json(v: &AttrValue) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        AttrValue::Str(s) => J::String(s.clone()),
        AttrValue::Bool(b) => J::Bool(*b),
        AttrValue::Int(n) => J::from(*n),
        AttrValue::Double(d) => serde_json::Number::from_f64(*d)
            .map(J::Number)
            .unwrap_or_else(|| J::String(non_finite(*d).to_string())),
        AttrValue::Bytes(b) => {
            use base64::Engine;
            J::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        AttrValue::Array(items) => J::Array(items.iter().map(as_json).collect()),
        AttrValue::KvList(items) => {
            J::Object(items.iter().map(|(k, v)| (k.clone(), as_json(v))).collect())
        }
        AttrValue::Empty => J::Null,
    }
}

fn tags<'a>(trace: &'a Trace, attrs: &'a [Attribute]) -> Vec<Tag<'a>> {
    attrs
        .iter()
        .map(|a| tag(trace.attr_key(a), &a.value))
        .collect()
}

/// The warnings Jaeger itself gave (the importer prefixes them); Traceglass's
/// own repair notes are not Jaeger's and are left out.
fn jaeger_warnings(warnings: &[String]) -> Option<Vec<&str>> {
    let w: Vec<&str> = warnings
        .iter()
        .filter_map(|w| w.strip_prefix("Jaeger: "))
        .collect();
    (!w.is_empty()).then_some(w)
}

fn write_trace(t: &Trace) -> JTrace<'_> {
    let processes = t
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let tags = s
                .resource
                .iter()
                .filter(|a| t.attr_key(a) != "service.name")
                .map(|a| tag(t.attr_key(a), &a.value))
                .collect();
            (
                format!("p{}", i + 1),
                JProcess {
                    service_name: t.str(s.name),
                    tags,
                },
            )
        })
        .collect();
    let spans = t
        .spans
        .iter()
        .map(|s| {
            let has = |key: &str| s.attributes.iter().any(|a| t.attr_key(a) == key);
            let mut references: Vec<JRef> = s
                .references
                .iter()
                .map(|r| JRef {
                    ref_type: r.ref_type.as_str(),
                    trace_id: if r.trace_id.is_empty() {
                        &t.trace_id
                    } else {
                        &r.trace_id
                    },
                    span_id: &r.span_id,
                })
                .collect();
            // The model keeps no CHILD_OF reference to the parent it
            // resolved (the tree says it): it is written first, as Jaeger
            // does.
            if parent_reference(t, s).is_none() {
                if let Some(p) = parent_span_id(t, s) {
                    references.insert(
                        0,
                        JRef {
                            ref_type: s.parent_ref.as_str(),
                            trace_id: &t.trace_id,
                            span_id: p,
                        },
                    );
                }
            }
            references.extend(s.links.iter().map(|l| JRef {
                ref_type: RefType::FollowsFrom.as_str(),
                trace_id: &l.trace_id,
                span_id: &l.span_id,
            }));
            let mut span_tags = tags(t, &s.attributes);
            // Jaeger's own translator writes "internal" too, so that the kind survives.
            if s.kind != SpanKind::Unspecified && !has("span.kind") {
                span_tags.push(Tag {
                    key: "span.kind",
                    ty: "string",
                    value: TagValue::Str(s.kind.as_str()),
                });
            }
            if s.status.code == StatusCode::Error && !has("error") {
                span_tags.push(Tag {
                    key: "error",
                    ty: "bool",
                    value: TagValue::Bool(true),
                });
            }
            let code = match s.status.code {
                StatusCode::Unset => None,
                StatusCode::Ok => Some("OK"),
                StatusCode::Error => Some("ERROR"),
            };
            if let Some(code) = code.filter(|_| !has("otel.status_code")) {
                span_tags.push(Tag {
                    key: "otel.status_code",
                    ty: "string",
                    value: TagValue::Str(code),
                });
            }
            if !s.status.message.is_empty() && !has("otel.status_description") {
                span_tags.push(Tag {
                    key: "otel.status_description",
                    ty: "string",
                    value: TagValue::Str(&s.status.message),
                });
            }
            if let Some(scope) = s.scope.map(|sym| t.str(sym)) {
                let (name, version) = split_scope(scope);
                if !has("otel.scope.name") {
                    span_tags.push(Tag {
                        key: "otel.scope.name",
                        ty: "string",
                        value: TagValue::Str(name),
                    });
                }
                if let Some(v) = version.filter(|_| !has("otel.scope.version")) {
                    span_tags.push(Tag {
                        key: "otel.scope.version",
                        ty: "string",
                        value: TagValue::Str(v),
                    });
                }
            }
            let logs = s
                .events
                .iter()
                .map(|e| {
                    let mut fields = Vec::with_capacity(e.attributes.len() + 1);
                    if !e.name.is_empty() && !e.attributes.iter().any(|a| t.attr_key(a) == "event")
                    {
                        fields.push(Tag {
                            key: "event",
                            ty: "string",
                            value: TagValue::Str(&e.name),
                        });
                    }
                    fields.extend(tags(t, &e.attributes));
                    JLog {
                        timestamp: us(e.time_ns),
                        fields,
                    }
                })
                .collect();
            JSpan {
                trace_id: &t.trace_id,
                span_id: &s.span_id,
                operation_name: t.span_name(s),
                references,
                start_time: us(s.start_ns),
                duration: us(s.duration_ns),
                tags: span_tags,
                logs,
                process_id: format!("p{}", s.service + 1),
                warnings: jaeger_warnings(&s.warnings),
            }
        })
        .collect();
    JTrace {
        trace_id: &t.trace_id,
        spans,
        processes,
        warnings: None,
    }
}

/// Traces as one Jaeger JSON document, `{"data":[trace…]}`.
pub fn to_jaeger_json(traces: &[&Trace]) -> String {
    let doc = Document {
        data: traces.iter().map(|t| write_trace(t)).collect(),
    };
    // Serialising these plain structs cannot fail (string keys, no custom code).
    serde_json::to_string(&doc).unwrap_or_default()
}
