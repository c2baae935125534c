//! Redaction over the shared fixtures: after `Redaction::All` no original
//! value is left in either written format, every value that changed is a
//! pseudonym, and the analysis (critical path, per-operation times, self
//! times, findings) is the same as before; `Redaction::Keys` changes only
//! the chosen key's values.

mod common;

use std::collections::{BTreeSet, HashMap};
use traceglass::analysis::{FindingKind, TraceAnalysis};
use traceglass::export::redact::{keys, redact, Redaction};
use traceglass::export::{to_jaeger_json, to_otlp_json};
use traceglass::import::import_bytes;
use traceglass::model::{AttrValue, Attribute, SpanInput, SpanKind, Trace, TraceBuilder};

/// Every trace fixture by folder: OTLP, Jaeger, Jaeger API v3, Tempo, Zipkin, CRISP.
fn fixture_traces() -> Vec<(String, Vec<Trace>)> {
    common::fixture_files("")
        .into_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            let name = p.display().to_string();
            let imported = import_bytes(&name, &bytes).ok()?;
            Some((name, imported.traces))
        })
        .collect()
}

/// Keys whose values the redaction keeps when they carry structure.
const STRUCTURAL: [&str; 7] = [
    "service.name",
    "span.kind",
    "error",
    "otel.status_code",
    "otel.scope.name",
    "otel.scope.version",
    "event",
];

/// Each attribute list of a trace with a label of where it is, in one order.
fn attribute_lists(t: &Trace) -> Vec<(String, &[Attribute])> {
    let mut out: Vec<(String, &[Attribute])> = Vec::new();
    for (i, s) in t.services.iter().enumerate() {
        out.push((format!("resource {i}"), &s.resource));
    }
    for s in &t.spans {
        out.push((format!("span {}", s.span_id), &s.attributes));
        for (i, e) in s.events.iter().enumerate() {
            out.push((format!("span {} event {i}", s.span_id), &e.attributes));
        }
        for (i, l) in s.links.iter().enumerate() {
            out.push((format!("span {} link {i}", s.span_id), &l.attributes));
        }
    }
    out
}

/// Every string in a value, arrays and maps included.
fn strings(v: &AttrValue, out: &mut Vec<String>) {
    match v {
        AttrValue::Str(s) => out.push(s.clone()),
        AttrValue::Array(items) => items.iter().for_each(|i| strings(i, out)),
        AttrValue::KvList(items) => items.iter().for_each(|(_, i)| strings(i, out)),
        _ => {}
    }
}

/// The text a trace may show after redaction: keys, names, ids, scopes,
/// the structural values kept, and the words of the two formats.
fn allowed(t: &Trace, r: &Trace) -> Vec<String> {
    let mut out: Vec<String> = (0..t.strings.len() as u32)
        .map(|i| t.str(traceglass::model::Sym(i)).to_string())
        .collect();
    out.push(t.trace_id.clone());
    for s in &t.spans {
        out.push(s.span_id.to_string());
        out.extend(s.references.iter().map(|x| x.span_id.clone()));
        out.extend(s.references.iter().map(|x| x.trace_id.clone()));
        out.extend(s.links.iter().map(|x| x.span_id.clone()));
        out.extend(s.links.iter().map(|x| x.trace_id.clone()));
        out.extend(s.events.iter().map(|e| e.name.clone()));
    }
    for (_, list) in attribute_lists(r) {
        for a in list {
            if !a.value.as_str().is_some_and(|s| s.starts_with("redacted")) {
                strings(&a.value, &mut out);
            }
        }
    }
    out.extend(
        [
            "string",
            "bool",
            "int64",
            "float64",
            "binary",
            "CHILD_OF",
            "FOLLOWS_FROM",
            "true",
            "false",
            "null",
            "follows_from",
            "child_of",
        ]
        .map(String::from),
    );
    out
}

fn same_analysis(file: &str, t: &Trace, r: &Trace) {
    let (a, b) = (TraceAnalysis::new(t), TraceAnalysis::new(r));
    let ctx = format!("{file}: trace {}", t.trace_id);
    assert_eq!(
        a.critical_path.sections, b.critical_path.sections,
        "{ctx}: critical path"
    );
    assert_eq!(
        a.critical_path.span_time_ns, b.critical_path.span_time_ns,
        "{ctx}"
    );
    assert_eq!(
        a.operation_times, b.operation_times,
        "{ctx}: operation times"
    );
    assert_eq!(a.self_time_ns, b.self_time_ns, "{ctx}: self times");
    let findings = |x: &TraceAnalysis| {
        let mut v: Vec<(&str, i64, BTreeSet<u32>)> = x
            .findings
            .iter()
            .map(|f| {
                (
                    f.kind.label(),
                    f.time_at_stake_ns,
                    f.evidence.iter().copied().collect(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(findings(&a), findings(&b), "{ctx}: findings");
}

#[test]
fn all_leaves_no_value_and_the_same_analysis() {
    let mut traces = 0;
    let mut replaced = 0;
    let mut checked = 0;
    for (file, list) in fixture_traces() {
        for t in &list {
            traces += 1;
            let r = redact(t, &Redaction::All);
            assert_eq!(r.spans.len(), t.spans.len(), "{file}");

            // In the model: every value either kept (structural or empty) or a pseudonym.
            let before = attribute_lists(t);
            let after = attribute_lists(&r);
            let mut secrets: Vec<String> = Vec::new();
            for ((at, x), (_, y)) in before.iter().zip(&after) {
                assert_eq!(x.len(), y.len(), "{file}: {at}");
                for (a, b) in x.iter().zip(y.iter()) {
                    let key = t.attr_key(a);
                    assert_eq!(key, r.attr_key(b), "{file}: {at}: keys are kept");
                    let empty =
                        matches!(&a.value, AttrValue::Empty) || a.value.as_str() == Some("");
                    if a.value == b.value && (empty || STRUCTURAL.contains(&key)) {
                        continue;
                    }
                    replaced += 1;
                    assert!(
                        b.value.as_str().is_some_and(|s| s.starts_with("redacted")),
                        "{file}: {at}: {key}={:?} became {:?}",
                        a.value,
                        b.value
                    );
                    strings(&a.value, &mut secrets);
                }
            }
            for (x, y) in t.spans.iter().zip(&r.spans) {
                assert_eq!(x.status.code, y.status.code, "{file}");
                if !x.status.message.is_empty() {
                    assert!(y.status.message.starts_with("redacted-"), "{file}");
                    secrets.push(x.status.message.clone());
                }
                // The source's own warnings are free text: theirs is dropped.
                let from_source = |w: &String| w.strip_prefix("Jaeger: ").map(String::from);
                secrets.extend(x.warnings.iter().filter_map(from_source));
                assert_eq!(x.warnings.len(), y.warnings.len(), "{file}");
            }

            // In the written files: no original value, unless it is part of
            // what is kept (a span name, a key, an id…).
            let allowed = allowed(t, &r);
            let texts = [to_jaeger_json(&[&r]), to_otlp_json(&[&r])];
            secrets.sort();
            secrets.dedup();
            for secret in secrets.iter().filter(|s| s.chars().count() >= 4) {
                if allowed.iter().any(|a| a.contains(secret.as_str())) {
                    continue;
                }
                let json = serde_json::to_string(secret).unwrap();
                let escaped = json.trim_matches('"');
                for text in &texts {
                    checked += 1;
                    assert!(
                        !text.contains(escaped),
                        "{file}: trace {}: {secret:?} is still in the written file",
                        t.trace_id
                    );
                }
            }

            same_analysis(&file, t, &r);
        }
    }
    assert!(traces >= 40, "only {traces} traces");
    assert!(replaced >= 1000, "only {replaced} values replaced");
    assert!(checked >= 1000, "only {checked} values looked for");
}

fn hotrod() -> Trace {
    let file = common::fixtures_dir().join("otlp/hotrod-40spans-6services.json");
    let bytes = std::fs::read(file).unwrap();
    import_bytes("hotrod", &bytes).unwrap().traces.remove(0)
}

/// Equal values of a key share a pseudonym and distinct ones do not.
#[test]
fn pseudonyms_keep_equality() {
    let t = &hotrod();
    let r = redact(t, &Redaction::All);
    let mut forward: HashMap<(String, String), String> = HashMap::new();
    let mut back: HashMap<String, (String, String)> = HashMap::new();
    for ((_, x), (_, y)) in attribute_lists(t).iter().zip(&attribute_lists(&r)) {
        for (a, b) in x.iter().zip(y.iter()) {
            let Some(p) = b.value.as_str().filter(|s| s.starts_with("redacted")) else {
                continue;
            };
            let k = (t.attr_key(a).to_string(), format!("{:?}", a.value));
            assert_eq!(forward.entry(k.clone()).or_insert(p.to_string()), p);
            assert_eq!(back.entry(p.to_string()).or_insert(k.clone()), &k);
        }
    }
    assert!(forward.len() > 50, "{}", forward.len());
    let statement = forward
        .iter()
        .find(|((k, _), _)| k == "db.query.text")
        .map(|(_, p)| p)
        .unwrap();
    assert_eq!(statement, "redacted_statement_1 '1'");
}

/// Sequential SQL calls that differ only in their literals are still one
/// N+1 after redaction, and calls of another statement still another one:
/// the statement pseudonyms keep the shape the finding groups by.
#[test]
fn statement_pseudonyms_keep_the_n_plus_one() {
    let mut b = TraceBuilder::new("t");
    let svc = b.service("billing", vec![]);
    let name = b.intern("SELECT");
    let root = b.intern("GET /invoices");
    b.push(SpanInput {
        span_id: "root".into(),
        service: svc,
        name: root,
        kind: SpanKind::Server,
        start_ns: Some(0),
        duration_ns: Some(100_000_000),
        ..Default::default()
    });
    for i in 0..12i64 {
        let statement = if i < 7 {
            format!("SELECT * FROM invoice_lines WHERE invoice_id = {i}")
        } else {
            "SELECT name FROM customers WHERE id = 7".to_string()
        };
        let attributes = vec![
            b.attribute("db.system", AttrValue::Str("sqlite".into())),
            b.attribute("db.statement", AttrValue::Str(statement)),
        ];
        b.push(SpanInput {
            span_id: format!("c{i}"),
            parent_span_id: Some("root".into()),
            service: svc,
            name,
            kind: SpanKind::Client,
            start_ns: Some(1_000_000 + i * 8_000_000),
            duration_ns: Some(7_000_000),
            attributes,
            ..Default::default()
        });
    }
    let t = b.build();
    let r = redact(&t, &Redaction::All);
    let runs = |t: &Trace| {
        let mut v: Vec<(i64, Vec<u32>)> = TraceAnalysis::new(t)
            .findings
            .into_iter()
            .filter(|f| f.kind == FindingKind::SequentialRepetition)
            .map(|f| (f.time_at_stake_ns, f.evidence))
            .collect();
        v.sort();
        v
    };
    let before = runs(&t);
    assert_eq!(before.len(), 2, "{before:?}");
    assert_eq!(runs(&r), before);
    same_analysis("built", &t, &r);
    let first = r.attr(&r.spans[1], "db.statement").unwrap();
    assert_eq!(first.as_str(), Some("redacted_statement_1 '1'"));
}

#[test]
fn keys_changes_only_the_chosen_key() {
    let t = &hotrod();
    let listed = keys(t);
    let (key, count) = listed
        .iter()
        .find(|(k, _)| k == "url.full")
        .cloned()
        .expect("hotrod has url.full");
    assert!(count > 0);
    assert!(listed.windows(2).all(|w| w[0].0 < w[1].0), "sorted by key");
    assert!(!listed.iter().any(|(k, _)| k == "service.name"));

    let r = redact(t, &Redaction::Keys(BTreeSet::from([key.clone()])));
    let mut changed = 0;
    for ((at, x), (_, y)) in attribute_lists(t).iter().zip(&attribute_lists(&r)) {
        for (a, b) in x.iter().zip(y.iter()) {
            if t.attr_key(a) == key {
                changed += 1;
                assert_ne!(a.value, b.value, "{at}");
                assert!(b.value.as_str().is_some_and(|s| s.starts_with("redacted-")));
            } else {
                assert_eq!(a.value, b.value, "{at}: {}", t.attr_key(a));
            }
        }
    }
    assert_eq!(changed, count);
    for (x, y) in t.spans.iter().zip(&r.spans) {
        assert_eq!(x.status, y.status);
        assert_eq!(x.warnings, y.warnings);
    }
    // None gives the trace back as it was.
    let same = redact(t, &Redaction::None);
    assert_eq!(attribute_lists(&same), attribute_lists(t));
}
