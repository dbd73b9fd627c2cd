//! One measurement in its own process: one scenario, one client. It prints one line,
//! `RESULT key=value ...`, that the orchestrator collects.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::clients::{self, Layers, Proto, Res, Target, Worker};
use crate::sys;

pub const SMALL_LEN: u64 = 13;
pub const MIB: u64 = 1024 * 1024;
pub const BIG_LEN: u64 = 256 * MIB;

/// What a measurement reports.
pub type Metrics = Vec<(&'static str, f64)>;

pub struct Params {
    pub target: Target,
    pub secs: f64,
}

/// Stops a closed loop at a deadline (and at a request cap, so every loop is bounded).
struct Stop {
    deadline: Instant,
    started: AtomicU64,
    failed: AtomicBool,
    max: u64,
}

impl Stop {
    fn new(secs: f64, max: u64) -> Stop {
        Stop {
            deadline: Instant::now() + Duration::from_secs_f64(secs),
            started: AtomicU64::new(0),
            failed: AtomicBool::new(false),
            max,
        }
    }

    fn go(&self) -> bool {
        !self.failed.load(Ordering::Relaxed)
            && Instant::now() < self.deadline
            && self.started.fetch_add(1, Ordering::Relaxed) < self.max
    }
}

const MAX_REQUESTS: u64 = 5_000_000;

/// `BENCH_REQUESTS=N` makes each throughput measurement exactly N requests (after 200 to
/// warm up) instead of a duration: for profiling with callgrind, where counts repeat.
fn fixed_requests() -> Option<u64> {
    std::env::var("BENCH_REQUESTS").ok()?.parse().ok()
}

fn stop_after(secs: f64, warmup: bool) -> Stop {
    match fixed_requests() {
        Some(n) => Stop::new(3600.0, if warmup { 200 } else { n }),
        None if warmup => Stop::new((secs / 5.0).min(0.5), MAX_REQUESTS),
        None => Stop::new(secs, MAX_REQUESTS),
    }
}

/// Runs every worker in its own task, making small GETs until `secs` have passed; gives the
/// workers back with the number of requests each completed.
async fn closed_loop<W: Worker>(workers: Vec<W>, stop: Stop) -> Res<Vec<(W, u64)>> {
    let stop = Arc::new(stop);
    let tasks: Vec<_> = workers
        .into_iter()
        .map(|mut w| {
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut completed = 0;
                while stop.go() {
                    match w.small().await {
                        Ok(SMALL_LEN) => completed += 1,
                        Ok(n) => {
                            stop.failed.store(true, Ordering::Relaxed);
                            return Err(format!("small body of {n} bytes"));
                        }
                        Err(e) => {
                            stop.failed.store(true, Ordering::Relaxed);
                            return Err(e);
                        }
                    }
                }
                Ok((w, completed))
            })
        })
        .collect();
    let mut back = Vec::new();
    for t in tasks {
        back.push(t.await.map_err(|e| e.to_string())??);
    }
    Ok(back)
}

/// Requests per second and client CPU per request over `secs`, after a warm-up; and the
/// fairness among the workers: the slowest worker's time per request over the median
/// worker's (the median worker's request count over the smallest), 1.0 when all kept pace.
async fn throughput<W: Worker>(workers: Vec<W>, secs: f64) -> Res<Metrics> {
    let warmed = closed_loop(workers, stop_after(secs, true)).await?;
    let workers = warmed.into_iter().map(|(w, _)| w).collect();
    let cpu0 = sys::cpu_time();
    let t0 = Instant::now();
    let done = closed_loop(workers, stop_after(secs, false)).await?;
    let elapsed = t0.elapsed().as_secs_f64();
    let cpu = sys::cpu_time() - cpu0;
    let mut counts: Vec<u64> = done.iter().map(|(_, n)| *n).collect();
    counts.sort_unstable();
    let n: u64 = counts.iter().sum();
    let fair = counts[counts.len() / 2] as f64 / counts[0] as f64;
    Ok(vec![
        ("rps", n as f64 / elapsed),
        ("cpu_us", cpu * 1e6 / n as f64),
        ("n", n as f64),
        ("fair", fair),
    ])
}

fn blocking_throughput(secs: f64, mut f: impl FnMut() -> Res<u64>) -> Res<Metrics> {
    let mut once = |stop: &Stop| -> Res<u64> {
        let mut n = 0;
        while stop.go() {
            let len = f()?;
            if len != SMALL_LEN {
                return Err(format!("small body of {len} bytes"));
            }
            n += 1;
        }
        Ok(n)
    };
    once(&stop_after(secs, true))?;
    let cpu0 = sys::cpu_time();
    let t0 = Instant::now();
    let n = once(&stop_after(secs, false))?;
    let elapsed = t0.elapsed().as_secs_f64();
    let cpu = sys::cpu_time() - cpu0;
    Ok(vec![
        ("rps", n as f64 / elapsed),
        ("cpu_us", cpu * 1e6 / n as f64),
        ("n", n as f64),
    ])
}

/// One streamed download of the 256 MiB file: MB/s and the growth of peak RSS.
fn download(f: impl FnOnce() -> Res<u64>) -> Res<Metrics> {
    sys::reset_peak_rss();
    let rss0 = sys::rss_kib("VmRSS:");
    let t0 = Instant::now();
    let n = f()?;
    let elapsed = t0.elapsed().as_secs_f64();
    let peak = sys::rss_kib("VmHWM:");
    if n != BIG_LEN {
        return Err(format!("downloaded {n} bytes, not {BIG_LEN}"));
    }
    Ok(vec![
        ("mbps", n as f64 / elapsed / 1e6),
        ("rss_mib", (peak.saturating_sub(rss0)) as f64 / 1024.0),
    ])
}

const S5_STREAMS: usize = 100;
const S5_BATCHES: usize = 3;

/// Batches of 100 concurrent 1 MiB downloads: MB/s, and the slowest download against the
/// median (fairness), for the median batch.
async fn concurrent_downloads<W: Worker + Clone>(w: W) -> Res<Metrics> {
    let mut w0 = w.clone();
    w0.stream("/1m").await?;
    let mut batches = Vec::new();
    for _ in 0..S5_BATCHES {
        let start = Instant::now();
        let tasks: Vec<_> = (0..S5_STREAMS)
            .map(|_| {
                let mut w = w.clone();
                tokio::spawn(async move {
                    let n = w.stream("/1m").await?;
                    if n != MIB {
                        return Err(format!("downloaded {n} bytes, not 1 MiB"));
                    }
                    Ok::<_, String>(start.elapsed().as_secs_f64())
                })
            })
            .collect();
        let mut times = Vec::new();
        for t in tasks {
            times.push(t.await.map_err(|e| e.to_string())??);
        }
        let wall = start.elapsed().as_secs_f64();
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        let slowest = times[times.len() - 1];
        batches.push((
            (S5_STREAMS as u64 * MIB) as f64 / wall / 1e6,
            slowest / median,
        ));
        clients::settle().await;
    }
    batches.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mbps, fair) = batches[batches.len() / 2];
    Ok(vec![("mbps", mbps), ("fair", fair)])
}

/// S7: requests in flight at once, spread round-robin over the origins.
const S7_CONCURRENCY: usize = 1000;

const S6_ITERATIONS: usize = 15;

/// Builds a client and makes its first HTTPS request, again and again: the median (and
/// the first, which pays the process's one-time set-up) in milliseconds.
fn first_request(mut f: impl FnMut() -> Res<u64>) -> Res<Metrics> {
    let mut times = Vec::new();
    for _ in 0..S6_ITERATIONS {
        let t0 = Instant::now();
        let n = f()?;
        times.push(t0.elapsed().as_secs_f64() * 1e3);
        if n != SMALL_LEN {
            return Err(format!("small body of {n} bytes"));
        }
    }
    let first = times[0];
    let mut rest = times[1..].to_vec();
    rest.sort_by(f64::total_cmp);
    Ok(vec![("ms", rest[rest.len() / 2]), ("first_ms", first)])
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Runs `scenario` with `client` and returns its metrics.
pub fn run(scenario: &str, client: &str, p: &Params) -> Res<Metrics> {
    let t = &p.target;
    let secs = p.secs;
    let rt = runtime();
    let small_proto = match scenario {
        "s1" | "s2" => Proto::H1,
        "s3" => Proto::H2Tls,
        "s3c" => Proto::H2c,
        "s7h2" => Proto::H2Tls,
        _ => Proto::H1,
    };
    let conc = match scenario {
        "s1" => 1,
        "s2" => 64,
        _ => 100,
    };
    match (scenario, client) {
        ("s1" | "s2" | "s3" | "s3c", "httplib" | "httplib-layered") => {
            let layers = if client == "httplib" {
                Layers::from_env()
            } else {
                Layers::Both
            };
            let w = httplib_workers_checked(&rt, t, small_proto, layers)?;
            let w = w.into_iter().cycle().take(conc).collect();
            rt.block_on(throughput(w, secs))
        }
        ("s7h1" | "s7h2", "httplib") => {
            let w = clients::httplib_spread(t, small_proto, S7_CONCURRENCY)?;
            if small_proto != Proto::H1 {
                check_h2(rt.block_on(w[0].version())?)?;
            }
            rt.block_on(throughput(w, secs))
        }
        ("s7h1" | "s7h2", "reqwest") => {
            let w = clients::reqwest_spread(t, small_proto, S7_CONCURRENCY)?;
            if small_proto != Proto::H1 {
                check_h2(rt.block_on(w[0].version())?)?;
            }
            rt.block_on(throughput(w, secs))
        }
        ("s1", "httplib-blocking") => {
            let w = clients::httplib_workers(t, Proto::H1, 1, Layers::from_env())?.remove(0);
            blocking_throughput(secs, || w.small_blocking())
        }
        ("s1" | "s2" | "s3" | "s3c", "reqwest") => {
            let w = clients::reqwest_workers(t, small_proto, conc)?;
            if small_proto != Proto::H1 {
                let v = rt.block_on(w[0].version())?;
                if v != "HTTP/2.0" {
                    return Err(format!("reqwest spoke {v}"));
                }
            }
            rt.block_on(throughput(w, secs))
        }
        ("s1" | "s2" | "s3" | "s3c", "hyper") => rt.block_on(async {
            let w = clients::hyper_workers(t, small_proto, conc).await?;
            throughput(w, secs).await
        }),
        ("s1", "ureq") => {
            let agent = clients::ureq_agent(t)?;
            let url = format!("{}/small", t.h1);
            blocking_throughput(secs, || clients::ureq_small(&agent, &url))
        }
        ("s4h1" | "s4h2", _) => {
            let proto = if scenario == "s4h1" {
                Proto::H1
            } else {
                Proto::H2Tls
            };
            download_with(&rt, t, proto, client)
        }
        ("s5", "httplib") => {
            let w = httplib_workers_checked(&rt, t, Proto::H2Tls, Layers::from_env())?.remove(0);
            rt.block_on(concurrent_downloads(w))
        }
        ("s5", "reqwest") => {
            let w = clients::reqwest_workers(t, Proto::H2Tls, 1)?.remove(0);
            rt.block_on(concurrent_downloads(w))
        }
        ("s5", "hyper") => rt.block_on(async {
            let w = clients::hyper_workers(t, Proto::H2Tls, 1).await?.remove(0);
            concurrent_downloads(HyperShared(w)).await
        }),
        ("s6", "httplib") => first_request(|| rt.block_on(clients::httplib_first(t))),
        ("s6", "httplib-blocking") => first_request(|| clients::httplib_first_blocking(t)),
        ("s6", "reqwest") => first_request(|| rt.block_on(clients::reqwest_first(t))),
        ("s6", "ureq") => first_request(|| clients::ureq_first(t)),
        ("s6", "hyper") => first_request(|| rt.block_on(clients::hyper_first(t))),
        _ => Err(format!("no scenario {scenario} for client {client}")),
    }
}

/// httplib's workers, after checking that HTTP/2 scenarios really speak HTTP/2 (on `rt`,
/// where the measurement runs, so that the connection is opened there).
fn httplib_workers_checked(
    rt: &tokio::runtime::Runtime,
    t: &Target,
    proto: Proto,
    layers: Layers,
) -> Res<Vec<clients::Httplib>> {
    let w = clients::httplib_workers(t, proto, 1, layers)?;
    if proto != Proto::H1 {
        check_h2(rt.block_on(w[0].version())?)?;
    }
    Ok(w)
}

/// An HTTP/2 scenario's check of the version a client reported (httplib says `HTTP/2`,
/// reqwest `HTTP/2.0`).
fn check_h2(version: String) -> Res<()> {
    match version.as_str() {
        "HTTP/2" | "HTTP/2.0" => Ok(()),
        _ => Err(format!("spoke {version}, not HTTP/2")),
    }
}

fn download_with(
    rt: &tokio::runtime::Runtime,
    t: &Target,
    proto: Proto,
    client: &str,
) -> Res<Metrics> {
    match client {
        "httplib" => {
            let mut w = httplib_workers_checked(rt, t, proto, Layers::from_env())?.remove(0);
            rt.block_on(w.small())?;
            download(|| rt.block_on(w.stream("/256m")))
        }
        "httplib-blocking" => {
            let w = clients::httplib_workers(t, proto, 1, Layers::from_env())?.remove(0);
            if proto != Proto::H1 {
                check_h2(w.version_blocking()?)?;
            }
            w.small_blocking()?;
            download(|| w.stream_blocking("/256m"))
        }
        "reqwest" => {
            let mut w = clients::reqwest_workers(t, proto, 1)?.remove(0);
            rt.block_on(w.small())?;
            download(|| rt.block_on(w.stream("/256m")))
        }
        "ureq" if proto == Proto::H1 => {
            let agent = clients::ureq_agent(t)?;
            clients::ureq_small(&agent, &format!("{}/small", t.h1))?;
            download(|| clients::ureq_stream(&agent, &format!("{}/256m", t.h1)))
        }
        "hyper" => {
            let mut w = rt.block_on(clients::hyper_workers(t, proto, 1))?.remove(0);
            rt.block_on(w.small())?;
            download(|| rt.block_on(w.stream("/256m")))
        }
        _ => Err(format!("no download for client {client} over {proto:?}")),
    }
}

/// Raw hyper's HTTP/2 connection shared by the 100 downloads of S5 (each clones the sender).
struct HyperShared(clients::Hyper);

impl Clone for HyperShared {
    fn clone(&self) -> Self {
        HyperShared(self.0.clone_h2())
    }
}

impl Worker for HyperShared {
    async fn small(&mut self) -> Res<u64> {
        self.0.small().await
    }

    async fn stream(&mut self, path: &'static str) -> Res<u64> {
        self.0.stream(path).await
    }
}
