//! Share links: every fixture and the demo come back from a link as the
//! spans they were (ids, parents, names, services, times, attributes,
//! events, status); `decode` never panics, whatever the fragment holds; a
//! decompression bomb is refused without being inflated whole.

mod common;

use proptest::prelude::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use traceglass::export::share::{
    decode, encode, fragment, from_fragment, ShareError, MAX_INFLATED, MAX_LINK_CHARS, SHARED_NAME,
};
use traceglass::export::to_otlp_json;
use traceglass::import::import_bytes;
use traceglass::model::{Span, Trace};

/// The system allocator, counting the bytes held and the most held at once.
struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = HELD.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        HELD.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn demo() -> Trace {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/public/demo/flask-slow-view.otlp.json"
    );
    let bytes = std::fs::read(path).unwrap();
    import_bytes("demo", &bytes).unwrap().traces.remove(0)
}

/// A span as the OTLP round trip keeps it; `timed`: whether its times
/// survive (OTLP reads a time of 0 as unset, as tests/export.rs notes).
fn described(t: &Trace, s: &Span, timed: bool) -> String {
    let attrs = |a: &[traceglass::model::Attribute]| {
        a.iter()
            .map(|a| format!("{}={:?}", t.attr_key(a), a.value))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let parent = s.parent.and_then(|p| t.span(p)).map(|p| p.span_id.clone());
    let events: Vec<String> = s
        .events
        .iter()
        .map(|e| format!("{} {} [{}]", e.time_ns, e.name, attrs(&e.attributes)))
        .collect();
    let times = if timed {
        format!("{} +{}", s.start_ns, s.duration_ns)
    } else {
        String::new()
    };
    format!(
        "{} parent {parent:?} {}/{} {times} {:?} {:?} [{}] events {events:?}",
        s.span_id,
        t.service_name(s),
        t.span_name(s),
        s.kind,
        s.status,
        attrs(&s.attributes),
    )
}

/// The spans of `t`, sorted, with times for those whose times were not 0 in `original`.
fn spans(t: &Trace, original: &Trace) -> Vec<String> {
    let untimed: Vec<&str> = original
        .spans
        .iter()
        .filter(|s| s.start_ns == 0 || s.end_ns() == 0)
        .map(|s| &*s.span_id)
        .collect();
    let mut v: Vec<String> = t
        .spans
        .iter()
        .map(|s| described(t, s, !untimed.contains(&&*s.span_id)))
        .collect();
    v.sort();
    v
}

fn through_a_link(name: &str, t: &Trace) -> Option<Trace> {
    let payload = match encode(t) {
        Ok(p) => p,
        Err(e) => {
            assert!(e.chars > MAX_LINK_CHARS, "{name}: {e:?}");
            return None;
        }
    };
    assert!(payload.len() <= MAX_LINK_CHARS, "{name}");
    let hash = format!("#{}", fragment(&payload));
    let back = from_fragment(&hash).unwrap();
    assert_eq!(back, payload);
    let json = decode(back).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(json, to_otlp_json(&[t]).into_bytes(), "{name}");
    let mut traces = import_bytes(SHARED_NAME, &json)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .traces;
    assert_eq!(traces.len(), 1, "{name}");
    Some(traces.remove(0))
}

#[test]
fn the_demo_and_every_fixture_come_back_from_a_link() {
    let t = demo();
    let payload = encode(&t).unwrap();
    eprintln!("demo: a link payload of {} characters", payload.len());
    assert!(payload.len() < 1_200, "{}", payload.len());
    let b = through_a_link("demo", &t).unwrap();
    assert_eq!(b.trace_id, t.trace_id);
    assert_eq!(spans(&b, &t), spans(&t, &t));

    let mut shared = 0;
    for path in common::fixture_files("") {
        let name = path.display().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let Ok(imported) = import_bytes(&name, &bytes) else {
            continue;
        };
        for a in &imported.traces {
            let Some(b) = through_a_link(&name, a) else {
                continue;
            };
            shared += 1;
            assert_eq!(
                b.trace_id.trim_start_matches('0'),
                a.trace_id.trim_start_matches('0')
            );
            assert_eq!(spans(&b, a), spans(a, a), "{name}");
        }
    }
    assert!(shared >= 80, "only {shared} traces went through a link");
}

/// Raw DEFLATE of `megabytes` MB of zeros, made without holding them: one
/// megabyte compressed and flushed to a byte boundary (a block that refers
/// only to itself), repeated, then the final block.
fn zeros_bomb(megabytes: usize) -> Vec<u8> {
    let mut d = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    d.write_all(&vec![0u8; 1 << 20]).unwrap();
    d.flush().unwrap();
    let one = d.get_ref().clone();
    let whole = d.finish().unwrap();
    let mut out = one.repeat(megabytes);
    out.extend_from_slice(&whole[one.len()..]);
    out
}

/// 400 MB of zeros in a 540 KB link is refused, having held no more than
/// a piece of it in memory.
#[test]
fn a_decompression_bomb_is_refused() {
    use base64::Engine;
    let payload = format!(
        "1.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(zeros_bomb(400))
    );
    let before = HELD.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let started = std::time::Instant::now();
    assert_eq!(
        decode(&payload),
        Err(ShareError::TooBig {
            limit: MAX_INFLATED
        })
    );
    let took = started.elapsed();
    let held = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    eprintln!("bomb: refused in {took:?}, at most {} MB held", held >> 20);
    // Other tests run at the same time: allow them some megabytes.
    assert!(held < MAX_INFLATED / 4, "{} MB held", held >> 20);
    assert!(took.as_secs() < 20, "{took:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decode_never_panics_on_any_text(s in "\\PC*") {
        let _ = decode(&s);
        let _ = from_fragment(&s);
    }

    #[test]
    fn decode_never_panics_on_any_data(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        use base64::Engine;
        let payload = format!("1.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes));
        let _ = decode(&payload);
    }

    #[test]
    fn deflated_bytes_come_back(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        use base64::Engine;
        let mut d = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        d.write_all(&bytes).unwrap();
        let data = d.finish().unwrap();
        let payload = format!("1.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data));
        prop_assert_eq!(decode(&payload), Ok(bytes));
    }
}
