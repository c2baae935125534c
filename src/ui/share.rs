//! Sharing the open trace: the values to redact first (none, all, or
//! chosen keys), a link that carries the trace in its fragment (for a
//! trace small enough), downloads as OTLP JSON and Jaeger JSON, and the
//! headline and findings copied as Markdown or JSON. What is shared is
//! written by `export` from the trace as shown, redacted as chosen; nothing
//! is sent anywhere.

use super::dom;
use super::state::Loaded;
use super::view_state::ViewState;
use crate::export::redact::{self, Redaction};
use crate::export::share;
use crate::export::summary::{summary_json, summary_markdown};
use crate::model::Trace;
use leptos::prelude::*;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Above this many spans a trace is not even tried in a link: about 1,000
/// spans fit under [`share::MAX_LINK_CHARS`] (2,000 generated ones do not),
/// and writing a large trace out to find that takes seconds.
const LINK_SPANS_MAX: usize = 5_000;

/// The trace as a link carries it (`share::encode`), or why it cannot be
/// carried, in words.
pub fn link_payload(t: &Trace) -> Result<String, String> {
    if t.spans.len() > LINK_SPANS_MAX {
        return Err(format!(
            "This trace has {} spans: too many to carry in a link. Download the file and share that instead.",
            t.spans.len()
        ));
    }
    share::encode(t).map_err(|e| e.to_string())
}

/// How the values are redacted, as the panel's radio buttons say it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Choice {
    None,
    All,
    Keys,
}

/// The Share button and its panel.
#[component]
pub fn ShareButton(loaded: Loaded) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <span class="share">
            <button class="button small" data-testid="share-button" aria-expanded=move || open.get().to_string()
                title="Share this trace: a link, a file, or the summary (values can be redacted first)"
                on:click=move |_| open.update(|o| *o = !*o)>"Share…"</button>
            <Show when=move || open.get()>
                <SharePanel loaded=loaded.clone() close=move || open.set(false)/>
            </Show>
        </span>
    }
}

#[component]
fn SharePanel(loaded: Loaded, close: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let state = expect_context::<ViewState>();
    let trace = loaded.trace.clone();
    let choice = RwSignal::new(Choice::None);
    let chosen = RwSignal::new(BTreeSet::<String>::new());
    let status = RwSignal::new(String::new());
    let keys = redact::keys(&trace);
    // The trace as it will be shared: redacted once per choice.
    let original = trace.clone();
    let shared = Memo::new(move |_| {
        let how = match choice.get() {
            Choice::None => return SharedTrace(original.clone()),
            Choice::All => Redaction::All,
            Choice::Keys => Redaction::Keys(chosen.get()),
        };
        SharedTrace(Arc::new(redact::redact(&original, &how)))
    });
    let payload = Memo::new(move |_| link_payload(&shared.get().0));
    let link = move || {
        let fragment = share::fragment(&payload.get().ok()?);
        let (origin, path) = crate::ui::url::origin_and_path()?;
        let view = state.params(false);
        let redacted = choice.get() != Choice::None;
        Some(crate::ui::url::share::link(
            &origin, &path, &view, redacted, &fragment,
        ))
    };
    let copy_link = move |_| {
        if let Some(l) = link() {
            copy(l, "Link copied.", status);
        }
    };
    let file_name = move |ext: &str| {
        let t = shared.get_untracked().0;
        let redacted = if choice.get_untracked() == Choice::None {
            ""
        } else {
            ".redacted"
        };
        format!("trace-{}{redacted}.{ext}.json", t.trace_id)
    };
    let download = move |otlp: bool| {
        let t = shared.get_untracked().0;
        let (text, ext) = if otlp {
            (crate::export::to_otlp_json(&[&t]), "otlp")
        } else {
            (crate::export::to_jaeger_json(&[&t]), "jaeger")
        };
        let done = dom::download(&file_name(ext), "application/json", &text)
            .map_or_else(|e| format!("The download failed: {e}"), |_| String::new());
        status.set(done);
    };
    let analysis = StoredValue::new(loaded.analysis.clone());
    let copy_summary = move |markdown: bool| {
        let Some(a) = analysis.with_value(|a| a.get_untracked()) else {
            status.set("The trace is still being analysed.".into());
            return;
        };
        let t = shared.get_untracked().0;
        let text = if markdown {
            summary_markdown(&t, &a)
        } else {
            serde_json::to_string_pretty(&summary_json(&t, &a)).unwrap_or_default()
        };
        copy(text, "Summary copied.", status);
    };
    let analysed = loaded.analysis.clone();
    let radio = move |value: Choice, label: &'static str, testid: &'static str| {
        view! {
            <label>
                <input type="radio" name="redact" value=testid
                    prop:checked=move || choice.get() == value
                    on:change=move |_| choice.set(value)/>
                {label}
            </label>
        }
    };
    view! {
        <div class="share-panel" data-testid="share-panel" role="dialog" aria-label="Share this trace"
            on:keydown=move |ev| if ev.key() == "Escape" { close() }>
            <fieldset class="redact">
                <legend>"Values to redact first"</legend>
                {radio(Choice::None, "none", "none")}
                {radio(Choice::All, "all values", "all")}
                {radio(Choice::Keys, "values of these keys:", "keys")}
                <Show when=move || choice.get() == Choice::Keys>
                    <div class="redact-keys">
                        {keys.iter().map(|(key, count)| {
                            let k = key.clone();
                            let on = key.clone();
                            view! {
                                <label>
                                    <input type="checkbox" data-testid="redact-key" value=key.clone()
                                        prop:checked=move || chosen.with(|c| c.contains(&on))
                                        on:change=move |ev| {
                                            let checked = event_target_checked(&ev);
                                            chosen.update(|c| {
                                                if checked { c.insert(k.clone()); } else { c.remove(&k); }
                                            });
                                        }/>
                                    {format!("{key} ({count})")}
                                </label>
                            }
                        }).collect_view()}
                    </div>
                </Show>
                <p class="note">"Names, services, timings and structure stay, so the analysis reads the same; each value becomes a pseudonym such as redacted-3 (equal values stay equal)."</p>
            </fieldset>
            <div class="share-link">
                {move || match payload.get() {
                    Ok(_) => view! {
                        <input type="text" readonly data-testid="share-link" aria-label="Link to this trace"
                            prop:value=move || link().unwrap_or_default()
                            on:focus=|ev| {
                                if let Some(i) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok()) {
                                    i.select();
                                }
                            }/>
                        <button class="button small" data-testid="copy-link" on:click=copy_link
                            title="The trace travels inside the link (after #), which browsers never send to a server">"Copy link"</button>
                    }.into_any(),
                    Err(why) => view! { <p class="too-large" data-testid="share-too-large">{why}</p> }.into_any(),
                }}
            </div>
            <div class="share-files">
                <button class="button small" data-testid="download-otlp" on:click=move |_| download(true)>"Download OTLP JSON"</button>
                <button class="button small" data-testid="download-jaeger" on:click=move |_| download(false)>"Download Jaeger JSON"</button>
                <button class="button small" data-testid="copy-summary-markdown" disabled=move || analysed.with(Option::is_none)
                    on:click=move |_| copy_summary(true)>"Copy summary (Markdown)"</button>
                <button class="button small" data-testid="copy-summary-json" disabled=move || loaded.analysis.with(Option::is_none)
                    on:click=move |_| copy_summary(false)>"Copy summary (JSON)"</button>
            </div>
            <p class="status" role="status">{move || status.get()}</p>
        </div>
    }
}

/// A trace compared by identity: the memo changes when the choice does.
#[derive(Clone)]
struct SharedTrace(Arc<Trace>);

impl PartialEq for SharedTrace {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

fn copy(text: String, done: &'static str, status: RwSignal<String>) {
    leptos::task::spawn_local(async move {
        let said = match dom::copy_to_clipboard(&text).await {
            Ok(()) => done.to_string(),
            Err(e) => format!("Could not copy: {e}"),
        };
        status.try_set(said);
    });
}
