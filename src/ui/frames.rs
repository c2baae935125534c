//! The page's frames and clock: giving the page back (a new task, a drawn
//! frame, the start of the next frame), whether it draws at all, and the
//! `performance` marks that benchmarks and the browser's profiler read.
//! The bottom of `ui`: every paced job and every view that spreads its
//! first render over frames uses these, and these use nothing of `ui`.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Resolves in a new task, after the browser had a chance to handle input
/// and paint. A message to itself, not a timer: nested timers are clamped
/// to 4 ms, which a load of thousands of slices would pay each time.
pub async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Ok(channel) = web_sys::MessageChannel::new() {
            channel.port1().set_onmessage(Some(&resolve));
            if channel
                .port2()
                .post_message(&wasm_bindgen::JsValue::NULL)
                .is_ok()
            {
                return;
            }
        }
        let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
    });
    let _ = JsFuture::from(promise).await;
}

/// Resolves just after the browser has drawn a frame: a frame callback,
/// then a message posted from it, which runs once that frame is painted.
/// Work that renders much (a new trace view) starts there with a whole
/// frame to itself, rather than after a slice of loading in the same one.
pub async fn after_paint() {
    frame_start().await;
    yield_now().await;
}

/// Resolves as the browser begins its next frame, before it lays out and
/// paints it: work that changes much of the page (a view filling in) has
/// the frame to itself, and is drawn in it.
pub async fn frame_start() {
    // A hidden page (a background tab) draws no frames, and would wait
    // until it is shown again.
    if page_hidden() {
        return yield_now().await;
    }
    // A page may also draw no frames while shown: the browser throttles
    // those of an iframe scrolled out of view. A timer ends the wait then;
    // the frame, when it comes first, clears the timer.
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let Some(w) = web_sys::window() else {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            return;
        };
        let timer = w
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, FRAME_WAIT_MAX_MS)
            .ok();
        let on_frame = {
            let resolve = resolve.clone();
            wasm_bindgen::closure::Closure::once_into_js(move || {
                if let (Some(t), Some(w)) = (timer, web_sys::window()) {
                    w.clear_timeout_with_handle(t);
                }
                let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            })
        };
        if w.request_animation_frame(on_frame.unchecked_ref()).is_err() {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// The longest wait for a frame: a page drawing none goes on after it.
const FRAME_WAIT_MAX_MS: i32 = 100;

/// Whether the page is hidden (a background tab): it draws no frames then.
pub fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

pub use crate::sources::now_ms;

/// Records a `performance` mark, and a measure from the mark `from` when
/// given, so that benchmarks and the browser's profiler see the load's steps.
pub fn perf_mark(name: &str, from: Option<&str>) {
    let Some(p) = web_sys::window().and_then(|w| w.performance()) else {
        return;
    };
    match from {
        Some(start) => {
            let _ = p.measure_with_start_mark(name, start);
        }
        None => {
            let _ = p.mark(name);
        }
    }
}

/// Marks `traceglass:memory:<phase>` with what the program holds now and
/// the most it held since the mark before (`detail: {live, peak}`, in bytes
/// asked of the allocator), for `bench/browser.mjs`'s breakdown; then starts
/// a new peak.
pub fn memory_mark(phase: &str) {
    let Some(p) = web_sys::window().and_then(|w| w.performance()) else {
        return;
    };
    let detail = js_sys::Object::new();
    let set = |k: &str, v: usize| {
        let _ = js_sys::Reflect::set(&detail, &k.into(), &(v as f64).into());
    };
    set("live", crate::memory::live());
    set("peak", crate::memory::peak());
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"detail".into(), &detail);
    if let Ok(mark) = js_sys::Reflect::get(&p, &"mark".into()) {
        if let Ok(mark) = mark.dyn_into::<js_sys::Function>() {
            let _ = mark.call2(&p, &format!("traceglass:memory:{phase}").into(), &options);
        }
    }
    crate::memory::reset_peak();
}

/// Resolves once a trace view opened now has drawn its first two frames:
/// the one without rows, and the one its rows fill in (the timeline
/// measures its height after the first). Work that would share those
/// frames (the minimap, the analysis, the trace list's pages) starts after
/// them.
pub async fn after_first_frames() {
    after_paint().await;
    after_paint().await;
}
