//! The clock-skew line of a trace's header, for a trace whose clock skew
//! was corrected at load (`analysis::skew`): which spans were moved and by
//! how much, and the switch between the corrected trace (the default) and
//! the trace as recorded. Switching swaps the version the app holds for
//! the trace ([`switch`]): the view is drawn again from the same view state
//! (selection, collapsed spans, find and window stay), and the version's
//! analysis is made the first time it is shown.
//!
//! A large trace holds one version at a time (`state::KEEP_BOTH_BELOW`):
//! it is corrected in place at load, and the switch makes the other
//! version from the one shown, when the tab's memory can hold both for the
//! time it takes.

use super::budget::Budget;
use super::capacity;
use super::format::plural;
use super::state::{AppState, Level, Loaded, Moved, Skew, Version, KEEP_BOTH_BELOW};
use crate::analysis::skew::{plan_paced, signed_duration, Plan};
use crate::analysis::TraceAnalysis;
use crate::model::{SpanIx, Trace};
use crate::text::thousands;
use leptos::prelude::*;
use std::sync::Arc;

/// A new loaded trace, not yet analysed: shown corrected for clock skew
/// when any span needs it. A trace under [`KEEP_BOTH_BELOW`] spans keeps
/// its recorded version beside; a larger one is moved in place.
pub async fn loaded(
    app: AppState,
    name: &str,
    format: &'static str,
    trace: Trace,
    budget: &mut Budget,
) -> Loaded {
    let version = |t: Trace| Version {
        trace: Arc::new(t),
        analysis: ArcRwSignal::new(None),
    };
    let (shown, skew) = match plan_paced(&trace, budget).await {
        None => (version(trace), None),
        Some(Plan {
            shifts,
            notes,
            adjustments,
        }) => {
            let recorded = (trace.spans.len() < KEEP_BOTH_BELOW).then(|| version(trace.clone()));
            let corrected = version(
                trace
                    .into_shifted_paced(&shifts, notes.clone(), budget)
                    .await,
            );
            let moves = shifts
                .iter()
                .enumerate()
                .filter(|(_, &by)| by != 0)
                .map(|(i, &by)| (i as SpanIx, by))
                .collect();
            let skew = Skew {
                corrected: Some(corrected.clone()),
                recorded,
                showing_recorded: false,
                moved: Arc::new(Moved {
                    adjustments,
                    moves,
                    notes,
                }),
            };
            (corrected, Some(Arc::new(skew)))
        }
    };
    Loaded {
        key: app.next_id(),
        source: name.to_string(),
        format,
        trace: shown.trace,
        analysis: shown.analysis,
        skew,
    }
}

/// Shows the trace of `key` as recorded or corrected. A version not held
/// is made from the one shown (the one shown is then let go), when the
/// tab's memory can hold the two meanwhile; otherwise a message says so and
/// nothing changes. `busy` is set while it is made. Returns whether the
/// version asked for is shown.
pub async fn switch(app: AppState, key: u64, recorded: bool, busy: RwSignal<bool>) -> bool {
    let Some(l) = app
        .traces
        .with_untracked(|v| v.iter().find(|l| l.key == key).cloned())
    else {
        return false;
    };
    let Some(s) = l.skew.clone() else {
        return false;
    };
    if s.showing_recorded == recorded {
        return true;
    }
    if let Some(now) = l.showing(recorded) {
        app.replace(&now);
        analyse_version(&now);
        return true;
    }
    let size = l.trace.size().total();
    if !capacity::can_take(size) {
        app.message(
            Level::Warning,
            format!(
                "{}: this browser tab has no room for a second version of this {}-span trace ({:.0} MB), so it stays {}.",
                l.source,
                thousands(l.trace.spans.len()),
                size as f64 / 1e6,
                if recorded { "corrected for clock skew" } else { "as recorded" }
            ),
        );
        return false;
    }
    busy.set(true);
    let mut budget = Budget::new();
    let mut shifts = vec![0i64; l.trace.spans.len()];
    for &(ix, by) in &s.moved.moves {
        if let Some(x) = shifts.get_mut(ix as usize) {
            *x = by;
        }
    }
    let from = (*l.trace).clone();
    let made = if recorded {
        from.into_unshifted_paced(&shifts, &s.moved.notes, &mut budget)
            .await
    } else {
        from.into_shifted_paced(&shifts, s.moved.notes.clone(), &mut budget)
            .await
    };
    busy.try_set(false);
    // The trace may have been closed, or switched, meanwhile.
    let still = app.traces.with_untracked(|v| v.contains(&l));
    if !still {
        return false;
    }
    let v = Version {
        trace: Arc::new(made),
        analysis: ArcRwSignal::new(None),
    };
    let now = Loaded {
        trace: v.trace.clone(),
        analysis: v.analysis.clone(),
        skew: Some(Arc::new(s.with(
            (!recorded).then(|| v.clone()),
            recorded.then(|| v.clone()),
            recorded,
        ))),
        ..l
    };
    app.replace(&now);
    analyse_version(&now);
    true
}

/// Analyses the version of a trace just swapped in (see
/// [`switch`]) unless it was already: its views show a
/// status line until then.
pub fn analyse_version(l: &Loaded) {
    if l.analysis.with_untracked(Option::is_some) {
        return;
    }
    let (trace, analysis) = (l.trace.clone(), l.analysis.clone());
    leptos::task::spawn_local(async move {
        let done = TraceAnalysis::new_paced(&trace, &mut Budget::new()).await;
        analysis.set(Some(Arc::new(done)));
    });
}

/// Moved spans named in the line; the others are counted.
const NAMED: usize = 3;

/// The line, when the trace has skew; nothing otherwise.
#[component]
pub fn SkewNote(loaded: Loaded) -> impl IntoView {
    let app = expect_context::<AppState>();
    let Some(skew) = loaded.skew.clone() else {
        return ().into_any();
    };
    let recorded = loaded.shows_recorded();
    let key = loaded.key;
    let t = &loaded.trace;
    let adjustments = &skew.moved.adjustments;
    let n = adjustments.len();
    let named: Vec<String> = adjustments
        .iter()
        .take(NAMED)
        .map(|a| {
            let name = t.span(a.span).map_or("", |s| t.span_name(s));
            format!("{name} {}", signed_duration(a.shift_ns))
        })
        .collect();
    let more = match n.saturating_sub(named.len()) {
        0 => String::new(),
        k => format!(" and {k} more"),
    };
    let text = if recorded {
        format!(
            "Shown as recorded: {} on another clock start or end outside the call that made them.",
            plural(n, "span")
        )
    } else {
        format!(
            "Clock skew corrected on {}: {}{more}.",
            plural(n, "span"),
            named.join(", ")
        )
    };
    let busy = RwSignal::new(false);
    // Set again when a switch is refused, to put the box back.
    let shown_recorded = RwSignal::new(recorded);
    view! {
        <div class="skew-note">
            <label title="Move the spans recorded on another clock into the calls that made them (each moved span says how far in the trace's warnings)">
                <input type="checkbox" data-testid="skew-toggle" prop:checked=move || !shown_recorded.get()
                    prop:disabled=move || busy.get()
                    on:change=move |ev| {
                        let correct = event_target_checked(&ev);
                        leptos::task::spawn_local(async move {
                            if !switch(app, key, !correct, busy).await {
                                shown_recorded.set(recorded);
                            }
                        });
                    }/>
                " Correct clock skew"
            </label>
            " "
            <span data-testid="skew-note">{move || if busy.get() {
                format!("Making the {} version…", if recorded { "corrected" } else { "recorded" })
            } else {
                text.clone()
            }}</span>
        </div>
    }
    .into_any()
}
