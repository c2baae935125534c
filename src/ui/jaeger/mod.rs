//! Live Jaeger: the connection (base URL, token, credentials, timeout),
//! API detection and a health indicator, the search form in Jaeger UI's
//! terms (operations grouped by span kind), the results (list, sort
//! orders, scatter plot), opening a result or a trace id, fetching every
//! result for the summary, and downloading the results as Jaeger JSON or
//! OTLP JSON.
//!
//! Requests go through `sources::jaeger`; traces, whichever request brings
//! them, go through the one load path (`loader`). A newer request of a kind
//! (connecting, a service's operations, a search, a trace by id) aborts the
//! older one, whose answer is never shown.

pub mod rows;

#[cfg(target_arch = "wasm32")]
mod fetch_all;
#[cfg(target_arch = "wasm32")]
mod form;
#[cfg(target_arch = "wasm32")]
mod health;
#[cfg(target_arch = "wasm32")]
mod results;
#[cfg(target_arch = "wasm32")]
mod start;
#[cfg(target_arch = "wasm32")]
mod state;

#[cfg(target_arch = "wasm32")]
pub use form::JaegerPanel;
#[cfg(target_arch = "wasm32")]
pub use results::{ResultsView, SearchSummaryBar};
#[cfg(target_arch = "wasm32")]
pub use state::{JaegerUi, Opening};
