//! What the soak prints: a line per checkpoint as it goes, then tables in Markdown (for
//! RELIABILITY.md) and one summary line.

use std::time::Duration;

use crate::tally::Tally;

const KIB_PER_MIB: f64 = 1024.0;

/// The state of the client process at one point of the run.
pub struct Checkpoint {
    /// `start`, `warm-up`, the request count, `idle`, `dropped`.
    pub label: String,
    /// Requests finished so far.
    pub done: u64,
    /// Since the first request.
    pub elapsed: Duration,
    /// Requests per second since the previous checkpoint, when requests ran in between.
    pub rate: Option<f64>,
    pub rss_kib: u64,
    pub fds: u64,
    /// The test server's open fds (diagnostics: a leak there is the server's or a
    /// connection the client failed to close).
    pub server_fds: Option<u64>,
    /// The outcome counts so far (`Tally::compact`).
    pub outcomes: String,
}

impl Checkpoint {
    /// One progress line; `baseline_kib` is the RSS after the warm-up, once known.
    pub fn line(&self, baseline_kib: Option<u64>) -> String {
        let rate = self
            .rate
            .map_or_else(|| "-".to_owned(), |r| format!("{r:.0}"));
        let growth = baseline_kib.map_or_else(String::new, |base| {
            format!(" ({} since warm-up)", signed_mib(self.rss_kib, base))
        });
        let server = self
            .server_fds
            .map_or_else(String::new, |n| format!(" (server {n})"));
        format!(
            "soak: {:>10} {:>9} done {:>8.1} s {:>6} req/s  rss {:.1} MiB{growth}  fds {}{server}  {}",
            format!("[{}]", self.label),
            self.done,
            self.elapsed.as_secs_f64(),
            rate,
            mib(self.rss_kib),
            self.fds,
            self.outcomes,
        )
    }
}

/// The RSS and fd curve as a Markdown table.
pub fn curve_table(points: &[Checkpoint], baseline_kib: u64) -> String {
    let mut out = String::from(
        "| point | requests done | elapsed s | req/s | RSS MiB | RSS since warm-up | open fds |\n\
         |---|---:|---:|---:|---:|---:|---:|\n",
    );
    for p in points {
        let rate = p.rate.map_or_else(|| "-".to_owned(), |r| format!("{r:.0}"));
        out += &format!(
            "| {} | {} | {:.1} | {} | {:.1} | {} | {} |\n",
            p.label,
            p.done,
            p.elapsed.as_secs_f64(),
            rate,
            mib(p.rss_kib),
            signed_mib(p.rss_kib, baseline_kib),
            p.fds
        );
    }
    out
}

/// Outcome counts by class of request, as a Markdown table.
pub fn outcome_table(tally: &Tally) -> String {
    let mut out = String::from(
        "| outcome | normal | server fault | cancelled future | all |\n|---|---:|---:|---:|---:|\n",
    );
    for (label, [normal, fault, cancel]) in tally.rows() {
        let all = normal + fault + cancel;
        out += &format!("| {label} | {normal} | {fault} | {cancel} | {all} |\n");
    }
    out
}

pub fn mib(kib: u64) -> f64 {
    kib as f64 / KIB_PER_MIB
}

/// `+1.2 MiB` or `-0.3 MiB`.
pub fn signed_mib(kib: u64, base_kib: u64) -> String {
    let delta = (kib as f64 - base_kib as f64) / KIB_PER_MIB;
    format!("{delta:+.1} MiB")
}
