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
