//! Writes a generated, realistic trace file for benchmarks and manual tests.
//!
//! ```text
//! cargo run --release --example gen-trace -- --spans 100000 --format jaeger|otlp \
//!     [--traces N] [--seed S] [--out PATH]
//! ```
//!
//! With `--traces N` (Jaeger only) the file holds N traces of `--spans` spans
//! each. The default output is `bench/out/<spans>.<format>.json` (or
//! `bench/out/<traces>x<spans>.<format>.json`); `bench/out` is git-ignored.

#[path = "gen/mod.rs"]
mod gen;

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str =
    "usage: gen-trace --spans N --format jaeger|otlp [--traces N] [--seed S] [--out PATH]";

struct Args {
    spans: usize,
    format: String,
    traces: usize,
    seed: u64,
    out: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        spans: 100_000,
        format: "jaeger".to_string(),
        traces: 1,
        seed: 42,
        out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.to_string());
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let number = |v: &str| {
            v.replace('_', "")
                .parse::<u64>()
                .map_err(|e| format!("{flag} {v}: {e}\n{USAGE}"))
        };
        match flag.as_str() {
            "--spans" => args.spans = number(&value)?.max(1) as usize,
            "--traces" => args.traces = number(&value)?.max(1) as usize,
            "--seed" => args.seed = number(&value)?,
            "--format" => args.format = value,
            "--out" => args.out = Some(PathBuf::from(value)),
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    if args.format != "jaeger" && args.format != "otlp" {
        return Err(format!(
            "--format must be jaeger or otlp, not {}\n{USAGE}",
            args.format
        ));
    }
    if args.traces > 1 && args.format != "jaeger" {
        return Err(format!("--traces needs --format jaeger\n{USAGE}"));
    }
    Ok(args)
}

fn run(args: Args) -> Result<(), String> {
    let out = args.out.unwrap_or_else(|| {
        let name = if args.traces > 1 {
            format!("{}x{}.{}.json", args.traces, args.spans, args.format)
        } else {
            format!("{}.{}.json", args.spans, args.format)
        };
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("bench/out")
            .join(name)
    });
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let started = Instant::now();
    let file = File::create(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let w = BufWriter::with_capacity(1 << 20, file);
    let written = match (args.format.as_str(), args.traces) {
        ("otlp", _) => gen::write_otlp(w, args.spans, args.seed),
        (_, 1) => gen::write_jaeger(w, args.spans, args.seed),
        (_, n) => gen::write_jaeger_many(w, n, args.spans, args.seed),
    };
    written.map_err(|e| format!("{}: {e}", out.display()))?;
    let elapsed = started.elapsed();
    let bytes = std::fs::metadata(&out)
        .map_err(|e| format!("{}: {e}", out.display()))?
        .len();
    println!(
        "wrote {} ({} trace{} of {} spans, {}): {:.1} MB in {:.2} s ({:.0} MB/s)",
        out.display(),
        args.traces,
        if args.traces == 1 { "" } else { "s" },
        args.spans,
        args.format,
        bytes as f64 / 1e6,
        elapsed.as_secs_f64(),
        bytes as f64 / 1e6 / elapsed.as_secs_f64().max(1e-9)
    );
    Ok(())
}

fn main() -> ExitCode {
    match parse_args().and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
