//! Bad input never panics: every fixture, truncated at many points and with
//! bytes flipped, either loads or gives an error that names the file.

mod common;

use proptest::prelude::*;
use traceglass::analysis::TraceAnalysis;
use traceglass::import::import_bytes;

fn check(name: &str, bytes: &[u8]) {
    match import_bytes(name, bytes) {
        Ok(imp) => {
            for t in &imp.traces {
                // The analysis must hold on whatever the importer let through.
                let _ = TraceAnalysis::new(t);
            }
        }
        Err(e) => assert!(e.to_string().starts_with(name), "{e}"),
    }
}

#[test]
fn truncated_fixtures_never_panic() {
    for path in common::fixture_files("") {
        let bytes = std::fs::read(&path).unwrap();
        let step = (bytes.len() / 40).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            check("cut.json", &bytes[..cut]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn mutated_fixtures_never_panic(file in 0usize..200, flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let files = common::fixture_files("");
        let path = &files[file % files.len()];
        let mut bytes = std::fs::read(path).unwrap();
        if bytes.len() > 200_000 {
            bytes.truncate(200_000);
        }
        for (at, b) in flips {
            let i = at % bytes.len().max(1);
            if let Some(x) = bytes.get_mut(i) {
                *x = b;
            }
        }
        check("mutated.json", &bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check("random.bin", &bytes);
    }
}
