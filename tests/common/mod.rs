//! Locating the shared fixtures: `../shared/fixtures` beside the checkout.

use std::path::PathBuf;

#[allow(dead_code)]
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures")
}

/// Every file of one fixture folder (or all folders with `""`), sorted.
#[allow(dead_code)]
pub fn fixture_files(folder: &str) -> Vec<PathBuf> {
    let root = fixtures_dir().join(folder);
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
            panic!(
                "cannot read {}: {e}; ../shared must sit beside the checkout",
                dir.display()
            )
        });
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|x| x == "json" || x == "ndjson" || x == "jsonl")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// One span of a generated tree: its parent (an earlier span, by index),
/// whether it follows from it (a FOLLOWS_FROM reference) rather than being
/// its child, its times, its kind, and its service and name as indices.
#[allow(dead_code)]
#[derive(Clone, Debug)]
pub struct RandomSpan {
    pub parent: Option<usize>,
    pub follows_from: bool,
    pub start: i64,
    pub duration: i64,
    pub kind: traceglass::model::SpanKind,
    pub service: usize,
    pub name: usize,
}

/// The trace of generated spans: span `i` has id `{i:016x}`, its service
/// is `services[service]` (modulo their number), its name `op-{name}`.
#[allow(dead_code)]
pub fn random_trace(spans: &[RandomSpan], services: &[&str]) -> traceglass::model::Trace {
    use traceglass::model::{RefType, Reference, SpanInput, TraceBuilder};
    let mut b = TraceBuilder::new("0000000000000000000000000000abcd");
    let ids: Vec<u32> = services.iter().map(|n| b.service(n, vec![])).collect();
    for (i, g) in spans.iter().enumerate() {
        let parent_id = g.parent.map(|p| format!("{p:016x}"));
        let (parent_span_id, references) = match (parent_id, g.follows_from) {
            (Some(p), true) => (
                None,
                vec![Reference {
                    ref_type: RefType::FollowsFrom,
                    trace_id: String::new(),
                    span_id: p,
                }],
            ),
            (p, _) => (p, vec![]),
        };
        let name = b.intern(&format!("op-{}", g.name));
        b.push(SpanInput {
            span_id: format!("{i:016x}"),
            parent_span_id,
            references,
            start_ns: Some(g.start),
            duration_ns: Some(g.duration),
            service: ids.get(g.service % ids.len().max(1)).copied().unwrap_or(0),
            name,
            kind: g.kind,
            ..Default::default()
        });
    }
    b.build()
}
