//! Fuzz target `url`: its check is `traceglass::fuzzing::url` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| traceglass::fuzzing::url(data));
