//! The headline and findings of one trace, for people (Markdown, to paste
//! into a ticket or a chat) and for tools (JSON).
//!
//! The JSON is also what the embed API posts to its host page, so its shape
//! is a promise: fields are added, never renamed or removed. Durations are
//! integer nanoseconds, each beside the same duration in words:
//!
//! ```text
//! {
//!   "traceId": "b4cc30345c91c53d780f4cb3b71588be",
//!   "rootSpanId": "2e87ee2426c1ce4f",  // null when the trace has no span
//!   "rootService": "flask-app",        // null when the trace has no span
//!   "rootOperation": "GET /slow",      // null when the trace has no span
//!   "startNs": 1795677788577508644,    // since the Unix epoch
//!   "durationNs": 6008523533,
//!   "duration": "6.01 s",
//!   "spanCount": 3,
//!   "serviceCount": 1,                 // services with at least one span
//!   "errorCount": 0,                   // spans with an error status
//!   "headline": "GET /slow (flask-app) took 6.01 s. …",
//!   "findings": [                      // largest time at stake first
//!     {
//!       "kind": "dominant-operation",  // or "n-plus-one", "fan-out",
//!                                      // "errors-on-path", "uninstrumented"
//!       "label": "Dominant operation",
//!       "sentence": "The call to weather-service (GET, 6.00 s) is …",
//!       "timeAtStakeNs": 6003115861,
//!       "timeAtStake": "6.00 s",
//!       "saving": null,                // or, where a fix is modelled (N+1,
//!                                      // fan-out, retried failures): the
//!                                      // request recomputed with it fixed,
//!                                      // {"newDurationNs", "savedNs"}
//!       "spanIds": ["4c6e70dfa6f273df"] // the evidence, at most 200
//!     }
//!   ],
//!   "criticalPath": [                  // by critical-path time, at most 10
//!     {
//!       "service": "flask-app",        // the operation's own service
//!       "operation": "GET",
//!       "timeNs": 6003115861,          // exclusive critical-path time
//!       "share": 0.9991                // of the trace's duration, 0 to 1
//!     }
//!   ]
//! }
//! ```
//!
//! Everything in the Markdown that comes from the trace (names, ids, the
//! sentences that quote them) is escaped, since trace data is untrusted: a
//! span named `<img src=x onerror=…>` or `**bold**` reads as those
//! characters, never as HTML or emphasis, and no text breaks the lines.

use crate::analysis::describe::{format_duration, format_share};
use crate::analysis::{FindingKind, TraceAnalysis};
use crate::model::Trace;
use serde_json::{json, Value};

/// Evidence span ids given per finding.
pub const MAX_SPAN_IDS: usize = 200;
/// Operations of the critical path given in the JSON.
pub const MAX_PATH_OPERATIONS: usize = 10;
/// Findings listed in the Markdown; the rest are counted.
const MARKDOWN_FINDINGS: usize = 10;
/// Operations of the critical path named in the Markdown.
const MARKDOWN_PATH_OPERATIONS: usize = 5;

/// A finding kind's stable name in the JSON.
pub fn kind_name(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::DominantOperation => "dominant-operation",
        FindingKind::SequentialRepetition => "n-plus-one",
        FindingKind::FanOut => "fan-out",
        FindingKind::ErrorsOnPath => "errors-on-path",
        FindingKind::Uninstrumented => "uninstrumented",
    }
}

/// Services that have at least one span.
fn service_count(trace: &Trace) -> usize {
    trace.services.iter().filter(|s| s.span_count > 0).count()
}

/// The trace's summary as JSON, in the shape the module documentation gives.
pub fn summary_json(trace: &Trace, analysis: &TraceAnalysis) -> Value {
    let root = trace.main_root().and_then(|r| trace.span(r));
    let total = trace.duration_ns();
    let findings: Vec<Value> = analysis
        .findings
        .iter()
        .map(|f| {
            let span_ids: Vec<&str> = f
                .evidence
                .iter()
                .filter_map(|&e| trace.span(e))
                .take(MAX_SPAN_IDS)
                .map(|s| &*s.span_id)
                .collect();
            json!({
                "kind": kind_name(f.kind),
                "label": f.kind.label(),
                "sentence": f.sentence,
                "timeAtStakeNs": f.time_at_stake_ns,
                "timeAtStake": format_duration(f.time_at_stake_ns),
                "saving": f.saving.map(|sv| json!({
                    "newDurationNs": sv.new_duration_ns,
                    "savedNs": sv.saved_ns,
                })),
                "spanIds": span_ids,
            })
        })
        .collect();
    let critical_path: Vec<Value> = analysis
        .operation_times
        .iter()
        .take(MAX_PATH_OPERATIONS)
        .filter_map(|o| {
            let (service, operation) = trace.operation_names(o.operation)?;
            Some(json!({
                "service": service,
                "operation": operation,
                "timeNs": o.time_ns,
                "share": share(o.time_ns, total),
            }))
        })
        .collect();
    json!({
        "traceId": trace.trace_id,
        "rootSpanId": root.map(|r| &*r.span_id),
        "rootService": root.map(|r| trace.service_name(r)),
        "rootOperation": root.map(|r| trace.span_name(r)),
        "startNs": trace.start_ns,
        "durationNs": total,
        "duration": format_duration(total),
        "spanCount": trace.spans.len(),
        "serviceCount": service_count(trace),
        "errorCount": trace.error_count,
        "headline": analysis.headline,
        "findings": findings,
        "criticalPath": critical_path,
    })
}

/// `part` of `whole` as a fraction from 0 to 1 (0 for an empty whole).
fn share(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        return 0.0;
    }
    (part as f64 / whole as f64).clamp(0.0, 1.0)
}

/// The trace's summary in Markdown, for a ticket or a chat:
///
/// ```text
/// **GET /slow** in flask-app took 6.01 s (trace `b4cc…88be`, 3 spans, 1 service)
///
/// > GET /slow (flask-app) took 6.01 s. 99.9 % of it was waiting on …
///
/// Findings:
/// 1. **Dominant operation** (6.00 s at stake): The call to weather-service …
///
/// Critical path: flask-app GET 6.00 s (99.9 %), flask-app GET /slow 4.99 ms (<1 %), flask-app SELECT 420 µs (<1 %)
/// ```
pub fn summary_markdown(trace: &Trace, analysis: &TraceAnalysis) -> String {
    let total = trace.duration_ns();
    let mut out = String::new();
    let counts = format!(
        "{}, {}",
        plural(trace.spans.len(), "span"),
        plural(service_count(trace), "service")
    );
    match trace.main_root().and_then(|r| trace.span(r)) {
        Some(root) => out.push_str(&format!(
            "**{}** in {} took {} (trace {}, {counts})\n",
            escape(trace.span_name(root)),
            escape(trace.service_name(root)),
            format_duration(total),
            code(&trace.trace_id),
        )),
        None => out.push_str(&format!("Trace {} has no spans\n", code(&trace.trace_id))),
    }
    out.push_str(&format!("\n> {}\n", escape(&analysis.headline)));
    if !analysis.findings.is_empty() {
        out.push_str("\nFindings:\n");
        for (i, f) in analysis.findings.iter().take(MARKDOWN_FINDINGS).enumerate() {
            out.push_str(&format!(
                "{}. **{}** ({} at stake): {}\n",
                i + 1,
                f.kind.label(),
                format_duration(f.time_at_stake_ns),
                escape(&f.sentence)
            ));
        }
        let rest = analysis.findings.len().saturating_sub(MARKDOWN_FINDINGS);
        if rest > 0 {
            out.push_str(&format!("\nand {} more.\n", plural(rest, "finding")));
        }
    }
    let path: Vec<String> = analysis
        .operation_times
        .iter()
        .take(MARKDOWN_PATH_OPERATIONS)
        .filter_map(|o| {
            let (service, operation) = trace.operation_names(o.operation)?;
            Some(format!(
                "{} {} {} ({})",
                escape(service),
                escape(operation),
                format_duration(o.time_ns),
                format_share(o.time_ns, total)
            ))
        })
        .collect();
    if !path.is_empty() {
        let more = if analysis.operation_times.len() > MARKDOWN_PATH_OPERATIONS {
            ", …"
        } else {
            ""
        };
        out.push_str(&format!("\nCritical path: {}{more}\n", path.join(", ")));
    }
    out
}

/// "1 span", "4 spans".
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Text from the trace, safe in Markdown: the characters that mark up
/// (`\ * _ ` [ ] < > |`) and a leading `#` escaped with a backslash, and
/// line breaks and other control characters made spaces, so that no text
/// starts a line of its own (a heading, a quote, a list).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '#' if out.trim().is_empty() => out.push_str("\\#"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// An id in a code span when it is plain (letters, digits, `-_.:`), else
/// escaped text: a backslash does not escape inside a code span.
fn code(id: &str) -> String {
    let plain = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if plain {
        format!("`{id}`")
    } else {
        escape(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::import_bytes;
    use crate::model::sample;

    fn demo() -> Trace {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/public/demo/flask-slow-view.otlp.json"
        );
        let bytes = std::fs::read(path).unwrap();
        import_bytes("demo", &bytes).unwrap().traces.remove(0)
    }

    #[test]
    fn demo_json() {
        let t = demo();
        let a = TraceAnalysis::new(&t);
        let j = summary_json(&t, &a);
        println!("{}", serde_json::to_string_pretty(&j).unwrap());
        assert_eq!(j["traceId"], "b4cc30345c91c53d780f4cb3b71588be");
        assert_eq!(j["rootService"], "flask-app");
        assert_eq!(j["rootSpanId"], "2e87ee2426c1ce4f");
        assert_eq!(j["rootOperation"], "GET /slow");
        assert_eq!(j["startNs"], t.start_ns);
        assert_eq!(j["durationNs"], t.duration_ns());
        assert_eq!(j["duration"], "6.01 s");
        assert_eq!(j["spanCount"], 3);
        assert_eq!(j["serviceCount"], 1);
        assert_eq!(j["errorCount"], 0);
        assert_eq!(j["headline"], a.headline.as_str());
        assert!(j["headline"]
            .as_str()
            .unwrap()
            .starts_with("GET /slow (flask-app) took 6.01 s."));
        let keys: Vec<&String> = j.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 13, "{keys:?}");

        let findings = j["findings"].as_array().unwrap();
        assert!(!findings.is_empty());
        let first = &findings[0];
        assert_eq!(first["kind"], "dominant-operation");
        assert_eq!(first["label"], "Dominant operation");
        assert_eq!(first["timeAtStake"], "6.00 s");
        // The dominant operation has no modelled fix within one trace.
        assert_eq!(first["saving"], Value::Null);
        assert!(first["sentence"]
            .as_str()
            .unwrap()
            .starts_with("The call to weather-service (GET, 6.00 s)"));
        for f in findings {
            assert_eq!(f.as_object().unwrap().len(), 7);
            let ids = f["spanIds"].as_array().unwrap();
            assert!(!ids.is_empty());
            for id in ids {
                assert!(t.find_span(id.as_str().unwrap()).is_some(), "{id}");
            }
        }

        let path = j["criticalPath"].as_array().unwrap();
        assert_eq!(path.len(), a.operation_times.len().min(10));
        assert_eq!(path[0]["service"], "flask-app");
        assert_eq!(path[0]["operation"], "GET");
        let share = path[0]["share"].as_f64().unwrap();
        assert!(share > 0.99 && share < 1.0, "{share}");
        let times: Vec<i64> = path.iter().map(|p| p["timeNs"].as_i64().unwrap()).collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    }

    #[test]
    fn demo_markdown() {
        let t = demo();
        let a = TraceAnalysis::new(&t);
        let md = summary_markdown(&t, &a);
        println!("{md}");
        let lines: Vec<&str> = md.lines().collect();
        assert_eq!(
            lines[0],
            "**GET /slow** in flask-app took 6.01 s \
             (trace `b4cc30345c91c53d780f4cb3b71588be`, 3 spans, 1 service)"
        );
        assert_eq!(lines[2], format!("> {}", escape(&a.headline)));
        assert!(
            md.contains(
                "\nFindings:\n1. **Dominant operation** (6.00 s at stake): The call to weather-service"
            ),
            "{md}"
        );
        assert!(
            md.contains("\nCritical path: flask-app GET 6.00 s (99.9 %)"),
            "{md}"
        );
    }

    /// Trace data cannot mark up the Markdown: no HTML, no emphasis, no
    /// heading, no line of its own.
    #[test]
    fn hostile_names_are_escaped() {
        let t = sample::named(&[
            ("r", None, "svc|x", "<img src=x onerror=alert(1)>", 0, 100),
            ("c", Some("r"), "svc|x", "**bold** _it_ [l](u) `c`", 10, 80),
            ("d", Some("r"), "# h\n\n# heading\r\n> quote", "\\", 90, 5),
        ]);
        let a = TraceAnalysis::new(&t);
        let md = summary_markdown(&t, &a);
        println!("{md}");
        assert!(md.starts_with("**\\<img src=x onerror=alert(1)\\>** in svc\\|x took"));
        assert!(md.match_indices('<').all(|(i, _)| md[..i].ends_with('\\')));
        assert!(!md.contains("**bold**"));
        assert!(
            md.contains("\\*\\*bold\\*\\* \\_it\\_ \\[l\\](u) \\`c\\`"),
            "{md}"
        );
        for line in md.lines() {
            assert!(
                !line.starts_with('#') && !line.starts_with("> quote"),
                "{line}"
            );
        }
        assert_eq!(
            escape("# h\n\n# heading\r\n> quote"),
            "\\# h  # heading  \\> quote"
        );
        assert_eq!(escape("  #x"), "  \\#x");
        assert_eq!(escape("a#b"), "a#b");
        assert_eq!(escape("\\"), "\\\\");
        // An id that is not plain is escaped text, not a code span.
        assert_eq!(code("ab12"), "`ab12`");
        assert_eq!(code("a`b"), "a\\`b");
        assert_eq!(code(""), "");
    }

    #[test]
    fn an_empty_trace_has_a_summary_too() {
        let t = crate::model::TraceBuilder::new("e").build();
        let a = TraceAnalysis::new(&t);
        let j = summary_json(&t, &a);
        assert_eq!(j["rootService"], Value::Null);
        assert_eq!(j["spanCount"], 0);
        assert_eq!(j["findings"], json!([]));
        let md = summary_markdown(&t, &a);
        assert!(md.starts_with("Trace `e` has no spans\n"), "{md}");
    }

    /// An N+1 carries its computed saving: ten 10 ms calls one after the
    /// other, batched into one, save 90 ms of the 110 ms request.
    #[test]
    fn a_modelled_fix_gives_its_saving() {
        let mut rows = vec![("r", None, "web", "GET /", 0, 110)];
        let ids: Vec<String> = (0..10).map(|i| format!("q{i}")).collect();
        for (i, id) in ids.iter().enumerate() {
            rows.push((
                id.as_str(),
                Some("r"),
                "db",
                "SELECT",
                5 + 10 * i as i64,
                10,
            ));
        }
        let t = sample::named(&rows);
        let a = TraceAnalysis::new(&t);
        let j = summary_json(&t, &a);
        let n1 = j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["kind"] == "n-plus-one")
            .unwrap();
        assert_eq!(n1["saving"]["savedNs"], 90);
        assert_eq!(n1["saving"]["newDurationNs"], 20);
    }

    #[test]
    fn kind_names_are_stable() {
        let names: Vec<&str> = [
            FindingKind::DominantOperation,
            FindingKind::SequentialRepetition,
            FindingKind::FanOut,
            FindingKind::ErrorsOnPath,
            FindingKind::Uninstrumented,
        ]
        .into_iter()
        .map(kind_name)
        .collect();
        assert_eq!(
            names,
            [
                "dominant-operation",
                "n-plus-one",
                "fan-out",
                "errors-on-path",
                "uninstrumented"
            ]
        );
    }
}
