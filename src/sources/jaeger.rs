//! Talking to a Jaeger query service from the browser: requests with the
//! user's token and credentials mode, a timeout, and failures told apart
//! (unreachable, CORS refused, HTTP errors with Jaeger's own message,
//! timeout, an answer that is not Jaeger's).

use super::http;
use crate::jaeger::{error_message, parse_services, services_url, ApiVersion};

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

    /// How requests to Jaeger are sent.
    fn options(&self) -> http::Options {
        http::Options {
            credentials: Some(self.credentials.clone()),
            bearer: Some(self.token.clone()),
            timeout_ms: Some(self.timeout_ms),
        }
    }

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
    /// A newer request took its place.
    Aborted,
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
        !matches!(self, Failure::Http { status, .. } if *status < 500) && *self != Failure::Aborted
    }

    /// A few words for the health indicator.
    pub fn short(&self) -> String {
        match self {
            Failure::Unreachable => "unreachable".into(),
            Failure::Cors => "CORS refused".into(),
            Failure::Timeout => "timeout".into(),
            Failure::Aborted => "superseded".into(),
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
            Failure::Aborted => format!("The request to {url} gave way to a newer one."),
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

impl From<http::Failure> for Failure {
    fn from(f: http::Failure) -> Failure {
        match f {
            http::Failure::Unreachable => Failure::Unreachable,
            http::Failure::Cors => Failure::Cors,
            http::Failure::Timeout => Failure::Timeout,
            http::Failure::Aborted => Failure::Aborted,
            http::Failure::Http { status, body, .. } => Failure::Http {
                status,
                message: error_message(&body),
            },
            http::Failure::BrokeOff(why) => {
                Failure::NotJaeger(format!("the answer broke off: {why}"))
            }
        }
    }
}

/// How a request went, for the health indicator: its round trip, and how
/// it failed (an aborted request tells nothing, and is not heard of).
pub type Observe<'a> = &'a dyn Fn(f64, Option<&Failure>);

/// GETs a URL from Jaeger; `Ok` holds the body of a 2xx answer, to be read
/// as it comes, and `observe` hears the round trip (to the answer's
/// headers) and how it ended.
pub async fn get_body(
    conn: &Connection,
    url: &str,
    abort: &http::Abort,
    observe: Observe<'_>,
) -> Result<super::Download, Failure> {
    let start = super::now_ms();
    let result = http::get(url, &conn.options(), abort)
        .await
        .map_err(Failure::from);
    if !matches!(result, Err(Failure::Aborted)) {
        observe(super::now_ms() - start, result.as_ref().err());
    }
    let url = url.to_string();
    result.map(|body| super::Download {
        body,
        explain: Box::new(move |f| Failure::from(f.clone()).explain(&url)),
    })
}

/// The most read of an answer that is not traces (services, operations,
/// search summaries): 3,000 summaries take about 1.5 MB, so a longer answer
/// is no Jaeger list. Past it the answer is dropped (the download stops)
/// with a message, instead of filling the page's memory (issue #18: a
/// 50 MB page of text where JSON was expected).
pub const MAX_ANSWER: usize = 32 << 20;

/// [`get_body`], read whole as text (JSON other than traces), at most
/// [`MAX_ANSWER`] bytes.
pub async fn get(
    conn: &Connection,
    url: &str,
    abort: &http::Abort,
    observe: Observe<'_>,
) -> Result<String, Failure> {
    let mut body = get_body(conn, url, abort, observe).await?.body;
    match body.whole_if_within(MAX_ANSWER).await {
        Ok(Some(b)) => Ok(String::from_utf8_lossy(&b).into_owned()),
        Ok(None) => Err(Failure::NotJaeger(format!(
            "the answer is longer than {} MB, more than any list Jaeger sends",
            MAX_ANSWER >> 20
        ))),
        Err(f) => Err(Failure::from(f)),
    }
}

/// Finds which API the server speaks: `/api/v3/services` first, then `/api/services`.
/// Returns the version and its services; `observe` hears of every request.
pub async fn detect(
    conn: &Connection,
    abort: &http::Abort,
    observe: Observe<'_>,
) -> Result<(ApiVersion, Vec<String>), (String, Failure)> {
    let get = |url: String| async move { get(conn, &url, abort, observe).await };
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
