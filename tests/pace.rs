//! Building and analysing a trace in paced steps gives exactly what doing
//! it at once gives, and pauses all along the way, not only between steps.

#[path = "../bench/gen/mod.rs"]
mod gen;

use std::task::Poll;
use traceglass::analysis::TraceAnalysis;
use traceglass::import::Loader;
use traceglass::model::pace::{self, Pace, STRIDE};
use traceglass::model::TraceBuilder;

/// Counts its pauses, and makes each one really wait once.
struct Counting(usize);

impl Pace for Counting {
    async fn pause(&mut self) {
        self.0 += 1;
        let mut waited = false;
        std::future::poll_fn(|_| {
            if waited {
                Poll::Ready(())
            } else {
                waited = true;
                Poll::Pending
            }
        })
        .await
    }
}

fn builders(spans: usize, seed: u64) -> Vec<TraceBuilder> {
    let mut bytes = Vec::new();
    gen::write_jaeger(&mut bytes, spans, seed).unwrap();
    let mut loader = Loader::new("gen.json");
    loader.push(&bytes).unwrap();
    loader.finish_unbuilt().unwrap().builders
}

#[test]
fn paced_build_and_analysis_equal_the_plain_ones_and_pause_throughout() {
    let spans = 30_000;
    let plain: Vec<_> = builders(spans, 7)
        .into_iter()
        .map(TraceBuilder::build)
        .collect();
    let mut pace = Counting(0);
    let paced: Vec<_> = builders(spans, 7)
        .into_iter()
        .map(|b| pace::now(b.build_paced(&mut pace)))
        .collect();
    let build_pauses = pace.0;
    assert_eq!(format!("{plain:?}"), format!("{paced:?}"));
    // Every pass over the spans pauses every STRIDE spans.
    assert!(
        build_pauses >= 5 * spans / STRIDE,
        "{build_pauses} pauses while building {spans} spans"
    );

    let trace = &plain[0];
    let at_once = TraceAnalysis::new(trace);
    let mut pace = Counting(0);
    let stepped = pace::now(TraceAnalysis::new_paced(trace, &mut pace));
    assert_eq!(format!("{at_once:?}"), format!("{stepped:?}"));
    assert!(
        pace.0 >= 4 * spans / STRIDE,
        "{} pauses while analysing {spans} spans",
        pace.0
    );
}
