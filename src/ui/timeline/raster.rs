//! The minimap's picture: every span of a trace as a bar in its service's
//! colour, at its place in tree order, rasterised to RGBA pixels in plain
//! Rust (compiled and tested natively), for one `putImageData`.

use crate::model::pace::{self, Pace};
use crate::ui::format::service_color;

/// The RGBA pixels of the minimap: each span a bar in its service's
/// colour, at its place in tree order; later spans paint over earlier ones.
///
/// Spans are painted last to first, and each pixel only once: per pixel
/// row, `next` leads from a pixel to the first one at or after it that is
/// still blank (a union-find with path halving), so a million spans cost
/// about a million steps plus one per pixel, whatever their widths.
///
/// It pauses through `pace` every [`pace::STRIDE`] spans: at a million
/// spans it is about a tenth of a second of work.
pub async fn raster(
    t: &crate::model::Trace,
    width: u32,
    height: u32,
    pace: &mut impl Pace,
) -> Vec<u8> {
    let (w, h) = (width.max(1) as usize, height.max(1) as usize);
    // One u32 a pixel, its bytes in RGBA order in memory.
    let mut px = vec![0u32; w * h];
    // Per row, w + 1 entries: the last one is a blank that is never painted.
    let stride = w + 1;
    let mut next: Vec<u32> = (0..h).flat_map(|_| 0..=w as u32).collect();
    let blank = |next: &mut Vec<u32>, base: usize, mut x: usize| -> usize {
        loop {
            let n = next[base + x] as usize;
            if n == x {
                return x;
            }
            let nn = next[base + n];
            next[base + x] = nn;
            x = nn as usize;
        }
    };
    let n = t.tree_order.len().max(1) as f64;
    let scale = w as f64 / t.duration_ns().max(1) as f64;
    let rows = h as f64 / n;
    let colors: Vec<u32> = (0..t.services.len().max(1))
        .map(|i| u32::from_le_bytes(rgba(service_color(i as u32))))
        .collect();
    for (k, (pos, &ix)) in t.tree_order.iter().enumerate().rev().enumerate() {
        if pace::due(k) {
            pace.pause().await;
        }
        let Some(s) = t.span(ix) else { continue };
        let color = colors.get(s.service as usize).copied().unwrap_or(u32::MAX);
        // Clamped: 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h.
        let x0 = (((s.start_ns - t.start_ns) as f64 * scale) as usize).min(w - 1);
        let x1 = (((s.end_ns() - t.start_ns) as f64 * scale).ceil() as usize).clamp(x0 + 1, w);
        let y0 = ((pos as f64 * rows) as usize).min(h - 1);
        let y1 = (((pos + 1) as f64 * rows).ceil() as usize).clamp(y0 + 1, h);
        for y in y0..y1 {
            let base = y * stride;
            let mut x = blank(&mut next, base, x0);
            while x < x1 {
                px[y * w + x] = color;
                next[base + x] = x as u32 + 1;
                x = blank(&mut next, base, x + 1);
            }
        }
    }
    px.into_iter().flat_map(u32::to_le_bytes).collect()
}

/// `#rrggbb` as opaque RGBA.
fn rgba(hex: &str) -> [u8; 4] {
    let byte = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(128)
    };
    [byte(1), byte(3), byte(5), 255]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pace::NoPause;
    use crate::model::sample;

    #[test]
    fn each_span_paints_its_row_in_its_services_colour() {
        let t = sample::trace(&[("r", None, "one", 0, 100), ("c", Some("r"), "two", 50, 50)]);
        let px = pace::now(raster(&t, 10, 2, &mut NoPause));
        assert_eq!(px.len(), 10 * 2 * 4);
        let at = |x: usize, y: usize| {
            px.get((y * 10 + x) * 4..(y * 10 + x) * 4 + 4)
                .map(<[u8]>::to_vec)
        };
        assert_eq!(at(0, 0), Some(rgba(service_color(0)).to_vec()));
        assert_eq!(at(9, 0), Some(rgba(service_color(0)).to_vec()));
        // The child covers the second half of its own row only.
        assert_eq!(at(4, 1), Some(vec![0, 0, 0, 0]));
        assert_eq!(at(5, 1), Some(rgba(service_color(1)).to_vec()));
    }
}
