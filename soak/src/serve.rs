//! `httplib-soak --serve`: this binary as the test server, with the arguments of the
//! `httplib-testserver` binary that the soak uses. Running itself means one `cargo run`
//! builds both in the same profile (a debug server under a release soak would be the
//! bottleneck) and a stale server binary is never picked up.

use std::io::Read;
use std::path::{Path, PathBuf};

use httplib_testserver::{TestServer, TestServerOptions};

/// `--port-file P --ca-file C --exit-on-stdin-close`, all required.
pub fn serve(mut args: impl Iterator<Item = String>) -> Result<(), String> {
    let mut port_file = None;
    let mut ca_file = None;
    let mut until_stdin_closes = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port-file" => port_file = args.next().map(PathBuf::from),
            "--ca-file" => ca_file = args.next().map(PathBuf::from),
            "--exit-on-stdin-close" => until_stdin_closes = true,
            _ => return Err(format!("--serve: unknown argument {arg:?}")),
        }
    }
    let (Some(port_file), Some(ca_file), true) = (port_file, ca_file, until_stdin_closes) else {
        return Err("--serve needs --port-file P --ca-file C --exit-on-stdin-close".to_owned());
    };
    let server = TestServer::start_with(TestServerOptions::default())
        .map_err(|e| format!("the test server cannot start: {e}"))?;
    write_atomically(&ca_file, server.ca_pem())?;
    let ports = serde_json::json!({
        "http": server.http_url(""),
        "https": server.https_url(""),
    });
    write_atomically(&port_file, &format!("{ports}\n"))?;
    // Serve until the soak closes our stdin (or kills us).
    let mut sink = [0u8; 256];
    while let Ok(1..) = std::io::stdin().read(&mut sink) {}
    drop(server);
    Ok(())
}

/// Through a temporary file and a rename, so the soak never reads a half-written file.
fn write_atomically(path: &Path, contents: &str) -> Result<(), String> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    std::fs::write(&temporary, contents)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}
