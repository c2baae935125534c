//! What a load costs in memory, natively, step by step: the generated Jaeger
//! file is fed to the `Loader` in 256 KB pieces (as the page does), then
//! built, corrected for clock skew and analysed, with a counting allocator
//! (`traceglass::memory`) reading what is held after each step and the most
//! held during it. Pointers are 8 bytes here and 4 in the wasm build, so the
//! page's figures (`bench/browser.mjs`, rows "per span") are smaller; the
//! split between steps is the same.
//!
//! ```sh
//! cargo run --release --example memory -- --spans 100000
//! ```

#[path = "gen/mod.rs"]
mod gen;

use traceglass::analysis::{skew, TraceAnalysis};
use traceglass::import::Loader;
use traceglass::memory::{self, Counting};
use traceglass::model::pace::{self, NoPause};

#[global_allocator]
static ALLOCATOR: Counting<std::alloc::System> = Counting(std::alloc::System);

fn main() {
    let mut spans = 100_000usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match (a.as_str(), args.next()) {
            ("--spans", Some(n)) => match n.parse() {
                Ok(n) => spans = n,
                Err(_) => return eprintln!("--spans takes a number, not {n:?}"),
            },
            _ => return eprintln!("usage: memory [--spans N]"),
        }
    }
    let mut file = Vec::new();
    if let Err(e) = gen::write_jaeger(&mut file, spans, 42) {
        return eprintln!("generating the trace failed: {e}");
    }
    let per = |b: usize| b as f64 / spans as f64;
    // What was held before the file's spans were read, the file apart.
    let base = std::cell::Cell::new(memory::live());
    println!(
        "{spans} spans, {:.1} MB of Jaeger JSON; bytes a span (live = held after the step, peak = most held during it, the JSON file apart):",
        file.len() as f64 / 1e6
    );
    let step = |name: &str| {
        println!(
            "  {name:<28} live {:>6.0}  peak {:>6.0}",
            per(memory::live().saturating_sub(base.get())),
            per(memory::peak().saturating_sub(base.get()))
        );
        memory::reset_peak();
    };

    memory::reset_peak();
    let mut loader = Loader::new("gen.json");
    for piece in file.chunks(256 * 1024) {
        if let Err(e) = loader.push(piece) {
            return eprintln!("{e}");
        }
    }
    let unbuilt = match loader.finish_unbuilt() {
        Ok(u) => u,
        Err(e) => return eprintln!("{e}"),
    };
    step("read (spans as read)");
    base.set(base.get().saturating_sub(file.capacity()));
    drop(file);
    memory::reset_peak();
    let Some(builder) = unbuilt.builders.into_iter().next() else {
        return eprintln!("no trace");
    };
    let trace = builder.build();
    step("build (the model)");
    let size = trace.size();
    // As the page does for a large trace: corrected in place.
    let plan = pace::now(skew::plan_paced(&trace, &mut NoPause));
    let moved = plan.as_ref().map_or(0, |p| p.adjustments.len());
    let trace = match plan {
        Some(p) => pace::now(trace.into_shifted_paced(&p.shifts, p.notes, &mut NoPause)),
        None => trace,
    };
    step(&format!("skew ({moved} spans moved)"));
    let analysis = TraceAnalysis::new(&trace);
    step("analysis");
    drop(analysis);
    step("the model alone");
    drop(trace);
    step("nothing");
    println!(
        "the model by part, bytes a span (Trace::size): span records {:.0}, their data {:.0}, tree {:.0}, tables {:.0}; {:.0} in all (size_of::<Span>() = {})",
        per(size.spans),
        per(size.span_data),
        per(size.tree),
        per(size.tables),
        per(size.total()),
        std::mem::size_of::<traceglass::model::Span>()
    );
}
