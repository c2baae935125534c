//! Redaction before a trace is shared or downloaded: attribute values
//! replaced by pseudonyms, so that a trace can leave the machine without
//! the user ids, URLs, SQL literals and hostnames it carries, and still be
//! read and analysed as the same trace.
//!
//! What is replaced: the values of span, event, link and resource
//! attributes, and the status message (under the key Jaeger gives it,
//! `otel.status_description`). What is kept: attribute keys, span names,
//! service names, event names, ids, references, kinds, status codes,
//! instrumentation scopes, times and the tree. The values the model itself
//! reads its structure from are kept too, since the model keeps them
//! anyway and the written files need them to re-import as the same spans:
//! `service.name`, a `span.kind` that names a kind, an `error` flag
//! (`true`/`false`, not a message as Zipkin writes there), an
//! `otel.status_code` of `OK`, `ERROR` or `UNSET`, `otel.scope.*`, and the
//! `event` field of a Jaeger log that is its event's name. Empty values stay
//! empty: they hold nothing, and the analysis reads an empty statement as
//! no statement.
//!
//! A value becomes `redacted-N`, one number per distinct (key, value) in
//! the trace, numbered in the order they are met. Equal values stay equal,
//! so whatever groups spans by a value still groups them; nothing of the
//! value is left, not its length, a prefix or its type (numbers, flags,
//! bytes, arrays and maps all become one string). Database statements
//! (`db.statement`, `db.query.text`) are the one exception to the plain
//! number: the N+1 finding groups calls by the statement with its literals
//! taken out, so a statement becomes `redacted_statement_S 'V'`, with one S
//! per statement shape and one V per statement of that shape. It reads as
//! `redacted_statement_S ?` once its literal is taken out, which keeps the
//! grouping and tells no more than the finding itself does.
//!
//! Warnings: those Traceglass wrote (repairs of the tree and times) quote
//! only ids and are kept; those the source wrote (Jaeger's, `Jaeger: …`)
//! are free text that may quote anything, so [`Redaction::All`] keeps that
//! there was one and drops its text.

use crate::analysis::describe::normalize_statement;
use crate::model::{AttrValue, Attribute, SpanKind, Sym, Trace};
use rustc_hash::FxHashMap as HashMap;
use std::collections::{BTreeMap, BTreeSet};

/// Which values to replace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Redaction {
    /// Nothing: the trace as it is.
    #[default]
    None,
    /// Every value (see the module documentation for what is kept).
    All,
    /// The values of these keys only, wherever the key appears (span, event,
    /// link or resource attributes; `otel.status_description` also stands
    /// for the status message).
    Keys(BTreeSet<String>),
}

/// The key under which the status message is redacted: the tag Jaeger JSON
/// writes it as.
pub const STATUS_MESSAGE_KEY: &str = "otel.status_description";

/// What a redacted Jaeger or Traceglass-relayed source warning reads.
const REDACTED_WARNING: &str = "Jaeger: a warning whose text was redacted";

/// A copy of `trace` with the values `how` names replaced by pseudonyms.
pub fn redact(trace: &Trace, how: &Redaction) -> Trace {
    let mut out = trace.clone();
    if *how == Redaction::None {
        return out;
    }
    let mut p = Pseudonyms::new(trace, how);
    for service in &mut out.services {
        p.attributes(&mut service.resource, None);
    }
    for span in &mut out.spans {
        p.attributes(&mut span.attributes, None);
        for event in &mut span.events {
            p.attributes(&mut event.attributes, Some(&event.name));
        }
        for link in &mut span.links {
            p.attributes(&mut link.attributes, None);
        }
        if p.status_chosen && !span.status.message.is_empty() {
            let message = std::mem::take(&mut span.status.message);
            span.status.message = p.name(p.status_key, Canon::Str(message));
        }
    }
    if *how == Redaction::All {
        for span in &mut out.spans {
            for w in &mut span.warnings {
                if is_source_warning(w) {
                    *w = REDACTED_WARNING.to_string();
                }
            }
        }
        for w in &mut out.warnings {
            if is_source_warning(&w.message) {
                w.message = REDACTED_WARNING.to_string();
            }
        }
    }
    out
}

/// Every attribute key whose values redaction can replace, with how many
/// such values the trace holds (spans, events, links and resources
/// together), sorted by key: the choices of the UI's key picker. Keys whose
/// values are always kept (`service.name`, `span.kind`, …) are left out, and
/// `otel.status_description` counts the status messages too.
pub fn keys(trace: &Trace) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut count = |attrs: &[Attribute], event_name: Option<&str>| {
        for a in attrs {
            let key = trace.attr_key(a);
            if !kept(key, &a.value, event_name) {
                *counts.entry(key).or_default() += 1;
            }
        }
    };
    for service in &trace.services {
        count(&service.resource, None);
    }
    for span in &trace.spans {
        count(&span.attributes, None);
        for event in &span.events {
            count(&event.attributes, Some(&event.name));
        }
        for link in &span.links {
            count(&link.attributes, None);
        }
    }
    let messages = trace
        .spans
        .iter()
        .filter(|s| !s.status.message.is_empty())
        .count();
    if messages > 0 {
        *counts.entry(STATUS_MESSAGE_KEY).or_default() += messages;
    }
    counts
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect()
}

/// Whether a value stays as it is whatever the redaction: a value the model
/// reads structure from, or an empty one (see the module documentation).
fn kept(key: &str, value: &AttrValue, event_name: Option<&str>) -> bool {
    match value {
        AttrValue::Empty => return true,
        AttrValue::Str(s) if s.is_empty() => return true,
        _ => {}
    }
    match key {
        "service.name" | "otel.scope.name" | "otel.scope.version" => true,
        "span.kind" => value
            .as_str()
            .is_some_and(|s| SpanKind::parse(s) != SpanKind::Unspecified),
        "error" => match value {
            AttrValue::Bool(_) => true,
            AttrValue::Str(s) => s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false"),
            _ => false,
        },
        "otel.status_code" => matches!(value.as_str(), Some("OK" | "ERROR" | "UNSET")),
        "event" => event_name.is_some_and(|n| value.as_str() == Some(n)),
        _ => false,
    }
}

/// A source's own warning, relayed with the prefix the importer gives it.
fn is_source_warning(w: &str) -> bool {
    w.starts_with("Jaeger: ")
}

/// Keys whose values are database statements, grouped by shape.
fn is_statement(key: &str) -> bool {
    matches!(key, "db.statement" | "db.query.text")
}

/// A value as the pseudonym table tells values apart: strings as they are,
/// anything else by its typed spelling (`Int(1)` is not `Str("1")`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Canon {
    Str(String),
    Other(String),
}

impl Canon {
    fn of(value: AttrValue) -> Canon {
        match value {
            AttrValue::Str(s) => Canon::Str(s),
            other => Canon::Other(format!("{other:?}")),
        }
    }
}

/// The pseudonyms given so far, and which keys are chosen.
struct Pseudonyms<'t> {
    trace: &'t Trace,
    /// Every key chosen (`Redaction::All`), else the chosen ones' symbols.
    all: bool,
    chosen: BTreeSet<Sym>,
    status_chosen: bool,
    /// The symbol the status message is redacted under: the one of
    /// `otel.status_description` when the trace has that key, so that the
    /// message and the tag get the same pseudonym; else one no key has.
    status_key: Sym,
    names: HashMap<(Sym, Canon), String>,
    /// Statement shapes per key, and how many statements each has named.
    shapes: HashMap<(Sym, String), (usize, usize)>,
    next: usize,
}

impl<'t> Pseudonyms<'t> {
    fn new(trace: &'t Trace, how: &Redaction) -> Pseudonyms<'t> {
        let (all, chosen, status_chosen) = match how {
            Redaction::Keys(keys) => (
                false,
                keys.iter()
                    .filter_map(|k| trace.strings.lookup(k))
                    .collect(),
                keys.contains(STATUS_MESSAGE_KEY),
            ),
            _ => (true, BTreeSet::new(), true),
        };
        Pseudonyms {
            trace,
            all,
            chosen,
            status_chosen,
            status_key: trace
                .strings
                .lookup(STATUS_MESSAGE_KEY)
                .unwrap_or(Sym(u32::MAX)),
            names: HashMap::default(),
            shapes: HashMap::default(),
            next: 0,
        }
    }

    /// Replaces the chosen values of a list of attributes (an event's, with
    /// the event's name).
    fn attributes(&mut self, attrs: &mut [Attribute], event_name: Option<&str>) {
        for a in attrs {
            if !(self.all || self.chosen.contains(&a.key))
                || kept(self.trace.attr_key(a), &a.value, event_name)
            {
                continue;
            }
            let value = std::mem::replace(&mut a.value, AttrValue::Empty);
            a.value = AttrValue::Str(self.name(a.key, Canon::of(value)));
        }
    }

    /// The pseudonym of one value of one key, the same each time it is met.
    fn name(&mut self, key: Sym, value: Canon) -> String {
        let statement = is_statement(self.trace.str(key));
        let slot = (key, value);
        if let Some(name) = self.names.get(&slot) {
            return name.clone();
        }
        let name = match &slot.1 {
            Canon::Str(s) if statement => {
                let next = self.shapes.len() + 1;
                let shape = self
                    .shapes
                    .entry((key, normalize_statement(s)))
                    .or_insert((next, 0));
                shape.1 += 1;
                format!("redacted_statement_{} '{}'", shape.0, shape.1)
            }
            _ => {
                self.next += 1;
                format!("redacted-{}", self.next)
            }
        };
        self.names.insert(slot, name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Event, SpanInput, Status, StatusCode, TraceBuilder};

    fn trace() -> Trace {
        let mut b = TraceBuilder::new("t");
        let resource = vec![
            b.attribute("service.name", AttrValue::Str("api".into())),
            b.attribute("host.name", AttrValue::Str("db-7".into())),
        ];
        let svc = b.service("api", resource);
        let name = b.intern("GET /users");
        let attributes = vec![
            b.attribute("user.id", AttrValue::Int(42)),
            b.attribute("cached", AttrValue::Bool(false)),
            b.attribute("tags", AttrValue::Array(vec![AttrValue::Str("a".into())])),
            b.attribute("note", AttrValue::Str(String::new())),
            b.attribute("span.kind", AttrValue::Str("server".into())),
            b.attribute("error", AttrValue::Str("connection refused".into())),
            b.attribute("other.id", AttrValue::Int(42)),
            b.attribute("again", AttrValue::Int(42)),
        ];
        let events = vec![Event {
            time_ns: 5,
            name: "retry".into(),
            attributes: vec![
                b.attribute("event", AttrValue::Str("retry".into())),
                b.attribute("user.id", AttrValue::Int(42)),
            ],
        }];
        b.push(SpanInput {
            span_id: "a".into(),
            service: svc,
            name,
            start_ns: Some(0),
            duration_ns: Some(10),
            status: Status {
                code: StatusCode::Error,
                message: "user 42 not found".into(),
            },
            attributes,
            events,
            warnings: vec!["Jaeger: clock skew of 3 ms for user 42".into()],
            ..SpanInput::default()
        });
        b.build()
    }

    fn values(t: &Trace) -> Vec<String> {
        let s = &t.spans[0];
        s.attributes
            .iter()
            .chain(&s.events[0].attributes)
            .chain(&t.services[0].resource)
            .map(|a| format!("{}={}", t.attr_key(a), a.value))
            .collect()
    }

    /// Every type becomes one string; a key's equal values share one name,
    /// another key's equal value has its own; structure and empties stay.
    #[test]
    fn values_become_pseudonyms_of_one_type() {
        let t = trace();
        let r = redact(&t, &Redaction::All);
        assert_eq!(
            values(&r),
            [
                "user.id=redacted-2",
                "cached=redacted-3",
                "tags=redacted-4",
                "note=",
                "span.kind=server",
                "error=redacted-5",
                "other.id=redacted-6",
                "again=redacted-7",
                "event=retry",
                "user.id=redacted-2",
                "service.name=api",
                "host.name=redacted-1",
            ]
        );
        let s = &r.spans[0];
        assert_eq!(s.status.code, StatusCode::Error);
        assert_eq!(s.status.message, "redacted-8");
        assert_eq!(s.events[0].name, "retry");
        assert_eq!(s.warnings, [REDACTED_WARNING]);
        assert!(r.warnings.iter().any(|w| w.message == REDACTED_WARNING));
        assert!(!r.warnings.iter().any(|w| w.message.contains("42")));
    }

    #[test]
    fn keys_lists_what_can_be_replaced() {
        let t = trace();
        let listed = keys(&t);
        let names: Vec<&str> = listed.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "again",
                "cached",
                "error",
                "host.name",
                "otel.status_description",
                "other.id",
                "tags",
                "user.id"
            ]
        );
        assert_eq!(listed.last(), Some(&("user.id".to_string(), 2)));

        let chosen = Redaction::Keys(BTreeSet::from([
            "user.id".to_string(),
            STATUS_MESSAGE_KEY.to_string(),
            "no.such.key".to_string(),
        ]));
        let r = redact(&t, &chosen);
        let v = values(&r);
        assert_eq!(v[0], "user.id=redacted-1");
        assert_eq!(v[6], "other.id=42");
        assert_eq!(v[9], "user.id=redacted-1");
        assert_eq!(r.spans[0].status.message, "redacted-2");
        assert_eq!(r.spans[0].warnings, t.spans[0].warnings);
    }
}
