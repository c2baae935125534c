//! What this browser remembers between visits, in its localStorage: the
//! theme, where the span detail goes, and the Jaeger connection. The only
//! module that touches localStorage; a page that may not use it (a
//! sandboxed frame, storage turned off) just forgets.

use super::url::params::Theme;
use crate::sources::jaeger::Connection;

const THEME: &str = "traceglass.theme";
const DETAIL: &str = "traceglass.detail";
const JAEGER: &str = "traceglass.jaeger";
const FIELDS: &str = "traceglass.fields";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn get(key: &str) -> Option<String> {
    storage().and_then(|s| s.get_item(key).ok().flatten())
}

fn set(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

/// The theme last chosen with the toggle, if any.
pub fn theme() -> Option<Theme> {
    get(THEME).as_deref().and_then(Theme::parse)
}

pub fn set_theme(theme: Theme) {
    set(THEME, theme.as_str());
}

/// Whether the span detail goes under the selected row (else beside the timeline).
pub fn detail_inline() -> bool {
    get(DETAIL).is_some_and(|v| v == "inline")
}

pub fn set_detail_inline(inline: bool) {
    set(DETAIL, if inline { "inline" } else { "side" });
}

/// The Jaeger connection last used, over `Connection::default()`.
pub fn jaeger_connection() -> Connection {
    let mut conn = Connection::default();
    let Some(v) = get(JAEGER) else {
        return conn;
    };
    // Saved before the timeout was kept: three fields.
    if let Ok((base, token, credentials, timeout)) =
        serde_json::from_str::<(String, String, String, i64)>(&v)
    {
        conn.base = base;
        conn.token = token;
        conn.credentials = credentials;
        conn.set_timeout_ms(timeout);
    } else if let Ok((base, token, credentials)) =
        serde_json::from_str::<(String, String, String)>(&v)
    {
        conn.base = base;
        conn.token = token;
        conn.credentials = credentials;
    }
    conn
}

pub fn set_jaeger_connection(c: &Connection) {
    if let Ok(v) = serde_json::to_string(&(&c.base, &c.token, &c.credentials, c.timeout_ms)) {
        set(JAEGER, &v);
    }
}

/// The attribute keys last chosen to show on rows (none: the defaults).
pub fn row_fields() -> Vec<String> {
    get(FIELDS)
        .and_then(|v| serde_json::from_str::<Vec<String>>(&v).ok())
        .unwrap_or_default()
}

pub fn set_row_fields(keys: &[String]) {
    if let Ok(v) = serde_json::to_string(keys) {
        set(FIELDS, &v);
    }
}
