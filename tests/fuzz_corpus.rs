//! Replays every stored fuzz corpus (`fuzz/corpus/<target>/`) through its
//! target's check (`traceglass::fuzzing`), natively and without fuzzing,
//! so that a regression on an input the fuzzer once found is caught by a
//! plain `cargo test`. The fuzzing itself runs with `scripts/fuzz.sh`.

use std::path::PathBuf;
use traceglass::fuzzing::TARGETS;

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
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
fn every_target_has_a_stored_corpus() {
    for (name, _) in TARGETS {
        assert!(!corpus(name).is_empty(), "fuzz/corpus/{name} is empty");
    }
}

#[test]
fn every_stored_input_passes_its_targets_check() {
    let mut total = 0;
    for (name, check) in TARGETS {
        for path in corpus(name) {
            let data = std::fs::read(&path).unwrap();
            let run = std::panic::catch_unwind(|| check(&data));
            assert!(run.is_ok(), "{name}: {} fails its check", path.display());
            total += 1;
        }
    }
    assert!(total > 0);
}
