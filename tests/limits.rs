//! Input past every sensible size or range (issue #18 §4): JSON nested
//! 100,000 levels deep, a 100 MB string, a million attributes on one span,
//! numbers out of range, duplicate keys, invalid UTF-8 in the middle of a
//! file. Each gives a message naming the file or a bounded result, never a
//! panic or a hang, in each importer, through `import_bytes` and through the
//! streaming `Loader` fed in small and large pieces. The limits themselves
//! are listed in ARCHITECTURE.md ("Limits").

use std::time::{Duration, Instant};
use traceglass::analysis::TraceAnalysis;
use traceglass::import::{import_bytes, ImportError, Imported, Loader};

const DEPTH: usize = 100_000;

/// Reads `bytes` through the `Loader` in pieces of `piece` bytes.
fn load(name: &str, bytes: &[u8], piece: usize) -> Result<Imported, ImportError> {
    let mut loader = Loader::new(name);
    for p in bytes.chunks(piece.max(1)) {
        if loader.push(p).is_err() {
            break;
        }
    }
    loader.finish()
}

/// Every way in (whole, small pieces, large pieces) gives the same outcome:
/// traces (each of which the analysis holds) or an error naming the file.
/// Each read must end within `limit`.
fn outcome(name: &str, bytes: &[u8], limit: Duration) -> Result<Imported, String> {
    let mut results = Vec::new();
    for piece in [0usize, 7, 64 * 1024] {
        let t0 = Instant::now();
        let r = if piece == 0 {
            import_bytes(name, bytes)
        } else {
            load(name, bytes, piece)
        };
        let took = t0.elapsed();
        assert!(took < limit, "{name} in pieces of {piece}: took {took:?}");
        match &r {
            Ok(imp) => {
                for t in &imp.traces {
                    let _ = TraceAnalysis::new(t);
                }
            }
            Err(e) => {
                assert_eq!(e.file, name);
                assert!(!e.message.is_empty());
            }
        }
        results.push(r);
    }
    let summary = |r: &Result<Imported, ImportError>| match r {
        Ok(imp) => format!(
            "ok {} traces {} spans",
            imp.traces.len(),
            imp.traces.iter().map(|t| t.spans.len()).sum::<usize>()
        ),
        Err(e) => format!("err {}", e.message),
    };
    let first = summary(&results[0]);
    for r in &results[1..] {
        assert_eq!(summary(r), first, "{name}: piece sizes disagree");
    }
    results.remove(0).map_err(|e| e.to_string())
}

fn jaeger_doc(span_fields: &str, tags: &str) -> String {
    format!(
        r#"{{"data":[{{"traceID":"t1","spans":[{{"traceID":"t1","spanID":"s1","operationName":"op","references":[],{span_fields},"tags":[{tags}],"logs":[],"processID":"p1"}}],"processes":{{"p1":{{"serviceName":"svc","tags":[]}}}}}}]}}"#
    )
}

fn otlp_doc(span_fields: &str, attrs: &str) -> String {
    format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"svc"}}}}]}},"scopeSpans":[{{"scope":{{"name":"x"}},"spans":[{{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"op",{span_fields},"attributes":[{attrs}]}}]}}]}}]}}"#
    )
}

fn zipkin_doc(span_fields: &str, tags: &str) -> String {
    format!(
        r#"[{{"traceId":"0102030405060708","id":"0102030405060708","name":"op",{span_fields},"localEndpoint":{{"serviceName":"svc"}},"tags":{{{tags}}}}}]"#
    )
}

const JAEGER_TIME: &str = r#""startTime":1000,"duration":5"#;
const OTLP_TIME: &str = r#""startTimeUnixNano":"1000000","endTimeUnixNano":"2000000""#;
const ZIPKIN_TIME: &str = r#""timestamp":1000,"duration":5"#;

fn nested(depth: usize) -> String {
    let mut s = "[".repeat(depth);
    s.push_str(&"]".repeat(depth));
    s
}

fn nested_objects(depth: usize) -> String {
    let mut s = r#"{"a":"#.repeat(depth);
    s.push('1');
    s.push_str(&"}".repeat(depth));
    s
}

/// A bound no read below should come near (the slowest, a million
/// attributes, takes a few seconds in a debug build); a read past it is a
/// hang for the user.
const SLOW: Duration = Duration::from_secs(60);

/// The error of a load that must fail.
fn refused(name: &str, doc: &str) -> String {
    match outcome(name, doc.as_bytes(), SLOW) {
        Ok(imp) => panic!("{name} loaded {} traces", imp.traces.len()),
        Err(e) => e,
    }
}

/// The one span of a load that must succeed.
fn one_span(name: &str, doc: &str) -> (Imported, traceglass::model::Span) {
    let imp = outcome(name, doc.as_bytes(), SLOW).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(imp.traces.len(), 1, "{name}");
    let span = imp.traces[0].spans[0].clone();
    assert_eq!(imp.traces[0].spans.len(), 1, "{name}");
    (imp, span)
}

#[test]
fn json_nested_100_000_levels_alone_is_refused_with_a_message() {
    for (name, doc, says) in [
        ("arrays.json", nested(DEPTH), "expected a string"),
        (
            "objects.json",
            nested_objects(DEPTH),
            "not a trace format we know",
        ),
        ("open.json", "[".repeat(DEPTH), "EOF while parsing"),
        (
            "open-objects.json",
            r#"{"a":"#.repeat(DEPTH),
            "EOF while parsing",
        ),
    ] {
        let e = refused(name, &doc);
        assert!(e.starts_with(name) && e.contains(says), "{e}");
    }
}

#[test]
fn json_nested_100_000_levels_inside_a_span_in_each_importer() {
    let deep = nested(DEPTH);
    let deep_obj = nested_objects(DEPTH);
    // A Jaeger tag's value that cannot be read (here past serde's
    // recursion limit) is kept as its text; the span loads.
    let tag = format!(r#"{{"key":"k","type":"string","value":{deep}}}"#);
    let (imp, s) = one_span("jaeger-tag.json", &jaeger_doc(JAEGER_TIME, &tag));
    assert_eq!(
        imp.traces[0].attr(&s, "k").and_then(|a| a.as_str()),
        Some(deep.as_str())
    );
    // Where the importer parses the value, serde's recursion limit refuses
    // the span, by its id.
    let e = refused(
        "zipkin-tag.json",
        &zipkin_doc(ZIPKIN_TIME, &format!(r#""k":{deep}"#)),
    );
    assert!(
        e.contains("skipped span 0102030405060708") && e.contains("recursion limit exceeded"),
        "{e}"
    );
    // Where it is a field no importer reads, it is passed over.
    for (name, doc, duration) in [
        (
            "jaeger-field.json",
            jaeger_doc(&format!("{JAEGER_TIME},\"x\":{deep_obj}"), ""),
            5_000,
        ),
        (
            "otlp-field.json",
            otlp_doc(&format!("{OTLP_TIME},\"x\":{deep}"), ""),
            1_000_000,
        ),
    ] {
        let (imp, span) = one_span(name, &doc);
        assert_eq!(imp.traces[0].operations.len(), 1, "{name}");
        assert_eq!(span.duration_ns, duration, "{name}");
    }
    // NDJSON: the deep line is read like any other.
    let lines = format!(
        "{}\n{}\n",
        otlp_doc(OTLP_TIME, ""),
        otlp_doc(&format!("{OTLP_TIME},\"x\":{deep}"), "")
            .replace("0102030405060708\"", "0807060504030201\"")
    );
    let imp = outcome("lines.ndjson", lines.as_bytes(), SLOW).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = imp.traces[0].spans.iter().map(|s| &*s.span_id).collect();
    assert_eq!(ids, ["0102030405060708", "0807060504030201"]);
    // An OTLP attribute too deep to be a value loads as a span whose
    // attribute is kept empty (or left out), never read recursively.
    let attr = format!(r#"{{"key":"k","value":{{"arrayValue":{deep_obj}}}}}"#);
    let (_, span) = one_span("otlp-attr.json", &otlp_doc(OTLP_TIME, &attr));
    assert!(span.attributes.len() <= 1);
}

#[test]
fn a_100_mb_string_value_loads_through_the_loader() {
    let size = 100 << 20;
    let doc = jaeger_doc(
        JAEGER_TIME,
        &format!(
            r#"{{"key":"big","type":"string","value":"{}"}}"#,
            "x".repeat(size)
        ),
    );
    // In the browser's piece size, and in pieces far smaller than the value.
    for piece in [1 << 20, 64 * 1024] {
        let t0 = Instant::now();
        let imp = load("big-string.json", doc.as_bytes(), piece).unwrap_or_else(|e| panic!("{e}"));
        assert!(t0.elapsed() < SLOW, "{:?}", t0.elapsed());
        let span = &imp.traces[0].spans[0];
        match span.attributes.first().map(|a| &a.value) {
            Some(traceglass::model::AttrValue::Str(s)) => assert_eq!(s.len(), size),
            other => panic!("{:?}", other.map(|v| v.to_string().len())),
        }
    }
}

#[test]
fn a_million_attributes_on_one_span_load_in_bounded_time() {
    let n = 1_000_000;
    let mut tags = String::with_capacity(n * 40);
    let mut attrs = String::with_capacity(n * 50);
    for i in 0..n {
        if i > 0 {
            tags.push(',');
            attrs.push(',');
        }
        tags.push_str(&format!(r#"{{"key":"k{i}","type":"int64","value":{i}}}"#));
        attrs.push_str(&format!(r#"{{"key":"k{i}","value":{{"intValue":"{i}"}}}}"#));
    }
    for (name, doc) in [
        ("many.json", jaeger_doc(JAEGER_TIME, &tags)),
        ("many-otlp.json", otlp_doc(OTLP_TIME, &attrs)),
    ] {
        let t0 = Instant::now();
        let imp = load(name, doc.as_bytes(), 1 << 20).unwrap_or_else(|e| panic!("{e}"));
        assert!(t0.elapsed() < SLOW, "{name}: {:?}", t0.elapsed());
        let t = &imp.traces[0];
        let span = &t.spans[0];
        assert_eq!(span.attributes.len(), n, "{name}");
        let last = span
            .attributes
            .last()
            .map(|a| (t.attr_key(a).to_string(), a.value.to_string()));
        assert_eq!(last, Some((format!("k{}", n - 1), format!("{}", n - 1))));
        let _ = TraceAnalysis::new(t);
    }
}

/// Times and durations that no `i64` of nanoseconds holds.
const OUT_OF_RANGE: [&str; 10] = [
    "1e400",
    "-1e400",
    "1.7976931348623157e308",
    "\"99999999999999999999999\"",
    "99999999999999999999999",
    "-9223372036854775809",
    "\"NaN\"",
    "\"Infinity\"",
    "\"-inf\"",
    "\"0x10\"",
];

/// A tag's number that no `f64` holds costs the tag its type, not the
/// span: the span loads, with the value as the text the file gave.
#[test]
fn a_tag_number_out_of_range_is_kept_as_its_text() {
    for v in ["1e400", "-1e400"] {
        for ty in ["float64", "int64", "string"] {
            let tag = format!(
                r#"{{"key":"big","type":"{ty}","value":{v}}},{{"key":"ok","type":"int64","value":7}}"#
            );
            let (imp, s) = one_span(
                "jaeger-tag.json",
                &jaeger_doc(r#""startTime":1000,"duration":5"#, &tag),
            );
            let t = &imp.traces[0];
            assert_eq!(
                t.attr(&s, "big").and_then(|a| a.as_str()),
                Some(v),
                "{ty} {v}"
            );
            assert_eq!(
                t.attr(&s, "ok").and_then(|a| a.as_i64()),
                Some(7),
                "{ty} {v}"
            );
        }
    }
}

#[test]
fn numbers_out_of_range_skip_the_span_by_its_id() {
    for v in OUT_OF_RANGE {
        for (name, doc, id) in [
            (
                "jaeger-start.json",
                jaeger_doc(&format!(r#""startTime":{v},"duration":5"#), ""),
                "span s1",
            ),
            (
                "jaeger-duration.json",
                jaeger_doc(&format!(r#""startTime":1000,"duration":{v}"#), ""),
                "span s1",
            ),
            (
                "otlp-start.json",
                otlp_doc(
                    &format!(r#""startTimeUnixNano":{v},"endTimeUnixNano":"2000000""#),
                    "",
                ),
                "span 0102030405060708",
            ),
            (
                "otlp-end.json",
                otlp_doc(
                    &format!(r#""startTimeUnixNano":"1000","endTimeUnixNano":{v}"#),
                    "",
                ),
                "span 0102030405060708",
            ),
            (
                "zipkin.json",
                zipkin_doc(&format!(r#""timestamp":{v},"duration":{v}"#), ""),
                "span 0102030405060708",
            ),
        ] {
            let e = refused(name, &doc);
            assert!(e.contains(&format!("skipped {id}")), "{v}: {e}");
            assert!(e.len() < 1000, "{v}: {e}");
        }
    }
}

#[test]
fn numbers_at_the_i64_limit_load_and_saturate() {
    let max = i64::MAX;
    let (_, s) = one_span(
        "jaeger-start.json",
        &jaeger_doc(&format!(r#""startTime":{max},"duration":5"#), ""),
    );
    assert_eq!((s.start_ns, s.end_ns()), (max, max));
    // Microseconds that nanoseconds cannot hold say so.
    let beyond = |s: &traceglass::model::Span, field: &str| {
        s.warnings
            .iter()
            .any(|w| w.contains(&format!("{field} {max} µs is beyond what nanoseconds hold")))
    };
    assert!(beyond(&s, "startTime"), "{:?}", s.warnings);
    assert!(!beyond(&s, "duration"), "{:?}", s.warnings);
    let (_, s) = one_span(
        "zipkin.json",
        &zipkin_doc(&format!(r#""timestamp":{max},"duration":{max}"#), ""),
    );
    assert_eq!((s.start_ns, s.duration_ns, s.end_ns()), (max, max, max));
    assert!(
        beyond(&s, "timestamp") && beyond(&s, "duration"),
        "{:?}",
        s.warnings
    );
    // A time that fits says nothing.
    let (_, s) = one_span(
        "jaeger-fits.json",
        &jaeger_doc(r#""startTime":1700000000000000,"duration":5"#, ""),
    );
    assert!(
        !s.warnings.iter().any(|w| w.contains("µs is beyond")),
        "{:?}",
        s.warnings
    );
    // An end before the start is a warning, and no duration below 0.
    let (_, s) = one_span(
        "otlp-start.json",
        &otlp_doc(
            &format!(r#""startTimeUnixNano":"{max}","endTimeUnixNano":"2000000""#),
            "",
        ),
    );
    assert_eq!(s.duration_ns, 0);
    assert!(
        s.warnings.iter().any(|w| w.contains("negative duration")),
        "{:?}",
        s.warnings
    );
}

#[test]
fn an_attribute_value_out_of_range_never_panics() {
    for v in OUT_OF_RANGE.iter().chain(&["9223372036854775807"]) {
        let tag = format!(r#"{{"key":"k","type":"float64","value":{v}}}"#);
        match outcome(
            "jaeger-tag.json",
            jaeger_doc(JAEGER_TIME, &tag).as_bytes(),
            SLOW,
        ) {
            Ok(imp) => assert_eq!(imp.traces[0].spans[0].duration_ns, 5000),
            Err(e) => assert!(e.contains("skipped span s1"), "{v}: {e}"),
        }
    }
}

#[test]
fn duplicate_keys_in_a_span_skip_it_by_name_and_in_a_document_the_last_wins() {
    for (name, doc, says) in [
        (
            "jaeger-span.json",
            jaeger_doc(r#""startTime":1000,"duration":5,"duration":7"#, ""),
            "skipped span s1 (number 1 in its trace): duplicate field `duration`",
        ),
        (
            "otlp-span.json",
            otlp_doc(&format!(r#"{OTLP_TIME},"name":"again""#), ""),
            "skipped span 0102030405060708 (number 1 of its scope): duplicate field `name`",
        ),
        (
            "zipkin.json",
            zipkin_doc(&format!(r#"{ZIPKIN_TIME},"name":"again""#), ""),
            "skipped span 0102030405060708 (number 1 in the array): duplicate field `name`",
        ),
    ] {
        let e = refused(name, &doc);
        assert!(e.contains(says), "{e}");
    }
    // A key twice in a document's envelope: the last one is read.
    let trace = jaeger_doc(JAEGER_TIME, "");
    let inner = trace
        .strip_prefix(r#"{"data":"#)
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or("");
    let (_, s) = one_span(
        "jaeger-doc.json",
        &format!(r#"{{"data":[],"data":{inner}}}"#),
    );
    assert_eq!(&*s.span_id, "s1");
    // Zipkin's tags are a map: the last of two equal keys is kept.
    let (_, s) = one_span(
        "zipkin-tags.json",
        &zipkin_doc(ZIPKIN_TIME, r#""a":"1","a":"2""#),
    );
    let values: Vec<String> = s.attributes.iter().map(|a| a.value.to_string()).collect();
    assert!(
        values.contains(&"2".to_string()) && !values.contains(&"1".to_string()),
        "{values:?}"
    );
}

#[test]
fn invalid_utf8_in_the_middle_is_a_warning_with_its_offset() {
    let mut tags = String::new();
    for i in 0..2000 {
        if i > 0 {
            tags.push(',');
        }
        tags.push_str(&format!(r#"{{"key":"k{i}","type":"string","value":"v"}}"#));
    }
    let mut bytes = jaeger_doc(JAEGER_TIME, &tags).into_bytes();
    // The `v` of a value past the first 4 KB (which are checked as a whole
    // before anything is read) is replaced by a byte that is never UTF-8.
    let mid = bytes.len() / 2;
    let at = bytes
        .get(mid..)
        .and_then(|b| b.windows(3).position(|w| w == b"\"v\""))
        .map(|p| mid + p + 1)
        .unwrap_or(0);
    assert!(at > 4096);
    bytes[at] = 0xff;
    let imp = outcome("bad-utf8.json", &bytes, SLOW).unwrap_or_else(|e| panic!("{e}"));
    let t = &imp.traces[0];
    let s = &t.spans[0];
    assert_eq!(s.attributes.len(), 2000);
    let replaced = s
        .attributes
        .iter()
        .filter(|a| a.value.to_string() == "\u{FFFD}")
        .count();
    assert_eq!(replaced, 1);
    let says = format!("not UTF-8 text (the first at byte {at})");
    assert!(
        imp.warnings.iter().any(|w| w.contains(&says)),
        "{:?}",
        imp.warnings
    );
}

#[test]
fn deep_nesting_in_small_pieces_stays_linear() {
    // Each piece used to walk every open level: 500 KB of nested objects in
    // 7-byte pieces took 50 s in a debug build; now well under a second.
    let doc = nested_objects(DEPTH);
    let t0 = Instant::now();
    let r = load("objects.json", doc.as_bytes(), 7);
    assert!(r.is_err());
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
}

#[test]
fn fifty_mb_of_text_that_is_not_json_is_refused_without_holding_it() {
    // What a proxy may send where Jaeger's search answer was expected.
    let line = "this is not JSON: a proxy answered with a log dump instead of Jaeger\n";
    let piece = line.repeat((256 << 10) / line.len());
    let mut loader = Loader::new("Jaeger search");
    let t0 = Instant::now();
    let mut pushed = 0usize;
    let mut held = 0usize;
    let mut refused = None;
    while pushed < 50 << 20 {
        if let Err(e) = loader.push(piece.as_bytes()) {
            refused = Some(e);
            break;
        }
        pushed += piece.len();
        held = held.max(loader.buffered());
    }
    // Refused at its first piece, with the text's first words, in moments.
    let e = refused.unwrap_or_else(|| panic!("{pushed} bytes taken, {held} held"));
    assert_eq!(pushed, 0);
    assert!(t0.elapsed() < Duration::from_secs(5));
    assert_eq!(
        e.message,
        "malformed JSON: the text starts with \"this is not JSON: a proxy answered with \", which is no JSON value"
    );
    // A document that is a literal is still named as one.
    for (doc, what) in [
        ("true", "a boolean"),
        ("null", "null"),
        ("false\n", "a boolean"),
    ] {
        let e = refused_doc(doc);
        assert!(
            e.contains(&format!("the document is {what}, not a trace")),
            "{e}"
        );
    }
}

fn refused_doc(doc: &str) -> String {
    refused("literal.json", doc)
}

#[test]
fn a_huge_value_in_a_number_field_gives_a_short_message() {
    // The message is shown whole: it quotes the value's start, not 10 MB.
    let junk = "x".repeat(10 << 20);
    for (name, doc) in [
        (
            "jaeger-start.json",
            jaeger_doc(&format!(r#""startTime":"{junk}","duration":5"#), ""),
        ),
        (
            "otlp-start.json",
            otlp_doc(
                &format!(r#""startTimeUnixNano":"{junk}","endTimeUnixNano":"2000000""#),
                "",
            ),
        ),
    ] {
        let e = refused(name, &doc);
        assert!(e.len() < 500, "{} chars", e.len());
        assert!(
            e.contains(&format!("\"{}…\" is not an integer", "x".repeat(40))),
            "{e}"
        );
    }
    let e = refused(
        "jaeger-start.json",
        &jaeger_doc(r#""startTime":1e308,"duration":5"#, ""),
    );
    assert!(e.contains("1e308 is not a usable integer"), "{e}");
}

#[test]
fn a_huge_span_id_is_cut_in_the_message() {
    let id = "a".repeat(1 << 20);
    let doc = format!(
        r#"[{{"traceId":"0102030405060708","id":"{id}","name":"op","timestamp":"never","localEndpoint":{{"serviceName":"svc"}}}}]"#
    );
    let e = refused("zipkin.json", &doc);
    assert!(e.len() < 1000, "{} chars", e.len());
    assert!(
        e.contains(&format!("skipped span {}…", "a".repeat(64))),
        "{e}"
    );
}
