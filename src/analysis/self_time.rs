//! Self time: the part of a span's duration not covered by any child.

use crate::model::pace::{self, NoPause, Pace};
use crate::model::Trace;

/// Self time of every span: its duration minus the union of its children's
/// intervals, each clipped to the span.
pub fn self_times(trace: &Trace) -> Vec<i64> {
    pace::now(self_times_paced(trace, &mut NoPause))
}

/// [`self_times`], pausing through `pace` as it goes.
pub async fn self_times_paced(trace: &Trace, pace: &mut impl Pace) -> Vec<i64> {
    let mut out = Vec::with_capacity(trace.spans.len());
    let mut ivs: Vec<(i64, i64)> = Vec::new();
    for (i, span) in trace.spans.iter().enumerate() {
        if pace::due(i) {
            pace.pause().await;
        }
        let (s, e) = (span.start_ns, span.end_ns());
        ivs.clear();
        for &c in trace.children(i as u32) {
            if let Some(cs) = trace.span(c) {
                let (a, b) = (cs.start_ns.max(s), cs.end_ns().min(e));
                if b > a {
                    ivs.push((a, b));
                }
            }
        }
        ivs.sort_unstable();
        let mut covered = 0i64;
        let mut run: Option<(i64, i64)> = None;
        for &(a, b) in &ivs {
            run = match run {
                Some((ra, rb)) if a <= rb => Some((ra, rb.max(b))),
                Some((ra, rb)) => {
                    covered = rb.saturating_sub(ra).saturating_add(covered);
                    Some((a, b))
                }
                None => Some((a, b)),
            };
        }
        if let Some((ra, rb)) = run {
            covered = rb.saturating_sub(ra).saturating_add(covered);
        }
        out.push(e.saturating_sub(s).saturating_sub(covered).max(0));
    }
    out
}
