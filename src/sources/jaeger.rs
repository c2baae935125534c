//! Talking to a Jaeger query service from the browser: requests with the
//! user's token and credentials mode, a timeout, and failures told apart
//! (unreachable, CORS refused, HTTP errors with Jaeger's own message,
//! timeout, an answer that is not Jaeger's).

use crate::jaeger::{error_message, parse_services, services_url, ApiVersion};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestCredentials, RequestInit, RequestMode, Response};

/// Where Jaeger is, and how to ask it.
#[derive(Clone, Debug, PartialEq)]
pub struct Connection {
    /// Empty for the page's own origin.
    pub base: String,
    /// Sent as `Authorization: Bearer …` when not empty.
    pub token: String,
    /// `omit`, `same-origin` or `include`.
    pub credentials: String,
    /// How long a request may take before it is abandoned as a timeout.
    pub timeout_ms: i32,
}

impl Connection {
    /// Timeouts outside this range are clamped into it.
    pub const TIMEOUT_RANGE_MS: (i32, i32) = (100, 600_000);

    /// Sets the timeout, clamped to [`Connection::TIMEOUT_RANGE_MS`].
    pub fn set_timeout_ms(&mut self, ms: i64) {
        let (lo, hi) = Self::TIMEOUT_RANGE_MS;
        self.timeout_ms = ms.clamp(i64::from(lo), i64::from(hi)) as i32;
    }
}

impl Default for Connection {
    fn default() -> Connection {
        Connection {
            base: String::new(),
            token: String::new(),
            credentials: "same-origin".to_string(),
            timeout_ms: 15_000,
        }
    }
}

/// Why a request to Jaeger failed.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    Unreachable,
    Cors,
    Timeout,
    Http {
        status: u16,
        message: Option<String>,
    },
    NotJaeger(String),
}

impl Failure {
    /// True when Jaeger did not answer usefully: a 4xx is an answer (the
    /// request was wrong), everything else means the connection is failing.
    pub fn is_failing(&self) -> bool {
        !matches!(self, Failure::Http { status, .. } if *status < 500)
    }

    /// A few words for the health indicator.
    pub fn short(&self) -> String {
        match self {
            Failure::Unreachable => "unreachable".into(),
            Failure::Cors => "CORS refused".into(),
            Failure::Timeout => "timeout".into(),
            Failure::Http { status, .. } => format!("HTTP {status}"),
            Failure::NotJaeger(_) => "not a Jaeger answer".into(),
        }
    }

    /// A message for people: what happened and what to do.
    pub fn explain(&self, url: &str) -> String {
        match self {
            Failure::Unreachable => format!(
                "Jaeger could not be reached at {url}: network error (wrong address, Jaeger down, or offline). Check the base URL, then retry."
            ),
            Failure::Cors => format!(
                "Jaeger at {url} answered, but CORS refused this page: the browser blocks reading it from another origin. \
                 On Jaeger v2 allow this origin in extensions.jaeger_query.http.cors.allowed_origins; on Jaeger v1 add \
                 --query.additional-headers \"Access-Control-Allow-Origin: <this origin>\". Or serve Traceglass behind the same \
                 reverse proxy as Jaeger (see the README)."
            ),
            Failure::Timeout => format!("Jaeger at {url} did not answer in time (timeout). Retry, or narrow the search."),
            Failure::Http { status, message } => match message {
                Some(m) => format!("Jaeger answered HTTP {status} for {url}: {m}"),
                None => format!("Jaeger answered HTTP {status} for {url}."),
            },
            Failure::NotJaeger(why) => format!(
                "{url} did not answer as Jaeger does ({why}). Check that the base URL points at Jaeger's query service."
            ),
        }
    }
}

fn js_err(v: &wasm_bindgen::JsValue) -> String {
    v.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| v.as_string())
        .unwrap_or_default()
}

/// GETs a URL; `Ok` holds the body of a 2xx answer.
pub async fn get(conn: &Connection, url: &str) -> Result<String, Failure> {
    let window = web_sys::window().ok_or(Failure::Unreachable)?;
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_credentials(match conn.credentials.as_str() {
        "omit" => RequestCredentials::Omit,
        "include" => RequestCredentials::Include,
        _ => RequestCredentials::SameOrigin,
    });
    if !conn.token.trim().is_empty() {
        if let Ok(h) = Headers::new() {
            let _ = h.set("Authorization", &format!("Bearer {}", conn.token.trim()));
            init.set_headers(&h);
        }
    }
    let controller = AbortController::new().ok();
    let timed_out = std::rc::Rc::new(std::cell::Cell::new(false));
    let mut timer = None;
    if let Some(c) = &controller {
        init.set_signal(Some(&c.signal()));
        let c2 = c.clone();
        let flag = timed_out.clone();
        let cb = wasm_bindgen::closure::Closure::once_into_js(move || {
            flag.set(true);
            c2.abort();
        });
        timer = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                cb.unchecked_ref(),
                conn.timeout_ms,
            )
            .ok();
    }
    let result = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await;
    let clear = |w: &web_sys::Window| {
        if let Some(t) = timer {
            w.clear_timeout_with_handle(t);
        }
    };
    let response: Response = match result {
        Ok(r) => r
            .dyn_into()
            .map_err(|_| Failure::NotJaeger("no response object".into()))?,
        Err(_) if timed_out.get() => return Err(Failure::Timeout),
        Err(_) => {
            clear(&window);
            return Err(diagnose(url).await);
        }
    };
    let text = match response.text() {
        Ok(p) => JsFuture::from(p).await,
        Err(e) => Err(e),
    };
    clear(&window);
    let body = match text {
        Ok(t) => t.as_string().unwrap_or_default(),
        Err(_) if timed_out.get() => return Err(Failure::Timeout),
        Err(e) => {
            return Err(Failure::NotJaeger(format!(
                "the answer broke off: {}",
                js_err(&e)
            )))
        }
    };
    let status = response.status();
    if (200..300).contains(&status) {
        Ok(body)
    } else {
        Err(Failure::Http {
            status,
            message: error_message(&body),
        })
    }
}

/// Like [`get`], and tells `observe` how long the request took and how it ended.
pub async fn get_observed(
    conn: &Connection,
    url: &str,
    observe: &dyn Fn(f64, Option<&Failure>),
) -> Result<String, Failure> {
    let start = super::now_ms();
    let r = get(conn, url).await;
    observe(super::now_ms() - start, r.as_ref().err());
    r
}

/// A failed fetch is a TypeError either way; an opaque `no-cors` request
/// tells whether the server answered at all.
async fn diagnose(url: &str) -> Failure {
    let Some(w) = web_sys::window() else {
        return Failure::Unreachable;
    };
    let init = RequestInit::new();
    init.set_mode(RequestMode::NoCors);
    match JsFuture::from(w.fetch_with_str_and_init(url, &init)).await {
        Ok(_) => Failure::Cors,
        Err(_) => Failure::Unreachable,
    }
}

/// Finds which API the server speaks: `/api/v3/services` first, then `/api/services`.
/// Returns the version and its services; `observe` hears of every request.
pub async fn detect(
    conn: &Connection,
    observe: &dyn Fn(f64, Option<&Failure>),
) -> Result<(ApiVersion, Vec<String>), (String, Failure)> {
    let get = |url: String| async move { get_observed(conn, &url, observe).await };
    let v3 = services_url(&conn.base, ApiVersion::V3);
    match get(v3.clone()).await {
        Ok(body) => match parse_services(ApiVersion::V3, &body) {
            Ok(s) => return Ok((ApiVersion::V3, s)),
            Err(e) => {
                // Some servers answer any path with a page: try v1 before giving up.
                let v1 = services_url(&conn.base, ApiVersion::V1);
                return match get(v1).await {
                    Ok(b) => parse_services(ApiVersion::V1, &b)
                        .map(|s| (ApiVersion::V1, s))
                        .map_err(|_| (v3, Failure::NotJaeger(e))),
                    Err(_) => Err((v3, Failure::NotJaeger(e))),
                };
            }
        },
        Err(Failure::Http { status: 404, .. }) => {}
        Err(f) => return Err((v3, f)),
    }
    let v1 = services_url(&conn.base, ApiVersion::V1);
    match get(v1.clone()).await {
        Ok(body) => parse_services(ApiVersion::V1, &body)
            .map(|s| (ApiVersion::V1, s))
            .map_err(|e| (v1, Failure::NotJaeger(e))),
        Err(f) => Err((v1, f)),
    }
}
