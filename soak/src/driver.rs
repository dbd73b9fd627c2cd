//! Runs a range of planned requests with a bounded number in flight, each in its own task
//! (so the client is driven from both worker threads), stopping at the time bound.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;
use std::time::Instant;

use tokio::task::JoinSet;

use crate::exchange::Target;
use crate::outcome::{Outcome, Record};
use crate::plan::Planned;
use crate::tally::Tally;

/// What every range of requests shares.
pub struct Driver {
    pub target: Arc<Target>,
    pub seed: u64,
    pub in_flight: usize,
    /// No request starts after this (those in flight still finish, within their timeouts).
    pub deadline: Instant,
}

impl Driver {
    /// Runs requests `range` to completion (or up to the deadline) and counts them in
    /// `tally`; returns with nothing in flight, so that a measurement after it sees the
    /// client idle.
    pub async fn run(&self, range: Range<u64>, tally: &mut Tally) {
        let mut tasks = JoinSet::new();
        let mut planned_by_task = HashMap::new();
        let mut next = range.start;
        loop {
            while tasks.len() < self.in_flight && next < range.end && Instant::now() < self.deadline
            {
                let planned = Planned::draw(self.seed, next);
                let target = self.target.clone();
                let handle = tasks.spawn(async move { target.run(planned).await });
                planned_by_task.insert(handle.id(), planned);
                next += 1;
            }
            match tasks.join_next_with_id().await {
                None => break,
                Some(Ok((id, record))) => {
                    planned_by_task.remove(&id);
                    tally.add(record);
                }
                Some(Err(error)) => {
                    if let Some(planned) = planned_by_task.remove(&error.id()) {
                        let what = Some(error.to_string());
                        tally.add(Record::judge(&planned, Outcome::Panicked, what));
                    }
                }
            }
        }
    }
}
