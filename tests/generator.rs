//! The benchmark trace generator writes files the importers read back as the
//! trace it meant: one root, the right span count, realistic depth and
//! services, and the same trace in Jaeger and OTLP form.

#[path = "../bench/gen/mod.rs"]
mod gen;

use std::collections::BTreeSet;
use traceglass::import::{import_bytes, Format};
use traceglass::model::{AttrValue, Trace};

const SPANS: usize = 2_000;
const SEED: u64 = 42;

fn one_trace(name: &str, bytes: &[u8], format: Format) -> Trace {
    let imported = import_bytes(name, bytes).unwrap();
    assert_eq!(imported.format, format, "{name}");
    assert!(
        imported.warnings.is_empty(),
        "{name}: {:?}",
        imported.warnings
    );
    let mut traces = imported.traces;
    assert_eq!(traces.len(), 1, "{name}");
    traces.pop().unwrap()
}

fn check_shape(name: &str, t: &Trace) {
    assert_eq!(t.spans.len(), SPANS, "{name}");
    assert_eq!(t.roots.len(), 1, "{name}");
    assert!(
        (5..=12).contains(&t.max_depth),
        "{name}: max depth {}",
        t.max_depth
    );
    assert!(
        t.services.len() >= 15,
        "{name}: {} services",
        t.services.len()
    );
    assert!(
        t.warnings.is_empty(),
        "{name}: {:?}",
        &t.warnings[..t.warnings.len().min(5)]
    );
    // Memory stays lean: no span keeps spare room in its lists (a list
    // collected in place from a larger one once kept 22 slots for 9 tags).
    for s in &t.spans {
        let room = |len: usize, cap: usize| (len, cap);
        assert_eq!(
            [
                room(s.attributes.len(), s.attributes.capacity()),
                room(s.events.len(), s.events.capacity()),
                room(s.references.len(), s.references.capacity()),
                room(s.links.len(), s.links.capacity()),
            ]
            .iter()
            .filter(|(len, cap)| len != cap)
            .count(),
            0,
            "{name}: span {} has spare room in its lists",
            s.span_id
        );
    }
}

fn op_names(t: &Trace) -> BTreeSet<String> {
    t.spans.iter().map(|s| t.span_name(s).to_string()).collect()
}

#[test]
fn jaeger_and_otlp_give_the_same_trace() {
    let mut jaeger = Vec::new();
    gen::write_jaeger(&mut jaeger, SPANS, SEED).unwrap();
    let mut otlp = Vec::new();
    gen::write_otlp(&mut otlp, SPANS, SEED).unwrap();

    let j = one_trace("gen.jaeger.json", &jaeger, Format::JaegerJson);
    let o = one_trace("gen.otlp.json", &otlp, Format::Otlp);
    check_shape("jaeger", &j);
    check_shape("otlp", &o);

    assert_eq!(j.spans.len(), o.spans.len());
    assert_eq!(op_names(&j), op_names(&o));
    assert_eq!(j.trace_id, o.trace_id);
    assert_eq!(j.max_depth, o.max_depth);
    assert_eq!((j.start_ns, j.end_ns), (o.start_ns, o.end_ns));
    assert_eq!(j.error_count, o.error_count);

    // Realistic enough: many operations, kinds of every sort, a few errors,
    // events on about a tenth of spans, about eight tags of mixed types.
    assert!(
        j.operations.len() >= 100,
        "{} operations",
        j.operations.len()
    );
    let kinds: BTreeSet<&str> = j.spans.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["client", "consumer", "internal", "producer", "server"]
            .into_iter()
            .collect()
    );
    assert!(
        (1..=SPANS / 20).contains(&j.error_count),
        "{} errors",
        j.error_count
    );
    let with_events = j.spans.iter().filter(|s| !s.events.is_empty()).count();
    assert!(
        (SPANS / 20..=SPANS / 5).contains(&with_events),
        "{with_events} spans with events"
    );
    let tags: usize = o.spans.iter().map(|s| s.attributes.len()).sum();
    assert!(
        (6 * SPANS..=10 * SPANS).contains(&tags),
        "{tags} attributes"
    );
    let has = |f: fn(&AttrValue) -> bool| {
        o.spans
            .iter()
            .flat_map(|s| &s.attributes)
            .any(|a| f(&a.value))
    };
    assert!(has(|v| matches!(v, AttrValue::Str(_))));
    assert!(has(|v| matches!(v, AttrValue::Int(_))));
    assert!(has(|v| matches!(v, AttrValue::Bool(_))));
    assert!(has(|v| matches!(v, AttrValue::Double(_))));
}

#[test]
fn same_seed_same_bytes() {
    let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
    gen::write_jaeger(&mut a, 300, 7).unwrap();
    gen::write_jaeger(&mut b, 300, 7).unwrap();
    gen::write_jaeger(&mut c, 300, 8).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn many_traces() {
    let mut bytes = Vec::new();
    gen::write_jaeger_many(&mut bytes, 50, 100, SEED).unwrap();
    let imported = import_bytes("many.json", &bytes).unwrap();
    assert_eq!(imported.traces.len(), 50);
    for t in &imported.traces {
        assert_eq!(t.spans.len(), 100);
        assert_eq!(t.roots.len(), 1);
    }
}

#[test]
fn small_sizes() {
    for n in [1, 2, 3, 10] {
        let mut bytes = Vec::new();
        gen::write_otlp(&mut bytes, n, 1).unwrap();
        let t = one_trace("small.json", &bytes, Format::Otlp);
        assert_eq!(t.spans.len(), n);
        assert_eq!(t.roots.len(), 1);
    }
}
