//! The side-by-side benchmark (issues 4 and 11). `bench/run.sh` starts nginx and calls
//! `httplib-bench all ...`, which runs every scenario with every client, each measurement in
//! a fresh process, interleaved over several runs, and writes the markdown table.
//!
//! `httplib-bench child SCENARIO CLIENT ...` is one measurement (what `all` spawns).

mod child;
mod clients;
mod sys;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Instant;

use child::{MIB, Metrics, Params};
use clients::Target;

type Args = HashMap<String, String>;

fn parse_args(args: &[String]) -> (Vec<String>, Args) {
    let mut positional = Vec::new();
    let mut named = HashMap::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if let Some(key) = a.strip_prefix("--") {
            named.insert(key.to_owned(), it.next().cloned().unwrap_or_default());
        } else {
            positional.push(a.clone());
        }
    }
    (positional, named)
}

fn arg<'a>(args: &'a Args, key: &str) -> &'a str {
    args.get(key)
        .map(String::as_str)
        .unwrap_or_else(|| die(&format!("missing --{key}")))
}

fn die(msg: &str) -> ! {
    eprintln!("httplib-bench: {msg}");
    std::process::exit(2)
}

fn target(args: &Args) -> Target {
    let ca = arg(args, "ca");
    Target {
        h1: arg(args, "h1").to_owned(),
        tls: arg(args, "tls").to_owned(),
        h2c: arg(args, "h2c").to_owned(),
        ca_pem: std::fs::read(ca).unwrap_or_else(|e| die(&format!("cannot read {ca}: {e}"))),
        h1_origins: list(args, "h1-origins"),
        tls_origins: list(args, "tls-origins"),
    }
}

/// A comma-separated list argument, empty when absent.
fn list(args: &Args, key: &str) -> Vec<String> {
    args.get(key)
        .map(|v| {
            v.split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let (pos, args) = parse_args(&argv);
    match pos.first().map(String::as_str) {
        Some("child") if pos.len() == 3 => {
            let params = Params {
                target: target(&args),
                secs: arg(&args, "secs").parse().unwrap_or(2.0),
            };
            match child::run(&pos[1], &pos[2], &params) {
                Ok(metrics) => {
                    let line: Vec<String> =
                        metrics.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    println!("RESULT {}", line.join(" "));
                }
                Err(e) => {
                    eprintln!("{} {}: {e}", pos[1], pos[2]);
                    std::process::exit(1);
                }
            }
        }
        Some("all") => all(&args),
        _ => die(
            "usage: httplib-bench all --h1 URL --tls URL --h2c URL --ca FILE --out FILE \
             [--runs N] [--secs S] [--only s1,s2,...]  (see bench/run.sh)",
        ),
    }
}

/// The scenarios, their clients, and the limit tool of each.
const PLAN: &[(&str, &[&str])] = &[
    (
        "s1",
        &[
            "httplib",
            "httplib-layered",
            "httplib-blocking",
            "reqwest",
            "ureq",
            "hyper",
        ],
    ),
    ("s2", &["httplib", "httplib-layered", "reqwest", "hyper"]),
    ("s3", &["httplib", "httplib-layered", "reqwest", "hyper"]),
    ("s3c", &["httplib", "reqwest", "hyper"]),
    (
        "s4h1",
        &["httplib", "httplib-blocking", "reqwest", "ureq", "hyper"],
    ),
    ("s4h2", &["httplib", "httplib-blocking", "reqwest", "hyper"]),
    ("s5", &["httplib", "reqwest", "hyper"]),
    (
        "s6",
        &["httplib", "httplib-blocking", "reqwest", "ureq", "hyper"],
    ),
    ("s7h1", &["httplib", "reqwest"]),
    ("s7h2", &["httplib", "reqwest"]),
];

/// Samples per scenario, client and metric.
type Samples = HashMap<(String, String), HashMap<String, Vec<f64>>>;

fn all(args: &Args) {
    let t = target(args);
    let runs: usize = args.get("runs").and_then(|r| r.parse().ok()).unwrap_or(3);
    let secs: f64 = args.get("secs").and_then(|r| r.parse().ok()).unwrap_or(2.0);
    let only: Option<Vec<&str>> = args.get("only").map(|o| o.split(',').collect());
    let out = arg(args, "out").to_owned();
    let me = std::env::current_exe().unwrap_or_else(|e| die(&e.to_string()));
    let started = Instant::now();
    let mut samples: Samples = HashMap::new();
    let plan: Vec<_> = PLAN
        .iter()
        .filter(|(s, _)| only.as_ref().is_none_or(|o| o.contains(s)))
        .collect();

    for run in 1..=runs {
        for (scenario, clients) in &plan {
            for client in clients.iter() {
                eprint!("run {run}/{runs} {scenario} {client:<17}");
                let mut cmd = Command::new(&me);
                cmd.args(["child", scenario, client]);
                for key in ["h1", "tls", "h2c", "ca", "h1-origins", "tls-origins"] {
                    if let Some(value) = args.get(key) {
                        cmd.arg(format!("--{key}")).arg(value);
                    }
                }
                cmd.arg("--secs").arg(secs.to_string());
                match spawn_and_read(cmd) {
                    Ok((0, out, _)) => record(&mut samples, scenario, client, &out),
                    Ok((code, out, _)) => eprint!(" failed ({code}) {out}"),
                    Err(e) => eprint!(" failed: {e}"),
                }
                eprintln!();
            }
            eprint!("run {run}/{runs} {scenario} {:<17}", "limit");
            match limit(scenario, &t, args, secs) {
                Ok(m) => {
                    eprint!(" {m:?}");
                    let entry = samples
                        .entry((scenario.to_string(), "limit".into()))
                        .or_default();
                    for (k, v) in m {
                        entry.entry(k.to_owned()).or_default().push(v);
                    }
                }
                Err(e) => eprint!(" failed: {e}"),
            }
            eprintln!();
        }
    }
    let report = report(&samples, runs, secs, started.elapsed().as_secs_f64(), args);
    std::fs::write(&out, &report).unwrap_or_else(|e| die(&format!("cannot write {out}: {e}")));
    println!("{report}");
    eprintln!("written to {out}");
}

fn spawn_and_read(mut cmd: Command) -> Result<(i32, String, libc::rusage), String> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut out = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = stdout.read_to_string(&mut out);
    }
    let (code, usage) = sys::wait_with_usage(&child);
    Ok((code, out, usage))
}

fn record(samples: &mut Samples, scenario: &str, client: &str, out: &str) {
    let Some(line) = out.lines().rev().find_map(|l| l.strip_prefix("RESULT ")) else {
        eprint!(" no result");
        return;
    };
    eprint!(" {line}");
    let entry = samples
        .entry((scenario.to_owned(), client.to_owned()))
        .or_default();
    for kv in line.split_whitespace() {
        if let Some((k, v)) = kv.split_once('=')
            && let Ok(v) = v.parse::<f64>()
        {
            entry.entry(k.to_owned()).or_default().push(v);
        }
    }
}

/// Runs the load generator or curl that sets the limit of `scenario`.
fn limit(scenario: &str, t: &Target, args: &Args, secs: f64) -> Result<Metrics, String> {
    let ca = arg(args, "ca");
    let whole_secs = format!("{}", secs.ceil().max(1.0) as u64);
    let wrk = |conns: &str, base: &str| {
        let mut c = Command::new("wrk");
        c.args(["-t1", "-c", conns, "-d"])
            .arg(format!("{whole_secs}s"))
            .arg(format!("{base}/small"));
        c
    };
    let h2load = |conns: &str, base: &str| {
        let mut c = Command::new("h2load");
        c.args(["-t1", "-c", conns, "-m100", "-D", &whole_secs])
            .arg(format!("{base}/small"));
        c
    };
    // S7's limit loads one of its origins as hard as the clients load all ten: nginx serves
    // every port from the same worker, so the ports do not change what it can do.
    let first = |origins: &[String]| {
        origins
            .first()
            .cloned()
            .ok_or("no --h1-origins/--tls-origins")
    };
    match scenario {
        "s1" => wrk_metrics(wrk("1", &t.h1)),
        "s2" => wrk_metrics(wrk("64", &t.h1)),
        "s3" => h2load_metrics(h2load("1", &t.tls)),
        "s3c" => h2load_metrics(h2load("1", &t.h2c)),
        "s7h1" => wrk_metrics(wrk("1000", &first(&t.h1_origins)?)),
        "s7h2" => h2load_metrics(h2load("10", &first(&t.tls_origins)?)),
        "s4h1" | "s4h2" => {
            let mut c = Command::new("curl");
            c.args([
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{speed_download} %{size_download}",
            ]);
            if scenario == "s4h1" {
                c.arg("--http1.1").arg(format!("{}/256m", t.h1));
            } else {
                c.args(["--http2", "--cacert", ca])
                    .arg(format!("{}/256m", t.tls));
            }
            let (code, out, usage) = spawn_and_read(c)?;
            let mut it = out.split_whitespace();
            let speed: f64 = it.next().and_then(|v| v.parse().ok()).ok_or("curl speed")?;
            let size: f64 = it.next().and_then(|v| v.parse().ok()).ok_or("curl size")?;
            if code != 0 || size as u64 != child::BIG_LEN {
                return Err(format!("curl exit {code}, {size} bytes"));
            }
            Ok(vec![
                ("mbps", speed / 1e6),
                ("maxrss_mib", usage.ru_maxrss as f64 / 1024.0),
            ])
        }
        "s5" => {
            let mut c = Command::new("h2load");
            c.args(["-t1", "-c1", "-m100", "-n100"])
                .arg(format!("{}/1m", t.tls));
            let (code, out, _) = spawn_and_read(c)?;
            if code != 0 || !out.contains("100 succeeded") {
                return Err(format!("h2load failed: {out}"));
            }
            let finished = out
                .lines()
                .find_map(|l| l.strip_prefix("finished in "))
                .and_then(|l| l.split(',').next())
                .and_then(parse_duration)
                .ok_or("h2load: no 'finished in'")?;
            let times: Vec<f64> = out
                .lines()
                .find_map(|l| l.trim().strip_prefix("time for request:"))
                .map(|l| l.split_whitespace().filter_map(parse_duration).collect())
                .unwrap_or_default();
            let fair = if times.len() >= 3 {
                times[1] / times[2]
            } else {
                f64::NAN
            };
            Ok(vec![
                ("mbps", (100 * MIB) as f64 / finished / 1e6),
                ("fair", fair),
            ])
        }
        "s6" => {
            let mut c = Command::new("curl");
            c.args([
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{time_total}",
                "--cacert",
                ca,
            ])
            .arg(format!("{}/small", t.tls));
            let (code, out, _) = spawn_and_read(c)?;
            let total: f64 = out.trim().parse().map_err(|_| format!("curl: {out}"))?;
            if code != 0 {
                return Err(format!("curl exit {code}"));
            }
            Ok(vec![("ms", total * 1e3)])
        }
        _ => Err(format!("no limit for {scenario}")),
    }
}

/// `12.3ms`, `1.2s`, `456us` in seconds.
fn parse_duration(s: &str) -> Option<f64> {
    let s = s.trim();
    for (unit, scale) in [("ms", 1e-3), ("us", 1e-6), ("s", 1.0)] {
        if let Some(v) = s.strip_suffix(unit) {
            return v.parse::<f64>().ok().map(|v| v * scale);
        }
    }
    None
}

fn wrk_metrics(cmd: Command) -> Result<Metrics, String> {
    let (code, out, usage) = spawn_and_read(cmd)?;
    let rps: f64 = out
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("wrk: {out}"))?;
    let n: f64 = out
        .lines()
        .find_map(|l| l.trim().split_once(" requests in "))
        .and_then(|(n, _)| n.trim().parse().ok())
        .ok_or("wrk: no request count")?;
    if code != 0 || out.contains("Non-2xx") || out.contains("Socket errors") {
        return Err(format!("wrk: {out}"));
    }
    Ok(vec![
        ("rps", rps),
        ("cpu_us", sys::seconds(&usage) * 1e6 / n),
    ])
}

fn h2load_metrics(cmd: Command) -> Result<Metrics, String> {
    let (code, out, usage) = spawn_and_read(cmd)?;
    let rps: f64 = out
        .lines()
        .find_map(|l| l.strip_prefix("finished in "))
        .and_then(|l| l.split(", ").nth(1))
        .and_then(|v| v.trim_end_matches(" req/s").parse().ok())
        .ok_or_else(|| format!("h2load: {out}"))?;
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix("requests: "))
        .ok_or("h2load: no request line")?;
    let n: f64 = line
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .ok_or("h2load: no count")?;
    if code != 0 || !line.contains(" 0 failed") || !line.contains(" 0 errored") {
        return Err(format!("h2load: {line}"));
    }
    Ok(vec![
        ("rps", rps),
        ("cpu_us", sys::seconds(&usage) * 1e6 / n),
    ])
}

// ---------------------------------------------------------------------------------------
// The report

fn median(v: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    })
}

struct Table<'a> {
    samples: &'a Samples,
}

impl Table<'_> {
    fn get(&self, scenario: &str, client: &str, metric: &str) -> Option<f64> {
        self.samples
            .get(&(scenario.to_owned(), client.to_owned()))
            .and_then(|m| m.get(metric))
            .and_then(|v| median(v))
    }

    fn range(&self, scenario: &str, client: &str, metric: &str) -> String {
        let Some(v) = self
            .samples
            .get(&(scenario.to_owned(), client.to_owned()))
            .and_then(|m| m.get(metric))
        else {
            return String::new();
        };
        let min = v.iter().copied().fold(f64::INFINITY, f64::min);
        let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        format!("{}–{}", fmt(min), fmt(max))
    }

    fn ratio(&self, scenario: &str, a: &str, b: &str, metric: &str) -> Option<f64> {
        Some(self.get(scenario, a, metric)? / self.get(scenario, b, metric)?)
    }
}

fn fmt(v: f64) -> String {
    if !v.is_finite() {
        "–".into()
    } else if v >= 1000.0 {
        format!("{v:.0}")
    } else if v >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn opt(v: Option<f64>) -> String {
    v.map(fmt).unwrap_or_else(|| "–".into())
}

fn x(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2}x")).unwrap_or_else(|| "–".into())
}

const TITLES: &[(&str, &str)] = &[
    (
        "s1",
        "S1: sequential small GETs over one keep-alive HTTP/1.1 connection (limit: wrk -c1)",
    ),
    (
        "s2",
        "S2: small GETs at concurrency 64 over an HTTP/1.1 pool (limit: wrk -c64)",
    ),
    (
        "s3",
        "S3: small GETs over one HTTPS HTTP/2 connection, 100 concurrent streams (limit: h2load -c1 -m100)",
    ),
    (
        "s3c",
        "S3c (extra): as S3 over cleartext HTTP/2 (h2c prior knowledge), without TLS",
    ),
    (
        "s4h1",
        "S4: one 256 MiB streamed download over HTTP/1.1 (limit: curl)",
    ),
    (
        "s4h2",
        "S4: one 256 MiB streamed download over HTTPS HTTP/2 (limit: curl --http2)",
    ),
    (
        "s5",
        "S5: 100 concurrent 1 MiB downloads over one HTTPS HTTP/2 connection (limit: h2load -m100 -n100)",
    ),
    (
        "s6",
        "S6: build a Client and make its first HTTPS request (limit: curl's time_total)",
    ),
    (
        "s7h1",
        "S7: 1,000 concurrent small GETs spread over 10 HTTP/1.1 origins (limit: wrk -c1000 on one of them)",
    ),
    (
        "s7h2",
        "S7: 1,000 concurrent small GETs spread over 10 HTTPS HTTP/2 origins (limit: h2load -c10 -m100 on one of them)",
    ),
];

fn clients_of(scenario: &str) -> Vec<&'static str> {
    let mut v: Vec<&str> = PLAN
        .iter()
        .find(|(s, _)| *s == scenario)
        .map(|(_, c)| c.to_vec())
        .unwrap_or_default();
    v.push("limit");
    v
}

fn report(samples: &Samples, runs: usize, secs: f64, took: f64, args: &Args) -> String {
    let t = Table { samples };
    let mut s = String::new();
    let _ = writeln!(s, "# httplib benchmark results\n");
    let _ = writeln!(
        s,
        "Medians of {runs} runs ({secs} s per throughput measurement; each measurement a fresh \
         process; runs interleaved). Ratios are medians divided by medians, measured in this \
         one run. The whole run took {took:.0} s.\n"
    );
    let _ = writeln!(s, "{}", machine(args));
    for (scenario, title) in TITLES {
        if !samples.keys().any(|(sc, _)| sc == scenario) {
            continue;
        }
        let _ = writeln!(s, "### {title}\n");
        match *scenario {
            "s1" | "s2" | "s3" | "s3c" | "s7h1" | "s7h2" => {
                // S7's last column is its fairness; the others' is CPU against reqwest.
                let s7 = scenario.starts_with("s7");
                let last = if s7 {
                    "slowest / median caller"
                } else {
                    "CPU x reqwest"
                };
                let _ = writeln!(
                    s,
                    "| client | req/s | range | x reqwest | x limit | CPU us/req | {last} |"
                );
                let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|");
                for c in clients_of(scenario) {
                    let last = if s7 {
                        opt(t.get(scenario, c, "fair"))
                    } else {
                        x(t.ratio(scenario, c, "reqwest", "cpu_us"))
                    };
                    let _ = writeln!(
                        s,
                        "| {c} | {} | {} | {} | {} | {} | {last} |",
                        opt(t.get(scenario, c, "rps")),
                        t.range(scenario, c, "rps"),
                        x(t.ratio(scenario, c, "reqwest", "rps")),
                        x(t.ratio(scenario, c, "limit", "rps")),
                        opt(t.get(scenario, c, "cpu_us")),
                    );
                }
                if let Some(warning) = bound_check(&t, scenario) {
                    eprintln!("{scenario}: {warning}");
                    let _ = writeln!(s, "\n{warning}");
                }
            }
            "s4h1" | "s4h2" => {
                let _ = writeln!(
                    s,
                    "| client | MB/s | range | x reqwest | x curl | peak RSS growth (MiB) |"
                );
                let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|");
                for c in clients_of(scenario) {
                    let rss = if c == "limit" {
                        format!("{} (curl's max RSS)", opt(t.get(scenario, c, "maxrss_mib")))
                    } else {
                        opt(t.get(scenario, c, "rss_mib"))
                    };
                    let _ = writeln!(
                        s,
                        "| {c} | {} | {} | {} | {} | {rss} |",
                        opt(t.get(scenario, c, "mbps")),
                        t.range(scenario, c, "mbps"),
                        x(t.ratio(scenario, c, "reqwest", "mbps")),
                        x(t.ratio(scenario, c, "limit", "mbps")),
                    );
                }
            }
            "s5" => {
                let _ = writeln!(
                    s,
                    "| client | MB/s | range | x reqwest | x h2load | slowest / median download |"
                );
                let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|");
                for c in clients_of(scenario) {
                    let fair = opt(t.get(scenario, c, "fair"));
                    let fair = if c == "limit" {
                        format!("{fair} (max / mean)")
                    } else {
                        fair
                    };
                    let _ = writeln!(
                        s,
                        "| {c} | {} | {} | {} | {} | {fair} |",
                        opt(t.get(scenario, c, "mbps")),
                        t.range(scenario, c, "mbps"),
                        x(t.ratio(scenario, c, "reqwest", "mbps")),
                        x(t.ratio(scenario, c, "limit", "mbps")),
                    );
                }
            }
            _ => {
                let _ = writeln!(
                    s,
                    "| client | ms (median of 14) | range | x reqwest | x limit | first in process (ms) |"
                );
                let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|");
                for c in clients_of(scenario) {
                    let _ = writeln!(
                        s,
                        "| {c} | {} | {} | {} | {} | {} |",
                        opt(t.get(scenario, c, "ms")),
                        t.range(scenario, c, "ms"),
                        x(t.ratio(scenario, c, "reqwest", "ms")),
                        x(t.ratio(scenario, c, "limit", "ms")),
                        opt(t.get(scenario, c, "first_ms")),
                    );
                }
            }
        }
        let _ = writeln!(s);
    }
    s.push_str(&targets(&t));
    s
}

/// How far above every client the limit tool must get for a throughput run to say
/// anything about the clients: below it, the server or the machine is what bounds them.
const BOUND_MARGIN: f64 = 1.5;

/// A warning for a throughput scenario whose limit tool (wrk, h2load) is not clearly above
/// every client: then nginx, the load generator or the machine (other processes on the
/// cores, a throttled or stolen CPU) sets the pace, and the clients' ratios mean nothing.
/// S1 is exempt: one request at a time is bound by the round trip, for wrk as for the clients.
fn bound_check(t: &Table<'_>, scenario: &str) -> Option<String> {
    if scenario == "s1" {
        return None;
    }
    let limit = t.get(scenario, "limit", "rps")?;
    let (fastest, rps) = clients_of(scenario)
        .into_iter()
        .filter(|c| *c != "limit")
        .filter_map(|c| Some((c, t.get(scenario, c, "rps")?)))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    let margin = limit / rps;
    (margin < BOUND_MARGIN).then(|| {
        format!(
            "**Not bounded by the clients**: the limit tool reached {margin:.2}x the fastest \
             client ({fastest}), under the {BOUND_MARGIN}x this benchmark needs: the server or \
             the machine sets the pace of this run, and its ratios say nothing about the clients."
        )
    })
}

/// The targets of issue 11 (and S5's, kept from issue 4), each measured in this one run.
fn targets(t: &Table<'_>) -> String {
    let mut s =
        String::from("### Targets of issue 11\n\n| target | measured | met |\n|---|---:|:---:|\n");
    let mut row = |name: &str, value: Option<f64>, ok: &dyn Fn(f64) -> bool| {
        let (v, m) = match value {
            Some(v) => (format!("{v:.2}"), if ok(v) { "yes" } else { "**no**" }),
            None => ("–".into(), "–"),
        };
        let _ = writeln!(s, "| {name} | {v} | {m} |");
    };
    let ge = |min: f64| move |v: f64| v >= min;
    let le = |max: f64| move |v: f64| v <= max;
    let lt = |max: f64| move |v: f64| v < max;
    row(
        "S1 httplib / raw hyper >= 0.95",
        t.ratio("s1", "httplib", "hyper", "rps"),
        &ge(0.95),
    );
    row(
        "S1 httplib blocking / ureq >= 1.0",
        t.ratio("s1", "httplib-blocking", "ureq", "rps"),
        &ge(1.0),
    );
    for sc in ["s2", "s3"] {
        let name = sc.to_uppercase();
        row(
            &format!("{name} httplib / raw hyper >= 0.9"),
            t.ratio(sc, "httplib", "hyper", "rps"),
            &ge(0.9),
        );
        row(
            &format!("{name} httplib / reqwest >= 1.5"),
            t.ratio(sc, "httplib", "reqwest", "rps"),
            &ge(1.5),
        );
        row(
            &format!("{name} CPU per request / raw hyper's <= 1.15"),
            t.ratio(sc, "httplib", "hyper", "cpu_us"),
            &le(1.15),
        );
    }
    for (sc, name) in [("s4h1", "HTTP/1.1"), ("s4h2", "HTTP/2")] {
        row(
            &format!("S4 {name} httplib / reqwest >= 1.0"),
            t.ratio(sc, "httplib", "reqwest", "mbps"),
            &ge(1.0),
        );
        row(
            &format!("S4 {name} httplib / curl >= 0.95"),
            t.ratio(sc, "httplib", "limit", "mbps"),
            &ge(0.95),
        );
        row(
            &format!("S4 {name} peak RSS growth (MiB) < 16"),
            t.get(sc, "httplib", "rss_mib"),
            &lt(16.0),
        );
    }
    row(
        "S6 httplib / reqwest <= 0.5",
        t.ratio("s6", "httplib", "reqwest", "ms"),
        &le(0.5),
    );
    for sc in ["s1", "s2", "s3"] {
        row(
            &format!(
                "{} with a no-op middleware and retries / without >= 0.95",
                sc.to_uppercase()
            ),
            t.ratio(sc, "httplib-layered", "httplib", "rps"),
            &ge(0.95),
        );
    }
    for (sc, name) in [("s7h1", "HTTP/1.1"), ("s7h2", "HTTP/2")] {
        row(
            &format!("S7 {name} slowest / median caller < 2"),
            t.get(sc, "httplib", "fair"),
            &lt(2.0),
        );
    }
    row(
        "S5 httplib / reqwest >= 1.3 (issue 4)",
        t.ratio("s5", "httplib", "reqwest", "mbps"),
        &ge(1.3),
    );
    row(
        "S5 slowest / median download <= 2 (issue 4)",
        t.get("s5", "httplib", "fair"),
        &le(2.0),
    );
    s
}

fn machine(args: &Args) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let version = |cmd: &str, arg: &str| -> String {
        Command::new(cmd)
            .arg(arg)
            .output()
            .ok()
            .map(|o| {
                let text = if o.stdout.is_empty() {
                    o.stderr
                } else {
                    o.stdout
                };
                String::from_utf8_lossy(&text)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_owned()
            })
            .unwrap_or_else(|| "not found".into())
    };
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let nproc = std::fs::read_to_string("/proc/cpuinfo")
        .map(|c| c.matches("processor\t:").count())
        .unwrap_or(0);
    let lock = args
        .get("lock")
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default();
    let crate_version = |name: &str| -> String {
        let needle = format!("name = \"{name}\"\nversion = \"");
        lock.find(&needle)
            .map(|i| {
                let rest = &lock[i + needle.len()..];
                rest[..rest.find('"').unwrap_or(0)].to_owned()
            })
            .unwrap_or_else(|| "?".into())
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Machine: {cpu}, {nproc} cores (nginx pinned to core 0, clients and load generators to \
         core 1, where this process sees {cores}), Linux {}.\n",
        kernel.trim()
    );
    let _ = writeln!(
        s,
        "Versions: {}; {}; {}; {}; {}. Crates: httplib {}, reqwest {} (rustls with ring, \
         http2), ureq {}, hyper {}, h2 {}, rustls {}, tokio {}.\n",
        version("rustc", "-V"),
        version("nginx", "-v"),
        version("wrk", "-v"),
        version("h2load", "--version"),
        version("curl", "--version")
            .split(" (")
            .next()
            .unwrap_or(""),
        crate_version("httplib"),
        crate_version("reqwest"),
        crate_version("ureq"),
        crate_version("hyper"),
        crate_version("h2"),
        crate_version("rustls"),
        crate_version("tokio"),
    );
    s
}
