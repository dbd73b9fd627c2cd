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
//!
//! Every slot is held by a guard from the moment it is counted: a `Reservation` while a
//! connection is being opened, a `Lease` from the moment a request takes a connection
//! (before it waits for that connection to be ready). A request cancelled at any await
//! point drops its guard, which gives the slot back.
//!
//! When the pool is full, the longest-idle connection of any origin (an idle HTTP/1.1 one,
//! or an HTTP/2 one carrying no stream) is closed to make room, after connections that died
//! or expired anywhere have been swept. An origin's entry is dropped once it holds nothing.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::Poll;
use std::time::{Duration, Instant};

use hyper::client::conn::http1;
use tokio::sync::Notify;
use tokio::task::AbortHandle;

use super::body::{Outgoing, WriteProgress};
use super::connect::Dialer;
use super::handshake::{self, Handshaken};
use super::proxy::{Proxies, Route};
use crate::error::{Error, ErrorKind, Result};
use crate::limits::{Limits, Timeout};
use crate::runtime::Timer;
use crate::timeouts::Deadline;

/// Origins the pool keeps entries for before it drops the empty ones, at the least.
const MIN_HOST_SWEEP: usize = 64;

/// The origin a connection is for.
///
/// The origin alone: every other setting that decides how a connection is opened (DNS
/// overrides and resolver, local address, Unix socket, keepalives, TLS roots, HTTP/2) is
/// the client's, and so is the pool. Two clients never share a connection, so connections
/// made through different settings never meet in one pool. A per-request setting of that
/// kind (a proxy per request, say) would have to join the key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    pub(crate) https: bool,
    /// Shared, so that the clones a lease and the pool keep cost no allocation.
    pub(crate) host: Arc<str>,
    pub(crate) port: u16,
    /// The proxy the connection goes through: connections through different proxies (or
    /// none) are never shared. Shared, so that a key stays small (it is moved with every
    /// lease) and its clones cost no allocation.
    pub(crate) proxy: Option<Arc<Route>>,
}

impl Key {
    pub(crate) fn from_uri(uri: &http::Uri, proxies: Option<&Proxies>) -> Result<Key> {
        let https = match uri.scheme_str() {
            #[cfg(feature = "rustls")]
            Some("https") => true,
            #[cfg(not(feature = "rustls"))]
            Some("https") => return Err(crate::tls::unavailable()),
            Some("http") => false,
            other => {
                return Err(Error::new(
                    ErrorKind::UnsupportedProtocol,
                    format!("the scheme {other:?} is not supported"),
                ));
            }
        };
        let (host, port) = uri
            .authority()
            .and_then(|a| host_and_port(a.as_str()))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidUrl,
                    "the URL has no host, or an invalid port",
                )
            })?;
        let host: Arc<str> = if host.bytes().any(|b| b.is_ascii_uppercase()) {
            host.to_ascii_lowercase().into()
        } else {
            host.into()
        };
        let port = port.unwrap_or(if https { 443 } else { 80 });
        let proxy = match proxies {
            Some(proxies) => proxies.route(uri)?.map(Arc::new),
            None => None,
        };
        Ok(Key {
            https,
            host,
            port,
            proxy,
        })
    }

    /// True when requests go to the proxy in absolute form (an `http://` origin through
    /// an HTTP proxy), rather than to the origin or through a tunnel.
    pub(crate) fn forwarded(&self) -> Option<&Route> {
        self.proxy
            .as_deref()
            .filter(|route| !self.https && route.kind.speaks_http())
    }
}

/// The host (IPv6 literals without their brackets: sockets and TLS want them bare) and the
/// port of an authority `http::Uri` has validated, in one pass: `Uri::host` and
/// `Uri::port_u16` each split it again, and this runs for every request.
fn host_and_port(authority: &str) -> Option<(&str, Option<u16>)> {
    // Byte scans: authorities are short, and `str`'s pattern searchers cost more to set up
    // than to run on them.
    let bytes = authority.as_bytes();
    let start = bytes
        .iter()
        .rposition(|&b| b == b'@')
        .map_or(0, |at| at + 1);
    let host_port = &authority[start..];
    let (host, port) = match host_port.strip_prefix('[') {
        Some(bracketed) => {
            let end = bracketed.bytes().position(|b| b == b']')?;
            (&bracketed[..end], bracketed[end + 1..].strip_prefix(':'))
        }
        None => match host_port.bytes().position(|b| b == b':') {
            Some(colon) => (&host_port[..colon], Some(&host_port[colon + 1..])),
            None => (host_port, None),
        },
    };
    // An empty port (`host:`) is the scheme's default, as `Uri::port_u16` has it.
    let port = match port.filter(|p| !p.is_empty()) {
        Some(port) => Some(port.parse().ok()?),
        None => None,
    };
    (!host.is_empty()).then_some((host, port))
}

/// How the pool opens connections.
pub(crate) struct Connector {
    pub(crate) dialer: Dialer,
    #[cfg(feature = "rustls")]
    pub(crate) tls: Arc<rustls::ClientConfig>,
    /// For the TLS to HTTPS proxies (HTTP/1.1 by ALPN); `None` without proxy rules.
    #[cfg(feature = "rustls")]
    pub(crate) proxy_tls: Option<Arc<rustls::ClientConfig>>,
    pub(crate) http2: bool,
    pub(crate) http2_prior_knowledge: bool,
    /// The HTTP/2 keep-alive PING interval (and how long to wait for its answer).
    #[cfg_attr(
        not(feature = "http2"),
        expect(dead_code, reason = "no HTTP/2 connection without the feature")
    )]
    pub(crate) http2_keep_alive: Option<Duration>,
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

struct State {
    hosts: Hosts,
    /// Connections open or being opened, across all origins.
    open: usize,
    /// Idle HTTP/1.1 connections, across all origins.
    idle: usize,
    /// Entries in `hosts` at which a new origin first drops the entries that hold nothing.
    /// Doubled from what is left after each sweep, so sweeping costs O(1) per new origin.
    sweep_hosts_at: usize,
    closed: bool,
}

impl Default for State {
    fn default() -> State {
        State {
            hosts: HashMap::default(),
            open: 0,
            idle: 0,
            sweep_hosts_at: MIN_HOST_SWEEP,
            closed: false,
        }
    }
}

/// The pool's origins.
type Hosts = HashMap<Key, Host, std::hash::BuildHasherDefault<Fnv>>;

#[derive(Default)]
struct Host {
    idle: Vec<Idle>,
    http2: Vec<Arc<Http2Conn>>,
    connecting: usize,
    /// The origin answered a connection without HTTP/2: no need to wait for the next one.
    /// Forgotten with the entry when the origin has no connection left.
    speaks_http1: bool,
}

impl Host {
    /// True when the entry holds no connection and none is being opened for it.
    fn is_empty(&self) -> bool {
        self.idle.is_empty() && self.http2.is_empty() && self.connecting == 0
    }
}

/// Removes `key`'s entry if it holds nothing.
fn forget_if_empty(hosts: &mut Hosts, key: &Key) {
    if hosts.get(key).is_some_and(Host::is_empty) {
        hosts.remove(key);
    }
}

/// An HTTP/1.1 connection: its sender, and the task that drives it. Dropping it stops the
/// task, closing the socket at once: a connection the pool lets go of may be stuck writing
/// a request body to a server that stopped reading, and hyper alone would keep it (and its
/// file descriptor) until the server gives up.
pub(crate) struct Http1Conn {
    sender: http1::SendRequest<Outgoing>,
    task: AbortHandle,
    remote: Option<SocketAddr>,
    /// The timer of the wait for each response head, kept from one request to the next:
    /// a new timer per request would be set and cancelled each time. It is made with the
    /// connection, on the runtime that runs the connection's task, so it lives no longer
    /// than the connection can be used (a timer outliving its runtime cannot be polled).
    head_timer: Deadline,
}

impl Http1Conn {
    pub(crate) fn new(
        sender: http1::SendRequest<Outgoing>,
        task: AbortHandle,
        remote: Option<SocketAddr>,
    ) -> Http1Conn {
        Http1Conn {
            sender,
            task,
            remote,
            head_timer: Deadline::on_this_runtime(),
        }
    }
}

impl Drop for Http1Conn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Idle {
    conn: Http1Conn,
    since: Instant,
    /// The thread whose own runtime drives this connection (see `own_runtime_thread`), or
    /// `None` when a shared runtime does and any request may use it.
    home: Option<u64>,
}

/// A shared HTTP/2 connection.
pub(crate) struct Http2Conn {
    sender: super::http2::Sender,
    /// Streams in flight.
    active: AtomicUsize,
    /// The server's SETTINGS_MAX_CONCURRENT_STREAMS, kept current by the connection task.
    server_max_streams: Arc<AtomicUsize>,
    idle_since: Mutex<Instant>,
    remote: Option<SocketAddr>,
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
    Http1(Http1Conn, Option<u64>),
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
        let deadline = timeout
            .pool
            .and_then(|limit| Some((crate::timeouts::after(limit)?, limit)));
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
                                Some((at, _)) => {
                                    crate::timeouts::until(changed, at).await.ok_or(())
                                }
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
                Found::Http1(conn, home) => {
                    // Leased before the wait: a request cancelled while it waits gives
                    // the slot back, and a connection that fails is closed and counted out.
                    let mut lease = self.lease(key, LeaseKind::Http1(Some(conn)), true);
                    lease.home = home;
                    if ready(&mut lease, deadline, timeout).await? {
                        crate::trace::event!(host = %key.host, reused = true, version = "HTTP/1.1", "connection reused from the pool");
                        return Ok(lease);
                    }
                }
                Found::Http2(conn) => {
                    crate::trace::event!(host = %key.host, reused = true, version = "HTTP/2", "connection reused from the pool");
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
            return Err(closed_error());
        }
        if !state.hosts.contains_key(key) {
            if state.hosts.len() >= state.sweep_hosts_at {
                state.hosts.retain(|_, host| !host.is_empty());
                state.sweep_hosts_at = (2 * state.hosts.len()).max(MIN_HOST_SWEEP);
            }
            state.hosts.insert(key.clone(), Host::default());
        }
        let State {
            hosts, open, idle, ..
        } = state;
        let Some(host) = hosts.get_mut(key) else {
            return Err(Error::builder("pool state lost its host"));
        };

        sweep_http2(&mut host.http2, open, limits, now);
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
            if conn.conn.sender.is_closed() || expired(limits, conn.since, now) {
                crate::trace::event!(host = %key.host, peer_closed = conn.conn.sender.is_closed(), "idle connection evicted");
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
            return Ok(Found::Http1(conn.conn, conn.home));
        }

        let may_be_http2 = self.shared.connector.may_be_http2(key) && !host.speaks_http1;
        if host.connecting > 0 && may_be_http2 {
            return Ok(Found::Wait);
        }
        let full = limits.max_connections.is_some_and(|max| *open >= max);
        if full {
            make_room(hosts, open, idle, limits, now);
            // Origins left with nothing (their connections swept or closed) go too.
            hosts.retain(|k, h| k == key || !h.is_empty());
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
        let mut guard = lock(&self.shared.state);
        let state = &mut *guard;
        // `close` keeps the entries of origins being connected to, so this one is here.
        let host = state.hosts.entry(key.clone()).or_default();
        host.connecting -= 1;
        // A connection that opens after the client was closed is closed at once.
        let connected = if state.closed {
            Err(closed_error())
        } else {
            connected
        };
        let result = match connected {
            Ok(Handshaken::Http1(conn)) => {
                if self.shared.connector.may_be_http2(key) {
                    host.speaks_http1 = true;
                }
                Ok(LeaseKind::Http1(Some(conn)))
            }
            Ok(Handshaken::Http2 {
                sender,
                server_max_streams,
                remote,
            }) => {
                let conn = Arc::new(Http2Conn {
                    sender,
                    active: AtomicUsize::new(1),
                    server_max_streams,
                    idle_since: Mutex::new(Instant::now()),
                    remote,
                });
                host.http2.push(conn.clone());
                Ok(LeaseKind::Http2(conn))
            }
            Err(e) => {
                state.open -= 1;
                forget_if_empty(&mut state.hosts, key);
                Err(e)
            }
        };
        drop(guard);
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
            request_body: None,
            home: None,
        }
    }

    /// Closes idle connections and refuses new requests.
    ///
    /// Connections in use are counted out when their leases drop, and connections being
    /// opened when their opening ends: the entries of origins being connected to stay
    /// (emptied) for that, so no connection is counted out twice.
    pub(crate) fn close(&self) {
        let mut guard = lock(&self.shared.state);
        let state = &mut *guard;
        state.closed = true;
        let mut closed = 0;
        let mut dropped = Vec::new();
        for host in state.hosts.values_mut() {
            closed += host.idle.len() + host.http2.len();
            dropped.push((
                std::mem::take(&mut host.idle),
                std::mem::take(&mut host.http2),
            ));
        }
        state.hosts.retain(|_, host| host.connecting > 0);
        state.idle = 0;
        state.open -= closed;
        crate::trace::event!(closed, "pool closed");
        drop(guard);
        // Closed outside the lock.
        drop(dropped);
        self.shared.notify();
    }

    /// The number of origins the pool keeps an entry for.
    #[cfg(test)]
    fn host_entries(&self) -> usize {
        lock(&self.shared.state).hosts.len()
    }
}

fn closed_error() -> Error {
    Error::builder("the client was closed")
}

/// True when a connection idle since `since` has outlived `keepalive_expiry`.
fn expired(limits: &Limits, since: Instant, now: Instant) -> bool {
    limits
        .keepalive_expiry
        .is_some_and(|e| now.duration_since(since) > e)
}

/// Counts out and drops the HTTP/2 connections that closed, or that carried no stream for
/// longer than `keepalive_expiry`. Streams are only taken under the state lock, which the
/// caller holds: none can start meanwhile.
fn sweep_http2(conns: &mut Vec<Arc<Http2Conn>>, open: &mut usize, limits: &Limits, now: Instant) {
    conns.retain(|conn| {
        let unused = conn.active.load(Ordering::Acquire) == 0;
        let dead =
            conn.sender.is_closed() || (unused && expired(limits, *lock(&conn.idle_since), now));
        if dead {
            crate::trace::event!(version = "HTTP/2", "connection evicted (closed or expired)");
            *open -= 1;
        }
        !dead
    });
}

/// Makes room in a full pool: counts out the connections of any origin that died or
/// expired, then, if the pool is still full, closes the connection that has been idle the
/// longest (an idle HTTP/1.1 one, or an HTTP/2 one carrying no stream).
fn make_room(hosts: &mut Hosts, open: &mut usize, idle: &mut usize, limits: &Limits, now: Instant) {
    for host in hosts.values_mut() {
        host.idle.retain(|conn| {
            let keep = !conn.conn.sender.is_closed() && !expired(limits, conn.since, now);
            if !keep {
                crate::trace::event!("idle connection evicted (closed or expired)");
                *idle -= 1;
                *open -= 1;
            }
            keep
        });
        sweep_http2(&mut host.http2, open, limits, now);
    }
    if limits.max_connections.is_some_and(|max| *open < max) {
        return;
    }
    enum Victim {
        Http1,
        Http2(usize),
    }
    let mut oldest: Option<(Instant, &mut Host, Victim)> = None;
    for host in hosts.values_mut() {
        let mut candidate = host.idle.first().map(|c| (c.since, Victim::Http1));
        for (i, conn) in host.http2.iter().enumerate() {
            if conn.active.load(Ordering::Acquire) == 0 {
                let since = *lock(&conn.idle_since);
                if candidate.as_ref().is_none_or(|(s, _)| since < *s) {
                    candidate = Some((since, Victim::Http2(i)));
                }
            }
        }
        if let Some((since, victim)) = candidate
            && oldest.as_ref().is_none_or(|(s, ..)| since < *s)
        {
            oldest = Some((since, host, victim));
        }
    }
    match oldest {
        Some((_, host, Victim::Http1)) => {
            crate::trace::event!(version = "HTTP/1.1", "idle connection evicted to make room");
            host.idle.remove(0);
            *idle -= 1;
            *open -= 1;
        }
        Some((_, host, Victim::Http2(i))) => {
            crate::trace::event!(version = "HTTP/2", "idle connection evicted to make room");
            host.http2.remove(i);
            *open -= 1;
        }
        None => {}
    }
}

/// Waits until a pooled HTTP/1.1 connection can take a request: at once, unless it is still
/// finishing its previous exchange. `Ok(false)` when it closed instead (the lease, dropped
/// by the caller, counts it out).
///
/// The wait is bounded by the pool timeout (this is still the wait for a pooled
/// connection), or by the read timeout when there is no pool timeout (the connection is
/// waiting for its peer); past it, the request fails with `PoolTimeout` and the connection
/// is closed.
async fn ready(
    lease: &mut Lease,
    deadline: Option<(Instant, Duration)>,
    timeout: &Timeout,
) -> Result<bool> {
    let LeaseKind::Http1(Some(conn)) = &mut lease.kind else {
        return Ok(false);
    };
    let sender = &mut conn.sender;
    // The usual case, a connection ready at once, sets no timer.
    let first = std::future::poll_fn(|cx| Poll::Ready(sender.poll_ready(cx))).await;
    let outcome = match first {
        Poll::Ready(outcome) => outcome,
        Poll::Pending => {
            let limit = deadline.or_else(|| timeout.read.map(|l| (Instant::now() + l, l)));
            match limit {
                None => sender.ready().await,
                Some((at, limit)) => {
                    let mut timer = Timer::at(at);
                    let waited = std::future::poll_fn(|cx| match sender.poll_ready(cx) {
                        Poll::Ready(outcome) => Poll::Ready(Some(outcome)),
                        Poll::Pending => timer.poll_elapsed(cx).map(|()| None),
                    })
                    .await;
                    match waited {
                        Some(outcome) => outcome,
                        None => {
                            return Err(Error::new(
                                ErrorKind::PoolTimeout,
                                format!(
                                    "the pooled connection was not ready for another request within {limit:?}"
                                ),
                            ));
                        }
                    }
                }
            }
        }
    };
    Ok(outcome.is_ok())
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
        forget_if_empty(&mut state.hosts, self.key);
        state.open -= 1;
        drop(state);
        self.pool.shared.notify();
    }
}

pub(crate) enum LeaseKind {
    Http1(Option<Http1Conn>),
    Http2(Arc<Http2Conn>),
}

/// A connection lent to one request, given back when dropped: for reuse if
/// [`set_reusable`](Lease::set_reusable) was called (the response was read to its end) and
/// the request body was handed over whole, closed otherwise.
pub(crate) struct Lease {
    pool: Pool,
    key: Key,
    pub(crate) kind: LeaseKind,
    reused: bool,
    reusable: bool,
    /// The request body being sent, if it has one.
    request_body: Option<Arc<WriteProgress>>,
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

    /// The server's address on this connection.
    pub(crate) fn remote_addr(&self) -> Option<SocketAddr> {
        match &self.kind {
            LeaseKind::Http1(conn) => conn.as_ref().and_then(|conn| conn.remote),
            LeaseKind::Http2(conn) => conn.remote,
        }
    }

    pub(crate) fn set_reusable(&mut self) {
        self.reusable = true;
    }

    /// Follows the request body sent on this connection: until it has all gone out, the
    /// connection is not reused.
    pub(crate) fn track_request_body(&mut self, progress: Option<Arc<WriteProgress>>) {
        self.request_body = progress;
    }

    /// The HTTP/1.1 sender, for sending, and the connection's timer for the head.
    pub(crate) fn http1(&mut self) -> Option<(&mut http1::SendRequest<Outgoing>, &mut Deadline)> {
        match &mut self.kind {
            LeaseKind::Http1(conn) => conn
                .as_mut()
                .map(|conn| (&mut conn.sender, &mut conn.head_timer)),
            LeaseKind::Http2(_) => None,
        }
    }

    /// The HTTP/2 sender, for sending.
    // `allow`, not `expect`: older compilers (the rust-version) do not see it unreachable.
    #[cfg_attr(
        not(feature = "http2"),
        allow(
            unreachable_code,
            reason = "no HTTP/2 lease exists without the feature"
        )
    )]
    pub(crate) fn http2(&self) -> Option<super::http2::Sender> {
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
            LeaseKind::Http1(conn) => {
                let Some(conn) = conn.take() else {
                    return;
                };
                let body_sent = self.request_body.as_ref().is_none_or(|p| p.complete());
                let mut state = lock(&shared.state);
                let room = shared
                    .limits
                    .max_keepalive_connections
                    .is_none_or(|max| state.idle < max);
                let keep =
                    self.reusable && body_sent && room && !state.closed && !conn.sender.is_closed();
                if keep {
                    state.idle += 1;
                    let idle = Idle {
                        conn,
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
                    crate::trace::event!(host = %self.key.host, reusable = self.reusable, body_sent, room, "connection closed");
                    state.open -= 1;
                    forget_if_empty(&mut state.hosts, &self.key);
                    drop(state);
                    drop(conn);
                }
            }
        }
        shared.notify();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::Body;
    use hyper_util::rt::TokioIo;

    fn pool(limits: Limits) -> Pool {
        let connector = Connector {
            dialer: Dialer::default(),
            #[cfg(feature = "rustls")]
            tls: crate::backend::native::tls::config(&crate::backend::TransportOptions::default())
                .unwrap(),
            #[cfg(feature = "rustls")]
            proxy_tls: None,
            http2: false,
            http2_prior_knowledge: false,
            http2_keep_alive: None,
        };
        Pool::new(limits, connector)
    }

    #[test]
    fn host_and_port_of_authorities() {
        for (authority, expected) in [
            ("example.com", Some(("example.com", None))),
            ("example.com:8080", Some(("example.com", Some(8080)))),
            ("example.com:", Some(("example.com", None))),
            ("user:pw@example.com:81", Some(("example.com", Some(81)))),
            ("[::1]", Some(("::1", None))),
            ("[::1]:8443", Some(("::1", Some(8443)))),
            ("u@[fe80::1]:1", Some(("fe80::1", Some(1)))),
            ("example.com:99999", None),
            ("[::1", None),
            (":80", None),
        ] {
            assert_eq!(host_and_port(authority), expected, "{authority}");
        }
    }

    fn key(port: u16) -> Key {
        Key {
            https: false,
            host: "origin.test".into(),
            port,
            proxy: None,
        }
    }

    /// Plays a connection attempt to `key` that fails (or is cancelled).
    fn fail_to_connect(pool: &Pool, key: &Key) {
        assert!(matches!(pool.find(key, false), Ok(Found::Open)));
        drop(Reservation {
            pool,
            key,
            done: false,
        });
    }

    #[test]
    fn origins_without_connections_leave_no_entry() {
        let pool = pool(Limits::default());
        for port in 1..=1000 {
            fail_to_connect(&pool, &key(port));
        }
        assert_eq!(pool.host_entries(), 0);
        assert_eq!(lock(&pool.shared.state).open, 0);
    }

    #[test]
    fn entries_of_waiting_origins_stay_bounded() {
        // One slot, held by a connection being opened: every other origin waits, and
        // leaves an entry behind it each time.
        let pool = pool(Limits::default().max_connections(1));
        let holder = key(0);
        assert!(matches!(pool.find(&holder, false), Ok(Found::Open)));
        for port in 1..=1000 {
            assert!(matches!(pool.find(&key(port), false), Ok(Found::Wait)));
        }
        assert!(
            pool.host_entries() <= 2,
            "{} entries for 1 connection",
            pool.host_entries()
        );
        drop(Reservation {
            pool: &pool,
            key: &holder,
            done: false,
        });
        // Without a limit, entries left empty are swept as new origins come.
        let unlimited = self::pool(Limits::default());
        {
            let mut state = lock(&unlimited.shared.state);
            for port in 1..=1000 {
                state.hosts.insert(key(port), Host::default());
            }
            state.sweep_hosts_at = 1000;
        }
        fail_to_connect(&unlimited, &key(5000));
        assert!(unlimited.host_entries() <= MIN_HOST_SWEEP);
    }

    #[test]
    fn closing_while_connecting_counts_the_connection_out_once() {
        let pool = pool(Limits::default().max_connections(1));
        let key = key(1);
        assert!(matches!(pool.find(&key, false), Ok(Found::Open)));
        pool.close();
        drop(Reservation {
            pool: &pool,
            key: &key,
            done: false,
        });
        assert_eq!(lock(&pool.shared.state).open, 0);
        assert_eq!(pool.host_entries(), 0);
        assert!(pool.find(&key, false).is_err(), "a closed pool refuses");
    }

    /// A connection still sending a body that never ends is not waited for past the
    /// limit: the wait is a `PoolTimeout`, and the slot is given back.
    #[tokio::test]
    async fn the_wait_for_a_busy_pooled_connection_is_bounded() {
        let pool = pool(Limits::default().max_connections(1));
        let key = key(1);
        assert!(matches!(pool.find(&key, false), Ok(Found::Open)));
        lock(&pool.shared.state)
            .hosts
            .entry(key.clone())
            .or_default()
            .connecting -= 1;

        // The server end is never read beyond the buffer: the body stays in flight.
        let (io, _server) = tokio::io::duplex(1024);
        let (mut sender, conn) = http1::Builder::new()
            .handshake::<_, Outgoing>(TokioIo::new(io))
            .await
            .unwrap();
        let task = tokio::spawn(async move {
            let _ = conn.await;
        });
        let endless =
            futures_util::stream::pending::<std::result::Result<bytes::Bytes, std::io::Error>>();
        let request = http::Request::post("/")
            .body(Outgoing::new(Body::from_stream(endless, None)))
            .unwrap();
        let in_flight = sender.send_request(request);
        let mut lease = pool.lease(
            &key,
            LeaseKind::Http1(Some(Http1Conn::new(sender, task.abort_handle(), None))),
            true,
        );
        let limit = Duration::from_millis(100);
        let timeout = Timeout::none().pool(limit);
        let started = Instant::now();
        let waited = ready(&mut lease, Some((started + limit, limit)), &timeout).await;
        assert_eq!(waited.unwrap_err().kind(), ErrorKind::PoolTimeout);
        assert!(started.elapsed() < Duration::from_secs(2));
        drop(in_flight);
        drop(lease);
        assert_eq!(lock(&pool.shared.state).open, 0, "the slot is back");
        assert!(
            task.await.unwrap_err().is_cancelled(),
            "the connection is stopped"
        );
    }
}
