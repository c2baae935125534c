//! Flame graphs: the open trace's (a tab of the trace view) and a summary
//! group's merged across its traces, drawn on a canvas from the layouts of
//! `analysis::flame`. Where things go in pixels, which rects are drawn,
//! what is under the pointer and the breadcrumbs are plain Rust
//! (`geometry`), tested natively; the components read signals, call it
//! and draw.

pub mod geometry;

#[cfg(target_arch = "wasm32")]
mod chart;
#[cfg(target_arch = "wasm32")]
mod merged;
#[cfg(target_arch = "wasm32")]
mod trace;

#[cfg(target_arch = "wasm32")]
pub use merged::MergedFlameView;
#[cfg(target_arch = "wasm32")]
pub use trace::TraceFlame;
