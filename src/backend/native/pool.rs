//! The connection pool, with httpx's `Limits`: at most `max_connections` open (in use,
//! idle or being opened) across all origins, at most `max_keepalive_connections` idle,
//! none idle for longer than `keepalive_expiry`; a request that finds the pool full waits
//! for a connection, up to the pool timeout.
//!
//! HTTP/1.1 connections serve one request at a time: a request leases one and gives it
//! back when its response body has been read to the end (a body dropped half-read closes
//! it). HTTP/2 connections are shared: requests to one origin multiplex over one
//! connection until it carries as many streams as the server allows (and at most
//! `Limits::http2_max_streams`); only then is another opened. While a connection that may
//! turn out to be HTTP/2 is being opened, other requests to its origin wait for it rather
//! than opening their own.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use hyper::client::conn::{http1, http2};
use tokio::sync::Notify;

use super::body::Outgoing;
use super::handshake::{self, Handshaken};
use crate::config::{Limits, Timeout};
use crate::error::{Error, ErrorKind, Result};

/// The origin a connection is for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    pub(crate) https: bool,
    /// Shared, so that the clones a lease and the pool keep cost no allocation.
    pub(crate) host: Arc<str>,
    pub(crate) port: u16,
}

impl Key {
    pub(crate) fn from_uri(uri: &http::Uri) -> Result<Key> {
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            other => {
                return Err(Error::new(
                    ErrorKind::UnsupportedProtocol,
                    format!("the scheme {other:?} is not supported"),
                ));
            }
        };
        let host = uri
            .host()
            .ok_or_else(|| Error::new(ErrorKind::InvalidUrl, "the URL has no host"))?;
        // IPv6 literals come bracketed in URLs; sockets and TLS want them bare.
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let host: Arc<str> = if host.bytes().any(|b| b.is_ascii_uppercase()) {
            host.to_ascii_lowercase().into()
        } else {
            host.into()
        };
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        Ok(Key { https, host, port })
    }
}

/// How the pool opens connections.
pub(crate) struct Connector {
    pub(crate) tls: Arc<rustls::ClientConfig>,
    pub(crate) http2: bool,
    pub(crate) http2_prior_knowledge: bool,
}

impl Connector {
    /// True when a new connection to `key` may speak HTTP/2.
    fn may_be_http2(&self, key: &Key) -> bool {
        self.http2_prior_knowledge || (self.http2 && key.https)
    }
}

#[derive(Clone)]
pub(crate) struct Pool {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    /// Woken whenever a connection is released, closed, opened or fails to open, if any
    /// request is waiting.
    changed: Notify,
    /// Requests waiting for `changed`. Waking costs a lock even with no one to wake, so it
    /// is skipped when this is zero. A waiter counts itself before it looks at the state,
    /// and a releaser reads it after changing the state (both sequentially consistent), so
    /// either the waiter sees the change or the releaser sees the waiter.
    waiting: AtomicUsize,
    limits: Limits,
    connector: Connector,
}

/// FNV-1a: the pool's keys are the origins the application itself calls, short and few,
/// and hashed several times per request; SipHash's resistance to chosen keys buys nothing
/// here.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[derive(Default)]
struct State {
    hosts: HashMap<Key, Host, std::hash::BuildHasherDefault<Fnv>>,
    /// Connections open or being opened, across all origins.
    open: usize,
    /// Idle HTTP/1.1 connections, across all origins.
    idle: usize,
    closed: bool,
}

#[derive(Default)]
struct Host {
    idle: Vec<Idle>,
    http2: Vec<Arc<Http2Conn>>,
    connecting: usize,
    /// The origin answered a connection without HTTP/2: no need to wait for the next one.
    speaks_http1: bool,
}

struct Idle {
    sender: http1::SendRequest<Outgoing>,
    since: Instant,
    /// The thread whose own runtime drives this connection (see `own_runtime_thread`), or
    /// `None` when a shared runtime does and any request may use it.
    home: Option<u64>,
}

/// A shared HTTP/2 connection.
pub(crate) struct Http2Conn {
    sender: http2::SendRequest<Outgoing>,
    /// Streams in flight.
    active: AtomicUsize,
    /// The server's SETTINGS_MAX_CONCURRENT_STREAMS, kept current by the connection task.
    server_max_streams: Arc<AtomicUsize>,
    idle_since: Mutex<Instant>,
}

impl Http2Conn {
    fn capacity(&self, limits: &Limits) -> usize {
        limits
            .http2_max_streams
            .min(self.server_max_streams.load(Ordering::Relaxed))
            .max(1)
    }
}

impl Shared {
    /// Wakes the requests waiting for a connection, if there are any.
    fn notify(&self) {
        if self.waiting.load(Ordering::SeqCst) > 0 {
            self.changed.notify_waiters();
        }
    }
}

/// Counts a request as waiting for a connection while it lives.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(count: &'a AtomicUsize) -> Waiting<'a> {
        count.fetch_add(1, Ordering::SeqCst);
        Waiting(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What a request found in the pool.
enum Found {
    /// An idle connection, and the thread whose runtime drives it, if one does.
    Http1(http1::SendRequest<Outgoing>, Option<u64>),
    Http2(Arc<Http2Conn>),
    /// A slot to open a new connection in.
    Open,
    Wait,
}

impl Pool {
    pub(crate) fn new(limits: Limits, connector: Connector) -> Pool {
        Pool {
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
                changed: Notify::new(),
                waiting: AtomicUsize::new(0),
                limits,
                connector,
            }),
        }
    }

    /// A connection to `key`'s origin: an idle or shared one, or a new one.
    /// With `fresh`, only a new connection will do (for a retry after a stale one).
    pub(crate) async fn acquire(&self, key: &Key, timeout: &Timeout, fresh: bool) -> Result<Lease> {
        let deadline = timeout.pool.map(|limit| (Instant::now() + limit, limit));
        loop {
            let found = match self.find(key, fresh)? {
                Found::Wait => {
                    // Registered, and counted as waiting, before the state is read again, so
                    // no change in between is missed.
                    let changed = self.shared.changed.notified();
                    let mut changed = std::pin::pin!(changed);
                    changed.as_mut().enable();
                    let _waiting = Waiting::new(&self.shared.waiting);
                    match self.find(key, fresh)? {
                        Found::Wait => {
                            let waited = match deadline {
                                None => {
                                    changed.await;
                                    Ok(())
                                }
                                Some((at, _)) => tokio::time::timeout_at(at.into(), changed).await,
                            };
                            if waited.is_err() {
                                let limit = deadline.map(|(_, l)| l).unwrap_or_default();
                                return Err(Error::new(
                                    ErrorKind::PoolTimeout,
                                    format!(
                                        "no connection became free within {limit:?} ({} open, max_connections {:?})",
                                        lock(&self.shared.state).open,
                                        self.shared.limits.max_connections
                                    ),
                                ));
                            }
                            continue;
                        }
                        found => found,
                    }
                }
                found => found,
            };
            match found {
                Found::Http1(mut sender, home) => {
                    // The connection may still be finishing the previous response.
                    if sender.ready().await.is_ok() {
                        let mut lease = self.lease(key, LeaseKind::Http1(Some(sender)), true);
                        lease.home = home;
                        return Ok(lease);
                    }
                    self.forget_one();
                }
                Found::Http2(conn) => {
                    return Ok(self.lease(key, LeaseKind::Http2(conn), true));
                }
                // Boxed: opening a connection (TCP, TLS, handshake) is a future of
                // kilobytes, which would otherwise be part of every request's future.
                Found::Open => return Box::pin(self.open(key, timeout)).await,
                Found::Wait => {}
            }
        }
    }

    fn find(&self, key: &Key, fresh: bool) -> Result<Found> {
        let limits = &self.shared.limits;
        let home = crate::runtime::own_runtime_thread();
        let now = Instant::now();
        let mut guard = lock(&self.shared.state);
        let state = &mut *guard;
        if state.closed {
            return Err(Error::builder("the client was closed"));
        }
        if !state.hosts.contains_key(key) {
            state.hosts.insert(key.clone(), Host::default());
        }
        let State {
            hosts, open, idle, ..
        } = state;
        let Some(host) = hosts.get_mut(key) else {
            return Err(Error::builder("pool state lost its host"));
        };

        host.http2.retain(|conn| {
            let expired = conn.active.load(Ordering::Acquire) == 0
                && limits
                    .keepalive_expiry
                    .is_some_and(|e| now.duration_since(*lock(&conn.idle_since)) > e);
            let keep = !conn.sender.is_closed() && !expired;
            if !keep {
                *open -= 1;
            }
            keep
        });
        for conn in host.http2.iter().filter(|_| !fresh) {
            let capacity = conn.capacity(limits);
            let taken = conn
                .active
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |active| {
                    (active < capacity).then_some(active + 1)
                });
            if taken.is_ok() {
                return Ok(Found::Http2(conn.clone()));
            }
        }

        // The most recently used connection first; one that belongs to another thread's
        // own runtime is left for that thread.
        let mut i = host.idle.len();
        while !fresh && i > 0 {
            i -= 1;
            let conn = &host.idle[i];
            let expired = limits
                .keepalive_expiry
                .is_some_and(|e| now.duration_since(conn.since) > e);
            if conn.sender.is_closed() || expired {
                host.idle.remove(i);
                *idle -= 1;
                *open -= 1;
                continue;
            }
            if conn.home.is_some() && conn.home != home {
                continue;
            }
            let conn = host.idle.remove(i);
            *idle -= 1;
            return Ok(Found::Http1(conn.sender, conn.home));
        }

        let may_be_http2 = self.shared.connector.may_be_http2(key) && !host.speaks_http1;
        if host.connecting > 0 && may_be_http2 {
            return Ok(Found::Wait);
        }
        let full = limits.max_connections.is_some_and(|max| *open >= max);
        if full && *idle > 0 {
            // Close the longest-idle connection of another origin to make room.
            let victim = hosts
                .values_mut()
                .filter_map(|h| h.idle.first().map(|c| c.since).zip(Some(h)))
                .min_by_key(|(since, _)| *since)
                .map(|(_, h)| h);
            if let Some(h) = victim {
                h.idle.remove(0);
                *idle -= 1;
                *open -= 1;
            }
        }
        let full = limits.max_connections.is_some_and(|max| *open >= max);
        if full {
            return Ok(Found::Wait);
        }
        *open += 1;
        if let Some(host) = hosts.get_mut(key) {
            host.connecting += 1;
        }
        Ok(Found::Open)
    }

    /// Opens a new connection in the slot `find` reserved.
    async fn open(&self, key: &Key, timeout: &Timeout) -> Result<Lease> {
        let mut reservation = Reservation {
            pool: self,
            key,
            done: false,
        };
        let home = crate::runtime::own_runtime_thread();
        let connected = if home.is_some() && self.shared.connector.may_be_http2(key) {
            // An HTTP/2 connection is shared by every thread: it is opened, and its task
            // runs, on the background runtime rather than on this thread's own.
            let (shared, owned_key, limit) = (self.shared.clone(), key.clone(), timeout.connect);
            crate::runtime::on_background(async move {
                handshake::open(&owned_key, &shared.connector, limit).await
            })
            .await
            .map(|conn| (conn, None))
        } else {
            handshake::open(key, &self.shared.connector, timeout.connect)
                .await
                .map(|conn| (conn, home))
        };
        let (connected, home) = match connected {
            Ok((conn, home)) => (Ok(conn), home),
            Err(e) => (Err(e), None),
        };
        reservation.done = true;
        let mut state = lock(&self.shared.state);
        let host = state.hosts.entry(key.clone()).or_default();
        host.connecting -= 1;
        let result = match connected {
            Ok(Handshaken::Http1(sender)) => {
                if self.shared.connector.may_be_http2(key) {
                    host.speaks_http1 = true;
                }
                Ok(LeaseKind::Http1(Some(sender)))
            }
            Ok(Handshaken::Http2 {
                sender,
                server_max_streams,
            }) => {
                let conn = Arc::new(Http2Conn {
                    sender,
                    active: AtomicUsize::new(1),
                    server_max_streams,
                    idle_since: Mutex::new(Instant::now()),
                });
                host.http2.push(conn.clone());
                Ok(LeaseKind::Http2(conn))
            }
            Err(e) => {
                state.open -= 1;
                Err(e)
            }
        };
        drop(state);
        self.shared.notify();
        result.map(|kind| {
            let mut lease = self.lease(key, kind, false);
            lease.home = home;
            lease
        })
    }

    fn lease(&self, key: &Key, kind: LeaseKind, reused: bool) -> Lease {
        Lease {
            pool: self.clone(),
            key: key.clone(),
            kind,
            reused,
            reusable: false,
            home: None,
        }
    }

    /// Counts one connection as gone.
    fn forget_one(&self) {
        lock(&self.shared.state).open -= 1;
        self.shared.notify();
    }

    /// Closes idle connections and refuses new requests.
    pub(crate) fn close(&self) {
        let mut state = lock(&self.shared.state);
        state.closed = true;
        let closed: usize = state
            .hosts
            .values()
            .map(|h| h.idle.len() + h.http2.len())
            .sum();
        state.hosts.clear();
        state.idle = 0;
        state.open -= closed;
        drop(state);
        self.shared.notify();
    }
}

/// Gives a reserved slot back if opening the connection is abandoned (the request was
/// cancelled or timed out mid-connect).
struct Reservation<'a> {
    pool: &'a Pool,
    key: &'a Key,
    done: bool,
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut state = lock(&self.pool.shared.state);
        if let Some(host) = state.hosts.get_mut(self.key) {
            host.connecting -= 1;
        }
        state.open -= 1;
        drop(state);
        self.pool.shared.notify();
    }
}

pub(crate) enum LeaseKind {
    Http1(Option<http1::SendRequest<Outgoing>>),
    Http2(Arc<Http2Conn>),
}

/// A connection lent to one request, given back when dropped: for reuse if
/// [`set_reusable`](Lease::set_reusable) was called (the response was read to its end),
/// closed otherwise.
pub(crate) struct Lease {
    pool: Pool,
    key: Key,
    pub(crate) kind: LeaseKind,
    reused: bool,
    reusable: bool,
    /// For HTTP/1.1: the thread whose own runtime drives the connection, if one does.
    home: Option<u64>,
}

impl Lease {
    /// True when the connection served earlier requests (it may have been closed by the
    /// server since).
    pub(crate) fn reused(&self) -> bool {
        self.reused
    }

    pub(crate) fn is_http2(&self) -> bool {
        matches!(self.kind, LeaseKind::Http2(_))
    }

    pub(crate) fn set_reusable(&mut self) {
        self.reusable = true;
    }

    /// The HTTP/1.1 sender, for sending.
    pub(crate) fn http1(&mut self) -> Option<&mut http1::SendRequest<Outgoing>> {
        match &mut self.kind {
            LeaseKind::Http1(sender) => sender.as_mut(),
            LeaseKind::Http2(_) => None,
        }
    }

    /// The HTTP/2 sender, for sending.
    pub(crate) fn http2(&self) -> Option<http2::SendRequest<Outgoing>> {
        match &self.kind {
            LeaseKind::Http2(conn) => Some(conn.sender.clone()),
            LeaseKind::Http1(_) => None,
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let shared = &self.pool.shared;
        match &mut self.kind {
            LeaseKind::Http2(conn) => {
                if conn.active.fetch_sub(1, Ordering::SeqCst) == 1 {
                    *lock(&conn.idle_since) = Instant::now();
                }
            }
            LeaseKind::Http1(sender) => {
                let Some(sender) = sender.take() else {
                    return;
                };
                let mut state = lock(&shared.state);
                let room = shared
                    .limits
                    .max_keepalive_connections
                    .is_none_or(|max| state.idle < max);
                let keep = self.reusable && room && !state.closed && !sender.is_closed();
                if keep {
                    state.idle += 1;
                    let idle = Idle {
                        sender,
                        since: Instant::now(),
                        home: self.home,
                    };
                    if let Some(host) = state.hosts.get_mut(&self.key) {
                        host.idle.push(idle);
                    } else {
                        state
                            .hosts
                            .entry(self.key.clone())
                            .or_default()
                            .idle
                            .push(idle);
                    }
                } else {
                    state.open -= 1;
                    drop(sender);
                }
            }
        }
        shared.notify();
    }
}
