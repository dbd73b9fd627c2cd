//! `httplib-testserver`: the test server as a process, for Node and browser test scripts.
//!
//! Prints one line of JSON with the listeners' URLs on stdout (and to `--port-file`), then
//! serves until SIGINT/SIGTERM, or until stdin closes with `--exit-on-stdin-close`.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use httplib_testserver::{TestServer, TestServerOptions};
use tokio::io::AsyncReadExt;

const USAGE: &str = "\
usage: httplib-testserver [OPTIONS]

  --port-file PATH          also write the JSON line of URLs to PATH
  --ca-file PATH            write the PEM of the CA that signed the server certificate to PATH
  --http-port P             port of the cleartext listener (HTTP/1.1 and h2c)   [default: ephemeral]
  --https-port P            port of the TLS listener offering h2 and http/1.1  [default: ephemeral]
  --https-h1-port P         port of the TLS listener offering http/1.1 only   [default: ephemeral]
  --https-h2-limited-port P port of the TLS listener with 2 concurrent h2 streams [default: ephemeral]
  --exit-on-stdin-close     stop when standard input reaches end of file
  -h, --help                print this help

Prints {\"http\", \"https\", \"https_h1\", \"https_h2_limited\", \"ca_file\"} as one JSON line,
then serves until SIGINT or SIGTERM.";

/// The parsed command line.
#[derive(Default)]
struct Args {
    port_file: Option<PathBuf>,
    ca_file: Option<PathBuf>,
    options: TestServerOptions,
    exit_on_stdin_close: bool,
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args_os().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("httplib-testserver: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("httplib-testserver: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let server = TestServer::start_with(args.options).map_err(|e| format!("cannot start: {e}"))?;
    let line = server
        .publish(args.port_file.as_deref(), args.ca_file.as_deref())
        .map_err(|e| e.to_string())?;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(line.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))?;
    drop(stdout);

    wait_for_stop(args.exit_on_stdin_close)?;
    drop(server);
    Ok(())
}

/// Blocks until SIGINT, SIGTERM or (if asked) the end of stdin.
fn wait_for_stop(exit_on_stdin_close: bool) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    runtime.block_on(async {
        let interrupt = async {
            // Without a handler (it failed to install), only the other ways stop us.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        let stdin_closed = async {
            if !exit_on_stdin_close {
                return std::future::pending::<()>().await;
            }
            let mut stdin = tokio::io::stdin();
            let mut buf = [0u8; 1024];
            while let Ok(1..) = stdin.read(&mut buf).await {}
        };
        tokio::select! {
            () = interrupt => {}
            () = terminated() => {}
            () = stdin_closed => {}
        }
    });
    // The stdin reader blocks a thread in read(2); do not wait for it.
    runtime.shutdown_background();
    Ok(())
}

#[cfg(unix)]
async fn terminated() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut sigterm) => {
            sigterm.recv().await;
        }
        Err(_) => std::future::pending::<()>().await,
    }
}

#[cfg(not(unix))]
async fn terminated() {
    std::future::pending::<()>().await
}

/// `Ok(None)` means help was asked for.
fn parse_args(args: impl Iterator<Item = OsString>) -> Result<Option<Args>, String> {
    let mut parsed = Args::default();
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let arg = arg
            .into_string()
            .map_err(|a| format!("argument {a:?} is not UTF-8"))?;
        // Accept both `--flag value` and `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        let mut value = || -> Result<String, String> {
            match &inline {
                Some(value) => Ok(value.clone()),
                None => args
                    .next()
                    .and_then(|v| v.into_string().ok())
                    .ok_or_else(|| format!("{flag} needs a value")),
            }
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--port-file" => parsed.port_file = Some(value()?.into()),
            "--ca-file" => parsed.ca_file = Some(value()?.into()),
            "--http-port" => parsed.options.http_port = port(&flag, &value()?)?,
            "--https-port" => parsed.options.https_port = port(&flag, &value()?)?,
            "--https-h1-port" => parsed.options.https_h1_port = port(&flag, &value()?)?,
            "--https-h2-limited-port" => {
                parsed.options.https_h2_limited_port = port(&flag, &value()?)?
            }
            "--exit-on-stdin-close" if inline.is_none() => parsed.exit_on_stdin_close = true,
            _ => return Err(format!("unknown argument {flag:?}")),
        }
    }
    Ok(Some(parsed))
}

fn port(flag: &str, value: &str) -> Result<u16, String> {
    value
        .parse()
        .map_err(|_| format!("{flag} needs a port number (0-65535), not {value:?}"))
}
