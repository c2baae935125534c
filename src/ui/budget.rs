//! How paced work shares the page with its frames.
//!
//! Long work in the browser (a load, an analysis, the minimap's raster, a
//! search, the warm-up) runs in slices of at most [`FRAME_BUDGET_MS`],
//! giving the page back between them so that it can handle input and draw.
//! Each job has its own [`Budget`]. A job alone on the page goes on right
//! after giving the page back (the browser draws a frame in between when
//! one is due). When several are under way, they share each frame's
//! budget: once this frame's paced work is done, the next slice waits for
//! the next frame, rather than each job spending a budget in the same one.

use crate::model::pace::Pace;
use crate::sources;
use leptos::prelude::request_animation_frame;
use std::cell::Cell;

/// Work time between two pauses: most of a 60 Hz frame.
const FRAME_BUDGET_MS: f64 = 12.0;

/// This frame's paced work, shared by the jobs under way.
#[derive(Clone, Copy)]
struct Frame {
    /// Counts the frames begun since the first slice.
    number: u64,
    /// Work time of every job since this frame began.
    work: f64,
    /// Whether a frame callback is asked for to begin the next one.
    asked: bool,
    /// Jobs under way: their budgets are alive.
    jobs: usize,
}

thread_local! {
    static FRAME: Cell<Frame> = const {
        Cell::new(Frame { number: 0, work: 0.0, asked: false, jobs: 0 })
    };
}

fn frame() -> Frame {
    FRAME.with(Cell::get)
}

fn set_frame(f: Frame) {
    FRAME.with(|c| c.set(f));
}

/// Tells a job when a frame's worth of work is done, and gives the page back.
pub struct Budget {
    /// When the current slice began.
    since: f64,
    /// The other jobs' work in this frame when the current slice began.
    others: f64,
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
            others: 0.0,
            mine: (f.number, 0.0),
        };
        budget.begin_slice();
        budget
    }

    pub fn spent(&self) -> bool {
        sources::now_ms() - self.since + self.others >= FRAME_BUDGET_MS
    }

    /// Counts the slice that ends now as this frame's work. A slice counts
    /// for a frame at most: one that waited (for a file's next bytes)
    /// counts that wait as work.
    fn end_slice(&mut self) {
        let ms = (sources::now_ms() - self.since).min(FRAME_BUDGET_MS);
        let mut f = frame();
        f.work += ms;
        if self.mine.0 != f.number {
            self.mine = (f.number, 0.0);
        }
        self.mine.1 += ms;
        if !f.asked {
            f.asked = true;
            request_animation_frame(|| {
                let f = frame();
                set_frame(Frame {
                    number: f.number.wrapping_add(1),
                    work: 0.0,
                    asked: false,
                    jobs: f.jobs,
                });
            });
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
        self.since = sources::now_ms();
        self.others = (f.work - mine).max(0.0);
    }

    /// Gives the page back now. Alone, the job goes on at once; with other
    /// jobs under way, once this frame's budget is used, it goes on after
    /// the next frame is drawn. (A hidden page draws no frames: there is
    /// none to share.)
    pub async fn give_back(&mut self) {
        self.end_slice();
        sources::yield_now().await;
        loop {
            let f = frame();
            if f.jobs < 2 || f.work < FRAME_BUDGET_MS || sources::page_hidden() {
                break;
            }
            sources::after_paint().await;
        }
        self.begin_slice();
    }

    /// Waits for the browser to begin its next frame (see
    /// [`sources::frame_start`]): what the job does next is drawn in it.
    pub async fn frame_start(&mut self) {
        self.end_slice();
        sources::frame_start().await;
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
