//! Fuzz target `duration_logfmt`: its check is `traceglass::fuzzing::duration_logfmt` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| traceglass::fuzzing::duration_logfmt(data));
