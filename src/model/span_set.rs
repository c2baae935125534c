//! A set of one trace's spans, by index.

use super::SpanIx;

/// A set of spans of one trace: a bit a span index. Collapse all at 1M
/// spans collapses a third of a million of them; a hash set took tens of
/// milliseconds to fill and read them, this takes one or two. Indices are
/// those of one trace (below its span count): the set is as long as the
/// largest one put in.
#[derive(Clone, Debug, Default)]
pub struct SpanSet {
    words: Vec<u64>,
}

impl SpanSet {
    pub const fn new() -> SpanSet {
        SpanSet { words: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    pub fn contains(&self, ix: SpanIx) -> bool {
        let (word, bit) = place(ix);
        self.words.get(word).is_some_and(|w| w & bit != 0)
    }

    /// Adds `ix`; true when it was not in the set.
    pub fn insert(&mut self, ix: SpanIx) -> bool {
        let (word, bit) = place(ix);
        if word >= self.words.len() {
            self.words.resize(word + 1, 0);
        }
        match self.words.get_mut(word) {
            Some(w) if *w & bit == 0 => {
                *w |= bit;
                true
            }
            _ => false,
        }
    }

    /// Takes `ix` out; true when it was in the set.
    pub fn remove(&mut self, ix: SpanIx) -> bool {
        let (word, bit) = place(ix);
        match self.words.get_mut(word) {
            Some(w) if *w & bit != 0 => {
                *w &= !bit;
                true
            }
            _ => false,
        }
    }

    /// The spans in the set, by index.
    pub fn iter(&self) -> impl Iterator<Item = SpanIx> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &w)| {
            let base = (i as SpanIx).wrapping_mul(64);
            Bits(w).map(move |b| base + b)
        })
    }
}

/// The word and the bit of `ix`.
fn place(ix: SpanIx) -> (usize, u64) {
    ((ix / 64) as usize, 1 << (ix % 64))
}

/// The set bits of a word, lowest first.
struct Bits(u64);

impl Iterator for Bits {
    type Item = SpanIx;

    fn next(&mut self) -> Option<SpanIx> {
        if self.0 == 0 {
            return None;
        }
        let b = self.0.trailing_zeros();
        self.0 &= self.0 - 1;
        Some(b)
    }
}

impl PartialEq for SpanSet {
    fn eq(&self, other: &SpanSet) -> bool {
        let (short, long) = if self.words.len() <= other.words.len() {
            (&self.words, &other.words)
        } else {
            (&other.words, &self.words)
        };
        long.starts_with(short)
            && long
                .get(short.len()..)
                .is_some_and(|rest| rest.iter().all(|&w| w == 0))
    }
}

impl Eq for SpanSet {}

impl Extend<SpanIx> for SpanSet {
    fn extend<I: IntoIterator<Item = SpanIx>>(&mut self, iter: I) {
        for ix in iter {
            self.insert(ix);
        }
    }
}

impl FromIterator<SpanIx> for SpanSet {
    fn from_iter<I: IntoIterator<Item = SpanIx>>(iter: I) -> SpanSet {
        let mut set = SpanSet::new();
        set.extend(iter);
        set
    }
}
