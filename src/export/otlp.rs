//! The model as OTLP/JSON: `{"resourceSpans":[…]}`, one resource per service
//! and one scope per instrumentation scope, as the OTLP/JSON encoding writes
//! it (hex ids, int64 and times as decimal strings, enums as integers).

use super::jaeger::non_finite;
use super::{parent_reference, parent_span_id, split_scope};
use crate::model::{AttrValue, Attribute, RefType, Span, SpanKind, StatusCode, Sym, Trace};
use serde::Serialize;

#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "resourceSpans")]
    resource_spans: Vec<ResourceSpans<'a>>,
}

#[derive(Serialize)]
struct ResourceSpans<'a> {
    resource: Resource<'a>,
    #[serde(rename = "scopeSpans")]
    scope_spans: Vec<ScopeSpans<'a>>,
}

#[derive(Serialize)]
struct Resource<'a> {
    attributes: Vec<KeyValue<'a>>,
}

#[derive(Serialize)]
struct ScopeSpans<'a> {
    scope: Scope<'a>,
    spans: Vec<OSpan<'a>>,
}

#[derive(Serialize, Default)]
struct Scope<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
}

#[derive(Serialize)]
struct OSpan<'a> {
    #[serde(rename = "traceId")]
    trace_id: String,
    #[serde(rename = "spanId")]
    span_id: &'a str,
    #[serde(rename = "parentSpanId", skip_serializing_if = "Option::is_none")]
    parent_span_id: Option<&'a str>,
    name: &'a str,
    kind: u8,
    #[serde(rename = "startTimeUnixNano")]
    start: String,
    #[serde(rename = "endTimeUnixNano")]
    end: String,
    attributes: Vec<KeyValue<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    events: Vec<OEvent<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    links: Vec<OLink<'a>>,
    status: OStatus<'a>,
}

#[derive(Serialize)]
struct OEvent<'a> {
    #[serde(rename = "timeUnixNano")]
    time: String,
    name: &'a str,
    attributes: Vec<KeyValue<'a>>,
}

#[derive(Serialize)]
struct OLink<'a> {
    #[serde(rename = "traceId")]
    trace_id: String,
    #[serde(rename = "spanId")]
    span_id: &'a str,
    attributes: Vec<KeyValue<'a>>,
}

#[derive(Serialize)]
struct OStatus<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<u8>,
    #[serde(skip_serializing_if = "str::is_empty")]
    message: &'a str,
}

#[derive(Serialize)]
struct KeyValue<'a> {
    key: &'a str,
    value: AnyValue<'a>,
}

#[derive(Serialize, Default)]
struct AnyValue<'a> {
    #[serde(rename = "stringValue", skip_serializing_if = "Option::is_none")]
    string_value: Option<&'a str>,
    #[serde(rename = "boolValue", skip_serializing_if = "Option::is_none")]
    bool_value: Option<bool>,
    #[serde(rename = "intValue", skip_serializing_if = "Option::is_none")]
    int_value: Option<String>,
    #[serde(rename = "doubleValue", skip_serializing_if = "Option::is_none")]
    double_value: Option<Double>,
    #[serde(rename = "bytesValue", skip_serializing_if = "Option::is_none")]
    bytes_value: Option<String>,
    #[serde(rename = "arrayValue", skip_serializing_if = "Option::is_none")]
    array_value: Option<Values<AnyValue<'a>>>,
    #[serde(rename = "kvlistValue", skip_serializing_if = "Option::is_none")]
    kvlist_value: Option<Values<KeyValue<'a>>>,
}

#[derive(Serialize)]
struct Values<T> {
    values: Vec<T>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Double {
    Number(f64),
    Text(&'static str),
}

fn any(v: &AttrValue) -> AnyValue<'_> {
    match v {
        AttrValue::Str(s) => AnyValue {
            string_value: Some(s),
            ..AnyValue::default()
        },
        AttrValue::Bool(b) => AnyValue {
            bool_value: Some(*b),
            ..AnyValue::default()
        },
        AttrValue::Int(n) => AnyValue {
            int_value: Some(n.to_string()),
            ..AnyValue::default()
        },
        AttrValue::Double(d) => AnyValue {
            double_value: Some(if d.is_finite() {
                Double::Number(*d)
            } else {
                Double::Text(non_finite(*d))
            }),
            ..AnyValue::default()
        },
        AttrValue::Bytes(b) => {
            use base64::Engine;
            AnyValue {
                bytes_value: Some(base64::engine::general_purpose::STANDARD.encode(b)),
                ..AnyValue::default()
            }
        }
        AttrValue::Array(items) => AnyValue {
            array_value: Some(Values {
                values: items.iter().map(any).collect(),
            }),
            ..AnyValue::default()
        },
        AttrValue::KvList(items) => AnyValue {
            kvlist_value: Some(Values {
                values: items
                    .iter()
                    .map(|(k, v)| KeyValue {
                        key: k,
                        value: any(v),
                    })
                    .collect(),
            }),
            ..AnyValue::default()
        },
        AttrValue::Empty => AnyValue::default(),
    }
}

fn key_values<'a>(trace: &'a Trace, attrs: &'a [Attribute]) -> Vec<KeyValue<'a>> {
    attrs
        .iter()
        .map(|a| KeyValue {
            key: trace.attr_key(a),
            value: any(&a.value),
        })
        .collect()
}

/// OTLP trace ids are 16 bytes: a 64-bit hex id is widened with zeros, as
/// Jaeger does. Other ids (not hex) are written as they are.
fn otlp_trace_id(id: &str) -> String {
    if id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("{id:0>32}")
    } else {
        id.to_string()
    }
}

fn kind(k: SpanKind) -> u8 {
    match k {
        SpanKind::Unspecified => 0,
        SpanKind::Internal => 1,
        SpanKind::Server => 2,
        SpanKind::Client => 3,
        SpanKind::Producer => 4,
        SpanKind::Consumer => 5,
    }
}

fn write_trace<'a>(t: &'a Trace, out: &mut Vec<ResourceSpans<'a>>) {
    let trace_id = otlp_trace_id(&t.trace_id);
    let mut by_service: Vec<Vec<&Span>> = vec![Vec::new(); t.services.len()];
    for s in &t.spans {
        if let Some(b) = by_service.get_mut(s.service as usize) {
            b.push(s);
        }
    }
    for (service, spans) in t.services.iter().zip(by_service) {
        // Scopes in the order their first span appears.
        let mut scopes: Vec<(Option<Sym>, Vec<OSpan<'a>>)> = Vec::new();
        for s in spans {
            let parent = parent_reference(t, s);
            let mut links: Vec<OLink> = s
                .references
                .iter()
                .filter(|r| parent.is_none_or(|p| !std::ptr::eq(*r, p)))
                .map(|r| OLink {
                    trace_id: otlp_trace_id(if r.trace_id.is_empty() {
                        &t.trace_id
                    } else {
                        &r.trace_id
                    }),
                    span_id: &r.span_id,
                    attributes: vec![KeyValue {
                        key: "opentracing.ref_type",
                        value: AnyValue {
                            string_value: Some(match r.ref_type {
                                RefType::ChildOf => "child_of",
                                RefType::FollowsFrom => "follows_from",
                            }),
                            ..AnyValue::default()
                        },
                    }],
                })
                .collect();
            links.extend(s.links.iter().map(|l| OLink {
                trace_id: otlp_trace_id(&l.trace_id),
                span_id: &l.span_id,
                attributes: key_values(t, &l.attributes),
            }));
            let span = OSpan {
                trace_id: trace_id.clone(),
                span_id: &s.span_id,
                parent_span_id: parent_span_id(t, s),
                name: t.span_name(s),
                kind: kind(s.kind),
                start: s.start_ns.to_string(),
                end: s.end_ns().to_string(),
                attributes: key_values(t, &s.attributes),
                events: s
                    .events
                    .iter()
                    .map(|e| OEvent {
                        time: e.time_ns.to_string(),
                        name: &e.name,
                        attributes: key_values(t, &e.attributes),
                    })
                    .collect(),
                links,
                status: OStatus {
                    code: match s.status.code {
                        StatusCode::Unset => None,
                        StatusCode::Ok => Some(1),
                        StatusCode::Error => Some(2),
                    },
                    message: &s.status.message,
                },
            };
            match scopes.iter_mut().find(|(sc, _)| *sc == s.scope) {
                Some((_, spans)) => spans.push(span),
                None => scopes.push((s.scope, vec![span])),
            }
        }
        if scopes.is_empty() {
            continue;
        }
        let mut attributes = Vec::with_capacity(service.resource.len() + 1);
        if !service
            .resource
            .iter()
            .any(|a| t.attr_key(a) == "service.name")
        {
            attributes.push(KeyValue {
                key: "service.name",
                value: AnyValue {
                    string_value: Some(t.str(service.name)),
                    ..AnyValue::default()
                },
            });
        }
        attributes.extend(key_values(t, &service.resource));
        out.push(ResourceSpans {
            resource: Resource { attributes },
            scope_spans: scopes
                .into_iter()
                .map(|(sc, spans)| {
                    let scope = match sc.map(|sym| split_scope(t.str(sym))) {
                        Some((name, version)) => Scope {
                            name: Some(name),
                            version,
                        },
                        None => Scope::default(),
                    };
                    ScopeSpans { scope, spans }
                })
                .collect(),
        });
    }
}

/// Traces as one OTLP/JSON document, `{"resourceSpans":[…]}`.
pub fn to_otlp_json(traces: &[&Trace]) -> String {
    let mut resource_spans = Vec::new();
    for t in traces {
        write_trace(t, &mut resource_spans);
    }
    // Serialising these plain structs cannot fail (string keys, no custom code).
    serde_json::to_string(&Document { resource_spans }).unwrap_or_default()
}
