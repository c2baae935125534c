//! The page's URL: the one place that reads and writes it and hears back
//! and forward. What each parameter means is `params` (plain Rust, tested
//! natively); `page` applies it to the browser's location and history.

pub mod embed;
#[cfg(target_arch = "wasm32")]
mod page;
pub mod params;
pub mod share;

#[cfg(target_arch = "wasm32")]
pub use page::{
    fragment, listen, origin_and_path, read, span_link, standalone_href, write_compare,
    write_search, write_view, Navigation,
};
