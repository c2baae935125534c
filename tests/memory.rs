//! Past the tab's memory (issue #18 §2): a load that would not fit stops
//! keeping spans and ends with a partial trace that says so, its services
//! still named; the memory a load may take is learnt by fallible
//! reservations, never by an allocation that fails.
//!
//! This binary counts its allocations, as the browser build does
//! (`traceglass::memory::Counting`). Its checks run in one test, one after
//! the other, so that no other test's allocations are counted meanwhile.

#[path = "../bench/gen/mod.rs"]
mod gen;

use traceglass::analysis::TraceAnalysis;
use traceglass::import::Loader;
use traceglass::memory::{self, need_for_spans, Capacity, Counting, FREE_BELOW};

#[global_allocator]
static ALLOCATOR: Counting<std::alloc::System> = Counting(std::alloc::System);

const SPANS: usize = 3_000;

fn jaeger_file() -> Vec<u8> {
    let mut file = Vec::new();
    gen::write_jaeger(&mut file, SPANS, 42).expect("the generator writes to memory");
    file
}

#[test]
fn memory_is_counted_reserved_and_a_load_past_it_ends_partial() {
    counting_follows_allocations();
    reserving_stops_at_the_ceiling();
    a_load_stops_keeping_spans_and_says_so();
    a_load_within_capacity_keeps_every_span();
}

/// The counter sees allocations and frees, and its peak.
fn counting_follows_allocations() {
    assert!(memory::counted());
    let before = memory::live();
    memory::reset_peak();
    let v: Vec<u8> = Vec::with_capacity(10 << 20);
    assert!(memory::live() >= before + (10 << 20));
    drop(v);
    assert!(memory::live() < before + (1 << 20));
    assert!(memory::peak() >= before + (10 << 20));
}

/// A capacity reserves what a load will need, and refuses once the need
/// passes its ceiling; nothing is held afterwards.
fn reserving_stops_at_the_ceiling() {
    let held = memory::live();
    let got = memory::reserve(40 << 20);
    assert_eq!(got, 40 << 20);
    assert!(
        memory::live() < held + (1 << 20),
        "reserved blocks are freed"
    );

    // Spans of 256 KB, in a program that may hold 256 MB more than what
    // needs no reservation: 1,000 fit without one, 2,000 with one (it
    // succeeds: virtual memory natively), 2,500 pass the ceiling.
    let ceiling = FREE_BELOW + (256 << 20);
    let mut c = Capacity::new(ceiling);
    let per = 256 << 10;
    assert!(need_for_spans(held, 1_000, per) <= FREE_BELOW);
    assert!(c.fits(need_for_spans(held, 1_000, per)));
    assert!(need_for_spans(held, 2_000, per) > FREE_BELOW);
    assert!(c.fits(need_for_spans(held, 2_000, per)));
    assert!(
        memory::live() < held + (1 << 20),
        "what was reserved is freed"
    );
    assert!(!c.fits(need_for_spans(held, 2_500, per)));
    assert!(
        c.fits(need_for_spans(held, 1_500, per)),
        "what fitted once still fits"
    );
    assert_eq!(c.ceiling(), ceiling);
}

/// Stopped after a third of the file, the load keeps those spans, reads
/// the rest for Jaeger's processes (they come after the spans) and counts
/// them; the trace, its warning and its headline say it is partial.
fn a_load_stops_keeping_spans_and_says_so() {
    let file = jaeger_file();
    let mut loader = Loader::new("big.json");
    // Room for the spans read up to a third of the file, and no more.
    let mut capacity: Option<Capacity> = None;
    for (i, piece) in file.chunks(16 * 1024).enumerate() {
        loader.push(piece).expect("the generated file reads");
        if capacity.is_none() && loader.spans_read() >= SPANS / 3 {
            let held = memory::live();
            capacity = Some(Capacity::new(
                need_for_spans(held, loader.spans_read(), 1) + 1024,
            ));
        }
        if let Some(c) = capacity.as_mut() {
            loader.keep_within(c, memory::live(), 1);
        }
        assert!(i < 100_000);
    }
    assert!(!loader.keeps_spans());
    let kept_when_stopped = loader.spans_read();
    assert!(
        (SPANS / 3..SPANS / 2).contains(&kept_when_stopped),
        "{kept_when_stopped}"
    );
    assert_eq!(loader.spans_dropped(), SPANS - kept_when_stopped);
    let imported = loader.finish().expect("the spans kept load");
    let [trace] = imported.traces.as_slice() else {
        panic!("one trace, not {}", imported.traces.len());
    };
    assert_eq!(trace.spans.len(), kept_when_stopped);
    assert_eq!(trace.unloaded_spans, SPANS - kept_when_stopped);
    let warning = imported
        .warnings
        .iter()
        .find(|w| w.starts_with("loaded the first"))
        .expect("a warning says the load is partial");
    assert_eq!(
        warning,
        &format!(
            "loaded the first {kept_when_stopped} of 3,000 spans: this browser tab can hold about {kept_when_stopped} spans of this file, and the rest would not fit in its memory"
        )
        .replace(
            &kept_when_stopped.to_string(),
            &traceglass::text::thousands(kept_when_stopped)
        )
    );
    // The processes came after the spans: every service has its real name.
    for s in &trace.spans {
        let name = trace.service_name(s);
        assert!(name.starts_with("svc-"), "a span of service {name:?}");
    }
    let a = TraceAnalysis::new(trace);
    assert!(
        a.headline.contains(&format!(
            "This is a partial trace: the first {} of its 3,000 spans were loaded",
            traceglass::text::thousands(kept_when_stopped)
        )),
        "{}",
        a.headline
    );
}

/// With room to spare, nothing is dropped and nothing says partial.
fn a_load_within_capacity_keeps_every_span() {
    let file = jaeger_file();
    let mut loader = Loader::new("small.json");
    let mut c = Capacity::new(usize::MAX);
    for piece in file.chunks(64 * 1024) {
        loader.push(piece).expect("the generated file reads");
        loader.keep_within(&mut c, memory::live(), 2_000);
    }
    assert!(loader.keeps_spans());
    let imported = loader.finish().expect("it loads");
    assert_eq!(imported.traces[0].spans.len(), SPANS);
    assert_eq!(imported.traces[0].unloaded_spans, 0);
    assert!(!imported
        .warnings
        .iter()
        .any(|w| w.contains("loaded the first")));
    let a = TraceAnalysis::new(&imported.traces[0]);
    assert!(!a.headline.contains("partial"));
}
