//! Where bytes come from in the browser: dropped or picked files, and URLs.
//! Each source gives bytes and a name; turning them into traces is `import`'s job.
//! Nothing here sends trace data anywhere: files are read locally, and a URL
//! is only fetched from the address the user gave.

pub mod jaeger;

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, RequestInit, RequestMode, Response};

/// A local file read in slices, so that the caller can parse each slice
/// and give the page back between them instead of holding the whole file.
pub struct FileSlices {
    file: File,
    offset: f64,
    size: f64,
    /// The read of the slice after the one being parsed, started early so
    /// that the disk and the parser work at the same time.
    ahead: Option<Result<js_sys::Promise, String>>,
}

impl FileSlices {
    /// Bytes per slice: large enough that reading costs little, small
    /// enough that memory never holds much more than two.
    const SLICE: f64 = 4.0 * 1024.0 * 1024.0;

    pub fn new(file: File) -> FileSlices {
        let size = file.size();
        FileSlices {
            file,
            offset: 0.0,
            size,
            ahead: None,
        }
    }

    /// The file's size in bytes.
    pub fn size(&self) -> f64 {
        self.size
    }

    /// Starts reading the next slice, if any.
    fn start_read(&mut self) -> Option<Result<js_sys::Promise, String>> {
        if self.offset >= self.size {
            return None;
        }
        let end = (self.offset + Self::SLICE).min(self.size);
        let read = self
            .file
            .slice_with_f64_and_f64(self.offset, end)
            .map(|slice| slice.array_buffer())
            .map_err(|e| self.failed(&e));
        self.offset = end;
        Some(read)
    }

    /// The next slice, or `None` at the end. The read of the one after it
    /// starts before this one is awaited.
    pub async fn next(&mut self) -> Option<Result<Vec<u8>, String>> {
        let read = match self.ahead.take() {
            Some(r) => r,
            None => self.start_read()?,
        };
        self.ahead = self.start_read();
        let read = match read {
            Ok(promise) => promise,
            Err(e) => return Some(Err(e)),
        };
        match JsFuture::from(read).await {
            Ok(buf) => Some(Ok(Uint8Array::new(&buf).to_vec())),
            Err(e) => Some(Err(self.failed(&e))),
        }
    }

    fn failed(&self, e: &wasm_bindgen::JsValue) -> String {
        format!(
            "{}: the browser could not read the file ({})",
            self.file.name(),
            js_text(e)
        )
    }
}

/// Bytes that arrive in slices: a local file read slice by slice, or a
/// download already in memory, handed out a slice at a time all the same.
pub enum Slices {
    File(FileSlices),
    Memory { bytes: Vec<u8>, taken: bool },
}

impl Slices {
    pub fn size(&self) -> f64 {
        match self {
            Slices::File(f) => f.size(),
            Slices::Memory { bytes, .. } => bytes.len() as f64,
        }
    }

    /// The next slice, or `None` at the end.
    pub async fn next(&mut self) -> Option<Result<Vec<u8>, String>> {
        match self {
            Slices::File(f) => f.next().await,
            Slices::Memory { bytes, taken } => {
                if *taken {
                    None
                } else {
                    *taken = true;
                    Some(Ok(std::mem::take(bytes)))
                }
            }
        }
    }
}

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

/// Milliseconds on the page's monotonic clock.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

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

/// The last path segment of a URL, to name what it gave.
pub fn url_file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/')
        .find(|s| !s.is_empty())
        .unwrap_or(url)
        .to_string()
}

/// Fetches a URL, telling apart an HTTP error, a CORS refusal and a network failure.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no browser window")?;
    let response = match JsFuture::from(window.fetch_with_str(url)).await {
        Ok(r) => r,
        Err(_) => return Err(diagnose_fetch_failure(url).await),
    };
    let response: Response = response
        .dyn_into()
        .map_err(|_| format!("{url}: the browser gave no response object"))?;
    if !response.ok() {
        let status = response.status();
        let hint = match status {
            404 => "the file is not there: check the address",
            401 | 403 => "the server refused access: the file may need a login",
            s if s >= 500 => "the server failed: try again later",
            _ => "check the address",
        };
        return Err(format!(
            "{url} answered HTTP {status} {}: {hint}.",
            response.status_text()
        ));
    }
    let buf = response
        .array_buffer()
        .map_err(|e| format!("{url}: cannot read the response ({})", js_text(&e)))?;
    let buf = JsFuture::from(buf)
        .await
        .map_err(|e| format!("{url}: the download broke off ({})", js_text(&e)))?;
    Ok(Uint8Array::new(&buf).to_vec())
}

/// A failed fetch is a TypeError either way; an opaque `no-cors` request tells
/// whether the server answered at all.
async fn diagnose_fetch_failure(url: &str) -> String {
    let reachable = match web_sys::window() {
        Some(w) => {
            let init = RequestInit::new();
            init.set_mode(RequestMode::NoCors);
            JsFuture::from(w.fetch_with_str_and_init(url, &init))
                .await
                .is_ok()
        }
        None => false,
    };
    if reachable {
        format!(
            "{url} could not be read: CORS refused. The server answered but does not allow this page \
             to read it (no Access-Control-Allow-Origin header for this origin). Allow this origin on \
             that server, or download the file and drop it here."
        )
    } else {
        format!(
            "{url} could not be fetched: network error, the server did not answer (wrong address, \
             server down, or offline). If it is up, it may also refuse cross-origin requests (CORS)."
        )
    }
}

fn js_text(v: &wasm_bindgen::JsValue) -> String {
    v.as_string()
        .or_else(|| {
            v.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "unknown error".to_string())
}
