//! Words for people: durations with three significant digits, and what kind
//! of work a span is (a call to another service, a database query, messaging,
//! or the service's own compute), from its kind and its attributes.

use crate::model::{Span, SpanIx, SpanKind, Trace};

/// A duration for people: µs, ms or s with three significant digits.
pub fn format_duration(ns: i64) -> String {
    let ns = ns.max(0) as f64;
    let (value, unit) = if ns < 1_000.0 {
        return format!("{} ns", ns as i64);
    } else if ns < 1_000_000.0 {
        (ns / 1e3, "µs")
    } else if ns < 1_000_000_000.0 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    let digits = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    let text = format!("{value:.digits$}");
    // Rounding can carry into the next power: 999.7 µs prints as "1000".
    if text == "1000" && unit != "s" {
        return format_duration(if unit == "µs" {
            1_000_000
        } else {
            1_000_000_000
        });
    }
    format!("{text} {unit}")
}

/// Parses a Go duration (`1.5s`, `100ms`, `500us`, `2m30s`, `1h`) into
/// nanoseconds, as Jaeger's `minDuration` and our `collapseBelow` take them.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("empty duration".to_string());
    }
    if s == "0" {
        return Ok(0);
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, tail) = rest.split_at(num_len);
        let value: f64 = num
            .parse()
            .map_err(|_| format!("\"{s}\" is not a duration like 100ms, 1.5s or 2m"))?;
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, next) = tail.split_at(unit_len);
        let scale = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return Err(format!("\"{s}\" has no valid unit (ns, us, ms, s, m or h)")),
        };
        total += value * scale;
        rest = next;
    }
    if total > i64::MAX as f64 {
        return Err(format!("\"{s}\" is too long"));
    }
    Ok(total.round() as i64)
}

/// A share as a whole percentage, never "0 %" for a non-zero part.
pub fn format_share(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "0 %".to_string();
    }
    let pct = part as f64 * 100.0 / whole as f64;
    if pct > 0.0 && pct < 1.0 {
        "<1 %".to_string()
    } else if pct >= 99.5 && part < whole {
        // Never round a part up to the whole.
        format!("{:.1} %", (pct * 10.0).floor() / 10.0)
    } else {
        format!("{:.0} %", pct.min(100.0))
    }
}

/// What kind of work a span stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkKind {
    /// A call to another service (client span, http or rpc attributes).
    ExternalCall,
    /// A database call (`db.*` attributes).
    Database,
    /// Producing or consuming messages.
    Messaging,
    /// The service's own work.
    OwnCompute,
}

impl WorkKind {
    pub fn label(self) -> &'static str {
        match self {
            WorkKind::ExternalCall => "external call",
            WorkKind::Database => "database call",
            WorkKind::Messaging => "messaging",
            WorkKind::OwnCompute => "own compute",
        }
    }
}

fn has_prefix(trace: &Trace, span: &Span, prefix: &str) -> bool {
    span.attributes
        .iter()
        .any(|a| trace.attr_key(a).starts_with(prefix))
}

fn text_attr<'t>(trace: &'t Trace, span: &'t Span, keys: &[&str]) -> Option<&'t str> {
    keys.iter()
        .find_map(|k| trace.attr(span, k).and_then(|v| v.as_str()))
        .filter(|s| !s.is_empty())
}

pub fn work_kind(trace: &Trace, span: &Span) -> WorkKind {
    if has_prefix(trace, span, "db.") {
        return WorkKind::Database;
    }
    if matches!(span.kind, SpanKind::Producer | SpanKind::Consumer)
        || has_prefix(trace, span, "messaging.")
    {
        return WorkKind::Messaging;
    }
    if span.kind == SpanKind::Client
        || has_prefix(trace, span, "rpc.")
        || (span.kind != SpanKind::Server && has_prefix(trace, span, "http."))
        || trace.attr(span, "peer.service").is_some()
    {
        return WorkKind::ExternalCall;
    }
    WorkKind::OwnCompute
}

/// The remote side of a call, as instrumentation names it.
pub fn peer_name<'t>(trace: &'t Trace, span: &'t Span) -> Option<String> {
    if let Some(p) = text_attr(
        trace,
        span,
        &[
            "peer.service",
            "server.address",
            "net.peer.name",
            "rpc.service",
        ],
    ) {
        return Some(p.to_string());
    }
    let url = text_attr(trace, span, &["url.full", "http.url"])?;
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    (!host.is_empty()).then(|| host.to_string())
}

/// The database statement of a span, literals replaced by `?` and shortened.
pub fn statement(trace: &Trace, span: &Span) -> Option<String> {
    text_attr(trace, span, &["db.query.text", "db.statement"]).map(normalize_statement)
}

/// The distinct statements (normalised) of the first `read` of `spans`, in
/// the order met, at most `cap` of them: enough to tell one statement from
/// several without normalising the SQL of a hundred thousand calls.
pub fn statements_among(trace: &Trace, spans: &[SpanIx], read: usize, cap: usize) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for st in spans
        .iter()
        .take(read)
        .filter_map(|&s| trace.span(s).and_then(|x| statement(trace, x)))
    {
        if seen.len() >= cap {
            break;
        }
        if !seen.contains(&st) {
            seen.push(st);
        }
    }
    seen
}

/// Replaces string and number literals with `?` and folds white space, so
/// that the same query with other values reads as the same query.
pub fn normalize_statement(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    let mut prev_word = false;
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                for d in chars.by_ref() {
                    if d == c {
                        break;
                    }
                }
                out.push('?');
                prev_word = false;
            }
            d if d.is_ascii_digit() && !prev_word => {
                while chars
                    .peek()
                    .is_some_and(|x| x.is_ascii_alphanumeric() || *x == '.')
                {
                    chars.next();
                }
                out.push('?');
            }
            w if w.is_whitespace() => {
                if !out.ends_with(' ') && !out.is_empty() {
                    out.push(' ');
                }
                prev_word = false;
            }
            other => {
                prev_word = other.is_alphanumeric() || other == '_';
                out.push(other);
            }
        }
    }
    out.trim().to_string()
}

/// A phrase naming what a span did, with `time` in its parenthesis:
/// "the call to weather-service (GET, 6.00 s)", "the sqlite query SELECT …
/// (1.00 ms)", "render in web itself (20.0 ms)".
pub fn describe_span_with(trace: &Trace, span: &Span, time: &str) -> String {
    let name = super::shorten::text(trace.span_name(span), NAME_CHARS);
    match (work_kind(trace, span), peer_name(trace, span)) {
        (WorkKind::ExternalCall, Some(peer)) if peer != name => {
            format!("the call to {peer} ({name}, {time})")
        }
        _ => format!("{} ({time})", describe_span(trace, span)),
    }
}

/// Longest span name in a phrase: a longer one (a URL, a statement used as
/// a name) is shortened as what it is (`shorten::text`).
const NAME_CHARS: usize = 80;

/// A phrase naming what a span did: "the call to weather-service (GET)",
/// "the sqlite query SELECT name FROM cities WHERE id = ?", "render in web itself".
pub fn describe_span(trace: &Trace, span: &Span) -> String {
    let full = trace.span_name(span);
    let name = super::shorten::text(full, NAME_CHARS);
    let name = name.as_str();
    let service = trace.service_name(span);
    match work_kind(trace, span) {
        WorkKind::ExternalCall => match peer_name(trace, span) {
            Some(peer) if peer != name => format!("the call to {peer} ({name})"),
            _ => format!("the call {name} from {service}"),
        },
        WorkKind::Database => {
            let system =
                text_attr(trace, span, &["db.system.name", "db.system"]).unwrap_or("database");
            match statement(trace, span) {
                Some(st) => format!("the {system} query {}", super::shorten::statement(&st, 60)),
                None => format!("the {system} query {name}"),
            }
        }
        WorkKind::Messaging => format!("messaging {name} in {service}"),
        WorkKind::OwnCompute => format!("{name} in {service} itself"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_have_three_significant_digits() {
        assert_eq!(format_duration(6_008_500_000), "6.01 s");
        assert_eq!(format_duration(382_000), "382 µs");
        assert_eq!(format_duration(1_000_000), "1.00 ms");
        assert_eq!(format_duration(12_345_678), "12.3 ms");
        assert_eq!(format_duration(999_700), "1.00 ms");
        assert_eq!(format_duration(512), "512 ns");
        assert_eq!(format_duration(125_000_000_000), "125 s");
    }

    #[test]
    fn go_durations() {
        assert_eq!(parse_duration("100ms"), Ok(100_000_000));
        assert_eq!(parse_duration("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse_duration("2m30s"), Ok(150_000_000_000));
        assert_eq!(parse_duration("500us"), Ok(500_000));
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn shares() {
        assert_eq!(format_share(99, 100), "99 %");
        assert_eq!(format_share(1, 1000), "<1 %");
        assert_eq!(format_share(0, 0), "0 %");
        assert_eq!(format_share(6003, 6008), "99.9 %");
        assert_eq!(format_share(5, 5), "100 %");
    }

    #[test]
    fn statements_lose_their_literals() {
        assert_eq!(
            normalize_statement("SELECT * FROM t WHERE id = 42 AND name = 'bob'"),
            "SELECT * FROM t WHERE id = ? AND name = ?"
        );
        assert_eq!(
            normalize_statement("select  a1\n from t2"),
            "select a1 from t2"
        );
    }
}
