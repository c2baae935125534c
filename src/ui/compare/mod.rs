//! Two traces compared: the rows of the merged tree and their words
//! (`rows`, plain and tested natively) and the view that draws them.

pub mod rows;
#[cfg(target_arch = "wasm32")]
mod view;

#[cfg(target_arch = "wasm32")]
pub use view::CompareView;

#[cfg(target_arch = "wasm32")]
mod follow {
    use crate::ui::state::{AppState, Pane};
    use crate::ui::url;
    use leptos::prelude::*;

    /// Opens the comparison asked for (`AppState::pending_compare`) once
    /// both its traces are loaded, and keeps `compare=a...b` in the URL
    /// while the compare pane is shown (another pane takes it out).
    pub fn follow(app: AppState) {
        Effect::new(move |_| {
            let Some((a, b)) = app.pending_compare.get() else {
                return;
            };
            let keys = app
                .traces
                .with(|_| Some((app.loaded_by_id(&a)?.key, app.loaded_by_id(&b)?.key)));
            if let Some((ka, kb)) = keys {
                app.open_compare(ka, kb);
            }
        });
        Effect::new(move |_| {
            let pane = app.pane.get();
            if pane == Pane::Trace {
                // The trace view takes `compare` out as it writes itself
                // (one history entry, not two).
                return;
            }
            let shown = (pane == Pane::Compare).then(|| app.compare.get()).flatten();
            let ids = shown.and_then(|(ka, kb)| {
                app.traces.with_untracked(|t| {
                    let id = |k: u64| {
                        t.iter()
                            .find(|l| l.key == k)
                            .map(|l| l.trace.trace_id.clone())
                    };
                    Some((id(ka)?, id(kb)?))
                })
            });
            match ids {
                Some((a, b)) => url::write_compare(Some((&a, &b))),
                // Not while a comparison asked for is still loading.
                None if app.pending_compare.with_untracked(Option::is_none) => {
                    url::write_compare(None)
                }
                None => {}
            }
        });
    }

    /// Back or forward to a URL that compares `ids` (or does not).
    pub fn navigate(app: AppState, ids: Option<(String, String)>) {
        match ids {
            Some(pair) => app.pending_compare.set(Some(pair)),
            None => {
                app.pending_compare.set(None);
                if app.pane.get_untracked() == Pane::Compare {
                    app.pane.set(Pane::Trace);
                }
            }
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub use follow::{follow, navigate};
