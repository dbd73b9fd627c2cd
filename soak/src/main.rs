//! `httplib-soak`: a million requests through one httplib client against the test server,
//! with faults and cancellations, watching the client's RSS and open fds (issue 8). See
//! soak/README.md for what it runs, its checks and how to read its output.

mod args;
mod cancel;
mod driver;
mod exchange;
mod outcome;
mod plan;
mod probe;
mod report;
mod rng;
mod serve;
mod server;
mod soak;
mod tally;
mod verdict;

use std::process::ExitCode;

/// Exit status when a check fails; 2 is a usage or setup error.
const CHECK_FAILED: u8 = 1;
const SETUP_FAILED: u8 = 2;

fn main() -> ExitCode {
    let args: Vec<String> = match std::env::args_os()
        .skip(1)
        .map(|a| a.into_string())
        .collect()
    {
        Ok(args) => args,
        Err(arg) => return fail(&format!("argument {arg:?} is not UTF-8")),
    };
    let mut args = args.into_iter().peekable();
    if args.peek().is_some_and(|a| a == "--serve") {
        args.next();
        return match serve::serve(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => fail(&message),
        };
    }
    let options = match args::parse(args) {
        Ok(args::Command::Soak(options)) => options,
        Ok(args::Command::Help) => {
            println!("{}", args::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(message) => return fail(&format!("{message}\n\n{}", args::USAGE)),
    };
    match soak::run(&options) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(CHECK_FAILED),
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("httplib-soak: {message}");
    ExitCode::from(SETUP_FAILED)
}
