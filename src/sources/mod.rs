//! Where bytes come from in the browser: dropped or picked files, and
//! answers to HTTP requests (`?url=`, Jaeger). Each source gives bytes and
//! a name; turning them into traces is `import`'s job.
//! Nothing here sends trace data anywhere: files are read locally, and a URL
//! is only fetched from the address the user gave.

pub mod http;
pub mod jaeger;

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::File;

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

/// An answer's body, read as it arrives, with the words for its failures
/// in the context of the request (a trace file, a Jaeger trace).
pub struct Download {
    pub body: http::Body,
    pub explain: Box<dyn Fn(&http::Failure) -> String>,
}

impl Download {
    /// The whole body.
    pub async fn bytes(self) -> Result<Vec<u8>, String> {
        let Download { body, explain } = self;
        body.all().await.map_err(|f| explain(&f))
    }
}

/// Bytes that arrive in slices: a local file read slice by slice, or an
/// answer read as it comes over the network.
pub enum Slices {
    File(FileSlices),
    Download(Download),
}

impl Slices {
    /// The size in bytes, when known.
    pub fn size(&self) -> Option<f64> {
        match self {
            Slices::File(f) => Some(f.size()),
            Slices::Download(d) => d.body.size(),
        }
    }

    /// The next slice, or `None` at the end.
    pub async fn next(&mut self) -> Option<Result<Vec<u8>, String>> {
        match self {
            Slices::File(f) => f.next().await,
            Slices::Download(d) => Some(d.body.next().await?.map_err(|f| (d.explain)(&f))),
        }
    }
}

/// Milliseconds on the page's monotonic clock.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// The last path segment of a URL, to name what it gave.
pub fn url_file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/')
        .find(|s| !s.is_empty())
        .unwrap_or(url)
        .to_string()
}

/// Fetches a trace file, in words for people when it fails: an HTTP
/// error (with what it likely means), a CORS refusal, or no answer.
pub async fn fetch_file(url: &str, abort: &http::Abort) -> Result<Download, String> {
    let body = http::get(url, &http::Options::default(), abort)
        .await
        .map_err(|f| explain_file_failure(url, &f))?;
    let url = url.to_string();
    Ok(Download {
        body,
        explain: Box::new(move |f| explain_file_failure(&url, f)),
    })
}

/// A small file beside the page (the operator's `config.json`), read whole:
/// `None` when the server has no such file (404), an error when it is longer
/// than `limit` bytes or cannot be read.
pub async fn fetch_small_file(url: &str, limit: usize) -> Result<Option<Vec<u8>>, String> {
    match http::get_whole(url, &http::Options::default(), &http::Abort::new(), limit).await {
        Ok(bytes) => Ok(Some(bytes)),
        Err(http::Failure::Http { status: 404, .. }) => Ok(None),
        Err(f) => Err(explain_file_failure(url, &f)),
    }
}

fn explain_file_failure(url: &str, failure: &http::Failure) -> String {
    match failure {
        http::Failure::Http {
            status,
            status_text,
            ..
        } => {
            let hint = match status {
                404 => "the file is not there: check the address",
                401 | 403 => "the server refused access: the file may need a login",
                s if *s >= 500 => "the server failed: try again later",
                _ => "check the address",
            };
            format!("{url} answered HTTP {status} {status_text}: {hint}.")
        }
        http::Failure::Cors => format!(
            "{url} could not be read: CORS refused. The server answered but does not allow this page \
             to read it (no Access-Control-Allow-Origin header for this origin). Allow this origin on \
             that server, or download the file and drop it here."
        ),
        http::Failure::Unreachable => format!(
            "{url} could not be fetched: network error, the server did not answer (wrong address, \
             server down, or offline). If it is up, it may also refuse cross-origin requests (CORS)."
        ),
        http::Failure::Timeout => format!("{url} did not answer in time."),
        http::Failure::Aborted => format!("{url}: the download was cancelled."),
        http::Failure::BrokeOff(why) => format!("{url}: the download broke off ({why})"),
    }
}

/// What a JS error or value says, for a message.
pub fn js_text(v: &wasm_bindgen::JsValue) -> String {
    v.as_string()
        .or_else(|| {
            v.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "unknown error".to_string())
}

/// A file of bytes handed over in memory (a host page's `ArrayBuffer`,
/// typed array or text; a shared link's trace), read as a dropped file is.
pub fn file_of(data: &wasm_bindgen::JsValue, name: &str) -> Result<File, String> {
    let parts = js_sys::Array::of1(data);
    File::new_with_u8_array_sequence(&parts, name).map_err(|e| format!("{name}: {}", js_text(&e)))
}
