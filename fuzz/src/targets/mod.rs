//! The fuzz targets, one per parser that sees server or user bytes, and what they share.

mod charset;
mod cookies;
mod decode;
mod digest;
mod lines;
mod multipart;
mod url;

use std::future::IntoFuture;

use httplib::backend::mock::{MockBackend, MockResponse};
use httplib::{Client, Error, ErrorKind};

use crate::checks::{Checks, Defect};

/// What one input gives: its outcome class (for novelty) or the invariant it broke.
pub type Outcome = Result<String, Violation>;

/// A broken invariant; `defect` names the known defect that breaks it, if any.
#[derive(Debug)]
pub struct Violation {
    /// The known defect whose invariant this is, if it is one.
    pub defect: Option<Defect>,
    /// What broke: a first line that classifies it, then details.
    pub message: String,
}

impl Violation {
    /// A violation of an invariant every build must hold.
    pub fn new(message: impl Into<String>) -> Violation {
        Violation {
            defect: None,
            message: message.into(),
        }
    }

    /// A violation of the invariant that `defect`'s fix establishes.
    pub fn of(defect: Defect, message: impl Into<String>) -> Violation {
        Violation {
            defect: Some(defect),
            message: message.into(),
        }
    }
}

/// One fuzz target.
pub trait Target: Sync {
    /// The name on the command line and of the corpus directory.
    fn name(&self) -> &'static str;
    /// Tokens the mutator inserts.
    fn tokens(&self) -> &'static [&'static [u8]];
    /// The largest input the mutator makes.
    fn max_len(&self) -> usize {
        4096
    }
    /// Runs one input and checks the invariants.
    fn run(&self, input: &[u8], checks: &Checks) -> Outcome;
}

/// Every target, in the order `all` runs them.
pub fn all_targets() -> Vec<&'static dyn Target> {
    vec![
        &url::UrlTarget,
        &digest::DigestTarget,
        &cookies::CookieTarget,
        &charset::CharsetTarget,
        &lines::LinesTarget,
        &multipart::MultipartTarget,
        &decode::DecodeTarget,
    ]
}

/// The target called `name`.
pub fn find_target(name: &str) -> Option<&'static dyn Target> {
    all_targets().into_iter().find(|t| t.name() == name)
}

/// A client whose requests `mock` answers.
fn mock_client(mock: &MockBackend) -> Result<Client, Violation> {
    Client::builder()
        .backend(mock.clone())
        .build()
        .map_err(|e| Violation::new(format!("building a mock client failed: {e}")))
}

/// Runs a request future on this thread (the mock backend needs no runtime).
fn block_on<F: IntoFuture>(future: F) -> F::Output {
    futures_executor::block_on(future.into_future())
}

/// The outcome class of an error: its kind and the stable start of its message.
fn class_of(error: &Error) -> String {
    let text = error.to_string();
    let stable: String = text
        .split(['"', ':', '('])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_ascii_digit())
        .take(60)
        .collect();
    format!("{:?}:{stable}", error.kind())
}

/// Fails unless `error` is of one of the `allowed` kinds.
fn expect_kind(error: &Error, allowed: &[ErrorKind], what: &str) -> Result<(), Violation> {
    if allowed.contains(&error.kind()) {
        Ok(())
    } else {
        Err(Violation::new(format!(
            "{what}: an error of kind {:?}, expected one of {allowed:?}\n{error}",
            error.kind()
        )))
    }
}

/// The input's lines as header values a server could send: valid UTF-8, no control
/// characters but tab; the others are dropped.
fn header_lines(text: &str, max: usize) -> Vec<String> {
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| httplib::HeaderValue::from_str(l).is_ok())
        .take(max)
        .map(str::to_owned)
        .collect()
}

/// A mock response with these header lines under `name`.
fn with_headers(mut response: MockResponse, name: &str, values: &[String]) -> MockResponse {
    for value in values {
        response = response.header(name, value);
    }
    response
}
