//! Prints what Traceglass concludes about trace files, without a browser:
//! `cargo run --example explain -- FILE...` prints each trace's headline and
//! findings, ranked by time at stake.

use traceglass::analysis::describe::format_duration;
use traceglass::analysis::TraceAnalysis;
use traceglass::import::import_bytes;

fn main() {
    let mut failed = false;
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                failed = true;
                continue;
            }
        };
        match import_bytes(&path, &bytes) {
            Err(e) => {
                eprintln!("{e}");
                failed = true;
            }
            Ok(imported) => {
                for w in &imported.warnings {
                    println!("warning: {w}");
                }
                for trace in &imported.traces {
                    let a = TraceAnalysis::new(trace);
                    println!("{path} [{}] {} spans", trace.trace_id, trace.spans.len());
                    println!("  {}", a.headline);
                    for f in &a.findings {
                        println!(
                            "  - {} (at stake {}, {} spans): {}",
                            f.kind.label(),
                            format_duration(f.time_at_stake_ns),
                            f.evidence.len(),
                            f.sentence
                        );
                    }
                }
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
