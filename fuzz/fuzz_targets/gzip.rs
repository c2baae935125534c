//! Fuzz target `gzip`: its check is `traceglass::fuzzing::gzip` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| traceglass::fuzzing::gzip(data));
