//! The messages between Traceglass and the page that embeds it (version 1),
//! as plain Rust: what a host's message asks for, and the messages
//! Traceglass sends back. The README's "Embedding" section documents the
//! same table; `embed::host` moves them through `postMessage`.
//!
//! Every message is an object with `traceglass: 1` and a `type`. A host may
//! add an `id` (a string or a number), which the replies to that message
//! carry back.
//!
//! | host → Traceglass | fields |
//! |---|---|
//! | `load` | `data` (an `ArrayBuffer`, a typed array or text) and `name`, or `url` |
//! | `select` | `spanId`, and `traceId` when several traces are loaded |
//! | `find` | `query` (the find box's syntax) |
//! | `theme` | `theme`: `light`, `dark` or `system` |
//! | `clear` | — |
//!
//! | Traceglass → host | fields |
//! |---|---|
//! | `ready` | `version` |
//! | `loaded` | `name`, `traces` (each `export::summary::summary_json`) |
//! | `selection` | `traceId`, `spanId` (`null` when none), `service`, `operation` |
//! | `error` | `message` (what the user sees), `name` (the file, for a load) |

use crate::ui::url::params::Theme;
use serde_json::{json, Map, Value};

/// The version of the messages this Traceglass speaks.
pub const VERSION: u64 = 1;

/// The name a load gets when the host gave none.
pub const DEFAULT_NAME: &str = "trace from the host page";

/// The fields of a host's message that [`parse`] reads; the caller takes
/// them from the message object (the `data` apart: its bytes never go
/// through JSON).
pub const FIELDS: [&str; 9] = [
    "traceglass",
    "type",
    "id",
    "name",
    "url",
    "spanId",
    "traceId",
    "query",
    "theme",
];

/// What a load's `data` was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Data {
    /// None given.
    Missing,
    /// An `ArrayBuffer` or a typed array (kept by the caller).
    Bytes,
    /// Text (kept by the caller).
    Text,
    /// Something else, named by its JavaScript type.
    Other(String),
}

/// What the host asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Load the message's `data` under `name`.
    LoadData {
        name: String,
    },
    /// Load a trace file from a URL.
    LoadUrl {
        url: String,
    },
    Select {
        span_id: String,
        trace_id: Option<String>,
    },
    Find {
        query: String,
    },
    /// `None` follows the system's theme.
    Theme(Option<Theme>),
    Clear,
}

/// A host's message, read: the id to reply with, and the command or why it
/// is not one.
#[derive(Clone, Debug, PartialEq)]
pub struct Incoming {
    pub id: Option<Value>,
    pub command: Result<Command, String>,
}

/// Reads a message: `fields` holds the [`FIELDS`] the message had (as
/// JSON; `None` when the message was not an object), `data` what its
/// `data` was.
pub fn parse(fields: Option<&Map<String, Value>>, data: &Data) -> Incoming {
    let Some(m) = fields else {
        return Incoming {
            id: None,
            command: Err(
                "not a Traceglass message: expected an object with traceglass: 1 and a type".into(),
            ),
        };
    };
    let id = m
        .get("id")
        .filter(|v| v.is_string() || v.is_number())
        .cloned();
    Incoming {
        id,
        command: command(m, data),
    }
}

fn command(m: &Map<String, Value>, data: &Data) -> Result<Command, String> {
    match m.get("traceglass") {
        Some(v) if v.as_u64() == Some(VERSION) => {}
        Some(v) => {
            return Err(format!(
                "message version {v} is not supported: this Traceglass speaks version {VERSION} (traceglass: {VERSION})"
            ))
        }
        None => {
            return Err(format!(
                "not a Traceglass message: expected an object with traceglass: {VERSION} and a type"
            ))
        }
    }
    let text = |name: &str| m.get(name).and_then(Value::as_str).map(str::trim);
    let kind = text("type").unwrap_or_default();
    match kind {
        "load" => {
            let name = text("name")
                .filter(|n| !n.is_empty())
                .unwrap_or(DEFAULT_NAME)
                .to_string();
            match (data, text("url").filter(|u| !u.is_empty())) {
                (Data::Bytes | Data::Text, _) => Ok(Command::LoadData { name }),
                (Data::Missing, Some(url)) => Ok(Command::LoadUrl {
                    url: url.to_string(),
                }),
                (Data::Other(t), _) => Err(format!(
                    "load: data is {t}; expected an ArrayBuffer, a typed array or text"
                )),
                (Data::Missing, None) => Err(
                    "load needs data (an ArrayBuffer, a typed array or text) with a name, or a url"
                        .into(),
                ),
            }
        }
        "select" => match text("spanId").filter(|s| !s.is_empty()) {
            Some(span) => Ok(Command::Select {
                span_id: span.to_string(),
                trace_id: text("traceId").filter(|t| !t.is_empty()).map(String::from),
            }),
            None => Err("select needs spanId, the id of a span of the trace shown".into()),
        },
        "find" => match m.get("query") {
            Some(Value::String(q)) => Ok(Command::Find { query: q.clone() }),
            _ => Err("find needs query, a string (empty to clear the find box)".into()),
        },
        "theme" => match text("theme") {
            Some("system") => Ok(Command::Theme(None)),
            Some(t) => Theme::parse(t)
                .map(|t| Command::Theme(Some(t)))
                .ok_or_else(|| format!("theme {t:?} is not light, dark or system")),
            None => Err("theme needs theme: light, dark or system".into()),
        },
        "clear" => Ok(Command::Clear),
        "" => Err("the message has no type; expected load, select, find, theme or clear".into()),
        other => Err(format!(
            "unknown message type {other:?}; expected load, select, find, theme or clear"
        )),
    }
}

fn message(kind: &str, id: Option<&Value>, fields: Value) -> Value {
    let mut m = Map::new();
    m.insert("traceglass".into(), json!(VERSION));
    m.insert("type".into(), json!(kind));
    if let Some(id) = id {
        m.insert("id".into(), id.clone());
    }
    if let Value::Object(f) = fields {
        m.extend(f);
    }
    Value::Object(m)
}

/// Sent once the page listens.
pub fn ready() -> Value {
    message("ready", None, json!({ "version": VERSION }))
}

/// Sent when a load's traces are analysed: `traces` are their summaries.
pub fn loaded(id: Option<&Value>, name: &str, traces: Vec<Value>) -> Value {
    message("loaded", id, json!({ "name": name, "traces": traces }))
}

/// The span selected now (`None`: no span is).
pub fn selection(trace_id: &str, span: Option<(&str, &str, &str)>) -> Value {
    let fields = match span {
        Some((span_id, service, operation)) => json!({
            "traceId": trace_id, "spanId": span_id, "service": service, "operation": operation,
        }),
        None => json!({ "traceId": trace_id, "spanId": null }),
    };
    message("selection", None, fields)
}

/// A message refused, or a load that failed: `text` is what the user sees.
pub fn error(id: Option<&Value>, text: &str, name: Option<&str>) -> Value {
    let mut fields = json!({ "message": text });
    if let (Some(n), Value::Object(f)) = (name, &mut fields) {
        f.insert("name".into(), json!(n));
    }
    message("error", id, fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(v: Value, data: Data) -> Incoming {
        parse(v.as_object(), &data)
    }

    #[test]
    fn host_messages() {
        let m = read(
            json!({"traceglass": 1, "type": "load", "name": "a.json", "id": 7}),
            Data::Bytes,
        );
        assert_eq!(m.id, Some(json!(7)));
        assert_eq!(
            m.command,
            Ok(Command::LoadData {
                name: "a.json".into()
            })
        );
        let m = read(json!({"traceglass": 1, "type": "load"}), Data::Text);
        assert_eq!(
            m.command,
            Ok(Command::LoadData {
                name: DEFAULT_NAME.into()
            })
        );
        let m = read(
            json!({"traceglass": 1, "type": "load", "url": " https://x/t.json "}),
            Data::Missing,
        );
        assert_eq!(
            m.command,
            Ok(Command::LoadUrl {
                url: "https://x/t.json".into()
            })
        );
        let m = read(
            json!({"traceglass": 1, "type": "select", "spanId": "ab", "traceId": ""}),
            Data::Missing,
        );
        assert_eq!(
            m.command,
            Ok(Command::Select {
                span_id: "ab".into(),
                trace_id: None
            })
        );
        let m = read(
            json!({"traceglass": 1, "type": "find", "query": ""}),
            Data::Missing,
        );
        assert_eq!(
            m.command,
            Ok(Command::Find {
                query: String::new()
            })
        );
        let m = read(
            json!({"traceglass": 1, "type": "theme", "theme": "dark"}),
            Data::Missing,
        );
        assert_eq!(m.command, Ok(Command::Theme(Some(Theme::Dark))));
        let m = read(
            json!({"traceglass": 1, "type": "theme", "theme": "system"}),
            Data::Missing,
        );
        assert_eq!(m.command, Ok(Command::Theme(None)));
        let m = read(
            json!({"traceglass": 1, "type": "clear", "id": "c"}),
            Data::Missing,
        );
        assert_eq!((m.id, m.command), (Some(json!("c")), Ok(Command::Clear)));
    }

    #[test]
    fn malformed_messages_say_what_is_wrong() {
        let err = |v: Option<Value>, d: Data| {
            parse(v.as_ref().and_then(Value::as_object), &d)
                .command
                .unwrap_err()
        };
        assert!(err(None, Data::Missing).contains("not a Traceglass message"));
        assert!(err(Some(json!({"type": "load"})), Data::Bytes).contains("traceglass: 1"));
        assert!(
            err(Some(json!({"traceglass": 2, "type": "load"})), Data::Bytes).contains("version 2")
        );
        assert!(err(
            Some(json!({"traceglass": 1, "type": "explode"})),
            Data::Missing
        )
        .contains("\"explode\""));
        assert!(err(Some(json!({"traceglass": 1})), Data::Missing).contains("no type"));
        assert!(err(
            Some(json!({"traceglass": 1, "type": "load"})),
            Data::Missing
        )
        .contains("needs data"));
        assert!(err(
            Some(json!({"traceglass": 1, "type": "load"})),
            Data::Other("a number".into())
        )
        .contains("data is a number"));
        assert!(err(
            Some(json!({"traceglass": 1, "type": "select"})),
            Data::Missing
        )
        .contains("spanId"));
        assert!(err(
            Some(json!({"traceglass": 1, "type": "find", "query": 3})),
            Data::Missing
        )
        .contains("query"));
        assert!(err(
            Some(json!({"traceglass": 1, "type": "theme", "theme": "blue"})),
            Data::Missing
        )
        .contains("\"blue\""));
        // An id that is neither a string nor a number is not echoed.
        let m = parse(
            json!({"traceglass": 1, "type": "clear", "id": {"x": 1}}).as_object(),
            &Data::Missing,
        );
        assert_eq!(m.id, None);
    }

    #[test]
    fn messages_to_the_host() {
        assert_eq!(
            ready(),
            json!({"traceglass": 1, "type": "ready", "version": 1})
        );
        assert_eq!(
            loaded(Some(&json!(7)), "a.json", vec![json!({"traceId": "t"})]),
            json!({"traceglass": 1, "type": "loaded", "id": 7, "name": "a.json", "traces": [{"traceId": "t"}]})
        );
        assert_eq!(
            selection("t", Some(("s", "svc", "GET"))),
            json!({"traceglass": 1, "type": "selection", "traceId": "t", "spanId": "s", "service": "svc", "operation": "GET"})
        );
        assert_eq!(
            selection("t", None),
            json!({"traceglass": 1, "type": "selection", "traceId": "t", "spanId": null})
        );
        assert_eq!(
            error(None, "bad", Some("x.txt")),
            json!({"traceglass": 1, "type": "error", "message": "bad", "name": "x.txt"})
        );
    }
}
