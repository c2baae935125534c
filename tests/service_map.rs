//! The service map of real captures whose calls are known: HotROD's
//! `/dispatch` (frontend → customer → mysql, frontend → driver → redis,
//! frontend → route, each through a client span) and a Kafka
//! producer/consumer recorded by Zipkin.

mod common;

use traceglass::analysis::critical_path;
use traceglass::analysis::service_map::{service_map, ServiceMap};
use traceglass::import::import_bytes;
use traceglass::model::Trace;

const MS: i64 = 1_000_000;

fn load(path: &str) -> Vec<Trace> {
    let file = common::fixtures_dir().join(path);
    let bytes = std::fs::read(&file).unwrap();
    import_bytes(path, &bytes).unwrap().traces
}

fn edges(m: &ServiceMap) -> Vec<(&str, &str, u64, u64)> {
    m.calls
        .iter()
        .map(|e| {
            let name = |i: usize| m.services.get(i).map_or("?", |s| s.name.as_str());
            (name(e.from), name(e.to), e.calls, e.errors)
        })
        .collect()
}

/// HotROD's five kinds of call, each client/server pair counted once: one
/// customer look-up, one FindNearest, ten route calls, one SQL query and
/// fourteen Redis calls of which three failed. Its six services keep
/// their span counts.
#[test]
fn hotrod_has_its_known_calls_and_counts() {
    let traces = load("otlp/hotrod-40spans-6services.json");
    let refs: Vec<&Trace> = traces.iter().collect();
    let m = service_map(&refs);
    assert_eq!(
        edges(&m),
        [
            ("customer", "mysql", 1, 0),
            ("driver", "redis-manual", 14, 3),
            ("frontend", "customer", 1, 0),
            ("frontend", "driver", 1, 0),
            ("frontend", "route", 10, 0),
        ]
    );
    let nodes: Vec<(&str, u64, u64)> = m
        .services
        .iter()
        .map(|s| (s.name.as_str(), s.spans, s.errors))
        .collect();
    assert_eq!(
        nodes,
        [
            ("customer", 1, 0),
            ("driver", 1, 0),
            ("frontend", 13, 0),
            ("mysql", 1, 0),
            ("redis-manual", 14, 3),
            ("route", 10, 0),
        ]
    );
    // The customer call as the frontend's HTTP GET saw it (283.1 ms), not
    // as the customer's server span did (282.6 ms).
    let customer = m.call("frontend", "customer").map(|e| e.p95_ns / 100_000);
    assert_eq!(customer, Some(2831));
    // The route calls' client spans: 37.1 ms to 62.1 ms; the 10th of 10
    // is the 95th percentile.
    let route = m.call("frontend", "route").map(|e| e.p95_ns / MS);
    assert_eq!(route, Some(62));
}

/// The critical path of HotROD's dispatch runs through every service: the
/// customer, the driver and the routes are called one after the other.
#[test]
fn hotrod_critical_path_marks_the_services_it_crosses() {
    let traces = load("otlp/hotrod-40spans-6services.json");
    let t = traces.first().unwrap();
    let mut m = service_map(&[t]);
    m.mark_critical_path(t, &critical_path(t));
    let marked: Vec<&str> = m
        .services
        .iter()
        .filter(|s| s.on_critical_path)
        .map(|s| s.name.as_str())
        .collect();
    assert!(marked.contains(&"frontend"), "{marked:?}");
    assert!(marked.contains(&"customer"), "{marked:?}");
    assert!(marked.contains(&"mysql"), "{marked:?}");
    assert!(m.call("customer", "mysql").unwrap().on_critical_path);
}

/// Zipkin's Kafka capture: service A sends messages, some polled by
/// service B; each PRODUCER → CONSUMER pair across the services is one
/// call, the ones A consumes itself none. B's failures are in its
/// handlers, below the consumer spans, so the calls themselves did not
/// fail.
#[test]
fn kafka_producer_consumer_pairs_are_calls() {
    let traces = load("zipkin/messaging-kafka.json");
    let refs: Vec<&Trace> = traces.iter().collect();
    let m = service_map(&refs);
    assert_eq!(edges(&m), [("servicea", "serviceb", 3, 0)]);
    let b = m.service("serviceb").and_then(|i| m.services.get(i));
    // Three handlers failed (one with an empty `error` tag, an error in Zipkin).
    assert_eq!(b.map(|s| (s.spans, s.errors)), Some((6, 3)));
}
