//! How the Jaeger side starts: at once when the URL names a Jaeger, else
//! once `config.json` is read (an operator's Jaeger, or nothing); and the
//! trace ids a URL asks for (`traceId`, Jaeger UI's `/trace/{id}`), opened
//! once connected.

use super::state::{JaegerUi, Opening};
use crate::sources::http::Abort;
use crate::ui::config;
use crate::ui::loader::Open;
use crate::ui::state::AppState;
use leptos::prelude::*;

impl JaegerUi {
    /// Connects when the URL asks for Jaeger with a base URL in hand; else
    /// waits for `config.json`, whose Jaeger is used when none was chosen
    /// in this browser, and connects when there is one or the URL asked.
    pub fn begin(self, app: AppState, config: config::Loaded) {
        let asked = self.asked_at_start();
        if asked && self.conn.with_untracked(|c| !c.base.is_empty()) {
            self.connect(app);
            return;
        }
        config.then(move |c| {
            let configured = c.jaeger.as_ref().filter(|_| c.jaeger_base().is_some());
            if let Some(j) = configured {
                if self.conn.with_untracked(|x| x.base.is_empty()) {
                    self.conn.update(|x| {
                        x.base = j.base_url.trim().to_string();
                        if let Some(cr) = &j.credentials {
                            x.credentials = cr.clone();
                        }
                    });
                }
            }
            if asked || configured.is_some() {
                self.connect(app);
            }
        });
    }

    /// Opens the trace ids of the URL: each loaded from Jaeger (unless it
    /// is loaded already), the first shown as the URL's view describes it.
    pub(super) fn open_at_start(self, app: AppState, opening: Opening) {
        let Opening { ids, view, views } = opening;
        for (i, id) in ids.into_iter().enumerate() {
            if let Some(l) = app.loaded_by_id(&id) {
                if i == 0 {
                    views.open_at(&l, &view);
                }
                continue;
            }
            let Some(load) = self.fetch_trace(app, id, Abort::new()) else {
                return;
            };
            let view = view.clone();
            leptos::task::spawn_local(async move {
                let Ok(traces) = load.open(Open::Nothing).run(app).await else {
                    return;
                };
                if let (0, Some(l)) = (i, traces.first()) {
                    views.open_at(l, &view);
                } else if app.selected.get_untracked().is_none() {
                    if let Some(l) = traces.first() {
                        app.show(l.key);
                    }
                }
            });
        }
    }
}
