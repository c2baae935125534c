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

use gloo_net::http::Request;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
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

/// GETs `url`; `Ok` holds the body of a 2xx answer.
pub async fn get(url: &str, options: &Options, abort: &Abort) -> Result<Vec<u8>, Failure> {
    if let Some(why) = abort.reason() {
        return Err(why);
    }
    let timer = options.timeout_ms.and_then(|ms| start_timer(abort, ms));
    let result = send(url, options, abort).await;
    if let (Some(t), Some(w)) = (timer, web_sys::window()) {
        w.clear_timeout_with_handle(t);
    }
    result
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

async fn send(url: &str, options: &Options, abort: &Abort) -> Result<Vec<u8>, Failure> {
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
    let response = match request.abort_signal(signal.as_ref()).send().await {
        Ok(r) => r,
        Err(_) => {
            if let Some(why) = abort.reason() {
                return Err(why);
            }
            return Err(diagnose(url).await);
        }
    };
    let body = response.binary().await.map_err(|e| {
        abort
            .reason()
            .unwrap_or_else(|| Failure::BrokeOff(error_text(&e)))
    })?;
    if response.ok() {
        Ok(body)
    } else {
        Err(Failure::Http {
            status: response.status(),
            status_text: response.status_text(),
            body: String::from_utf8_lossy(&body).into_owned(),
        })
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

fn error_text(e: &gloo_net::Error) -> String {
    match e {
        gloo_net::Error::JsError(js) => js.message.clone(),
        other => other.to_string(),
    }
}
