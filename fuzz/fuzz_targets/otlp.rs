//! Fuzz target `otlp`: its check is `traceglass::fuzzing::otlp` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| traceglass::fuzzing::otlp(data));
