//! What the program holds: a global allocator that counts the bytes it has
//! handed out, and the peak since a point in time.
//!
//! The browser build installs [`Counting`] (in `main.rs`), so that a load
//! can tell how much of the tab's memory it has taken and stop before the
//! wasm runs out (see `import::capacity`). Natively nothing is counted
//! unless a binary installs it, as `tests/memory.rs` does; [`counted`]
//! says whether it is.
//!
//! The counts are of the bytes asked for. The allocator's own overhead
//! and fragmentation come on top: the wasm memory (which only grows) is
//! read from the page for that.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// A [`GlobalAlloc`] that counts the live bytes of the one it wraps.
pub struct Counting<A>(pub A);

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Relaxed).saturating_add(by);
    PEAK.fetch_max(now, Relaxed);
}

fn shrank(by: usize) {
    LIVE.fetch_sub(by, Relaxed);
}

// SAFETY: every call is passed on unchanged to the wrapped allocator; the
// counters are only read and written beside it.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is the wrapped allocator's.
        let p = unsafe { self.0.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { self.0.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // Both blocks are held while the bytes are copied.
            grew(new_size);
            shrank(layout.size());
        }
        p
    }
}

/// Bytes allocated and not yet freed (0 when nothing counts).
pub fn live() -> usize {
    LIVE.load(Relaxed)
}

/// The most bytes held at once since the last [`reset_peak`].
pub fn peak() -> usize {
    PEAK.load(Relaxed)
}

/// Starts a new peak from what is held now.
pub fn reset_peak() {
    PEAK.store(LIVE.load(Relaxed), Relaxed);
}

/// Whether this program counts its allocations (it installed [`Counting`]).
pub fn counted() -> bool {
    // Any program allocates before it asks; nothing counted, no peak.
    peak() != 0
}

/// What the program may still take, learnt by asking for it.
///
/// A wasm32 page can address 4 GiB, and a browser may give less (each
/// `memory.grow` may be refused). Rust stops the program when an allocation
/// fails, so a load must never get there: before what it keeps could need
/// more than the memory it knows it can have, it asks for that much with
/// fallible reservations ([`Vec::try_reserve_exact`], in blocks, since one
/// allocation is at most 2 GiB on wasm32) and frees them at once. The
/// allocator keeps what it got for the build to use; a refusal means the
/// tab is full at that size, and the load stops keeping spans
/// ([`crate::import::Loader::keep_within`]).
#[derive(Debug)]
pub struct Capacity {
    /// Bytes the program is known to be able to hold (held plus reserved
    /// once).
    known: usize,
    /// Bytes it could not get: no reservation beyond this is tried again.
    ceiling: usize,
}

/// Bytes asked for beyond the need, so that a reservation is not made
/// again for every piece of the file.
const STEP: usize = 64 << 20;

/// Room kept for everything that is not the trace: the views and what
/// they draw.
pub const MARGIN: usize = 128 << 20;

/// What the allocator takes beyond the bytes asked for (its headers, its
/// rounding, fragmentation), as a share of them: an eighth (the wasm
/// memory after a 1M-span load is about 1.14 times the peak the counter
/// saw).
const OVERHEAD_DIV: usize = 8;

/// Needs up to this much are not reserved for: every browser that runs
/// WebAssembly gives a tab that, and a small load (the demo, a search)
/// should not grow the page's memory ahead of what it uses.
pub const FREE_BELOW: usize = 512 << 20;

/// The largest block reserved at once.
const BLOCK: usize = 256 << 20;

/// Blocks reserved at most in one [`reserve`].
const MAX_BLOCKS: usize = 128;

/// Bytes a wasm32 page can address (4 GiB, less the one byte a 32-bit
/// `usize` cannot count).
pub const WASM32_MAX: usize = u32::MAX as usize;

/// Bytes a span kept costs, in the browser build, on top of what it holds
/// as read, at the peak of building, correcting and analysing it: 194
/// measured with `bench/browser.mjs` at 1M generated spans (510 held as
/// read, 704 at the build's peak), mostly the span's record and the
/// build's per-span arrays, which do not grow with its attributes; with
/// room to spare.
pub const BUILD_PER_SPAN: usize = 240;

impl Capacity {
    /// A program that cannot hold more than `ceiling` bytes.
    pub fn new(ceiling: usize) -> Capacity {
        Capacity {
            known: live().min(ceiling),
            ceiling,
        }
    }

    /// Whether the program can hold `need` bytes in all (what it holds
    /// now included); reserves memory to make sure when it does not know
    /// yet. `false`: the memory cannot be had.
    pub fn fits(&mut self, need: usize) -> bool {
        if need > self.ceiling {
            return false;
        }
        if need <= self.known.max(FREE_BELOW) {
            return true;
        }
        let held = live();
        let want = need.saturating_add(STEP).min(self.ceiling);
        let got = reserve(want.saturating_sub(held));
        let reached = held.saturating_add(got);
        self.known = self.known.max(reached);
        if reached < want {
            self.ceiling = reached;
        }
        need <= self.known
    }

    /// The most the program could hold, as far as it knows.
    pub fn ceiling(&self) -> usize {
        self.ceiling
    }
}

/// What `spans` spans still to be built need in all, the program holding
/// `held` bytes (those spans as read included): `per_span` more each, the
/// allocator's overhead on all of it, and the [`MARGIN`].
pub fn need_for_spans(held: usize, spans: usize, per_span: usize) -> usize {
    need(held.saturating_add(spans.saturating_mul(per_span)))
}

/// What holding `bytes` needs in all: the allocator's overhead on them and
/// the [`MARGIN`].
pub fn need(bytes: usize) -> usize {
    bytes
        .saturating_add(bytes / OVERHEAD_DIV)
        .saturating_add(MARGIN)
}

/// Reserves up to `bytes` in blocks of at most [`BLOCK`], frees them, and
/// says how many it got: the allocator keeps them for what comes next.
pub fn reserve(bytes: usize) -> usize {
    // Room for the blocks' list first, so that keeping them asks for
    // nothing while memory is short.
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    if blocks.try_reserve_exact(MAX_BLOCKS).is_err() {
        return 0;
    }
    let peak_before = peak();
    let mut got = 0usize;
    let mut block = BLOCK;
    while got < bytes && block >= (1 << 20) && blocks.len() < MAX_BLOCKS {
        let size = block.min(bytes - got);
        let mut b: Vec<u8> = Vec::new();
        if b.try_reserve_exact(size).is_ok() {
            got += size;
            blocks.push(b);
        } else {
            // Refused: try smaller blocks, down to a megabyte.
            block /= 2;
        }
    }
    drop(blocks);
    // The blocks were never used: the peak is what the program held.
    PEAK.store(peak_before.max(live()), Relaxed);
    got
}
