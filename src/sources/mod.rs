//! Where bytes come from in the browser: dropped or picked files, and URLs.
//! Each source gives bytes and a name; turning them into traces is `import`'s job.
//! Nothing here sends trace data anywhere: files are read locally, and a URL
//! is only fetched from the address the user gave.

pub mod jaeger;

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, RequestInit, RequestMode, Response};

/// Reads a local file's bytes.
pub async fn read_file(file: &File) -> Result<Vec<u8>, String> {
    let buf = JsFuture::from(file.array_buffer()).await.map_err(|e| {
        format!(
            "{}: the browser could not read the file ({})",
            file.name(),
            js_text(&e)
        )
    })?;
    Ok(Uint8Array::new(&buf).to_vec())
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
