//! One Jaeger span's fields as the two readers give them: the fast reader
//! (`fast.rs`) with strings borrowed from the input, and serde
//! (`serde_reader.rs`) for everything else. Both readers produce these
//! types and neither uses the other (the fast reader's tests compare the
//! two); the importer (`mod.rs`) turns them into `SpanInput`s.

use crate::model::{AttrValue, TraceBuilder};
use std::borrow::Cow;

/// A process, converted once: its service name and resource.
#[derive(Debug, PartialEq)]
pub(in crate::import) struct Process {
    pub(super) name: Option<String>,
    pub(super) resource: Vec<(String, AttrValue)>,
}

impl Process {
    pub(super) fn service(&self, b: &mut TraceBuilder) -> u32 {
        let resource = self
            .resource
            .iter()
            .map(|(k, v)| b.attribute(k, v.clone()))
            .collect();
        b.service(self.name.as_deref().unwrap_or("unknown"), resource)
    }
}

/// One span's fields, as either reader gives them: serde through its
/// derived structs (`serde_reader.rs`), or the fast reader (`fast.rs`) for
/// the common shape.
#[derive(Debug, Default, PartialEq)]
pub(in crate::import) struct Parts<'a> {
    pub trace_id: Option<Cow<'a, str>>,
    pub span_id: Cow<'a, str>,
    pub parent_span_id: Option<Cow<'a, str>>,
    pub operation_name: Option<Cow<'a, str>>,
    pub references: Vec<RefParts<'a>>,
    pub start_time: Option<i64>,
    pub duration: Option<i64>,
    pub tags: Vec<(Cow<'a, str>, AttrValue)>,
    pub logs: Vec<LogParts<'a>>,
    pub process_id: Option<Cow<'a, str>>,
    /// The span's own process (jaeger-anonymizer's span arrays).
    pub process: Option<Process>,
    pub warnings: Vec<Cow<'a, str>>,
}

#[derive(Debug, Default, PartialEq)]
pub(in crate::import) struct RefParts<'a> {
    pub ref_type: Option<Cow<'a, str>>,
    pub trace_id: Option<Cow<'a, str>>,
    pub span_id: Option<Cow<'a, str>>,
}

#[derive(Debug, Default, PartialEq)]
pub(in crate::import) struct LogParts<'a> {
    pub timestamp: Option<i64>,
    pub fields: Vec<(Cow<'a, str>, AttrValue)>,
}
