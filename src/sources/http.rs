//! HTTP from the browser, on gloo-net: the one way Traceglass asks a
//! server for anything (a trace file by `?url=`, Jaeger's query API, the
//! operator's `config.json`).
//!
//! A request can be aborted through its [`Abort`], which a [`Latest`] does
//! when a newer request of the same kind starts: a slow answer to an older
//! question is then never used. A timeout aborts it too. Failures are told
//! apart once, here: the server could not be reached, it answered but CORS
//! keeps the page from reading it, it answered with an HTTP error, the
//! answer broke off, the request timed out or was aborted. Each caller
//! words them for its own context.

use super::js_text;
use gloo_net::http::{Request, Response};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, RequestCredentials, RequestMode};

/// Why a request failed.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// Nothing answered: a wrong address, a server down, or no network.
    Unreachable,
    /// The server answered, but does not allow this page to read it.
    Cors,
    /// No answer within the timeout.
    Timeout,
    /// A newer request took its place, or the user cancelled it.
    Aborted,
    /// An answer with a status outside 2xx, with its body as text.
    Http {
        status: u16,
        status_text: String,
        body: String,
    },
    /// The answer began but could not be read to its end.
    BrokeOff(String),
}

/// How to send a request.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `omit`, `same-origin` (the default) or `include`.
    pub credentials: Option<String>,
    /// Sent as `Authorization: Bearer …` when given.
    pub bearer: Option<String>,
    /// Abandon the request after this long.
    pub timeout_ms: Option<i32>,
}

/// Aborts one request (and the reading of its answer).
#[derive(Clone)]
pub struct Abort(Rc<AbortInner>);

struct AbortInner {
    controller: Option<AbortController>,
    /// Why it was aborted, once it was.
    reason: RefCell<Option<Failure>>,
}

impl Abort {
    pub fn new() -> Abort {
        Abort(Rc::new(AbortInner {
            controller: AbortController::new().ok(),
            reason: RefCell::new(None),
        }))
    }

    /// Aborts the request; its caller sees [`Failure::Aborted`].
    pub fn abort(&self) {
        self.abort_because(Failure::Aborted);
    }

    fn abort_because(&self, why: Failure) {
        if self.0.reason.borrow().is_some() {
            return;
        }
        self.0.reason.replace(Some(why));
        if let Some(c) = &self.0.controller {
            c.abort();
        }
    }

    /// Whether it was aborted by [`Abort::abort`] (a timeout is a failure,
    /// not a cancel).
    pub fn is_cancelled(&self) -> bool {
        *self.0.reason.borrow() == Some(Failure::Aborted)
    }

    fn reason(&self) -> Option<Failure> {
        self.0.reason.borrow().clone()
    }

    fn signal(&self) -> Option<web_sys::AbortSignal> {
        self.0.controller.as_ref().map(AbortController::signal)
    }
}

impl Default for Abort {
    fn default() -> Abort {
        Abort::new()
    }
}

/// The newest request of one kind (a service's operations, a search, a
/// trace by id): starting one aborts the one before, whose answer, if it
/// still comes, is not to be used.
#[derive(Default)]
pub struct Latest(RefCell<Option<Abort>>);

impl Latest {
    /// Aborts the request before, and gives the new one's [`Abort`].
    pub fn start(&self) -> Abort {
        let next = Abort::new();
        if let Some(before) = self.0.replace(Some(next.clone())) {
            before.abort();
        }
        next
    }

    /// Whether `abort` belongs to the newest request.
    pub fn is_current(&self, abort: &Abort) -> bool {
        self.0
            .borrow()
            .as_ref()
            .is_some_and(|a| Rc::ptr_eq(&a.0, &abort.0))
    }
}

/// The body of a 2xx answer, read as it arrives: a large answer is handed
/// to its reader a network chunk at a time, never held whole in one piece
/// that would be copied in one long task. The timeout runs until the body
/// is read to its end.
///
/// A task of its own takes each chunk from the stream as soon as it comes
/// (keeping it as a JS array, not copied yet), and `next` copies them into
/// the wasm memory one at a time, as its reader asks. Chromium reports a
/// streamed request as aborted when the page waits between its reads, even
/// though every byte was read; reading without pause avoids that.
pub struct Body {
    shared: Rc<RefCell<Stream>>,
    /// Bytes read ahead (by [`Body::whole_if_within`]), handed out first.
    ahead: Vec<u8>,
    /// What the `Content-Length` header says, if anything.
    size: Option<f64>,
}

/// What the reading task and [`Body`] share.
struct Stream {
    chunks: std::collections::VecDeque<js_sys::Uint8Array>,
    /// How the stream ended, once it has.
    end: Option<Result<(), Failure>>,
    /// Resolves the promise `next` waits on.
    wake: Option<js_sys::Function>,
    reader: Option<web_sys::ReadableStreamDefaultReader>,
    timer: Option<i32>,
}

impl Stream {
    fn finish(&mut self, how: Result<(), Failure>) {
        self.end.get_or_insert(how);
        self.reader = None;
        if let (Some(t), Some(w)) = (self.timer.take(), web_sys::window()) {
            w.clear_timeout_with_handle(t);
        }
        self.wake_reader();
    }

    fn wake_reader(&mut self) {
        if let Some(w) = self.wake.take() {
            let _ = w.call0(&wasm_bindgen::JsValue::NULL);
        }
    }
}

impl Body {
    fn new(
        reader: Option<web_sys::ReadableStreamDefaultReader>,
        size: Option<f64>,
        abort: &Abort,
        timer: Option<i32>,
    ) -> Body {
        let shared = Rc::new(RefCell::new(Stream {
            chunks: Default::default(),
            end: None,
            wake: None,
            reader: reader.clone(),
            timer,
        }));
        match reader {
            Some(reader) => {
                let (stream, abort) = (shared.clone(), abort.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    loop {
                        let read = JsFuture::from(reader.read()).await;
                        let mut s = stream.borrow_mut();
                        if s.end.is_some() {
                            return;
                        }
                        match read {
                            Err(e) => {
                                let why = abort
                                    .reason()
                                    .unwrap_or_else(|| Failure::BrokeOff(js_text(&e)));
                                s.finish(Err(why));
                                return;
                            }
                            Ok(result) => {
                                let done = js_sys::Reflect::get(&result, &"done".into())
                                    .ok()
                                    .and_then(|d| d.as_bool())
                                    .unwrap_or(true);
                                let value = js_sys::Reflect::get(&result, &"value".into())
                                    .ok()
                                    .and_then(|v| v.dyn_into::<js_sys::Uint8Array>().ok());
                                match value {
                                    Some(chunk) if !done => {
                                        s.chunks.push_back(chunk);
                                        s.wake_reader();
                                    }
                                    _ => {
                                        s.finish(Ok(()));
                                        return;
                                    }
                                }
                            }
                        }
                    }
                });
            }
            None => shared.borrow_mut().finish(Ok(())),
        }
        Body {
            shared,
            ahead: Vec::new(),
            size,
        }
    }

    /// The body's size in bytes, when the server said.
    pub fn size(&self) -> Option<f64> {
        self.size
    }

    /// The next bytes, or `None` at the end.
    pub async fn next(&mut self) -> Option<Result<Vec<u8>, Failure>> {
        if !self.ahead.is_empty() {
            return Some(Ok(std::mem::take(&mut self.ahead)));
        }
        loop {
            let waiting = {
                let mut s = self.shared.borrow_mut();
                if let Some(chunk) = s.chunks.pop_front() {
                    return Some(Ok(chunk.to_vec()));
                }
                match &s.end {
                    Some(Ok(())) => return None,
                    Some(Err(f)) => return Some(Err(f.clone())),
                    None => js_sys::Promise::new(&mut |resolve, _| s.wake = Some(resolve)),
                }
            };
            let _ = JsFuture::from(waiting).await;
        }
    }

    /// The whole body when it ends within `limit` bytes; `None` when it is
    /// longer, and then what was read is still handed out by `next`.
    pub async fn whole_if_within(&mut self, limit: usize) -> Result<Option<Vec<u8>>, Failure> {
        let mut read = std::mem::take(&mut self.ahead);
        while read.len() <= limit {
            match self.next().await {
                Some(chunk) => read.extend(chunk?),
                None => return Ok(Some(read)),
            }
        }
        self.ahead = read;
        Ok(None)
    }

    /// The whole body.
    pub async fn all(mut self) -> Result<Vec<u8>, Failure> {
        let mut out = std::mem::take(&mut self.ahead);
        while let Some(chunk) = self.next().await {
            out.extend(chunk?);
        }
        Ok(out)
    }
}

impl Drop for Body {
    /// A body left unread (a cancelled load) stops the download.
    fn drop(&mut self) {
        if let Ok(mut s) = self.shared.try_borrow_mut() {
            if let Some(reader) = &s.reader {
                let _ = reader.cancel();
            }
            s.finish(Ok(()));
        }
    }
}

/// GETs `url`; `Ok` holds the body of a 2xx answer, to be read as it comes.
pub async fn get(url: &str, options: &Options, abort: &Abort) -> Result<Body, Failure> {
    if let Some(why) = abort.reason() {
        return Err(why);
    }
    let timer = options.timeout_ms.and_then(|ms| start_timer(abort, ms));
    let clear = |timer: Option<i32>| {
        if let (Some(t), Some(w)) = (timer, web_sys::window()) {
            w.clear_timeout_with_handle(t);
        }
    };
    let response = match send(url, options, abort).await {
        Ok(r) => r,
        Err(f) => {
            clear(timer);
            return Err(f);
        }
    };
    let size = content_length(&response);
    let reader = response.body().and_then(|b| {
        b.get_reader()
            .dyn_into::<web_sys::ReadableStreamDefaultReader>()
            .ok()
    });
    let body = Body::new(reader, size, abort, timer);
    if response.ok() {
        Ok(body)
    } else {
        Err(http_error(&response, &body.all().await?))
    }
}

/// What the `Content-Length` header says, if anything.
fn content_length(response: &Response) -> Option<f64> {
    response
        .headers()
        .get("content-length")
        .and_then(|l| l.trim().parse::<f64>().ok())
}

/// An answer outside 2xx, with its body as text.
fn http_error(response: &Response, body: &[u8]) -> Failure {
    Failure::Http {
        status: response.status(),
        status_text: response.status_text(),
        body: String::from_utf8_lossy(body).into_owned(),
    }
}

/// GETs a small file whole (the operator's `config.json`): the browser
/// reads the body itself, in one go, so a page busy at start does not stall
/// the download between reads, which Chromium reports as an aborted
/// request. An answer longer than `limit` bytes (by its `Content-Length`,
/// or once read) is a [`Failure::BrokeOff`].
pub async fn get_whole(
    url: &str,
    options: &Options,
    abort: &Abort,
    limit: usize,
) -> Result<Vec<u8>, Failure> {
    if let Some(why) = abort.reason() {
        return Err(why);
    }
    let too_long = || Failure::BrokeOff(format!("longer than {limit} bytes"));
    let response = send(url, options, abort).await?;
    if content_length(&response).is_some_and(|n| n > limit as f64) {
        abort.abort();
        return Err(too_long());
    }
    let bytes = match response.binary().await {
        Ok(bytes) => bytes,
        Err(e) => {
            return Err(abort
                .reason()
                .unwrap_or_else(|| Failure::BrokeOff(e.to_string())))
        }
    };
    if !response.ok() {
        return Err(http_error(&response, &bytes));
    }
    if bytes.len() > limit {
        return Err(too_long());
    }
    Ok(bytes)
}

/// Aborts the request as a timeout after `ms`.
fn start_timer(abort: &Abort, ms: i32) -> Option<i32> {
    let on_time = {
        let abort = abort.clone();
        wasm_bindgen::closure::Closure::once_into_js(move || abort.abort_because(Failure::Timeout))
    };
    web_sys::window()?
        .set_timeout_with_callback_and_timeout_and_arguments_0(on_time.unchecked_ref(), ms)
        .ok()
}

async fn send(url: &str, options: &Options, abort: &Abort) -> Result<Response, Failure> {
    let mut request = Request::get(url).credentials(match options.credentials.as_deref() {
        Some("omit") => RequestCredentials::Omit,
        Some("include") => RequestCredentials::Include,
        _ => RequestCredentials::SameOrigin,
    });
    if let Some(token) = options
        .bearer
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let signal = abort.signal();
    match request.abort_signal(signal.as_ref()).send().await {
        Ok(r) => Ok(r),
        Err(_) => match abort.reason() {
            Some(why) => Err(why),
            None => Err(diagnose(url).await),
        },
    }
}

/// A failed fetch is a TypeError whatever the cause; an opaque `no-cors`
/// request tells whether the server answered at all.
async fn diagnose(url: &str) -> Failure {
    match Request::get(url).mode(RequestMode::NoCors).send().await {
        Ok(_) => Failure::Cors,
        Err(_) => Failure::Unreachable,
    }
}
