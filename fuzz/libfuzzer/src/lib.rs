//! What every libFuzzer target here does with one input: run the stable harness's target
//! (`httplib_fuzz::Target::run`, the same invariants) and panic on a finding, so libFuzzer
//! records the input as a crash. A panic inside httplib propagates as it is; a stack
//! overflow kills the process, and libFuzzer reports it as a deadly signal with the input.

use std::sync::OnceLock;

use httplib_fuzz::{Checks, Target, Violation, find_target};
use libfuzzer_sys::Corpus;

/// Runs `input` through the harness target called `name`.
///
/// Inputs longer than the target's `max_len()` are rejected (not run, not kept), so this
/// layer explores the same input space as the stable harness under one `-max_len`.
pub fn fuzz(name: &str, input: &[u8]) -> Corpus {
    let target = target(name);
    if input.len() > target.max_len() {
        return Corpus::Reject;
    }
    match target.run(input, checks()) {
        Ok(_class) => Corpus::Keep,
        Err(violation) => judge(name, input, violation),
    }
}

/// The harness target `name`; only the fuzz targets' own constants are passed here.
fn target(name: &str) -> &'static dyn Target {
    find_target(name).unwrap_or_else(|| panic!("httplib-fuzz has no target {name:?}"))
}

/// The enforced checks: `Checks::default_enforced()`, or `HTTPLIB_FUZZ_STRICT` when set (as
/// in the stable harness), read once per process.
fn checks() -> &'static Checks {
    static CHECKS: OnceLock<Checks> = OnceLock::new();
    CHECKS.get_or_init(|| Checks::from_env().unwrap_or_else(|e| panic!("HTTPLIB_FUZZ_STRICT: {e}")))
}

/// A violation of an enforced invariant is a finding (a panic); one of a known defect whose
/// check is off is only kept, like the stable harness counts it without failing.
fn judge(name: &str, input: &[u8], violation: Violation) -> Corpus {
    match violation.defect {
        Some(defect) if !checks().enforces(defect) => Corpus::Keep,
        defect => {
            let tag = defect
                .map(|d| format!("[{}] ", d.name()))
                .unwrap_or_default();
            panic!(
                "httplib-fuzz {name}: invariant broken: {tag}{}\ninput ({} bytes): {:?}",
                violation.message,
                input.len(),
                String::from_utf8_lossy(input)
            );
        }
    }
}
