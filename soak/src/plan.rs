//! What request number `i` of a run is: its listener, its route, and whether it is a
//! server fault or a cancelled future. Drawn from the seed alone, so a run can be repeated.

use std::time::Duration;

use crate::rng::Rng;

/// Largest body of `/bytes` and `/stream-bytes`: bodies are `0..2^18` bytes (256 KiB).
const MAX_BODY_BITS: u32 = 18;
/// Largest `/echo` request body: `0..2^15` bytes (32 KiB; the echo answers it twice, as
/// text and base64, inside JSON).
const MAX_ECHO_BITS: u32 = 15;
/// A future cancelled by a timer is dropped after `0..=5` ms.
const MAX_CANCEL_MICROS: u64 = 5_000;
/// A future cancelled by count is dropped after `1..=3` polls (a small request on a pooled connection takes about 2 or 3).
const MAX_CANCEL_POLLS: u64 = 3;

/// Which listener of the test server, hence which protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listener {
    /// The cleartext listener: HTTP/1.1.
    Http1,
    /// The TLS listener, ALPN `h2`: HTTP/2.
    Http2,
}

/// A route of the test server and what the soak does with it.
#[derive(Debug, Clone, Copy)]
pub enum Route {
    /// `GET /bytes/{n}`, read whole: n bytes of the pattern.
    Bytes(u64),
    /// `GET /stream-bytes/{n}?chunk_size=C`, read chunk by chunk in stream mode.
    StreamBytes { len: u64, chunk: u64 },
    /// `POST /echo` with a body of n bytes: the JSON says `body_len` n.
    Echo(usize),
    /// `GET /gzip`: decoded JSON with `"ok": true`.
    Gzip,
    /// Fault: `GET /drop-mid-body/{n}` announces n bytes, sends n/2, aborts.
    DropMidBody(u64),
    /// Fault: `GET /status/500`, then `raise_for_status`.
    Status500,
    /// Fault: `GET /close`: 200, then the server closes the connection (HTTP/1.1).
    Close,
    /// Fault: `GET /hang`: no head; the short read timeout ends it.
    Hang,
    /// Fault: `GET /hang-body`: a head, then no body; the short read timeout ends it.
    HangBody,
}

impl Route {
    /// Whether this route is one of the server faults.
    pub fn is_fault(self) -> bool {
        matches!(
            self,
            Route::DropMidBody(_) | Route::Status500 | Route::Close | Route::Hang | Route::HangBody
        )
    }
}

/// One request of the run.
#[derive(Debug, Clone, Copy)]
pub struct Planned {
    pub listener: Listener,
    pub route: Route,
    /// `Some`: the future is dropped before it is done (if it is not done first).
    pub cancel: Option<Cancel>,
}

/// When a cancelled future is dropped.
#[derive(Debug, Clone, Copy)]
pub enum Cancel {
    /// This long after it was first polled (`tokio::time::timeout`). On a fast machine
    /// many requests finish first: the timer's resolution is a millisecond.
    After(Duration),
    /// Right after its n-th poll that left it pending: each poll is a step of progress
    /// (connected, handshaken, head, a chunk...), so this cancels at every phase whatever
    /// the machine's speed.
    AfterPolls(u32),
}

/// Whether a request is an ordinary one, a server fault or a cancelled future: the three
/// columns of the outcome table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    Normal,
    Fault,
    Cancel,
}

impl Planned {
    /// Request `index` of the run seeded with `seed`: 90% ordinary, 5% server faults (1% each
    /// of the five), 5% cancelled; half over HTTP/1.1, half over HTTP/2.
    pub fn draw(seed: u64, index: u64) -> Planned {
        let mut rng = Rng::for_request(seed, index);
        let listener = if rng.below(2) == 0 {
            Listener::Http1
        } else {
            Listener::Http2
        };
        let roll = rng.below(100);
        let (route, cancel) = match roll {
            0..5 => (fault(&mut rng), None),
            5..10 => {
                let cancel = if rng.below(2) == 0 {
                    Cancel::After(Duration::from_micros(rng.below(MAX_CANCEL_MICROS + 1)))
                } else {
                    Cancel::AfterPolls(1 + rng.below(MAX_CANCEL_POLLS) as u32)
                };
                (ordinary(&mut rng), Some(cancel))
            }
            _ => (ordinary(&mut rng), None),
        };
        Planned {
            listener,
            route,
            cancel,
        }
    }

    /// Normal, fault or cancel.
    pub fn class(&self) -> Class {
        if self.cancel.is_some() {
            Class::Cancel
        } else if self.route.is_fault() {
            Class::Fault
        } else {
            Class::Normal
        }
    }
}

/// Mostly fixed-length bodies, then streamed ones, uploads, and some compressed.
fn ordinary(rng: &mut Rng) -> Route {
    match rng.below(100) {
        0..60 => Route::Bytes(rng.size(MAX_BODY_BITS)),
        60..75 => Route::StreamBytes {
            len: rng.size(MAX_BODY_BITS),
            chunk: 512 + rng.below(64 * 1024),
        },
        75..92 => Route::Echo(rng.size(MAX_ECHO_BITS) as usize),
        _ => Route::Gzip,
    }
}

fn fault(rng: &mut Rng) -> Route {
    match rng.below(5) {
        // At least 2 bytes, so that half of it is short of the announced length.
        0 => Route::DropMidBody(2 + rng.size(MAX_BODY_BITS)),
        1 => Route::Status500,
        2 => Route::Close,
        3 => Route::Hang,
        _ => Route::HangBody,
    }
}
