//! The command line.

use std::path::PathBuf;

pub const USAGE: &str = "\
usage: httplib-soak [OPTIONS]

Runs N requests through one httplib Client against the test server (a child process):
HTTP/1.1 and HTTP/2, mixed sizes, 5% server faults, 5% cancelled futures, up to K in
flight. Reports RSS and open fds after a warm-up, along the way and at the end; exits 1
when a check fails (see soak/README.md).

  --requests N          requests to run                              [default: 1000000]
  --max-seconds S       stop issuing requests after S seconds (a failure) [default: 900]
  --in-flight K         requests in flight at once                   [default: 100]
  --seed X              seed of the request mix                      [default: 1]
  --warmup-percent P    requests before the RSS baseline, in %       [default: 2]
  --rss-limit-mib M     fail when RSS grows by M MiB or more after the warm-up [default: 10]
  --fd-slack F          fds after the client is dropped may differ from the start by F
                                                                     [default: 2]
  --server PATH         an httplib-testserver binary to run  [default: this binary, --serve]
  --serve ...           (internal) run as the test server
  -h, --help            print this help";

/// What the command line asks for.
#[derive(Debug, Clone)]
pub struct Options {
    pub requests: u64,
    pub max_seconds: u64,
    pub in_flight: usize,
    pub seed: u64,
    pub warmup_percent: u64,
    pub rss_limit_mib: u64,
    pub fd_slack: u64,
    pub server: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            requests: 1_000_000,
            max_seconds: 900,
            in_flight: 100,
            seed: 1,
            warmup_percent: 2,
            rss_limit_mib: 10,
            fd_slack: 2,
            server: None,
        }
    }
}

/// What to do: soak, or print the help.
pub enum Command {
    Soak(Options),
    Help,
}

/// Parses `--flag value` and `--flag=value` forms.
pub fn parse(args: impl Iterator<Item = String>) -> Result<Command, String> {
    let mut options = Options::default();
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--requests" => options.requests = number(&flag, &value()?)?,
            "--max-seconds" => options.max_seconds = number(&flag, &value()?)?,
            "--in-flight" => options.in_flight = number(&flag, &value()?)? as usize,
            "--seed" => options.seed = number(&flag, &value()?)?,
            "--warmup-percent" => options.warmup_percent = number(&flag, &value()?)?,
            "--rss-limit-mib" => options.rss_limit_mib = number(&flag, &value()?)?,
            "--fd-slack" => options.fd_slack = number(&flag, &value()?)?,
            "--server" => options.server = Some(value()?.into()),
            _ => return Err(format!("unknown argument {flag:?}")),
        }
    }
    if options.requests == 0 || options.in_flight == 0 || options.max_seconds == 0 {
        return Err("--requests, --in-flight and --max-seconds must be at least 1".to_owned());
    }
    if options.warmup_percent >= 100 {
        return Err("--warmup-percent must be below 100".to_owned());
    }
    Ok(Command::Soak(options))
}

fn number(flag: &str, value: &str) -> Result<u64, String> {
    value
        .replace('_', "")
        .parse()
        .map_err(|_| format!("{flag} needs a whole number, not {value:?}"))
}
