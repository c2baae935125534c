//! Span detail: every field of the model for the selected span, as text.

use super::format::{absolute_time, format_duration, is_web_url};
use super::state::{AppState, Loaded};
use crate::model::{AttrValue, Attribute, StatusCode, Trace};
use leptos::prelude::*;

fn value_view(v: &AttrValue) -> AnyView {
    let text = v.to_string();
    if let AttrValue::Str(s) = v {
        if is_web_url(s) {
            return view! { <a href=s.clone() target="_blank" rel="noopener noreferrer">{text}</a> }.into_any();
        }
    }
    view! { <span>{text}</span> }.into_any()
}

fn attr_rows(trace: &Trace, attrs: &[Attribute]) -> AnyView {
    let mut rows: Vec<(&str, &AttrValue)> = attrs
        .iter()
        .map(|a| (trace.attr_key(a), &a.value))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(b.0));
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

#[component]
pub fn SpanDetail(loaded: Loaded) -> impl IntoView {
    let state = expect_context::<AppState>();
    let trace = loaded.trace.clone();
    let analysis = loaded.analysis.clone();
    move || {
        let ix = state.selected_span.get()?;
        if !state.detail_open.get() {
            return None;
        }
        let t = &trace;
        let span = t.span(ix)?;
        let service = t.services.get(span.service as usize);
        let parent = span.parent.and_then(|p| t.span(p));
        let status = match span.status.code {
            StatusCode::Unset => "unset",
            StatusCode::Ok => "ok",
            StatusCode::Error => "error",
        };
        let cp = analysis.critical_path.time_of(ix);
        let self_time = analysis.self_time_ns.get(ix as usize).copied().unwrap_or(0);
        Some(view! {
            <aside class="span-detail" data-testid="span-detail" aria-label="Span detail">
                <header>
                    <h2>{t.span_name(span).to_string()}</h2>
                    <button class="dismiss" aria-label="Close" on:click=move |_| state.detail_open.set(false)>"×"</button>
                </header>
                <table class="kv facts">
                    <tbody>
                        <tr><th>"Service"</th><td>{t.service_name(span).to_string()}</td></tr>
                        <tr><th>"Kind"</th><td>{span.kind.as_str()}</td></tr>
                        <tr><th>"Duration"</th><td>{format_duration(span.duration_ns)}</td></tr>
                        <tr><th>"Start"</th><td>{format!("+{} ({})", format_duration(span.start_ns - t.start_ns), absolute_time(span.start_ns))}</td></tr>
                        <tr><th>"Self time"</th><td>{format_duration(self_time)}</td></tr>
                        <tr><th>"Critical path"</th><td>{format_duration(cp)}</td></tr>
                        <tr><th>"Status"</th><td>{status}{(!span.status.message.is_empty()).then(|| format!(": {}", span.status.message))}</td></tr>
                        <tr><th>"Span ID"</th><td class="id">{span.span_id.to_string()}</td></tr>
                        <tr><th>"Parent"</th><td class="id">{parent.map_or("(root)".to_string(), |p| format!("{} ({})", p.span_id, t.span_name(p)))}</td></tr>
                        <tr><th>"Trace ID"</th><td class="id">{t.trace_id.clone()}</td></tr>
                        {span.scope.map(|s| view! { <tr><th>"Scope"</th><td>{t.str(s).to_string()}</td></tr> })}
                    </tbody>
                </table>
                <section>
                    <h3>{format!("Attributes ({})", span.attributes.len())}</h3>
                    {attr_rows(t, &span.attributes)}
                </section>
                <section>
                    <h3>"Resource"</h3>
                    {service.map(|s| attr_rows(t, &s.resource))}
                </section>
                {(!span.events.is_empty()).then(|| view! {
                    <section>
                        <h3>{format!("Events ({})", span.events.len())}</h3>
                        <ul class="events">
                            {span.events.iter().map(|e| view! {
                                <li>
                                    <span class="time">{format!("+{}", format_duration(e.time_ns - span.start_ns))}</span>" "
                                    <span class="name">{if e.name.is_empty() { "(unnamed event)".to_string() } else { e.name.clone() }}</span>
                                    {attr_rows(t, &e.attributes)}
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                })}
                {(!span.references.is_empty() || !span.links.is_empty()).then(|| view! {
                    <section>
                        <h3>"References and links"</h3>
                        <ul>
                            {span.references.iter().map(|r| view! {
                                <li>{format!("{} span {} in trace {}", r.ref_type.as_str(), r.span_id, if r.trace_id.is_empty() || r.trace_id == t.trace_id { "(this trace)".to_string() } else { r.trace_id.clone() })}</li>
                            }).collect_view()}
                            {span.links.iter().map(|l| view! {
                                <li>{format!("link to span {} in trace {}", l.span_id, if l.trace_id == t.trace_id { "(this trace)".to_string() } else { l.trace_id.clone() })}{attr_rows(t, &l.attributes)}</li>
                            }).collect_view()}
                        </ul>
                    </section>
                })}
                {(!span.warnings.is_empty()).then(|| view! {
                    <section class="warnings">
                        <h3>"Warnings"</h3>
                        <ul>{span.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}</ul>
                    </section>
                })}
            </aside>
        })
    }
}
