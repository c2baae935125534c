//! Small traces written out span by span, for the unit tests of the
//! modules that read traces.

use super::{SpanInput, Trace, TraceBuilder};

/// A span of [`trace`]: id, parent id, service, start and duration (ns).
pub type Row<'a> = (&'a str, Option<&'a str>, &'a str, i64, i64);

/// A span of [`named`]: id, parent id, service, name, start and duration.
pub type NamedRow<'a> = (&'a str, Option<&'a str>, &'a str, &'a str, i64, i64);

/// The trace of `rows`, each span named after its id.
pub fn trace(rows: &[Row]) -> Trace {
    let named: Vec<NamedRow> = rows
        .iter()
        .map(|&(id, parent, service, start, duration)| (id, parent, service, id, start, duration))
        .collect();
    self::named(&named)
}

/// The trace of `rows`.
pub fn named(rows: &[NamedRow]) -> Trace {
    let mut b = TraceBuilder::new("t");
    for &(id, parent, service, name, start, duration) in rows {
        let service = b.service(service, Vec::new());
        let name = b.intern(name);
        b.push(SpanInput {
            span_id: id.to_string(),
            parent_span_id: parent.map(String::from),
            service,
            name,
            start_ns: Some(start),
            duration_ns: Some(duration),
            ..SpanInput::default()
        });
    }
    b.build()
}
