//! Plain: a laid-out flame graph (`analysis::flame::Flame`) in pixels. The
//! zoomed item fills the width and its row is the top one; the rects to
//! draw, with those narrower than a pixel merged; the item under a pixel;
//! the breadcrumbs back out.
//!
//! Drawing stays fast at a million spans because it never looks at what
//! cannot show: an item narrower than [`MIN_PX`] is merged with its
//! narrow neighbours of the row into one rect, and its subtree (narrower
//! still) is skipped; rows past [`MAX_ROWS`] are skipped with theirs. So a
//! draw visits at most about a pixel's worth of items per pixel and row.

use crate::analysis::flame::Flame;

/// Height of a row, in CSS pixels.
pub const ROW_HEIGHT: f64 = 18.0;
/// Items narrower than this (CSS pixels) are merged with their neighbours.
pub const MIN_PX: f64 = 1.0;
/// Rows drawn below the zoomed item's (zoom in to see deeper).
pub const MAX_ROWS: u32 = 300;
/// Rects at least this wide (CSS pixels) carry their name.
pub const LABEL_PX: f64 = 40.0;

/// The part of the flame graph shown: the zoomed item's subtree (or all).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// The items shown, `from..to`.
    pub from: u32,
    pub to: u32,
    /// The fractions of the whole width at the left and right edges.
    pub x0: f64,
    pub x1: f64,
    /// The depth of the top row.
    pub depth: u32,
}

/// Whether `item` can be zoomed into: it has a width (a span wholly outside
/// its parent, or a node of no weight, has none).
pub fn zoomable(flame: &Flame, item: u32) -> bool {
    let i = item as usize;
    matches!((flame.x0.get(i), flame.x1.get(i)), (Some(a), Some(b)) if b > a)
}

/// The window of `zoom`'s subtree, or of the whole graph when `zoom` is
/// none or not [`zoomable`].
pub fn window(flame: &Flame, zoom: Option<u32>) -> Window {
    let whole = Window {
        from: 0,
        to: flame.len() as u32,
        x0: 0.0,
        x1: 1.0,
        depth: 0,
    };
    let Some(z) = zoom else { return whole };
    let i = z as usize;
    match (
        flame.x0.get(i),
        flame.x1.get(i),
        flame.depth.get(i),
        flame.end.get(i),
    ) {
        (Some(&x0), Some(&x1), Some(&depth), Some(&end)) if zoomable(flame, z) => Window {
            from: z,
            to: end,
            x0,
            x1,
            depth,
        },
        _ => whole,
    }
}

impl Window {
    /// CSS pixels per fraction of the whole width, at `width` pixels.
    fn scale(&self, width: f64) -> f64 {
        width / (self.x1 - self.x0).max(f64::MIN_POSITIVE)
    }
}

/// One rect to draw: an item, or several narrow neighbours merged.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    /// The item (the first of a merged run).
    pub item: u32,
    /// Left edge and width, in CSS pixels.
    pub x: f64,
    pub w: f64,
    /// Row below the top one.
    pub row: u32,
    /// Items merged into the rect (1 for an item of its own).
    pub items: u32,
}

/// The rects of `win` at `width` CSS pixels, into `out` (cleared first);
/// gives the number of rows that hold any.
pub fn rects(flame: &Flame, win: &Window, width: f64, out: &mut Vec<Rect>) -> u32 {
    out.clear();
    let k = win.scale(width);
    // The narrow run under way in each row.
    let mut runs: Vec<Option<Rect>> = Vec::new();
    let mut rows = 0u32;
    let mut i = win.from;
    while i < win.to {
        let ix = i as usize;
        let (Some(&x0), Some(&x1), Some(&d), Some(&end)) = (
            flame.x0.get(ix),
            flame.x1.get(ix),
            flame.depth.get(ix),
            flame.end.get(ix),
        ) else {
            break;
        };
        // Always past `i`, so that the walk ends whatever `end` says.
        let next_sibling = end.max(i + 1);
        let row = d.saturating_sub(win.depth);
        let (px0, px1) = ((x0 - win.x0) * k, (x1 - win.x0) * k);
        if row >= MAX_ROWS || px1 <= px0 {
            i = next_sibling;
            continue;
        }
        rows = rows.max(row + 1);
        if runs.len() <= row as usize {
            runs.resize(row as usize + 1, None);
        }
        let Some(run) = runs.get_mut(row as usize) else {
            break;
        };
        if px1 - px0 >= MIN_PX {
            out.extend(run.take());
            out.push(Rect {
                item: i,
                x: px0,
                w: px1 - px0,
                row,
                items: 1,
            });
            i += 1;
            continue;
        }
        match run {
            Some(r) if px0 <= r.x + r.w.max(MIN_PX) => {
                r.w = r.w.max(px1 - r.x);
                r.items += 1;
            }
            _ => {
                out.extend(run.take());
                *run = Some(Rect {
                    item: i,
                    x: px0,
                    w: px1 - px0,
                    row,
                    items: 1,
                });
            }
        }
        i = next_sibling;
    }
    out.extend(runs.into_iter().flatten());
    for r in out.iter_mut() {
        r.w = r.w.max(MIN_PX);
    }
    rows
}

/// The item under the CSS pixel (`x`, `y`) of `win` drawn `width` wide:
/// from the top row down, the child under `x` at each level.
pub fn hit(flame: &Flame, win: &Window, width: f64, x: f64, y: f64) -> Option<u32> {
    if x < 0.0 || y < 0.0 || x > width {
        return None;
    }
    let target = win.depth.saturating_add((y / ROW_HEIGHT) as u32);
    let at = win.x0 + x / win.scale(width);
    let (mut first, mut stop) = (win.from, win.to);
    loop {
        let mut j = first;
        let mut found = None;
        while j < stop {
            let ix = j as usize;
            let (x0, x1) = (*flame.x0.get(ix)?, *flame.x1.get(ix)?);
            if x0 > at {
                break;
            }
            if at < x1 || (at == x1 && x1 == win.x1 && x1 > x0) {
                found = Some(j);
                break;
            }
            j = (*flame.end.get(ix)?).max(j + 1);
        }
        let j = found?;
        let ix = j as usize;
        if *flame.depth.get(ix)? >= target {
            return Some(j);
        }
        first = j + 1;
        stop = *flame.end.get(ix)?;
    }
}

/// The breadcrumbs to `item`: its ancestors from the top one, at most
/// `max` of them (the top one and the nearest), and whether some between
/// were left out.
pub fn crumbs(item: u32, parent: impl Fn(u32) -> Option<u32>, max: usize) -> (Vec<u32>, bool) {
    let mut up: Vec<u32> = Vec::new();
    let mut top = None;
    let mut cut = false;
    let mut at = parent(item);
    while let Some(p) = at {
        if up.len() + 1 < max {
            up.push(p);
        } else {
            cut = top.is_some() || cut;
            top = Some(p);
        }
        at = parent(p);
    }
    up.extend(top);
    up.reverse();
    (up, cut)
}

#[cfg(test)]
mod tests;
