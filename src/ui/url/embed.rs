//! Embedding: Jaeger UI's embed flags (`uiEmbed=v0` and the `uiTimeline*`
//! flags, ANCHORS §2.12), what an embedded page shows (`view=`), the
//! trace ids a URL asks Jaeger for (`traceId`), and Jaeger UI's path shapes
//! (`/trace/{id}`, `/search`). Plain Rust over [`Params`] and the path,
//! tested natively.

use super::params::Params;

/// What the page shows: the whole app, or one part of it filling an
/// embedding frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Show {
    /// The trace view: header, bottleneck panel, timeline and detail.
    #[default]
    Trace,
    /// The bottleneck card: headline, critical-path bar and findings.
    Card,
    /// The timeline alone.
    Timeline,
    /// The summary across the loaded traces.
    Summary,
}

impl Show {
    pub fn parse(s: &str) -> Option<Show> {
        match s {
            "trace" => Some(Show::Trace),
            "card" => Some(Show::Card),
            "timeline" => Some(Show::Timeline),
            "summary" => Some(Show::Summary),
            _ => None,
        }
    }
}

/// The parameters that make an embedded page, each as Jaeger UI reads it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EmbedParams {
    /// `uiEmbed=v0`: no header, no sidebar, no Jaeger panel.
    pub embedded: bool,
    /// `view=`: which part is shown (any page, embedded or not).
    pub show: Show,
    /// `uiTimelineCollapseTitle=1`: the trace header starts collapsed.
    pub collapse_title: bool,
    /// `uiTimelineHideMinimap=1`.
    pub hide_minimap: bool,
    /// `uiTimelineHideSummary=1`: no facts (duration, services, spans…)
    /// in the trace header.
    pub hide_summary: bool,
    /// `uiSearchHideGraph=1`: no scatter plot over the search results.
    pub hide_graph: bool,
}

/// The parameters that only make sense inside a frame: a page opened on its
/// own drops them (Jaeger UI's `stripEmbeddedState`).
pub const EMBED_PARAMS: [&str; 6] = [
    "uiEmbed",
    "view",
    "uiTimelineCollapseTitle",
    "uiTimelineHideMinimap",
    "uiTimelineHideSummary",
    "uiSearchHideGraph",
];

impl EmbedParams {
    pub fn read(p: &Params) -> EmbedParams {
        // Jaeger UI recognises only v0, and its flags only as "1".
        let flag = |n: &str| p.get(n).is_some_and(|v| v.trim() == "1");
        EmbedParams {
            embedded: p.get("uiEmbed").is_some_and(|v| v.trim() == "v0"),
            show: p.get("view").and_then(Show::parse).unwrap_or_default(),
            collapse_title: flag("uiTimelineCollapseTitle"),
            hide_minimap: flag("uiTimelineHideMinimap"),
            hide_summary: flag("uiTimelineHideSummary"),
            hide_graph: flag("uiSearchHideGraph"),
        }
    }
}

/// The same page opened on its own: `p` without the embed parameters.
pub fn standalone(p: &Params) -> Params {
    let mut out = p.clone();
    for name in EMBED_PARAMS {
        out.set(name, None);
    }
    out
}

/// The trace ids a URL asks Jaeger for: `traceId`, or Jaeger UI's
/// `traceID` (repeatable on its search page), in order, each once.
pub fn trace_ids(p: &Params) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for id in p.all("traceId").chain(p.all("traceID")) {
        let id = id.trim();
        if !id.is_empty() && !ids.iter().any(|x| x == id) {
            ids.push(id.to_string());
        }
    }
    ids
}

/// What the page's path asks for, in Jaeger UI's shapes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// The app's own page (`…/` or `…/index.html`).
    App,
    /// `…/trace/{id}`: one trace from Jaeger.
    Trace(String),
    /// `…/trace/{a}...{b}`: two traces from Jaeger, compared.
    Compare(String, String),
    /// `…/search`: the search its parameters describe.
    Search,
}

impl Route {
    /// Reads a path (`location.pathname`, percent-encoded).
    pub fn of_path(path: &str) -> Route {
        let (_, route) = split_path(path);
        route
    }
}

/// The app's folder (ending in `/`) and the route under it. The folder is
/// where the app's files are: `/ui/` for `/ui/trace/abc`, so that a page
/// opened at a Jaeger UI path still finds them.
pub fn split_path(path: &str) -> (&str, Route) {
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    if let Some(at) = trimmed.rfind("/trace/") {
        let id = &trimmed[at + "/trace/".len()..];
        if !id.is_empty() && !id.contains('/') {
            // Percent-decoded as a path is: `+` and `&` are themselves
            // there, not a space and a separator as in a query (the fuzz
            // target found `/trace/&x` read as an empty id).
            let escaped = id.replace('+', "%2B").replace('&', "%26");
            let id = form_urlencoded::parse(format!("i={escaped}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            if let Some((a, b)) = super::params::compare_pair(&id) {
                return (&path[..=at], Route::Compare(a, b));
            }
            return (&path[..=at], Route::Trace(id));
        }
    }
    if let Some(folder) = trimmed.strip_suffix("/search") {
        return (&path[..=folder.len()], Route::Search);
    }
    let folder = path.rfind('/').map_or("/", |i| &path[..=i]);
    (folder, Route::App)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaeger_ui_embed_flags() {
        let p = Params::parse(
            "uiEmbed=v0&uiTimelineCollapseTitle=1&uiTimelineHideMinimap=1&uiTimelineHideSummary=0&view=card",
        );
        let e = EmbedParams::read(&p);
        assert!(e.embedded && e.collapse_title && e.hide_minimap);
        assert!(!e.hide_summary, "only 1 sets a flag");
        assert_eq!(e.show, Show::Card);
        assert!(!EmbedParams::read(&Params::parse("uiEmbed=v1")).embedded);
        // The old view window is not a part to show.
        assert_eq!(
            EmbedParams::read(&Params::parse("view=0.2,0.4")).show,
            Show::Trace
        );
    }

    #[test]
    fn standalone_drops_only_the_embed_parameters() {
        let p = Params::parse(
            "url=a.json&uiEmbed=v0&view=card&span=s1&uiTheme=dark&uiTimelineHideMinimap=1",
        );
        assert_eq!(standalone(&p).to_query(), "url=a.json&span=s1&uiTheme=dark");
    }

    #[test]
    fn trace_ids_in_either_spelling_once_each() {
        let p = Params::parse("traceID=a&traceId=b&traceID=a&traceID=+c+&traceId=");
        assert_eq!(trace_ids(&p), ["b", "a", "c"]);
    }

    #[test]
    fn jaeger_ui_paths() {
        assert_eq!(split_path("/"), ("/", Route::App));
        assert_eq!(split_path("/ui/index.html"), ("/ui/", Route::App));
        assert_eq!(
            split_path("/trace/4bf92f35"),
            ("/", Route::Trace("4bf92f35".into()))
        );
        assert_eq!(
            split_path("/tools/traceglass/trace/abc%20d/"),
            ("/tools/traceglass/", Route::Trace("abc d".into()))
        );
        assert_eq!(split_path("/jaeger/search"), ("/jaeger/", Route::Search));
        assert_eq!(split_path("/search/"), ("/", Route::Search));
        // A folder named trace, or a compare path, is not a trace id.
        assert_eq!(split_path("/trace/"), ("/trace/", Route::App));
        assert_eq!(split_path("/trace/a/b"), ("/trace/a/", Route::App));
        assert_eq!(Route::of_path("/x/trace/a"), Route::Trace("a".into()));
        // Jaeger UI's compare path.
        assert_eq!(
            split_path("/ui/trace/abc...def"),
            ("/ui/", Route::Compare("abc".into(), "def".into()))
        );
        assert_eq!(
            Route::of_path("/trace/abc..."),
            Route::Trace("abc...".into())
        );
        // A path's `+` and `&` are themselves (found by the url fuzz target).
        assert_eq!(Route::of_path("/trace/&ef"), Route::Trace("&ef".into()));
        assert_eq!(Route::of_path("/trace/a+b%2B"), Route::Trace("a+b+".into()));
    }
}
