//! The clock-skew line of a trace's header, for a trace whose clock skew
//! was corrected at load (`analysis::skew`): which spans were moved and by
//! how much, and the switch between the corrected trace (the default) and
//! the trace as recorded. Switching swaps the version the app holds for
//! the trace (`AppState::show_version`): the view is drawn again from the
//! same view state (selection, collapsed spans, find and window stay), and
//! the version's analysis is made the first time it is shown.

use super::format::plural;
use super::loader;
use super::state::{AppState, Loaded};
use crate::analysis::skew::signed_duration;
use leptos::prelude::*;

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
    let t = &skew.corrected.trace;
    let n = skew.adjustments.len();
    let named: Vec<String> = skew
        .adjustments
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
    view! {
        <div class="skew-note">
            <label title="Move the spans recorded on another clock into the calls that made them (each moved span says how far in the trace's warnings)">
                <input type="checkbox" data-testid="skew-toggle" prop:checked=!recorded
                    on:change=move |ev| {
                        let correct = event_target_checked(&ev);
                        if let Some(now) = app.show_version(key, !correct) {
                            loader::analyse_version(&now);
                        }
                    }/>
                " Correct clock skew"
            </label>
            " "
            <span data-testid="skew-note">{text}</span>
        </div>
    }
    .into_any()
}
