//! The fuzz targets' checks of the text parsers: Jaeger's API answers, the
//! `uiFind` query, the URL's state and Jaeger's search syntax (Go
//! durations, logfmt).

use crate::analysis::describe::parse_duration;
use crate::analysis::search::{with_ancestors, Query};
use crate::export::share;
use crate::import::import_bytes;
use crate::jaeger::{self, ApiVersion};
use crate::model::{AttrValue, SpanInput, Trace, TraceBuilder};
use crate::ui::url::embed::{split_path, standalone, trace_ids, EmbedParams, Route, EMBED_PARAMS};
use crate::ui::url::params::{compare_pair, AppParams, Params, SearchParams, ViewParams};

/// A body as Jaeger's query API might answer: every reader of answers that
/// are not traces, in both API versions.
pub fn jaeger_api(data: &[u8]) {
    let body = String::from_utf8_lossy(data);
    for v in [ApiVersion::V1, ApiVersion::V3] {
        if let Ok(services) = jaeger::parse_services(v, &body) {
            assert!(services.is_sorted(), "services not sorted");
        }
        if let Ok(ops) = jaeger::parse_operations(v, &body) {
            let grouped = jaeger::operations_by_kind(&ops);
            let count: usize = grouped.iter().map(|(_, names)| names.len()).sum();
            assert!(count <= ops.len(), "operations grouped twice");
            for (kind, _) in &grouped {
                jaeger::kind_label(kind);
            }
        }
    }
    if let Ok(summaries) = jaeger::parse_summaries(&body) {
        for s in &summaries {
            jaeger::rfc3339(s.start_ns / 1000);
        }
    }
    jaeger::error_message(&body);
    jaeger::is_empty_search(&body);
}

/// A `uiFind` query, and a trace to search: the query is the input up to
/// its first NUL byte; what follows, when there is something, is loaded as
/// a trace file, else a small trace with attributes is searched. The whole
/// trace's matches are the spans that match one by one, and every match is
/// kept with its ancestors.
pub fn search(data: &[u8]) {
    let (query, file) = match data.iter().position(|&b| b == 0) {
        Some(i) => (
            data.get(..i).unwrap_or(&[]),
            data.get(i + 1..).unwrap_or(&[]),
        ),
        None => (data, &[][..]),
    };
    let q = Query::parse(&String::from_utf8_lossy(query));
    let traces = match import_bytes("fuzz.json", file) {
        Ok(imported) if !file.is_empty() => imported.traces,
        _ => vec![searched()],
    };
    for t in &traces {
        let found = q.find(t);
        let one_by_one: Vec<_> = if q.is_empty() {
            Vec::new()
        } else {
            t.tree_order
                .iter()
                .copied()
                .filter(|&ix| q.matches(t, ix))
                .collect()
        };
        assert_eq!(found, one_by_one, "find and matches disagree on {q:?}");
        let keep = with_ancestors(t, &found);
        for &ix in &found {
            let mut cur = Some(ix);
            while let Some(i) = cur {
                assert_eq!(keep.get(i as usize), Some(&true), "an ancestor left out");
                cur = t.span(i).and_then(|s| s.parent);
            }
        }
    }
}

/// The trace searched when the input brings none: two services, attributes
/// on the spans, a span id that a term may name.
fn searched() -> Trace {
    let mut b = TraceBuilder::new("t");
    let region = b.attribute("region", AttrValue::Str("eu-west".into()));
    let frontend = b.service("frontend", vec![region]);
    let db = b.service("mysql", Vec::new());
    let status = b.attribute("http.status_code", AttrValue::Int(500));
    let url = b.attribute("http.url", AttrValue::Str("http://x/users?id=7".into()));
    let sql = b.attribute("db.statement", AttrValue::Str("SELECT * FROM users".into()));
    let error = b.attribute("error", AttrValue::Bool(true));
    let spans = [
        ("a1", None, frontend, "GET /dispatch", 0, vec![status, url]),
        ("b2", Some("a1"), db, "SQL SELECT", 100, vec![sql]),
        ("c3", Some("b2"), db, "fetch", 200, vec![error]),
        ("d4", Some("a1"), frontend, "render", 600, Vec::new()),
    ];
    for (id, parent, service, name, start, attributes) in spans {
        let name = b.intern(name);
        b.push(SpanInput {
            span_id: id.into(),
            parent_span_id: parent.map(String::from),
            service,
            name,
            start_ns: Some(start),
            duration_ns: Some(300),
            attributes,
            ..SpanInput::default()
        });
    }
    b.build()
}

/// A page's URL: the query string (the input up to its first `#`, the
/// path before `?` when there is one) and the fragment. Every reader of the
/// URL's state, with what reading and writing back must keep.
pub fn url(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (before, fragment) = text.split_once('#').unwrap_or((&text, ""));
    let (path, query) = before.split_once('?').unwrap_or(("/", before));
    // A page's path always starts with a slash.
    let path = format!("/{}", path.strip_prefix('/').unwrap_or(path));
    let path = path.as_str();
    let p = Params::parse(query);
    assert_eq!(
        Params::parse(&p.to_query()),
        p,
        "parameters written back read differently"
    );

    AppParams::read(&p);
    let view = ViewParams::read(&p);
    let mut written = Params::default();
    view.write(&mut written);
    let again = ViewParams::read(&written);
    assert_eq!(
        (&again.span, &again.collapsed, &again.find, &again.fields),
        (&view.span, &view.collapsed, &view.find, &view.fields),
        "the view written back reads differently"
    );
    if let (Some((a, b)), Some((a2, b2))) = (view.window, again.window) {
        assert!((a - a2).abs() < 1e-6 && (b - b2).abs() < 1e-6, "window");
    }
    if let Some(search) = SearchParams::read(&p) {
        let mut written = Params::default();
        search.write(&mut written);
        let again = SearchParams::read(&written);
        assert_eq!(
            again.as_ref().map(|s| (&s.lookback, s.range_us, s.limit)),
            Some((&search.lookback, search.range_us, search.limit)),
            "the search written back reads differently"
        );
    }
    if let Some(v) = p.get("compare") {
        if let Some((a, b)) = compare_pair(v) {
            assert!(!a.is_empty() && !b.is_empty(), "an empty id compared");
        }
    }

    EmbedParams::read(&p);
    let alone = standalone(&p);
    for name in EMBED_PARAMS {
        assert_eq!(alone.all(name).count(), 0, "{name} kept on its own");
    }
    for id in trace_ids(&p) {
        assert!(!id.is_empty() && id.trim() == id, "trace id {id:?}");
    }
    let (folder, route) = split_path(path);
    assert!(
        path.starts_with(folder) && folder.ends_with('/'),
        "folder {folder:?} of {path:?}"
    );
    match &route {
        Route::Trace(id) => assert!(!id.is_empty(), "an empty trace id"),
        Route::Compare(a, b) => assert!(!a.is_empty() && !b.is_empty(), "an empty id"),
        Route::App | Route::Search => {}
    }
    assert_eq!(Route::of_path(path), route);
    let link = crate::ui::url::share::link("https://x.test", path, &view, false, fragment);
    assert!(link.starts_with("https://x.test/"), "{link}");

    if let Some(payload) = share::from_fragment(fragment) {
        if let Ok(json) = share::decode(payload) {
            if let Ok(imported) = import_bytes("link.json", &json) {
                super::analyse(&imported.traces);
            }
        }
    }
}

/// Jaeger's search syntax: a Go duration (`minDuration`, `collapseBelow`)
/// and logfmt tags, both from the input's text.
pub fn duration_logfmt(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match parse_duration(&text) {
        Ok(ns) => {
            assert!(ns >= 0, "a negative duration from {text:?}");
            let back = parse_duration(&format!("{ns}ns"));
            assert_eq!(back, Ok(ns), "{ns}ns");
            assert!(jaeger::check_duration(&text).is_ok_and(|d| d.is_some()));
        }
        Err(_) => {
            assert!(text.trim().is_empty() == jaeger::check_duration(&text).is_ok());
        }
    }
    if let Ok(tags) = jaeger::parse_logfmt(&text) {
        for (key, _) in &tags {
            assert!(!key.is_empty() && !key.contains('='), "key {key:?}");
        }
        let json = jaeger::tags_json(&tags);
        match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&json) {
            Ok(back) => assert!(back.len() <= tags.len(), "more tags read back"),
            Err(e) => panic!("tags written as JSON do not read back: {e}"),
        }
    }
}
