//! Fuzz target `jaeger`: its check is `traceglass::fuzzing::jaeger` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| traceglass::fuzzing::jaeger(data));
