//! Runs every fuzz target briefly (CI) and fails on any finding; checks that the
//! invariants' own machinery catches what it should.

use std::time::Duration;

use httplib_fuzz::engine::{Verdict, run_one};
use httplib_fuzz::{Checks, Config, all_targets, find_target, run_target};

/// Each target's share of the CI budget: about 3 s each, debug build.
const PER_TARGET: Duration = Duration::from_secs(3);

#[test]
fn every_target_runs_its_corpus_and_mutations_without_findings() {
    let mut config = Config::in_crate(0x5eed, Checks::default_enforced());
    config.duration = Some(PER_TARGET);
    config.findings_dir = None;
    let mut failures = Vec::new();
    for target in all_targets() {
        let report = run_target(target, &config);
        println!(
            "{}: {} execs ({:.0}/s), {} seeds, {} findings, known {:?}",
            report.target,
            report.executions,
            report.rate(),
            report.seeds,
            report.findings,
            report
                .known
                .iter()
                .map(|(d, n, _)| (*d, *n))
                .collect::<Vec<_>>()
        );
        assert!(
            report.seeds >= 20,
            "{}: the committed corpus is missing",
            report.target
        );
        assert!(
            report.executions > report.seeds as u64,
            "{}: no mutated input ran",
            report.target
        );
        for f in &report.distinct {
            failures.push(format!(
                "{}: {}\ninput {:?}",
                report.target,
                f.message,
                String::from_utf8_lossy(&f.input)
            ));
        }
    }
    assert!(failures.is_empty(), "findings:\n{}", failures.join("\n\n"));
}

#[test]
fn a_run_is_the_same_for_the_same_seed() {
    let target = find_target("multipart").expect("the multipart target");
    let mut config = Config::in_crate(42, Checks::default_enforced());
    config.duration = None;
    config.runs = Some(300);
    config.findings_dir = None;
    let (a, b) = (run_target(target, &config), run_target(target, &config));
    assert_eq!(a.executions, 300);
    assert_eq!((a.kept, a.classes), (b.kept, b.classes));
}

#[test]
fn known_defects_are_reported_and_enforced_ones_fail() {
    // `//evil.test/x` under a base_url leaves its host today (D2): known when D2 is not
    // enforced, a finding when it is; either way, the check sees it or the fix holds.
    let target = find_target("url").expect("the url target");
    let input = b"//evil.test/x";
    let enforced = Checks::parse("D2,D2path").expect("checks");
    match run_one(target, input, &enforced) {
        Verdict::Fail(message) => assert!(message.contains("[D2]"), "{message}"),
        Verdict::Pass(_) => {} // D2 is fixed: the input stays under the base
        Verdict::Known(d, m) => panic!("enforced {d} reported as known: {m}"),
    }
    match run_one(target, input, &Checks::parse("none").expect("checks")) {
        Verdict::Known(d, _) => assert_eq!(d, "D2"),
        Verdict::Pass(_) => {}
        Verdict::Fail(m) => panic!("an unenforced defect failed the run: {m}"),
    }
}

#[test]
fn a_panicking_case_is_caught_as_a_finding() {
    struct Panics;
    impl httplib_fuzz::Target for Panics {
        fn name(&self) -> &'static str {
            "panics"
        }
        fn tokens(&self) -> &'static [&'static [u8]] {
            &[]
        }
        fn run(&self, input: &[u8], _: &Checks) -> httplib_fuzz::Outcome {
            assert!(input.len() < 3, "too long");
            Ok("short".to_owned())
        }
    }
    let checks = Checks::default_enforced();
    assert!(matches!(run_one(&Panics, b"ab", &checks), Verdict::Pass(_)));
    match run_one(&Panics, b"abcd", &checks) {
        Verdict::Fail(message) => assert!(message.contains("too long"), "{message}"),
        _ => panic!("the panic was not caught as a finding"),
    }
}
