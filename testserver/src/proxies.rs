//! Real proxies for the proxy tests: Debian's tinyproxy (HTTP forward and `CONNECT`, with
//! or without Basic auth), squid (an HTTPS proxy: TLS to the proxy itself) and microsocks
//! (SOCKS5, with or without username/password), each started on a free loopback port with
//! a configuration of its own, its log captured so that a test can prove a request went
//! through it, and stopped (by its PID) when dropped. `ci.sh` installs them; a missing
//! binary is an error that says so, never a skip.

use std::fs;
use std::io::{self, Read};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// A proxy server running as a child process, stopped when dropped.
pub struct ExternalProxy {
    child: Child,
    port: u16,
    scheme: &'static str,
    credentials: Option<(String, String)>,
    log: Arc<Mutex<String>>,
    /// A log the proxy writes to a file (squid's access log), read with the captured output.
    log_file: Option<PathBuf>,
    /// The CA that signed the proxy's own certificate (an HTTPS proxy), PEM.
    ca_pem: Option<String>,
    /// Files the proxy leaves behind when killed (squid's shared memory in /dev/shm).
    leftovers: Vec<PathBuf>,
    dir: PathBuf,
}

/// Each proxy's own configuration directory.
static NEXT: AtomicU64 = AtomicU64::new(0);

impl ExternalProxy {
    /// tinyproxy on 127.0.0.1, any `CONNECT` port allowed, with Basic auth when
    /// `credentials` are given (tinyproxy answers a missing `Proxy-Authorization` with
    /// 407, and a wrong one with 401).
    ///
    /// # Errors
    /// tinyproxy is not installed, or did not start listening within 10 s.
    pub fn tinyproxy(credentials: Option<(&str, &str)>) -> io::Result<ExternalProxy> {
        let dir = private_dir("tinyproxy")?;
        let port = free_port()?;
        let mut config = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 60\nLogLevel Connect\nMaxClients 100\n\
             Allow 127.0.0.1\n"
        );
        if let Some((user, password)) = credentials {
            config.push_str(&format!("BasicAuth {user} {password}\n"));
        }
        let path = dir.join("tinyproxy.conf");
        fs::write(&path, config)?;
        let mut command = Command::new("tinyproxy");
        command.arg("-d").arg("-c").arg(&path);
        ExternalProxy::spawn(command, "tinyproxy", port, "http", credentials, dir)
    }

    /// squid as an HTTPS proxy on 127.0.0.1 (`https_port`: clients speak TLS to it, with a
    /// certificate for 127.0.0.1 signed by [`ca_pem`](Self::ca_pem)), forwarding `http://`
    /// requests and opening `CONNECT` tunnels. With `credentials`, it demands Basic
    /// credentials (407 without) through squid's `basic_fake_auth`, which takes any
    /// password: its access log names the user each request came with.
    ///
    /// # Errors
    /// squid is not installed, or did not start listening within 10 s.
    pub fn squid_https(credentials: Option<(&str, &str)>) -> io::Result<ExternalProxy> {
        let dir = private_dir("squid")?;
        // squid started as root runs as the `proxy` user: it must write here.
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o777))?;
        let port = free_port()?;
        let certs = crate::tls::Certs::generate().map_err(io::Error::other)?;
        let (cert, key) = (dir.join("proxy.pem"), dir.join("proxy.key"));
        fs::write(&cert, &certs.leaf_pem)?;
        fs::write(&key, &certs.leaf_key_pem)?;
        fs::set_permissions(&key, fs::Permissions::from_mode(0o644))?;
        let access_log = dir.join("access.log");
        let lines = [
            format!(
                "https_port 127.0.0.1:{port} tls-cert={} tls-key={}",
                cert.display(),
                key.display()
            ),
            format!("pid_filename {}", dir.join("squid.pid").display()),
            format!("access_log stdio:{}", access_log.display()),
            format!("cache_log {}", dir.join("cache.log").display()),
            format!("coredump_dir {}", dir.display()),
            "cache deny all".into(),
            "cache_mem 8 MB".into(),
            "visible_hostname localhost".into(),
            "pinger_enable off".into(),
            "shutdown_lifetime 0 seconds".into(),
            // The log shows whole URLs, query included.
            "strip_query_terms off".into(),
            "acl local src 127.0.0.1/32".into(),
        ];
        let mut config = lines.join("\n");
        if credentials.is_some() {
            config.push_str(
                "\nauth_param basic program /usr/lib/squid/basic_fake_auth\n\
                 acl authed proxy_auth REQUIRED\nhttp_access allow local authed",
            );
        } else {
            config.push_str("\nhttp_access allow local");
        }
        config.push_str("\nhttp_access deny all\n");
        let path = dir.join("squid.conf");
        fs::write(&path, config)?;
        // /usr/sbin may not be on a user's PATH.
        let binary = Path::new("/usr/sbin/squid");
        let mut command = Command::new(if binary.exists() {
            binary
        } else {
            Path::new("squid")
        });
        // In the foreground, its startup messages on stderr (captured in the log), and a
        // service name of its own: squid names its shared memory after it, so that
        // squids running side by side (tests in parallel) would otherwise collide.
        // (Letters and digits only, as squid asks.)
        let service: String = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        command
            .args(["-N", "-d", "1", "-n", &service, "-f"])
            .arg(&path);
        let mut proxy = ExternalProxy::spawn(command, "squid", port, "https", credentials, dir)?;
        proxy.log_file = Some(access_log);
        proxy.ca_pem = Some(certs.ca_pem);
        proxy.leftovers = [
            "cf__metadata",
            "cf__queues",
            "cf__readers",
            "tls_session_cache",
        ]
        .iter()
        .map(|segment| PathBuf::from(format!("/dev/shm/{service}-{segment}.shm")))
        .collect();
        Ok(proxy)
    }

    /// microsocks (SOCKS5) on 127.0.0.1, with username/password auth (RFC 1929) when
    /// `credentials` are given.
    ///
    /// # Errors
    /// microsocks is not installed, or did not start listening within 10 s.
    pub fn microsocks(credentials: Option<(&str, &str)>) -> io::Result<ExternalProxy> {
        let dir = private_dir("microsocks")?;
        let port = free_port()?;
        let mut command = Command::new("microsocks");
        command.args(["-i", "127.0.0.1", "-p", &port.to_string()]);
        if let Some((user, password)) = credentials {
            command.args(["-u", user, "-P", password]);
        }
        ExternalProxy::spawn(command, "microsocks", port, "socks5", credentials, dir)
    }

    fn spawn(
        mut command: Command,
        name: &str,
        port: u16,
        scheme: &'static str,
        credentials: Option<(&str, &str)>,
        dir: PathBuf,
    ) -> io::Result<ExternalProxy> {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("cannot run {name} (ci.sh installs it: apt-get install {name}): {e}"),
                )
            })?;
        let log = Arc::new(Mutex::new(String::new()));
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let log = log.clone();
            thread::spawn(move || collect(stream, &log));
        }
        let proxy = ExternalProxy {
            child,
            port,
            scheme,
            credentials: credentials.map(|(u, p)| (u.to_owned(), p.to_owned())),
            log,
            log_file: None,
            ca_pem: None,
            leftovers: Vec::new(),
            dir,
        };
        proxy.wait_listening(name)?;
        Ok(proxy)
    }

    fn wait_listening(&self, name: &str) -> io::Result<()> {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).is_ok() {
                return Ok(());
            }
            thread::sleep(Duration::from_millis(20));
        }
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "{name} did not listen on port {} within 10 s: {}",
                self.port,
                self.log()
            ),
        ))
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its URL, without credentials: `http://127.0.0.1:PORT` or `socks5://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("{}://127.0.0.1:{}", self.scheme, self.port)
    }

    /// Its URL with the credentials it was started with, if any.
    pub fn url_with_credentials(&self) -> String {
        match &self.credentials {
            Some((user, password)) => {
                format!(
                    "{}://{user}:{password}@127.0.0.1:{}",
                    self.scheme, self.port
                )
            }
            None => self.url(),
        }
    }

    /// The CA that signed an HTTPS proxy's certificate (PEM), for the client to trust.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// What it has logged so far (tinyproxy: each request line; squid: its access log, a
    /// line per request with the user; microsocks: each connection it made).
    pub fn log(&self) -> String {
        let mut log = self
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(file) = &self.log_file {
            log.push_str(&fs::read_to_string(file).unwrap_or_default());
        }
        log
    }

    /// Waits up to 5 s for `needle` to appear in its log (logs are written as the proxy
    /// goes, a little after the exchange); true if it did.
    pub fn logged(&self, needle: &str) -> bool {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(5) {
            if self.log().contains(needle) {
                return true;
            }
            thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

impl Drop for ExternalProxy {
    fn drop(&mut self) {
        // The child is ours: killed through its own handle (its PID), then reaped.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
        for file in &self.leftovers {
            let _ = fs::remove_file(file);
        }
    }
}

fn collect(mut stream: Box<dyn Read + Send>, log: &Mutex<String>) {
    let mut buffer = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buffer) {
        if n == 0 {
            break;
        }
        log.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_str(&String::from_utf8_lossy(&buffer[..n]));
    }
}

fn private_dir(name: &str) -> io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "httplib-{name}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// A port nothing listens on now (bound, then released: the proxy binds it right after).
fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// Sends `request` to the proxy and returns the first line of what comes back.
    fn exchange(port: u16, request: &str) -> String {
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = [0u8; 256];
        let n = stream.read(&mut answer).unwrap();
        String::from_utf8_lossy(&answer[..n])
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn tinyproxy_forwards_and_asks_for_credentials() {
        let origin = crate::TestServer::start();
        let plain = ExternalProxy::tinyproxy(None).unwrap();
        let url = origin.http_url("/echo");
        let line = exchange(
            plain.port(),
            &format!("GET {url} HTTP/1.1\r\nHost: x\r\n\r\n"),
        );
        assert!(
            line.starts_with("HTTP/1.") && line.contains("200"),
            "{line}"
        );
        assert!(plain.logged("GET http://127.0.0.1"), "{}", plain.log());

        let guarded = ExternalProxy::tinyproxy(Some(("alice", "s3cret"))).unwrap();
        let line = exchange(
            guarded.port(),
            &format!("GET {url} HTTP/1.1\r\nHost: x\r\n\r\n"),
        );
        assert!(line.contains("407"), "{line}");
        assert_eq!(
            guarded.url_with_credentials(),
            format!("http://alice:s3cret@127.0.0.1:{}", guarded.port())
        );
    }

    #[test]
    fn microsocks_greets_in_socks5() {
        let open = ExternalProxy::microsocks(None).unwrap();
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, open.port())).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        // Version 5, one method: no authentication.
        stream.write_all(&[5, 1, 0]).unwrap();
        let mut answer = [0u8; 2];
        stream.read_exact(&mut answer).unwrap();
        assert_eq!(answer, [5, 0]);

        let guarded = ExternalProxy::microsocks(Some(("bob", "pw"))).unwrap();
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, guarded.port())).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        stream.write_all(&[5, 1, 0]).unwrap();
        stream.read_exact(&mut answer).unwrap();
        assert_eq!(
            answer,
            [5, 0xff],
            "no acceptable method without credentials"
        );
        assert!(guarded.url().starts_with("socks5://127.0.0.1:"));
    }
}
