//! Fuzz target `ndjson`: its check is `traceglass::fuzzing::ndjson` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| traceglass::fuzzing::ndjson(data));
