//! Fuzz target `search`: its check is `traceglass::fuzzing::search` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| traceglass::fuzzing::search(data));
