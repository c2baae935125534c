//! The page's URL parameters, read and written in one place: what the app
//! opens (`url`, `jaeger`, `jaegerTimeout`, `uiTheme`; embedding in `embed`), the trace view
//! (`trace`, `span`, `collapsed`, `window`, `uiFind`, `collapseBelow`) and
//! the Jaeger search (Jaeger UI's `/search` names). Plain Rust over the
//! query string, compiled and tested natively; `ui::url` reads it from the
//! page and writes it back.
//!
//! Parameters the app does not manage are kept, in their place.

use crate::jaeger::LOOKBACKS;

/// The decoded parameters of a query string, in their order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Parses `search` (`location.search`, with or without its `?`) as
    /// `application/x-www-form-urlencoded`, as `URLSearchParams` does.
    pub fn parse(search: &str) -> Params {
        let q = search.strip_prefix('?').unwrap_or(search);
        Params(
            form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name`, unless it is empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Every value of `name`, empty ones included, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets `name` to `value` in the place of its first occurrence (others
    /// go), or at the end; `None` removes it. True when the query changed.
    pub fn set(&mut self, name: &str, value: Option<&str>) -> bool {
        let before = self.0.len();
        let mut changed = false;
        let mut placed = false;
        self.0.retain_mut(|(k, v)| {
            if k != name {
                return true;
            }
            match value {
                Some(new) if !placed => {
                    placed = true;
                    if v != new {
                        *v = new.to_string();
                        changed = true;
                    }
                    true
                }
                _ => false,
            }
        });
        changed |= self.0.len() != before;
        if let (Some(new), false) = (value, placed) {
            self.0.push((name.to_string(), new.to_string()));
            changed = true;
        }
        changed
    }

    /// The query string, without `?`, encoded as `URLSearchParams` encodes it.
    pub fn to_query(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.0.iter())
            .finish()
    }
}

/// The theme a URL forces (`uiTheme`, as in Jaeger UI).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    pub fn parse(s: &str) -> Option<Theme> {
        match s {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// What the app opens, and how.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppParams {
    /// A trace file to open instead of the demo (`url`).
    pub url: Option<String>,
    /// Jaeger's base URL (`jaeger`).
    pub jaeger: Option<String>,
    /// How long a request to Jaeger may take (`jaegerTimeout`, ms).
    pub jaeger_timeout_ms: Option<i64>,
    /// A theme the page must use (`uiTheme`).
    pub theme: Option<Theme>,
    /// Two traces to compare, by id (`compare=a...b`, Jaeger UI's `a...b`).
    pub compare: Option<(String, String)>,
}

/// `a...b` (Jaeger UI's compare of two trace ids): both ids, trimmed,
/// neither empty.
pub fn compare_pair(v: &str) -> Option<(String, String)> {
    let (a, b) = v.split_once("...")?;
    let (a, b) = (a.trim(), b.trim());
    (!a.is_empty() && !b.is_empty() && !b.contains("...")).then(|| (a.to_string(), b.to_string()))
}

/// Writes the two traces compared (`compare=a...b`), or removes them; a
/// change is a new history entry.
pub fn write_compare(p: &mut Params, ids: Option<(&str, &str)>) -> Change {
    let value = ids.map(|(a, b)| format!("{a}...{b}"));
    if p.set("compare", value.as_deref()) {
        Change::Push
    } else {
        Change::None
    }
}

impl AppParams {
    pub fn read(p: &Params) -> AppParams {
        AppParams {
            url: p.get("url").map(String::from),
            jaeger: p.get("jaeger").map(String::from),
            jaeger_timeout_ms: p.get("jaegerTimeout").and_then(|t| t.trim().parse().ok()),
            theme: p.get("uiTheme").and_then(Theme::parse),
            compare: p.get("compare").and_then(compare_pair),
        }
    }
}

/// How a change of the URL goes into the history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Nothing changed.
    None,
    /// The current entry is updated (typing, zooming).
    Replace,
    /// A new entry: back returns to the one before (another trace, span,
    /// collapse state, or search).
    Push,
}

impl Change {
    fn and(self, other: Change) -> Change {
        match (self, other) {
            (Change::Push, _) | (_, Change::Push) => Change::Push,
            (Change::Replace, _) | (_, Change::Replace) => Change::Replace,
            _ => Change::None,
        }
    }
}

/// The trace view's state in the URL.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ViewParams {
    /// The trace shown, by id (written when more than one is loaded).
    pub trace: Option<String>,
    /// The selected span, by id.
    pub span: Option<String>,
    /// The collapsed spans, by id (at most [`MAX_COLLAPSED`]).
    pub collapsed: Option<Vec<String>>,
    /// The view window (`window=a,b`; before, `view=a,b`, still read).
    pub window: Option<(f64, f64)>,
    /// The find query (`uiFind`).
    pub find: String,
    /// `collapseBelow`, as typed (a Go duration).
    pub collapse_below: Option<String>,
    /// The attribute keys shown on rows (`fields=a,b`).
    pub fields: Option<Vec<String>>,
}

/// At most this many collapsed spans go in the URL: those highest in the tree.
pub const MAX_COLLAPSED: usize = 300;

impl ViewParams {
    pub fn read(p: &Params) -> ViewParams {
        ViewParams {
            trace: p.get("trace").map(String::from),
            span: p.get("span").map(String::from),
            // A list of nothing (`,`) is no list, as `write` writes none.
            collapsed: p
                .get("collapsed")
                .map(|c| {
                    c.split(',')
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect::<Vec<_>>()
                })
                .filter(|c| !c.is_empty()),
            window: p
                .get("window")
                .or_else(|| p.get("view"))
                .and_then(parse_window),
            find: p
                .get("uiFind")
                .map(str::trim)
                .unwrap_or_default()
                .to_string(),
            collapse_below: p.get("collapseBelow").map(String::from),
            fields: p
                .get("fields")
                .map(|f| {
                    f.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect::<Vec<_>>()
                })
                .filter(|f| !f.is_empty()),
        }
    }

    /// Writes the view into `p`; another trace, span or collapse state is a
    /// new history entry, anything else replaces the current one.
    pub fn write(&self, p: &mut Params) -> Change {
        let window = self
            .window
            .filter(|w| *w != (0.0, 1.0))
            .map(|(a, b)| format!("{a:.6},{b:.6}"));
        let find = Some(self.find.trim()).filter(|f| !f.is_empty());
        let collapsed = self
            .collapsed
            .as_ref()
            .filter(|c| !c.is_empty())
            .map(|c| c.join(","));
        let fields = self
            .fields
            .as_ref()
            .filter(|f| !f.is_empty())
            .map(|f| f.join(","));
        let push = [
            p.set("trace", self.trace.as_deref()),
            p.set("span", self.span.as_deref()),
            p.set("collapsed", collapsed.as_deref()),
            // A trace shown is no longer two compared.
            p.set("compare", None),
        ];
        // `view` names what an embedded page shows; a window written
        // there before is moved to `window`.
        let old_window = p.get("view").and_then(parse_window).is_some();
        let replace = [
            old_window && p.set("view", None),
            p.set("window", window.as_deref()),
            p.set("uiFind", find),
            p.set("collapseBelow", self.collapse_below.as_deref()),
            p.set("fields", fields.as_deref()),
        ];
        let push = if push.contains(&true) {
            Change::Push
        } else {
            Change::None
        };
        let replace = if replace.contains(&true) {
            Change::Replace
        } else {
            Change::None
        };
        push.and(replace)
    }
}

/// `a,b` with `0 <= a < b <= 1`.
fn parse_window(v: &str) -> Option<(f64, f64)> {
    let (a, b) = v.split_once(',')?;
    let (a, b): (f64, f64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a.is_finite() && b.is_finite() && 0.0 <= a && a < b && b <= 1.0).then_some((a, b))
}

/// A Jaeger search in the URL, under Jaeger UI's `/search` names.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchParams {
    pub service: String,
    /// Empty for every operation (Jaeger UI writes `all`).
    pub operation: String,
    /// logfmt, as typed.
    pub tags: String,
    /// One of [`LOOKBACKS`]' values, `custom` with `range_us`.
    pub lookback: String,
    /// The custom range, µs since the epoch.
    pub range_us: Option<(i64, i64)>,
    /// Go durations, as typed.
    pub min_duration: String,
    pub max_duration: String,
    pub limit: u32,
}

/// The search's parameters, in the order they are written.
const SEARCH: [&str; 9] = [
    "service",
    "operation",
    "tags",
    "lookback",
    "start",
    "end",
    "minDuration",
    "maxDuration",
    "limit",
];

impl Default for SearchParams {
    fn default() -> SearchParams {
        SearchParams {
            service: String::new(),
            operation: String::new(),
            tags: String::new(),
            lookback: "1h".to_string(),
            range_us: None,
            min_duration: String::new(),
            max_duration: String::new(),
            limit: 20,
        }
    }
}

impl SearchParams {
    /// The search in `p`, if it names a service.
    pub fn read(p: &Params) -> Option<SearchParams> {
        let service = p.get("service")?.to_string();
        let text = |n: &str| p.get(n).unwrap_or_default().to_string();
        let us = |n: &str| p.get(n).and_then(|v| v.trim().parse::<i64>().ok());
        let mut s = SearchParams {
            service,
            operation: p
                .get("operation")
                .filter(|o| *o != "all")
                .unwrap_or_default()
                .to_string(),
            tags: text("tags"),
            min_duration: text("minDuration"),
            max_duration: text("maxDuration"),
            ..SearchParams::default()
        };
        if let Some(l) = p.get("limit").and_then(|l| l.trim().parse().ok()) {
            s.limit = l;
        }
        match (p.get("lookback"), us("start"), us("end")) {
            (Some("custom") | None, Some(a), Some(b)) => {
                s.lookback = "custom".to_string();
                s.range_us = Some((a, b));
            }
            (Some(l), _, _) if l != "custom" && LOOKBACKS.iter().any(|x| x.0 == l) => {
                s.lookback = l.to_string();
            }
            _ => {}
        }
        Some(s)
    }

    /// Writes the search into `p`; a change is a new history entry.
    pub fn write(&self, p: &mut Params) -> Change {
        let custom = self.range_us.filter(|_| self.lookback == "custom");
        let values: [Option<String>; 9] = [
            Some(self.service.clone()),
            Some(self.operation.clone()).filter(|o| !o.is_empty()),
            Some(self.tags.clone()).filter(|t| !t.trim().is_empty()),
            Some(self.lookback.clone()),
            custom.map(|(a, _)| a.to_string()),
            custom.map(|(_, b)| b.to_string()),
            Some(self.min_duration.trim().to_string()).filter(|d| !d.is_empty()),
            Some(self.max_duration.trim().to_string()).filter(|d| !d.is_empty()),
            Some(self.limit.to_string()),
        ];
        let mut changed = false;
        for (name, value) in SEARCH.iter().zip(values) {
            changed |= p.set(name, value.as_deref());
        }
        if changed {
            Change::Push
        } else {
            Change::None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_decode_and_encode_like_url_search_params() {
        let p = Params::parse("?uiFind=a+b%20c&url=x%2Fy.json&empty=&uiFind=second");
        assert_eq!(p.get("uiFind"), Some("a b c"));
        assert_eq!(p.get("url"), Some("x/y.json"));
        assert_eq!(p.get("empty"), None);
        assert_eq!(
            p.to_query(),
            "uiFind=a+b+c&url=x%2Fy.json&empty=&uiFind=second"
        );
    }

    #[test]
    fn set_replaces_in_place_removes_duplicates_and_appends() {
        let mut p = Params::parse("a=1&b=2&a=3");
        assert!(p.set("a", Some("9")));
        assert_eq!(p.to_query(), "a=9&b=2");
        assert!(!p.set("a", Some("9")));
        assert!(p.set("c", Some("x,y")));
        assert_eq!(p.to_query(), "a=9&b=2&c=x%2Cy");
        assert!(p.set("b", None));
        assert!(!p.set("b", None));
        assert_eq!(p.to_query(), "a=9&c=x%2Cy");
    }

    #[test]
    fn the_view_round_trips_and_says_how_it_changed() {
        let v = ViewParams {
            trace: Some("abc".into()),
            span: Some("s1".into()),
            collapsed: Some(vec!["c1".into(), "c2".into()]),
            window: Some((0.2, 0.6)),
            find: "GetDriver -db".into(),
            collapse_below: Some("100ms".into()),
            fields: Some(vec!["db.system".into(), "http.route".into()]),
        };
        let mut p = Params::parse("url=fixtures%2Fa.json");
        assert_eq!(v.write(&mut p), Change::Push);
        assert_eq!(p.get("url"), Some("fixtures/a.json"));
        assert_eq!(ViewParams::read(&p), v);
        assert_eq!(v.write(&mut p), Change::None);
        let zoomed = ViewParams {
            window: Some((0.1, 0.9)),
            ..v.clone()
        };
        assert_eq!(zoomed.write(&mut p), Change::Replace);
        assert_eq!(p.get("fields"), Some("db.system,http.route"));
        // Lists of nothing read as none, as they are written (found by the
        // url fuzz target).
        let blank = ViewParams::read(&Params::parse("fields=+,+&collapsed=,"));
        assert_eq!((blank.fields, blank.collapsed), (None, None));
        let other_span = ViewParams {
            span: Some("s2".into()),
            find: String::new(),
            ..zoomed
        };
        assert_eq!(other_span.write(&mut p), Change::Push);
        assert_eq!(p.get("uiFind"), None);
        // The whole trace is no window at all.
        let whole = ViewParams {
            window: Some((0.0, 1.0)),
            ..ViewParams::default()
        };
        whole.write(&mut p);
        assert_eq!(p.get("window"), None);
    }

    #[test]
    fn bad_windows_are_ignored() {
        for v in ["0.5", "0.6,0.2", "-1,0.5", "0,2", "a,b", "NaN,1"] {
            let p = Params::parse(&format!("window={v}"));
            assert_eq!(ViewParams::read(&p).window, None, "{v}");
        }
    }

    #[test]
    fn a_window_in_the_old_view_parameter_is_read_and_moved() {
        let mut p = Params::parse("view=0.25,0.5&url=a.json");
        let v = ViewParams::read(&p);
        assert_eq!(v.window, Some((0.25, 0.5)));
        assert_eq!(v.write(&mut p), Change::Replace);
        assert_eq!(p.to_query(), "url=a.json&window=0.250000%2C0.500000");
        // What an embedded page shows stays.
        let mut card = Params::parse("view=card");
        ViewParams::default().write(&mut card);
        assert_eq!(card.get("view"), Some("card"));
    }

    #[test]
    fn a_search_round_trips_under_jaeger_ui_names() {
        let p = Params::parse(
            "service=frontend&operation=all&lookback=custom&start=1000&end=2000&minDuration=1.2s&limit=50",
        );
        let s = SearchParams::read(&p).unwrap_or_default();
        assert_eq!(s.service, "frontend");
        assert_eq!(s.operation, "");
        assert_eq!(s.range_us, Some((1000, 2000)));
        assert_eq!(s.min_duration, "1.2s");
        assert_eq!(s.limit, 50);
        let mut q = Params::default();
        assert_eq!(s.write(&mut q), Change::Push);
        assert_eq!(
            q.to_query(),
            "service=frontend&lookback=custom&start=1000&end=2000&minDuration=1.2s&limit=50"
        );
        assert_eq!(SearchParams::read(&q), Some(s.clone()));
        assert_eq!(s.write(&mut q), Change::None);
        assert_eq!(SearchParams::read(&Params::parse("lookback=2h")), None);
        let two_hours = SearchParams::read(&Params::parse("service=a&lookback=2h&start=1&end=2"));
        assert_eq!(
            two_hours.map(|s| (s.lookback, s.range_us)),
            Some(("2h".to_string(), None))
        );
    }

    #[test]
    fn app_parameters() {
        let a = AppParams::read(&Params::parse(
            "uiTheme=dark&jaegerTimeout=250&jaeger=http%3A%2F%2Fj",
        ));
        assert_eq!(a.theme, Some(Theme::Dark));
        assert_eq!(a.jaeger_timeout_ms, Some(250));
        assert_eq!(a.jaeger.as_deref(), Some("http://j"));
        assert_eq!(AppParams::read(&Params::parse("uiTheme=blue")).theme, None);
    }

    #[test]
    fn two_traces_to_compare_as_jaeger_ui_writes_them() {
        let a = AppParams::read(&Params::parse("compare=abc...DEF"));
        assert_eq!(a.compare, Some(("abc".into(), "DEF".into())));
        for bad in ["abc", "abc...", "...def", "a...b...c", ""] {
            let p = Params::parse(&format!("compare={bad}"));
            assert_eq!(AppParams::read(&p).compare, None, "{bad}");
        }
        let mut p = Params::parse("url=a.json");
        assert_eq!(write_compare(&mut p, Some(("a1", "b2"))), Change::Push);
        assert_eq!(p.to_query(), "url=a.json&compare=a1...b2");
        assert_eq!(write_compare(&mut p, Some(("a1", "b2"))), Change::None);
        assert_eq!(write_compare(&mut p, None), Change::Push);
        assert_eq!(p.to_query(), "url=a.json");
        // Showing a trace again leaves the comparison, as a new entry.
        write_compare(&mut p, Some(("a1", "b2")));
        assert_eq!(ViewParams::default().write(&mut p), Change::Push);
        assert_eq!(p.to_query(), "url=a.json");
    }
}
