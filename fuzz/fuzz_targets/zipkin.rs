//! Fuzz target `zipkin`: its check is `traceglass::fuzzing::zipkin` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| traceglass::fuzzing::zipkin(data));
