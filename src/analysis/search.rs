//! In-trace search with Jaeger UI's `uiFind` syntax: terms split on spaces,
//! `"quoted phrases"` as one term, `-key` to leave out key-value pairs whose
//! key contains `key`, and an exact span id. Each term is matched, without
//! case, against the service, the span name, event names, and the key,
//! value and `key=value` of every attribute, event attribute and resource
//! attribute. A span matches when any term does.

use crate::model::{AttrValue, Attribute, SpanIx, Trace};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    /// Lower-cased terms; a span matching any of them matches.
    pub terms: Vec<String>,
    /// Terms as written, for the exact span-id match.
    pub raw_terms: Vec<String>,
    /// Lower-cased keys whose pairs are not searched.
    pub exclude_keys: Vec<String>,
}

impl Query {
    pub fn parse(text: &str) -> Query {
        let mut q = Query::default();
        let mut chars = text.chars().peekable();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                chars.next();
                continue;
            }
            let mut term = String::new();
            if c == '"' {
                chars.next();
                for d in chars.by_ref() {
                    if d == '"' {
                        break;
                    }
                    term.push(d);
                }
                if !term.is_empty() {
                    q.raw_terms.push(term.clone());
                    q.terms.push(term.to_lowercase());
                }
                continue;
            }
            while let Some(&d) = chars.peek() {
                if d.is_whitespace() {
                    break;
                }
                term.push(d);
                chars.next();
            }
            match term.strip_prefix('-') {
                Some(key) if !key.is_empty() => q.exclude_keys.push(key.to_lowercase()),
                _ => {
                    q.raw_terms.push(term.clone());
                    q.terms.push(term.to_lowercase());
                }
            }
        }
        q
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    fn hit(&self, text: &str) -> bool {
        let lower = text.to_lowercase();
        self.terms.iter().any(|t| lower.contains(t.as_str()))
    }

    fn hit_pairs(&self, trace: &Trace, attrs: &[Attribute]) -> bool {
        attrs.iter().any(|a| {
            let key = trace.attr_key(a);
            let lower_key = key.to_lowercase();
            if self
                .exclude_keys
                .iter()
                .any(|x| lower_key.contains(x.as_str()))
            {
                return false;
            }
            let value = a.value.to_string();
            self.hit(key) || self.hit(&value) || self.hit(&format!("{key}={value}"))
        })
    }

    /// Whether a span matches.
    pub fn matches(&self, trace: &Trace, ix: SpanIx) -> bool {
        let Some(s) = trace.span(ix) else {
            return false;
        };
        if self.is_empty() {
            return false;
        }
        if self
            .raw_terms
            .iter()
            .any(|t| t.eq_ignore_ascii_case(&s.span_id))
        {
            return true;
        }
        self.hit(trace.service_name(s))
            || self.hit(trace.span_name(s))
            || self.hit_pairs(trace, &s.attributes)
            || s.events
                .iter()
                .any(|e| self.hit(&e.name) || self.hit_pairs(trace, &e.attributes))
            || trace
                .services
                .get(s.service as usize)
                .is_some_and(|svc| self.hit_pairs(trace, &svc.resource))
    }

    /// Matching spans, in tree order: the same as [`Query::matches`] on
    /// every span, with what repeats across spans worked out once (keys,
    /// services with their resources, span names).
    pub fn find(&self, trace: &Trace) -> Vec<SpanIx> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut m = self.finder(trace);
        trace
            .tree_order
            .iter()
            .copied()
            .filter(|&ix| m.matches(ix))
            .collect()
    }

    /// A matcher for the spans of one trace, for callers that search it a
    /// piece at a time ([`Query::find`] is the whole trace at once).
    pub fn finder<'q>(&'q self, trace: &'q Trace) -> Finder<'q> {
        Finder {
            query: self,
            trace,
            keys: vec![KeyState::Unknown; trace.strings.len()],
            services: vec![None; trace.services.len()],
            operations: vec![None; trace.operations.len()],
            pairs: self.terms.iter().any(|t| t.contains('=')),
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum KeyState {
    Unknown,
    Excluded,
    Hit,
    Searched,
}

/// [`Query::matches`] with memos (keys, services with their resources,
/// span names) kept from one span to the next of the same trace.
pub struct Finder<'q> {
    query: &'q Query,
    trace: &'q Trace,
    keys: Vec<KeyState>,
    services: Vec<Option<bool>>,
    operations: Vec<Option<bool>>,
    /// Some term has `=`: only then can a `key=value` match where neither
    /// the key nor the value does.
    pairs: bool,
}

impl Finder<'_> {
    fn key(&mut self, a: &Attribute) -> KeyState {
        let slot = a.key.0 as usize;
        match self.keys.get(slot) {
            Some(KeyState::Unknown) | None => {}
            Some(&k) => return k,
        }
        let key = self.trace.attr_key(a);
        let lower = key.to_lowercase();
        let state = if self
            .query
            .exclude_keys
            .iter()
            .any(|x| lower.contains(x.as_str()))
        {
            KeyState::Excluded
        } else if self.query.terms.iter().any(|t| lower.contains(t.as_str())) {
            KeyState::Hit
        } else {
            KeyState::Searched
        };
        if let Some(k) = self.keys.get_mut(slot) {
            *k = state;
        }
        state
    }

    fn value_hit(&self, v: &AttrValue) -> bool {
        match v {
            AttrValue::Str(s) => contains_any(self.query, s),
            other => self.query.hit(&other.to_string()),
        }
    }

    fn pairs_hit(&mut self, attrs: &[Attribute]) -> bool {
        attrs.iter().any(|a| match self.key(a) {
            KeyState::Excluded => false,
            KeyState::Hit => true,
            _ => {
                self.value_hit(&a.value)
                    || (self.pairs
                        && self
                            .query
                            .hit(&format!("{}={}", self.trace.attr_key(a), a.value)))
            }
        })
    }

    /// Whether a span matches: the same answer as [`Query::matches`].
    pub fn matches(&mut self, ix: SpanIx) -> bool {
        if self.query.is_empty() {
            return false;
        }
        let trace = self.trace;
        let Some(s) = trace.span(ix) else {
            return false;
        };
        if self
            .query
            .raw_terms
            .iter()
            .any(|t| t.eq_ignore_ascii_case(&s.span_id))
        {
            return true;
        }
        let service = match self.services.get(s.service as usize).copied().flatten() {
            Some(hit) => hit,
            None => {
                let hit = self.query.hit(trace.service_name(s))
                    || trace
                        .services
                        .get(s.service as usize)
                        .is_some_and(|svc| self.pairs_hit(&svc.resource));
                if let Some(slot) = self.services.get_mut(s.service as usize) {
                    *slot = Some(hit);
                }
                hit
            }
        };
        if service {
            return true;
        }
        let name = match self.operations.get(s.operation as usize).copied().flatten() {
            Some(hit) => hit,
            None => {
                let hit = self.query.hit(trace.span_name(s));
                if let Some(slot) = self.operations.get_mut(s.operation as usize) {
                    *slot = Some(hit);
                }
                hit
            }
        };
        name || self.pairs_hit(&s.attributes)
            || s.events
                .iter()
                .any(|e| self.query.hit(&e.name) || self.pairs_hit(&e.attributes))
    }
}

/// Whether `text` contains a term, without case, allocating only for
/// text that is not ASCII.
fn contains_any(query: &Query, text: &str) -> bool {
    if !text.is_ascii() {
        return query.hit(text);
    }
    let hay = text.as_bytes();
    query.terms.iter().any(|t| {
        let needle = t.as_bytes();
        needle.is_empty()
            || hay
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle))
    })
}

/// Spans to keep for "show matches only": the matches and their ancestors.
pub fn with_ancestors(trace: &Trace, matches: &[SpanIx]) -> Vec<bool> {
    let mut keep = vec![false; trace.spans.len()];
    for &m in matches {
        let mut cur = Some(m);
        while let Some(ix) = cur {
            match keep.get_mut(ix as usize) {
                Some(k) if !*k => *k = true,
                _ => break,
            }
            cur = trace.span(ix).and_then(|s| s.parent);
        }
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AttrValue, SpanInput, TraceBuilder};

    fn trace() -> Trace {
        let mut b = TraceBuilder::new("t");
        let api = b.service("api", vec![]);
        let db = b.service("db", vec![]);
        let a1 = b.attribute("http.status_code", AttrValue::Int(500));
        let a2 = b.attribute("db.statement", AttrValue::Str("SELECT * FROM users".into()));
        let a3 = b.attribute("http.url", AttrValue::Str("http://x/users".into()));
        let (get, query) = (b.intern("GET /users"), b.intern("query"));
        b.push(SpanInput {
            span_id: "a1".into(),
            service: api,
            name: get,
            start_ns: Some(0),
            duration_ns: Some(10),
            attributes: vec![a1, a3],
            ..Default::default()
        });
        b.push(SpanInput {
            span_id: "b2".into(),
            parent_span_id: Some("a1".into()),
            service: db,
            name: query,
            start_ns: Some(1),
            duration_ns: Some(5),
            attributes: vec![a2],
            ..Default::default()
        });
        b.build()
    }

    fn ids(t: &Trace, q: &str) -> Vec<String> {
        Query::parse(q)
            .find(t)
            .iter()
            .map(|&i| t.spans[i as usize].span_id.to_string())
            .collect()
    }

    #[test]
    fn terms_and_phrases() {
        let t = trace();
        assert_eq!(ids(&t, "db"), vec!["b2"]);
        assert_eq!(ids(&t, "http.status_code=500"), vec!["a1"]);
        assert_eq!(ids(&t, "\"select * from\""), vec!["b2"]);
        assert_eq!(ids(&t, "nothing-here"), Vec::<String>::new());
        assert_eq!(ids(&t, "GET QUERY"), vec!["a1", "b2"]);
    }

    #[test]
    fn exclusions_and_span_ids() {
        let t = trace();
        assert_eq!(ids(&t, "users"), vec!["a1", "b2"]);
        assert_eq!(ids(&t, "users -url -statement"), vec!["a1"]);
        assert_eq!(ids(&t, "B2"), vec!["b2"]);
        let q = Query::parse("a -b \"c d\"");
        assert_eq!(q.terms, vec!["a", "c d"]);
        assert_eq!(q.exclude_keys, vec!["b"]);
    }

    #[test]
    fn ancestors_are_kept() {
        let t = trace();
        let keep = with_ancestors(&t, &[t.find_span("b2").unwrap()]);
        assert_eq!(keep, vec![true, true]);
    }
}
