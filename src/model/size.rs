//! What a trace holds in memory, counted from its parts: the cost of a
//! second version of it (`ui::skew`), and the breakdown behind the memory
//! figures of issue #18. The allocator's own overhead is not included.

use super::{AttrValue, Attribute, Event, Link, Reference, Span, Trace};
use std::mem::size_of;

fn list<T>(v: &Vec<T>) -> usize {
    v.capacity() * size_of::<T>()
}

fn value(v: &AttrValue) -> usize {
    match v {
        AttrValue::Str(s) => s.capacity(),
        AttrValue::Bytes(b) => b.capacity(),
        AttrValue::Array(items) => list(items) + items.iter().map(value).sum::<usize>(),
        AttrValue::KvList(items) => {
            list(items)
                + items
                    .iter()
                    .map(|(k, v)| k.capacity() + value(v))
                    .sum::<usize>()
        }
        AttrValue::Bool(_) | AttrValue::Int(_) | AttrValue::Double(_) | AttrValue::Empty => 0,
    }
}

fn attributes(a: &Vec<Attribute>) -> usize {
    list(a) + a.iter().map(|a| value(&a.value)).sum::<usize>()
}

/// The bytes a span's own lists and strings hold, the span apart.
pub fn span_heap(s: &Span) -> usize {
    let references = list(&s.references)
        + s.references
            .iter()
            .map(|r: &Reference| r.trace_id.capacity() + r.span_id.capacity())
            .sum::<usize>();
    let events = list(&s.events)
        + s.events
            .iter()
            .map(|e: &Event| e.name.capacity() + attributes(&e.attributes))
            .sum::<usize>();
    let links = list(&s.links)
        + s.links
            .iter()
            .map(|l: &Link| {
                l.trace_id.capacity() + l.span_id.capacity() + attributes(&l.attributes)
            })
            .sum::<usize>();
    let warnings = list(&s.warnings) + s.warnings.iter().map(String::capacity).sum::<usize>();
    s.span_id.len()
        + references
        + attributes(&s.attributes)
        + events
        + links
        + warnings
        + s.status.message.capacity()
}

/// Where a trace's bytes are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Size {
    /// The span records themselves.
    pub spans: usize,
    /// Span ids, attributes with their values, events, links, references,
    /// warnings and status messages.
    pub span_data: usize,
    /// The tree's indices (children, tree order, positions, descendants,
    /// roots).
    pub tree: usize,
    /// Interned strings, services, operations and the trace's warnings.
    pub tables: usize,
}

impl Size {
    pub fn total(&self) -> usize {
        self.spans + self.span_data + self.tree + self.tables
    }
}

impl Trace {
    /// The bytes this trace holds, by part.
    pub fn size(&self) -> Size {
        let strings: usize = (0..self.strings.len())
            .map(|i| 2 * self.strings.get(super::Sym(i as u32)).len() + 32)
            .sum();
        let services: usize = list(&self.services)
            + self
                .services
                .iter()
                .map(|s| attributes(&s.resource))
                .sum::<usize>();
        let warnings = list(&self.warnings)
            + self
                .warnings
                .iter()
                .map(|w| w.message.capacity())
                .sum::<usize>();
        Size {
            spans: list(&self.spans),
            span_data: self.spans.iter().map(span_heap).sum(),
            tree: list(&self.child_start)
                + list(&self.child_list)
                + list(&self.tree_order)
                + list(&self.tree_pos)
                + list(&self.descendants)
                + list(&self.roots),
            tables: strings
                + services
                + list(&self.operations)
                + warnings
                + self.trace_id.capacity(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::sample::trace;

    /// Every part is counted, and a bigger trace holds more.
    #[test]
    fn a_trace_counts_its_parts() {
        let small = trace(&[("r", None, "web", 0, 10)]);
        let big = trace(&[
            ("r", None, "web", 0, 100),
            ("a", Some("r"), "web", 10, 10),
            ("b", Some("r"), "db", 20, 30),
        ]);
        let (s, b) = (small.size(), big.size());
        assert!(
            s.spans > 0 && s.span_data > 0 && s.tree > 0 && s.tables > 0,
            "{s:?}"
        );
        assert!(
            b.spans > s.spans && b.span_data > s.span_data && b.tree > s.tree,
            "{b:?}"
        );
        assert_eq!(b.total(), b.spans + b.span_data + b.tree + b.tables);
    }
}
