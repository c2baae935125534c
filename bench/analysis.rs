//! Import throughput per format and analysis time, on generated realistic
//! traces (see `bench/gen`) and a real Zipkin file. Run with
//! `cargo bench --bench analysis`; see `bench/README.md`.

#[path = "gen/mod.rs"]
mod gen;

use criterion::{black_box, criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use std::io::Write;
use traceglass::analysis::compare::compare;
use traceglass::analysis::flame::{self, trace_flame, Weight};
use traceglass::analysis::summary::summarize;
use traceglass::analysis::tail::{self, Slow};
use traceglass::analysis::{critical_path, statistics, GroupBy, TraceAnalysis};
use traceglass::import::import_bytes;
use traceglass::model::{SpanInput, SpanKind, Trace, TraceBuilder};
use traceglass::ui::flame::geometry;
use traceglass::ui::timeline::repeats::{Runs, MIN_RUN};

const SPANS: usize = 100_000;
const SEED: u64 = 42;
const ZIPKIN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/zipkin/smartthings-mobile-web-install.json"
);

struct Inputs {
    jaeger: Vec<u8>,
    /// Another 100k-span trace (seed 43), to compare with the first.
    jaeger_other: Vec<u8>,
    otlp: Vec<u8>,
    jaeger_gz: Vec<u8>,
    zipkin: Vec<u8>,
    many: Vec<u8>,
}

fn inputs() -> Inputs {
    let mut jaeger = Vec::new();
    gen::write_jaeger(&mut jaeger, SPANS, SEED).unwrap();
    let mut jaeger_other = Vec::new();
    gen::write_jaeger(&mut jaeger_other, SPANS, SEED + 1).unwrap();
    let mut otlp = Vec::new();
    gen::write_otlp(&mut otlp, SPANS, SEED).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&jaeger).unwrap();
    let jaeger_gz = gz.finish().unwrap();
    let zipkin = std::fs::read(ZIPKIN)
        .unwrap_or_else(|e| panic!("{ZIPKIN}: {e}; ../shared must sit beside the checkout"));
    let mut many = Vec::new();
    gen::write_jaeger_many(&mut many, 1_000, 100, SEED).unwrap();
    Inputs {
        jaeger,
        jaeger_other,
        otlp,
        jaeger_gz,
        zipkin,
        many,
    }
}

fn mb(n: usize) -> f64 {
    n as f64 / 1e6
}

fn benches(c: &mut Criterion) {
    let inp = inputs();
    eprintln!(
        "inputs: Jaeger {:.1} MB, OTLP {:.1} MB, Jaeger gzip {:.1} MB, Zipkin {:.2} MB, 1,000 traces {:.1} MB",
        mb(inp.jaeger.len()),
        mb(inp.otlp.len()),
        mb(inp.jaeger_gz.len()),
        mb(inp.zipkin.len()),
        mb(inp.many.len()),
    );

    // Import: bytes to normalised traces (inflate, parse, build, drop), in
    // MB/s of JSON text; the gzip case counts the inflated JSON too, so that
    // it compares with the plain Jaeger case (the difference is inflating).
    let mut g = c.benchmark_group("import");
    g.sample_size(10).sampling_mode(SamplingMode::Flat);
    let cases: [(&str, &str, &[u8], usize); 4] = [
        (
            "jaeger_100k",
            "gen.jaeger.json",
            &inp.jaeger,
            inp.jaeger.len(),
        ),
        ("otlp_100k", "gen.otlp.json", &inp.otlp, inp.otlp.len()),
        (
            "jaeger_100k_gzip",
            "gen.jaeger.json.gz",
            &inp.jaeger_gz,
            inp.jaeger.len(),
        ),
        (
            "zipkin_smartthings",
            "smartthings-mobile-web-install.json",
            &inp.zipkin,
            inp.zipkin.len(),
        ),
    ];
    for (id, file, bytes, json_len) in cases {
        let spans: usize = import_bytes(file, bytes)
            .unwrap()
            .traces
            .iter()
            .map(|t| t.spans.len())
            .sum();
        eprintln!("{id}: {spans} spans");
        g.throughput(Throughput::Bytes(json_len as u64));
        g.bench_function(id, |b| {
            b.iter(|| import_bytes(file, black_box(bytes)).unwrap())
        });
    }
    g.finish();

    // Analysis: everything TraceAnalysis computes, once per trace, in spans/s.
    let big: Trace = import_bytes("gen.jaeger.json", &inp.jaeger)
        .unwrap()
        .traces
        .pop()
        .unwrap();
    assert_eq!(big.spans.len(), SPANS);
    let many: Vec<Trace> = import_bytes("many.jaeger.json", &inp.many).unwrap().traces;
    assert_eq!(many.len(), 1_000);
    let many_spans: usize = many.iter().map(|t| t.spans.len()).sum();

    // The runs of repeats the timeline groups (#17 §5), found once per
    // trace shown (and again when the minimum changes).
    let runs = Runs::find(&big, MIN_RUN);
    println!("timeline/repeats_100k_spans: {} runs", runs.len());
    let mut g = c.benchmark_group("timeline");
    g.sample_size(10).sampling_mode(SamplingMode::Flat);
    g.bench_function("repeats_100k_spans", |b| {
        b.iter(|| Runs::find(black_box(&big), MIN_RUN))
    });
    g.finish();

    let mut g = c.benchmark_group("analysis");
    g.sample_size(10).sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Elements(SPANS as u64));
    g.bench_function("trace_100k_spans", |b| {
        b.iter(|| TraceAnalysis::new(black_box(&big)))
    });
    // What issue #3 budgets: critical path, statistics and findings together.
    g.bench_function("trace_100k_spans_with_statistics", |b| {
        b.iter(|| {
            let a = TraceAnalysis::new(black_box(&big));
            statistics(
                &big,
                &a.self_time_ns,
                &a.critical_path,
                &GroupBy::Operation,
                None,
            )
        })
    });
    g.throughput(Throughput::Elements(many_spans as u64));
    g.bench_function("1000_traces_x_100_spans", |b| {
        b.iter(|| {
            many.iter()
                .map(|t| TraceAnalysis::new(black_box(t)))
                .collect::<Vec<_>>()
        })
    });
    // The summary across traces, on traces already analysed (as in the app,
    // where each trace is analysed once when it is loaded).
    let analyses: Vec<TraceAnalysis> = many.iter().map(TraceAnalysis::new).collect();
    let pairs: Vec<(&Trace, &TraceAnalysis)> = many.iter().zip(analyses.iter()).collect();
    g.bench_function("summary_1000_traces_x_100_spans", |b| {
        b.iter(|| summarize(black_box(&pairs)))
    });
    // Slow against the rest (#16 §2), the 1,000 traces as one group at
    // p95: whole (the group's table, then the ranking), and ranked again
    // from the table, as when the user picks p90 or brushes a range.
    let all: Vec<usize> = (0..many.len()).collect();
    let ranking = tail::rank(&pairs, &all, Slow::default());
    eprintln!(
        "tail_rank_1000_traces_x_100_spans: {} slow, {} explanations; {}",
        ranking.slow_traces.len(),
        ranking.explanations.len(),
        ranking.sentence
    );
    g.bench_function("tail_rank_1000_traces_x_100_spans", |b| {
        b.iter(|| tail::rank(black_box(&pairs), &all, Slow::default()))
    });
    let table = tail::Table::new(&pairs, &all);
    g.bench_function("tail_rerank_1000_traces_x_100_spans", |b| {
        b.iter(|| table.rank(black_box(Slow::Percentile(90.0))))
    });
    // Two traces compared, on traces already analysed (as in the app): two
    // generated 100k-span traces (seeds 42 and 43), and one with itself
    // (every span matched, the largest merged tree of its shape).
    let other: Trace = import_bytes("other.jaeger.json", &inp.jaeger_other)
        .unwrap()
        .traces
        .pop()
        .unwrap();
    let (big_a, other_a) = (TraceAnalysis::new(&big), TraceAnalysis::new(&other));
    let cmp = compare((&big, &big_a), (&other, &other_a));
    eprintln!(
        "compare_100k_vs_100k: {} nodes; {}",
        cmp.nodes.len(),
        cmp.headline
    );
    g.throughput(Throughput::Elements((SPANS + other.spans.len()) as u64));
    g.bench_function("compare_100k_vs_100k", |b| {
        b.iter(|| compare((black_box(&big), &big_a), (black_box(&other), &other_a)))
    });
    g.bench_function("compare_100k_with_itself", |b| {
        b.iter(|| compare((black_box(&big), &big_a), (black_box(&big), &big_a)))
    });
    g.finish();

    // The merged flame graph of the 1,000 traces as one group (#17 §1):
    // the merge, then a layout for each weight.
    let mut g = c.benchmark_group("flame");
    g.sample_size(10).sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Elements(many_spans as u64));
    let merged = flame::merge(&pairs);
    eprintln!(
        "flame/merge_1000_traces_x_100_spans: {} nodes",
        merged.nodes.len()
    );
    g.bench_function("merge_1000_traces_x_100_spans", |b| {
        b.iter(|| {
            let m = flame::merge(black_box(&pairs));
            (m.layout(Weight::CriticalPath), m.layout(Weight::Total))
        })
    });
    g.finish();
}

/// The generated trace of `n` spans (see `bench/gen`) built straight from
/// its tree, without tags or events: what a flame graph reads.
fn generated_trace(n: usize) -> Trace {
    let t = gen::generate(n, SEED);
    let mut b = TraceBuilder::new(t.trace_id_hex());
    let services: Vec<u32> = (0..gen::SERVICES)
        .map(|i| b.service(&format!("svc-{i:02}"), vec![]))
        .collect();
    let names: Vec<_> = t.catalog.ops.iter().map(|o| b.intern(&o.name)).collect();
    for s in &t.spans {
        let op = t.op(s);
        b.push(SpanInput {
            span_id: format!("{:016x}", s.id),
            parent_span_id: (!s.is_root())
                .then(|| format!("{:016x}", t.spans[s.parent as usize].id)),
            service: services[op.service as usize],
            name: names[s.op as usize],
            kind: SpanKind::parse(op.class.jaeger_kind()),
            start_ns: Some(s.start_us * 1_000),
            duration_ns: Some(s.duration_us * 1_000),
            ..Default::default()
        });
    }
    b.build()
}

/// The flame graph of a million-span trace (#17 §1): its layout, and the
/// rects of a draw 1,200 pixels wide; printed once, then measured.
fn flame_1m(c: &mut Criterion) {
    const MILLION: usize = 1_000_000;
    const WIDTH: f64 = 1_200.0;
    let trace = generated_trace(MILLION);
    let started = std::time::Instant::now();
    let f = trace_flame(&trace);
    let laid = started.elapsed();
    let mut rects = Vec::new();
    let rows = geometry::rects(&f, &geometry::window(&f, None), WIDTH, &mut rects);
    eprintln!(
        "flame/trace_1m_spans: layout {:.0} ms, then {} rects in {} rows drawn in {:.1} ms (once, before measuring)",
        laid.as_secs_f64() * 1e3,
        rects.len(),
        rows,
        (started.elapsed() - laid).as_secs_f64() * 1e3,
    );
    let mut g = c.benchmark_group("flame");
    g.sample_size(10).sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Elements(MILLION as u64));
    g.bench_function("trace_1m_spans_layout_and_rects", |b| {
        b.iter(|| {
            let f = trace_flame(black_box(&trace));
            geometry::rects(&f, &geometry::window(&f, None), WIDTH, &mut rects)
        })
    });
    g.bench_function("trace_1m_spans_rects", |b| {
        b.iter(|| {
            geometry::rects(
                black_box(&f),
                &geometry::window(&f, None),
                WIDTH,
                &mut rects,
            )
        })
    });
    g.finish();
}

/// One parent with `n` children that overlap one another (#18): each starts
/// in the first half of the parent and lasts a quarter to a half of it, so
/// that coming back up from a child meets many siblings ending just after it
/// started (inside the skew allowance, with other siblings' events inside
/// the overlap). Deterministic (xorshift).
fn fan_out_trace(n: usize) -> Trace {
    const PARENT_NS: i64 = 1_000_000_000;
    let mut b = TraceBuilder::new("0000000000000000000000000000f00d");
    let service = b.service("svc", vec![]);
    let (root_name, child_name) = (b.intern("parent"), b.intern("child"));
    b.push(SpanInput {
        span_id: format!("{:016x}", 1),
        start_ns: Some(0),
        duration_ns: Some(PARENT_NS),
        service,
        name: root_name,
        ..Default::default()
    });
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |bound: i64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % bound as u64) as i64
    };
    for i in 0..n {
        let start = next(PARENT_NS / 2);
        let duration = PARENT_NS / 4 + next(PARENT_NS / 4);
        b.push(SpanInput {
            span_id: format!("{:016x}", i + 2),
            parent_span_id: Some(format!("{:016x}", 1)),
            start_ns: Some(start),
            duration_ns: Some(duration),
            service,
            name: child_name,
            ..Default::default()
        });
    }
    b.build()
}

fn fan_out(c: &mut Criterion) {
    const CHILDREN: usize = 200_000;
    let trace = fan_out_trace(CHILDREN);
    let cp = critical_path(&trace);
    eprintln!(
        "critical_path_200k_overlapping_children: {} sections, {} spans on the path",
        cp.sections.len(),
        cp.on_path.iter().filter(|&&b| b).count()
    );
    let mut g = c.benchmark_group("fan_out");
    g.sample_size(10).sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Elements(CHILDREN as u64));
    g.bench_function("critical_path_200k_overlapping_children", |b| {
        b.iter(|| critical_path(black_box(&trace)))
    });
    g.finish();
}

criterion_group!(analysis, fan_out, flame_1m, benches);
criterion_main!(analysis);
