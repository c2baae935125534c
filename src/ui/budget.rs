//! How paced work shares the page with its frames.
//!
//! Long work in the browser (a load, an analysis, the minimap's raster, a
//! search, the warm-up) runs in slices, giving the page back between them
//! so that it can handle input and draw. Each job has its own [`Budget`].
//!
//! A slice ends shortly before the browser's next frame is due, which the
//! budget tells from the frames it has seen (see [`FrameClock`]). When too
//! little of the frame is left for another slice, or that frame is late
//! (the browser waits for the page to draw it), the next slice waits until
//! that frame is drawn. So the page draws every frame
//! while a job runs, and the job still has most of each frame: a slice
//! that simply ran for a fixed time could start late in a frame and run
//! past it, and the page would skip a frame. Where no frame was seen
//! lately (a page that draws none, a hidden tab), a slice runs for
//! [`FRAME_BUDGET_MS`] and the job goes on at once.
//!
//! When several jobs are under way, they share each frame's budget: once
//! this frame's paced work is done, the next slice waits for the next
//! frame, rather than each job spending a budget in the same one.

use super::frames;
use crate::model::pace::{FrameClock, Pace, FRAME_BUDGET_MS};
use std::cell::Cell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Less time than this before a frame is due is not worth a slice: the
/// job waits for the frame instead.
const MIN_SLICE_MS: f64 = 4.0;

/// This frame's paced work, shared by the jobs under way.
#[derive(Clone, Copy)]
struct Frame {
    /// Counts the frames begun since the first slice.
    number: u64,
    /// When the frames come.
    clock: FrameClock,
    /// Work time of every job since this frame began.
    work: f64,
    /// Whether a frame callback is asked for to begin the next one.
    asked: bool,
    /// Jobs under way: their budgets are alive.
    jobs: usize,
}

thread_local! {
    static FRAME: Cell<Frame> = const {
        Cell::new(Frame {
            number: 0,
            clock: FrameClock::new(),
            work: 0.0,
            asked: false,
            jobs: 0,
        })
    };
}

fn frame() -> Frame {
    FRAME.with(Cell::get)
}

fn set_frame(f: Frame) {
    FRAME.with(|c| c.set(f));
}

/// Asks for a frame callback that begins the next frame's accounting. Its
/// time is when that frame began, even when the callback runs late.
fn ask_frame() {
    let begin = Closure::once_into_js(|at: f64| {
        let mut f = frame();
        f.number = f.number.wrapping_add(1);
        f.clock.saw(at);
        f.work = 0.0;
        f.asked = false;
        set_frame(f);
    });
    if let Some(w) = web_sys::window() {
        let _ = w.request_animation_frame(begin.unchecked_ref());
    }
}

/// When a slice running at `now` should end: shortly before the next frame
/// is due (past `now` when that frame is late), or `None` when no recent
/// frame tells when that is, or the page is hidden and draws none.
fn frame_due(now: f64) -> Option<f64> {
    let f = frame();
    if frames::page_hidden() {
        return None;
    }
    f.clock.due(now, f.asked)
}

/// Tells a job when a frame's worth of work is done, and gives the page back.
pub struct Budget {
    /// When the current slice began.
    since: f64,
    /// When the current slice ends at the latest.
    until: f64,
    /// When the job last asked whether its slice is spent: the time
    /// between two asks is what the next step may take.
    asked_at: f64,
    /// This job's own work in the frame numbered first.
    mine: (u64, f64),
}

impl Budget {
    pub fn new() -> Budget {
        let mut f = frame();
        f.jobs += 1;
        set_frame(f);
        let mut budget = Budget {
            since: 0.0,
            until: 0.0,
            asked_at: 0.0,
            mine: (f.number, 0.0),
        };
        budget.begin_slice();
        budget
    }

    /// Whether the slice should end now: the next step, taking as long as
    /// the last one did, would run past the slice's end.
    pub fn spent(&mut self) -> bool {
        let now = frames::now_ms();
        let step = now - self.asked_at;
        self.asked_at = now;
        now + step >= self.until
    }

    /// Counts the slice that ends now as this frame's work. A slice counts
    /// for a frame at most: one that waited (for a file's next bytes)
    /// counts that wait as work.
    fn end_slice(&mut self) {
        let ms = (frames::now_ms() - self.since).min(FRAME_BUDGET_MS);
        let mut f = frame();
        f.work += ms;
        if self.mine.0 != f.number {
            self.mine = (f.number, 0.0);
        }
        self.mine.1 += ms;
        if !f.asked {
            f.asked = true;
            ask_frame();
        }
        set_frame(f);
    }

    fn begin_slice(&mut self) {
        let f = frame();
        let mine = if self.mine.0 == f.number {
            self.mine.1
        } else {
            0.0
        };
        let now = frames::now_ms();
        let others = (f.work - mine).max(0.0);
        let share = now + FRAME_BUDGET_MS - others;
        self.since = now;
        self.asked_at = now;
        // A job alone has the frame to itself; jobs under way together
        // share one frame's budget.
        self.until = match frame_due(now) {
            Some(due) if f.jobs < 2 => due,
            Some(due) => due.min(share.max(now)),
            None => share,
        };
    }

    /// Gives the page back now. The job goes on at once when enough of
    /// this frame is left for another slice; otherwise, or when other jobs
    /// have used this frame's budget, it goes on after the next frame is
    /// drawn. (A hidden page draws no frames: there is none to wait for.)
    pub async fn give_back(&mut self) {
        self.end_slice();
        frames::yield_now().await;
        let now = frames::now_ms();
        if frame_due(now).is_some_and(|due| due - now < MIN_SLICE_MS) {
            // Once: a frame whose own work leaves little of it still lets
            // the job go on.
            frames::after_paint().await;
        }
        loop {
            let f = frame();
            if f.jobs < 2 || f.work < FRAME_BUDGET_MS || frames::page_hidden() {
                break;
            }
            frames::after_paint().await;
        }
        self.begin_slice();
    }

    /// Waits for the browser to begin its next frame (see
    /// [`frames::frame_start`]): what the job does next is drawn in it.
    pub async fn frame_start(&mut self) {
        self.end_slice();
        frames::frame_start().await;
        self.begin_slice();
    }
}

impl Drop for Budget {
    fn drop(&mut self) {
        self.end_slice();
        let mut f = frame();
        f.jobs = f.jobs.saturating_sub(1);
        set_frame(f);
    }
}

impl Pace for Budget {
    /// Gives the page back when a frame's worth of work is done.
    async fn pause(&mut self) {
        if self.spent() {
            self.give_back().await;
        }
    }
}
