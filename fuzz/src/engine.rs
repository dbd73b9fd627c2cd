//! The loop: run the corpus once as it is, then mutated inputs, until the time or the count
//! is up; catch panics, sort violations into findings and known defects, save findings.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::{Duration, Instant};

use crate::checks::Checks;
use crate::mutator::mutate;
use crate::rng::{Rng, fnv64};
use crate::targets::{Target, Violation};

/// Inputs kept in memory beyond the seeds, for their novelty (a new outcome class).
const MAX_KEPT: usize = 2048;
/// Finding files written per target and run (one per distinct message class).
const MAX_SAVED: usize = 20;

/// How long and how to run one target.
#[derive(Clone, Debug)]
pub struct Config {
    /// Stop after this long (the corpus still runs whole first).
    pub duration: Option<Duration>,
    /// Stop after this many executions.
    pub runs: Option<u64>,
    /// The seed of the mutation loop.
    pub seed: u64,
    /// Which known defects' invariants fail the run.
    pub checks: Checks,
    /// The seed corpus: `<corpus_dir>/<target>/*`.
    pub corpus_dir: PathBuf,
    /// Where findings go (`<findings_dir>/<target>/<hash>`); `None` writes nothing.
    pub findings_dir: Option<PathBuf>,
    /// Write each input to `<findings_dir>/<target>/current` before running it, so that an
    /// abort (a stack overflow) leaves the input behind. Slow.
    pub trace: bool,
}

impl Config {
    /// The committed corpus and findings directories of this crate.
    pub fn in_crate(seed: u64, checks: Checks) -> Config {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        Config {
            duration: Some(Duration::from_secs(10)),
            runs: None,
            seed,
            checks,
            corpus_dir: root.join("corpus"),
            findings_dir: Some(root.join("findings")),
            trace: false,
        }
    }
}

/// An input that broke an enforced invariant or panicked.
#[derive(Clone, Debug)]
pub struct Finding {
    /// What broke.
    pub message: String,
    /// The input.
    pub input: Vec<u8>,
    /// Where it was saved, if it was.
    pub path: Option<PathBuf>,
}

/// What a run of one target did.
#[derive(Debug)]
pub struct Report {
    /// The target's name.
    pub target: &'static str,
    /// Inputs run.
    pub executions: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// Seed files read from the corpus.
    pub seeds: usize,
    /// Inputs kept for a new outcome class.
    pub kept: usize,
    /// Distinct outcome classes seen.
    pub classes: usize,
    /// Every finding (the same bug found again counts again).
    pub findings: u64,
    /// One finding per distinct message class.
    pub distinct: Vec<Finding>,
    /// Inputs that break the invariant of a defect whose check is off: defect, count, one
    /// example.
    pub known: Vec<(&'static str, u64, Finding)>,
}

impl Report {
    /// Executions per second.
    pub fn rate(&self) -> f64 {
        self.executions as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The result of one input.
pub enum Verdict {
    /// Every invariant held; the outcome class, for novelty.
    Pass(String),
    /// An invariant of a known defect whose check is off broke.
    Known(&'static str, String),
    /// A finding: an enforced invariant broke, or the target panicked.
    Fail(String),
}

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
    static QUIET: RefCell<bool> = const { RefCell::new(false) };
}

/// A panic hook that records the message and location for [`run_one`], and only prints
/// when not inside a quiet run.
fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let location = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-string panic payload".to_owned());
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("panic{location}: {message}")));
            if !QUIET.with(|q| *q.borrow()) {
                default(info);
            }
        }));
    });
}

/// Runs one input through `target`, catching panics, and judges the outcome by `checks`.
pub fn run_one(target: &dyn Target, input: &[u8], checks: &Checks) -> Verdict {
    install_hook();
    match panic::catch_unwind(AssertUnwindSafe(|| target.run(input, checks))) {
        Ok(Ok(class)) => Verdict::Pass(class),
        Ok(Err(Violation { defect, message })) => match defect {
            Some(d) if !checks.enforces(d) => Verdict::Known(d.name(), message),
            Some(d) => Verdict::Fail(format!("[{}] {message}", d.name())),
            None => Verdict::Fail(message),
        },
        Err(_) => Verdict::Fail(
            LAST_PANIC
                .with(|p| p.borrow_mut().take())
                .unwrap_or_else(|| "panic".to_owned()),
        ),
    }
}

/// Reads the seed files of `target` (sorted by name, so runs are reproducible).
pub fn load_corpus(dir: &Path) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

/// Runs `target` as `config` says.
pub fn run_target(target: &dyn Target, config: &Config) -> Report {
    install_hook();
    QUIET.with(|q| *q.borrow_mut() = true);
    let name = target.name();
    let seeds = load_corpus(&config.corpus_dir.join(name));
    let mut pool: Vec<Vec<u8>> = if seeds.is_empty() {
        vec![Vec::new()]
    } else {
        seeds.clone()
    };
    let mut rng = Rng::new(config.seed ^ fnv64(name.as_bytes()));
    let mut classes: HashSet<u64> = HashSet::new();
    let mut report = Report {
        target: name,
        executions: 0,
        elapsed: Duration::ZERO,
        seeds: seeds.len(),
        kept: 0,
        classes: 0,
        findings: 0,
        distinct: Vec::new(),
        known: Vec::new(),
    };
    let mut known: HashMap<&'static str, (u64, Finding)> = HashMap::new();
    let mut seen_messages: HashSet<String> = HashSet::new();
    let findings_dir = config.findings_dir.as_ref().map(|d| d.join(name));
    let start = Instant::now();

    let mut next_seed = 0;
    loop {
        let seeds_done = next_seed >= seeds.len();
        if seeds_done {
            let out_of_time = config.duration.is_some_and(|d| start.elapsed() >= d);
            let out_of_runs = config.runs.is_some_and(|n| report.executions >= n);
            if out_of_time || out_of_runs {
                break;
            }
        }
        let input = if !seeds_done {
            next_seed += 1;
            seeds[next_seed - 1].clone()
        } else {
            let base = &pool[rng.below(pool.len())];
            mutate(&mut rng, base, &pool, target.tokens(), target.max_len())
        };
        if config.trace
            && let Some(dir) = &findings_dir
        {
            let _ = std::fs::create_dir_all(dir);
            let _ = std::fs::write(dir.join("current"), &input);
        }
        report.executions += 1;
        match run_one(target, &input, &config.checks) {
            Verdict::Pass(class) => {
                if classes.insert(fnv64(class.as_bytes())) && seeds_done && pool.len() < MAX_KEPT {
                    pool.push(input);
                    report.kept += 1;
                }
            }
            Verdict::Known(defect, message) => {
                let entry = known.entry(defect).or_insert_with(|| {
                    let path = save(
                        findings_dir.as_deref(),
                        &format!("known-{defect}-"),
                        &input,
                        &message,
                    );
                    (
                        0,
                        Finding {
                            message,
                            input,
                            path,
                        },
                    )
                });
                entry.0 += 1;
            }
            Verdict::Fail(message) => {
                report.findings += 1;
                let class = message.lines().next().unwrap_or_default().to_owned();
                if seen_messages.insert(class) && report.distinct.len() < MAX_SAVED {
                    let path = save(findings_dir.as_deref(), "", &input, &message);
                    report.distinct.push(Finding {
                        message,
                        input,
                        path,
                    });
                }
            }
        }
    }
    report.elapsed = start.elapsed();
    report.classes = classes.len();
    let mut known: Vec<_> = known.into_iter().map(|(d, (n, f))| (d, n, f)).collect();
    known.sort_by_key(|(d, _, _)| *d);
    report.known = known;
    QUIET.with(|q| *q.borrow_mut() = false);
    report
}

/// Writes `input` as `<dir>/<prefix><hash>` and the message beside it (`.txt`).
fn save(dir: Option<&Path>, prefix: &str, input: &[u8], message: &str) -> Option<PathBuf> {
    let dir = dir?;
    std::fs::create_dir_all(dir).ok()?;
    let path = dir.join(format!("{prefix}{:016x}", fnv64(input)));
    std::fs::write(&path, input).ok()?;
    std::fs::write(path.with_extension("txt"), format!("{message}\n")).ok()?;
    Some(path)
}
