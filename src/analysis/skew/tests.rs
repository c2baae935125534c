//! The correction's rules, one case each, on traces built by hand.

use super::*;
use crate::model::{AttrValue, SpanInput, TraceBuilder};

/// A span of [`build`]: id, parent id, service, kind, start and
/// duration (ns).
type Row<'a> = (&'a str, Option<&'a str>, &'a str, SpanKind, i64, i64);

/// The trace of `rows`; `hosts` gives services an `ip` resource tag.
fn build(rows: &[Row], hosts: &[(&str, &str)]) -> Trace {
    let mut b = TraceBuilder::new("t");
    for &(id, parent, service, kind, start, duration) in rows {
        let resource = hosts
            .iter()
            .filter(|(s, _)| *s == service)
            .map(|(_, ip)| b.attribute("ip", AttrValue::Str(ip.to_string())))
            .collect();
        let service = b.service(service, resource);
        let name = b.intern(id);
        b.push(SpanInput {
            span_id: id.to_string(),
            parent_span_id: parent.map(String::from),
            service,
            name,
            kind,
            start_ns: Some(start),
            duration_ns: Some(duration),
            ..SpanInput::default()
        });
    }
    b.build()
}

fn start_of(t: &Trace, id: &str) -> i64 {
    t.spans[t.find_span(id).unwrap() as usize].start_ns
}

/// (span id, own shift, total shift) of each adjustment.
fn moves(c: &Corrected) -> Vec<(String, i64, i64)> {
    c.adjustments
        .iter()
        .map(|a| {
            let id = c.trace.spans[a.span as usize].span_id.to_string();
            (id, a.shift_ns, a.total_ns)
        })
        .collect()
}

use SpanKind::{Client, Consumer, Producer, Server};

/// A server span that starts before its client span on another host
/// is centred in it, with its own child; a warning names the amount.
#[test]
fn a_child_starting_before_its_parent_is_centred_in_it() {
    let t = build(
        &[
            ("c", None, "web", Client, 1_000, 100),
            ("s", Some("c"), "api", Server, 900, 60),
            ("q", Some("s"), "api", Client, 910, 10),
        ],
        &[],
    );
    let c = correct(&t).unwrap();
    // (100 - 60) / 2 = 20 of latency each way: s starts at 1020.
    assert_eq!(moves(&c), [("s".to_string(), 120, 120)]);
    assert_eq!(start_of(&c.trace, "s"), 1_020);
    assert_eq!(start_of(&c.trace, "q"), 1_030);
    assert_eq!(c.adjustments[0].moved_with, 1);
    let s = c.trace.find_span("s").unwrap();
    let w = &c.trace.spans[s as usize].warnings;
    assert_eq!(
        w.as_slice(),
        ["clock skew: moved +120 ns into its client span web c (api's clock against web's), with the span under it"]
    );
    assert!(c
        .trace
        .warnings
        .iter()
        .any(|x| x.span == Some(s) && x.message == w[0]));
    // The trace as recorded is left as it was.
    assert_eq!(start_of(&t, "s"), 900);
    assert_eq!((c.trace.start_ns, c.trace.end_ns), (1_000, 1_100));
}

/// A child that ends after its parent is moved back, centred.
#[test]
fn a_child_ending_after_its_parent_is_moved_back() {
    let t = build(
        &[
            ("c", None, "web", Client, 0, 1_000),
            ("s", Some("c"), "api", Server, 900, 600),
        ],
        &[],
    );
    let c = correct(&t).unwrap();
    assert_eq!(moves(&c), [("s".to_string(), -700, -700)]);
    assert_eq!(start_of(&c.trace, "s"), 200);
    assert!(c.trace.spans[1].warnings[0].starts_with("clock skew: moved −700 ns into"));
}

/// A child longer than its parent (the caller gave up) starts with it
/// when it started before; when it started within, it stays.
#[test]
fn a_child_longer_than_its_parent_only_starts_no_earlier() {
    let before = build(
        &[
            ("c", None, "web", Client, 1_000, 100),
            ("s", Some("c"), "api", Server, 950, 500),
        ],
        &[],
    );
    let c = correct(&before).unwrap();
    assert_eq!(moves(&c), [("s".to_string(), 50, 50)]);
    assert_eq!(start_of(&c.trace, "s"), 1_000);
    let within = build(
        &[
            ("c", None, "web", Client, 1_000, 100),
            ("s", Some("c"), "api", Server, 1_010, 500),
        ],
        &[],
    );
    assert!(correct(&within).is_none());
}

/// A consumer may go on long after its producer: only one that starts
/// before it is moved, to its start.
#[test]
fn a_consumer_is_only_kept_from_starting_before_its_producer() {
    let late = build(
        &[
            ("p", None, "shop", Producer, 0, 10),
            ("k", Some("p"), "mail", Consumer, 50, 5),
        ],
        &[],
    );
    assert!(correct(&late).is_none());
    let early = build(
        &[
            ("p", None, "shop", Producer, 100, 10),
            ("k", Some("p"), "mail", Consumer, 40, 5),
        ],
        &[],
    );
    assert_eq!(
        moves(&correct(&early).unwrap()),
        [("k".to_string(), 60, 60)]
    );
}

/// Spans on one clock are never moved: the same service, or two
/// services on one host address. Two replicas of one service on two
/// addresses are two clocks.
#[test]
fn spans_on_the_same_clock_are_not_moved() {
    let same_service = build(
        &[
            ("a", None, "web", Client, 100, 10),
            ("b", Some("a"), "web", Server, 50, 5),
        ],
        &[],
    );
    assert!(correct(&same_service).is_none());
    let one_host = build(
        &[
            ("a", None, "web", Client, 100, 10),
            ("b", Some("a"), "api", Server, 50, 5),
        ],
        &[("web", "10.0.0.1"), ("api", "10.0.0.1")],
    );
    assert!(correct(&one_host).is_none());
    let two_hosts = build(
        &[
            ("a", None, "web", Client, 100, 10),
            ("b", Some("a"), "api", Server, 50, 5),
        ],
        &[("web", "10.0.0.1"), ("api", "10.0.0.2")],
    );
    let c = correct(&two_hosts).unwrap();
    assert_eq!(moves(&c), [("b".to_string(), 52, 52)]);
    assert!(
        c.trace.spans[1].warnings[0].contains("(host 10.0.0.2's clock against host 10.0.0.1's)")
    );
}

/// Under a span that calls nothing out (a server span of another
/// service, a span of no kind) a child on another clock is left where
/// it is; so is a server after a one-way client span of no duration,
/// unless it starts before it.
#[test]
fn only_a_call_with_a_known_length_tells_the_skew() {
    let server_under_server = build(
        &[
            ("a", None, "web", Server, 0, 100),
            ("b", Some("a"), "api", Server, 5_000, 50),
        ],
        &[],
    );
    assert!(correct(&server_under_server).is_none());
    let no_kind = build(
        &[
            ("a", None, "web", SpanKind::Unspecified, 0, 100),
            ("b", Some("a"), "api", SpanKind::Unspecified, -50, 50),
        ],
        &[],
    );
    assert!(correct(&no_kind).is_none());
    let one_way = |start| {
        build(
            &[
                ("a", None, "web", Client, 0, 0),
                ("b", Some("a"), "api", Server, start, 0),
            ],
            &[],
        )
    };
    assert!(correct(&one_way(99)).is_none());
    assert_eq!(
        moves(&correct(&one_way(-99)).unwrap()),
        [("b".to_string(), 99, 99)]
    );
}

/// The children of one call on one clock move together, by what
/// brings their extent in; when they cannot all fit (a retry after
/// the first answer), none moves. Another clock under the same call
/// has its own move.
#[test]
fn one_clock_under_one_call_moves_as_one() {
    let t = build(
        &[
            ("c", None, "web", Client, 1_000, 100),
            ("s1", Some("c"), "api", Server, 950, 20),
            ("s2", Some("c"), "api", Server, 990, 20),
            ("d", Some("c"), "db", Server, 1_090, 20),
        ],
        &[],
    );
    let c = correct(&t).unwrap();
    // api's extent is 950..1010 (60 long): centred, it starts at 1020.
    // db's own: 1090..1110 (20 long) starts at 1040.
    assert_eq!(
        moves(&c),
        [
            ("s1".to_string(), 70, 70),
            ("s2".to_string(), 70, 70),
            ("d".to_string(), -50, -50)
        ]
    );
    let retried = build(
        &[
            ("c", None, "web", Client, 1_000, 100),
            ("s1", Some("c"), "api", Server, 1_010, 60),
            ("s2", Some("c"), "api", Server, 1_080, 60),
        ],
        &[],
    );
    assert!(correct(&retried).is_none());
}

/// A child that fits is left where it is, across clocks too.
#[test]
fn a_child_that_fits_is_not_moved() {
    let t = build(
        &[
            ("a", None, "web", Client, 0, 100),
            ("b", Some("a"), "api", Server, 0, 100),
            ("c", Some("b"), "db", Server, 10, 20),
        ],
        &[],
    );
    assert!(correct(&t).is_none());
}

/// Moves add up down the tree: a grandchild off against its (moved)
/// parent moves by its own amount on top of its parent's, and a
/// same-clock descendant moves with its ancestor.
#[test]
fn nested_moves_add_up() {
    let t = build(
        &[
            ("a", None, "web", Client, 1_000, 1_000),
            ("b", Some("a"), "api", Server, 0, 800),
            ("b1", Some("b"), "api", Client, 100, 400),
            ("c", Some("b1"), "db", Server, 0, 200),
            ("c1", Some("c"), "db", Client, 10, 20),
        ],
        &[],
    );
    let c = correct(&t).unwrap();
    // b: 1000 + (1000 - 800) / 2 - 0 = +1100.
    // c: against b1 as recorded, 100 + (400 - 200) / 2 - 0 = +200.
    assert_eq!(
        moves(&c),
        [
            ("b".to_string(), 1_100, 1_100),
            ("c".to_string(), 200, 1_300)
        ]
    );
    assert_eq!(start_of(&c.trace, "b1"), 1_200);
    assert_eq!(start_of(&c.trace, "c"), 1_300);
    assert_eq!(start_of(&c.trace, "c1"), 1_310);
    let cw = &c.trace.spans[c.trace.find_span("c").unwrap() as usize].warnings[0];
    assert!(
        cw.ends_with("; +1.30 µs in all, with the spans above it"),
        "{cw}"
    );
    // Every span now lies within its parent.
    for s in &c.trace.spans {
        if let Some(p) = s.parent {
            let parent = &c.trace.spans[p as usize];
            assert!(fits(parent.into(), s.into()), "{}", s.span_id);
        }
    }
}

/// Times at the ends of i64 move without overflow.
#[test]
fn extreme_times_do_not_overflow() {
    let t = build(
        &[
            ("a", None, "web", Client, i64::MAX - 10, i64::MAX),
            ("b", Some("a"), "api", Client, i64::MIN + 100, i64::MAX),
            ("c", Some("b"), "db", Client, i64::MIN, 5),
            ("d", Some("c"), "api", Server, i64::MAX, 5),
        ],
        &[],
    );
    let c = correct(&t).unwrap();
    assert_eq!(c.adjustments.len(), 3);
    for s in &c.trace.spans {
        assert!(s.start_ns <= s.end_ns());
    }
    assert!(c.trace.start_ns <= c.trace.end_ns);
    assert_eq!(signed_duration(i64::MIN).chars().next(), Some('−'));
}
