//! What each fuzz target checks, as plain functions over bytes, so that the
//! fuzz targets (`fuzz/fuzz_targets/*.rs`, libFuzzer through `cargo fuzz`)
//! and the native replay of the stored corpora (`tests/fuzz_corpus.rs`,
//! plain `cargo test`) run the same code. A check panics on a wrong answer;
//! any other panic, a hang or an unbounded allocation is a bug too (the
//! fuzzer's limits catch those).
//!
//! Importers: the sniffer with every format behind it (`sniff`), each
//! importer on its own (`jaeger`, `otlp`, `zipkin`), NDJSON and gzip through
//! the streaming loader, each followed by the analysis of what it gave. The
//! loader against itself fed in pieces of other sizes (`stream`); the fast
//! Jaeger reader against serde (`jaeger_fast`). The text parsers are in
//! `text.rs`.

mod text;

pub use text::{duration_logfmt, jaeger_api, search, url};

use crate::analysis::{compare, flame, service_map, skew, summary, TraceAnalysis};
use crate::import::{import_bytes, read_as, Format, ImportError, Imported, Loader};
use crate::model::Trace;

/// A target's check of one input.
pub type Check = fn(&[u8]);

/// Every target: its name (the fuzz target's and its corpus folder's) and
/// its check.
pub const TARGETS: [(&str, Check); 12] = [
    ("sniff", sniff),
    ("jaeger", jaeger),
    ("otlp", otlp),
    ("zipkin", zipkin),
    ("ndjson", ndjson),
    ("gzip", gzip),
    ("stream", stream),
    ("jaeger_fast", jaeger_fast),
    ("jaeger_api", jaeger_api),
    ("search", search),
    ("url", url),
    ("duration_logfmt", duration_logfmt),
];

/// Any bytes as a dropped file: the sniffer and whichever importer it
/// picks, then the analysis.
pub fn sniff(data: &[u8]) {
    if let Ok(imported) = import_bytes("fuzz.json", data) {
        analyse(&imported.traces);
    }
}

/// The Jaeger importer on its own: a trace object or a span list.
pub fn jaeger(data: &[u8]) {
    importer(Format::JaegerJson, data);
}

/// The OTLP/JSON importer on its own: an export request.
pub fn otlp(data: &[u8]) {
    importer(Format::Otlp, data);
}

/// The Zipkin v2 importer on its own: a span list.
pub fn zipkin(data: &[u8]) {
    importer(Format::Zipkin, data);
}

fn importer(format: Format, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(traces) = read_as(format, text) {
        analyse(&traces);
    }
}

/// Several documents in a row, one a line (NDJSON), through the loader;
/// the same text with `\r\n` line endings gives the same spans.
pub fn ndjson(data: &[u8]) {
    let unix = import_bytes("fuzz.ndjson", data);
    if let Ok(imported) = &unix {
        analyse(&imported.traces);
    }
    // Only for text: the check for a binary file looks at the first 4,096
    // bytes, which longer line endings move.
    if data.contains(&b'\r') || std::str::from_utf8(data).is_err() {
        return;
    }
    let mut dos = Vec::with_capacity(data.len() + data.len() / 16);
    for &b in data {
        if b == b'\n' {
            dos.push(b'\r');
        }
        dos.push(b);
    }
    let windows = import_bytes("fuzz.ndjson", &dos);
    assert_eq!(
        spans_of(&unix),
        spans_of(&windows),
        "CRLF line endings read differently"
    );
}

/// Gzip: the first byte chooses. Even: the rest is compressed and the
/// loader, fed the gzip in pieces, gives the same as the plain text. Odd:
/// the rest follows gzip's magic bytes as they are (damaged or crafted
/// streams).
pub fn gzip(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 1 {
        let mut bytes = vec![0x1f, 0x8b];
        bytes.extend_from_slice(rest);
        if let Ok(imported) = import_bytes("fuzz.gz", &bytes) {
            analyse(&imported.traces);
        }
        return;
    }
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    if gz.write_all(rest).is_err() {
        return;
    }
    let Ok(compressed) = gz.finish() else {
        return;
    };
    let piece = usize::from(mode / 2) + 1;
    let zipped = load_in_pieces("fuzz.gz", &compressed, &[piece]);
    let plain = import_bytes("fuzz.json", rest);
    assert_eq!(
        spans_of(&plain),
        spans_of(&zipped),
        "gzip in pieces of {piece} bytes reads differently from the plain text"
    );
    if let Ok(imported) = zipped {
        analyse(&imported.traces);
    }
}

/// The loader fed the same bytes in other pieces gives the same traces as
/// in one piece. The first two bytes seed the piece sizes.
pub fn stream(data: &[u8]) {
    let Some((seed, file)) = data.split_first_chunk::<2>() else {
        return;
    };
    let mut state = u32::from(u16::from_le_bytes(*seed)) | 1;
    let mut sizes = Vec::with_capacity(16);
    for _ in 0..16 {
        // xorshift: the sizes follow from the seed, small ones likelier.
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let size = match state % 4 {
            0 => 1,
            1 => (state >> 8) as usize % 8 + 1,
            2 => (state >> 8) as usize % 64 + 1,
            _ => (state >> 8) as usize % 1024 + 1,
        };
        sizes.push(size);
    }
    let whole = import_bytes("fuzz.json", file);
    let pieces = load_in_pieces("fuzz.json", file, &sizes);
    // Not compared (left from issue #18): where a gzip stream is damaged,
    // the inflater stops at the damage before the text inflated from the
    // same piece is scanned, so a whole file can fail as damaged where its
    // pieces first gave spans, a stop or a binary file.
    let damaged = |r: &Result<Imported, ImportError>| {
        r.as_ref()
            .is_err_and(|e| e.message.contains("gzip data is damaged"))
    };
    if file.starts_with(&[0x1f, 0x8b]) && (damaged(&whole) || damaged(&pieces)) {
        return;
    }
    assert_eq!(
        outcome(&whole),
        outcome(&pieces),
        "read in pieces of {sizes:?} bytes"
    );
}

/// One Jaeger span's text: the fast reader gives what serde gives, or
/// declines.
pub fn jaeger_fast(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        crate::import::jaeger_fast_vs_serde(text);
    }
}

/// Feeds `bytes` to a loader in pieces of `sizes` (over again, the last
/// one repeated); an error from `push` is the one `finish` gives.
pub fn load_in_pieces(name: &str, bytes: &[u8], sizes: &[usize]) -> Result<Imported, ImportError> {
    let mut loader = Loader::new(name);
    let mut rest = bytes;
    let mut k = 0;
    while !rest.is_empty() {
        let size = sizes
            .get(k % sizes.len().max(1))
            .copied()
            .unwrap_or(1)
            .max(1);
        k += 1;
        let (piece, tail) = rest.split_at(size.min(rest.len()));
        rest = tail;
        if let Err(e) = loader.push(piece) {
            let again = loader.finish().err();
            assert_eq!(again.as_ref(), Some(&e), "finish gives push's error");
            return Err(e);
        }
    }
    loader.finish()
}

/// What a load gave, to compare two loads: the error, or the format and
/// the spans of each trace (ids, parents, names, services, times).
pub fn outcome(r: &Result<Imported, ImportError>) -> String {
    match r {
        Err(e) => format!("error: {e}"),
        Ok(imported) => format!("{:?}\n{}", imported.format, spans_of(r)),
    }
}

/// The spans of a load, trace by trace (nothing for an error).
fn spans_of(r: &Result<Imported, ImportError>) -> String {
    let mut out = String::new();
    let Ok(imported) = r else {
        return out;
    };
    for t in &imported.traces {
        out.push_str(&format!("trace {} {} spans\n", t.trace_id, t.spans.len()));
        for &ix in &t.tree_order {
            if let Some(s) = t.span(ix) {
                let parent = s.parent.and_then(|p| t.span(p)).map(|p| &*p.span_id);
                out.push_str(&format!(
                    "{} < {:?} {} {} {} {} attrs {} events {}\n",
                    s.span_id,
                    parent,
                    t.service_name(s),
                    t.span_name(s),
                    s.start_ns,
                    s.duration_ns,
                    s.attributes.len(),
                    s.events.len(),
                ));
            }
        }
    }
    out
}

/// The model's promises on a built trace, then every analysis the views
/// run: per trace (critical path, findings and headline, clock skew, flame
/// graph, service map) and across the traces (summary, merged flame graph,
/// a comparison).
pub fn analyse(traces: &[Trace]) {
    for t in traces {
        check_trace(t);
    }
    let analyses: Vec<TraceAnalysis> = traces.iter().map(TraceAnalysis::new).collect();
    let pairs: Vec<(&Trace, &TraceAnalysis)> = traces.iter().zip(&analyses).collect();
    for &(t, a) in &pairs {
        if let Some(c) = skew::correct(t) {
            check_trace(&c.trace);
            assert_eq!(c.trace.spans.len(), t.spans.len(), "skew keeps the spans");
        }
        let f = flame::trace_flame(t);
        for (x0, x1) in f.x0.iter().zip(&f.x1) {
            assert!(
                (0.0..=1.0).contains(x0) && x0 <= x1 && *x1 <= 1.0,
                "flame item {x0}..{x1}"
            );
        }
        let mut map = service_map::service_map(&[t]);
        map.mark_critical_path(t, &a.critical_path);
    }
    summary::summarize(&pairs);
    flame::merge(&pairs).layout(flame::Weight::CriticalPath);
    if let (Some(&a), Some(&b)) = (pairs.first(), pairs.last()) {
        compare(a, b);
    }
}

/// A built trace's spans, tree order, parents and times hang together.
fn check_trace(t: &Trace) {
    let n = t.spans.len();
    assert!(n > 0, "a trace without spans");
    assert_eq!(t.tree_order.len(), n, "tree order holds every span once");
    let mut seen = vec![false; n];
    for &ix in &t.tree_order {
        match seen.get_mut(ix as usize) {
            Some(slot) if !*slot => *slot = true,
            Some(_) => panic!("span {ix} twice in tree order"),
            None => panic!("tree order index {ix} of {n} spans"),
        }
    }
    for s in &t.spans {
        if let Some(p) = s.parent {
            let Some(parent) = t.span(p) else {
                panic!("parent index {p} of {n} spans");
            };
            assert_eq!(s.depth, parent.depth.saturating_add(1), "depth");
        } else {
            assert_eq!(s.depth, 0, "a root's depth");
        }
        assert!(s.duration_ns >= 0, "negative duration");
        assert!(
            t.start_ns <= s.start_ns && s.start_ns.saturating_add(s.duration_ns) <= t.end_ns,
            "span outside the trace's extent"
        );
    }
}
