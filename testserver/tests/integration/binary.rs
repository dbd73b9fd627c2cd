use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::client::connect_https;

const BINARY: &str = env!("CARGO_BIN_EXE_httplib-testserver");

#[tokio::test]
async fn binary_prints_urls_serves_and_exits_when_stdin_closes() {
    let dir = std::env::temp_dir().join(format!("httplib-testserver-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    let port_file = dir.join("ports.json");
    let mut child = Command::new(BINARY)
        .arg("--ca-file")
        .arg(&ca_file)
        .arg(format!("--port-file={}", port_file.display()))
        .arg("--exit-on-stdin-close")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(std::fs::read_to_string(&port_file).unwrap(), line);
    assert_eq!(info["ca_file"], ca_file.display().to_string());
    for key in ["http", "https", "https_h1", "https_h2_limited"] {
        assert!(info[key].is_string(), "{key} in {line}");
    }

    let https = info["https"].as_str().unwrap();
    let port: u16 = https.rsplit(':').next().unwrap().parse().unwrap();
    let ca_pem = std::fs::read_to_string(&ca_file).unwrap();
    let (client, _) = connect_https(([127, 0, 0, 1], port).into(), &ca_pem, &[b"h2"]).await;
    let reply = client.get(&format!("{https}/http-version")).await;
    assert_eq!(reply.text(), "HTTP/2");

    drop(child.stdin.take());
    let status = wait(&mut child, Duration::from_secs(5));
    assert_eq!(status.and_then(|s| s.code()), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn binary_rejects_bad_flags_with_exit_code_2() {
    for args in [&["--bogus"][..], &["--http-port", "x"], &["--http-port"]] {
        let output = Command::new(BINARY).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("usage:"));
    }
}

/// Waits for `child` at most `limit`, killing it after that.
fn wait(child: &mut std::process::Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    None
}
