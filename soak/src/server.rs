//! The test server as a child process, so that what the soak measures (RSS, fds) is the
//! client's alone. Started the way ci.sh starts it (`--port-file`, `--ca-file`,
//! `--exit-on-stdin-close`), killed by its PID when the soak ends.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the server may take to write its port file.
const START_LIMIT: Duration = Duration::from_secs(30);
const START_POLL: Duration = Duration::from_millis(20);

/// A running test server process and its scratch directory.
pub struct ServerProcess {
    child: Child,
    /// The write end of the server's stdin: if the soak dies without killing it, the
    /// server sees end of file and stops by itself.
    _stdin: Option<ChildStdin>,
    dir: PathBuf,
    /// `http://127.0.0.1:PORT` (HTTP/1.1).
    pub http: String,
    /// `https://localhost:PORT` (TLS, ALPN h2 and http/1.1).
    pub https: String,
    /// The PEM of the CA that signed the server's certificate.
    pub ca_pem: String,
}

impl ServerProcess {
    /// Starts `program` (an `httplib-testserver` binary, or this binary with `--serve`,
    /// which takes the same arguments) and waits for its port file.
    pub fn start(program: &Path, leading_args: &[&str]) -> Result<ServerProcess, String> {
        let dir = std::env::temp_dir().join(format!("httplib-soak-{}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let port_file = dir.join("ports.json");
        let ca_file = dir.join("ca.pem");
        let log_path = dir.join("server.log");
        let log = File::create(&log_path)
            .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        let log_too = log
            .try_clone()
            .map_err(|e| format!("cannot share the log: {e}"))?;
        let mut child = Command::new(program)
            .args(leading_args)
            .arg("--port-file")
            .arg(&port_file)
            .arg("--ca-file")
            .arg(&ca_file)
            .arg("--exit-on-stdin-close")
            .stdin(Stdio::piped())
            .stdout(log)
            .stderr(log_too)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
        let stdin = child.stdin.take();
        let mut server = ServerProcess {
            child,
            _stdin: stdin,
            dir,
            http: String::new(),
            https: String::new(),
            ca_pem: String::new(),
        };
        server.wait_for_ports(&port_file, &ca_file, &log_path)?;
        Ok(server)
    }

    /// The server's PID, for reading its fds.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn wait_for_ports(
        &mut self,
        port_file: &Path,
        ca_file: &Path,
        log: &Path,
    ) -> Result<(), String> {
        let started = Instant::now();
        let line = loop {
            // The server writes its files through a rename: present means complete.
            if let Ok(line) = std::fs::read_to_string(port_file) {
                break line;
            }
            let log_text = || std::fs::read_to_string(log).unwrap_or_default();
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("the test server exited ({status}): {}", log_text()));
            }
            if started.elapsed() > START_LIMIT {
                return Err(format!(
                    "the test server wrote no port file in {START_LIMIT:?}: {}",
                    log_text()
                ));
            }
            std::thread::sleep(START_POLL);
        };
        let ports: serde_json::Value =
            serde_json::from_str(&line).map_err(|e| format!("bad port file {line:?}: {e}"))?;
        let url = |key: &str| {
            ports[key]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("no {key:?} in the port file {line:?}"))
        };
        self.http = url("http")?;
        self.https = url("https")?;
        self.ca_pem = std::fs::read_to_string(ca_file)
            .map_err(|e| format!("cannot read {}: {e}", ca_file.display()))?;
        Ok(())
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // Child::kill signals this child's PID (SIGKILL); wait reaps it.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
