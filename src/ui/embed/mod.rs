//! Embedding in another page: the `postMessage` API's messages (`protocol`,
//! plain Rust) and the listener that carries them out (`host`). The
//! embed flags of the URL are `url::embed`; what an embedded page draws is
//! `app`'s.

pub mod protocol;

#[cfg(target_arch = "wasm32")]
mod host;

#[cfg(target_arch = "wasm32")]
pub use host::start;
