//! The CRISP oracle: for every file in ../shared/fixtures/crisp, the
//! critical-path time of each `[service] operation` equals
//! `testing.opTimeExclusive` exactly.

mod common;

use std::collections::BTreeMap;
use traceglass::analysis::critical_path;
use traceglass::import::import_bytes;

fn expected(doc: &serde_json::Value) -> BTreeMap<String, i64> {
    let t = &doc["testing"];
    let map = if t.is_array() {
        &t[0]
    } else {
        &t["opTimeExclusive"]
    };
    map.as_object()
        .expect("opTimeExclusive map")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_f64().expect("number") as i64))
        .collect()
}

#[test]
fn critical_path_reproduces_op_time_exclusive() {
    let files = common::fixture_files("crisp");
    assert_eq!(files.len(), 33, "expected the 33 CRISP files");
    let mut failures = Vec::new();
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let want = expected(&doc);
        let imported = import_bytes(&path.display().to_string(), &bytes).unwrap();
        let trace = &imported.traces[0];
        let cp = critical_path(trace);
        let mut got: BTreeMap<String, i64> = BTreeMap::new();
        for (i, span) in trace.spans.iter().enumerate() {
            let t = cp.time_of(i as u32);
            if t > 0 {
                let key = format!("[{}] {}", trace.service_name(span), trace.span_name(span));
                *got.entry(key).or_default() += t / 1000;
            }
        }
        let want: BTreeMap<String, i64> = want.into_iter().filter(|(_, v)| *v != 0).collect();
        if got != want {
            failures.push(format!(
                "{}:\n  want {want:?}\n  got  {got:?}",
                path.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} files differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
