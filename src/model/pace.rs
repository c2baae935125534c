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
