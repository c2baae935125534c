//! Clock-skew correction: a span recorded on another machine (or by
//! another process) with a clock that is off is moved back into the span
//! that called it, as Jaeger's adjuster does on the server and Zipkin Lens
//! in the browser (both read; neither copied). The rules:
//!
//! - **Only a call across clocks.** A child is looked at only when its
//!   parent is a call to another process (a client or producer span: a
//!   server span under a server span of another service may have been
//!   called by anything, any time; Zipkin asks for a client parent and a
//!   server child) and its clock is not its parent's. A span's clock is its host's address when the data
//!   gives one (Zipkin's `localEndpoint` address, an `ip` process tag as
//!   Jaeger's adjuster reads it, `host.ip` or `net.host.ip`), else its
//!   service (one process). `host.name` is not read: containers on one
//!   machine report the machine's name while their clocks differ (the
//!   OpenTelemetry demo's Node.js frontend is 118 µs off its Envoy proxy
//!   on one host); Zipkin and Jaeger compare addresses only, too.
//! - **Only a child that does not fit** in its parent: it starts before
//!   the parent or ends after it.
//! - **One clock, one move.** The children of one call on one clock (a
//!   retry, a second request to the same server) are off by the same
//!   amount: they move together, by what brings their whole extent into
//!   the call (several that do not fit together in it are not moved, as
//!   a longer child is not).
//! - **How far.** A child shorter than its parent is centred in it: the
//!   network's time is split evenly between request and response (Jaeger
//!   and Zipkin both assume so). A child longer than its parent (the
//!   caller timed out, or did not wait) is only moved when it starts
//!   before the parent, to start with it (Jaeger's rule; Zipkin pushes it
//!   1 µs after). The same goes for a child that need not end within its
//!   parent: a message's consumer under its producer, a `FOLLOWS_FROM`
//!   child, and where either span has no duration (a one-way message: a
//!   redirect's client span lasts 0 µs and its server comes later).
//! - **The subtree moves with it**, and corrections add up down the tree:
//!   a child is judged by where it stands relative to its parent as
//!   recorded, so a grandchild on a third clock that was off against its
//!   parent is moved again, by its own amount, on top of its parent's.
//!   Zipkin and Jaeger instead move only the spans of the corrected host
//!   and judge a span on a third host against its moved parent; we keep
//!   every recorded parent–child relation but the ones corrected, so that
//!   each warning names the one amount its span was off.
//!
//! Roots are never moved: they are the reference. The output is a second
//! trace (`Trace::shifted`: the same span indices, ordered again) and the
//! list of corrections, each also a warning on its span. All arithmetic on
//! times saturates.

use super::describe::format_duration;
use crate::model::pace::{self, NoPause, Pace};
use crate::model::{RefType, Span, SpanIx, SpanKind, Trace};
use rustc_hash::FxHashMap as HashMap;

/// One span moved into its parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Adjustment {
    pub span: SpanIx,
    pub parent: SpanIx,
    /// How far it was off against its parent, in ns (positive: later).
    pub shift_ns: i64,
    /// Where it ended up, with the moves of the spans above it.
    pub total_ns: i64,
    /// The spans under it, moved with it.
    pub moved_with: usize,
}

/// A trace with its clock skew corrected, and what was corrected.
#[derive(Clone, Debug)]
pub struct Corrected {
    pub trace: Trace,
    /// In tree order.
    pub adjustments: Vec<Adjustment>,
}

/// The trace corrected for clock skew, or `None` when no span needed it
/// (then the trace as recorded is the one to show).
pub fn correct(trace: &Trace) -> Option<Corrected> {
    pace::now(correct_paced(trace, &mut NoPause))
}

/// [`correct`], pausing through `pace` every [`pace::STRIDE`] spans of
/// each pass.
pub async fn correct_paced(trace: &Trace, pace: &mut impl Pace) -> Option<Corrected> {
    let plan = plan_paced(trace, pace).await?;
    let trace = trace
        .clone()
        .into_shifted_paced(&plan.shifts, plan.notes, pace)
        .await;
    Some(Corrected {
        trace,
        adjustments: plan.adjustments,
    })
}

/// What the correction moves, before any span is moved: applied with
/// [`Trace::into_shifted_paced`] (and undone with
/// [`Trace::into_unshifted_paced`]) it makes [`Corrected::trace`] without
/// a copy of the trace.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Each span's move in ns, with the moves of the spans above it.
    pub shifts: Vec<i64>,
    /// The warning each moved span gets.
    pub notes: Vec<(SpanIx, String)>,
    /// In tree order.
    pub adjustments: Vec<Adjustment>,
}

/// The moves that correct the trace's clock skew, or `None` when no span
/// needs one.
pub async fn plan_paced(trace: &Trace, pace: &mut impl Pace) -> Option<Plan> {
    let clocks = Clocks::new(trace);
    let n = trace.spans.len();
    // Each span's own move, set when its parent is visited, and its move
    // with those above it.
    let mut own = vec![0i64; n];
    let mut shifts = vec![0i64; n];
    let mut adjustments = Vec::new();
    // Parents come before their children in tree order.
    for (k, &ix) in trace.tree_order.iter().enumerate() {
        if pace::due(k) {
            pace.pause().await;
        }
        let Some(span) = trace.span(ix) else { continue };
        let above = span
            .parent
            .and_then(|p| shifts.get(p as usize))
            .copied()
            .unwrap_or(0);
        let mine = own.get(ix as usize).copied().unwrap_or(0);
        let total = above.saturating_add(mine);
        if let Some(s) = shifts.get_mut(ix as usize) {
            *s = total;
        }
        if let (Some(p), true) = (span.parent, mine != 0) {
            adjustments.push(Adjustment {
                span: ix,
                parent: p,
                shift_ns: mine,
                total_ns: total,
                moved_with: trace.descendant_count(ix),
            });
        }
        if calls_out(span) {
            for (group, by) in skewed_children(trace, &clocks, ix, span) {
                for c in group {
                    if let Some(o) = own.get_mut(c as usize) {
                        *o = by;
                    }
                }
            }
        }
    }
    if adjustments.is_empty() {
        return None;
    }
    let notes = adjustments
        .iter()
        .map(|a| (a.span, note(trace, &clocks, a)))
        .collect();
    Some(Plan {
        shifts,
        notes,
        adjustments,
    })
}

/// The children of `parent` (at `ix`) on clocks other than its own, one
/// group per clock, each with the move that brings it into `parent` (only
/// the groups that need one). One clock is off by one amount: its spans
/// under one call (a retry, a second request) move together, by what
/// makes their extent fit.
fn skewed_children(
    trace: &Trace,
    clocks: &Clocks,
    ix: SpanIx,
    parent: &Span,
) -> Vec<(Vec<SpanIx>, i64)> {
    let children = trace.children(ix);
    let sticks_out = |c: &SpanIx| {
        trace
            .span(*c)
            .is_some_and(|c| !fits(parent.into(), c.into()))
    };
    if !children.iter().any(sticks_out) {
        return Vec::new();
    }
    /// One clock's children: their extent, whether one sticks out, and
    /// whether one may outlive the call.
    struct Group {
        spans: Vec<SpanIx>,
        start: i64,
        end: i64,
        out: bool,
        outlive: bool,
    }
    let home = clocks.of(trace, parent);
    let mut index: HashMap<Clock, usize> = HashMap::default();
    let mut groups: Vec<Group> = Vec::new();
    for &c in children {
        let Some(child) = trace.span(c) else { continue };
        let clock = clocks.of(trace, child);
        if clock == home {
            continue;
        }
        let out = !fits(parent.into(), child.into());
        let outlive = may_outlive(parent, child);
        match index.get(&clock).and_then(|&g| groups.get_mut(g)) {
            Some(g) => {
                g.spans.push(c);
                g.start = g.start.min(child.start_ns);
                g.end = g.end.max(child.end_ns());
                g.out |= out;
                g.outlive |= outlive;
            }
            None => {
                index.insert(clock, groups.len());
                groups.push(Group {
                    spans: vec![c],
                    start: child.start_ns,
                    end: child.end_ns(),
                    out,
                    outlive,
                });
            }
        }
    }
    groups
        .into_iter()
        .filter(|g| g.out)
        .filter_map(|g| {
            let extent = Extent {
                start_ns: g.start,
                duration_ns: g.end.saturating_sub(g.start),
            };
            let by = correction(parent.into(), extent, g.outlive);
            (by != 0).then_some((g.spans, by))
        })
        .collect()
}

/// Where a span, or a group of spans, lies in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extent {
    pub start_ns: i64,
    pub duration_ns: i64,
}

impl Extent {
    fn end_ns(self) -> i64 {
        self.start_ns.saturating_add(self.duration_ns)
    }
}

impl From<&Span> for Extent {
    fn from(s: &Span) -> Extent {
        Extent {
            start_ns: s.start_ns,
            duration_ns: s.duration_ns,
        }
    }
}

/// Whether `child` lies within `parent`.
fn fits(parent: Extent, child: Extent) -> bool {
    child.start_ns >= parent.start_ns && child.end_ns() <= parent.end_ns()
}

/// Whether `span` is a call to another process (a client or a producer):
/// only under such a span does a child on another clock tell that clock's
/// skew. A server span under a server span of another service (a call
/// nobody recorded, a redirect followed seconds later) tells nothing.
fn calls_out(span: &Span) -> bool {
    matches!(span.kind, SpanKind::Client | SpanKind::Producer)
}

/// Whether `child` may go on after `parent` has ended: a consumer of what
/// `parent` produced, a `FOLLOWS_FROM` child, or either of the two without
/// a duration (a one-way message, a span whose end was not recorded).
fn may_outlive(parent: &Span, child: &Span) -> bool {
    child.parent_ref == RefType::FollowsFrom
        || child.kind == SpanKind::Consumer
        || parent.kind == SpanKind::Producer
        || parent.duration_ns == 0
        || child.duration_ns == 0
}

/// How far `child` must move to stand where it can have run within
/// `parent` (see the module documentation); 0 when it fits or cannot be
/// told.
pub fn correction(parent: Extent, child: Extent, may_outlive: bool) -> i64 {
    let starts_before = child.start_ns < parent.start_ns;
    if may_outlive || child.duration_ns > parent.duration_ns {
        return if starts_before {
            parent.start_ns.saturating_sub(child.start_ns)
        } else {
            0
        };
    }
    if fits(parent, child) {
        return 0;
    }
    // Both durations are at least 0 and the child's is the shorter.
    let latency = parent.duration_ns.saturating_sub(child.duration_ns) / 2;
    parent
        .start_ns
        .saturating_add(latency)
        .saturating_sub(child.start_ns)
}

/// Whose clock a span's times were read from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Clock {
    /// A host, by its address.
    Host(String),
    /// A process, by its service, when no address is known.
    Service(u32),
}

/// Span attributes that give the host's address.
const SPAN_ADDRESS_KEYS: &[&str] = &["localEndpoint.ip", "net.host.ip", "host.ip"];
/// Resource (Jaeger process) attributes that give the host's address.
const RESOURCE_ADDRESS_KEYS: &[&str] = &["ip", "host.ip", "net.host.ip"];

/// The clocks of a trace's services, found once.
struct Clocks {
    services: Vec<Option<String>>,
}

impl Clocks {
    fn new(trace: &Trace) -> Clocks {
        let services = trace
            .services
            .iter()
            .map(|svc| {
                RESOURCE_ADDRESS_KEYS.iter().find_map(|key| {
                    let sym = trace.strings.lookup(key)?;
                    svc.resource
                        .iter()
                        .find(|a| a.key == sym)
                        .and_then(|a| address(&a.value))
                })
            })
            .collect();
        Clocks { services }
    }

    fn of(&self, trace: &Trace, span: &Span) -> Clock {
        let own = SPAN_ADDRESS_KEYS
            .iter()
            .find_map(|key| trace.attr(span, key).and_then(address));
        match own.or_else(|| self.services.get(span.service as usize).cloned().flatten()) {
            Some(a) => Clock::Host(a),
            None => Clock::Service(span.service),
        }
    }
}

/// An address as text (the first of a list, as `host.ip` gives them).
fn address(v: &crate::model::AttrValue) -> Option<String> {
    use crate::model::AttrValue;
    let text = match v {
        AttrValue::Array(items) => items.first().map(ToString::to_string),
        AttrValue::Empty => None,
        other => Some(other.to_string()),
    }?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// A signed duration for people: "+2.10 ms", "−355 µs".
pub fn signed_duration(ns: i64) -> String {
    if ns < 0 {
        format!("−{}", format_duration(ns.saturating_neg()))
    } else {
        format!("+{}", format_duration(ns))
    }
}

/// The warning on a moved span, naming the amount and why.
fn note(trace: &Trace, clocks: &Clocks, a: &Adjustment) -> String {
    let (Some(span), Some(parent)) = (trace.span(a.span), trace.span(a.parent)) else {
        return format!("clock skew: moved {}", signed_duration(a.shift_ns));
    };
    let role = match parent.kind {
        SpanKind::Client => "client span",
        SpanKind::Producer => "producer span",
        _ => "parent",
    };
    let why = match (clocks.of(trace, span), clocks.of(trace, parent)) {
        (Clock::Host(h), Clock::Host(p)) => format!("host {h}'s clock against host {p}'s"),
        _ => format!(
            "{}'s clock against {}'s",
            trace.service_name(span),
            trace.service_name(parent)
        ),
    };
    let mut text = format!(
        "clock skew: moved {} into its {role} {} {} ({why})",
        signed_duration(a.shift_ns),
        trace.service_name(parent),
        trace.span_name(parent),
    );
    match a.moved_with {
        0 => {}
        1 => text.push_str(", with the span under it"),
        n => text.push_str(&format!(", with the {n} spans under it")),
    }
    if a.total_ns != a.shift_ns {
        text.push_str(&format!(
            "; {} in all, with the spans above it",
            signed_duration(a.total_ns)
        ));
    }
    text
}

#[cfg(test)]
mod tests;
