//! A fast reader for the common shape of one Jaeger span.
//!
//! serde_json, through the derived `JSpan`, is exact but builds every field
//! through its generic machinery and allocates for each tag. This reader
//! walks the span's bytes once and gives the same [`Parts`] with the strings
//! borrowed from the input. It reads only what it is sure to read exactly
//! as serde would; anything else (a duplicate field, an id written as a
//! float, an `int64` tag sent as a string, an array value, a span with its
//! own `process`, …) is a [`Miss::Odd`], and the caller reads that span with
//! serde, so messages and results stay those of the general path. The
//! tests compare both readers on every fixture.
//!
//! It also reads a span straight from the streaming buffer, before the span
//! is known to be complete: running out of text is a [`Miss::End`].
//!
//! The JSON underneath (whitespace, strings, numbers, objects and lists) is
//! read by the cursor in `cursor.rs`; this file knows the span's shape: its
//! fields, references, tags and logs, and what a tag's declared type makes
//! of its value.

use super::cursor::{Miss, Reader, Scalar, R};
use super::parts::{LogParts, Parts, RefParts};
use crate::model::AttrValue;
use std::borrow::Cow;

impl<'a> Reader<'a> {
    fn reference(&mut self) -> R<RefParts<'a>> {
        let mut r = RefParts::default();
        self.object(|me, key| {
            Ok(Some(match key {
                "refType" => {
                    r.ref_type = me.opt_string()?;
                    1
                }
                "traceID" => {
                    r.trace_id = me.opt_text()?;
                    2
                }
                "spanID" => {
                    r.span_id = me.opt_text()?;
                    4
                }
                _ => return Ok(None),
            }))
        })?;
        Ok(r)
    }

    /// A tag: `{key, type, value}` in any order.
    fn tag(&mut self) -> R<(Cow<'a, str>, AttrValue)> {
        let at = (self.i, self.newlines, self.line_start);
        if let Ok(tag) = self.plain_tag() {
            return Ok(tag);
        }
        (self.i, self.newlines, self.line_start) = at;
        let mut key = None;
        let mut ty: Option<Cow<'a, str>> = None;
        let mut value = Scalar::Null;
        self.object(|me, field| {
            Ok(Some(match field {
                "key" => {
                    key = Some(me.string()?);
                    1
                }
                "type" => {
                    ty = me.opt_string()?;
                    2
                }
                "value" => {
                    value = me.scalar()?;
                    4
                }
                _ => return Ok(None),
            }))
        })?;
        let key = key.ok_or(Miss::Odd)?;
        Ok((key, tag_value(ty.as_deref(), value)?))
    }

    /// A tag as Jaeger writes it, `{"key":…,"type":…,"value":…}` in that
    /// order and without spaces inside, read without matching field names.
    /// Any other shape is a miss, and `tag` reads it from the start.
    fn plain_tag(&mut self) -> R<(Cow<'a, str>, AttrValue)> {
        self.ws()?;
        self.literal(b"{\"key\":")?;
        let key = self.string()?;
        self.literal(b",\"type\":")?;
        let ty = self.string()?;
        self.literal(b",\"value\":")?;
        let value = self.scalar()?;
        self.literal(b"}")?;
        Ok((key, tag_value(Some(&ty), value)?))
    }

    fn log(&mut self) -> R<LogParts<'a>> {
        let mut l = LogParts::default();
        self.object(|me, key| {
            Ok(Some(match key {
                "timestamp" => {
                    l.timestamp = me.opt_int()?;
                    1
                }
                "fields" => {
                    l.fields = me.list(4, Self::tag)?;
                    2
                }
                _ => return Ok(None),
            }))
        })?;
        Ok(l)
    }

    /// One span object.
    pub fn span(&mut self) -> R<Parts<'a>> {
        let mut p = Parts::default();
        let mut span_id = None;
        self.object(|me, key| {
            Ok(Some(match key {
                "traceID" => {
                    p.trace_id = me.opt_text()?;
                    1
                }
                "spanID" => {
                    span_id = Some(me.text_value()?);
                    2
                }
                "parentSpanID" => {
                    p.parent_span_id = me.opt_text()?;
                    4
                }
                "operationName" => {
                    p.operation_name = me.opt_string()?;
                    8
                }
                "references" => {
                    p.references = me.list(1, Self::reference)?;
                    16
                }
                "startTime" => {
                    p.start_time = me.opt_int()?;
                    32
                }
                "duration" => {
                    p.duration = me.opt_int()?;
                    64
                }
                "tags" => {
                    p.tags = me.list(16, Self::tag)?;
                    128
                }
                "logs" => {
                    p.logs = me.list(2, Self::log)?;
                    256
                }
                "processID" => {
                    p.process_id = me.opt_string()?;
                    512
                }
                "process" => {
                    // A span with its own process: the general reader.
                    if !me.null()? {
                        return Err(Miss::Odd);
                    }
                    1024
                }
                "warnings" => {
                    p.warnings = me.list(1, Self::string)?;
                    2048
                }
                _ => return Ok(None),
            }))
        })?;
        p.span_id = span_id.ok_or(Miss::Odd)?;
        Ok(p)
    }
}

/// `serde_reader::tag_value` for the plain cases; the rest are odd.
fn tag_value(ty: Option<&str>, v: Scalar) -> R<AttrValue> {
    let is = |name: &str| ty.is_some_and(|t| t.eq_ignore_ascii_case(name));
    Ok(match v {
        Scalar::Bool(b) => {
            if is("int64") || is("float64") || is("binary") {
                return Err(Miss::Odd);
            }
            AttrValue::Bool(b)
        }
        Scalar::Int(n) if is("float64") => AttrValue::Double(n as f64),
        Scalar::Int(n) => {
            if is("binary") {
                return Err(Miss::Odd);
            }
            AttrValue::Int(n)
        }
        Scalar::Float(f) => {
            if is("int64") || is("binary") {
                return Err(Miss::Odd);
            }
            AttrValue::Double(f)
        }
        Scalar::Str(s) => {
            if is("int64") || is("float64") || is("binary") {
                return Err(Miss::Odd);
            }
            if is("bool") && (s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")) {
                AttrValue::Bool(s.eq_ignore_ascii_case("true"))
            } else {
                AttrValue::Str(s.into_owned())
            }
        }
        Scalar::Null => {
            if is("int64") || is("float64") || is("binary") {
                return Err(Miss::Odd);
            }
            AttrValue::Empty
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::serde_reader::serde_span;
    use super::*;
    use serde_json::Value;

    /// Checks the fast reader against serde on one span text: where serde
    /// reads it, the fast reader gives the same or declines; where serde
    /// fails, so does the fast reader. True when the fast reader read it.
    fn agrees(text: &str) -> bool {
        let fast = Reader::new(text).span();
        match serde_span(text) {
            Ok(slow) => match fast {
                Ok(p) => {
                    assert_eq!(p, slow, "{text}");
                    true
                }
                Err(_) => false,
            },
            Err(e) => {
                assert!(fast.is_err(), "serde fails ({e}) but fast reads {text}");
                false
            }
        }
    }

    fn spans_in(v: &Value, out: &mut Vec<Value>) {
        match v {
            Value::Object(m) => {
                if m.contains_key("spanID") {
                    out.push(v.clone());
                }
                m.values().for_each(|c| spans_in(c, out));
            }
            Value::Array(a) => a.iter().for_each(|c| spans_in(c, out)),
            _ => {}
        }
    }

    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                files(&path, out);
            } else {
                out.push(path);
            }
        }
    }

    #[test]
    fn agrees_with_serde_on_every_fixture_span() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
        let mut paths = Vec::new();
        files(&root, &mut paths);
        let mut spans = Vec::new();
        for path in &paths {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let docs: Vec<Value> = match serde_json::from_str(&text) {
                Ok(v) => vec![v],
                Err(_) => text
                    .lines()
                    .filter_map(|l| serde_json::from_str(l).ok())
                    .collect(),
            };
            docs.iter().for_each(|d| spans_in(d, &mut spans));
        }
        assert!(spans.len() > 400, "only {} Jaeger spans found", spans.len());
        let mut read = 0;
        for span in &spans {
            let compact = span.to_string();
            let pretty = serde_json::to_string_pretty(span).unwrap_or_default();
            read += agrees(&compact) as usize;
            assert_eq!(agrees(&pretty), agrees(&compact), "{pretty}");
        }
        // The fixtures are real exporters' output: the fast reader must be
        // the path most of them take.
        assert!(
            read * 10 >= spans.len() * 9,
            "fast reader read {read} of {} spans",
            spans.len()
        );
    }

    #[test]
    fn agrees_on_every_tag_type_and_value() {
        let types = [
            None,
            Some("string"),
            Some("bool"),
            Some("BOOL"),
            Some("int64"),
            Some("float64"),
            Some("binary"),
            Some("weird"),
        ];
        let values = [
            r#""x""#,
            r#""true""#,
            r#""12""#,
            r#""AQI=""#,
            "true",
            "false",
            "12",
            "-3",
            "0",
            "-0",
            "007",
            "1.5",
            "1e3",
            "-2.5E-3",
            "null",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775809",
            "[1]",
            r#"{"a":1}"#,
        ];
        let mut read = 0;
        for ty in types {
            for v in values {
                let ty = ty.map(|t| format!(r#""type":"{t}","#)).unwrap_or_default();
                let text = format!(
                    r#"{{"spanID":"a","tags":[{{"key":"k",{ty}"value":{v}}}],"logs":[{{"timestamp":1,"fields":[{{{ty}"value":{v},"key":"f"}}]}}]}}"#
                );
                read += agrees(&text) as usize;
            }
        }
        assert!(read > 50, "fast reader read only {read} tag cases");
    }

    #[test]
    fn agrees_on_odd_spans() {
        let cases = [
            r#"{"spanID":"a"}"#,
            r#"{}"#,
            r#"{"traceID":"1"}"#,
            r#"{"spanID":"a","spanID":"b"}"#,
            r#"{"spanID":null,"traceID":null,"operationName":null,"references":null,"tags":null,"logs":null,"warnings":null,"process":null}"#,
            r#"{"spanID":12,"traceID":-4}"#,
            r#"{"spanID":1.5}"#,
            r#"{"spanID":true}"#,
            r#"{"spanID":"a","operationName":"GET \"/x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}"#,
            r#"{"spanID":"a","operationName":"lone \ud83d"}"#,
            r#"{"spanID":"a","operationName":"bad \x"}"#,
            r#"{"spanID":"a","operationName":"tab	inside"}"#,
            r#"{"spanID":"a","operationName":"é ü 日本"}"#,
            r#"{"spanID":"a","startTime":"12","duration":1.0}"#,
            r#"{"spanID":"a","startTime":1750050850108962,"duration":-5}"#,
            r#"{"spanID":"a","references":[{"refType":"FOLLOWS_FROM","traceID":"1","spanID":"b","extra":[{"x":[null]}]}]}"#,
            r#"{"spanID":"a","references":[null]}"#,
            r#"{"spanID":"a","references":[{"spanID":"b","spanID":"c"}]}"#,
            r#"{"spanID":"a","tags":[{"type":"string","value":"x"}]}"#,
            r#"{"spanID":"a","tags":[{"key":"k","key":"j"}]}"#,
            r#"{"spanID":"a","tags":[{"key":"\u006b","value":"v"}]}"#,
            r#"{"span\u0049D":"a"}"#,
            r#"{"spanID":"a","process":{"serviceName":"s","tags":[]}}"#,
            r#"{"spanID":"a","warnings":["w1","w2"],"flags":1,"unknown":{"deep":[1,2,{"x":"y"}]}}"#,
            r#"{"spanID":"a","logs":[{"timestamp":null,"fields":null}]}"#,
            r#"{"spanID":"a","logs":[{"fields":[{"key":"event","value":"e"}],"fields":[]}]}"#,
            r#"{ "spanID" : "a" , "tags" : [ { "key" : "k" , "value" : 1 } ] }"#,
            r#"{"spanID":"a",}"#,
            r#"{"spanID":"a" "x":1}"#,
            r#"{"spanID":"a","x":tru}"#,
            r#"{"spanID":"a","x":01}"#,
        ];
        for text in cases {
            agrees(text);
        }
    }

    #[test]
    fn a_cut_span_is_never_read() {
        let text = r#"{"traceID":"1","spanID":"a","operationName":"op \"q\"","references":[{"refType":"CHILD_OF","traceID":"1","spanID":"b"}],"startTime":10,"duration":100,"tags":[{"key":"n","type":"int64","value":12345},{"key":"f","type":"float64","value":1.25}],"logs":[{"timestamp":11,"fields":[{"key":"event","value":"x"}]}],"processID":"p1"}"#;
        assert!(Reader::new(text).span().is_ok());
        for cut in 0..text.len() {
            if let Some(prefix) = text.get(..cut) {
                assert!(
                    Reader::new(prefix).span().is_err(),
                    "read a cut span: {prefix}"
                );
            }
        }
    }

    #[test]
    fn counts_lines_it_passes() {
        let mut r = Reader::new("{\n\"spanID\":\n\"a\"\n}\n,");
        assert!(r.span().is_ok());
        assert_eq!((r.newlines, r.line_start, r.i), (3, 16, 17));
    }
}
