//! Replays every stored fuzz corpus (`fuzz/corpus/<target>/`, minimized by
//! `scripts/fuzz.sh all store`), the hand-written seeds (`fuzz/seeds/`) and
//! every input that once failed a check (`fuzz/regressions/<target>/`,
//! kept whole) through its target's check
//! (`traceglass::fuzzing`), natively and without fuzzing, so that a plain
//! `cargo test` catches a regression. The fuzzing itself runs with
//! `scripts/fuzz.sh`.

use std::path::PathBuf;
use traceglass::fuzzing::TARGETS;

fn inputs(folder: &str, target: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(folder)
        .join(target);
    if !dir.exists() {
        return Vec::new();
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_target_has_stored_inputs() {
    for (name, _) in TARGETS {
        assert!(
            !inputs("corpus", name).is_empty() || !inputs("seeds", name).is_empty(),
            "neither fuzz/corpus/{name} nor fuzz/seeds/{name} holds an input"
        );
    }
}

#[test]
fn every_stored_input_passes_its_targets_check() {
    let mut total = 0;
    for (name, check) in TARGETS {
        for path in inputs("corpus", name)
            .into_iter()
            .chain(inputs("seeds", name))
            .chain(inputs("regressions", name))
        {
            let data = std::fs::read(&path).unwrap();
            let run = std::panic::catch_unwind(|| check(&data));
            assert!(run.is_ok(), "{name}: {} fails its check", path.display());
            total += 1;
        }
    }
    assert!(total > 0);
}
