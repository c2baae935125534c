//! Round trips through the writers of `export`: every trace of every fixture
//! is written as Jaeger JSON and as OTLP/JSON, read back with the importer,
//! and compared span by span (ids, parents, names, services, times,
//! attributes of every type, events, links, status, kind).

mod common;

use traceglass::export::{to_jaeger_json, to_otlp_json};
use traceglass::import::import_bytes;
use traceglass::model::{AttrValue, RefType, Span, Status, StatusCode, Trace};

/// Tags the Jaeger writer adds for what Jaeger has no field for.
const JAEGER_DERIVED: [&str; 6] = [
    "span.kind",
    "error",
    "otel.status_code",
    "otel.status_description",
    "otel.scope.name",
    "otel.scope.version",
];

fn attrs(t: &Trace, a: &[traceglass::model::Attribute]) -> Vec<String> {
    a.iter()
        .map(|a| format!("{}={:?}", t.attr_key(a), a.value))
        .collect()
}

/// A value as Jaeger can carry it: arrays and maps as their JSON text, empty as "".
fn jaeger_value(v: &AttrValue) -> AttrValue {
    fn json(v: &AttrValue) -> serde_json::Value {
        use serde_json::Value as J;
        match v {
            AttrValue::Str(s) => J::String(s.clone()),
            AttrValue::Bool(b) => J::Bool(*b),
            AttrValue::Int(n) => J::from(*n),
            AttrValue::Double(d) => serde_json::Number::from_f64(*d).map_or(J::Null, J::Number),
            AttrValue::Bytes(_) => J::String(v.to_string()),
            AttrValue::Array(x) => J::Array(x.iter().map(json).collect()),
            AttrValue::KvList(x) => {
                J::Object(x.iter().map(|(k, v)| (k.clone(), json(v))).collect())
            }
            AttrValue::Empty => J::Null,
        }
    }
    match v {
        AttrValue::Array(_) | AttrValue::KvList(_) => AttrValue::Str(json(v).to_string()),
        AttrValue::Empty => AttrValue::Str(String::new()),
        other => other.clone(),
    }
}

fn jaeger_attrs(t: &Trace, a: &[traceglass::model::Attribute]) -> Vec<String> {
    a.iter()
        .map(|a| format!("{}={:?}", t.attr_key(a), jaeger_value(&a.value)))
        .collect()
}

/// The status Jaeger JSON gives back: Jaeger reads status from tags, so a
/// span that carries an `error=true` or `otel.status_*` attribute of its own
/// comes back with that status (as it would in Jaeger UI).
fn jaeger_status(t: &Trace, s: &Span) -> Status {
    let mut st = s.status.clone();
    let attr = |k: &str| t.attr(s, k);
    if st.code == StatusCode::Unset {
        if attr("error").is_some_and(AttrValue::is_true)
            || attr("otel.status_code").and_then(AttrValue::as_str) == Some("ERROR")
        {
            st.code = StatusCode::Error;
        } else if attr("otel.status_code").and_then(AttrValue::as_str) == Some("OK") {
            st.code = StatusCode::Ok;
        }
    }
    if st.message.is_empty() {
        if let Some(m) = attr("otel.status_description").and_then(AttrValue::as_str) {
            st.message = m.to_string();
        }
    }
    st
}

fn parent_id(t: &Trace, s: &Span) -> Option<String> {
    s.parent
        .and_then(|p| t.span(p))
        .map(|p| p.span_id.to_string())
}

fn us(ns: i64) -> i64 {
    ns.div_euclid(1000) * 1000
}

/// The spans of a trace as sortable descriptions, so that traces whose spans
/// come back in another order (OTLP groups them by service) still compare.
fn by_id(t: &Trace) -> Vec<&Span> {
    let mut v: Vec<&Span> = t.spans.iter().collect();
    v.sort_by(|a, b| {
        a.span_id
            .cmp(&b.span_id)
            .then(a.start_ns.cmp(&b.start_ns))
            .then(t.span_name(a).cmp(t.span_name(b)))
    });
    v
}

fn otlp_trace_id(id: &str) -> String {
    if id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("{id:0>32}")
    } else {
        id.to_string()
    }
}

fn check_jaeger(file: &str, a: &Trace, b: &Trace) {
    let ctx = |s: &Span| format!("{file}: trace {} span {}", a.trace_id, s.span_id);
    assert_eq!(a.trace_id, b.trace_id, "{file}");
    assert_eq!(a.spans.len(), b.spans.len(), "{file}: span count");
    for (x, y) in by_id(a).into_iter().zip(by_id(b)) {
        let c = ctx(x);
        assert_eq!(x.span_id, y.span_id, "{c}");
        assert_eq!(parent_id(a, x), parent_id(b, y), "{c}: parent");
        assert_eq!(x.parent_ref, y.parent_ref, "{c}: parent reference type");
        assert_eq!(a.span_name(x), b.span_name(y), "{c}: name");
        assert_eq!(a.service_name(x), b.service_name(y), "{c}: service");
        assert_eq!(us(x.start_ns), y.start_ns, "{c}: start");
        assert_eq!(us(x.duration_ns), y.duration_ns, "{c}: duration");
        assert_eq!(x.kind, y.kind, "{c}: kind");
        assert_eq!(jaeger_status(a, x), y.status, "{c}: status");
        // The attributes, then only the tags standing for kind, status and scope.
        let want = jaeger_attrs(a, &x.attributes);
        let got = attrs(b, &y.attributes);
        assert_eq!(got.get(..want.len()), Some(&want[..]), "{c}: attributes");
        for extra in &y.attributes[want.len()..] {
            let k = b.attr_key(extra);
            assert!(JAEGER_DERIVED.contains(&k), "{c}: unexpected tag {k}");
            assert!(
                !x.attributes.iter().any(|a0| a.attr_key(a0) == k),
                "{c}: tag {k} written twice"
            );
        }
        // Events are logs: the name is the `event` field.
        assert_eq!(x.events.len(), y.events.len(), "{c}: events");
        for (e, f) in x.events.iter().zip(&y.events) {
            assert_eq!(e.name, f.name, "{c}: event name");
            assert_eq!(us(e.time_ns), f.time_ns, "{c}: event time");
            let mut want = Vec::new();
            if !e.name.is_empty() && !e.attributes.iter().any(|k| a.attr_key(k) == "event") {
                want.push(format!("event={:?}", AttrValue::Str(e.name.clone())));
            }
            want.extend(jaeger_attrs(a, &e.attributes));
            assert_eq!(attrs(b, &f.attributes), want, "{c}: event fields");
        }
        // Links are FOLLOWS_FROM references after the parent.
        let links: Vec<(String, String)> = x
            .links
            .iter()
            .map(|l| (l.trace_id.clone(), l.span_id.clone()))
            .collect();
        let follows: Vec<(String, String)> = y
            .references
            .iter()
            .filter(|r| r.ref_type == RefType::FollowsFrom)
            .map(|r| (r.trace_id.clone(), r.span_id.clone()))
            .collect();
        assert!(follows.ends_with(&links), "{c}: links");
        if x.links.is_empty() && !x.references.is_empty() {
            assert_eq!(x.references, y.references, "{c}: references");
        }
        // Process tags.
        let svc = |t: &Trace, s: &Span| {
            t.services
                .get(s.service as usize)
                .map(|v| {
                    v.resource
                        .iter()
                        .filter(|r| t.attr_key(r) != "service.name")
                        .map(|r| format!("{}={:?}", t.attr_key(r), jaeger_value(&r.value)))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        assert_eq!(svc(a, x), svc(b, y), "{c}: process tags");
    }
}

fn check_otlp(file: &str, a: &Trace, b: &Trace) {
    let ctx = |s: &Span| format!("{file}: trace {} span {}", a.trace_id, s.span_id);
    assert_eq!(otlp_trace_id(&a.trace_id), b.trace_id, "{file}");
    assert_eq!(a.spans.len(), b.spans.len(), "{file}: span count");
    for (x, y) in by_id(a).into_iter().zip(by_id(b)) {
        let c = ctx(x);
        assert_eq!(x.span_id, y.span_id, "{c}");
        assert_eq!(parent_id(a, x), parent_id(b, y), "{c}: parent");
        assert_eq!(a.span_name(x), b.span_name(y), "{c}: name");
        assert_eq!(a.service_name(x), b.service_name(y), "{c}: service");
        // OTLP reads a time of 0 as unset, so spans at the epoch itself lose theirs.
        if x.start_ns != 0 && x.end_ns() != 0 {
            assert_eq!(x.start_ns, y.start_ns, "{c}: start");
            assert_eq!(x.duration_ns, y.duration_ns, "{c}: duration");
        }
        assert_eq!(x.kind, y.kind, "{c}: kind");
        assert_eq!(x.status, y.status, "{c}: status");
        assert_eq!(
            attrs(a, &x.attributes),
            attrs(b, &y.attributes),
            "{c}: attributes"
        );
        assert_eq!(
            x.scope.map(|s| a.str(s)),
            y.scope.map(|s| b.str(s)),
            "{c}: scope"
        );
        assert_eq!(x.events.len(), y.events.len(), "{c}: events");
        for (e, f) in x.events.iter().zip(&y.events) {
            assert_eq!(
                (e.time_ns, &e.name, attrs(a, &e.attributes)),
                (f.time_ns, &f.name, attrs(b, &f.attributes)),
                "{c}: event"
            );
        }
        // Links stay links; references that are not the parent become links.
        let got: Vec<(String, String)> = y
            .links
            .iter()
            .map(|l| (l.trace_id.clone(), l.span_id.clone()))
            .collect();
        let own: Vec<(String, String)> = x
            .links
            .iter()
            .map(|l| (otlp_trace_id(&l.trace_id), l.span_id.clone()))
            .collect();
        assert!(got.ends_with(&own), "{c}: links {got:?} {own:?}");
        for (l, m) in x.links.iter().zip(&y.links[got.len() - own.len()..]) {
            assert_eq!(
                attrs(a, &l.attributes),
                attrs(b, &m.attributes),
                "{c}: link attributes"
            );
        }
        assert!(
            got.len() - own.len() <= x.references.len(),
            "{c}: links from references"
        );
        let res = |t: &Trace, s: &Span| {
            t.services
                .get(s.service as usize)
                .map(|v| {
                    v.resource
                        .iter()
                        .filter(|r| t.attr_key(r) != "service.name")
                        .map(|r| format!("{}={:?}", t.attr_key(r), r.value))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        assert_eq!(res(a, x), res(b, y), "{c}: resource");
    }
}

fn traces_of(file: &str, bytes: &[u8]) -> Vec<Trace> {
    import_bytes(file, bytes)
        .unwrap_or_else(|e| panic!("{file} does not re-import: {e}"))
        .traces
}

#[test]
fn every_fixture_survives_both_writers() {
    let mut files = 0;
    let mut spans = 0;
    let mut big_ints = 0;
    for path in common::fixture_files("") {
        let name = path.display().to_string();
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let Ok(imported) = import_bytes(&name, &bytes) else {
            continue; // not traces (the services list, dependencies, …)
        };
        let originals: Vec<&Trace> = imported.traces.iter().collect();
        files += 1;
        for t in &originals {
            spans += t.spans.len();
            big_ints += t
                .spans
                .iter()
                .flat_map(|s| &s.attributes)
                .filter(|a| matches!(a.value, AttrValue::Int(n) if n.unsigned_abs() > 1 << 53))
                .count();
        }

        let jaeger = traces_of(&name, to_jaeger_json(&originals).as_bytes());
        assert_eq!(
            jaeger.len(),
            originals.len(),
            "{name}: traces in Jaeger JSON"
        );
        for a in &originals {
            let b = jaeger
                .iter()
                .find(|b| b.trace_id == a.trace_id)
                .unwrap_or_else(|| panic!("{name}: trace {} lost in Jaeger JSON", a.trace_id));
            check_jaeger(&name, a, b);
        }

        let otlp = traces_of(&name, to_otlp_json(&originals).as_bytes());
        assert_eq!(otlp.len(), originals.len(), "{name}: traces in OTLP");
        for a in &originals {
            let id = otlp_trace_id(&a.trace_id);
            let b = otlp
                .iter()
                .find(|b| b.trace_id == id)
                .unwrap_or_else(|| panic!("{name}: trace {} lost in OTLP", a.trace_id));
            check_otlp(&name, a, b);
        }
    }
    assert!(files >= 30, "only {files} fixture files were read");
    assert!(spans >= 1000, "only {spans} spans were compared");
    assert!(big_ints > 0, "no int64 past 2^53 was compared");
}

/// One trace with every kind of value, event, link and status, from OTLP.
const EVERYTHING: &str = r#"{"resourceSpans":[{"resource":{"attributes":[
  {"key":"service.name","value":{"stringValue":"api"}},{"key":"host","value":{"stringValue":"h1"}}]},
  "scopeSpans":[{"scope":{"name":"lib","version":"1.2"},"spans":[
   {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"root","kind":2,
    "startTimeUnixNano":"1700000000000001500","endTimeUnixNano":"1700000000900002700",
    "attributes":[{"key":"big","value":{"intValue":"9007199254740993"}},{"key":"neg","value":{"intValue":"-9223372036854775808"}},
      {"key":"d","value":{"doubleValue":1.5}},{"key":"nan","value":{"doubleValue":"NaN"}},
      {"key":"b","value":{"boolValue":false}},{"key":"y","value":{"bytesValue":"AQI="}},
      {"key":"arr","value":{"arrayValue":{"values":[{"stringValue":"x"},{"intValue":"2"}]}}},
      {"key":"kv","value":{"kvlistValue":{"values":[{"key":"z","value":{"boolValue":true}}]}}},
      {"key":"none","value":{}}],
    "events":[{"timeUnixNano":"1700000000000500000","name":"exception","attributes":[{"key":"exception.type","value":{"stringValue":"E"}}]}],
    "links":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","attributes":[{"key":"why","value":{"stringValue":"batch"}}]}],
    "status":{"code":2,"message":"boom"}},
   {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"0000000000000002","parentSpanId":"eee19b7ec3c1b174","name":"child","kind":3,
    "startTimeUnixNano":"1700000000100000000","endTimeUnixNano":"1700000000200000000","status":{"code":1}}]}]}]}"#;

#[test]
fn values_of_every_type_survive() {
    let original = traces_of("everything.json", EVERYTHING.as_bytes());
    let a = &original[0];
    let jaeger = to_jaeger_json(&[a]);
    let b = &traces_of("everything.jaeger.json", jaeger.as_bytes())[0];
    check_jaeger("everything", a, b);
    let root = &b.spans[0];
    assert_eq!(
        b.attr(root, "big"),
        Some(&AttrValue::Int(9_007_199_254_740_993))
    );
    assert_eq!(b.attr(root, "neg"), Some(&AttrValue::Int(i64::MIN)));
    assert_eq!(b.attr(root, "y"), Some(&AttrValue::Bytes(vec![1, 2])));
    assert_eq!(
        b.attr(root, "arr"),
        Some(&AttrValue::Str(r#"["x",2]"#.into()))
    );
    assert!(matches!(b.attr(root, "nan"), Some(AttrValue::Double(d)) if d.is_nan()));
    assert_eq!(root.events[0].name, "exception");
    assert_eq!(
        b.attr(root, "otel.scope.version").and_then(|v| v.as_str()),
        Some("1.2")
    );
    // The link is a FOLLOWS_FROM reference into the other trace.
    assert!(root
        .references
        .iter()
        .any(|r| r.ref_type == RefType::FollowsFrom
            && r.trace_id == "0af7651916cd43dd8448eb211c80319c"
            && r.span_id == "b7ad6b7169203331"));
    // A number past 2^53 is written as digits, not through a float.
    assert!(jaeger.contains(r#""value":9007199254740993"#), "{jaeger}");

    let otlp = to_otlp_json(&[a]);
    let c = &traces_of("everything.otlp.json", otlp.as_bytes())[0];
    check_otlp("everything", a, c);
    assert!(otlp.contains(r#""intValue":"9007199254740993""#), "{otlp}");
    assert!(otlp.contains(r#""doubleValue":"NaN""#), "{otlp}");
    assert_eq!(c.spans[0].links[0].span_id, "b7ad6b7169203331");
    assert_eq!(c.str(c.spans[0].scope.unwrap()), "lib 1.2");
}

#[test]
fn jaeger_references_become_links_in_otlp() {
    let doc = r#"{"data":[{"traceID":"1","spans":[
      {"traceID":"1","spanID":"a","operationName":"root","references":[],"startTime":10,"duration":100,"processID":"p1"},
      {"traceID":"1","spanID":"b","operationName":"next","startTime":20,"duration":5,"processID":"p1",
       "references":[{"refType":"CHILD_OF","traceID":"1","spanID":"a"},{"refType":"FOLLOWS_FROM","traceID":"2","spanID":"c"}]}],
      "processes":{"p1":{"serviceName":"svc","tags":[{"key":"ip","type":"string","value":"10.0.0.1"}]}}}]}"#;
    let a = &traces_of("refs.json", doc.as_bytes())[0];
    let otlp = to_otlp_json(&[a]);
    let b = &traces_of("refs.otlp.json", otlp.as_bytes())[0];
    check_otlp("refs", a, b);
    let next = &b.spans[b.find_span("000000000000000b").unwrap() as usize];
    assert_eq!(parent_id(b, next).as_deref(), Some("000000000000000a"));
    assert_eq!(next.links.len(), 1);
    assert_eq!(next.links[0].trace_id, "00000000000000000000000000000002");
    assert_eq!(
        b.attr_key(&next.links[0].attributes[0]),
        "opentracing.ref_type"
    );
    assert_eq!(
        next.links[0].attributes[0].value,
        AttrValue::Str("follows_from".into())
    );
    // The process tags are the resource, with service.name added.
    let svc = &b.services[next.service as usize];
    assert_eq!(
        attrs(b, &svc.resource),
        vec![
            format!("service.name={:?}", AttrValue::Str("svc".into())),
            format!("ip={:?}", AttrValue::Str("10.0.0.1".into()))
        ]
    );
}
