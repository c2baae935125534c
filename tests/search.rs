//! `Query::find`, which works out keys, services and names once per trace,
//! finds exactly the spans that `Query::matches` accepts one by one; so does
//! a `Finder` fed the spans in another order (the timeline feeds it a piece
//! at a time), whatever its memos saw first.

mod common;

use traceglass::analysis::search::Query;
use traceglass::import::import_bytes;

#[test]
fn find_agrees_with_matches_on_every_fixture() {
    let queries = [
        "http",
        "500",
        "GET",
        "-http error",
        "status_code=5",
        "\"GET /\"",
        "true",
        "frontend -url",
        "sql select",
        "Ä",
    ];
    let mut compared = 0;
    for path in common::fixture_files("") {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(imp) = import_bytes("f.json", &bytes) else {
            continue;
        };
        for t in &imp.traces {
            for q in queries {
                let query = Query::parse(q);
                let one_by_one: Vec<u32> = t
                    .tree_order
                    .iter()
                    .copied()
                    .filter(|&ix| query.matches(t, ix))
                    .collect();
                assert_eq!(query.find(t), one_by_one, "{} {q}", path.display());
                let mut finder = query.finder(t);
                let mut backwards: Vec<u32> = t
                    .tree_order
                    .iter()
                    .rev()
                    .copied()
                    .filter(|&ix| finder.matches(ix))
                    .collect();
                backwards.reverse();
                assert_eq!(backwards, one_by_one, "{} {q}, backwards", path.display());
                compared += one_by_one.len();
            }
        }
    }
    assert!(compared > 1000, "only {compared} matches compared");
}
