//! Span detail: every field of the model for the selected span, as text.
//! It is shown beside the timeline or inline, under the selected row; the
//! choice is the user's and is kept in this browser's localStorage.

use super::format::{absolute_time, format_duration, is_web_url};
use super::state::{AppState, Loaded};
use super::view_state::{Tab, ViewState, Views};
use crate::model::{
    normalize_span_id, normalize_trace_id, AttrValue, Attribute, Span, SpanIx, StatusCode, Trace,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// How long "Copied" stays next to a copy button.
const COPIED_FOR: Duration = Duration::from_secs(4);

/// True when a field's key or value contains `needle` (lower-case already);
/// an empty needle keeps everything.
fn field_matches(needle: &str, key: &str, value: &AttrValue) -> bool {
    needle.is_empty()
        || key.to_lowercase().contains(needle)
        || value.to_string().to_lowercase().contains(needle)
}

/// The resource attributes of a span's service.
fn resource_of<'t>(t: &'t Trace, span: &Span) -> &'t [Attribute] {
    t.services
        .get(span.service as usize)
        .map_or(&[], |s| s.resource.as_slice())
}

/// Every field the filter looks at: attributes, resource, event and link
/// attributes.
fn all_fields<'t>(t: &'t Trace, span: &'t Span) -> impl Iterator<Item = &'t Attribute> {
    span.attributes
        .iter()
        .chain(resource_of(t, span))
        .chain(span.events.iter().flat_map(|e| &e.attributes))
        .chain(span.links.iter().flat_map(|l| &l.attributes))
}

fn value_view(v: &AttrValue) -> AnyView {
    let text = v.to_string();
    if let AttrValue::Str(s) = v {
        if is_web_url(s) {
            return view! { <a href=s.clone() target="_blank" rel="noopener noreferrer">{text}</a> }.into_any();
        }
    }
    view! { <span>{text}</span> }.into_any()
}

/// The fields of `attrs` that match `needle`, sorted by key.
fn matching<'t>(
    t: &'t Trace,
    attrs: &'t [Attribute],
    needle: &str,
) -> Vec<(&'t str, &'t AttrValue)> {
    let mut rows: Vec<(&str, &AttrValue)> = attrs
        .iter()
        .map(|a| (t.attr_key(a), &a.value))
        .filter(|(k, v)| field_matches(needle, k, v))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(b.0));
    rows
}

fn attr_table(rows: Vec<(&str, &AttrValue)>) -> AnyView {
    if rows.is_empty() {
        return ().into_any();
    }
    view! {
        <table class="kv">
            <tbody>
                {rows.into_iter().map(|(k, v)| view! {
                    <tr><th>{k.to_string()}</th><td>{value_view(v)}</td><td class="type">{v.type_name()}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// "Attributes (3)", or "Attributes (1 of 3)" while filtering.
fn heading(what: &str, shown: usize, total: usize, filtering: bool) -> String {
    if filtering {
        format!("{what} ({shown} of {total})")
    } else {
        format!("{what} ({total})")
    }
}

/// The attributes, resource and event sections, filtered by `needle`.
fn fields_view(t: &Trace, span: &Span, needle: &str) -> AnyView {
    let filtering = !needle.is_empty();
    let attrs = matching(t, &span.attributes, needle);
    let resource = matching(t, resource_of(t, span), needle);
    let events: Vec<_> = span
        .events
        .iter()
        .map(|e| (e, matching(t, &e.attributes, needle)))
        .filter(|(e, rows)| {
            !filtering || !rows.is_empty() || e.name.to_lowercase().contains(needle)
        })
        .collect();
    view! {
        <section data-testid="detail-attributes">
            <h3>{heading("Attributes", attrs.len(), span.attributes.len(), filtering)}</h3>
            {attr_table(attrs)}
        </section>
        <section data-testid="detail-resource">
            <h3>{heading("Resource", resource.len(), resource_of(t, span).len(), filtering)}</h3>
            {attr_table(resource)}
        </section>
        {(!span.events.is_empty()).then(|| view! {
            <section data-testid="detail-events">
                <h3>{heading("Events", events.len(), span.events.len(), filtering)}</h3>
                <ul class="events">
                    {events.into_iter().map(|(e, rows)| view! {
                        <li>
                            <span class="time">{format!("+{}", format_duration(e.time_ns - span.start_ns))}</span>" "
                            <span class="name">{if e.name.is_empty() { "(unnamed event)".to_string() } else { e.name.clone() }}</span>
                            {attr_table(rows)}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
    .into_any()
}

/// Where a reference or a link points.
enum Target {
    /// A span of the trace on screen.
    Here(SpanIx, String),
    /// A span of another loaded trace, and the span's label.
    Loaded(Loaded, SpanIx, String),
    /// The trace is loaded but has no span with that id.
    NoSuchSpan,
    NotLoaded,
}

fn label(t: &Trace, span: &Span) -> String {
    format!("{}: {}", t.service_name(span), t.span_name(span))
}

fn resolve(app: AppState, t: &Trace, trace_id: &str, span_id: &str) -> Target {
    let tid = normalize_trace_id(trace_id);
    let sid = normalize_span_id(span_id);
    if tid.is_empty() || tid == t.trace_id {
        return match t.find_span(&sid).and_then(|ix| Some((ix, t.span(ix)?))) {
            Some((ix, s)) => Target::Here(ix, label(t, s)),
            None => Target::NoSuchSpan,
        };
    }
    match app.loaded_by_id(&tid) {
        None => Target::NotLoaded,
        Some(l) => match l
            .trace
            .find_span(&sid)
            .and_then(|ix| Some((ix, l.trace.span(ix)?)))
        {
            Some((ix, s)) => {
                let label = label(&l.trace, s);
                Target::Loaded(l, ix, label)
            }
            None => Target::NoSuchSpan,
        },
    }
}

/// One reference or link: a button that opens its span when that span is
/// loaded, else its ids as text and why it cannot be opened.
fn link_item(
    app: AppState,
    state: ViewState,
    t: &Trace,
    what: String,
    trace_id: &str,
    span_id: &str,
    attrs: AnyView,
) -> AnyView {
    let ids = if trace_id.is_empty() || normalize_trace_id(trace_id) == t.trace_id {
        format!("span {span_id} (this trace)")
    } else {
        format!("span {span_id} in trace {trace_id}")
    };
    let target = match resolve(app, t, trace_id, span_id) {
        Target::Here(ix, label) => view! {
            <button class="link open-link" data-testid="open-link" title="Select this span"
                on:click=move |_| {
                    state.tab.set(Tab::Timeline);
                    state.detail_open.set(true);
                    state.select(ix);
                }>{label}</button>
        }
        .into_any(),
        Target::Loaded(other, ix, label) => {
            let views = expect_context::<Views>();
            view! {
                <button class="link open-link" data-testid="open-link" title="Open this span's trace and select the span"
                    on:click=move |_| views.open_span(&other, ix)>{label}</button>
            }
        }
        .into_any(),
        Target::NoSuchSpan => {
            view! { <span class="not-loaded" data-testid="link-missing">"span not in the trace"</span> }
                .into_any()
        }
        Target::NotLoaded => {
            view! { <span class="not-loaded" data-testid="link-not-loaded">"trace not loaded"</span> }
                .into_any()
        }
    };
    view! {
        <li>
            <span class="ref-type">{what}</span>" "{target}" "
            <span class="id">{ids}</span>
            {attrs}
        </li>
    }
    .into_any()
}

/// Which copy button was pressed last, and how it went.
#[derive(Clone, PartialEq)]
struct CopyState {
    which: &'static str,
    result: Result<(), String>,
    seq: u32,
}

/// Writes `text` to the clipboard and reports the outcome in `copied`.
fn copy_text(text: String, which: &'static str, copied: RwSignal<Option<CopyState>>) {
    let seq = copied.with_untracked(|c| c.as_ref().map_or(0, |c| c.seq.wrapping_add(1)));
    spawn_local(async move {
        let result = super::dom::copy_to_clipboard(&text).await;
        copied.try_set(Some(CopyState { which, result, seq }));
        set_timeout(
            move || {
                if copied
                    .try_with_untracked(|c| c.as_ref().is_some_and(|c| c.seq == seq))
                    .unwrap_or(false)
                {
                    copied.try_set(None);
                }
            },
            COPIED_FOR,
        );
    });
}

/// A copy button for the text `text()` gives when pressed, with the place
/// where "Copied" (or why not) is announced.
fn copy_button(
    which: &'static str,
    label: &'static str,
    aria: &'static str,
    text: impl Fn() -> String + 'static,
    copied: RwSignal<Option<CopyState>>,
) -> impl IntoView {
    let testid = format!("copy-{which}");
    let status_id = format!("copy-status-{which}");
    view! {
        <button class="small copy" data-testid=testid aria-label=aria title=aria
            on:click=move |_| copy_text(text(), which, copied)>{label}</button>
        <span class="copy-status" role="status" data-testid=status_id
            class:failed=move || copied.with(|c| c.as_ref().is_some_and(|c| c.which == which && c.result.is_err()))>
            {move || copied.with(|c| match c {
                Some(c) if c.which == which => Some(match &c.result {
                    Ok(()) => "Copied".to_string(),
                    Err(e) => format!("Copy failed: {e}"),
                }),
                _ => None,
            })}
        </span>
    }
}

/// The detail of the selected span, beside the timeline (`inline` false) or
/// under its row (`inline` true). Shown while a span is selected, the
/// detail is open and the mode is the one asked for (the side panel also
/// stands in for the inline one when the timeline is not shown).
#[component]
pub fn SpanDetail(loaded: Loaded, #[prop(optional)] inline: bool) -> impl IntoView {
    let app = expect_context::<AppState>();
    let state = expect_context::<ViewState>();
    let trace = loaded.trace.clone();
    let analysis = loaded.analysis.clone();
    let filter = RwSignal::new(String::new());
    let needle = Memo::new(move |_| filter.with(|f| f.trim().to_lowercase()));
    let copied = RwSignal::new(None::<CopyState>);
    let shown = Memo::new(move |_| {
        let here = if inline {
            app.detail_inline.get()
        } else {
            !app.detail_inline.get() || state.tab.get() != Tab::Timeline
        };
        here && state.detail_open.get() && state.selected.with(Option::is_some)
    });

    move || {
        if !shown.get() {
            return None;
        }
        let (t_head, t_fields, t_links, t_count) =
            (trace.clone(), trace.clone(), trace.clone(), trace.clone());
        let analysis = analysis.clone();
        let head = move || {
            let ix = state.selected.get()?;
            let t = &t_head;
            let span = t.span(ix)?;
            let parent = span.parent.and_then(|p| t.span(p));
            let status = match span.status.code {
                StatusCode::Unset => "unset",
                StatusCode::Ok => "ok",
                StatusCode::Error => "error",
            };
            // Until the trace's analysis lands, these two say so.
            let (self_time, cp) = analysis
                .with(|a| {
                    a.as_ref().map(|a| {
                        let own = a.self_time_ns.get(ix as usize).copied().unwrap_or(0);
                        (
                            format_duration(own),
                            format_duration(a.critical_path.time_of(ix)),
                        )
                    })
                })
                .unwrap_or_else(|| ("analysing…".to_string(), "analysing…".to_string()));
            let (span_id, trace_id) = (span.span_id.to_string(), t.trace_id.clone());
            let (link_span, link_trace) = (span_id.clone(), trace_id.clone());
            // The page's URL as it is when the button is pressed, with this span.
            let link = move || {
                let multi = app.traces.with_untracked(|v| v.len() > 1);
                super::url::span_link(multi.then_some(link_trace.as_str()), &link_span)
                    .unwrap_or_default()
            };
            Some(view! {
                <header>
                    <h2>{t.span_name(span).to_string()}</h2>
                    <span class="detail-actions">
                        <button
                            class="small"
                            data-testid="detail-mode"
                            aria-pressed=move || if app.detail_inline.get() { "true" } else { "false" }
                            title="Show the detail under the span's row in the timeline, or beside the timeline"
                            on:click=move |_| {
                                let inline = !app.detail_inline.get_untracked();
                                super::prefs::set_detail_inline(inline);
                                app.detail_inline.set(inline);
                                if inline {
                                    state.tab.set(Tab::Timeline);
                                    state.scroll_to.set(state.selected.get_untracked());
                                }
                            }
                        >"Inline"</button>
                        <button class="dismiss" data-testid="detail-close" aria-label="Close the detail" on:click=move |_| state.detail_open.set(false)>"×"</button>
                    </span>
                </header>
                <table class="kv span-facts">
                    <tbody>
                        <tr><th>"Service"</th><td>{t.service_name(span).to_string()}</td></tr>
                        <tr><th>"Kind"</th><td>{span.kind.as_str()}</td></tr>
                        <tr><th>"Duration"</th><td>{format_duration(span.duration_ns)}</td></tr>
                        <tr><th>"Start"</th><td>{format!("+{} ({})", format_duration(span.start_ns - t.start_ns), absolute_time(span.start_ns))}</td></tr>
                        <tr><th>"Self time"</th><td>{self_time}</td></tr>
                        <tr><th>"Critical path"</th><td>{cp}</td></tr>
                        <tr><th>"Status"</th><td>{status}{(!span.status.message.is_empty()).then(|| format!(": {}", span.status.message))}</td></tr>
                        <tr><th>"Span ID"</th><td>
                            <span class="id" data-testid="detail-span-id">{span.span_id.to_string()}</span>" "
                            {copy_button("span-id", "Copy", "Copy the span ID", move || span_id.clone(), copied)}" "
                            {copy_button("link", "Copy link", "Copy a link that opens this span", link, copied)}
                        </td></tr>
                        <tr><th>"Parent"</th><td class="id">{parent.map_or("(root)".to_string(), |p| format!("{} ({})", p.span_id, t.span_name(p)))}</td></tr>
                        <tr><th>"Trace ID"</th><td>
                            <span class="id" data-testid="detail-trace-id">{t.trace_id.clone()}</span>" "
                            {copy_button("trace-id", "Copy", "Copy the trace ID", move || trace_id.clone(), copied)}
                        </td></tr>
                        {span.scope.map(|s| view! { <tr><th>"Scope"</th><td>{t.str(s).to_string()}</td></tr> })}
                    </tbody>
                </table>
            })
        };
        let count = move || {
            let ix = state.selected.get()?;
            let span = t_count.span(ix)?;
            needle.with(|n| {
                let total = all_fields(&t_count, span).count();
                let k = all_fields(&t_count, span)
                    .filter(|a| field_matches(n, t_count.attr_key(a), &a.value))
                    .count();
                Some(if n.is_empty() {
                    format!("{total} fields")
                } else {
                    format!("{k} of {total}")
                })
            })
        };
        let fields = move || {
            let ix = state.selected.get()?;
            let span = t_fields.span(ix)?;
            Some(needle.with(|n| fields_view(&t_fields, span, n)))
        };
        let links = move || {
            let ix = state.selected.get()?;
            let t = &t_links;
            let span = t.span(ix)?;
            // A trace loaded later turns its "trace not loaded" into a button.
            app.traces.track();
            let n = needle.get();
            if span.references.is_empty() && span.links.is_empty() && span.warnings.is_empty() {
                return None;
            }
            let refs = span
                .references
                .iter()
                .map(|r| {
                    link_item(
                        app,
                        state,
                        t,
                        r.ref_type.as_str().to_string(),
                        &r.trace_id,
                        &r.span_id,
                        ().into_any(),
                    )
                })
                .collect_view();
            let links = span
                .links
                .iter()
                .map(|l| {
                    let attrs = attr_table(matching(t, &l.attributes, &n));
                    link_item(
                        app,
                        state,
                        t,
                        "link".to_string(),
                        &l.trace_id,
                        &l.span_id,
                        attrs,
                    )
                })
                .collect_view();
            Some(view! {
                {(!span.references.is_empty() || !span.links.is_empty()).then(|| view! {
                    <section data-testid="detail-links">
                        <h3>"References and links"</h3>
                        <ul class="links">{refs}{links}</ul>
                    </section>
                })}
                {(!span.warnings.is_empty()).then(|| view! {
                    <section class="warnings">
                        <h3>"Warnings"</h3>
                        <ul>{span.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}</ul>
                    </section>
                })}
            })
        };
        Some(view! {
            <aside
                class="span-detail"
                class:inline=inline
                data-testid="span-detail"
                data-mode=if inline { "inline" } else { "side" }
                aria-label="Span detail"
            >
                {head}
                <div class="detail-filter">
                    <input
                        type="search"
                        data-testid="detail-filter"
                        placeholder="Filter attributes by key or value"
                        aria-label="Filter attributes, resource and event fields by key or value"
                        prop:value=move || filter.get()
                        on:input=move |ev| filter.set(event_target_value(&ev))
                        on:keydown=move |ev: web_sys::KeyboardEvent| {
                            // Esc empties the filter before it closes the detail.
                            if ev.key() == "Escape" && filter.with_untracked(|f| !f.is_empty()) {
                                ev.stop_propagation();
                                ev.prevent_default();
                                filter.set(String::new());
                            }
                        }
                    />
                    <span class="filter-count" data-testid="detail-filter-count" aria-live="polite">{count}</span>
                </div>
                {fields}
                {links}
            </aside>
        })
    }
}
