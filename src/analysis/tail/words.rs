//! The ranking in words, in the style of the trace headline: each
//! explanation one sentence that opens with the slow group ("In the 40
//! slowest traces (≥ p95, 2.40 s), …" or "In the 12 traces between 1.20 s
//! and 2.40 s, …"), says what, how much time and what share of the extra
//! time, and how many slow traces and others it holds in.

use super::split::{About, Found, Split};
use super::{
    clamp_percentile, Explanation, Kind, Slow, Subject, Support, MIN_EXPLAINED, MIN_EXTRA_CALLS,
};
use crate::analysis::describe::{format_duration, format_share};
use crate::analysis::shorten;

/// Keys said in their own words, best known first: of the values on
/// exactly the same traces (a pod, its host), the first leads.
const PHRASES: [(&str, &str); 12] = [
    ("k8s.pod.name", "ran on pod"),
    ("host.name", "ran on host"),
    ("hostname", "ran on host"),
    ("k8s.node.name", "ran on node"),
    ("service.version", "ran version"),
    ("deployment.environment", "ran in"),
    ("cloud.region", "ran in region"),
    ("cloud.availability_zone", "ran in zone"),
    ("peer.service", "called"),
    ("http.route", "were for route"),
    ("db.system", "queried"),
    ("messaging.destination", "used"),
];
/// Longest value shown.
const MAX_VALUE: usize = 60;
/// Values on the same traces named beside the lead one.
const MAX_ALSO: usize = 2;

/// Where a key comes among the values on the same traces.
pub(super) fn key_rank(key: &str) -> usize {
    PHRASES
        .iter()
        .position(|p| p.0 == key)
        .unwrap_or(PHRASES.len())
}

/// What the traces carrying a value did: "ran on pod `payments-7`",
/// "had tenant.id = `acme`".
fn phrase(key: &str, value: &str) -> String {
    let v = shorten::text(value, MAX_VALUE);
    match PHRASES.iter().find(|p| p.0 == key) {
        Some((_, verb)) => format!("{verb} `{v}`"),
        None => format!("had {key} = `{v}`"),
    }
}

/// A percentile as written after `p`: 95, 99.9.
fn percent(p: f64) -> String {
    let s = format!("{:.2}", clamp_percentile(p));
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A mean count: whole when it nearly is, else with one decimal.
fn count(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// "In the 40 slowest traces (≥ p95, 2.40 s)", "In the 12 traces between …".
fn lead(s: &Split) -> String {
    let n = s.slow_count();
    match s.slow {
        Slow::Percentile(p) => format!(
            "In the {n} slowest trace{} (≥ p{}, {})",
            plural(n),
            percent(p),
            format_duration(s.threshold_ns)
        ),
        Slow::Range { .. } => format!("In the {n} trace{} {}", plural(n), selection(s)),
    }
}

/// "between 1.20 s and 2.40 s", "at or above p95 (2.40 s)".
fn selection(s: &Split) -> String {
    match s.slow {
        Slow::Range { from_ns, to_ns } => format!(
            "between {} and {}",
            format_duration(from_ns.min(to_ns)),
            format_duration(from_ns.max(to_ns))
        ),
        Slow::Percentile(p) => format!(
            "at or above p{} ({})",
            percent(p),
            format_duration(s.threshold_ns)
        ),
    }
}

/// What the share is of.
fn of_the_extra(s: &Split) -> &'static str {
    match s.slow {
        Slow::Percentile(_) => "of the tail",
        Slow::Range { .. } => "of their extra time",
    }
}

/// "37 of the 40 ran on pod `payments-7` (with hostname = `node-3`),
/// against 4 % of the others".
fn attribute_clause(key: &str, value: &str, also: &[(String, String)], sup: Support) -> String {
    let also: Vec<String> = also
        .iter()
        .take(MAX_ALSO)
        .map(|(k, v)| format!("{k} = `{}`", shorten::text(v, MAX_VALUE)))
        .collect();
    let also = if also.is_empty() {
        String::new()
    } else {
        format!(" (with {})", also.join(", "))
    };
    format!(
        "{} of the {} {}{also}, against {} of the others",
        sup.slow,
        sup.slow_of,
        phrase(key, value),
        others(sup)
    )
}

fn others(sup: Support) -> String {
    format_share(sup.rest as i64, sup.rest_of as i64)
}

/// One explanation, with its subject by name and its sentence.
pub(super) fn explain(s: &Split, f: &Found) -> Explanation {
    let gap = s.gap.round() as i64;
    let extra_ns = f.extra.round() as i64;
    let share = format_share(extra_ns.min(gap), gap);
    let (subject, what) = match &f.about {
        About::Operation(op) => {
            let (svc, name) = s.table.ops.get(*op as usize).cloned().unwrap_or_default();
            let what = format!("{} in {svc}", shorten::text(&name, MAX_VALUE));
            (
                Subject::Operation {
                    service: svc,
                    operation: name,
                },
                what,
            )
        }
        About::Value(v, also) => {
            let pair = |v: &u32| s.table.values.get(*v as usize).cloned();
            let (key, value) = pair(v).unwrap_or_default();
            let what = format!("{key} = {}", shorten::text(&value, MAX_VALUE));
            (
                Subject::Attribute {
                    key,
                    value,
                    also: also.iter().filter_map(pair).collect(),
                },
                what,
            )
        }
    };
    let lead = lead(s);
    let tail = of_the_extra(s);
    let extra = format_duration(extra_ns);
    let sup = f.support;
    let k_of_n = format!("{} of the {}", sup.slow, sup.slow_of);
    let others = others(sup);
    let sentence = match (f.kind, &subject) {
        (Kind::OperationTime, _) => {
            let (slow, rest) = f.calls;
            let calls = if slow - rest >= MIN_EXTRA_CALLS {
                let word = if count(slow) == "1" { "call" } else { "calls" };
                format!(" ({} {word} per trace, against {})", count(slow), count(rest))
            } else {
                String::new()
            };
            format!(
                "{lead}, {what} took {extra} more than usual{calls}; it explains {share} {tail}. It took {} or more in {k_of_n}, against {others} of the others.",
                format_duration(f.threshold.round() as i64)
            )
        }
        (Kind::Calls { slow, rest }, _) => format!(
            "{lead}, {what} ran {} times per trace, against {} in the others; the extra calls took {extra} on the critical path, {share} {tail}. {k_of_n} made {} calls or more, against {others} of the others.",
            count(slow),
            count(rest),
            count(f.threshold)
        ),
        (Kind::FanOut { slow, rest }, _) => {
            let width = if sup.rest == 0 {
                format!("{} calls at once; the others had no such fan-out", count(slow))
            } else {
                format!("{} calls at once, against {} in the others", count(slow), count(rest))
            };
            format!(
                "{lead}, the fan-out from {what} ({width}) cost {extra} more than usual, {share} {tail}. {k_of_n} had it, against {others} of the others."
            )
        }
        (Kind::Errors { retried }, _) => {
            let retried = match retried {
                0 => String::new(),
                r => format!(", {r} with a retry"),
            };
            format!(
                "{lead}, failed calls on the critical path, the first in {what}, cost {extra} more than usual, {share} {tail}. {k_of_n} had them{retried}, against {others} of the others."
            )
        }
        (Kind::Uninstrumented, _) => format!(
            "{lead}, time in {what} that no child span covers was {extra} longer than usual, {share} {tail}. {k_of_n} had it, against {others} of the others."
        ),
        (Kind::Attribute, Subject::Attribute { key, value, also }) => format!(
            "{lead}, {}; the critical-path time under it accounts for {extra}, {share} {tail}.",
            attribute_clause(key, value, also, sup)
        ),
        (Kind::Attribute, Subject::Operation { .. }) => format!("{lead}, {what}: {extra}."),
    };
    Explanation {
        kind: f.kind,
        subject,
        what,
        extra_ns,
        share: (f.extra / s.gap * 100.0).clamp(0.0, 100.0),
        support: sup,
        examples: f.examples.clone(),
        sentence,
        at_usual: None,
    }
}

/// The top explanation's sentence; when that is not an attribute value,
/// the top attribute value's clause after it.
pub(super) fn headline(s: &Split, explanations: &[Explanation]) -> String {
    let Some(top) = explanations.first() else {
        return format!(
            "{}, the traces took {} longer than the others on average, but no operation, call count, pattern or attribute value accounts for {} of it.",
            lead(s),
            format_duration(s.gap.round() as i64),
            format_share((MIN_EXPLAINED * 100.0) as i64, 100)
        );
    };
    let mut out = top.sentence.clone();
    if top.kind != Kind::Attribute {
        let value = explanations.iter().find_map(|e| match &e.subject {
            Subject::Attribute { key, value, also } => Some((key, value, also, e.support)),
            Subject::Operation { .. } => None,
        });
        if let Some((key, value, also, sup)) = value {
            out.push(' ');
            out.push_str(&attribute_clause(key, value, also, sup));
            out.push('.');
        }
    }
    out
}

/// Why nothing is ranked: no traces, no slow ones, no others, or slow
/// ones that are not slower.
pub(super) fn nothing(s: &Split) -> String {
    let (n, r) = (s.slow_count(), s.rest_count());
    let which = selection(s);
    match (n + r, n, r) {
        (0, _, _) => "There are no traces to compare.".to_string(),
        (1, _, _) => "There is only one trace: there are no others to compare it with.".to_string(),
        (_, 0, _) => format!("No trace lasted {which}."),
        (_, _, 0) => {
            format!("All {n} traces are {which}: there are no others to compare them with.")
        }
        _ => format!(
            "The {n} trace{} {which} took {} on average, no longer than the {r} other{} ({}).",
            plural(n),
            format_duration((s.rest_mean + s.gap).round() as i64),
            plural(r),
            format_duration(s.rest_mean.round() as i64)
        ),
    }
}
