//! Small display helpers shared by the views: service colours, which
//! strings may become links, counts and times in words.

pub use crate::analysis::describe::format_duration;

/// Colours for services, picked by service index; chosen to stay readable on
/// both light and dark backgrounds.
const PALETTE: [&str; 12] = [
    "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f",
    "#86bcb6", "#d37295", "#8cd17d", "#a0cbe8",
];

pub fn service_color(service: u32) -> &'static str {
    PALETTE[service as usize % PALETTE.len()]
}

/// True for the URLs that may become links: http and https only.
pub fn is_web_url(s: &str) -> bool {
    let lower = s.trim_start().to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && !s.contains(char::is_whitespace)
}

/// "1 service", "3 services".
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// An absolute time (ns since the epoch) as ISO 8601 in UTC.
#[cfg(target_arch = "wasm32")]
pub fn absolute_time(ns: i64) -> String {
    let ms = (ns / 1_000_000) as f64;
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    if date.get_time().is_nan() {
        return format!("{ns} ns since the epoch");
    }
    String::from(date.to_iso_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_urls_become_links() {
        assert!(is_web_url("https://example.com/a"));
        assert!(is_web_url("HTTP://x/y?q=1"));
        for s in [
            "javascript:alert(1)",
            "data:text/html,x",
            "ftp://x",
            "http://a b",
            "/rel",
        ] {
            assert!(!is_web_url(s), "{s}");
        }
    }

    #[test]
    fn words() {
        assert_eq!(plural(1, "service"), "1 service");
        assert_eq!(plural(0, "span"), "0 spans");
        assert_ne!(service_color(0), service_color(1));
        assert_eq!(service_color(12), service_color(0));
    }
}
