//! Zipkin v2 JSON: a span array (or Zipkin's `/api/v2/traces` list of span
//! arrays). Times are microseconds.
//!
//! A client and a server that share one span id (Zipkin's "shared" spans) are
//! kept as two spans: the server half becomes a child of the client half,
//! with the id `<id>:server`, as Zipkin's own span tree does. Halves of one
//! span reported separately (same id, same side) are merged.

use super::json::{span_label, us_beyond_ns, us_to_ns, Int, Text};
use super::Collector;
use crate::model::{
    normalize_span_id, normalize_trace_id, AttrValue, Event, SpanInput, SpanKind, Status,
    StatusCode,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashMap};

#[derive(Deserialize, Clone)]
struct ZSpan {
    #[serde(rename = "traceId")]
    trace_id: Text,
    id: Text,
    #[serde(rename = "parentId", default)]
    parent_id: Option<Text>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    timestamp: Option<Int>,
    #[serde(default)]
    duration: Option<Int>,
    #[serde(rename = "localEndpoint", default)]
    local: Option<Endpoint>,
    #[serde(rename = "remoteEndpoint", default)]
    remote: Option<Endpoint>,
    #[serde(default)]
    annotations: Vec<Annotation>,
    #[serde(default)]
    tags: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    shared: Option<bool>,
}

#[derive(Deserialize, Clone, Default)]
struct Endpoint {
    #[serde(rename = "serviceName", default)]
    service_name: Option<String>,
    #[serde(default)]
    ipv4: Option<String>,
    #[serde(default)]
    ipv6: Option<String>,
    #[serde(default)]
    port: Option<Int>,
}

#[derive(Deserialize, Clone)]
struct Annotation {
    #[serde(default)]
    timestamp: Option<Int>,
    #[serde(default)]
    value: Option<String>,
}

/// True when the object keys look like a Zipkin v2 span.
pub fn looks_like_span(keys: &[String]) -> bool {
    keys.iter().any(|k| k == "traceId")
        && keys.iter().any(|k| k == "id")
        && !keys.iter().any(|k| k == "spanId")
}

fn is_server_half(s: &ZSpan) -> bool {
    s.shared == Some(true) || s.kind.as_deref() == Some("SERVER")
}

/// Reads a span array.
pub fn read_spans(items: &[&RawValue], out: &mut Collector) {
    let mut spans: Vec<ZSpan> = Vec::with_capacity(items.len());
    for (i, raw) in items.iter().enumerate() {
        match serde_json::from_str::<ZSpan>(raw.get()) {
            Ok(s) => spans.push(s),
            Err(e) => out.warn(format!(
                "skipped {} (number {} in the array): {e}",
                span_label(raw, &["id"]),
                i + 1
            )),
        }
    }
    // Which ids have a client half, per trace.
    let mut has_client: HashMap<(String, String), bool> = HashMap::new();
    for s in &spans {
        if !is_server_half(s) {
            let key = (
                normalize_trace_id(&s.trace_id.0),
                normalize_span_id(&s.id.0),
            );
            has_client.insert(key, true);
        }
    }
    // Merge halves of the same side, keeping the first one's order.
    let mut merged: Vec<ZSpan> = Vec::with_capacity(spans.len());
    let mut index: HashMap<(String, String, bool), usize> = HashMap::new();
    for s in spans {
        let key = (
            normalize_trace_id(&s.trace_id.0),
            normalize_span_id(&s.id.0),
            is_server_half(&s),
        );
        match index.get(&key) {
            Some(&i) => {
                if let Some(m) = merged.get_mut(i) {
                    merge(m, s);
                }
            }
            None => {
                index.insert(key, merged.len());
                merged.push(s);
            }
        }
    }
    for s in merged {
        let trace_id = normalize_trace_id(&s.trace_id.0);
        let id = normalize_span_id(&s.id.0);
        let server = is_server_half(&s);
        let split = server && has_client.contains_key(&(trace_id.clone(), id.clone()));
        let (span_id, parent) = if split {
            (format!("{id}:server"), Some(id.clone()))
        } else {
            (
                id.clone(),
                s.parent_id
                    .as_ref()
                    .map(|p| normalize_span_id(&p.0))
                    .filter(|p| !p.is_empty()),
            )
        };
        let b = out.builder(&trace_id);
        let mut warnings = Vec::new();
        let service_name = s
            .local
            .as_ref()
            .and_then(|l| l.service_name.clone())
            .filter(|n| !n.is_empty());
        if service_name.is_none() {
            warnings.push("span has no localEndpoint.serviceName".to_string());
        }
        let service = b.service(service_name.as_deref().unwrap_or("unknown"), Vec::new());
        let mut attributes = Vec::new();
        for (k, v) in &s.tags {
            let value = match v {
                serde_json::Value::String(s) => AttrValue::Str(s.clone()),
                other => super::jaeger::json_to_attr(other.clone()),
            };
            attributes.push(b.attribute(k, value));
        }
        if let Some(l) = &s.local {
            endpoint_attrs(l, "local", &mut attributes, b);
        }
        if let Some(r) = &s.remote {
            endpoint_attrs(r, "remote", &mut attributes, b);
        }
        let status = match s.tags.get("error") {
            Some(v) => Status {
                code: StatusCode::Error,
                message: v.as_str().unwrap_or("").to_string(),
            },
            None => Status::default(),
        };
        let events = s
            .annotations
            .iter()
            .map(|a| Event {
                time_ns: us_to_ns(a.timestamp.unwrap_or_default().0),
                name: a.value.clone().unwrap_or_default(),
                attributes: Vec::new(),
            })
            .collect();
        let name = b.intern(s.name.as_deref().unwrap_or_default());
        for (field, us) in [
            ("timestamp", s.timestamp.map(|t| t.0)),
            ("duration", s.duration.map(|d| d.0)),
        ] {
            warnings.extend(us_beyond_ns(field, us));
        }
        b.push(SpanInput {
            span_id,
            parent_span_id: parent,
            references: Vec::new(),
            service,
            name,
            kind: s
                .kind
                .as_deref()
                .map_or(SpanKind::Unspecified, SpanKind::parse),
            start_ns: s.timestamp.map(|t| us_to_ns(t.0)),
            duration_ns: s.duration.map(|d| us_to_ns(d.0)),
            status,
            attributes,
            events,
            links: Vec::new(),
            warnings,
            scope: None,
        });
    }
}

fn endpoint_attrs(
    e: &Endpoint,
    side: &str,
    attrs: &mut Vec<crate::model::Attribute>,
    b: &mut crate::model::TraceBuilder,
) {
    if side == "remote" {
        if let Some(n) = e.service_name.as_ref().filter(|n| !n.is_empty()) {
            attrs.push(b.attribute("peer.service", AttrValue::Str(n.clone())));
        }
    }
    if let Some(ip) = e.ipv4.as_ref().or(e.ipv6.as_ref()) {
        attrs.push(b.attribute(&format!("{side}Endpoint.ip"), AttrValue::Str(ip.clone())));
    }
    if let Some(p) = e.port {
        attrs.push(b.attribute(&format!("{side}Endpoint.port"), AttrValue::Int(p.0)));
    }
}

/// Fills what `into` lacks from `other`, as Zipkin merges reports of one span.
fn merge(into: &mut ZSpan, other: ZSpan) {
    match (into.timestamp, other.timestamp) {
        (None, t) => into.timestamp = t,
        (Some(a), Some(b)) if b.0 < a.0 => into.timestamp = Some(b),
        _ => {}
    }
    match (into.duration, other.duration) {
        (None, d) => into.duration = d,
        (Some(a), Some(b)) if b.0 > a.0 => into.duration = Some(b),
        _ => {}
    }
    if into.name.as_deref().is_none_or(str::is_empty) {
        into.name = other.name;
    }
    if into.kind.is_none() {
        into.kind = other.kind;
    }
    if into.parent_id.is_none() {
        into.parent_id = other.parent_id;
    }
    if into
        .local
        .as_ref()
        .and_then(|l| l.service_name.as_ref())
        .is_none()
    {
        into.local = other.local.or(into.local.take());
    }
    if into.remote.is_none() {
        into.remote = other.remote;
    }
    into.annotations.extend(other.annotations);
    for (k, v) in other.tags {
        into.tags.entry(k).or_insert(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_server_half_becomes_a_child_of_the_client() {
        let doc = r#"[
          {"traceId":"a","id":"1","kind":"CLIENT","name":"get","timestamp":10,"duration":100,"localEndpoint":{"serviceName":"front"}},
          {"traceId":"a","id":"1","kind":"SERVER","shared":true,"name":"get","timestamp":20,"duration":80,"localEndpoint":{"serviceName":"back"}}
        ]"#;
        let items: Vec<&RawValue> = serde_json::from_str(doc).unwrap();
        let mut c = Collector::default();
        read_spans(&items, &mut c);
        let t = c.finish();
        let t = &t[0];
        assert_eq!(t.spans.len(), 2);
        let server = t.find_span("0000000000000001:server").unwrap();
        assert_eq!(
            t.spans[server as usize].parent,
            t.find_span("0000000000000001")
        );
        assert_eq!(t.service_name(&t.spans[server as usize]), "back");
    }

    #[test]
    fn halves_of_one_side_merge() {
        let doc = r#"[
          {"traceId":"a","id":"2","name":"x","timestamp":10,"localEndpoint":{"serviceName":"s"}},
          {"traceId":"a","id":"2","duration":7,"tags":{"k":"v"}}
        ]"#;
        let items: Vec<&RawValue> = serde_json::from_str(doc).unwrap();
        let mut c = Collector::default();
        read_spans(&items, &mut c);
        let t = c.finish();
        assert_eq!(t[0].spans.len(), 1);
        assert_eq!(t[0].spans[0].duration_ns, 7000);
    }
}
