//! libFuzzer target `charset`: httplib-fuzz's `charset` target and its invariants, coverage-guided.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: &[u8]| -> libfuzzer_sys::Corpus {
    httplib_libfuzzer::fuzz("charset", input)
});
