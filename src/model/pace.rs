//! Giving the page back during long computations.
//!
//! Building and analysing a trace of a million spans takes seconds in the
//! browser; done in one go it would freeze the page. These computations are
//! written as `async` functions that call [`Pace::pause`] every
//! [`STRIDE`] items. The browser's pace yields to the event loop once a
//! frame's worth of work is done; [`NoPause`] never waits, and [`now`] runs
//! such a function to its end at once, for native code and tests.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// Work time between two pauses where frames tell nothing: most of a 60 Hz
/// frame.
pub const FRAME_BUDGET_MS: f64 = 12.0;

/// Items between two calls of [`Pace::pause`].
pub const STRIDE: usize = 2048;

/// When to give the page back.
pub trait Pace {
    /// Awaited every [`STRIDE`] items, and between steps.
    fn pause(&mut self) -> impl Future<Output = ()>;
}

/// A pace that never waits.
pub struct NoPause;

impl Pace for NoPause {
    async fn pause(&mut self) {}
}

/// True once every [`STRIDE`] items (`i` counts from 0).
pub fn due(i: usize) -> bool {
    i % STRIDE == STRIDE - 1
}

/// Runs `f` to its end now. Meant for futures that never wait (paced by
/// [`NoPause`]); one that does wait is polled again until it is done.
pub fn now<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// When a page's next frame is due, told from the frames seen so far: when
/// the last one began, and the display's rhythm (the shortest time seen
/// between two frames, 60 Hz at most). Times are milliseconds on the
/// page's clock.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameClock {
    began: Option<f64>,
    period: f64,
}

impl FrameClock {
    /// A 60 Hz display's frame: the longest rhythm taken. A longer gap
    /// between two frames is most often a frame the page skipped while
    /// busy; trusting it would make slices run through the frames between,
    /// and the page would go on skipping them. (A display slower than
    /// 60 Hz, or frames the browser throttles, get slices that end early.)
    pub const PERIOD_MS: f64 = 1000.0 / 60.0;
    /// Kept free before a frame is due, for the browser to begin it on time.
    pub const MARGIN_MS: f64 = 1.5;
    /// Frames older than this no longer tell when the next one is due.
    pub const STALE_MS: f64 = 500.0;
    /// Gaps shorter than this are not a display's frames.
    const SHORTEST_MS: f64 = 4.0;

    pub const fn new() -> FrameClock {
        FrameClock {
            began: None,
            period: FrameClock::PERIOD_MS,
        }
    }

    /// A frame began at `at`.
    pub fn saw(&mut self, at: f64) {
        if let Some(last) = self.began {
            let gap = at - last;
            if gap >= FrameClock::SHORTEST_MS {
                self.period = self.period.min(gap);
            }
        }
        self.began = Some(at);
    }

    /// The time between two paced frames: a frame, or on a display faster
    /// than about 80 Hz, whose frames are too short for a slice of work
    /// each, every second (or third) frame.
    pub fn rhythm(&self) -> f64 {
        self.period * (FRAME_BUDGET_MS / self.period).ceil().max(1.0)
    }

    /// When work running at `now` should end: [`MARGIN_MS`] before the
    /// next frame is due, or `None` when no frame seen lately tells when
    /// that is. With `wanted` (a frame is asked for and has not begun), the
    /// next frame is the one after the last seen, and the time is past
    /// `now` when that frame is late: the browser is waiting for the page.
    /// Otherwise frames would go on in the same rhythm from the last one.
    ///
    /// [`MARGIN_MS`]: FrameClock::MARGIN_MS
    pub fn due(&self, now: f64, wanted: bool) -> Option<f64> {
        let began = self.began?;
        if now - began > FrameClock::STALE_MS {
            return None;
        }
        let rhythm = self.rhythm();
        let frames = if wanted {
            1.0
        } else {
            ((now + FrameClock::MARGIN_MS - began) / rhythm)
                .ceil()
                .max(1.0)
        };
        Some(began + frames * rhythm - FrameClock::MARGIN_MS)
    }
}

impl Default for FrameClock {
    fn default() -> FrameClock {
        FrameClock::new()
    }
}
