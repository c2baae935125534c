//! The traces of a file of several (a Jaeger download, a Collector
//! export), listed the way a search's results are: the scatter plot of
//! duration over start time, the list with Jaeger UI's sort orders, a
//! comparison of two ticked traces, and the summary across them one click
//! away.

use super::jaeger::rows::{self, ResultRow};
use super::result_list::{ResultList, Scatter};
use super::state::{AppState, Pane};
use super::url::embed::EmbedParams;
use leptos::prelude::*;

#[component]
pub fn FileView() -> impl IntoView {
    let app = expect_context::<AppState>();
    // Jaeger UI's default order, most recent first, until another is chosen.
    let sort = Memo::new(move |_| app.file.with(|f| f.as_ref().map_or(0, |f| f.sort)));
    let set_sort = move |order: usize| {
        app.file.update(|f| {
            if let Some(f) = f {
                f.sort = order;
            }
        })
    };
    // (key, row) of each trace of the file still loaded.
    let keys = Memo::new(move |_| app.file.with(|f| f.as_ref().map(|f| f.keys.clone())));
    let listed = Memo::new(move |_| {
        let Some(keys) = keys.get() else {
            return Vec::new();
        };
        app.traces.with(|all| {
            keys.iter()
                .filter_map(|k| all.iter().find(|l| l.key == *k))
                .map(|l| (l.key, ResultRow::of_trace(&l.trace)))
                .collect::<Vec<_>>()
        })
    });
    let rows = Memo::new(move |_| {
        let mut r: Vec<ResultRow> = listed.with(|l| l.iter().map(|(_, r)| r.clone()).collect());
        rows::sort_rows(&mut r, sort.get());
        r
    });
    let key_of = move |id: &str| {
        listed.with_untracked(|l| l.iter().find(|(_, r)| r.trace_id == id).map(|(k, _)| *k))
    };
    let open = Callback::new(move |id: String| {
        if let Some(k) = key_of(&id) {
            app.show(k);
        }
    });
    let to_compare = RwSignal::new(Vec::<String>::new());
    let compare = move |_| {
        let ids = to_compare.get_untracked();
        let mut pair: Vec<(i64, u64)> = ids
            .iter()
            .filter_map(|id| {
                listed.with_untracked(|l| {
                    l.iter()
                        .find(|(_, r)| r.trace_id == *id)
                        .map(|(k, r)| (r.duration_ns, *k))
                })
            })
            .collect();
        pair.sort();
        if let [(_, a), (_, b)] = pair[..] {
            app.open_compare(a, b);
        }
    };
    let summarise = move |_| {
        let keys = listed.with_untracked(|l| l.iter().map(|(k, _)| *k).collect());
        app.ticked.set(keys);
        app.pane.set(Pane::Summary);
    };
    let name = move || {
        app.file
            .with(|f| f.as_ref().map(|f| f.name.clone()).unwrap_or_default())
    };
    view! {
        <div class="results file-results" data-testid="file-results">
            <div class="results-head">
                <span data-testid="file-count">{move || format!("{} traces in {}", listed.with(Vec::len), name())}</span>
                <button class="button" data-testid="file-summary" title="The summary across these traces: percentiles, what the slow ones have in common, findings"
                    disabled=move || listed.with(Vec::is_empty)
                    on:click=summarise>"Summary across these traces"</button>
                <button class="button" data-testid="compare-results"
                    title="Tick two traces to compare them: the shorter is A, the longer B"
                    disabled=move || to_compare.with(|c| c.len() != 2)
                    on:click=compare>
                    {move || format!("Compare ({} of 2 ticked)", to_compare.with(Vec::len))}
                </button>
                <label>"Sort "
                    <select data-testid="results-sort" on:change=move |ev| set_sort(event_target_value(&ev).parse().unwrap_or(0))>
                        {rows::SORTS.iter().enumerate().map(|(i, s)| view! { <option value=i.to_string() selected=move || sort.get() == i>{*s}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            {(!use_context::<EmbedParams>().is_some_and(|e| e.hide_graph)).then(|| view! { <Scatter rows=rows open=open/> })}
            <ResultList rows=rows open=open to_compare=to_compare/>
        </div>
    }
}
