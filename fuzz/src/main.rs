//! `httplib-fuzz <target|all|list> [--seconds N] [--runs N] [--seed S] [--strict D2,D8]
//! [--trace] [--no-save] [--input FILE]`: runs the fuzz targets and reports executions and
//! findings; exits 1 when there is a finding. See README.md.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use httplib_fuzz::engine::{Verdict, run_one};
use httplib_fuzz::{Checks, Config, Target, all_targets, find_target, run_target};

const USAGE: &str = "usage: httplib-fuzz <target|all|list> [--seconds N (each target; default 10)] \
[--runs N] [--seed S] [--strict D1,D2,D2path,D8,D10,D14,digest-sess|all|none] [--trace] [--no-save] [--input FILE]";

struct Args {
    which: String,
    config: Config,
    input: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let which = args.next().ok_or(USAGE)?;
    let mut config = Config::in_crate(0x5eed, Checks::from_env()?);
    let mut input = None;
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--seconds" => {
                let s: f64 = value()?.parse().map_err(|e| format!("--seconds: {e}"))?;
                config.duration = Some(Duration::from_secs_f64(s));
            }
            "--runs" => {
                config.runs = Some(value()?.parse().map_err(|e| format!("--runs: {e}"))?);
                config.duration = None;
            }
            "--seed" => config.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--strict" => config.checks = Checks::parse(&value()?)?,
            "--trace" => config.trace = true,
            "--no-save" => config.findings_dir = None,
            "--input" => input = Some(PathBuf::from(value()?)),
            _ => return Err(format!("unknown flag {flag}\n{USAGE}")),
        }
    }
    Ok(Args {
        which,
        config,
        input,
    })
}

/// Runs one saved input and says what it does (panics print their message as usual).
fn reproduce(target: &dyn Target, path: &PathBuf, checks: &Checks) -> ExitCode {
    let input = match std::fs::read(path) {
        Ok(input) => input,
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    match run_one(target, &input, checks) {
        Verdict::Pass(class) => {
            println!("pass ({class})");
            ExitCode::SUCCESS
        }
        Verdict::Known(defect, message) => {
            println!("known defect {defect} (not enforced):\n{message}");
            ExitCode::SUCCESS
        }
        Verdict::Fail(message) => {
            println!("FINDING:\n{message}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let targets: Vec<&dyn Target> = match args.which.as_str() {
        "list" => {
            all_targets().iter().for_each(|t| println!("{}", t.name()));
            return ExitCode::SUCCESS;
        }
        "all" => all_targets(),
        name => match find_target(name) {
            Some(t) => vec![t],
            None => {
                eprintln!("no target {name:?}; `httplib-fuzz list` names them");
                return ExitCode::from(2);
            }
        },
    };
    if let Some(path) = &args.input {
        let [target] = targets[..] else {
            eprintln!("--input needs one target");
            return ExitCode::from(2);
        };
        return reproduce(target, path, &args.config.checks);
    }
    println!(
        "seed {}  enforced defects: {:?}",
        args.config.seed,
        args.config.checks.names()
    );
    let mut failed = false;
    for target in targets {
        let report = run_target(target, &args.config);
        println!(
            "{:<10} {:>9} execs {:>9.0}/s  {:>5.1} s  seeds {:>3}  kept {:>4}  classes {:>4}  findings {} ({} distinct)",
            report.target,
            report.executions,
            report.rate(),
            report.elapsed.as_secs_f64(),
            report.seeds,
            report.kept,
            report.classes,
            report.findings,
            report.distinct.len()
        );
        for (defect, count, example) in &report.known {
            let first = example.message.lines().next().unwrap_or_default();
            let at = example
                .path
                .as_ref()
                .map(|p| format!(" ({})", p.display()))
                .unwrap_or_default();
            println!("    known {defect}: {count} inputs, e.g. {first}{at}");
        }
        for finding in &report.distinct {
            let at = finding
                .path
                .as_ref()
                .map(|p| format!(" -> {}", p.display()))
                .unwrap_or_default();
            println!(
                "    FINDING{at}\n      {}",
                finding.message.replace('\n', "\n      ")
            );
        }
        failed |= report.findings > 0;
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
