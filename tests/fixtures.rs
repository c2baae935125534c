//! Every file in ../shared/fixtures loads into the model, or fails with a
//! clear error; a compact summary of each is kept as an insta snapshot so a
//! change in what an importer produces shows in review.

mod common;

use std::fmt::Write;
use traceglass::import::import_bytes;

/// Files that are not traces; each must fail with a message naming what it is.
const NOT_TRACES: &[(&str, &str)] = &[
    (
        "jaeger-api/dependencies-large-array.json",
        "dependency list",
    ),
    ("jaeger-apiv3/snapshot-getservices.json", "services list"),
    (
        "jaeger-apiv3/snapshot-getoperations.json",
        "operations list",
    ),
    ("tempo/tempo-search-response.json", "Tempo search response"),
];

fn summary(name: &str, bytes: &[u8]) -> String {
    let mut s = String::new();
    match import_bytes(name, bytes) {
        Err(e) => {
            writeln!(s, "error: {e}").unwrap();
        }
        Ok(imp) => {
            writeln!(s, "format: {}", imp.format.label()).unwrap();
            writeln!(s, "traces: {}", imp.traces.len()).unwrap();
            for w in &imp.warnings {
                writeln!(s, "file warning: {w}").unwrap();
            }
            for t in imp.traces.iter().take(3) {
                writeln!(s, "trace {}", t.trace_id).unwrap();
                writeln!(
                    s,
                    "  spans {} roots {} services {} depth {} errors {} duration {} ns",
                    t.spans.len(),
                    t.roots.len(),
                    t.services.len(),
                    t.max_depth,
                    t.error_count,
                    t.duration_ns()
                )
                .unwrap();
                let mut services: Vec<&str> = t.services.iter().map(|x| t.str(x.name)).collect();
                services.sort();
                writeln!(s, "  services: {}", services.join(", ")).unwrap();
                writeln!(s, "  warnings: {}", t.warnings.len()).unwrap();
                for w in t.warnings.iter().take(4) {
                    writeln!(s, "    - {}", w.message).unwrap();
                }
                for &ix in t.tree_order.iter().take(8) {
                    let sp = &t.spans[ix as usize];
                    writeln!(
                        s,
                        "  {}{} [{}] {} +{} {}",
                        "  ".repeat(sp.depth as usize),
                        t.span_name(sp),
                        t.service_name(sp),
                        sp.span_id,
                        sp.start_ns - t.start_ns,
                        sp.duration_ns
                    )
                    .unwrap();
                }
            }
        }
    }
    s
}

#[test]
fn every_fixture_loads_or_fails_clearly() {
    let files = common::fixture_files("");
    assert!(
        files.len() >= 37 + 33 - 1,
        "found only {} fixture files",
        files.len()
    );
    let root = common::fixtures_dir();
    let mut problems = Vec::new();
    for path in &files {
        let rel = path.strip_prefix(&root).unwrap().display().to_string();
        let bytes = std::fs::read(path).unwrap();
        let result = import_bytes(&rel, &bytes);
        match (result, NOT_TRACES.iter().find(|(f, _)| *f == rel)) {
            (Ok(imp), None) => {
                if imp.traces.iter().all(|t| t.spans.is_empty()) {
                    problems.push(format!("{rel}: loaded no spans"));
                }
            }
            (Ok(_), Some(_)) => problems.push(format!("{rel}: is not a trace but loaded")),
            (Err(e), Some((_, words))) => {
                let msg = e.to_string();
                if !msg.contains(words) || !msg.contains(&rel) {
                    problems.push(format!("{rel}: unclear error: {msg}"));
                }
            }
            (Err(e), None) => problems.push(format!("{rel}: rejected: {e}")),
        }
        insta::assert_snapshot!(rel.replace(['/', '.'], "_"), summary(&rel, &bytes));
    }
    assert!(
        problems.is_empty(),
        "fixtures that fail:\n{}",
        problems.join("\n")
    );
}

#[test]
fn tree_order_holds_every_span_once_with_subtrees_contiguous() {
    for path in common::fixture_files("") {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(imp) = import_bytes("f", &bytes) else {
            continue;
        };
        for t in &imp.traces {
            let mut seen = vec![false; t.spans.len()];
            for &ix in &t.tree_order {
                assert!(
                    !seen[ix as usize],
                    "{}: span twice in tree order",
                    path.display()
                );
                seen[ix as usize] = true;
            }
            assert!(
                seen.iter().all(|&s| s),
                "{}: span missing from tree order",
                path.display()
            );
            for (i, s) in t.spans.iter().enumerate() {
                let sub = t.subtree(i as u32);
                assert_eq!(sub.first().copied(), Some(i as u32));
                assert!(sub
                    .iter()
                    .skip(1)
                    .all(|&d| t.spans[d as usize].depth > s.depth));
                assert_eq!(sub.len(), t.descendant_count(i as u32) + 1);
            }
        }
    }
}

#[test]
fn service_span_counts_add_up_to_the_spans() {
    let mut traces = 0;
    for path in common::fixture_files("") {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(imp) = import_bytes("f", &bytes) else {
            continue;
        };
        for t in &imp.traces {
            let mut counted = vec![0u32; t.services.len()];
            for s in &t.spans {
                counted[s.service as usize] += 1;
            }
            let stored: Vec<u32> = t.services.iter().map(|s| s.span_count).collect();
            assert_eq!(stored, counted, "{}", path.display());
            let sum: u64 = stored.iter().map(|&n| u64::from(n)).sum();
            assert_eq!(sum, t.spans.len() as u64, "{}", path.display());
            traces += 1;
        }
    }
    assert!(traces > 50, "only {traces} fixture traces");
}
