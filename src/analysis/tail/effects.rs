//! The ranking of one selection: the group's rows split into slow and
//! rest, each kind's effects computed from the table's numbers (see the
//! module documentation of `tail` for the formulas), the largest kept, and
//! only those given support, examples and words.

use super::split::{About, Found, Split};
use super::table::{AttrCell, Pattern, Row, Table};
use super::{
    select, words, Example, Kind, Ranking, Slow, Support, EXAMPLES, MAX_EXPLANATIONS, MAX_PER_KIND,
    MIN_EXPLAINED, MIN_EXTRA_CALLS, MIN_SHARE_GAP, MIN_SLOW_SUPPORT,
};
use crate::model::SpanIx;
use rustc_hash::FxHashMap;

impl Table {
    /// What explains the extra time of the `slow` traces of the group.
    pub fn rank(&self, slow: Slow) -> Ranking {
        rank(self, slow)
    }
}

fn rank(table: &Table, slow: Slow) -> Ranking {
    let durations = table.durations();
    let (rows, threshold_ns) = select(&durations, slow);
    let slow_durations = durations.get(rows.clone()).unwrap_or(&[]);
    let n = slow_durations.len();
    let r = durations.len() - n;
    let total: i128 = durations.iter().map(|&d| i128::from(d)).sum();
    let slow_total: i128 = slow_durations.iter().map(|&d| i128::from(d)).sum();
    let mean = |sum: i128, count: usize| sum as f64 / count.max(1) as f64;
    let (slow_mean, rest_mean) = (mean(slow_total, n), mean(total - slow_total, r));
    let mut ranking = Ranking {
        slow,
        threshold_ns,
        slow_traces: table
            .rows
            .get(rows.clone())
            .unwrap_or(&[])
            .iter()
            .map(|r| r.index)
            .collect(),
        rest_traces: r,
        slow_mean_ns: slow_mean.round() as i64,
        rest_mean_ns: rest_mean.round() as i64,
        explanations: Vec::new(),
        sentence: String::new(),
    };
    let split = Split {
        table,
        slow,
        threshold_ns,
        rows,
        n: n as f64,
        r: r as f64,
        rest_mean,
        gap: slow_mean - rest_mean,
    };
    if n == 0 || r == 0 || split.gap <= 0.0 {
        ranking.sentence = words::nothing(&split);
        return ranking;
    }
    let mut found = operations(&split);
    found.extend(patterns(&split));
    found.extend(attributes(&split));
    let micros = |f: &Found| (f.extra / 1e3).round() as i64;
    found.sort_by(|a, b| {
        micros(b)
            .cmp(&micros(a))
            .then(a.kind.order().cmp(&b.kind.order()))
            .then(b.extra.total_cmp(&a.extra))
    });
    let mut per_kind: FxHashMap<&str, usize> = FxHashMap::default();
    found.retain(|f| {
        let count = per_kind.entry(f.kind.label()).or_default();
        *count += 1;
        *count <= MAX_PER_KIND
    });
    found.truncate(MAX_EXPLANATIONS);
    ranking.explanations = found.iter().map(|f| words::explain(&split, f)).collect();
    ranking.sentence = words::headline(&split, &ranking.explanations);
    ranking
}

/// The `MAX_PER_KIND` largest effects of at least `MIN_EXPLAINED` of the
/// gap, largest first (ties by id, so that the order is stable).
fn largest<K: Copy + Ord>(s: &Split, mut effects: Vec<(K, f64)>) -> Vec<(K, f64)> {
    let min = MIN_EXPLAINED * s.gap;
    effects.retain(|e| e.1 >= min && e.1 > 0.0);
    effects.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    effects.truncate(MAX_PER_KIND);
    effects
}

/// How many slow and rest traces have a value of at least `threshold`.
fn support(s: &Split, value: impl Fn(&Row) -> f64, threshold: f64) -> Support {
    let mut out = Support {
        slow_of: s.slow_count(),
        rest_of: s.rest_count(),
        ..Support::default()
    };
    for (slow, row) in s.rows() {
        if value(row) >= threshold {
            if slow {
                out.slow += 1;
            } else {
                out.rest += 1;
            }
        }
    }
    out
}

/// The median of a value over the rest (the lower one of an even count).
fn rest_median(s: &Split, value: impl Fn(&Row) -> f64) -> f64 {
    let mut v: Vec<f64> = s
        .rows()
        .filter(|(slow, _)| !slow)
        .map(|(_, row)| value(row))
        .collect();
    v.sort_by(f64::total_cmp);
    v.get(v.len().saturating_sub(1) / 2).copied().unwrap_or(0.0)
}

/// The slow traces where `strength` is largest (the slower first on ties).
fn examples(s: &Split, strength: impl Fn(&Row) -> Option<(f64, SpanIx)>) -> Vec<Example> {
    let mut v: Vec<(f64, usize, Example)> = s
        .rows()
        .enumerate()
        .filter(|(_, (slow, _))| *slow)
        .filter_map(|(i, (_, row))| {
            let (x, span) = strength(row)?;
            Some((
                x,
                i,
                Example {
                    trace: row.index,
                    span: Some(span),
                },
            ))
        })
        .collect();
    v.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
    v.into_iter().take(EXAMPLES).map(|e| e.2).collect()
}

/// Operations' critical-path time, and their calls per trace.
fn operations(s: &Split) -> Vec<Found> {
    let n_ops = s.table.ops.len();
    let mut time = vec![[0f64; 2]; n_ops];
    let mut calls = vec![[0f64; 2]; n_ops];
    for (slow, row) in s.rows() {
        let side = usize::from(!slow);
        for c in &row.ops {
            let o = c.op as usize;
            if let (Some(t), Some(k)) = (time.get_mut(o), calls.get_mut(o)) {
                t[side] += c.time_ns as f64;
                k[side] += f64::from(c.calls);
            }
        }
    }
    let per_trace = |x: [f64; 2]| (x[0] / s.n, x[1] / s.r);
    let op_time = |op: u32| move |row: &Row| row.op(op).map_or(0.0, |c| c.time_ns as f64);
    let op_calls = |op: u32| move |row: &Row| row.op(op).map_or(0.0, |c| f64::from(c.calls));
    let mut out = Vec::new();

    let effects = time
        .iter()
        .enumerate()
        .map(|(o, &t)| {
            let (a, b) = per_trace(t);
            (o as u32, a - b)
        })
        .collect();
    for (op, extra) in largest(s, effects) {
        let threshold = rest_median(s, op_time(op)) + extra / 2.0;
        out.push(Found {
            kind: Kind::OperationTime,
            about: About::Operation(op),
            extra,
            support: support(s, op_time(op), threshold),
            examples: examples(s, |row| {
                row.op(op)
                    .filter(|c| c.time_ns > 0)
                    .map(|c| (c.time_ns as f64, c.span))
            }),
            threshold,
            calls: calls.get(op as usize).map_or((0.0, 0.0), |&k| per_trace(k)),
        });
    }

    // The part of an operation's extra time that comes from more calls:
    // the extra calls at the slow traces' critical-path time per call.
    let effects = calls
        .iter()
        .zip(&time)
        .enumerate()
        .filter_map(|(o, (&k, t))| {
            let (slow, rest) = per_trace(k);
            if slow - rest < MIN_EXTRA_CALLS || k[0] <= 0.0 {
                return None;
            }
            Some((o as u32, (slow - rest) * t[0] / k[0]))
        })
        .collect();
    for (op, extra) in largest(s, effects) {
        let (slow, rest) = calls.get(op as usize).map_or((0.0, 0.0), |&k| per_trace(k));
        let threshold = (rest_median(s, op_calls(op)) + (slow - rest) / 2.0).ceil();
        out.push(Found {
            kind: Kind::Calls { slow, rest },
            about: About::Operation(op),
            extra,
            support: support(s, op_calls(op), threshold),
            examples: examples(s, |row| {
                row.op(op)
                    .filter(|c| c.time_ns > 0)
                    .map(|c| (f64::from(c.calls), c.span))
            }),
            threshold,
            calls: (slow, rest),
        });
    }
    out
}

/// Fan-outs, errors and uninstrumented time, from the findings.
fn patterns(s: &Split) -> Vec<Found> {
    #[derive(Default)]
    struct Acc {
        stake: [f64; 2],
        present: [usize; 2],
        width: [f64; 2],
        retried: usize,
    }
    let mut acc: FxHashMap<(Pattern, u32), Acc> = FxHashMap::default();
    for (slow, row) in s.rows() {
        let side = usize::from(!slow);
        for c in &row.patterns {
            let a = acc.entry((c.pattern, c.op)).or_default();
            a.stake[side] += c.stake_ns as f64;
            a.present[side] += 1;
            a.width[side] += f64::from(c.width);
            a.retried += usize::from(slow && c.retried);
        }
    }
    let mut out = Vec::new();
    for pattern in [Pattern::FanOut, Pattern::Errors, Pattern::Uninstrumented] {
        let effects = acc
            .iter()
            .filter(|(k, _)| k.0 == pattern)
            .map(|(&k, a)| (k, a.stake[0] / s.n - a.stake[1] / s.r))
            .collect();
        for (key, extra) in largest(s, effects) {
            let Some(a) = acc.get(&key) else { continue };
            let mean_width = |side: usize| a.width[side] / a.present[side].max(1) as f64;
            let kind = match pattern {
                Pattern::FanOut => Kind::FanOut {
                    slow: mean_width(0),
                    rest: mean_width(1),
                },
                Pattern::Errors => Kind::Errors { retried: a.retried },
                Pattern::Uninstrumented => Kind::Uninstrumented,
            };
            out.push(Found {
                kind,
                about: About::Operation(key.1),
                extra,
                support: Support {
                    slow: a.present[0],
                    slow_of: s.slow_count(),
                    rest: a.present[1],
                    rest_of: s.rest_count(),
                },
                examples: examples(s, |row| {
                    row.pattern(key)
                        .filter(|c| c.stake_ns > 0)
                        .map(|c| (c.stake_ns as f64, c.span))
                }),
                threshold: 0.0,
                calls: (0.0, 0.0),
            });
        }
    }
    out
}

/// SplitMix64's finaliser, to fingerprint the set of traces of a value.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Attribute values: the difference of shares weighted by the time under
/// the value beyond the rest's usual time under its key, capped by each
/// slow trace's excess.
fn attributes(s: &Split) -> Vec<Found> {
    let mut usual = vec![0f64; s.table.keys];
    for (_, row) in s.rows().filter(|(slow, _)| !slow) {
        for &(k, t) in &row.keys {
            if let Some(u) = usual.get_mut(k as usize) {
                *u += t as f64 / s.r;
            }
        }
    }
    let weight_of = |row: &Row, c: &AttrCell| {
        let key = s.table.value_keys.get(c.value as usize);
        let usual = key.and_then(|&k| usual.get(k as usize)).copied();
        (c.time_ns as f64 - usual.unwrap_or(0.0)).clamp(0.0, s.excess(row))
    };
    let nv = s.table.values.len();
    let mut slow_with = vec![0usize; nv];
    let mut rest_with = vec![0usize; nv];
    let mut weight = vec![0f64; nv];
    let mut fingerprint = vec![0u64; nv];
    for (i, (slow, row)) in s.rows().enumerate() {
        let mark = mix(i as u64 + 1);
        for c in &row.attrs {
            let v = c.value as usize;
            let (Some(k), Some(m), Some(w), Some(f)) = (
                slow_with.get_mut(v),
                rest_with.get_mut(v),
                weight.get_mut(v),
                fingerprint.get_mut(v),
            ) else {
                continue;
            };
            if slow {
                *k += 1;
                *w += weight_of(row, c);
            } else {
                *m += 1;
            }
            *f ^= mark;
        }
    }
    let min = MIN_EXPLAINED * s.gap;
    let mut candidates: Vec<(u32, f64)> = (0..nv)
        .filter_map(|v| {
            let k = *slow_with.get(v)?;
            let m = *rest_with.get(v)?;
            let share_gap = k as f64 / s.n - m as f64 / s.r;
            if k < MIN_SLOW_SUPPORT || share_gap < MIN_SHARE_GAP {
                return None;
            }
            let extra = share_gap * weight.get(v)? / k as f64;
            (extra >= min && extra > 0.0).then_some((v as u32, extra))
        })
        .collect();
    // Of values on the same traces, the largest leads, then the one with
    // the better-known key.
    let key_rank = |v: u32| {
        s.table
            .values
            .get(v as usize)
            .map_or(usize::MAX, |(k, _)| words::key_rank(k))
    };
    candidates.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then(key_rank(a.0).cmp(&key_rank(b.0)))
            .then(a.0.cmp(&b.0))
    });
    let mut out: Vec<Found> = Vec::new();
    let mut lead_of: FxHashMap<(u64, usize, usize), usize> = FxHashMap::default();
    for (v, extra) in candidates {
        let at = v as usize;
        let (k, m) = (
            slow_with.get(at).copied().unwrap_or(0),
            rest_with.get(at).copied().unwrap_or(0),
        );
        let same = (fingerprint.get(at).copied().unwrap_or(0), k, m);
        if let Some(&lead) = lead_of.get(&same) {
            if let Some(About::Value(_, also)) = out.get_mut(lead).map(|f| &mut f.about) {
                also.push(v);
            }
            continue;
        }
        if out.len() == MAX_PER_KIND {
            continue;
        }
        lead_of.insert(same, out.len());
        out.push(Found {
            kind: Kind::Attribute,
            about: About::Value(v, Vec::new()),
            extra,
            support: Support {
                slow: k,
                slow_of: s.slow_count(),
                rest: m,
                rest_of: s.rest_count(),
            },
            examples: examples(s, |row| row.attr(v).map(|c| (weight_of(row, c), c.span))),
            threshold: 0.0,
            calls: (0.0, 0.0),
        });
    }
    out
}
