//! The link that shares a trace: the app's own page (not a Jaeger UI path
//! under it), the view in the query, and the trace in the fragment, which
//! browsers never send to a server. Plain Rust, tested natively.

use super::embed::split_path;
use super::params::{Params, ViewParams};

/// A link to `origin` + the app folder of `path` that opens `view` with
/// the trace of `fragment` (`trace=…`). With `redacted`, the find query is
/// left out: it may hold a value the redaction removed.
pub fn link(origin: &str, path: &str, view: &ViewParams, redacted: bool, fragment: &str) -> String {
    let (folder, _) = split_path(path);
    let view = ViewParams {
        // One trace travels in the link: no need to name it.
        trace: None,
        find: if redacted {
            String::new()
        } else {
            view.find.clone()
        },
        ..view.clone()
    };
    let mut p = Params::default();
    view.write(&mut p);
    let query = p.to_query();
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    format!("{origin}{folder}{query}#{fragment}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_link_holds_the_view_and_the_trace() {
        let view = ViewParams {
            trace: Some("t1".into()),
            span: Some("s1".into()),
            find: "user-42".into(),
            window: Some((0.0, 1.0)),
            ..ViewParams::default()
        };
        assert_eq!(
            link(
                "https://tg.example",
                "/ui/trace/abc",
                &view,
                false,
                "trace=1.xyz"
            ),
            "https://tg.example/ui/?span=s1&uiFind=user-42#trace=1.xyz"
        );
        assert_eq!(
            link(
                "http://127.0.0.1:8080",
                "/index.html",
                &view,
                true,
                "trace=1.xyz"
            ),
            "http://127.0.0.1:8080/?span=s1#trace=1.xyz"
        );
        assert_eq!(
            link("http://h", "/", &ViewParams::default(), false, "trace=1.a"),
            "http://h/#trace=1.a"
        );
    }
}
