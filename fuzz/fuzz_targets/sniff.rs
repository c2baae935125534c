//! Fuzz target `sniff`: its check is `traceglass::fuzzing::sniff` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| traceglass::fuzzing::sniff(data));
