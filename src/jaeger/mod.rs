//! Jaeger's query HTTP API, without the browser: which URL to ask for what
//! (v3 `/api/v3/*` and the older v1 `/api/*`), the search form's fields in
//! Jaeger's own syntax (logfmt tags, Go durations), and reading the answers
//! that are not traces (services, operations, trace summaries, errors).
//! Traces themselves go through `import`. `sources::jaeger` does the fetching.

use crate::analysis::describe::parse_duration;
use serde::Deserialize;

/// Which generation of the API a server speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiVersion {
    /// Jaeger v2: `/api/v3/*` (OTLP traces).
    V3,
    /// Jaeger v1 and early v2: `/api/*` (Jaeger JSON traces).
    V1,
}

impl ApiVersion {
    pub fn label(self) -> &'static str {
        match self {
            ApiVersion::V3 => "API v3",
            ApiVersion::V1 => "API v1",
        }
    }
}

/// The lookback presets of Jaeger UI's search form, in seconds.
pub const LOOKBACKS: [(&str, &str, i64); 11] = [
    ("5m", "Last 5 minutes", 300),
    ("15m", "Last 15 minutes", 900),
    ("30m", "Last 30 minutes", 1_800),
    ("1h", "Last hour", 3_600),
    ("2h", "Last 2 hours", 7_200),
    ("3h", "Last 3 hours", 10_800),
    ("6h", "Last 6 hours", 21_600),
    ("12h", "Last 12 hours", 43_200),
    ("24h", "Last 24 hours", 86_400),
    ("2d", "Last 2 days", 172_800),
    ("custom", "Custom time range", 0),
];

/// A search, in the units Jaeger takes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Search {
    pub service: String,
    /// Empty for all operations.
    pub operation: String,
    /// Tags from logfmt, in order.
    pub tags: Vec<(String, String)>,
    pub start_us: i64,
    pub end_us: i64,
    /// Go durations, validated.
    pub min_duration: Option<String>,
    pub max_duration: Option<String>,
    pub limit: u32,
}

/// Parses Jaeger UI's logfmt tags: `http.status_code=500 error=true note="a b"`.
pub fn parse_logfmt(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(out);
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        if chars.next() != Some('=') || key.is_empty() {
            return Err(format!("tag \"{key}\" needs a value: write key=value"));
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            value.push(n);
                        }
                    }
                    '"' => {
                        closed = true;
                        break;
                    }
                    c => value.push(c),
                }
            }
            if !closed {
                return Err(format!("the value of tag \"{key}\" has no closing quote"));
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        out.push((key, value));
    }
}

/// Checks a Go duration for `minDuration`/`maxDuration`, as Jaeger will.
pub fn check_duration(text: &str) -> Result<Option<String>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    parse_duration(t).map(|_| Some(t.to_string()))
}

/// The tags as the JSON map Jaeger expects (`tags=` in v1, `query.attributes` in v3).
pub fn tags_json(tags: &[(String, String)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = tags
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// Percent-encodes a query component.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Microseconds since the epoch as RFC 3339 in UTC (what v3 takes).
pub fn rfc3339(us: i64) -> String {
    let secs = us.div_euclid(1_000_000);
    let micros = us.rem_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn join(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

pub fn services_url(base: &str, v: ApiVersion) -> String {
    match v {
        ApiVersion::V3 => join(base, "/api/v3/services"),
        ApiVersion::V1 => join(base, "/api/services"),
    }
}

pub fn operations_url(base: &str, v: ApiVersion, service: &str) -> String {
    match v {
        ApiVersion::V3 => join(
            base,
            &format!("/api/v3/operations?service={}", encode(service)),
        ),
        ApiVersion::V1 => join(
            base,
            &format!("/api/operations?service={}", encode(service)),
        ),
    }
}

pub fn trace_url(base: &str, v: ApiVersion, trace_id: &str) -> String {
    match v {
        ApiVersion::V3 => join(base, &format!("/api/v3/traces/{}", encode(trace_id.trim()))),
        ApiVersion::V1 => join(base, &format!("/api/traces/{}", encode(trace_id.trim()))),
    }
}

/// Where to search: v3 summaries (`summaries`) or full traces, or v1 traces.
pub fn search_url(base: &str, v: ApiVersion, q: &Search, summaries: bool) -> String {
    let mut p: Vec<(String, String)> = Vec::new();
    match v {
        ApiVersion::V3 => {
            if !q.service.is_empty() {
                p.push(("query.serviceName".into(), q.service.clone()));
            }
            if !q.operation.is_empty() {
                p.push(("query.operationName".into(), q.operation.clone()));
            }
            p.push(("query.startTimeMin".into(), rfc3339(q.start_us)));
            p.push(("query.startTimeMax".into(), rfc3339(q.end_us)));
            if let Some(d) = &q.min_duration {
                p.push(("query.durationMin".into(), d.clone()));
            }
            if let Some(d) = &q.max_duration {
                p.push(("query.durationMax".into(), d.clone()));
            }
            p.push(("query.searchDepth".into(), q.limit.to_string()));
            if !q.tags.is_empty() {
                p.push(("query.attributes".into(), tags_json(&q.tags)));
            }
        }
        ApiVersion::V1 => {
            p.push(("service".into(), q.service.clone()));
            if !q.operation.is_empty() {
                p.push(("operation".into(), q.operation.clone()));
            }
            p.push(("start".into(), q.start_us.to_string()));
            p.push(("end".into(), q.end_us.to_string()));
            if let Some(d) = &q.min_duration {
                p.push(("minDuration".into(), d.clone()));
            }
            if let Some(d) = &q.max_duration {
                p.push(("maxDuration".into(), d.clone()));
            }
            p.push(("limit".into(), q.limit.to_string()));
            if !q.tags.is_empty() {
                p.push(("tags".into(), tags_json(&q.tags)));
            }
        }
    }
    let query: Vec<String> = p
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    let path = match (v, summaries) {
        (ApiVersion::V3, true) => "/api/v3/trace-summaries",
        (ApiVersion::V3, false) => "/api/v3/traces",
        (ApiVersion::V1, _) => "/api/traces",
    };
    join(base, &format!("{path}?{}", query.join("&")))
}

/// Jaeger's own error text from a response body: v1 `errors[].msg`, v3 `error.message`.
pub fn error_message(body: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct V1Err {
        #[serde(default)]
        msg: Option<String>,
    }
    #[derive(Deserialize)]
    struct V3Err {
        #[serde(default)]
        message: Option<String>,
    }
    #[derive(Deserialize)]
    struct Envelope {
        #[serde(default)]
        errors: Option<Vec<V1Err>>,
        #[serde(default)]
        error: Option<V3Err>,
    }
    let e: Envelope = serde_json::from_str(body.trim()).ok()?;
    if let Some(m) = e.error.and_then(|e| e.message).filter(|m| !m.is_empty()) {
        return Some(m);
    }
    let msgs: Vec<String> = e.errors?.into_iter().filter_map(|e| e.msg).collect();
    (!msgs.is_empty()).then(|| msgs.join("; "))
}

/// True for a v1 search answer that found nothing: `{"data":[]…}` or
/// `"data":null`, without errors. (An envelope with errors is not empty:
/// the importer words them.)
pub fn is_empty_search(body: &str) -> bool {
    #[derive(Deserialize)]
    struct Envelope {
        #[serde(default)]
        data: Option<Vec<serde::de::IgnoredAny>>,
        #[serde(default)]
        errors: Option<Vec<serde::de::IgnoredAny>>,
    }
    serde_json::from_str::<Envelope>(body.trim())
        .is_ok_and(|e| e.data.is_none_or(|d| d.is_empty()) && e.errors.is_none_or(|e| e.is_empty()))
}

/// Services from `/api/v3/services` or `/api/services`.
pub fn parse_services(v: ApiVersion, body: &str) -> Result<Vec<String>, String> {
    #[derive(Deserialize)]
    struct V3 {
        services: Option<Vec<String>>,
    }
    #[derive(Deserialize)]
    struct V1 {
        data: Option<Vec<String>>,
    }
    let mut list = match v {
        ApiVersion::V3 => serde_json::from_str::<V3>(body).map(|r| r.services),
        ApiVersion::V1 => serde_json::from_str::<V1>(body).map(|r| r.data),
    }
    .map_err(|e| format!("the services list is not what Jaeger returns: {e}"))?
    .unwrap_or_default();
    list.sort();
    Ok(list)
}

/// One operation of a service, with its span kind.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Operation {
    pub name: String,
    #[serde(rename = "spanKind", default)]
    pub span_kind: String,
}

/// Operations from `/api/v3/operations` or `/api/operations`.
pub fn parse_operations(v: ApiVersion, body: &str) -> Result<Vec<Operation>, String> {
    #[derive(Deserialize)]
    struct V3 {
        operations: Option<Vec<Operation>>,
    }
    #[derive(Deserialize)]
    struct V1 {
        data: Option<Vec<Operation>>,
    }
    let mut list = match v {
        ApiVersion::V3 => serde_json::from_str::<V3>(body).map(|r| r.operations),
        ApiVersion::V1 => serde_json::from_str::<V1>(body).map(|r| r.data),
    }
    .map_err(|e| format!("the operations list is not what Jaeger returns: {e}"))?
    .unwrap_or_default();
    list.sort_by(|a, b| a.name.cmp(&b.name).then(a.span_kind.cmp(&b.span_kind)));
    Ok(list)
}

/// The span kinds in the order the operation list groups them.
const KIND_ORDER: [&str; 5] = ["server", "client", "producer", "consumer", "internal"];

/// Operations grouped by span kind, for the form's `<optgroup>`s: the
/// kinds in `KIND_ORDER`, then any other kind by name, then operations
/// Jaeger gave no kind (v1 answers `""` for spans without `span.kind`).
/// Within a group the names are sorted and unique.
pub fn operations_by_kind(ops: &[Operation]) -> Vec<(String, Vec<String>)> {
    let rank = |k: &str| {
        KIND_ORDER
            .iter()
            .position(|x| *x == k)
            .unwrap_or(if k.is_empty() {
                KIND_ORDER.len() + 1
            } else {
                KIND_ORDER.len()
            })
    };
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for o in ops {
        let kind = o.span_kind.trim().to_ascii_lowercase();
        match groups.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, names)) => names.push(o.name.clone()),
            None => groups.push((kind, vec![o.name.clone()])),
        }
    }
    for (_, names) in groups.iter_mut() {
        names.sort();
        names.dedup();
    }
    groups.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then(a.0.cmp(&b.0)));
    groups
}

/// The label of a span-kind group.
pub fn kind_label(kind: &str) -> &str {
    if kind.is_empty() {
        "no span kind"
    } else {
        kind
    }
}

/// One result of `/api/v3/trace-summaries`.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceSummary {
    pub trace_id: String,
    pub root_service: String,
    pub root_operation: String,
    pub start_ns: i64,
    pub end_ns: i64,
    pub span_count: u64,
    pub error_count: u64,
    pub services: Vec<(String, u64)>,
}

/// Reads `{"summaries":[…]}`.
pub fn parse_summaries(body: &str) -> Result<Vec<TraceSummary>, String> {
    use crate::import::json_int as Int;
    #[derive(Deserialize)]
    struct Svc {
        #[serde(default)]
        name: String,
        #[serde(rename = "spanCount", default)]
        span_count: Option<Int>,
    }
    #[derive(Deserialize)]
    struct S {
        #[serde(rename = "traceId")]
        trace_id: String,
        #[serde(rename = "rootServiceName", default)]
        root_service: String,
        #[serde(rename = "rootOperationName", default)]
        root_operation: String,
        #[serde(rename = "minStartTimeUnixNano", default)]
        start: Option<Int>,
        #[serde(rename = "maxEndTimeUnixNano", default)]
        end: Option<Int>,
        #[serde(rename = "spanCount", default)]
        span_count: Option<Int>,
        #[serde(rename = "errorSpanCount", default)]
        error_count: Option<Int>,
        #[serde(default)]
        services: Vec<Svc>,
    }
    #[derive(Deserialize)]
    struct R {
        #[serde(default)]
        summaries: Vec<S>,
    }
    let r: R = serde_json::from_str(body)
        .map_err(|e| format!("the trace summaries are not what Jaeger returns: {e}"))?;
    let n = |i: Option<Int>| i.map_or(0, |i| i.0);
    Ok(r.summaries
        .into_iter()
        .map(|s| TraceSummary {
            trace_id: s.trace_id,
            root_service: s.root_service,
            root_operation: s.root_operation,
            start_ns: n(s.start),
            end_ns: n(s.end),
            span_count: n(s.span_count).max(0) as u64,
            error_count: n(s.error_count).max(0) as u64,
            services: s
                .services
                .into_iter()
                .map(|v| (v.name, n(v.span_count).max(0) as u64))
                .collect(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logfmt_tags() {
        assert_eq!(
            parse_logfmt(r#"http.status_code=500 error=true note="a \"b\" c""#).unwrap(),
            vec![
                ("http.status_code".to_string(), "500".to_string()),
                ("error".to_string(), "true".to_string()),
                ("note".to_string(), r#"a "b" c"#.to_string()),
            ]
        );
        assert!(parse_logfmt("lonely").is_err());
        assert!(parse_logfmt("k=\"open").is_err());
        assert_eq!(parse_logfmt("  ").unwrap(), vec![]);
    }

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            rfc3339(1_700_000_000_123_456),
            "2023-11-14T22:13:20.123456Z"
        );
        assert_eq!(rfc3339(951_782_400_000_000), "2000-02-29T00:00:00.000000Z");
    }

    #[test]
    fn search_urls_follow_each_api() {
        let q = Search {
            service: "frontend".into(),
            operation: "GET /".into(),
            tags: vec![("error".into(), "true".into())],
            start_us: 1_700_000_000_000_000,
            end_us: 1_700_000_060_000_000,
            min_duration: Some("100ms".into()),
            max_duration: None,
            limit: 20,
        };
        assert_eq!(
            search_url("http://j:16686/", ApiVersion::V3, &q, true),
            "http://j:16686/api/v3/trace-summaries?query.serviceName=frontend&query.operationName=GET%20%2F\
             &query.startTimeMin=2023-11-14T22%3A13%3A20.000000Z&query.startTimeMax=2023-11-14T22%3A14%3A20.000000Z\
             &query.durationMin=100ms&query.searchDepth=20&query.attributes=%7B%22error%22%3A%22true%22%7D"
        );
        assert_eq!(
            search_url("", ApiVersion::V1, &q, false),
            "/api/traces?service=frontend&operation=GET%20%2F&start=1700000000000000&end=1700000060000000\
             &minDuration=100ms&limit=20&tags=%7B%22error%22%3A%22true%22%7D"
        );
    }

    #[test]
    fn reads_recorded_responses() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/fixtures/jaeger-apiv3/"
        );
        let services = std::fs::read_to_string(format!("{dir}snapshot-getservices.json")).unwrap();
        assert_eq!(
            parse_services(ApiVersion::V3, &services).unwrap(),
            vec!["foo"]
        );
        let ops = std::fs::read_to_string(format!("{dir}snapshot-getoperations.json")).unwrap();
        assert_eq!(
            parse_operations(ApiVersion::V3, &ops).unwrap(),
            vec![Operation {
                name: "get_users".into(),
                span_kind: "server".into()
            }]
        );
        assert_eq!(
            error_message(r#"{"error":{"httpCode":404,"message":"No traces found"}}"#).as_deref(),
            Some("No traces found")
        );
        assert_eq!(
            error_message(r#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":400,"msg":"parameter 'service' is required"}]}"#).as_deref(),
            Some("parameter 'service' is required")
        );
        assert!(parse_services(ApiVersion::V1, "<html>").is_err());
    }

    #[test]
    fn empty_v1_searches() {
        assert!(is_empty_search(
            r#"{"data":[],"total":0,"limit":0,"offset":0,"errors":null}"#
        ));
        assert!(is_empty_search(
            r#"{"data":null,"total":0,"limit":0,"offset":0,"errors":null}"#
        ));
        assert!(!is_empty_search(
            r#"{"data":[],"errors":[{"msg":"trace not found","traceID":"1"}]}"#
        ));
        assert!(!is_empty_search(r#"{"data":[{"traceID":"1","spans":[]}]}"#));
        assert!(!is_empty_search("<html>"));
    }

    #[test]
    fn operations_grouped_by_span_kind() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/fixtures/jaeger-apiv3/"
        );
        let ops = std::fs::read_to_string(format!("{dir}snapshot-getoperations.json")).unwrap();
        let v3 = parse_operations(ApiVersion::V3, &ops).unwrap();
        assert_eq!(
            operations_by_kind(&v3),
            vec![("server".to_string(), vec!["get_users".to_string()])]
        );
        // v1 `/api/operations?service=X` (ANCHORS §3.1): `{data:[{name, spanKind}], total}`,
        // with "" for spans that have no span.kind tag; one name may have several kinds.
        let v1 = parse_operations(
            ApiVersion::V1,
            r#"{"data":[{"name":"SELECT","spanKind":"client"},{"name":"GET /","spanKind":"server"},
               {"name":"work","spanKind":""},{"name":"GET /","spanKind":"client"},
               {"name":"send","spanKind":"producer"},{"name":"tick","spanKind":"weird"},
               {"name":"auth","spanKind":"server"}],"total":7,"limit":0,"offset":0,"errors":null}"#,
        )
        .unwrap();
        let groups = operations_by_kind(&v1);
        let labels: Vec<&str> = groups.iter().map(|(k, _)| kind_label(k)).collect();
        assert_eq!(
            labels,
            vec!["server", "client", "producer", "weird", "no span kind"]
        );
        assert_eq!(groups[0].1, vec!["GET /", "auth"]);
        assert_eq!(groups[1].1, vec!["GET /", "SELECT"]);
        assert!(operations_by_kind(&[]).is_empty());
        assert!(parse_operations(ApiVersion::V1, r#"{"data":["GET /"]}"#).is_err());
    }
}
