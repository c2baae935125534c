//! `SpanSet` behaves as a `HashSet` of span indices would, whatever is put
//! in and taken out.

use proptest::prelude::*;
use std::collections::BTreeSet;
use traceglass::model::SpanSet;

#[derive(Clone, Debug)]
enum Op {
    Insert(u32),
    Remove(u32),
}

fn op() -> impl Strategy<Value = Op> {
    // Indices around word edges and far apart, as a trace's are.
    let ix = prop_oneof![0u32..200, 60u32..70, 126u32..130, 0u32..100_000];
    prop_oneof![ix.clone().prop_map(Op::Insert), ix.prop_map(Op::Remove)]
}

proptest! {
    #[test]
    fn acts_like_a_set(ops in proptest::collection::vec(op(), 0..300)) {
        let mut set = SpanSet::new();
        let mut model = BTreeSet::new();
        for op in ops {
            match op {
                Op::Insert(ix) => prop_assert_eq!(set.insert(ix), model.insert(ix)),
                Op::Remove(ix) => prop_assert_eq!(set.remove(ix), model.remove(&ix)),
            }
            prop_assert_eq!(set.len(), model.len());
            prop_assert_eq!(set.is_empty(), model.is_empty());
        }
        prop_assert_eq!(set.iter().collect::<Vec<_>>(), model.iter().copied().collect::<Vec<_>>());
        for ix in 0..300 {
            prop_assert_eq!(set.contains(ix), model.contains(&ix));
        }
        // Equal to the same spans put in at once, however long its words.
        prop_assert_eq!(&set, &model.iter().copied().collect::<SpanSet>());
    }
}

#[test]
fn sets_with_the_same_spans_are_equal_whatever_they_held() {
    let mut a = SpanSet::new();
    a.insert(3);
    a.insert(1000);
    a.remove(1000);
    let b: SpanSet = [3].into_iter().collect();
    assert_eq!(a, b);
    assert_eq!(b, a);
    assert_ne!(a, SpanSet::new());
    assert_eq!(SpanSet::new(), SpanSet::default());
    assert!(!a.contains(u32::MAX));
    assert!(!a.clone().remove(u32::MAX));
}

#[test]
fn a_million_spans() {
    let set: SpanSet = (0..1_000_000u32).filter(|i| i % 3 == 0).collect();
    assert_eq!(set.len(), 333_334);
    assert!(set.contains(999_999));
    assert!(!set.contains(999_998));
    assert_eq!(set.iter().nth(2), Some(6));
    assert_eq!(set.iter().last(), Some(999_999));
}
