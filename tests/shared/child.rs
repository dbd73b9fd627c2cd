//! Running one test of the current test binary in a child process with an environment of
//! its own: for behaviour read from process-wide variables (`SSL_CERT_FILE`,
//! `HTTP_PROXY`...), so that no test sets a variable in the shared test process.

use std::ffi::OsString;
use std::process::Command;

/// Runs the test `name` of this binary in a child process, without the variables
/// `remove` and with `env`; the child's failure is the caller's.
pub fn run_in_child(name: &str, remove: &[&str], env: &[(&str, OsString)]) {
    let mut command = Command::new(std::env::current_exe().expect("the test binary's path"));
    command.args([name, "--exact", "--nocapture", "--test-threads", "1"]);
    for key in remove {
        command.env_remove(key);
    }
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("the child test runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "the child failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}
