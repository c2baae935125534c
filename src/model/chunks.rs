//! Where a builder keeps the spans pushed to it until it builds the trace.

/// The spans of a builder as they were pushed, in chunks of at most
/// [`CHUNK`]: a million spans never move as more arrive. A growing `Vec`
/// copies all of them at each doubling (128 MB at once at 1M spans, a
/// frozen frame) and holds both copies meanwhile.
#[derive(Debug, Default)]
pub(super) struct Chunks<T> {
    pub(super) chunks: Vec<Vec<T>>,
    pub(super) len: usize,
}

/// Spans in a chunk; the first chunk grows to it, as a `Vec` does, so that
/// the many small traces of a search do not each take a whole chunk.
const CHUNK: usize = 1 << 14;

impl<T> Chunks<T> {
    pub(super) fn push(&mut self, item: T) {
        match self.chunks.last_mut() {
            Some(c) if c.len() < CHUNK => c.push(item),
            _ => {
                let mut c = if self.chunks.is_empty() {
                    Vec::new()
                } else {
                    Vec::with_capacity(CHUNK)
                };
                c.push(item);
                self.chunks.push(c);
            }
        }
        self.len += 1;
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }
}

impl<T> std::ops::Index<usize> for Chunks<T> {
    type Output = T;

    fn index(&self, i: usize) -> &T {
        &self.chunks[i / CHUNK][i % CHUNK]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Across chunk boundaries, spans keep their index and their order.
    #[test]
    fn chunks_keep_index_and_order() {
        let mut c = Chunks::default();
        let n = 2 * CHUNK + 5;
        for i in 0..n {
            c.push(i);
        }
        assert_eq!(c.len, n);
        assert_eq!(c.chunks.len(), 3);
        assert!(c.iter().copied().eq(0..n));
        for i in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, n - 1] {
            assert_eq!(c[i], i);
        }
        assert!(c.chunks.into_iter().flatten().eq(0..n));
    }
}
