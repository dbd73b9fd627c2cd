//! The soak itself: start the server, build the one client, run the requests in segments
//! with a checkpoint after each, drop the client, and judge.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use httplib::{Certificate, Client};

use crate::args::Options;
use crate::driver::Driver;
use crate::exchange::Target;
use crate::probe;
use crate::report::{self, Checkpoint};
use crate::server::ServerProcess;
use crate::tally::Tally;
use crate::verdict::{self, Figures};

/// Checkpoints every this many requests (every 10% when the run is smaller than 10 of them).
const CHECKPOINT_EVERY: u64 = 100_000;
/// How long the client's connections may take to close once it is dropped.
const SETTLE_LIMIT: Duration = Duration::from_secs(5);
const SETTLE_POLL: Duration = Duration::from_millis(50);

/// Runs the soak; `Ok(true)` when every check passed.
pub fn run(options: &Options) -> Result<bool, String> {
    let (program, leading_args): (PathBuf, &[&str]) = match &options.server {
        Some(path) => (path.clone(), &[]),
        None => (
            std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?,
            &["--serve"],
        ),
    };
    let server = ServerProcess::start(&program, leading_args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a tokio runtime: {e}"))?;
    let passed = runtime.block_on(soak(options, &server));
    drop(runtime);
    drop(server);
    passed
}

async fn soak(options: &Options, server: &ServerProcess) -> Result<bool, String> {
    let mut curve = Curve::new(server.pid());
    let mut tally = Tally::default();
    let fds_start = curve.mark("start", &tally).fds;

    let ca = Certificate::from_pem(server.ca_pem.as_bytes())
        .map_err(|e| format!("the server's CA: {e}"))?;
    let client = Client::builder()
        .http2(true)
        .add_root_certificate(ca)
        .build()
        .map_err(|e| format!("cannot build the client: {e}"))?;
    let target = Arc::new(Target {
        client,
        http: server.http.clone(),
        https: server.https.clone(),
    });
    curve.restart();
    let driver = Driver {
        target,
        seed: options.seed,
        in_flight: options.in_flight,
        deadline: Instant::now() + Duration::from_secs(options.max_seconds),
    };

    let warmup = warmup_count(options);
    let mut from = 0;
    let mut rss_baseline_kib = 0;
    let mut rss_max_kib = 0;
    for to in boundaries(options.requests, warmup) {
        driver.run(from..to, &mut tally).await;
        let label = if to == warmup {
            "warm-up".to_owned()
        } else {
            to.to_string()
        };
        let rss = curve.mark(&label, &tally).rss_kib;
        if to == warmup {
            rss_baseline_kib = rss;
            curve.baseline_kib = Some(rss);
        }
        rss_max_kib = rss_max_kib.max(rss);
        from = to;
        if tally.done < to {
            println!(
                "soak: the time bound ({} s) was hit after {} requests",
                options.max_seconds, tally.done
            );
            break;
        }
    }
    let fds_idle = curve.mark("end", &tally).fds;

    drop(driver);
    let settle_started = Instant::now();
    while probe::open_fds("self").is_some_and(|fds| fds.abs_diff(fds_start) > options.fd_slack)
        && settle_started.elapsed() < SETTLE_LIMIT
    {
        tokio::time::sleep(SETTLE_POLL).await;
    }
    let fds_dropped = curve.mark("dropped", &tally).fds;

    let figures = Figures {
        requests_asked: options.requests,
        requests_done: tally.done,
        max_seconds: options.max_seconds,
        unexpected: tally.unexpected,
        rss_baseline_kib,
        rss_max_kib,
        rss_limit_mib: options.rss_limit_mib,
        fds_start,
        fds_idle,
        fds_dropped,
        fd_slack: options.fd_slack,
    };
    Ok(print_report(&curve, &tally, &figures))
}

/// Prints the tables, the unexpected outcomes, the checks and the summary line; returns
/// whether every check passed.
fn print_report(curve: &Curve, tally: &Tally, figures: &Figures) -> bool {
    println!("\n## RSS and open fds of the client process\n");
    print!(
        "{}",
        report::curve_table(&curve.points, figures.rss_baseline_kib)
    );
    println!("\n## Outcomes\n");
    print!("{}", report::outcome_table(tally));
    if !tally.samples.is_empty() {
        println!(
            "\n## Unexpected outcomes (the first {})\n",
            tally.samples.len()
        );
        for sample in &tally.samples {
            println!("- {sample}");
        }
    }
    println!("\n## Checks\n");
    let checks = verdict::checks(figures);
    for check in &checks {
        let mark = if check.passed { "pass" } else { "FAIL" };
        println!("- {mark} {}: {}", check.name, check.detail);
    }
    let failed: Vec<&str> = checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.name)
        .collect();
    let elapsed = curve.elapsed_at_end();
    let rate = tally.done as f64 / elapsed.as_secs_f64().max(f64::MIN_POSITIVE);
    let verdict = if failed.is_empty() {
        "PASS".to_owned()
    } else {
        format!("FAIL ({})", failed.join(", "))
    };
    println!(
        "\nsoak: {verdict}: {} requests in {:.1} s ({rate:.0} req/s); RSS {:.1} MiB after warm-up, \
         highest {:.1} MiB ({}, limit {} MiB); fds {} at start, {} idle, {} after drop (slack {}); \
         {} unexpected",
        tally.done,
        elapsed.as_secs_f64(),
        report::mib(figures.rss_baseline_kib),
        report::mib(figures.rss_max_kib),
        report::signed_mib(figures.rss_max_kib, figures.rss_baseline_kib),
        figures.rss_limit_mib,
        figures.fds_start,
        figures.fds_idle,
        figures.fds_dropped,
        figures.fd_slack,
        figures.unexpected,
    );
    failed.is_empty()
}

/// Requests before the RSS baseline: `--warmup-percent` of the run, at least one.
fn warmup_count(options: &Options) -> u64 {
    (options.requests * options.warmup_percent / 100).clamp(1, options.requests)
}

/// The request counts after which to stop and measure: the warm-up, then every
/// `CHECKPOINT_EVERY` (or 10% of a small run), then the end.
fn boundaries(requests: u64, warmup: u64) -> Vec<u64> {
    let every = CHECKPOINT_EVERY.min(requests.div_ceil(10)).max(1);
    let mut points = vec![warmup];
    points.extend(
        (1..)
            .map(|k| k * every)
            .take_while(|&n| n < requests)
            .filter(|&n| n > warmup),
    );
    if warmup < requests {
        points.push(requests);
    }
    points
}

/// The checkpoints so far, and what a new one needs to compute its rate.
struct Curve {
    server_pid: String,
    points: Vec<Checkpoint>,
    started: Instant,
    last: (Instant, u64),
    baseline_kib: Option<u64>,
}

impl Curve {
    fn new(server_pid: u32) -> Curve {
        let now = Instant::now();
        Curve {
            server_pid: server_pid.to_string(),
            points: Vec::new(),
            started: now,
            last: (now, 0),
            baseline_kib: None,
        }
    }

    /// Times start from here (just before the first request).
    fn restart(&mut self) {
        self.started = Instant::now();
        self.last = (self.started, 0);
    }

    /// Measures the process now, prints the line, and keeps the point.
    fn mark(&mut self, label: &str, tally: &Tally) -> &Checkpoint {
        let now = Instant::now();
        let (last_time, last_done) = self.last;
        let ran = tally.done - last_done;
        let rate = (ran > 0).then(|| ran as f64 / now.duration_since(last_time).as_secs_f64());
        self.last = (now, tally.done);
        let point = Checkpoint {
            label: label.to_owned(),
            done: tally.done,
            elapsed: now.duration_since(self.started),
            rate,
            rss_kib: probe::rss_kib().unwrap_or(0),
            fds: probe::open_fds("self").unwrap_or(0),
            server_fds: probe::open_fds(&self.server_pid),
            outcomes: tally.compact(),
        };
        println!("{}", point.line(self.baseline_kib));
        self.points.push(point);
        &self.points[self.points.len() - 1]
    }

    /// The elapsed time of the last point with requests in it.
    fn elapsed_at_end(&self) -> Duration {
        self.points
            .iter()
            .rev()
            .find(|p| p.rate.is_some())
            .map_or(Duration::ZERO, |p| p.elapsed)
    }
}
