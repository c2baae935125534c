//! Small things done to the page itself: a file download, a clipboard
//! write, moving the focus without scrolling, and reading the element an
//! event happened on. The bottom of `ui`: views use these, these use
//! nothing of `ui`.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// How long a download's object URL is kept: the browser may still be
/// reading the blob after the click returns.
const REVOKE_AFTER_MS: i32 = 60_000;

/// Hands `text` to the browser as a file download named `name`.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let failed = |e: wasm_bindgen::JsValue| crate::sources::js_text(&e);
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(failed)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(failed)?;
    let window = web_sys::window().ok_or("no browser window")?;
    let document = window.document().ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(failed)?
        .dyn_into()
        .map_err(|_| "no link element".to_string())?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    window
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            revoke.unchecked_ref(),
            REVOKE_AFTER_MS,
        )
        .map_err(failed)?;
    Ok(())
}

/// Writes `text` to the clipboard; the error says why it could not.
pub async fn copy_to_clipboard(text: &str) -> Result<(), String> {
    // `navigator.clipboard` is missing outside secure contexts, though
    // web-sys types it as always there.
    let clipboard = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"clipboard".into()).ok())
        .filter(|c| !c.is_undefined() && !c.is_null())
        .ok_or("the clipboard is not available on this page")?;
    let promise = clipboard
        .unchecked_into::<web_sys::Clipboard>()
        .write_text(text);
    JsFuture::from(promise).await.map(|_| ()).map_err(|e| {
        e.dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| "the browser refused".to_string())
    })
}

/// Focuses `el` without scrolling it into view (the timeline's rows move
/// the focus between their slots, which may be off screen).
pub fn focus_without_scrolling(el: &web_sys::Element) {
    if let Some(el) = el.dyn_ref::<web_sys::HtmlElement>() {
        let options = web_sys::FocusOptions::new();
        options.set_prevent_scroll(true);
        let _ = el.focus_with_options(&options);
    }
}

/// The element an event happened on.
pub fn event_element(target: Option<web_sys::EventTarget>) -> Option<web_sys::Element> {
    target.and_then(|t| t.dyn_into::<web_sys::Element>().ok())
}

/// The element that has the focus.
pub fn active_element() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.active_element()
}

/// Where `client_x` falls across `el`, from 0 to 1.
pub fn fraction_in(el: &web_sys::Element, client_x: i32) -> f64 {
    let r = el.get_bounding_client_rect();
    if r.width() <= 0.0 {
        return 0.0;
    }
    ((client_x as f64 - r.left()) / r.width()).clamp(0.0, 1.0)
}

/// The window's width in CSS pixels.
pub fn viewport_width() -> f64 {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .unwrap_or(1280.0)
}
