//! Writing traces out: the model as Jaeger JSON (the `{"data":[trace…]}`
//! shape of Jaeger UI's download and `/api/traces`) or as OTLP/JSON
//! (`{"resourceSpans":[…]}`). Plain Rust, no browser; the UI turns the text
//! into a download.
//!
//! Both writers follow OpenTelemetry's mapping between the two formats (the
//! collector's `pkg/translator/jaeger`): span kind, status and scope become
//! `span.kind`, `error`, `otel.status_code`, `otel.status_description` and
//! `otel.scope.*` tags in Jaeger; events become logs with an `event` field;
//! links become `FOLLOWS_FROM` references; and back the other way, references
//! that are not the parent become links with `opentracing.ref_type`.
//! Re-importing a written file gives the same spans (see `tests/export.rs`).
//!
//! Around the writers: [`redact`] replaces attribute values before a trace
//! leaves the machine, [`share`] puts a trace in a link, and [`summary`]
//! words a trace's headline and findings for a ticket (Markdown) or a tool
//! (JSON).

pub mod jaeger;
pub mod otlp;
pub mod redact;
pub mod share;
pub mod summary;

pub use jaeger::to_jaeger_json;
pub use otlp::to_otlp_json;

use crate::model::{RefType, Reference, Span, Trace};

/// The reference that made a span's parent, as the model's builder chose it:
/// the first CHILD_OF in the same trace, else the first FOLLOWS_FROM. Kept
/// even when that parent is missing from the trace; `None` for a CHILD_OF
/// parent in the trace, whose reference the model does not keep.
fn parent_reference<'t>(trace: &'t Trace, span: &'t Span) -> Option<&'t Reference> {
    // A CHILD_OF parent found in the trace is the tree's edge: the builder
    // kept no reference for it.
    if span.parent.is_some() && span.parent_ref == RefType::ChildOf {
        return None;
    }
    let same = |r: &&Reference| r.trace_id.is_empty() || r.trace_id == trace.trace_id;
    span.references
        .iter()
        .filter(same)
        .find(|r| r.ref_type == RefType::ChildOf)
        .or_else(|| {
            span.references
                .iter()
                .filter(same)
                .find(|r| r.ref_type == RefType::FollowsFrom)
        })
}

/// The parent span id as the source wrote it, where the model knows it.
fn parent_span_id<'t>(trace: &'t Trace, span: &'t Span) -> Option<&'t str> {
    if let Some(r) = parent_reference(trace, span) {
        return Some(r.span_id.as_str());
    }
    span.parent.and_then(|p| trace.span(p)).map(|p| &*p.span_id)
}

/// The scope as OTLP names it: the model keeps `name version` in one string.
fn split_scope(scope: &str) -> (&str, Option<&str>) {
    match scope.split_once(' ') {
        Some((n, v)) if !v.is_empty() => (n, Some(v)),
        _ => (scope, None),
    }
}
