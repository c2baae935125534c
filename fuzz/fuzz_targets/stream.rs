//! Fuzz target `stream`: its check is `traceglass::fuzzing::stream` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| traceglass::fuzzing::stream(data));
