//! `httplib-soak --serve`: this binary as the test server, with the arguments of the
//! `httplib-testserver` binary that the soak uses. Running itself means one `cargo run`
//! builds both in the same profile (a debug server under a release soak would be the
//! bottleneck) and a stale server binary is never picked up.

use std::io::Read;
use std::path::PathBuf;

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
    server
        .publish(Some(&port_file), Some(&ca_file))
        .map_err(|e| e.to_string())?;
    // Serve until the soak closes our stdin (or kills us).
    let mut sink = [0u8; 256];
    while let Ok(1..) = std::io::stdin().read(&mut sink) {}
    drop(server);
    Ok(())
}
