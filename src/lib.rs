//! Traceglass: a trace explorer that runs in the browser.
//!
//! Data flows one way: sources give bytes, [`import`] turns them into the one
//! [`model::Trace`], [`analysis`] computes critical path, self time, statistics
//! and findings from it, and `ui` only displays model and analysis.
//! `model`, `import`, `analysis`, `jaeger`, `export` and `warm` have no browser dependency;
//! of `ui`, only its plain parts (geometry, outline, URL parameters…) build natively.

pub mod analysis;
pub mod export;
/// The fuzz targets' checks (see `fuzz/`), shared with `tests/fuzz_corpus.rs`.
#[doc(hidden)]
pub mod fuzzing;
pub mod import;
pub mod jaeger;
pub mod memory;
pub mod model;
#[cfg(target_arch = "wasm32")]
pub mod sources;
pub mod text;
pub mod ui;
pub mod warm;
