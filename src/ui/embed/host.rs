//! The page that embeds this one (or opened it), through `postMessage`:
//! its messages are accepted only from the origins `config.json` allows
//! (and this page's own), each read by `protocol` and carried out through
//! the app's own paths (bytes through the loader, as a dropped file); and
//! what happens here (ready, loaded, selection, errors) is posted back to
//! that origin only, never to `*`.

use super::protocol::{self, Command, Data, Incoming};
use crate::export::summary::summary_json;
use crate::model::SpanIx;
use crate::ui::config::{self, Config};
use crate::ui::loader::{Load, LoadError, Open, Source};
use crate::ui::state::{AppState, Level, Loaded};
use crate::ui::url::params::Theme;
use crate::ui::view_state::Views;
use leptos::prelude::*;
use serde_json::{Map, Value};
use std::collections::HashSet;
use wasm_bindgen::{JsCast, JsValue};

/// Where messages go: the window of the last accepted message and its
/// origin, else the parent (or opener) once for each allowed origin (the
/// browser delivers only the one that matches).
#[derive(Clone, Copy)]
struct Host {
    app: AppState,
    views: Views,
    theme: RwSignal<Option<Theme>>,
    config: StoredValue<Config>,
    own: StoredValue<String>,
    reply_to: StoredValue<Option<(web_sys::Window, String)>, LocalStorage>,
    /// Traces whose `loaded` was posted (or will be, by a host's load).
    announced: StoredValue<HashSet<u64>>,
    /// The newest message already told to the host (or not to be told:
    /// a host's failed load is answered with its id).
    told: StoredValue<u64>,
    told_apart: StoredValue<HashSet<u64>>,
}

/// Listens to the page's host once `config.json` is read, and says
/// `ready`. `theme` is the page's theme, which a host may set.
pub fn start(app: AppState, views: Views, config: config::Loaded, theme: RwSignal<Option<Theme>>) {
    config.then(move |c| {
        let Some(window) = web_sys::window() else {
            return;
        };
        let host = Host {
            app,
            views,
            theme,
            config: StoredValue::new(c.clone()),
            own: StoredValue::new(window.location().origin().unwrap_or_default()),
            reply_to: StoredValue::new_local(None),
            announced: StoredValue::new(HashSet::new()),
            told: StoredValue::new(
                app.messages
                    .with_untracked(|m| m.last().map_or(0, |m| m.id)),
            ),
            told_apart: StoredValue::new(HashSet::new()),
        };
        let listener = window_event_listener(leptos::ev::message, move |ev| host.receive(ev));
        on_cleanup(move || listener.remove());
        // A page with no window around it (not framed, not opened by
        // another) has no one to tell.
        if parent_window().is_some() {
            host.follow_loads();
            host.follow_errors();
            host.follow_selection();
            host.post(&protocol::ready());
        }
    });
}

/// The window that embeds (or opened) this page, if any.
fn parent_window() -> Option<web_sys::Window> {
    let window = web_sys::window()?;
    let parent = window.parent().ok().flatten();
    match parent {
        Some(p) if !js_sys::Object::is(&p, &window) => Some(p),
        _ => window
            .opener()
            .ok()
            .filter(|o| o.is_object())
            .map(|o| o.unchecked_into::<web_sys::Window>()),
    }
}

/// The origin of the page that frames this one, where the browser tells
/// it (`location.ancestorOrigins`, in Chromium and Safari).
fn parent_origin() -> Option<String> {
    let location = web_sys::window()?.location();
    let ancestors = js_sys::Reflect::get(&location, &JsValue::from_str("ancestorOrigins")).ok()?;
    if ancestors.is_undefined() || ancestors.is_null() {
        return None;
    }
    js_sys::Reflect::get_u32(&ancestors, 0).ok()?.as_string()
}

fn warn(text: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&format!("Traceglass: {text}")));
}

impl Host {
    fn post(&self, message: &Value) {
        let Ok(value) = js_sys::JSON::parse(&message.to_string()) else {
            return;
        };
        let replied = self.reply_to.with_value(|r| match r {
            Some((w, origin)) => {
                let _ = w.post_message(&value, origin);
                true
            }
            None => false,
        });
        if replied {
            return;
        }
        let Some(parent) = parent_window() else {
            return;
        };
        let own = self.own.get_value();
        let origins = match parent_origin() {
            // Where the browser says who embeds the page, only to it, and
            // only when it is allowed.
            Some(o) if self.config.with_value(|c| c.allows(&o, &own)) => vec![o],
            Some(_) => return,
            // Else once for each allowed origin: the browser delivers only
            // the one that matches.
            None => {
                let mut all = self.config.with_value(|c| c.embed.allowed_origins.clone());
                all.push(own);
                all
            }
        };
        for origin in origins {
            let _ = parent.post_message(&value, &origin);
        }
    }

    fn receive(&self, ev: web_sys::MessageEvent) {
        let origin = ev.origin();
        let own = self.own.get_value();
        if !self.config.with_value(|c| c.allows(&origin, &own)) {
            warn(&format!(
                "ignored a message from {origin}: that origin is not in embed.allowedOrigins of config.json"
            ));
            return;
        }
        // A window of another origin is no `instanceof Window` here: it
        // is taken as it is.
        let source = ev.source().map(|s| s.unchecked_into::<web_sys::Window>());
        // A message this page posted to itself is not a host's.
        if let (Some(s), Some(w)) = (&source, web_sys::window()) {
            if js_sys::Object::is(s, &w) {
                return;
            }
        }
        if let Some(s) = source {
            self.reply_to.set_value(Some((s, origin)));
        }
        let message = ev.data();
        let (fields, data) = read(&message);
        let Incoming { id, command } = protocol::parse(fields.as_ref(), &data.0);
        match command {
            Ok(c) => self.run(c, id, data.1),
            Err(e) => {
                warn(&format!("refused a message: {e}"));
                self.post(&protocol::error(id.as_ref(), &e, None));
            }
        }
    }

    fn fail(&self, id: Option<&Value>, text: &str, name: Option<&str>) {
        self.post(&protocol::error(id, text, name));
    }

    fn run(&self, command: Command, id: Option<Value>, data: JsValue) {
        let app = self.app;
        match command {
            Command::LoadData { name } => match crate::sources::file_of(&data, &name) {
                Ok(file) => self.load(id, name, Source::File(file)),
                Err(e) => self.fail(id.as_ref(), &e, Some(&name)),
            },
            Command::LoadUrl { url } => {
                let name = crate::sources::url_file_name(&url);
                self.load(id, name, Source::Url(url));
            }
            Command::Select { span_id, trace_id } => {
                let loaded = match &trace_id {
                    Some(t) => app.loaded_by_id(t),
                    None => app.current.get_untracked(),
                };
                let Some(loaded) = loaded else {
                    let text = match trace_id {
                        Some(t) => format!("select: trace {t} is not loaded"),
                        None => "select: no trace is open".to_string(),
                    };
                    return self.fail(id.as_ref(), &text, None);
                };
                match loaded.trace.find_span(&span_id) {
                    Some(ix) => self.views.open_span(&loaded, ix),
                    None => self.fail(
                        id.as_ref(),
                        &format!(
                            "select: trace {} has no span {span_id}",
                            loaded.trace.trace_id
                        ),
                        None,
                    ),
                }
            }
            Command::Find { query } => match app.current.get_untracked() {
                Some(l) => self.views.state(&l).find.set(query),
                None => self.fail(id.as_ref(), "find: no trace is open", None),
            },
            Command::Theme(t) => self.theme.set(t),
            Command::Clear => {
                let keys: Vec<u64> = app
                    .traces
                    .with_untracked(|t| t.iter().map(|l| l.key).collect());
                for k in keys {
                    app.remove(k);
                }
            }
        }
    }

    /// Loads what a host handed over, as a dropped file is loaded, and
    /// answers `loaded` (once analysed) or `error`.
    fn load(&self, id: Option<Value>, name: String, source: Source) {
        let host = *self;
        leptos::task::spawn_local(async move {
            let result = Load::new(name.clone(), source)
                .open(Open::Show)
                .quiet()
                .run(host.app)
                .await;
            match result {
                Ok(traces) => {
                    host.announced
                        .update_value(|a| a.extend(traces.iter().map(|l| l.key)));
                    host.announce(id, name, traces).await;
                }
                Err(LoadError::Failed(text)) => {
                    let shown = host.app.message(Level::Error, text.clone());
                    host.told_apart.update_value(|t| {
                        t.insert(shown);
                    });
                    host.fail(id.as_ref(), &text, Some(&name));
                }
                Err(LoadError::Cancelled) => host.fail(
                    id.as_ref(),
                    &format!("{name}: the load was cancelled"),
                    Some(&name),
                ),
            }
        });
    }

    /// Posts `loaded` for `traces` once each is analysed.
    async fn announce(&self, id: Option<Value>, name: String, traces: Vec<Loaded>) {
        let mut summaries = Vec::new();
        for l in &traces {
            let analysis = loop {
                match l.analysis.get_untracked() {
                    Some(a) => break a,
                    None => crate::ui::frames::frame_start().await,
                }
            };
            summaries.push(summary_json(&l.trace, &analysis));
        }
        self.post(&protocol::loaded(id.as_ref(), &name, summaries));
    }

    /// Posts `loaded` for traces that come from anywhere else (the URL,
    /// Jaeger, a dropped file).
    fn follow_loads(&self) {
        let host = *self;
        Effect::new(move |_| {
            let fresh: Vec<Loaded> = host.app.traces.with(|t| {
                t.iter()
                    .filter(|l| !host.announced.with_value(|a| a.contains(&l.key)))
                    .cloned()
                    .collect()
            });
            for l in fresh {
                leptos::task::spawn_local(async move {
                    // A host's own load marks its traces once it returns,
                    // which is before any of them is analysed.
                    crate::ui::frames::yield_now().await;
                    if host.announced.with_value(|a| a.contains(&l.key)) {
                        return;
                    }
                    host.announced.update_value(|a| {
                        a.insert(l.key);
                    });
                    let name = l.source.clone();
                    host.announce(None, name, vec![l]).await;
                });
            }
        });
    }

    /// Posts every error the page shows from now on (a load from the URL
    /// or from Jaeger that failed) as `error`.
    fn follow_errors(&self) {
        let host = *self;
        Effect::new(move |_| {
            let after = host.told.get_value();
            let fresh: Vec<(u64, String)> = host.app.messages.with(|m| {
                m.iter()
                    .filter(|m| m.id > after && m.level == Level::Error)
                    .map(|m| (m.id, m.text.clone()))
                    .collect()
            });
            for (id, text) in fresh {
                host.told.set_value(id);
                if !host.told_apart.with_value(|t| t.contains(&id)) {
                    host.post(&protocol::error(None, &text, None));
                }
            }
        });
    }

    /// Posts `selection` whenever the span selected in the trace shown
    /// changes.
    fn follow_selection(&self) {
        let host = *self;
        // The trace shown (by key) and its selected span.
        Effect::new(move |before: Option<Option<(u64, Option<SpanIx>)>>| {
            let shown = host.app.current.get();
            let now = shown
                .as_ref()
                .map(|l| (l.key, host.views.state(l).selected.get()));
            let changed = match &before {
                Some(b) => *b != now,
                None => now.is_some_and(|(_, s)| s.is_some()),
            };
            if let (true, Some(l)) = (changed, &shown) {
                let t = &l.trace;
                let span = now.and_then(|(_, s)| s).and_then(|ix| t.span(ix));
                let message = protocol::selection(
                    &t.trace_id,
                    span.map(|s| (&*s.span_id, t.service_name(s), t.span_name(s))),
                );
                host.post(&message);
            }
            now
        });
    }
}

/// The fields of a host's message that `protocol` reads (as JSON), and
/// what its `data` is, with the value itself.
fn read(message: &JsValue) -> (Option<Map<String, Value>>, (Data, JsValue)) {
    let missing = (Data::Missing, JsValue::UNDEFINED);
    if !message.is_object() || js_sys::Array::is_array(message) {
        return (None, missing);
    }
    let mut fields = Map::new();
    for name in protocol::FIELDS {
        let Ok(v) = js_sys::Reflect::get(message, &JsValue::from_str(name)) else {
            continue;
        };
        if v.is_undefined() {
            continue;
        }
        let json = js_sys::JSON::stringify(&v)
            .ok()
            .and_then(|s| s.as_string())
            .and_then(|s| serde_json::from_str(&s).ok());
        if let Some(json) = json {
            fields.insert(name.to_string(), json);
        }
    }
    let data =
        js_sys::Reflect::get(message, &JsValue::from_str("data")).unwrap_or(JsValue::UNDEFINED);
    let kind = if data.is_undefined() || data.is_null() {
        Data::Missing
    } else if data.is_instance_of::<js_sys::ArrayBuffer>() || js_sys::ArrayBuffer::is_view(&data) {
        Data::Bytes
    } else if data.is_string() {
        Data::Text
    } else {
        Data::Other(format!(
            "a {}",
            data.js_typeof().as_string().unwrap_or_default()
        ))
    };
    (Some(fields), (kind, data))
}
