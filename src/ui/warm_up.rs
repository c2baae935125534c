//! Warming the load path up once the page is idle after start.
//!
//! V8 runs WebAssembly first through its baseline compiler and optimises a
//! function only once it has run for a while: a fresh page read its first
//! 100k-span file in about 880 ms, and the same file again in about 650 ms.
//! So once the first loads of the page are done, the two documents of
//! [`crate::warm`] are loaded a few times each, paced like a load, and
//! thrown away; nothing is listed, and it stops for good as soon as a real
//! load starts. Recorded as the `performance` measure `traceglass:warm-up`.

use super::budget::Budget;
use super::frames::{self, perf_mark};
use super::state::AppState;
use crate::analysis::TraceAnalysis;
use crate::import::Loader;
use crate::model::pace::Pace;
use leptos::prelude::*;
use std::cell::Cell;

/// Passes over each warm-up document: with [`crate::warm::SPANS`] spans,
/// about what V8 needs to optimise the load path (bench/README.md).
const ROUNDS: usize = 15;

/// Bytes of a warm-up document read at a time: small, so that a real load
/// never waits behind one.
const PIECE: usize = 64 * 1024;

thread_local! {
    static STARTED: Cell<bool> = const { Cell::new(false) };
}

/// Starts the warm-up, the first time the page has no load under way.
pub fn start_once(app: AppState) {
    if STARTED.replace(true) {
        return;
    }
    leptos::task::spawn_local(async move {
        frames::after_paint().await;
        perf_mark("traceglass:warm-up-start", None);
        let mut budget = Budget::new();
        let documents = crate::warm::documents(crate::warm::SPANS);
        for _ in 0..ROUNDS {
            for (name, text) in &documents {
                if !pass(app, name, text, &mut budget).await {
                    return;
                }
            }
        }
        perf_mark("traceglass:warm-up", Some("traceglass:warm-up-start"));
    });
}

/// One load of `text`, thrown away; false when a real load started (or
/// the document failed, which its test rules out).
async fn pass(app: AppState, name: &str, text: &str, budget: &mut Budget) -> bool {
    let busy = || app.loads.with_untracked(|l| !l.is_empty());
    let mut loader = Loader::new(name);
    for piece in text.as_bytes().chunks(PIECE) {
        if busy() || loader.push(piece).is_err() {
            return false;
        }
        budget.pause().await;
    }
    let Ok(unbuilt) = loader.finish_unbuilt() else {
        return false;
    };
    for builder in unbuilt.builders {
        if busy() {
            return false;
        }
        let trace = builder.build_paced(budget).await;
        if busy() {
            return false;
        }
        TraceAnalysis::new_paced(&trace, budget).await;
    }
    !busy()
}
