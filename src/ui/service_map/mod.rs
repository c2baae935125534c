//! The service map: the services of the loaded traces (or of a summary
//! group) and the calls between them, drawn as SVG. The graph is
//! `analysis::service_map`'s; where each box and curve goes is `layout`'s
//! (plain, tested natively); `view` draws it and turns a click on a
//! service into the timeline filtered to it.

pub mod layout;
#[cfg(target_arch = "wasm32")]
mod view;

#[cfg(target_arch = "wasm32")]
pub use view::{GroupServiceMap, ServiceMapTab};
