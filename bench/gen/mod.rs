//! A deterministic generator of realistic traces, for benchmarks and tests.
//!
//! `generate(spans, seed)` builds the shape of one trace: about 20 services
//! (`svc-00` … `svc-19`) and 200 operations (HTTP routes, gRPC methods, SQL
//! statements, cache calls, Kafka topics, internal functions), depth up to 10,
//! fan-out mostly 1–5 and now and then 20–50, children mostly sequential with
//! some concurrent fan-outs, a little clock skew, ~1 % errors and an event on
//! ~10 % of spans. The writers stream that trace as Jaeger UI JSON or
//! OTLP/JSON into any `std::io::Write`: no JSON tree is built in memory, and
//! tags are derived per span from the seed while writing, so both formats
//! describe exactly the same trace.
//!
//! Included with `#[path]` by `bench/analysis.rs`, `bench/gen_trace.rs` and
//! `tests/generator.rs`; it depends on nothing but `std` and `serde_json`.

#![allow(dead_code)]

use std::io::{self, Write};

/// SplitMix64: small, fast, and good enough for test data.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Log-uniform in `lo..=hi`, skewed towards `lo`: most calls are quick, a few are slow.
    pub fn log_range(&mut self, lo: u64, hi: u64) -> u64 {
        let u = self.unit();
        let v = (lo as f64) * ((hi as f64) / (lo as f64)).powf(u * u);
        (v as u64).clamp(lo, hi)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }
}

/// SplitMix64's finaliser: a bijection on `u64`.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub const SERVICES: usize = 20;
const MAX_DEPTH: u32 = 10;

/// The domain of each service, for route, table and method names.
const DOMAINS: [&str; SERVICES] = [
    "gateway",
    "orders",
    "payments",
    "users",
    "cart",
    "inventory",
    "shipping",
    "catalog",
    "search",
    "reviews",
    "auth",
    "notifications",
    "pricing",
    "recommendations",
    "checkout",
    "currency",
    "ads",
    "fraud",
    "loyalty",
    "media",
];

/// What an operation does; decides its kind, its tags and where its children come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// An HTTP route served (kind server).
    HttpServer,
    /// A gRPC method served (kind server).
    GrpcServer,
    /// An HTTP call to another service's route (kind client); its children are that route.
    HttpClient { target: u16 },
    /// A gRPC call to another service's method (kind client).
    GrpcClient { target: u16 },
    /// A SQL statement (kind client).
    Db,
    /// A Redis call (kind client).
    Cache,
    /// Publishing to a Kafka topic (kind producer); its children consume it.
    Producer { target: u16 },
    /// Consuming from a Kafka topic (kind consumer).
    Consumer,
    /// Work inside the service (kind internal).
    Internal,
}

impl Class {
    /// OTLP's integer span kind.
    pub fn otlp_kind(self) -> u8 {
        match self {
            Class::Internal => 1,
            Class::HttpServer | Class::GrpcServer => 2,
            Class::HttpClient { .. } | Class::GrpcClient { .. } | Class::Db | Class::Cache => 3,
            Class::Producer { .. } => 4,
            Class::Consumer => 5,
        }
    }

    pub fn jaeger_kind(self) -> &'static str {
        match self.otlp_kind() {
            1 => "internal",
            2 => "server",
            3 => "client",
            4 => "producer",
            _ => "consumer",
        }
    }

    /// Served operations, consumers and internal work run work of their own.
    fn runs_work(self) -> bool {
        matches!(
            self,
            Class::HttpServer | Class::GrpcServer | Class::Consumer | Class::Internal
        )
    }
}

#[derive(Clone, Debug)]
pub struct Op {
    pub service: u16,
    pub name: String,
    pub class: Class,
    /// For SQL: the table; for HTTP and gRPC: the route or method; for Kafka: the topic.
    pub detail: String,
}

/// The operations of all services, and where each service's calls go.
#[derive(Clone, Debug)]
pub struct Catalog {
    pub ops: Vec<Op>,
    /// Per service: its server operations (HTTP routes, gRPC methods).
    pub servers: Vec<Vec<u16>>,
    /// Per service: its consumer operations.
    pub consumers: Vec<Vec<u16>>,
    /// Per service: operations a server span may run (calls, queries, internal work).
    pub work: Vec<Vec<u16>>,
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

impl Catalog {
    /// An operation a span of `service` runs: mostly calls and queries, some
    /// cache and internal work, a few messages.
    pub fn pick_work(&self, rng: &mut Rng, service: usize) -> u16 {
        let want = |class: Class| match class {
            Class::HttpClient { .. } | Class::GrpcClient { .. } => 0,
            Class::Db => 1,
            Class::Cache => 2,
            Class::Internal => 3,
            _ => 4,
        };
        let roll = rng.unit();
        let group = match roll {
            r if r < 0.40 => 0,
            r if r < 0.65 => 1,
            r if r < 0.80 => 2,
            r if r < 0.95 => 3,
            _ => 4,
        };
        let work = &self.work[service];
        let n = work
            .iter()
            .filter(|&&o| want(self.ops[o as usize].class) == group)
            .count() as u64;
        work.iter()
            .copied()
            .filter(|&o| want(self.ops[o as usize].class) == group)
            .nth(rng.range(0, n.max(1) - 1) as usize)
            .or_else(|| work.first().copied())
            .unwrap_or(0)
    }

    pub fn new(seed: u64) -> Catalog {
        let mut rng = Rng::new(seed ^ 0xC0FF_EE00);
        let mut ops: Vec<Op> = Vec::new();
        let mut servers = vec![Vec::new(); SERVICES];
        let mut consumers = vec![Vec::new(); SERVICES];
        let mut work = vec![Vec::new(); SERVICES];
        let add = |ops: &mut Vec<Op>, service: usize, name: String, class, detail: String| {
            ops.push(Op {
                service: service as u16,
                name,
                class,
                detail,
            });
            (ops.len() - 1) as u16
        };
        // Served operations first, so calls can name them.
        for (s, d) in DOMAINS.iter().enumerate() {
            let routes = [
                ("GET", format!("/api/{d}/{{id}}")),
                ("POST", format!("/api/{d}")),
                ("GET", format!("/api/{d}")),
            ];
            for (verb, path) in routes {
                let ix = add(
                    &mut ops,
                    s,
                    format!("{verb} {path}"),
                    Class::HttpServer,
                    path,
                );
                servers[s].push(ix);
            }
            let m = format!("{}Service/Get{}", capitalise(d), capitalise(d));
            let ix = add(&mut ops, s, format!("grpc {m}"), Class::GrpcServer, m);
            servers[s].push(ix);
            let topic = format!("{d}-events");
            let ix = add(
                &mut ops,
                s,
                format!("{topic} receive"),
                Class::Consumer,
                topic,
            );
            consumers[s].push(ix);
        }
        for (s, d) in DOMAINS.iter().enumerate() {
            // The call graph is a ternary tree from the gateway (svc-00 calls
            // svc-01..03, svc-01 calls svc-04..06, …), so every service is at
            // most three hops away, plus one or two calls to any other service.
            let downstream = (3 * s + 1..=3 * s + 3).filter(|&t| t < SERVICES);
            let extra: Vec<usize> = (0..rng.range(1, 2))
                .map(|_| (s + 1 + rng.range(0, SERVICES as u64 - 2) as usize) % SERVICES)
                .collect();
            for t in downstream.chain(extra) {
                let target_op = *rng.pick(&servers[t]);
                let target = &ops[target_op as usize];
                let (name, class, detail) = match target.class {
                    Class::GrpcServer => (
                        target.name.clone(),
                        Class::GrpcClient { target: target_op },
                        target.detail.clone(),
                    ),
                    _ => (
                        target.name.clone(),
                        Class::HttpClient { target: target_op },
                        target.detail.clone(),
                    ),
                };
                let ix = add(&mut ops, s, name, class, detail);
                work[s].push(ix);
            }
            for (verb, table) in [("SELECT", *d), ("INSERT", *d), ("UPDATE", "audit_log")] {
                let table = table.to_string();
                let ix = add(
                    &mut ops,
                    s,
                    format!("{verb} {table}"),
                    Class::Db,
                    table.clone(),
                );
                work[s].push(ix);
            }
            for c in ["cache.get", "cache.set"] {
                let ix = add(&mut ops, s, c.to_string(), Class::Cache, format!("{d}:"));
                work[s].push(ix);
            }
            const FUNCTIONS: [&str; 5] =
                ["validate", "render", "serialize", "compute", "authorize"];
            let first = rng.range(0, 4) as usize;
            let second = (first + rng.range(1, 4) as usize) % FUNCTIONS.len();
            for f in [FUNCTIONS[first], FUNCTIONS[second]] {
                let ix = add(
                    &mut ops,
                    s,
                    format!("{d}.{f}"),
                    Class::Internal,
                    format!("{d}::{f}"),
                );
                work[s].push(ix);
            }
            let t = (s + 1 + rng.range(0, SERVICES as u64 - 2) as usize) % SERVICES;
            let topic = format!("{}-events", DOMAINS[t]);
            let ix = add(
                &mut ops,
                s,
                format!("{topic} send"),
                Class::Producer {
                    target: consumers[t][0],
                },
                topic,
            );
            work[s].push(ix);
        }
        Catalog {
            ops,
            servers,
            consumers,
            work,
        }
    }
}

/// One generated span. Times are microseconds since the epoch (Jaeger's unit;
/// OTLP gets them times 1,000), so both formats give identical traces.
#[derive(Clone, Copy, Debug)]
pub struct GenSpan {
    pub parent: u32,
    pub op: u16,
    pub depth: u8,
    pub error: bool,
    pub event: bool,
    pub start_us: i64,
    pub duration_us: i64,
    pub id: u64,
}

impl GenSpan {
    pub fn is_root(&self) -> bool {
        self.parent == u32::MAX
    }
}

/// One generated trace; spans are in creation order, every parent before its children.
#[derive(Clone, Debug)]
pub struct GenTrace {
    pub trace_id: (u64, u64),
    pub seed: u64,
    pub catalog: Catalog,
    pub spans: Vec<GenSpan>,
}

impl GenTrace {
    pub fn trace_id_hex(&self) -> String {
        format!("{:016x}{:016x}", self.trace_id.0, self.trace_id.1)
    }

    pub fn op(&self, span: &GenSpan) -> &Op {
        &self.catalog.ops[span.op as usize]
    }
}

/// Generates a trace of `n` spans (at least 1).
pub fn generate(n: usize, seed: u64) -> GenTrace {
    let n = n.max(1);
    let catalog = Catalog::new(seed);
    let mut rng = Rng::new(seed);

    // 1. The tree and its operations, grown from the root: nodes are
    //    expanded in random order from a frontier. A call has one child, the
    //    operation it calls (rarely two: a retry); a producer has its
    //    consumer; queries and cache calls are leaves; served operations,
    //    consumers and internal work run 1–5 pieces of work of their own
    //    service, now and then 6–12 or 20–50. When the frontier runs dry
    //    before `n`, random served or internal spans get more children.
    let mut parent: Vec<u32> = Vec::with_capacity(n);
    let mut depth: Vec<u8> = Vec::with_capacity(n);
    let mut op: Vec<u16> = Vec::with_capacity(n);
    parent.push(u32::MAX);
    depth.push(0);
    op.push(*rng.pick(&catalog.servers[0]));
    let class_of = |o: u16| catalog.ops[o as usize].class;
    let mut frontier: Vec<u32> = vec![0];
    while parent.len() < n {
        let (node, reopened) = if frontier.is_empty() {
            let c = (0..64)
                .map(|_| rng.range(0, parent.len() as u64 - 1) as u32)
                .find(|&c| {
                    u32::from(depth[c as usize]) < MAX_DEPTH && class_of(op[c as usize]).runs_work()
                })
                .unwrap_or(0);
            (c, true)
        } else {
            let i = rng.range(0, frontier.len() as u64 - 1) as usize;
            (frontier.swap_remove(i), false)
        };
        let d = u32::from(depth[node as usize]);
        if d >= MAX_DEPTH {
            continue;
        }
        let class = class_of(op[node as usize]);
        let fan = match class {
            Class::Db | Class::Cache => 0,
            Class::HttpClient { .. } | Class::GrpcClient { .. } => {
                if rng.chance(0.05) {
                    0
                } else if rng.chance(0.03) {
                    2
                } else {
                    1
                }
            }
            Class::Producer { .. } => usize::from(rng.chance(0.8)),
            _ => {
                let leaf_p = if node == 0 || reopened {
                    0.0
                } else {
                    0.1 + 0.04 * d as f64
                };
                let roll = rng.unit();
                if rng.chance(leaf_p) {
                    0
                } else if roll < 0.01 {
                    rng.range(20, 50) as usize
                } else if roll < 0.06 {
                    rng.range(6, 12) as usize
                } else {
                    rng.range(1, 5) as usize
                }
            }
        };
        let service = catalog.ops[op[node as usize] as usize].service as usize;
        for _ in 0..fan.min(n - parent.len()) {
            let child_op = match class {
                Class::HttpClient { target }
                | Class::GrpcClient { target }
                | Class::Producer { target } => target,
                _ => catalog.pick_work(&mut rng, service),
            };
            parent.push(node);
            depth.push((d + 1) as u8);
            op.push(child_op);
            frontier.push((parent.len() - 1) as u32);
        }
    }

    // Children lists (CSR), in creation order.
    let mut child_start = vec![0u32; n + 1];
    for &p in &parent[1..] {
        child_start[p as usize + 1] += 1;
    }
    for i in 0..n {
        child_start[i + 1] += child_start[i];
    }
    let mut fill = child_start.clone();
    let mut child_list = vec![0u32; n.saturating_sub(1)];
    for (i, &p) in parent.iter().enumerate().skip(1) {
        child_list[fill[p as usize] as usize] = i as u32;
        fill[p as usize] += 1;
    }
    let children = |i: usize| &child_list[child_start[i] as usize..child_start[i + 1] as usize];

    // 2. Durations and offsets from the parent's start, bottom-up (children
    //    have larger indices than their parents).
    let mut dur: Vec<i64> = vec![0; n];
    let mut off: Vec<i64> = vec![0; n];
    for i in (0..n).rev() {
        let class = catalog.ops[op[i] as usize].class;
        let kids = children(i);
        if kids.is_empty() {
            dur[i] = match class {
                Class::Db => rng.log_range(150, 40_000),
                Class::Cache => rng.log_range(40, 2_000),
                Class::Internal => rng.log_range(5, 5_000),
                Class::Producer { .. } => rng.log_range(50, 1_500),
                Class::HttpClient { .. } | Class::GrpcClient { .. } => rng.log_range(500, 80_000),
                _ => rng.log_range(100, 20_000),
            } as i64;
            continue;
        }
        match class {
            Class::HttpClient { .. } | Class::GrpcClient { .. } => {
                // Network latency around the served span; more than one child is a retry.
                let mut cursor = 0;
                for &c in kids {
                    let lat = rng.log_range(80, 1_500) as i64;
                    off[c as usize] = cursor + lat;
                    cursor += lat + dur[c as usize] + rng.log_range(60, 1_200) as i64;
                }
                dur[i] = cursor;
            }
            Class::Producer { .. } => {
                // Asynchronous: the consumer starts shortly after and may outlive the send.
                dur[i] = rng.log_range(50, 1_500) as i64;
                for &c in kids {
                    off[c as usize] = rng.log_range(100, 20_000) as i64;
                }
            }
            _ => {
                let pre = rng.log_range(10, 800) as i64;
                let concurrent = kids.len() >= 20 || (kids.len() >= 2 && rng.chance(0.15));
                let mut end = pre;
                if concurrent {
                    for &c in kids {
                        let o = pre + rng.range(0, 300) as i64;
                        off[c as usize] = o;
                        end = end.max(o + dur[c as usize]);
                    }
                } else {
                    let mut prev: Option<(i64, i64)> = None;
                    let mut cursor = pre;
                    for &c in kids {
                        let d = dur[c as usize];
                        let o = match prev {
                            // Now and then two calls overlap (a prefetch, a pipelined query).
                            Some((ps, pd)) if rng.chance(0.08) => ps + pd / 2,
                            _ => cursor,
                        };
                        off[c as usize] = o;
                        prev = Some((o, d));
                        cursor = cursor.max(o + d) + rng.log_range(3, 400) as i64;
                        end = end.max(o + d);
                    }
                }
                dur[i] = end + rng.log_range(10, 1_500) as i64;
            }
        }
        // A little clock skew between hosts: the child starts a hair early or
        // ends a hair late.
        for &c in kids {
            if rng.chance(0.015) {
                let skew = rng.range(1, 120) as i64;
                if rng.chance(0.5) {
                    off[c as usize] -= skew;
                } else {
                    off[c as usize] += skew;
                }
            }
        }
    }

    // 3. Absolute times, top-down, and the rest.
    let base_us: i64 = 1_750_000_000_000_000 + (mix(seed) % 86_400_000_000) as i64;
    let mut start = vec![0i64; n];
    start[0] = base_us;
    for i in 1..n {
        start[i] = start[parent[i] as usize] + off[i];
    }
    let id_base = mix(seed ^ 0x5EED);
    let spans = (0..n)
        .map(|i| {
            let id = mix(id_base.wrapping_add(i as u64));
            GenSpan {
                parent: parent[i],
                op: op[i],
                depth: depth[i],
                error: rng.chance(0.01),
                event: rng.chance(0.10),
                start_us: start[i],
                duration_us: dur[i],
                id: if id == 0 { 0x1D } else { id },
            }
        })
        .collect();
    GenTrace {
        trace_id: (mix(seed ^ 0x7124), mix(seed ^ 0x7125)),
        seed,
        catalog,
        spans,
    }
}

/// A tag or attribute value.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Str(String),
    Int(i64),
    Bool(bool),
    F64(f64),
}

/// The tags of one span (about eight), derived from the trace seed and the span.
pub fn tags(t: &GenTrace, ix: usize) -> Vec<(&'static str, Val)> {
    let s = &t.spans[ix];
    let op = t.op(s);
    let mut rng = Rng::new(mix(t.seed ^ s.id));
    let mut v: Vec<(&'static str, Val)> = Vec::with_capacity(10);
    let status = if s.error {
        *rng.pick(&[500i64, 502, 503, 504])
    } else {
        *rng.pick(&[200i64, 200, 200, 200, 201, 204, 304])
    };
    let id = rng.range(1, 99_999);
    let method = |name: &str| name.split(' ').next().unwrap_or("GET").to_string();
    match op.class {
        Class::HttpServer => {
            v.push(("http.method", Val::Str(method(&op.name))));
            v.push(("http.route", Val::Str(op.detail.clone())));
            v.push((
                "http.target",
                Val::Str(op.detail.replace("{id}", &id.to_string())),
            ));
            v.push(("http.status_code", Val::Int(status)));
            v.push((
                "http.response_content_length",
                Val::Int(rng.range(60, 40_000) as i64),
            ));
            v.push((
                "net.peer.ip",
                Val::Str(format!("10.0.{}.{}", rng.range(0, 9), rng.range(2, 250))),
            ));
        }
        Class::HttpClient { target } => {
            let peer = &t.catalog.ops[target as usize];
            v.push(("http.method", Val::Str(method(&op.name))));
            v.push((
                "http.url",
                Val::Str(format!(
                    "http://svc-{:02}:8080{}",
                    peer.service,
                    op.detail.replace("{id}", &id.to_string())
                )),
            ));
            v.push(("http.status_code", Val::Int(status)));
            v.push(("peer.service", Val::Str(format!("svc-{:02}", peer.service))));
            v.push(("net.peer.port", Val::Int(8080)));
            v.push(("http.retry", Val::Bool(rng.chance(0.03))));
        }
        Class::GrpcServer | Class::GrpcClient { .. } => {
            let (svc, m) = op.detail.split_once('/').unwrap_or(("Service", "Call"));
            v.push(("rpc.system", Val::Str("grpc".to_string())));
            v.push(("rpc.service", Val::Str(svc.to_string())));
            v.push(("rpc.method", Val::Str(m.to_string())));
            v.push((
                "rpc.grpc.status_code",
                Val::Int(if s.error { 14 } else { 0 }),
            ));
            if let Class::GrpcClient { target } = op.class {
                let peer = t.catalog.ops[target as usize].service;
                v.push(("peer.service", Val::Str(format!("svc-{peer:02}"))));
            }
            v.push(("message.size", Val::Int(rng.range(20, 8_000) as i64)));
        }
        Class::Db => {
            let verb = op.name.split(' ').next().unwrap_or("SELECT");
            let table = &op.detail;
            let statement = match verb {
                "SELECT" => format!(
                    "SELECT id, status, total FROM {table} WHERE customer_id = {id} AND status = '{}' LIMIT {}",
                    rng.pick(&["paid", "open", "shipped"]),
                    rng.range(1, 50)
                ),
                "INSERT" => format!(
                    "INSERT INTO {table} (id, customer_id, total, note) VALUES ({}, {id}, {}.{:02}, 'it''s \"ok\"')",
                    rng.range(1, 9_999_999),
                    rng.range(1, 999),
                    rng.range(0, 99)
                ),
                _ => format!(
                    "UPDATE {table} SET seen_at = '2025-06-{:02} 12:00:00' WHERE id = {id}",
                    rng.range(1, 28)
                ),
            };
            v.push((
                "db.system",
                Val::Str(rng.pick(&["postgresql", "mysql"]).to_string()),
            ));
            v.push(("db.name", Val::Str(format!("svc{:02}", op.service))));
            v.push(("db.statement", Val::Str(statement)));
            v.push(("db.user", Val::Str("app".to_string())));
            v.push((
                "peer.service",
                Val::Str(format!("svc-{:02}-db", op.service)),
            ));
            v.push(("db.rows_affected", Val::Int(rng.range(0, 120) as i64)));
        }
        Class::Cache => {
            v.push(("db.system", Val::Str("redis".to_string())));
            let cmd = if op.name.ends_with("get") {
                "GET"
            } else {
                "SET"
            };
            v.push(("db.statement", Val::Str(format!("{cmd} {}{id}", op.detail))));
            v.push(("cache.hit", Val::Bool(rng.chance(0.8))));
            v.push(("peer.service", Val::Str("redis".to_string())));
            v.push(("net.peer.port", Val::Int(6379)));
            v.push(("db.redis.database_index", Val::Int(0)));
        }
        Class::Producer { .. } | Class::Consumer => {
            v.push(("messaging.system", Val::Str("kafka".to_string())));
            v.push(("messaging.destination", Val::Str(op.detail.clone())));
            v.push((
                "messaging.message_id",
                Val::Str(format!("{:016x}", rng.next_u64())),
            ));
            v.push((
                "messaging.kafka.partition",
                Val::Int(rng.range(0, 11) as i64),
            ));
            v.push((
                "messaging.message_payload_size_bytes",
                Val::Int(rng.range(100, 20_000) as i64),
            ));
            v.push(("peer.service", Val::Str("kafka".to_string())));
        }
        Class::Internal => {
            let (ns, f) = op.detail.split_once("::").unwrap_or(("app", "run"));
            v.push(("code.namespace", Val::Str(ns.to_string())));
            v.push(("code.function", Val::Str(f.to_string())));
            v.push(("code.lineno", Val::Int(rng.range(10, 900) as i64)));
            v.push(("items", Val::Int(rng.range(0, 40) as i64)));
            v.push(("cached", Val::Bool(rng.chance(0.3))));
        }
    }
    v.push(("thread.id", Val::Int(rng.range(1, 64) as i64)));
    v.push(("sampler.param", Val::F64(1.0)));
    if s.error {
        v.push(("error", Val::Bool(true)));
    }
    v
}

/// A span event: time (µs), name, and fields.
pub type Event = (i64, String, Vec<(&'static str, Val)>);

/// The event of a span that has one.
pub fn event(t: &GenTrace, ix: usize) -> Option<Event> {
    let s = &t.spans[ix];
    if !s.event && !s.error {
        return None;
    }
    let mut rng = Rng::new(mix(t.seed ^ s.id ^ 0xE7E7));
    let at = s.start_us + (s.duration_us as f64 * rng.unit()) as i64;
    if s.error {
        return Some((
            at,
            "exception".to_string(),
            vec![
                ("exception.type", Val::Str("TimeoutError".to_string())),
                (
                    "exception.message",
                    Val::Str(format!(
                        "deadline of {} ms exceeded",
                        s.duration_us / 1000 + 1
                    )),
                ),
                ("level", Val::Str("error".to_string())),
            ],
        ));
    }
    let (name, fields) = match rng.range(0, 3) {
        0 => (
            "cache miss",
            vec![("key.count", Val::Int(rng.range(1, 20) as i64))],
        ),
        1 => (
            "retry",
            vec![
                ("attempt", Val::Int(rng.range(1, 3) as i64)),
                ("backoff.ms", Val::F64(rng.range(5, 200) as f64 / 2.0)),
            ],
        ),
        2 => (
            "acquired connection",
            vec![("pool.size", Val::Int(rng.range(4, 32) as i64))],
        ),
        _ => ("payload validated", vec![("valid", Val::Bool(true))]),
    };
    let mut f = vec![("level", Val::Str("info".to_string()))];
    f.extend(fields);
    Some((at, name.to_string(), f))
}

fn json_str<W: Write>(w: &mut W, s: &str) -> io::Result<()> {
    serde_json::to_writer(&mut *w, s).map_err(io::Error::other)
}

fn json_f64<W: Write>(w: &mut W, f: f64) -> io::Result<()> {
    serde_json::to_writer(&mut *w, &f).map_err(io::Error::other)
}

// ---------------------------------------------------------------- Jaeger

fn jaeger_tag<W: Write>(w: &mut W, key: &str, v: &Val) -> io::Result<()> {
    w.write_all(b"{\"key\":")?;
    json_str(w, key)?;
    match v {
        Val::Str(s) => {
            w.write_all(b",\"type\":\"string\",\"value\":")?;
            json_str(w, s)?;
        }
        Val::Int(n) => write!(w, ",\"type\":\"int64\",\"value\":{n}")?,
        Val::Bool(b) => write!(w, ",\"type\":\"bool\",\"value\":{b}")?,
        Val::F64(f) => {
            w.write_all(b",\"type\":\"float64\",\"value\":")?;
            json_f64(w, *f)?;
        }
    }
    w.write_all(b"}")
}

fn jaeger_tags<'a, W: Write>(
    w: &mut W,
    tags: impl IntoIterator<Item = (&'a str, &'a Val)>,
) -> io::Result<()> {
    w.write_all(b"[")?;
    for (i, (k, v)) in tags.into_iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        jaeger_tag(w, k, v)?;
    }
    w.write_all(b"]")
}

fn process_tags(service: usize) -> Vec<(&'static str, Val)> {
    vec![
        (
            "hostname",
            Val::Str(format!("svc-{service:02}-7d9f8c-{}", service * 7 + 3)),
        ),
        (
            "ip",
            Val::Str(format!("10.1.{}.{}", service / 8, 10 + service)),
        ),
        ("jaeger.version", Val::Str("Go-2.30.0".to_string())),
    ]
}

fn write_jaeger_trace<W: Write>(w: &mut W, t: &GenTrace) -> io::Result<()> {
    let tid = t.trace_id_hex();
    w.write_all(b"{\"traceID\":\"")?;
    w.write_all(tid.as_bytes())?;
    w.write_all(b"\",\"spans\":[")?;
    for (i, s) in t.spans.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        let op = t.op(s);
        write!(
            w,
            "{{\"traceID\":\"{tid}\",\"spanID\":\"{:016x}\",\"flags\":1,\"operationName\":",
            s.id
        )?;
        json_str(w, &op.name)?;
        w.write_all(b",\"references\":[")?;
        if !s.is_root() {
            let p = &t.spans[s.parent as usize];
            write!(
                w,
                "{{\"refType\":\"CHILD_OF\",\"traceID\":\"{tid}\",\"spanID\":\"{:016x}\"}}",
                p.id
            )?;
        }
        write!(
            w,
            "],\"startTime\":{},\"duration\":{},\"tags\":",
            s.start_us, s.duration_us
        )?;
        let kind = Val::Str(op.class.jaeger_kind().to_string());
        let tags = tags(t, i);
        jaeger_tags(
            w,
            std::iter::once(("span.kind", &kind)).chain(tags.iter().map(|(k, v)| (*k, v))),
        )?;
        w.write_all(b",\"logs\":[")?;
        if let Some((at, name, fields)) = event(t, i) {
            write!(w, "{{\"timestamp\":{at},\"fields\":")?;
            let name = Val::Str(name);
            jaeger_tags(
                w,
                std::iter::once(("event", &name)).chain(fields.iter().map(|(k, v)| (*k, v))),
            )?;
            w.write_all(b"}")?;
        }
        write!(
            w,
            "],\"processID\":\"p{}\",\"warnings\":null}}",
            op.service + 1
        )?;
    }
    w.write_all(b"],\"processes\":{")?;
    for s in 0..SERVICES {
        if s > 0 {
            w.write_all(b",")?;
        }
        write!(
            w,
            "\"p{}\":{{\"serviceName\":\"svc-{s:02}\",\"tags\":",
            s + 1
        )?;
        let tags = process_tags(s);
        jaeger_tags(w, tags.iter().map(|(k, v)| (*k, v)))?;
        w.write_all(b"}")?;
    }
    w.write_all(b"},\"warnings\":null}")
}

/// Writes one trace of `spans` spans as Jaeger UI JSON (`{"data":[trace]}`).
pub fn write_jaeger<W: Write>(mut w: W, spans: usize, seed: u64) -> io::Result<()> {
    write_jaeger_many(&mut w, 1, spans, seed)
}

/// Writes `traces` traces of `spans_per_trace` spans each in one Jaeger `{"data":[…]}`.
pub fn write_jaeger_many<W: Write>(
    mut w: W,
    traces: usize,
    spans_per_trace: usize,
    seed: u64,
) -> io::Result<()> {
    w.write_all(b"{\"data\":[")?;
    for i in 0..traces {
        if i > 0 {
            w.write_all(b",\n")?;
        }
        let t = generate(spans_per_trace, trace_seed(seed, i));
        write_jaeger_trace(&mut w, &t)?;
    }
    w.write_all(b"],\"total\":0,\"limit\":0,\"offset\":0,\"errors\":null}\n")?;
    w.flush()
}

/// The seed of trace number `i` of a many-trace file; trace 0 is `seed` itself.
pub fn trace_seed(seed: u64, i: usize) -> u64 {
    if i == 0 {
        seed
    } else {
        mix(seed.wrapping_add(i as u64))
    }
}

// ---------------------------------------------------------------- OTLP

fn otlp_attrs<'a, W: Write>(
    w: &mut W,
    attrs: impl IntoIterator<Item = (&'a str, &'a Val)>,
) -> io::Result<()> {
    w.write_all(b"[")?;
    for (i, (k, v)) in attrs.into_iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        w.write_all(b"{\"key\":")?;
        json_str(w, k)?;
        w.write_all(b",\"value\":{")?;
        match v {
            Val::Str(s) => {
                w.write_all(b"\"stringValue\":")?;
                json_str(w, s)?;
            }
            Val::Int(n) => write!(w, "\"intValue\":\"{n}\"")?,
            Val::Bool(b) => write!(w, "\"boolValue\":{b}")?,
            Val::F64(f) => {
                w.write_all(b"\"doubleValue\":")?;
                json_f64(w, *f)?;
            }
        }
        w.write_all(b"}}")?;
    }
    w.write_all(b"]")
}

/// Writes one trace of `spans` spans as OTLP/JSON, one resourceSpans per service.
pub fn write_otlp<W: Write>(mut w: W, spans: usize, seed: u64) -> io::Result<()> {
    let t = generate(spans, seed);
    let tid = t.trace_id_hex();
    // Spans by service, keeping their order.
    let mut by_service: Vec<Vec<u32>> = vec![Vec::new(); SERVICES];
    for (i, s) in t.spans.iter().enumerate() {
        by_service[t.op(s).service as usize].push(i as u32);
    }
    w.write_all(b"{\"resourceSpans\":[")?;
    let mut first_rs = true;
    for (svc, ixs) in by_service.iter().enumerate() {
        if ixs.is_empty() {
            continue;
        }
        if !first_rs {
            w.write_all(b",\n")?;
        }
        first_rs = false;
        let name = Val::Str(format!("svc-{svc:02}"));
        let lang = Val::Str(["go", "java", "python", "nodejs"][svc % 4].to_string());
        let ptags = process_tags(svc);
        w.write_all(b"{\"resource\":{\"attributes\":")?;
        otlp_attrs(
            &mut w,
            std::iter::once(("service.name", &name))
                .chain(std::iter::once(("telemetry.sdk.language", &lang)))
                .chain(ptags.iter().map(|(k, v)| (*k, v))),
        )?;
        w.write_all(
            b"},\"scopeSpans\":[{\"scope\":{\"name\":\"traceglass-gen\",\"version\":\"1.0.0\"},\"spans\":[",
        )?;
        for (j, &ix) in ixs.iter().enumerate() {
            let i = ix as usize;
            let s = &t.spans[i];
            let op = t.op(s);
            if j > 0 {
                w.write_all(b",")?;
            }
            write!(w, "{{\"traceId\":\"{tid}\",\"spanId\":\"{:016x}\",", s.id)?;
            if !s.is_root() {
                write!(
                    w,
                    "\"parentSpanId\":\"{:016x}\",",
                    t.spans[s.parent as usize].id
                )?;
            }
            w.write_all(b"\"flags\":1,\"name\":")?;
            json_str(&mut w, &op.name)?;
            write!(
                w,
                ",\"kind\":{},\"startTimeUnixNano\":\"{}\",\"endTimeUnixNano\":\"{}\",\"attributes\":",
                op.class.otlp_kind(),
                s.start_us * 1000,
                (s.start_us + s.duration_us) * 1000
            )?;
            // The error flag is the status; everything else is an attribute.
            let tags = tags(&t, i);
            otlp_attrs(
                &mut w,
                tags.iter()
                    .filter(|(k, _)| *k != "error")
                    .map(|(k, v)| (*k, v)),
            )?;
            w.write_all(b",\"events\":[")?;
            if let Some((at, name, fields)) = event(&t, i) {
                write!(w, "{{\"timeUnixNano\":\"{}\",\"name\":", at * 1000)?;
                json_str(&mut w, &name)?;
                w.write_all(b",\"attributes\":")?;
                otlp_attrs(&mut w, fields.iter().map(|(k, v)| (*k, v)))?;
                w.write_all(b"}")?;
            }
            w.write_all(b"],\"status\":")?;
            if s.error {
                w.write_all(b"{\"message\":\"An error occurred\",\"code\":2}}")?;
            } else {
                w.write_all(b"{}}")?;
            }
        }
        w.write_all(b"]}],\"schemaUrl\":\"https://opentelemetry.io/schemas/1.26.0\"}")?;
    }
    w.write_all(b"]}\n")?;
    w.flush()
}
