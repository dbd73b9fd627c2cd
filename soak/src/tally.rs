//! Counts of outcomes, by class of request, and the first unexpected ones in full.

use std::collections::HashMap;

use crate::outcome::{Outcome, Record};
use crate::plan::Class;

/// How many unexpected outcomes are kept word for word for the report.
const KEPT_SAMPLES: usize = 20;

/// Every finished request, counted.
#[derive(Default)]
pub struct Tally {
    /// Per outcome: counts for the normal, fault and cancel classes.
    counts: HashMap<Outcome, [u64; 3]>,
    pub done: u64,
    pub unexpected: u64,
    /// The first unexpected outcomes, described.
    pub samples: Vec<String>,
}

impl Tally {
    /// Counts one finished request.
    pub fn add(&mut self, record: Record) {
        self.counts.entry(record.outcome).or_default()[column(record.class)] += 1;
        self.done += 1;
        if let Some(what) = record.unexpected {
            self.unexpected += 1;
            if self.samples.len() < KEPT_SAMPLES {
                self.samples.push(what);
            }
        }
    }

    /// Rows of (outcome, [normal, fault, cancel]): `ok`, `cancelled`, then the rest by name.
    pub fn rows(&self) -> Vec<(String, [u64; 3])> {
        let mut rows: Vec<(String, [u64; 3])> = self
            .counts
            .iter()
            .map(|(outcome, counts)| (outcome.label(), *counts))
            .collect();
        let rank = |label: &str| match label {
            "ok" => 0,
            "cancelled" => 1,
            _ => 2,
        };
        rows.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then_with(|| a.0.cmp(&b.0)));
        rows
    }

    /// `ok=N cancelled=N ReadTimeout=N ...`, all classes together.
    pub fn compact(&self) -> String {
        self.rows()
            .iter()
            .map(|(label, counts)| {
                format!("{}={}", label.replace(' ', "_"), counts.iter().sum::<u64>())
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The column of `class` in the counts.
fn column(class: Class) -> usize {
    match class {
        Class::Normal => 0,
        Class::Fault => 1,
        Class::Cancel => 2,
    }
}
