//! The Leptos views. They only display the model and its analysis; every
//! computation they show was done once, at load, by `analysis`.
//!
//! App-wide state (`state`) is apart from the state of one trace's view
//! (`trace_view`), which each view owns and gives its parts by context.
//! At the bottom, used by the views and using none of them: `frames` (the
//! page's frames and clock), `budget` (paced work), `dom` (downloads, the
//! clipboard, focus), `prefs` (localStorage) and `url` (the URL and
//! back/forward). Logic that needs no browser (geometry, outline, keys,
//! URL parameters, result rows, the service map's layout) is plain Rust, compiled and tested
//! natively: those modules are the only ones outside wasm32.

pub mod compare;
pub mod config;
pub mod embed;
pub mod flame;
pub mod format;
pub mod service_map;
pub mod timeline;
pub mod url;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod bottleneck;
#[cfg(target_arch = "wasm32")]
mod budget;
#[cfg(target_arch = "wasm32")]
mod capacity;
#[cfg(target_arch = "wasm32")]
mod detail;
#[cfg(target_arch = "wasm32")]
mod dom;
#[cfg(target_arch = "wasm32")]
mod file_results;
#[cfg(target_arch = "wasm32")]
mod frames;
pub mod jaeger;
#[cfg(target_arch = "wasm32")]
mod loader;
#[cfg(target_arch = "wasm32")]
mod prefs;
#[cfg(target_arch = "wasm32")]
mod result_list;
#[cfg(target_arch = "wasm32")]
mod share;
#[cfg(target_arch = "wasm32")]
mod skew;
#[cfg(target_arch = "wasm32")]
mod state;
#[cfg(target_arch = "wasm32")]
mod statistics;
#[cfg(target_arch = "wasm32")]
mod summary;
#[cfg(target_arch = "wasm32")]
mod tail;
#[cfg(target_arch = "wasm32")]
mod trace_list;
#[cfg(target_arch = "wasm32")]
mod trace_view;
#[cfg(target_arch = "wasm32")]
mod view_state;
#[cfg(target_arch = "wasm32")]
mod warm_up;
#[cfg(target_arch = "wasm32")]
mod widgets;

#[cfg(target_arch = "wasm32")]
pub use app::App;
