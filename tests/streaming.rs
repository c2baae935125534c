//! The streaming loader gives the same traces whatever the size of the
//! pieces the file arrives in, and holds one piece, not the file.

mod common;

#[path = "../bench/gen/mod.rs"]
mod gen;

use traceglass::import::{import_bytes, ImportError, Imported, Loader};
use traceglass::model::Trace;

/// Everything a view shows of a trace, as text, to compare two loads.
fn digest(t: &Trace) -> String {
    let mut out = format!(
        "{} {} spans {}..{} warnings {:?}\n",
        t.trace_id,
        t.spans.len(),
        t.start_ns,
        t.end_ns,
        t.warnings
    );
    for &ix in &t.tree_order {
        if let Some(s) = t.span(ix) {
            let attrs: Vec<String> = s
                .attributes
                .iter()
                .map(|a| format!("{}={}", t.attr_key(a), a.value))
                .collect();
            let resource: Vec<String> = t
                .services
                .get(s.service as usize)
                .map(|svc| {
                    svc.resource
                        .iter()
                        .map(|a| format!("{}={}", t.attr_key(a), a.value))
                        .collect()
                })
                .unwrap_or_default();
            out.push_str(&format!(
                "{} {:?} {} {} {} {} {:?} {:?} {:?} {} events {:?}\n",
                s.span_id,
                s.parent,
                t.service_name(s),
                t.span_name(s),
                s.start_ns,
                s.duration_ns,
                s.kind,
                s.status,
                attrs,
                resource.join(","),
                s.events,
            ));
        }
    }
    out
}

/// The loader fed `bytes` in pieces of `piece` bytes (an error from `push`
/// is the one `finish` gives).
fn load_in_pieces(name: &str, bytes: &[u8], piece: usize) -> Result<Imported, ImportError> {
    traceglass::fuzzing::load_in_pieces(name, bytes, &[piece])
}

/// A Jaeger document of one span named by the bytes `name` (any bytes).
fn named_span_doc(name: &[u8]) -> Vec<u8> {
    let mut d =
        br#"{"data":[{"traceID":"1","spans":[{"traceID":"1","spanID":"a","operationName":""#
            .to_vec();
    d.extend_from_slice(name);
    d.extend_from_slice(br#"","startTime":1,"duration":2,"processID":"p1"}],"processes":{"p1":{"serviceName":"s"}}}]}"#);
    d
}

fn outcome(r: Result<Imported, ImportError>) -> String {
    match r {
        Ok(imp) => {
            let mut s = format!("{:?} warnings {:?}\n", imp.format, imp.warnings);
            for t in &imp.traces {
                s.push_str(&digest(t));
            }
            s
        }
        Err(e) => format!("error {e}"),
    }
}

#[test]
fn every_fixture_loads_the_same_in_pieces_of_any_size() {
    for path in common::fixture_files("") {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let whole = outcome(import_bytes(&name, &bytes));
        for piece in [1, 2, 7, 64, 4096] {
            let pieces = outcome(load_in_pieces(&name, &bytes, piece));
            assert_eq!(
                whole,
                pieces,
                "{} read in pieces of {piece} bytes",
                path.display()
            );
        }
    }
}

#[test]
fn generated_traces_stream_with_one_piece_in_memory() {
    for format in ["jaeger", "otlp"] {
        let mut bytes = Vec::new();
        match format {
            "jaeger" => gen::write_jaeger(&mut bytes, 5_000, 3).unwrap(),
            _ => gen::write_otlp(&mut bytes, 5_000, 3).unwrap(),
        }
        let piece = 64 * 1024;
        let mut loader = Loader::new("gen.json");
        let mut most = 0;
        let mut spans_seen = Vec::new();
        for chunk in bytes.chunks(piece) {
            loader.push(chunk).unwrap();
            most = most.max(loader.buffered());
            spans_seen.push(loader.spans_read());
        }
        // Spans come out as the file goes in, not all at the end.
        assert!(
            spans_seen.windows(2).all(|w| w[0] <= w[1]),
            "{spans_seen:?}"
        );
        assert!(
            spans_seen.get(spans_seen.len() / 2).copied().unwrap_or(0) > 1_000,
            "{format}: halfway through the file, only {spans_seen:?} spans were read"
        );
        // The scanner keeps at most a piece and the span it cuts through.
        assert!(
            most < 2 * piece,
            "{format}: {most} bytes buffered for a {} byte file",
            bytes.len()
        );
        assert_eq!(loader.bytes_read(), bytes.len() as u64);
        let streamed = loader.finish().unwrap();
        assert_eq!(
            outcome(Ok(streamed)),
            outcome(import_bytes("gen.json", &bytes))
        );
    }
}

#[test]
fn a_truncated_large_file_keeps_the_spans_before_the_cut() {
    let mut bytes = Vec::new();
    gen::write_jaeger(&mut bytes, 2_000, 5).unwrap();
    let cut = bytes.len() / 2;
    let imp = import_bytes("cut.json", &bytes[..cut]).unwrap();
    let spans: usize = imp.traces.iter().map(|t| t.spans.len()).sum();
    assert!(spans > 500 && spans < 2_000, "{spans}");
    assert!(
        imp.warnings
            .iter()
            .any(|w| w.contains("ends before its JSON is complete")),
        "{:?}",
        imp.warnings
    );
    // Services come from the processes, which this cut file never reached.
    let t = &imp.traces[0];
    assert!(t.services.iter().all(|s| t.str(s.name) == "unknown"));
    assert!(t
        .warnings
        .iter()
        .any(|w| w.message.contains("not in the trace's processes")));
}

#[test]
fn a_structural_error_after_spans_is_a_warning_before_them_an_error() {
    let good = r#"{"data":[{"traceID":"1","spans":[{"traceID":"1","spanID":"a","operationName":"op","startTime":1,"duration":2,"processID":"p1"}"#;
    let broken = format!("{good}}}]}}\n");
    let imp = import_bytes("b.json", broken.as_bytes()).unwrap();
    assert_eq!(imp.traces[0].spans.len(), 1);
    assert!(
        imp.warnings
            .iter()
            .any(|w| w.starts_with("reading stopped at line 1, column")),
        "{:?}",
        imp.warnings
    );
    let e = import_bytes("b.json", b"{\"data\":[}]}").unwrap_err();
    assert_eq!(e.line, Some(1), "{e}");
    assert!(e.message.starts_with("malformed JSON"), "{e}");
}

#[test]
fn text_that_is_not_utf8_is_replaced_and_named_and_cut_characters_are_joined() {
    let name_of = |imported: &Imported| {
        let t = &imported.traces[0];
        t.span_name(&t.spans[0]).to_string()
    };
    // A character of several bytes, cut between pieces of every size.
    let good = named_span_doc("café 日本".as_bytes());
    for piece in [1, 2, 3, 5, 4096] {
        let imported = load_in_pieces("utf8.json", &good, piece).unwrap();
        assert_eq!(name_of(&imported), "café 日本", "pieces of {piece}");
        assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    }
    // A byte that is not UTF-8 inside a span's name, past the head that is
    // sniffed for binary files: the span loads, with the byte replaced, and
    // the warning says where the first one is.
    let mut bad = vec![b' '; 5000];
    bad.extend_from_slice(&named_span_doc(b"caf\xe9 ok"));
    let at = bad.iter().position(|&b| b == 0xe9).unwrap();
    for piece in [1, 7, 4096] {
        let imported = load_in_pieces("latin1.json", &bad, piece).unwrap();
        assert_eq!(name_of(&imported), "caf\u{fffd} ok", "pieces of {piece}");
        assert!(
            imported
                .warnings
                .iter()
                .any(|w| w.contains("not UTF-8") && w.contains(&format!("byte {at}"))),
            "{:?}",
            imported.warnings
        );
    }
}

/// Found by the `stream` fuzz target (issue #18): the check for a binary
/// file looked at the first piece only, so a byte that is not UTF-8 in the
/// first 4,096 bytes refused the file when it came in one piece and was
/// replaced when the file came in small pieces (the spans loaded). The
/// first 4,096 bytes are now gathered before they are checked; so is a
/// byte-order mark cut between pieces.
#[test]
fn the_head_is_checked_for_a_binary_file_whatever_the_pieces() {
    let bad = named_span_doc(b"caf\xe9");
    let whole = outcome(import_bytes("bad.json", &bad));
    assert!(whole.contains("not UTF-8 text"), "{whole}");
    for piece in [1, 2, 7, 64, 4096] {
        assert_eq!(
            whole,
            outcome(load_in_pieces("bad.json", &bad, piece)),
            "pieces of {piece}"
        );
    }
    let mut bom = "\u{feff}".as_bytes().to_vec();
    bom.extend_from_slice(&named_span_doc(b"cafe"));
    let whole = outcome(import_bytes("bom.json", &bom));
    assert!(whole.starts_with("JaegerJson"), "{whole}");
    for piece in [1, 2] {
        assert_eq!(whole, outcome(load_in_pieces("bom.json", &bom, piece)));
    }
    // The 4,096 bytes checked follow the byte-order mark: a bad byte as
    // the last of them is found in any pieces.
    let mut late = "\u{feff}".as_bytes().to_vec();
    late.extend_from_slice(&vec![b' '; 4095]);
    late.extend_from_slice(&named_span_doc(b"cafe"));
    late[3 + 4095] = 0xff;
    let whole = outcome(import_bytes("late.json", &late));
    assert!(whole.contains("not UTF-8 text"), "{whole}");
    for piece in [1, 2, 7, 4096] {
        assert_eq!(whole, outcome(load_in_pieces("late.json", &late, piece)));
    }
}

/// Found by the `stream` fuzz target (issue #18): a Jaeger span read in
/// place by the fast reader counted as soon as its closing brace was in the
/// buffer, while a span cut out (its start and end in different pieces)
/// counts once the comma or bracket after it comes. A file cut right after
/// a span's brace, or after a span followed by something else than a comma
/// (`}.{`), gave one span more in one piece than in small ones. Now a span
/// is read in place only when its comma or bracket follows.
#[test]
fn a_span_that_ends_the_input_counts_the_same_in_any_pieces() {
    let span = |id: &str| {
        format!(
            r#"{{"traceID":"1","spanID":"{id}","operationName":"op","startTime":1,"duration":2}}"#
        )
    };
    // Past the first 4,096 bytes, which are gathered before any is read.
    let pad = " ".repeat(5000);
    let cut = format!(
        r#"{pad}{{"traceID":"1","spans":[{},{}"#,
        span("a"),
        span("b")
    );
    let dot = format!("{cut}.{}", span("c"));
    for text in [cut.clone(), dot, format!("{cut}\n  ")] {
        let whole = outcome(import_bytes("cut.json", text.as_bytes()));
        assert!(whole.contains("file ends before"), "{whole}");
        for piece in [1, 2, 7, 64, 100] {
            assert_eq!(
                whole,
                outcome(load_in_pieces("cut.json", text.as_bytes(), piece)),
                "pieces of {piece}"
            );
        }
    }
}

/// Found by the `stream` fuzz target (issue #18): a document that starts
/// like `false` but is none (`ferences": [` after a broken first document)
/// was quoted as far as it was buffered, so the message said `"fere"` in
/// small pieces and `"ferences\": ["` in one. The words are now quoted once
/// the end of the line, 40 characters or the end of the input has come.
#[test]
fn a_document_that_is_no_literal_is_quoted_the_same_in_any_pieces() {
    const FIRST: &str = r#"{"data":[{"traceID":"1","spans":[{"traceID":"1","spanID":"a","operationName":"op","startTime":1,"duration":2}]}]}"#;
    let pad = " ".repeat(5000);
    for tail in [
        "ferences\": [\n  {}",
        "nothing here",
        "t",
        "ferences",
        "nul\nl",
    ] {
        let text = format!("{pad}{FIRST}\n{tail}");
        let whole = outcome(import_bytes("doc.json", text.as_bytes()));
        for piece in [1, 2, 3, 7, 64] {
            assert_eq!(
                whole,
                outcome(load_in_pieces("doc.json", text.as_bytes(), piece)),
                "{tail:?} in pieces of {piece}"
            );
        }
    }
    let text = format!("{pad}{FIRST}\nferences\": [\n");
    let whole = outcome(import_bytes("doc.json", text.as_bytes()));
    // The quote runs to the end of the line (the outcome is written with
    // Debug, hence the escapes).
    assert!(
        whole.contains(r#"the text starts with \"ferences\\\": [\", which is no JSON value"#),
        "{whole}"
    );
}

/// Found by the `gzip` fuzz target (issue #18): once reading stopped at a
/// structural error after some spans, the rest of a gzip file fed in pieces
/// was never inflated, and the end of the input found the gzip stream
/// incomplete: "the gzip data is damaged", and no spans. In one piece the
/// spans loaded with a warning. The end of the gzip stream is not looked
/// for after a stop.
#[test]
fn a_stop_in_a_gzip_file_keeps_its_spans_whatever_the_pieces() {
    let span = r#"{"traceID":"1","spanID":"a","operationName":"op","startTime":1,"duration":2}"#;
    let pad = " ".repeat(5000);
    let text = format!(r#"{pad}{{"data":[{{"traceID":"1","spans":[{span}]]]}}]}}"#);
    let plain = outcome(import_bytes("stop.json", text.as_bytes()));
    assert!(plain.contains("reading stopped"), "{plain}");
    let zipped = gzip(text.as_bytes());
    for piece in [1, 2, 7, 64, 4096] {
        assert_eq!(
            plain,
            outcome(load_in_pieces("stop.json", &zipped, piece)),
            "pieces of {piece}"
        );
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// Feeds `bytes` in 256 KB pieces to a loader that holds at most `max`
/// bytes of text; the first error, or what `finish` gives.
fn load_limited(bytes: &[u8], max: usize) -> Result<Imported, ImportError> {
    let mut loader = Loader::with_max_buffered("bomb.json.gz", max);
    for piece in bytes.chunks(256 * 1024) {
        loader.push(piece)?;
        assert!(
            loader.buffered() <= max + 70 * 1024 * 1024,
            "held {} bytes",
            loader.buffered()
        );
    }
    loader.finish()
}

/// Issue #18: a small gzip holding one huge string, or megabytes of
/// zeros, stops with a message that says why, instead of taking the
/// page's memory; a file with spans before the huge value keeps them.
#[test]
fn a_gzip_bomb_stops_at_the_limit_with_a_message() {
    let max = 2 * 1024 * 1024;
    let mut huge = br#"{"data":[{"traceID":"a","spans":[],"processes":{},"warnings":""#.to_vec();
    huge.extend(std::iter::repeat_n(b'x', 20 * 1024 * 1024));
    huge.extend(br#""}]}"#);
    let bomb = gzip(&huge);
    assert!(bomb.len() < 100 * 1024, "{} bytes", bomb.len());
    let e = load_limited(&bomb, max).expect_err("a value past the limit");
    assert_eq!(e.file, "bomb.json.gz");
    assert!(
        e.message.contains("holds no complete span or document"),
        "{}",
        e.message
    );

    let zeros = gzip(&vec![0u8; 20 * 1024 * 1024]);
    assert!(load_limited(&zeros, max).is_err());

    // Spans first, then the huge value: the spans are kept, with a warning.
    let mut tail = br#"{"data":[{"traceID":"b","spans":[{"traceID":"b","spanID":"1","operationName":"op","startTime":1,"duration":2,"processID":"p1","references":[],"tags":[],"logs":[]}],"processes":{"p1":{"serviceName":"s","tags":[]}},"warnings":[""#.to_vec();
    tail.extend(std::iter::repeat_n(b'y', 20 * 1024 * 1024));
    tail.extend(br#""]}]}"#);
    let imported = load_limited(&gzip(&tail), max).expect("the spans before the value");
    let t = imported.traces.first().expect("one trace");
    assert_eq!(t.spans.len(), 1);
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("holds no complete span")),
        "{:?}",
        imported.warnings
    );
}
