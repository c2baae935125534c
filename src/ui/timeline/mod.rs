//! The timeline: the span tree as rows in tree order with a bar per span
//! on a shared time axis, virtualised so that only the rows in view are in
//! the DOM whatever the trace's size.
//!
//! Where things go (rows, slots, the view window, bars), which spans are
//! rows, what each collapse control collapses, which key does what, the
//! critical-path marks and the minimap's pixels are plain Rust, compiled
//! and tested natively (`geometry`, `outline`, `keys`, `marks`, `raster`);
//! the components only read signals, call these and write the DOM.

pub mod fields;
pub mod geometry;
pub mod keys;
pub mod marks;
pub mod outline;
pub mod raster;
pub mod repeats;

#[cfg(target_arch = "wasm32")]
mod controls;
#[cfg(target_arch = "wasm32")]
mod ctx;
#[cfg(target_arch = "wasm32")]
mod find;
#[cfg(target_arch = "wasm32")]
mod focus;
#[cfg(target_arch = "wasm32")]
mod keyboard;
#[cfg(target_arch = "wasm32")]
mod minimap;
#[cfg(target_arch = "wasm32")]
mod row;
#[cfg(target_arch = "wasm32")]
mod row_options;
#[cfg(target_arch = "wasm32")]
mod ruler;
#[cfg(target_arch = "wasm32")]
mod slots;
#[cfg(target_arch = "wasm32")]
mod view;

#[cfg(target_arch = "wasm32")]
pub use view::Timeline;
