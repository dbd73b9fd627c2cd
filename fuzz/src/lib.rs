//! A fuzz harness for httplib's parsers that runs on the stable toolchain: a seeded mutation
//! loop over a committed corpus, with invariants checked per target (see README.md).
//!
//! The binary (`cargo run -p httplib-fuzz --release -- <target|all> --seconds N`) and the
//! test (`cargo test -p httplib-fuzz`) both drive [`engine::run_target`].

pub mod checks;
pub mod engine;
pub mod mutator;
pub mod rng;
pub mod targets;

pub use checks::Checks;
pub use engine::{Config, Finding, Report, run_target};
pub use targets::{Outcome, Target, Violation, all_targets, find_target};
