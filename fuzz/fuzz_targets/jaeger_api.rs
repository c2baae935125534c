//! Fuzz target `jaeger_api`: its check is `traceglass::fuzzing::jaeger_api` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| traceglass::fuzzing::jaeger_api(data));
