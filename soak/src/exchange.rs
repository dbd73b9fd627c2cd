//! Sends one planned request through the shared client and checks what comes back.

use std::sync::OnceLock;
use std::time::Duration;

use httplib::{Client, DEFAULT_TIMEOUT, Method, Timeout, Version};

use crate::cancel::PollLimit;
use crate::outcome::{Outcome, Record};
use crate::plan::{Cancel, Listener, Planned, Route};

/// Read timeout of `/hang` and `/hang-body`: short, so that the client, not the server's
/// 60 s limit, ends them.
pub const FAULT_READ_TIMEOUT: Duration = Duration::from_millis(150);

/// The period of the test server's byte pattern: byte `i` of a body is `(i % 251) as u8`.
const PERIOD: usize = 251;
/// Longest stretch of the pattern compared at once (larger chunks are compared in pieces).
const TABLE_SPAN: usize = 256 * 1024;

/// The client under test and the two listeners it talks to.
pub struct Target {
    pub client: Client,
    /// `http://127.0.0.1:PORT`: HTTP/1.1.
    pub http: String,
    /// `https://localhost:PORT`: HTTP/2 through ALPN.
    pub https: String,
}

/// Why a response was not the one its route sends.
type Wrong = String;

/// What went wrong in one request: an httplib error, or a response that does not match.
enum Failure {
    Http(httplib::Error),
    Wrong(Wrong),
}

impl From<httplib::Error> for Failure {
    fn from(error: httplib::Error) -> Failure {
        Failure::Http(error)
    }
}

impl Target {
    /// Runs `planned` to its end (or its cancellation) and judges the outcome.
    pub async fn run(&self, planned: Planned) -> Record {
        let exchange = self.exchange(planned);
        let result = match planned.cancel {
            None => Some(exchange.await),
            Some(Cancel::After(delay)) => tokio::time::timeout(delay, exchange).await.ok(),
            Some(Cancel::AfterPolls(polls)) => PollLimit::new(exchange, polls).await,
        };
        let Some(result) = result else {
            return Record::judge(&planned, Outcome::Cancelled, None);
        };
        match result {
            Ok(()) => Record::judge(&planned, Outcome::Ok, None),
            Err(Failure::Http(error)) => {
                Record::judge(&planned, Outcome::Error(error.kind()), Some(causes(&error)))
            }
            Err(Failure::Wrong(why)) => Record::judge(&planned, Outcome::Wrong, Some(why)),
        }
    }

    async fn exchange(&self, planned: Planned) -> Result<(), Failure> {
        let (base, version) = match planned.listener {
            Listener::Http1 => (&self.http, Version::HTTP_11),
            Listener::Http2 => (&self.https, Version::HTTP_2),
        };
        let client = &self.client;
        let fault_timeout = Timeout::new(DEFAULT_TIMEOUT).read(FAULT_READ_TIMEOUT);
        match planned.route {
            Route::Bytes(len) => {
                let r = client.get(format!("{base}/bytes/{len}")).await?;
                check_version(r.version(), version)?;
                check_pattern(0, r.bytes())?;
                check_len(r.bytes().len() as u64, len)
            }
            Route::StreamBytes { len, chunk } => {
                let url = format!("{base}/stream-bytes/{len}?chunk_size={chunk}");
                let mut r = client.stream(Method::GET, url).await?;
                check_version(r.version(), version)?;
                let mut read = 0u64;
                while let Some(data) = r.chunk().await? {
                    check_pattern(read, &data)?;
                    read += data.len() as u64;
                }
                check_len(read, len)
            }
            Route::Echo(len) => {
                let body: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                let r = client.post(format!("{base}/echo")).content(body).await?;
                check_version(r.version(), version)?;
                let echo: serde_json::Value = r.json()?;
                let echoed = echo["body_len"].as_u64();
                if echoed != Some(len as u64) || echo["method"] != "POST" {
                    return Err(Failure::Wrong(format!(
                        "echo of a {len}-byte POST says body_len {echoed:?}, method {}",
                        echo["method"]
                    )));
                }
                Ok(())
            }
            Route::Gzip => {
                let r = client.get(format!("{base}/gzip")).await?;
                check_version(r.version(), version)?;
                let decoded: serde_json::Value = r.json()?;
                if decoded["ok"] != true {
                    return Err(Failure::Wrong(format!("/gzip decoded to {decoded}")));
                }
                Ok(())
            }
            Route::DropMidBody(len) => {
                let r = client.get(format!("{base}/drop-mid-body/{len}")).await?;
                Err(Failure::Wrong(format!(
                    "a body cut at half of {len} bytes was accepted ({} bytes)",
                    r.bytes().len()
                )))
            }
            Route::Status500 => {
                let r = client.get(format!("{base}/status/500")).await?;
                r.raise_for_status()?;
                Err(Failure::Wrong("a 500 passed raise_for_status".to_owned()))
            }
            Route::Close => {
                let r = client.get(format!("{base}/close")).await?;
                check_version(r.version(), version)?;
                if r.status_code() != 200 {
                    return Err(Failure::Wrong(format!("/close gave {}", r.status_code())));
                }
                Ok(())
            }
            Route::Hang => {
                let url = format!("{base}/hang");
                client.get(url).timeout(fault_timeout).await?;
                Err(Failure::Wrong("/hang answered".to_owned()))
            }
            Route::HangBody => {
                let url = format!("{base}/hang-body");
                client.get(url).timeout(fault_timeout).await?;
                Err(Failure::Wrong("/hang-body sent its body".to_owned()))
            }
        }
    }
}

/// The error and its sources, `: `-separated (the sources carry the HTTP/2 reason).
fn causes(error: &httplib::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text += &format!(": {cause:?}");
        source = cause.source();
    }
    text
}

fn check_version(got: Option<Version>, want: Version) -> Result<(), Failure> {
    if got == Some(want) {
        Ok(())
    } else {
        Err(Failure::Wrong(format!("spoke {got:?}, not {want:?}")))
    }
}

fn check_len(got: u64, want: u64) -> Result<(), Failure> {
    if got == want {
        Ok(())
    } else {
        Err(Failure::Wrong(format!("{got} bytes, not {want}")))
    }
}

/// Checks that `data` is the test server's pattern from absolute offset `offset` on.
fn check_pattern(offset: u64, data: &[u8]) -> Result<(), Failure> {
    let table = pattern_table();
    let mut at = offset;
    for piece in data.chunks(TABLE_SPAN) {
        let phase = (at % PERIOD as u64) as usize;
        if piece != &table[phase..phase + piece.len()] {
            return Err(Failure::Wrong(format!(
                "bytes differ from the pattern in the {} bytes from offset {at}",
                piece.len()
            )));
        }
        at += piece.len() as u64;
    }
    Ok(())
}

/// `PERIOD + TABLE_SPAN` bytes of the pattern: any piece is compared with one slice.
fn pattern_table() -> &'static [u8] {
    static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0..PERIOD + TABLE_SPAN)
            .map(|i| (i % PERIOD) as u8)
            .collect()
    })
}
