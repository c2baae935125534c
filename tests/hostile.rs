//! The hostile fixture of the end-to-end test (`e2e/fixtures/hostile.json`,
//! issue #18 §4) loads, and every string it carries reaches the model
//! unchanged, as text: the e2e test checks that the page shows each one and
//! makes no element of it, so each must get as far as the views.

use std::collections::BTreeMap;
use traceglass::analysis::TraceAnalysis;
use traceglass::import::import_bytes;
use traceglass::model::Trace;

fn fixture() -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/e2e/fixtures/hostile.json");
    std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every text of a trace a view may show, one a line.
fn texts(t: &Trace) -> String {
    let mut out = Vec::new();
    for svc in &t.services {
        out.push(t.str(svc.name).to_string());
        for a in &svc.resource {
            out.push(format!("{}={}", t.attr_key(a), a.value));
        }
    }
    for op in &t.operations {
        out.push(t.str(op.name).to_string());
    }
    for s in &t.spans {
        for a in &s.attributes {
            out.push(format!("{}={}", t.attr_key(a), a.value));
        }
        for e in &s.events {
            out.push(e.name.clone());
            for a in &e.attributes {
                out.push(format!("{}={}", t.attr_key(a), a.value));
            }
        }
        for r in &s.references {
            out.push(format!("{} {}", r.trace_id, r.span_id));
        }
        for l in &s.links {
            out.push(format!("{} {}", l.trace_id, l.span_id));
        }
        out.extend(s.warnings.iter().cloned());
    }
    out.extend(t.warnings.iter().map(|w| w.message.clone()));
    out.join("\n")
}

#[test]
fn every_hostile_string_reaches_the_model_as_text() {
    let bytes = fixture();
    let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let payloads: BTreeMap<String, String> = doc
        .get("payloads")
        .cloned()
        .and_then(|p| serde_json::from_value(p).ok())
        .unwrap_or_default();
    assert!(payloads.len() >= 15, "{payloads:?}");
    let imp = import_bytes("hostile.json", &bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(imp.traces.len(), 1);
    let t = &imp.traces[0];
    assert_eq!(t.spans.len(), 3);
    let _ = TraceAnalysis::new(t);
    let all = texts(t);
    for (field, p) in &payloads {
        assert!(all.contains(p.as_str()), "{field}: {p} not in\n{all}");
    }
}
