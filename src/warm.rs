//! Work that readies the browser's compiler for the first real file.
//!
//! V8 first runs WebAssembly through its baseline compiler, about half as
//! fast as its optimising one, and optimises a function only after it has
//! run for a while, on the other core. A page that has never loaded a trace
//! therefore reads the first large file a third slower than the second
//! (bench/README.md). So, once the page is idle after start, the UI runs
//! the whole load path a few times over a small generated trace, in Jaeger
//! JSON and in OTLP/JSON, and drops the result. Plain Rust: the documents
//! come from here, the pacing and stopping from the UI.

use crate::export::{to_jaeger_json, to_otlp_json};
use crate::model::{
    AttrValue, Event, SpanInput, SpanKind, Status, StatusCode, Trace, TraceBuilder,
};

/// Spans in the generated trace: enough for a realistic mix of shapes,
/// small enough that one pass takes a few frames.
pub const SPANS: usize = 1_000;

const SERVICES: [&str; 6] = [
    "frontend",
    "checkout",
    "inventory",
    "payments",
    "postgres",
    "redis",
];
const OPERATIONS: [&str; 8] = [
    "GET /cart",
    "POST /checkout",
    "SELECT stock",
    "UPDATE orders",
    "charge",
    "GET session",
    "render",
    "publish order.created",
];

/// A trace of `spans` spans, four children to a parent, with the tags, logs,
/// kinds and statuses that real traces carry.
pub fn sample_trace(spans: usize) -> Trace {
    let mut b = TraceBuilder::new("5f2b8e0c4a9d17e3b6c0a1f29e8d7c45");
    let services: Vec<u32> = SERVICES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let resource = vec![
                b.attribute("hostname", AttrValue::Str(format!("{name}-7d9f8c-{i}"))),
                b.attribute("ip", AttrValue::Str(format!("10.1.0.{}", 10 + i))),
            ];
            b.service(name, resource)
        })
        .collect();
    let mut starts: Vec<i64> = Vec::with_capacity(spans);
    let t0: i64 = 1_750_050_850_108_962_000;
    for i in 0..spans {
        let parent = i.checked_sub(1).map(|p| p / 4);
        let start = parent
            .and_then(|p| starts.get(p))
            .map_or(t0, |s| s + 1_000 * (i as i64 % 4 + 1));
        starts.push(start);
        let attributes = vec![
            b.attribute("http.method", AttrValue::Str("POST".into())),
            b.attribute(
                "http.status_code",
                AttrValue::Int(200 + (i as i64 % 3) * 100),
            ),
            b.attribute(
                "sampler.param",
                AttrValue::Double(0.25 * (i % 4) as f64 + 0.5),
            ),
            b.attribute("cached", AttrValue::Bool(i % 3 == 0)),
            b.attribute("thread.id", AttrValue::Int(i as i64 % 64)),
        ];
        let events = if i % 4 == 0 {
            vec![Event {
                time_ns: start + 500,
                name: "retry".into(),
                attributes: vec![b.attribute("attempt", AttrValue::Int(2))],
            }]
        } else {
            Vec::new()
        };
        let name = b.intern(OPERATIONS[i % OPERATIONS.len()]);
        b.push(SpanInput {
            span_id: format!(
                "{:016x}",
                0x9e37_79b9_7f4a_7c15u64.wrapping_mul(i as u64 + 1)
            ),
            parent_span_id: parent.map(|p| {
                format!(
                    "{:016x}",
                    0x9e37_79b9_7f4a_7c15u64.wrapping_mul(p as u64 + 1)
                )
            }),
            service: services[i % services.len()],
            name,
            kind: [SpanKind::Server, SpanKind::Client, SpanKind::Internal][i % 3],
            start_ns: Some(start),
            duration_ns: Some(((spans - i) as i64) * 10_000),
            status: Status {
                code: if i % 17 == 0 {
                    StatusCode::Error
                } else {
                    StatusCode::Unset
                },
                message: String::new(),
            },
            attributes,
            events,
            ..SpanInput::default()
        });
    }
    b.build()
}

/// The sample trace written as a Jaeger JSON download and as OTLP/JSON,
/// with a file name for each.
pub fn documents(spans: usize) -> [(&'static str, String); 2] {
    let trace = sample_trace(spans);
    [
        ("warm-up.jaeger.json", to_jaeger_json(&[&trace])),
        ("warm-up.otlp.json", to_otlp_json(&[&trace])),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::import_bytes;

    #[test]
    fn both_documents_load_whole_and_clean() {
        for (name, text) in documents(SPANS) {
            let imported = import_bytes(name, text.as_bytes()).expect(name);
            assert!(
                imported.warnings.is_empty(),
                "{name}: {:?}",
                imported.warnings
            );
            let [trace] = imported.traces.as_slice() else {
                panic!("{name}: {} traces", imported.traces.len());
            };
            assert_eq!(trace.spans.len(), SPANS, "{name}");
            assert!(trace.warnings.is_empty(), "{name}: {:?}", trace.warnings);
            assert_eq!(trace.roots.len(), 1, "{name}");
            assert_eq!(trace.services.len(), SERVICES.len(), "{name}");
            assert!(trace.max_depth >= 4, "{name}: depth {}", trace.max_depth);
        }
    }
}
