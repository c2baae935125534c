//! Fuzz target `jaeger_fast`: its check is `traceglass::fuzzing::jaeger_fast` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| traceglass::fuzzing::jaeger_fast(data));
