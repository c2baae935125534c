//! A histogram of a group's trace durations, for the view to draw on a
//! canvas (every bin equally wide) and brush: a brushed stretch of pixels
//! becomes a range of bins, and that range of bins a [`Slow::Range`] of
//! durations that holds exactly the traces counted in those bins.
//!
//! The bins are equal ratios of duration (log) when the longest trace took
//! at least [`LOG_RATIO`] times the shortest: trace durations are skewed,
//! most near the median and a long tail above it, and with equal widths
//! the body would fill two or three bins while the tail, the part one
//! brushes, would be a few lonely pixels far to the right. Within a
//! narrower spread the two scales look alike and linear edges read more
//! easily, so the bins are then equal widths (linear).

use super::Slow;

/// Bins the view draws.
pub const DURATION_BINS: usize = 40;
/// Log bins when the longest duration is at least this many times the shortest.
pub const LOG_RATIO: f64 = 4.0;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scale {
    #[default]
    Linear,
    Log,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Histogram {
    pub scale: Scale,
    /// Bin `i` holds the durations from `edges_ns[i]` up to, not
    /// including, `edges_ns[i + 1]`; the last edge is the longest duration
    /// plus 1 ns. Rounding can make two log edges equal at nanosecond
    /// durations: that bin is empty.
    pub edges_ns: Vec<i64>,
    /// Traces per bin.
    pub counts: Vec<u32>,
}

impl Histogram {
    /// The durations in at most `bins` bins (fewer when the durations span
    /// fewer nanoseconds than that; none for no durations).
    pub fn of(durations: &[i64], bins: usize) -> Histogram {
        let (Some(&lo), Some(&hi)) = (durations.iter().min(), durations.iter().max()) else {
            return Histogram::default();
        };
        let top = hi.saturating_add(1);
        let span = (i128::from(top) - i128::from(lo)).max(1);
        let bins = bins.clamp(1, usize::try_from(span).unwrap_or(usize::MAX));
        let scale = if lo > 0 && hi as f64 >= LOG_RATIO * lo as f64 {
            Scale::Log
        } else {
            Scale::Linear
        };
        let mut edges: Vec<i64> = (0..=bins)
            .map(|i| match scale {
                _ if i == 0 => lo,
                _ if i == bins => top,
                Scale::Linear => (i128::from(lo) + span * i as i128 / bins as i128) as i64,
                Scale::Log => {
                    let ratio = top as f64 / lo as f64;
                    (lo as f64 * ratio.powf(i as f64 / bins as f64)).round() as i64
                }
            })
            .collect();
        // Never decreasing, whatever the rounding.
        let mut prev = lo;
        for e in edges.iter_mut() {
            *e = (*e).max(prev);
            prev = *e;
        }
        let mut h = Histogram {
            scale,
            counts: vec![0; edges.len() - 1],
            edges_ns: edges,
        };
        for &d in durations {
            if let Some(c) = h.bin_of(d).and_then(|b| h.counts.get_mut(b)) {
                *c += 1;
            }
        }
        h
    }

    pub fn bins(&self) -> usize {
        self.counts.len()
    }

    /// The fullest bin's count (for the view's vertical scale).
    pub fn max_count(&self) -> u32 {
        self.counts.iter().copied().max().unwrap_or(0)
    }

    /// The bin a duration falls in.
    pub fn bin_of(&self, ns: i64) -> Option<usize> {
        let (&first, &last) = (self.edges_ns.first()?, self.edges_ns.last()?);
        if ns < first || ns >= last {
            return None;
        }
        let after = self.edges_ns.partition_point(|&e| e <= ns);
        Some(after.saturating_sub(1).min(self.bins().checked_sub(1)?))
    }

    /// The durations of bins `first` to `last` (either way round, both
    /// included) as a selection: exactly the traces counted in them.
    pub fn range(&self, first: usize, last: usize) -> Option<Slow> {
        let (a, b) = (
            first.min(last),
            first.max(last).min(self.bins().checked_sub(1)?),
        );
        if a > b {
            return None;
        }
        let from_ns = *self.edges_ns.get(a)?;
        let to_ns = self.edges_ns.get(b + 1)?.saturating_sub(1).max(from_ns);
        Some(Slow::Range { from_ns, to_ns })
    }

    /// The bin under `x` on a canvas `width` wide (any unit), every bin
    /// equally wide; `x` outside the canvas is its nearest bin.
    pub fn bin_at(&self, x: f64, width: f64) -> Option<usize> {
        let bins = self.bins();
        if bins == 0 || !x.is_finite() || !width.is_finite() || width <= 0.0 {
            return None;
        }
        let b = (x / width * bins as f64).floor().max(0.0) as usize;
        Some(b.min(bins - 1))
    }

    /// A stretch brushed from `x0` to `x1` (either way round) on a canvas
    /// `width` wide, as the selection of the bins it touches.
    pub fn brushed(&self, x0: f64, x1: f64, width: f64) -> Option<Slow> {
        self.range(self.bin_at(x0, width)?, self.bin_at(x1, width)?)
    }

    /// Where a duration is across the canvas, from 0 to 1: its bin, and
    /// within the bin linearly (to draw a percentile's marker or the
    /// bounds of a range over the bins).
    pub fn position(&self, ns: i64) -> f64 {
        let bins = self.bins();
        let (Some(&first), Some(&last)) = (self.edges_ns.first(), self.edges_ns.last()) else {
            return 0.0;
        };
        if bins == 0 || ns <= first {
            return 0.0;
        }
        if ns >= last {
            return 1.0;
        }
        let Some(b) = self.bin_of(ns) else {
            return 0.0;
        };
        let (lo, hi) = (
            self.edges_ns.get(b).copied().unwrap_or(first),
            self.edges_ns.get(b + 1).copied().unwrap_or(last),
        );
        let within = if hi > lo {
            (ns - lo) as f64 / (hi - lo) as f64
        } else {
            0.0
        };
        (b as f64 + within) / bins as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_bins_are_log_for_a_long_tail_and_linear_otherwise() {
        let long: Vec<i64> = vec![10, 12, 15, 20, 40, 80, 160, 1_000];
        let h = Histogram::of(&long, 40);
        assert_eq!(h.scale, Scale::Log);
        assert_eq!(h.bins(), 40);
        assert_eq!(h.edges_ns.first(), Some(&10));
        assert_eq!(h.edges_ns.last(), Some(&1_001));
        assert!(h.edges_ns.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(h.counts.iter().sum::<u32>(), 8);
        assert_eq!(h.bin_of(10), Some(0));
        assert_eq!(h.bin_of(1_000), Some(39));
        assert_eq!(h.bin_of(1_001), None);
        assert_eq!(h.bin_of(9), None);
        // Equal ratios: half way between 10 and 1,001 is 100.05 ns.
        assert_eq!(h.edges_ns[20], 100);
        assert_eq!((h.bin_of(99), h.bin_of(100)), (Some(19), Some(20)));

        let narrow: Vec<i64> = (100..=300).step_by(10).collect();
        let h = Histogram::of(&narrow, 40);
        assert_eq!(h.scale, Scale::Linear);
        assert_eq!(h.edges_ns[1] - h.edges_ns[0], 5);
        assert_eq!(h.counts.iter().sum::<u32>(), 21);
        assert_eq!(h.max_count(), 1);

        // All the same: one bin of one nanosecond.
        let h = Histogram::of(&[7, 7, 7], 40);
        assert_eq!(
            (h.edges_ns.as_slice(), h.counts.as_slice()),
            (&[7, 8][..], &[3][..])
        );
        assert_eq!(
            h.range(0, 0),
            Some(Slow::Range {
                from_ns: 7,
                to_ns: 7
            })
        );
    }

    #[test]
    fn a_brushed_stretch_of_pixels_is_the_durations_of_its_bins() {
        let durations: Vec<i64> = (1..=100).map(|d| d * 10).collect();
        let h = Histogram::of(&durations, 10);
        assert_eq!(h.scale, Scale::Log);
        let width = 200.0;
        // Pixels to bins: 20 px a bin, the edges clamped.
        assert_eq!(h.bin_at(0.0, width), Some(0));
        assert_eq!(h.bin_at(19.9, width), Some(0));
        assert_eq!(h.bin_at(20.0, width), Some(1));
        assert_eq!(h.bin_at(-5.0, width), Some(0));
        assert_eq!(h.bin_at(500.0, width), Some(9));
        assert_eq!(h.bin_at(f64::NAN, width), None);
        assert_eq!(h.bin_at(10.0, 0.0), None);
        // The last three bins, brushed right to left: exactly their traces.
        let Some(Slow::Range { from_ns, to_ns }) = h.brushed(199.0, 140.0, width) else {
            panic!("no range");
        };
        assert_eq!((from_ns, to_ns), (h.edges_ns[7], 1_000));
        let inside = durations
            .iter()
            .filter(|&&d| from_ns <= d && d <= to_ns)
            .count();
        assert_eq!(inside as u32, h.counts[7..].iter().sum::<u32>());
        // A range's bounds land back on the pixels of its bins.
        assert_eq!(h.position(from_ns) * width, 140.0);
        assert_eq!(h.position(1_001), 1.0);
        assert_eq!(h.position(0), 0.0);
        // Adjacent bins share no trace.
        let (Some(Slow::Range { to_ns: a, .. }), Some(Slow::Range { from_ns: b, .. })) =
            (h.range(3, 3), h.range(4, 4))
        else {
            panic!("no ranges");
        };
        assert_eq!(a + 1, b);
        assert_eq!(Histogram::default().brushed(0.0, 10.0, 100.0), None);
    }
}
