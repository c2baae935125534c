//! Checks of ARCHITECTURE.md's invariants that the compiler does not make:
//! no module of `src/` uses a module that uses it back (directly or round
//! a longer cycle), and no source file is over about 600 lines before its
//! tests.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Lines of code (before `#[cfg(test)]`) a file may have.
const MAX_LINES: usize = 620;

type Module = Vec<String>;

/// Every `.rs` file under `src/`, by module path (`ui::timeline::view`).
fn modules() -> BTreeMap<Module, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files
        .into_iter()
        .filter_map(|p| {
            let rel = p.strip_prefix(&root).ok()?.with_extension("");
            let mut m: Module = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(m.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                m.pop();
            }
            Some((m, p))
        })
        .collect()
}

/// The code of a file before its tests.
fn code(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    match text.find("#[cfg(test)]") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// The paths a file names that start with `crate`, `super` or `self`,
/// with a `{…}` group after one read as one path per item.
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < code.len() {
        let rest = &code[i..];
        let start = ["crate::", "super::", "self::"]
            .iter()
            .any(|p| rest.starts_with(p))
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'));
        if !start {
            i += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        let base: Vec<String> = rest[..end]
            .split("::")
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        out.push(base.clone());
        if rest[end..].starts_with('{') {
            let close = rest[end..].find('}').map_or(rest.len(), |c| end + c);
            for item in rest[end + 1..close].split(',') {
                let item = item.split(" as ").next().unwrap_or("").trim();
                if !item.is_empty() && item != "self" {
                    let mut p = base.clone();
                    p.extend(item.split("::").map(String::from));
                    out.push(p);
                }
            }
            i += close;
        } else {
            i += end.max(1);
        }
    }
    out
}

/// What each module uses of the others (not its own ancestors).
fn uses(mods: &BTreeMap<Module, PathBuf>) -> BTreeMap<Module, BTreeSet<Module>> {
    mods.iter()
        .map(|(m, p)| {
            let targets = paths(&code(p))
                .into_iter()
                .filter_map(|path| {
                    let mut full: Module = Vec::new();
                    let mut parts = path.into_iter().peekable();
                    if parts.peek().is_some_and(|s| s == "crate") {
                        parts.next();
                    } else {
                        full = m.clone();
                        while let Some(s) = parts.peek() {
                            match s.as_str() {
                                "super" => {
                                    full.pop();
                                }
                                "self" => {}
                                _ => break,
                            }
                            parts.next();
                        }
                    }
                    full.extend(parts);
                    (1..=full.len())
                        .rev()
                        .map(|n| full[..n].to_vec())
                        .find(|c| mods.contains_key(c))
                })
                .filter(|t| t != m && !m.starts_with(t))
                .collect();
            (m.clone(), targets)
        })
        .collect()
}

/// Every module that reaches itself, with the way round.
fn cycles(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<String> {
    let mut out = Vec::new();
    for start in graph.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<(Module, Vec<Module>)> = vec![(start.clone(), vec![start.clone()])];
        while let Some((m, trail)) = stack.pop() {
            for next in graph.get(&m).into_iter().flatten() {
                if next == start {
                    let mut names: Vec<String> = trail.iter().map(|x| x.join("::")).collect();
                    names.push(start.join("::"));
                    out.push(names.join(" -> "));
                } else if seen.insert(next.clone()) {
                    let mut t = trail.clone();
                    t.push(next.clone());
                    stack.push((next.clone(), t));
                }
            }
        }
    }
    out
}

#[test]
fn no_module_uses_one_that_uses_it_back() {
    let graph = uses(&modules());
    assert!(
        graph.len() > 40,
        "the walk found the sources: {}",
        graph.len()
    );
    let found = cycles(&graph);
    assert!(found.is_empty(), "import cycles:\n{}", found.join("\n"));
}

#[test]
fn the_check_reads_use_lines_and_finds_cycles() {
    let a = "use super::b::Thing;\nfn f() { crate::x::y(); }";
    let b = "use super::{a, c as d};";
    assert_eq!(
        paths(a),
        vec![vec!["super", "b", "Thing"], vec!["crate", "x", "y"]]
    );
    assert_eq!(
        paths(b),
        vec![vec!["super"], vec!["super", "a"], vec!["super", "c"]]
    );
    let m = |s: &str| vec![s.to_string()];
    let mut graph: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    graph.insert(m("a"), [m("b")].into());
    graph.insert(m("b"), [m("c")].into());
    graph.insert(m("c"), BTreeSet::new());
    assert!(cycles(&graph).is_empty());
    graph.insert(m("c"), [m("a")].into());
    assert_eq!(
        cycles(&graph).first().map(String::as_str),
        Some("a -> b -> c -> a")
    );
}

#[test]
fn no_source_file_is_over_about_600_lines_before_its_tests() {
    let long: Vec<String> = modules()
        .values()
        .filter_map(|p| {
            let n = code(p).lines().count();
            (n > MAX_LINES).then(|| format!("{}: {n} lines", p.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines:\n{}",
        long.join("\n")
    );
}
