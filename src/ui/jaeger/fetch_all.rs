//! Fetching every result of a search that is not loaded yet (a few at a
//! time, through the one load path), then summarising them or downloading
//! them as Jaeger JSON or OTLP JSON.

use super::state::{After, ExportFormat, Fetching, JaegerUi};
use crate::export::{to_jaeger_json, to_otlp_json};
use crate::jaeger::{trace_url, ApiVersion};
use crate::sources::jaeger::{get_body, Connection};
use crate::ui::dom;
use crate::ui::loader::{Load, LoadError, Open, Source};
use crate::ui::state::{AppState, Level, Loaded, Pane};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

/// Traces fetched at once when every result is fetched.
const FETCH_CONCURRENCY: usize = 4;

impl JaegerUi {
    /// Ids of the search results, in their order.
    fn result_ids(&self) -> Vec<String> {
        self.results
            .with_untracked(|r| r.iter().map(|x| x.trace_id.clone()).collect())
    }

    /// Loads every search result that is not loaded yet (a few at a time),
    /// then does `after` with all of them.
    pub fn fetch_results(self, app: AppState, after: After) {
        if self.fetching.with_untracked(|f| f.running) {
            return;
        }
        let ids = self.result_ids();
        let missing: VecDeque<String> = ids
            .iter()
            .filter(|id| app.loaded_by_id(id).is_none())
            .cloned()
            .collect();
        self.fetching.set(Fetching {
            running: !missing.is_empty(),
            total: ids.len(),
            fetched: ids.len() - missing.len(),
            failed: Vec::new(),
        });
        if missing.is_empty() {
            self.finish_fetch(app, after);
            return;
        }
        let Some(v) = self.version.get_untracked() else {
            self.fetching.update(|f| f.running = false);
            app.message(
                Level::Error,
                "Connect to Jaeger first, then fetch the results.".into(),
            );
            return;
        };
        let conn = self.conn.get_untracked();
        let workers = FETCH_CONCURRENCY.min(missing.len());
        let queue = Rc::new(RefCell::new(missing));
        let active = Rc::new(Cell::new(workers));
        for _ in 0..workers {
            let (queue, active, conn) = (queue.clone(), active.clone(), conn.clone());
            spawn_local(async move {
                loop {
                    let next = queue.borrow_mut().pop_front();
                    let Some(id) = next else { break };
                    let outcome = self.fetch_one(app, &conn, v, &id).await;
                    self.fetching.update(|f| match outcome {
                        Ok(()) => f.fetched += 1,
                        Err(e) => f.failed.push((id, e)),
                    });
                }
                active.set(active.get().saturating_sub(1));
                if active.get() == 0 {
                    self.fetching.update(|f| f.running = false);
                    self.finish_fetch(app, after);
                }
            });
        }
    }

    /// Loads one search result; the error says why it could not.
    async fn fetch_one(
        self,
        app: AppState,
        conn: &Connection,
        v: ApiVersion,
        id: &str,
    ) -> Result<(), String> {
        let url = trace_url(&conn.base, v, id);
        let (conn, fetch_url) = (conn.clone(), url.clone());
        let source = Source::fetch(move |abort| async move {
            get_body(&conn, &fetch_url, &abort, &|ms, f| self.record(ms, f))
                .await
                .map_err(|f| f.explain(&fetch_url))
        });
        match Load::new(format!("Jaeger trace {id}"), source)
            .open(Open::Nothing)
            .quiet()
            .run(app)
            .await
        {
            Ok(traces) if traces.is_empty() => Err(format!("{url} held no trace")),
            Ok(_) => Ok(()),
            Err(LoadError::Failed(e)) => Err(e),
            Err(LoadError::Cancelled) => Err("cancelled".to_string()),
        }
    }

    fn finish_fetch(self, app: AppState, after: After) {
        let loaded: Vec<Loaded> = self
            .result_ids()
            .iter()
            .filter_map(|id| app.loaded_by_id(id))
            .collect();
        let failed = self.fetching.with_untracked(|f| f.failed.len());
        if loaded.is_empty() {
            app.message(
                Level::Error,
                "None of the search results could be fetched.".into(),
            );
            return;
        }
        match after {
            After::Summarise => {
                app.ticked.set(loaded.iter().map(|l| l.key).collect());
                app.pane.set(Pane::Summary);
            }
            After::Download(format) => {
                let traces: Vec<&crate::model::Trace> =
                    loaded.iter().map(|l| l.trace.as_ref()).collect();
                let stamp = js_sys::Date::now() as i64;
                let (name, text) = match format {
                    ExportFormat::Jaeger => {
                        (format!("traces-{stamp}.json"), to_jaeger_json(&traces))
                    }
                    ExportFormat::Otlp => {
                        (format!("traces-{stamp}.otlp.json"), to_otlp_json(&traces))
                    }
                };
                if let Err(e) = dom::download(&name, "application/json", &text) {
                    app.message(Level::Error, format!("The download could not start: {e}"));
                }
                if failed > 0 {
                    app.message(
                        Level::Warning,
                        format!(
                            "{failed} of the search results could not be fetched and are not in {name}."
                        ),
                    );
                }
            }
        }
    }
}
