//! The page's URL: the one place that reads and writes it and hears back
//! and forward. What each parameter means is `params` (plain Rust, tested
//! natively); `page` applies it to the browser's location and history.

#[cfg(target_arch = "wasm32")]
mod page;
pub mod params;

#[cfg(target_arch = "wasm32")]
pub use page::{listen, read, span_link, write_search, write_view, Navigation};
