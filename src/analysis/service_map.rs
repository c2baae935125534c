//! The service map: the services of a set of traces and the calls between
//! them, as Jaeger's dependencies and Zipkin's dependency page draw them,
//! but computed here from the spans instead of asked of a backend.
//!
//! The rules, one pass over each trace's spans:
//! - A **call** from service A to service B is a span in B whose parent is
//!   in A. A CLIENT span in A with a SERVER child in B is therefore one
//!   call A → B (the server span makes it; the client span, whose parent
//!   is in A, makes none), and so is a PRODUCER in A with a CONSUMER child
//!   in B. A callee under a parent of any other kind (an uninstrumented
//!   client, a FOLLOWS_FROM child) is a call all the same.
//! - A call's **duration** is the client's view when its parent is a
//!   CLIENT span (the caller waited that long, network included), and the
//!   callee span's otherwise: a PRODUCER's own duration is only the send,
//!   so a message's is the consumer's work.
//! - A call is an **error** when the callee span or its CLIENT parent is.
//! - A service's **errors** are its spans in error.
//! - Services are told apart by name across traces; a span with no parent
//!   in the trace (a root, an orphan) calls nothing.
//! - A callee that sent no spans of its own (a database seen only through
//!   a client span) is not guessed from attributes: the map shows what was
//!   recorded.

use super::summary::percentile;
use super::CriticalPath;
use crate::model::{SpanKind, Trace};
use std::collections::{HashMap, HashSet};

/// One service of the map.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceNode {
    pub name: String,
    /// Its spans across the traces.
    pub spans: u64,
    /// Its spans in error.
    pub errors: u64,
    /// The traces it has spans in.
    pub traces: u64,
    /// Whether it has a span on the critical path of the trace marked with
    /// [`ServiceMap::mark_critical_path`].
    pub on_critical_path: bool,
}

/// The calls from one service to another.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceEdge {
    /// Index into [`ServiceMap::services`] of the caller.
    pub from: usize,
    /// Index into [`ServiceMap::services`] of the callee.
    pub to: usize,
    pub calls: u64,
    pub errors: u64,
    /// Nearest-rank 95th percentile of the calls' durations (see the
    /// module's rules for which duration).
    pub p95_ns: i64,
    /// Whether one of these calls is on the marked trace's critical path.
    pub on_critical_path: bool,
}

/// The services of some traces and the calls between them: services by
/// name, calls by caller then callee.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServiceMap {
    pub services: Vec<ServiceNode>,
    pub calls: Vec<ServiceEdge>,
}

/// The map of `traces` (see the module's rules).
pub fn service_map(traces: &[&Trace]) -> ServiceMap {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    let mut nodes: Vec<(u64, u64, u64)> = Vec::new();
    let mut edges: HashMap<(usize, usize), (u64, Vec<i64>)> = HashMap::new();
    for &trace in traces {
        // The trace's service table to the map's, once per trace.
        let local: Vec<usize> = trace
            .services
            .iter()
            .map(|s| {
                let name = trace.str(s.name);
                *index.entry(name).or_insert_with(|| {
                    names.push(name);
                    nodes.push((0, 0, 0));
                    names.len() - 1
                })
            })
            .collect();
        let mut seen = vec![false; nodes.len()];
        for span in &trace.spans {
            let Some(&svc) = local.get(span.service as usize) else {
                continue;
            };
            if let Some(n) = nodes.get_mut(svc) {
                n.0 += 1;
                n.1 += u64::from(span.is_error());
                if let Some(s) = seen.get_mut(svc).filter(|s| !**s) {
                    *s = true;
                    n.2 += 1;
                }
            }
            let Some(parent) = span.parent.and_then(|p| trace.span(p)) else {
                continue;
            };
            let Some(&caller) = local.get(parent.service as usize) else {
                continue;
            };
            if caller == svc {
                continue;
            }
            let client = parent.kind == SpanKind::Client;
            let duration = if client {
                parent.duration_ns
            } else {
                span.duration_ns
            };
            let error = span.is_error() || (client && parent.is_error());
            let e = edges.entry((caller, svc)).or_default();
            e.0 += u64::from(error);
            e.1.push(duration);
        }
    }
    // By name, and the calls by the names' order, whatever order the
    // traces came in.
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| names.get(a).cmp(&names.get(b)));
    let mut rank = vec![0; names.len()];
    for (r, &i) in order.iter().enumerate() {
        if let Some(slot) = rank.get_mut(i) {
            *slot = r;
        }
    }
    let services = order
        .iter()
        .filter_map(|&i| {
            let (spans, errors, traces) = *nodes.get(i)?;
            Some(ServiceNode {
                name: names.get(i)?.to_string(),
                spans,
                errors,
                traces,
                on_critical_path: false,
            })
        })
        .collect();
    let mut calls: Vec<ServiceEdge> = edges
        .into_iter()
        .filter_map(|((from, to), (errors, mut durations))| {
            durations.sort_unstable();
            Some(ServiceEdge {
                from: *rank.get(from)?,
                to: *rank.get(to)?,
                calls: durations.len() as u64,
                errors,
                p95_ns: percentile(&durations, 95.0),
                on_critical_path: false,
            })
        })
        .collect();
    calls.sort_by_key(|e| (e.from, e.to));
    ServiceMap { services, calls }
}

impl ServiceMap {
    /// The index of the service called `name`.
    pub fn service(&self, name: &str) -> Option<usize> {
        self.services
            .binary_search_by(|s| s.name.as_str().cmp(name))
            .ok()
    }

    /// The calls from `from` to `to`, by the services' names.
    pub fn call(&self, from: &str, to: &str) -> Option<&ServiceEdge> {
        let (from, to) = (self.service(from)?, self.service(to)?);
        self.calls.iter().find(|e| e.from == from && e.to == to)
    }

    /// Marks the services with a span on `path`, the critical path of
    /// `trace`, and the calls whose callee span is on it; anything marked
    /// before is unmarked.
    pub fn mark_critical_path(&mut self, trace: &Trace, path: &CriticalPath) {
        for s in &mut self.services {
            s.on_critical_path = false;
        }
        for e in &mut self.calls {
            e.on_critical_path = false;
        }
        let local: Vec<Option<usize>> = trace
            .services
            .iter()
            .map(|s| self.service(trace.str(s.name)))
            .collect();
        let on_path = |ix: usize| path.on_path.get(ix).copied().unwrap_or(false);
        let mut pairs: HashSet<(usize, usize)> = HashSet::new();
        for (ix, span) in trace.spans.iter().enumerate() {
            if !on_path(ix) {
                continue;
            }
            let Some(svc) = local.get(span.service as usize).copied().flatten() else {
                continue;
            };
            if let Some(s) = self.services.get_mut(svc) {
                s.on_critical_path = true;
            }
            let caller = span
                .parent
                .and_then(|p| trace.span(p))
                .and_then(|p| local.get(p.service as usize).copied().flatten());
            if let Some(caller) = caller.filter(|&c| c != svc) {
                pairs.insert((caller, svc));
            }
        }
        for e in &mut self.calls {
            e.on_critical_path = pairs.contains(&(e.from, e.to));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::critical_path;
    use crate::model::{SpanInput, Status, StatusCode, TraceBuilder};

    /// id, parent, service, kind, start, duration, error.
    type Row<'a> = (&'a str, Option<&'a str>, &'a str, SpanKind, i64, i64, bool);

    fn trace(id: &str, rows: &[Row]) -> Trace {
        let mut b = TraceBuilder::new(id);
        for &(span, parent, service, kind, start, duration, error) in rows {
            let service = b.service(service, Vec::new());
            let name = b.intern(span);
            b.push(SpanInput {
                span_id: span.to_string(),
                parent_span_id: parent.map(String::from),
                service,
                name,
                kind,
                start_ns: Some(start),
                duration_ns: Some(duration),
                status: Status {
                    code: if error {
                        StatusCode::Error
                    } else {
                        StatusCode::Unset
                    },
                    message: String::new(),
                },
                ..SpanInput::default()
            });
        }
        b.build()
    }

    use SpanKind::{Client, Consumer, Internal, Producer, Server};

    /// A web front calling an API through a client span, the API calling
    /// a database without one, and the API publishing a message a worker
    /// consumes.
    fn shop() -> Trace {
        trace(
            "t1",
            &[
                ("root", None, "web", Server, 0, 100, false),
                ("cl", Some("root"), "web", Client, 10, 60, false),
                ("sv", Some("cl"), "api", Server, 15, 50, false),
                ("q", Some("sv"), "db", Internal, 20, 10, false),
                ("pub", Some("sv"), "api", Producer, 40, 2, false),
                ("con", Some("pub"), "worker", Consumer, 80, 30, false),
            ],
        )
    }

    fn edges(m: &ServiceMap) -> Vec<(&str, &str, u64, u64, i64)> {
        m.calls
            .iter()
            .map(|e| {
                let name = |i: usize| m.services.get(i).map_or("?", |s| s.name.as_str());
                (name(e.from), name(e.to), e.calls, e.errors, e.p95_ns)
            })
            .collect()
    }

    /// A client/server pair is one call with the client's duration; a call
    /// without a client span has the callee's; a message has the
    /// consumer's.
    #[test]
    fn a_client_server_pair_is_one_call_with_the_clients_duration() {
        let t = shop();
        let m = service_map(&[&t]);
        assert_eq!(
            edges(&m),
            [
                ("api", "db", 1, 0, 10),
                ("api", "worker", 1, 0, 30),
                ("web", "api", 1, 0, 60),
            ]
        );
        let names: Vec<(&str, u64)> = m
            .services
            .iter()
            .map(|s| (s.name.as_str(), s.spans))
            .collect();
        assert_eq!(names, [("api", 2), ("db", 1), ("web", 2), ("worker", 1)]);
    }

    /// Calls add up across traces, p95 is the nearest rank over all of
    /// them, and an error on either side of a client/server pair makes the
    /// call an error, counted once.
    #[test]
    fn calls_add_up_across_traces_with_errors_and_p95() {
        let traces: Vec<Trace> = (0..20i64)
            .map(|i| {
                trace(
                    &format!("t{i}"),
                    &[
                        ("root", None, "web", Server, 0, 200, false),
                        ("cl", Some("root"), "web", Client, 0, 10 * (i + 1), i == 3),
                        ("sv", Some("cl"), "api", Server, 1, 5, i == 3 || i == 7),
                    ],
                )
            })
            .collect();
        let refs: Vec<&Trace> = traces.iter().collect();
        let m = service_map(&refs);
        // Durations 10..=200: the 19th of 20 is the 95th percentile.
        assert_eq!(edges(&m), [("web", "api", 20, 2, 190)]);
        let api = m.service("api").and_then(|i| m.services.get(i));
        assert_eq!(
            api.map(|s| (s.spans, s.errors, s.traces)),
            Some((20, 2, 20))
        );
        let web = m.service("web").and_then(|i| m.services.get(i));
        assert_eq!(
            web.map(|s| (s.spans, s.errors, s.traces)),
            Some((40, 1, 20))
        );
    }

    /// Calls within a service are not edges; a span whose parent is
    /// missing calls nothing.
    #[test]
    fn calls_within_a_service_and_orphans_are_not_edges() {
        let t = trace(
            "t",
            &[
                ("a", None, "web", Server, 0, 10, false),
                ("b", Some("a"), "web", Internal, 1, 5, false),
                ("c", Some("gone"), "api", Server, 2, 3, false),
            ],
        );
        let m = service_map(&[&t]);
        assert!(m.calls.is_empty());
        assert_eq!(m.services.len(), 2);
    }

    /// The order of the traces changes nothing.
    #[test]
    fn the_map_does_not_depend_on_the_order_of_the_traces() {
        let a = shop();
        let b = trace(
            "t2",
            &[
                ("x", None, "zeta", Server, 0, 10, false),
                ("y", Some("x"), "api", Server, 1, 5, true),
            ],
        );
        assert_eq!(service_map(&[&a, &b]), service_map(&[&b, &a]));
        assert_eq!(
            service_map(&[&a, &b]).call("zeta", "api").map(|e| e.errors),
            Some(1)
        );
    }

    /// The services and calls of the critical path are marked; a service
    /// whose only work runs beside it is not.
    #[test]
    fn the_critical_path_marks_its_services_and_calls() {
        let t = trace(
            "t",
            &[
                ("root", None, "web", Server, 0, 100, false),
                ("slow", Some("root"), "api", Server, 0, 90, false),
                ("fast", Some("root"), "cache", Server, 0, 5, false),
            ],
        );
        let mut m = service_map(&[&t]);
        m.mark_critical_path(&t, &critical_path(&t));
        let marked: Vec<(&str, bool)> = m
            .services
            .iter()
            .map(|s| (s.name.as_str(), s.on_critical_path))
            .collect();
        assert_eq!(marked, [("api", true), ("cache", false), ("web", true)]);
        assert_eq!(m.call("web", "api").map(|e| e.on_critical_path), Some(true));
        assert_eq!(
            m.call("web", "cache").map(|e| e.on_critical_path),
            Some(false)
        );
    }
}
