//! The serde reader of Jaeger JSON: derived structs for a trace object, its
//! processes and its spans, converted to [`Parts`] and [`Process`]. It reads
//! every span the fast reader declines and words the errors; the fast
//! reader's tests use it as their oracle.

use super::parts::{LogParts, Parts, Process, RefParts};
use crate::import::json::{Float, Int, Text};
use crate::model::AttrValue;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;

#[derive(Deserialize)]
pub(super) struct JTrace<'a> {
    #[serde(rename = "traceID", default)]
    pub(super) trace_id: Option<Text>,
    #[serde(borrow, default)]
    pub(super) spans: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) processes: Option<HashMap<String, JProcess<'a>>>,
    #[serde(default)]
    pub(super) warnings: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
pub(super) struct JProcess<'a> {
    #[serde(rename = "serviceName", default)]
    service_name: Option<String>,
    #[serde(borrow, default)]
    tags: Option<Vec<JTag<'a>>>,
}

impl From<JProcess<'_>> for Process {
    fn from(p: JProcess) -> Process {
        Process {
            name: p.service_name.filter(|n| !n.is_empty()),
            resource: p
                .tags
                .unwrap_or_default()
                .into_iter()
                .map(|t| {
                    let v = tag_json(t.value)
                        .map_or_else(|text| text, |v| tag_value(t.ty.as_deref(), v));
                    (t.key.into_owned(), v)
                })
                .collect(),
        }
    }
}

#[derive(Deserialize)]
struct JTag<'a> {
    #[serde(borrow)]
    key: Cow<'a, str>,
    #[serde(rename = "type", borrow, default)]
    ty: Option<Cow<'a, str>>,
    /// Read apart, so that a number no `f64` holds (`1e400`) costs the
    /// tag its type, not the span: it is kept as the text it was.
    #[serde(borrow, default)]
    value: Option<&'a RawValue>,
}

/// A tag's value as JSON, or its text when it is a number out of range.
fn tag_json(raw: Option<&RawValue>) -> Result<serde_json::Value, AttrValue> {
    match raw {
        None => Ok(serde_json::Value::Null),
        Some(r) => serde_json::from_str(r.get()).map_err(|_| AttrValue::Str(r.get().to_string())),
    }
}

#[derive(Deserialize)]
struct JRef {
    #[serde(rename = "refType", default)]
    ref_type: Option<String>,
    #[serde(rename = "traceID", default)]
    trace_id: Option<Text>,
    #[serde(rename = "spanID", default)]
    span_id: Option<Text>,
}

#[derive(Deserialize)]
struct JLog<'a> {
    #[serde(default)]
    timestamp: Option<Int>,
    #[serde(borrow, default)]
    fields: Option<Vec<JTag<'a>>>,
}

#[derive(Deserialize)]
struct JSpan<'a> {
    #[serde(rename = "traceID", default)]
    trace_id: Option<Text>,
    #[serde(rename = "spanID")]
    span_id: Text,
    #[serde(rename = "parentSpanID", default)]
    parent_span_id: Option<Text>,
    #[serde(rename = "operationName", default)]
    operation_name: Option<String>,
    #[serde(default)]
    references: Option<Vec<JRef>>,
    #[serde(rename = "startTime", default)]
    start_time: Option<Int>,
    #[serde(default)]
    duration: Option<Int>,
    #[serde(borrow, default)]
    tags: Option<Vec<JTag<'a>>>,
    #[serde(borrow, default)]
    logs: Option<Vec<JLog<'a>>>,
    #[serde(rename = "processID", borrow, default)]
    process_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    process: Option<JProcess<'a>>,
    #[serde(default)]
    warnings: Option<Vec<String>>,
}

/// A trace object's `processes`, read on their own while streaming.
pub(in crate::import) fn parse_processes(raw: &str) -> Result<HashMap<String, Process>, String> {
    serde_json::from_str::<Option<HashMap<String, JProcess>>>(raw)
        .map(|m| {
            m.unwrap_or_default()
                .into_iter()
                .map(|(k, p)| (k, Process::from(p)))
                .collect()
        })
        .map_err(|e| format!("the trace's processes are malformed: {e}"))
}

fn tag_parts(tags: Option<Vec<JTag<'_>>>) -> Vec<(Cow<'_, str>, AttrValue)> {
    tags.unwrap_or_default()
        .into_iter()
        .map(|t| {
            let v = tag_json(t.value).map_or_else(|text| text, |v| tag_value(t.ty.as_deref(), v));
            (t.key, v)
        })
        .collect()
}

impl<'a> From<JSpan<'a>> for Parts<'a> {
    fn from(s: JSpan<'a>) -> Parts<'a> {
        let text = |t: Option<Text>| t.map(|t| Cow::Owned(t.0));
        Parts {
            trace_id: text(s.trace_id),
            span_id: Cow::Owned(s.span_id.0),
            parent_span_id: text(s.parent_span_id),
            operation_name: s.operation_name.map(Cow::Owned),
            references: s
                .references
                .unwrap_or_default()
                .into_iter()
                .map(|r| RefParts {
                    ref_type: r.ref_type.map(Cow::Owned),
                    trace_id: text(r.trace_id),
                    span_id: text(r.span_id),
                })
                .collect(),
            start_time: s.start_time.map(|t| t.0),
            duration: s.duration.map(|d| d.0),
            tags: tag_parts(s.tags),
            logs: s
                .logs
                .unwrap_or_default()
                .into_iter()
                .map(|l| LogParts {
                    timestamp: l.timestamp.map(|t| t.0),
                    fields: tag_parts(l.fields),
                })
                .collect(),
            process_id: s.process_id,
            process: s.process.map(Process::from),
            warnings: s
                .warnings
                .unwrap_or_default()
                .into_iter()
                .map(Cow::Owned)
                .collect(),
        }
    }
}

/// What serde reads of one span: the general path, and the tests' oracle
/// for the fast reader.
pub(super) fn serde_span(raw: &str) -> Result<Parts<'_>, serde_json::Error> {
    serde_json::from_str::<JSpan>(raw).map(Parts::from)
}

/// A Jaeger tag value by its declared type, tolerating values sent as strings.
fn tag_value(ty: Option<&str>, v: serde_json::Value) -> AttrValue {
    use serde_json::Value as J;
    let ty = ty.map(|t| {
        ["bool", "int64", "float64", "binary"]
            .into_iter()
            .find(|k| t.eq_ignore_ascii_case(k))
            .unwrap_or("")
    });
    match (ty, v) {
        (Some("bool"), J::Bool(b)) => AttrValue::Bool(b),
        (Some("bool"), J::String(s))
            if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") =>
        {
            AttrValue::Bool(s.eq_ignore_ascii_case("true"))
        }
        (Some("int64"), v) => match serde_json::from_value::<Int>(v.clone()) {
            Ok(Int(n)) => AttrValue::Int(n),
            Err(_) => json_to_attr(v),
        },
        (Some("float64"), v) => match serde_json::from_value::<Float>(v.clone()) {
            Ok(Float(f)) => AttrValue::Double(f),
            Err(_) => json_to_attr(v),
        },
        (Some("binary"), J::String(s)) => {
            use base64::Engine;
            match base64::engine::general_purpose::STANDARD.decode(s.as_bytes()) {
                Ok(bytes) => AttrValue::Bytes(bytes),
                Err(_) => AttrValue::Str(s),
            }
        }
        (_, v) => json_to_attr(v),
    }
}

/// An untyped JSON value as an attribute (Zipkin tags, unknown Jaeger types).
pub fn json_to_attr(v: serde_json::Value) -> AttrValue {
    use serde_json::Value as J;
    match v {
        J::String(s) => AttrValue::Str(s),
        J::Bool(b) => AttrValue::Bool(b),
        J::Number(n) => match n.as_i64() {
            Some(i) => AttrValue::Int(i),
            None => AttrValue::Double(n.as_f64().unwrap_or(f64::NAN)),
        },
        J::Null => AttrValue::Empty,
        J::Array(items) => AttrValue::Array(items.into_iter().map(json_to_attr).collect()),
        J::Object(m) => {
            AttrValue::KvList(m.into_iter().map(|(k, v)| (k, json_to_attr(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int64_past_2_pow_53_survives() {
        let v = tag_value(Some("int64"), serde_json::json!("9223372036854775222"));
        assert_eq!(v, AttrValue::Int(9223372036854775222));
    }

    #[test]
    fn bool_sent_as_string() {
        assert_eq!(
            tag_value(Some("bool"), serde_json::json!("true")),
            AttrValue::Bool(true)
        );
    }

    #[test]
    fn binary_is_base64() {
        assert_eq!(
            tag_value(Some("binary"), serde_json::json!("AQI=")),
            AttrValue::Bytes(vec![1, 2])
        );
    }
}
