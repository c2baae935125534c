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

mod frame_clock {
    use traceglass::model::pace::FrameClock;

    const FRAME: f64 = 1000.0 / 60.0;
    const MARGIN: f64 = FrameClock::MARGIN_MS;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-6)
    }

    fn seen(times: &[f64]) -> FrameClock {
        let mut clock = FrameClock::new();
        for &t in times {
            clock.saw(t);
        }
        clock
    }

    #[test]
    fn tells_nothing_before_a_frame_or_long_after_one() {
        assert_eq!(FrameClock::new().due(5.0, false), None);
        assert_eq!(FrameClock::new().due(5.0, true), None);
        let clock = seen(&[1000.0]);
        assert!(clock.due(1000.0 + FrameClock::STALE_MS, false).is_some());
        assert_eq!(clock.due(1000.0 + FrameClock::STALE_MS + 1.0, false), None);
    }

    #[test]
    fn a_slice_ends_a_margin_before_the_next_frame() {
        let clock = seen(&[100.0]);
        assert!(close(clock.due(102.0, false), 100.0 + FRAME - MARGIN));
        assert!(close(clock.due(102.0, true), 100.0 + FRAME - MARGIN));
    }

    #[test]
    fn unasked_frames_go_on_in_the_same_rhythm() {
        let clock = seen(&[100.0]);
        // 40 ms on, no frame was asked for: the frames would have come at
        // 116.7 and 133.3, and the next is due at 150.
        assert!(close(clock.due(140.0, false), 100.0 + 3.0 * FRAME - MARGIN));
        // Just before a frame's margin, that frame; within it, the next.
        let edge = 100.0 + FRAME - MARGIN;
        assert!(close(clock.due(edge - 0.1, false), edge));
        assert!(close(clock.due(edge + 0.1, false), edge + FRAME));
    }

    #[test]
    fn a_wanted_frame_that_has_not_begun_is_late() {
        let clock = seen(&[100.0]);
        let due = clock.due(125.0, true);
        assert!(close(due, 100.0 + FRAME - MARGIN));
        assert!(due.is_some_and(|d| d < 125.0));
    }

    #[test]
    fn the_rhythm_is_the_shortest_gap_seen() {
        // Frames skipped while the page was busy do not lengthen it.
        let clock = seen(&[0.0, FRAME, 3.0 * FRAME, 4.0 * FRAME]);
        assert!((clock.rhythm() - FRAME).abs() < 1e-9);
        // Two callbacks in one frame are not a faster display.
        let clock = seen(&[0.0, FRAME, FRAME + 1.0]);
        assert!((clock.rhythm() - FRAME).abs() < 1e-9);
    }

    #[test]
    fn a_fast_display_is_paced_on_every_second_frame() {
        let fast = 1000.0 / 120.0;
        let clock = seen(&[0.0, fast, 2.0 * fast]);
        assert!((clock.rhythm() - 2.0 * fast).abs() < 1e-9);
        assert!(close(
            clock.due(2.0 * fast + 1.0, true),
            4.0 * fast - MARGIN
        ));
        // A longer gap is taken for a skipped frame, never for the rhythm:
        // slices would otherwise run through the frames in between.
        let clock = seen(&[0.0, 2.0 * FRAME, 4.0 * FRAME]);
        assert!((clock.rhythm() - FRAME).abs() < 1e-9);
    }
}
