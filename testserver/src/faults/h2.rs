//! HTTP/2 faults, written frame by frame: a server that breaks off streams and connections,
//! floods control frames, or never opens its flow-control window.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use super::frames::{
    ACK, CANCEL, CONTINUATION, DATA, END_HEADERS, END_STREAM, GOAWAY, HEADERS, INTERNAL_ERROR,
    MAX_FRAME, PING, PREFACE, REFUSED_STREAM, RST_STREAM, SETTINGS, SETTINGS_INITIAL_WINDOW_SIZE,
    SETTINGS_MAX_CONCURRENT_STREAMS, frame, goaway, literal, read_frame, response_head, settings,
};

/// Most CONTINUATION frames a [`H2Fault::ContinuationFlood`] sends: 64 MiB of header block.
const CONTINUATION_LIMIT: usize = 4096;

/// The body every complete response of these servers announces.
const ANNOUNCED: usize = 100;

/// What a [`FaultServer::h2`](super::FaultServer::h2) server does with each request
/// (cleartext HTTP/2 by prior knowledge).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum H2Fault {
    /// Nothing: `200` with the body `ok` (checks the frame server itself).
    None,
    /// `200` announcing 100 bytes, 10 of them, then GOAWAY (`INTERNAL_ERROR`, last stream
    /// the current one) and the connection closes.
    GoawayMidStream,
    /// `200` announcing 100 bytes, 10 of them, then RST_STREAM `CANCEL`.
    ResetMidBody,
    /// RST_STREAM `REFUSED_STREAM` as soon as the request's HEADERS arrive: the request
    /// was not processed, so a client may safely send it again.
    RefusedStream,
    /// RST_STREAM `INTERNAL_ERROR` once the whole request has arrived: it may have been
    /// processed, so a non-idempotent one must not be sent again.
    ResetAfterRequest,
    /// This many SETTINGS frames, then a normal response.
    SettingsFlood(usize),
    /// This many PING frames, then a normal response.
    PingFlood(usize),
    /// `SETTINGS_INITIAL_WINDOW_SIZE` 0 and never a WINDOW_UPDATE: no request body can be
    /// sent, and no response comes.
    ZeroWindow,
    /// HEADERS without END_HEADERS, then CONTINUATION frames of 16 KiB, never ending (up to
    /// 64 MiB, or until the client leaves).
    ContinuationFlood,
    /// Requests answered `200` `ok`, but no PING ever acknowledged: to keep-alive, a peer
    /// gone behind a NAT.
    UnansweredPings,
}

/// The write side, shared by the reading loop and a flood's thread; one frame per lock.
type Writer = Arc<Mutex<TcpStream>>;

fn send(writer: &Writer, bytes: &[u8]) -> io::Result<()> {
    let mut tcp = writer.lock().unwrap_or_else(PoisonError::into_inner);
    tcp.write_all(bytes)
}

/// Serves one connection, counting each request's HEADERS in `requests`: the first
/// `faulty` requests of the server (all of them when `None`) meet `fault`, later ones get
/// a normal answer.
pub(crate) fn serve(
    mut tcp: TcpStream,
    fault: H2Fault,
    faulty: Option<usize>,
    requests: &AtomicUsize,
) {
    let Ok(clone) = tcp.try_clone() else {
        return;
    };
    let writer: Writer = Arc::new(Mutex::new(clone));
    let mut floods = Vec::new();
    let plan = Plan {
        fault,
        faulty,
        requests,
    };
    let _ = read_frames(&mut tcp, &writer, &plan, &mut floods);
    // Ends a flood still writing, so its thread (and socket clone) goes now.
    let _ = tcp.shutdown(Shutdown::Both);
    for flood in floods {
        let _ = flood.join();
    }
}

/// Which requests meet the fault.
struct Plan<'a> {
    fault: H2Fault,
    faulty: Option<usize>,
    requests: &'a AtomicUsize,
}

impl Plan<'_> {
    /// Counts a new request and says what it meets.
    fn next_request(&self) -> H2Fault {
        let seen = self.requests.fetch_add(1, Ordering::SeqCst);
        match self.faulty {
            Some(faulty) if seen >= faulty => H2Fault::None,
            _ => self.fault,
        }
    }
}

fn read_frames(
    tcp: &mut TcpStream,
    writer: &Writer,
    plan: &Plan<'_>,
    floods: &mut Vec<JoinHandle<()>>,
) -> io::Result<()> {
    let mut preface = [0u8; PREFACE.len()];
    tcp.read_exact(&mut preface)?;
    if &preface != PREFACE {
        return Err(io::ErrorKind::InvalidData.into());
    }
    let ours = match plan.fault {
        H2Fault::ZeroWindow => settings(&[(SETTINGS_INITIAL_WINDOW_SIZE, 0)]),
        _ => settings(&[(SETTINGS_MAX_CONCURRENT_STREAMS, 100)]),
    };
    send(writer, &frame(SETTINGS, 0, 0, &ours))?;
    // What each open stream meets, fixed when its HEADERS arrive.
    let mut streams = HashMap::new();
    loop {
        let f = read_frame(tcp)?;
        let request_complete = match f.kind {
            SETTINGS if f.flags & ACK == 0 => {
                send(writer, &frame(SETTINGS, ACK, 0, &[]))?;
                false
            }
            PING if f.flags & ACK == 0 => {
                if plan.fault != H2Fault::UnansweredPings {
                    send(writer, &frame(PING, ACK, 0, &f.payload))?;
                }
                false
            }
            HEADERS => {
                let fault = plan.next_request();
                if fault == H2Fault::RefusedStream {
                    send(writer, &rst(f.stream, REFUSED_STREAM))?;
                    continue;
                }
                streams.insert(f.stream, fault);
                f.flags & END_STREAM != 0
            }
            DATA => f.flags & END_STREAM != 0,
            _ => false,
        };
        if !request_complete {
            continue;
        }
        let fault = streams.remove(&f.stream).unwrap_or(H2Fault::None);
        if respond(writer, fault, f.stream, floods)? {
            return Ok(());
        }
    }
}

/// Answers one complete request; `true` when the connection is to close now.
fn respond(
    writer: &Writer,
    fault: H2Fault,
    stream: u32,
    floods: &mut Vec<JoinHandle<()>>,
) -> io::Result<bool> {
    match fault {
        H2Fault::None | H2Fault::UnansweredPings => send(writer, &ok(stream))?,
        H2Fault::GoawayMidStream => {
            send(writer, &partial_response(stream))?;
            send(
                writer,
                &frame(GOAWAY, 0, 0, &goaway(stream, INTERNAL_ERROR)),
            )?;
            return Ok(true);
        }
        H2Fault::ResetMidBody => {
            send(writer, &partial_response(stream))?;
            send(writer, &rst(stream, CANCEL))?;
        }
        H2Fault::ResetAfterRequest => send(writer, &rst(stream, INTERNAL_ERROR))?,
        H2Fault::SettingsFlood(n) => {
            let one = frame(
                SETTINGS,
                0,
                0,
                &settings(&[(SETTINGS_MAX_CONCURRENT_STREAMS, 100)]),
            );
            floods.push(flood(writer, one, n, ok(stream)));
        }
        H2Fault::PingFlood(n) => {
            let one = frame(PING, 0, 0, b"floodingx"[..8].as_ref());
            floods.push(flood(writer, one, n, ok(stream)));
        }
        H2Fault::ContinuationFlood => floods.push(continuation_flood(writer, stream)),
        H2Fault::RefusedStream | H2Fault::ZeroWindow => {}
    }
    Ok(false)
}

fn rst(stream: u32, error: u32) -> Vec<u8> {
    frame(RST_STREAM, 0, stream, &error.to_be_bytes())
}

fn ok(stream: u32) -> Vec<u8> {
    let mut out = frame(
        HEADERS,
        END_HEADERS,
        stream,
        &response_head(200, &[("content-length", "2")]),
    );
    out.extend(frame(DATA, END_STREAM, stream, b"ok"));
    out
}

/// A head announcing [`ANNOUNCED`] bytes and a tenth of them.
fn partial_response(stream: u32) -> Vec<u8> {
    let length = ANNOUNCED.to_string();
    let mut out = frame(
        HEADERS,
        END_HEADERS,
        stream,
        &response_head(200, &[("content-length", &length)]),
    );
    out.extend(frame(DATA, 0, stream, &[b'x'; ANNOUNCED / 10]));
    out
}

/// Writes `one` `times` times, then `last`, on a thread of its own so the reading loop
/// goes on acknowledging (a client that cannot send its ACKs stops reading).
fn flood(writer: &Writer, one: Vec<u8>, times: usize, last: Vec<u8>) -> JoinHandle<()> {
    let writer = writer.clone();
    std::thread::spawn(move || {
        for _ in 0..times {
            if send(&writer, &one).is_err() {
                return;
            }
        }
        let _ = send(&writer, &last);
    })
}

fn continuation_flood(writer: &Writer, stream: u32) -> JoinHandle<()> {
    let writer = writer.clone();
    std::thread::spawn(move || {
        if send(
            &writer,
            &frame(HEADERS, 0, stream, &response_head(200, &[])),
        )
        .is_err()
        {
            return;
        }
        // Many small fields per frame: what costs a decoder, not just a buffer.
        let mut block = Vec::with_capacity(MAX_FRAME);
        let mut i = 0;
        while block.len() + 64 < MAX_FRAME {
            literal(
                &mut block,
                &format!("x-flood-{i}"),
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            );
            i += 1;
        }
        let one = frame(CONTINUATION, 0, stream, &block);
        for _ in 0..CONTINUATION_LIMIT {
            if send(&writer, &one).is_err() {
                return;
            }
        }
    })
}
