use super::*;
use crate::analysis::flame::trace_flame;
use crate::model::{sample, Trace};

/// A root of 0–100 with `a` (10–30, with `a1` 10–20) and `b` (40–90).
fn small() -> (Trace, Flame) {
    let t = sample::trace(&[
        ("r", None, "web", 0, 100),
        ("a", Some("r"), "db", 10, 20),
        ("a1", Some("a"), "db", 10, 10),
        ("b", Some("r"), "db", 40, 50),
    ]);
    let f = trace_flame(&t);
    (t, f)
}

fn item(t: &Trace, id: &str) -> u32 {
    t.find_span(id).and_then(|s| t.tree_position(s)).unwrap()
}

#[test]
fn the_whole_graph_fills_the_width_row_by_row() {
    let (t, f) = small();
    let win = window(&f, None);
    let mut out = Vec::new();
    let rows = rects(&f, &win, 1000.0, &mut out);
    assert_eq!(rows, 3);
    let of = |id: &str| *out.iter().find(|r| r.item == item(&t, id)).unwrap();
    let (r, a, a1, b) = (of("r"), of("a"), of("a1"), of("b"));
    assert_eq!((r.x, r.w, r.row), (0.0, 1000.0, 0));
    assert!((a.x - 100.0).abs() < 1e-6 && (a.w - 200.0).abs() < 1e-6 && a.row == 1);
    assert!((a1.x - 100.0).abs() < 1e-6 && (a1.w - 100.0).abs() < 1e-6 && a1.row == 2);
    assert!((b.x - 400.0).abs() < 1e-6 && (b.w - 500.0).abs() < 1e-6);
    assert!(out.iter().all(|r| r.items == 1));
}

/// Zoomed into `a`, `a` fills the width in the top row and nothing outside
/// its subtree is drawn.
#[test]
fn a_zoomed_item_fills_the_width() {
    let (t, f) = small();
    let win = window(&f, Some(item(&t, "a")));
    let mut out = Vec::new();
    assert_eq!(rects(&f, &win, 500.0, &mut out), 2);
    assert_eq!(out.len(), 2);
    assert_eq!((out[0].item, out[0].row), (item(&t, "a"), 0));
    assert!(out[0].x.abs() < 1e-6 && (out[0].w - 500.0).abs() < 1e-6);
    assert!((out[1].w - 250.0).abs() < 1e-6 && out[1].row == 1);
    // An item of no width cannot be zoomed into: the whole graph is shown.
    let zero = Flame {
        x0: vec![0.0, 0.5],
        x1: vec![1.0, 0.5],
        depth: vec![0, 1],
        end: vec![2, 2],
    };
    assert_eq!(window(&zero, Some(1)), window(&zero, None));
    assert!(zoomable(&zero, 0) && !zoomable(&zero, 1) && !zoomable(&zero, 2));
}

/// Pixels map back to items, row by row, in the zoomed window too.
#[test]
fn hit_testing_finds_the_item_under_a_pixel() {
    let (t, f) = small();
    let win = window(&f, None);
    let at = |x: f64, y: f64| hit(&f, &win, 1000.0, x, y);
    assert_eq!(at(5.0, 5.0), Some(item(&t, "r")));
    assert_eq!(at(999.9, 5.0), Some(item(&t, "r")));
    assert_eq!(at(150.0, ROW_HEIGHT + 1.0), Some(item(&t, "a")));
    assert_eq!(at(350.0, ROW_HEIGHT + 1.0), None, "self time of the root");
    assert_eq!(at(150.0, 2.0 * ROW_HEIGHT + 1.0), Some(item(&t, "a1")));
    assert_eq!(at(250.0, 2.0 * ROW_HEIGHT + 1.0), None);
    assert_eq!(at(450.0, ROW_HEIGHT * 1.5), Some(item(&t, "b")));
    assert_eq!(at(450.0, ROW_HEIGHT * 5.0), None);
    assert_eq!(at(-1.0, 5.0), None);
    let zoomed = window(&f, Some(item(&t, "a")));
    assert_eq!(hit(&f, &zoomed, 200.0, 10.0, 1.0), Some(item(&t, "a")));
    assert_eq!(
        hit(&f, &zoomed, 200.0, 50.0, ROW_HEIGHT + 1.0),
        Some(item(&t, "a1"))
    );
    assert_eq!(hit(&f, &zoomed, 200.0, 150.0, ROW_HEIGHT + 1.0), None);
}

/// A thousand children of a 100-pixel root: each is a tenth of a pixel,
/// so they are merged into one rect per run, and their children skipped.
#[test]
fn items_narrower_than_a_pixel_are_merged() {
    const N: usize = 1000;
    let ids: Vec<String> = (0..N).map(|i| format!("c{i}")).collect();
    let kids: Vec<String> = (0..N).map(|i| format!("k{i}")).collect();
    let mut rows: Vec<sample::Row> = vec![("r", None, "web", 0, N as i64 * 10)];
    for i in 0..N {
        rows.push((ids[i].as_str(), Some("r"), "db", i as i64 * 10, 10));
        rows.push((
            kids[i].as_str(),
            Some(ids[i].as_str()),
            "db",
            i as i64 * 10,
            5,
        ));
    }
    let t = sample::trace(&rows);
    let f = trace_flame(&t);
    let mut out = Vec::new();
    let rows = rects(&f, &window(&f, None), 100.0, &mut out);
    assert_eq!(rows, 2, "the grandchildren are not visited");
    let second: Vec<&Rect> = out.iter().filter(|r| r.row == 1).collect();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].items, N as u32);
    assert!((second[0].w - 100.0).abs() < 1e-6);
    // Wide enough, each child is a rect of its own.
    rects(&f, &window(&f, None), 10_000.0, &mut out);
    assert_eq!(out.len(), 1 + 2 * N);
}

#[test]
fn breadcrumbs_keep_the_top_and_the_nearest_ancestors() {
    // A chain: the parent of n is n - 1.
    let parent = |n: u32| n.checked_sub(1);
    assert_eq!(crumbs(0, parent, 4), (vec![], false));
    assert_eq!(crumbs(3, parent, 4), (vec![0, 1, 2], false));
    assert_eq!(crumbs(4, parent, 4), (vec![0, 1, 2, 3], false));
    assert_eq!(crumbs(9, parent, 4), (vec![0, 6, 7, 8], true));
}
