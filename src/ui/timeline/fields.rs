//! What a row says after its span's name: up to [`MAX_FIELDS`] attribute
//! values the user chose, or, with no choice, what tells calls of one name
//! apart: a database call's statement (verb and tables), an HTTP client
//! call's host and route, a message's destination. Plain Rust, tested
//! natively.

use crate::analysis::describe::{self, WorkKind};
use crate::analysis::shorten;
use crate::model::{AttrValue, Span, SpanIx, SpanKind, Trace};
use std::collections::HashMap;

/// The most keys a user can choose.
pub const MAX_FIELDS: usize = 3;

/// The longest text of one field, in characters.
pub const FIELD_CHARS: usize = 60;

/// One value shown on a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// Where it comes from: an attribute key, or what a default shows.
    pub key: String,
    /// The value, shortened.
    pub text: String,
    /// The value in full.
    pub full: String,
}

impl Field {
    fn new(key: &str, full: &str) -> Field {
        Field {
            key: key.to_string(),
            text: shorten::text(full, FIELD_CHARS),
            full: full.to_string(),
        }
    }
}

/// The fields of a row: the chosen `keys` the span (or its service's
/// resource) has, or with none chosen, the default.
pub fn row_fields(trace: &Trace, span: &Span, keys: &[String]) -> Vec<Field> {
    if keys.is_empty() {
        return default_field(trace, span).into_iter().collect();
    }
    keys.iter()
        .take(MAX_FIELDS)
        .filter_map(|k| {
            let v = trace
                .attr(span, k)
                .or_else(|| resource_attr(trace, span, k))?;
            let text = value_text(v);
            (!text.is_empty()).then(|| Field::new(k, &text))
        })
        .collect()
}

fn resource_attr<'t>(trace: &'t Trace, span: &Span, key: &str) -> Option<&'t AttrValue> {
    let sym = trace.strings.lookup(key)?;
    trace
        .services
        .get(span.service as usize)?
        .resource
        .iter()
        .find(|a| a.key == sym)
        .map(|a| &a.value)
}

fn value_text(v: &AttrValue) -> String {
    match v {
        AttrValue::Str(s) => s.clone(),
        other => other.to_string(),
    }
}

fn text<'t>(trace: &'t Trace, span: &'t Span, keys: &[&str]) -> Option<&'t str> {
    keys.iter()
        .find_map(|k| trace.attr(span, k).and_then(AttrValue::as_str))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// What tells this call from others of its name, with nothing chosen.
pub fn default_field(trace: &Trace, span: &Span) -> Option<Field> {
    let field = match describe::work_kind(trace, span) {
        WorkKind::Database => database(trace, span),
        WorkKind::Messaging => text(
            trace,
            span,
            &[
                "messaging.destination.name",
                "messaging.destination",
                "messaging.kafka.topic",
                "messaging.rabbitmq.routing_key",
            ],
        )
        .map(|d| Field::new("destination", d)),
        WorkKind::ExternalCall if span.kind != SpanKind::Server => http_call(trace, span),
        _ => None,
    }?;
    // Said already by the name: nothing to add.
    let name = trace.span_name(span);
    (field.text != name && field.full != name).then_some(field)
}

fn database(trace: &Trace, span: &Span) -> Option<Field> {
    if let Some(sql) = text(trace, span, &["db.query.text", "db.statement"]) {
        let normal = describe::normalize_statement(sql);
        return Some(Field {
            key: "statement".into(),
            text: shorten::statement(&normal, FIELD_CHARS),
            full: sql.to_string(),
        });
    }
    let op = text(trace, span, &["db.operation.name", "db.operation"]);
    let target = text(
        trace,
        span,
        &[
            "db.collection.name",
            "db.sql.table",
            "db.mongodb.collection",
            "db.namespace",
            "db.name",
        ],
    );
    let both = match (op, target) {
        (Some(o), Some(t)) => format!("{o} {t}"),
        (Some(x), None) | (None, Some(x)) => x.to_string(),
        (None, None) => return None,
    };
    Some(Field::new("operation", &both))
}

fn http_call(trace: &Trace, span: &Span) -> Option<Field> {
    if let Some(url) = text(trace, span, &["url.full", "http.url"]) {
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let no_query = rest.split(['?', '#']).next().unwrap_or(rest);
        return Some(Field {
            key: "url".into(),
            text: shorten::url(no_query, FIELD_CHARS),
            full: url.to_string(),
        });
    }
    let host = describe::peer_name(trace, span);
    let route = text(
        trace,
        span,
        &[
            "url.template",
            "http.route",
            "url.path",
            "http.target",
            "rpc.method",
        ],
    )
    // A route the name says already (`driver.DriverService/FindNearest`)
    // leaves the host.
    .filter(|r| !trace.span_name(span).contains(r));
    let both = match (host, route) {
        (Some(h), Some(r)) if r.starts_with('/') => format!("{h}{r}"),
        (Some(h), Some(r)) => format!("{h} {r}"),
        (Some(x), None) => x,
        (None, Some(r)) => r.to_string(),
        (None, None) => return None,
    };
    Some(Field::new("call", &both))
}

/// The attribute keys of the trace's spans and resources, most used
/// first, for choosing: each with how many spans carry it.
pub fn keys_by_use(trace: &Trace) -> Vec<(String, usize)> {
    let mut counts: HashMap<u32, usize> = HashMap::new();
    for s in &trace.spans {
        for a in &s.attributes {
            *counts.entry(a.key.0).or_default() += 1;
        }
    }
    for svc in &trace.services {
        // A resource key stands on every span of its service.
        let spans = svc.span_count as usize;
        for a in &svc.resource {
            let n = counts.entry(a.key.0).or_default();
            *n = n.saturating_add(spans);
        }
    }
    let mut keys: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(k, n)| (trace.str(crate::model::Sym(k)).to_string(), n))
        .filter(|(k, _)| !k.is_empty())
        .collect();
    keys.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    keys
}

/// The keys typed in a field, cleaned: trimmed, no empties or repeats, at
/// most [`MAX_FIELDS`].
pub fn clean_keys(keys: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in keys {
        let k = k.trim().to_string();
        if !k.is_empty() && !k.contains(',') && !out.contains(&k) && out.len() < MAX_FIELDS {
            out.push(k);
        }
    }
    out
}

/// The fields of the span `ix`, by index.
pub fn of(trace: &Trace, ix: SpanIx, keys: &[String]) -> Vec<Field> {
    trace
        .span(ix)
        .map(|s| row_fields(trace, s, keys))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attribute, SpanInput, TraceBuilder};

    /// id, name, kind, attributes.
    type Row<'a> = (&'a str, &'a str, SpanKind, &'a [(&'a str, &'a str)]);

    fn trace(spans: &[Row]) -> Trace {
        let mut b = TraceBuilder::new("t");
        let host = b.intern("host.name");
        let svc = b.service(
            "shop",
            vec![Attribute {
                key: host,
                value: AttrValue::Str("pod-7".into()),
            }],
        );
        for (i, &(id, name, kind, attrs)) in spans.iter().enumerate() {
            let name = b.intern(name);
            let attributes = attrs
                .iter()
                .map(|&(k, v)| Attribute {
                    key: b.intern(k),
                    value: AttrValue::Str(v.into()),
                })
                .collect();
            b.push(SpanInput {
                span_id: id.to_string(),
                parent_span_id: (i > 0).then(|| "root".to_string()),
                service: svc,
                name,
                kind,
                start_ns: Some(i as i64),
                duration_ns: Some(10),
                attributes,
                ..SpanInput::default()
            });
        }
        b.build()
    }

    fn texts(t: &Trace, id: &str, keys: &[String]) -> Vec<String> {
        let ix = t.find_span(id).unwrap_or(SpanIx::MAX);
        of(t, ix, keys).into_iter().map(|f| f.text).collect()
    }

    #[test]
    fn defaults_say_which_query_which_call_and_which_queue() {
        let long_sql = "SELECT id, amount, currency, created_at, updated_at FROM invoice_lines JOIN products ON products.id = invoice_lines.product_id WHERE invoice_id = 42";
        let t = trace(&[
            (
                "root",
                "GET /checkout",
                SpanKind::Server,
                &[("http.route", "/checkout")],
            ),
            (
                "q",
                "SELECT",
                SpanKind::Client,
                &[("db.system", "postgresql"), ("db.statement", long_sql)],
            ),
            (
                "h",
                "GET",
                SpanKind::Client,
                &[
                    ("http.url", "https://pay.example/v1/charge?id=9"),
                    ("http.method", "GET"),
                ],
            ),
            (
                "h2",
                "POST",
                SpanKind::Client,
                &[("server.address", "tax"), ("url.template", "/rates/{c}")],
            ),
            (
                "g",
                "pay.Charge/Create",
                SpanKind::Client,
                &[("rpc.service", "pay"), ("rpc.method", "pay.Charge/Create")],
            ),
            (
                "m",
                "publish",
                SpanKind::Producer,
                &[("messaging.destination.name", "orders")],
            ),
            (
                "r",
                "GET",
                SpanKind::Client,
                &[("db.system", "redis"), ("db.operation", "GET")],
            ),
            ("own", "compute", SpanKind::Internal, &[]),
        ]);
        let sql = texts(&t, "q", &[]);
        assert_eq!(sql.len(), 1);
        let s = &sql[0];
        assert!(
            s.starts_with("SELECT") && s.contains("invoice_lines") && s.contains("products"),
            "{s}"
        );
        assert!(!s.contains("42"), "literals are gone: {s}");
        assert!(s.chars().count() <= FIELD_CHARS, "{s}");
        assert_eq!(texts(&t, "h", &[]), ["pay.example/v1/charge"]);
        assert_eq!(texts(&t, "h2", &[]), ["tax/rates/{c}"]);
        assert_eq!(texts(&t, "m", &[]), ["orders"]);
        assert_eq!(texts(&t, "g", &[]), ["pay"]);
        // A name that says it all already gets nothing more.
        assert_eq!(texts(&t, "r", &[]), Vec::<String>::new());
        assert!(texts(&t, "own", &[]).is_empty());
        assert!(texts(&t, "root", &[]).is_empty());
    }

    #[test]
    fn chosen_keys_replace_the_defaults_and_read_resources_too() {
        let t = trace(&[
            (
                "root",
                "GET /checkout",
                SpanKind::Server,
                &[("http.route", "/checkout")],
            ),
            (
                "q",
                "SELECT",
                SpanKind::Client,
                &[("db.system", "postgresql"), ("db.statement", "SELECT 1")],
            ),
        ]);
        let keys = vec!["db.system".to_string(), "host.name".to_string()];
        assert_eq!(texts(&t, "q", &keys), ["postgresql", "pod-7"]);
        assert_eq!(texts(&t, "root", &keys), ["pod-7"]);
        let by_use = keys_by_use(&t);
        assert_eq!(
            by_use.first().map(|(k, n)| (k.as_str(), *n)),
            Some(("host.name", 2))
        );
    }

    #[test]
    fn typed_keys_are_cleaned() {
        let typed = ["  a ", "", "b", "a", "c,d", "e", "f"].map(String::from);
        assert_eq!(clean_keys(typed), ["a", "b", "e"]);
    }
}
