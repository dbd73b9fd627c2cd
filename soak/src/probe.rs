//! What the soak measures of a process: resident memory and open file descriptors, read
//! from Linux's /proc (elsewhere they read as `None`).

/// A field of `/proc/{pid}/status` in KiB (`"VmRSS:"`, `"VmHWM:"`); `pid` "self" is us.
pub fn status_kib(pid: &str, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Our resident set size (`VmRSS`), in KiB.
pub fn rss_kib() -> Option<u64> {
    status_kib("self", "VmRSS:")
}

/// How many file descriptors process `pid` ("self" for us) has open: the entries of
/// `/proc/{pid}/fd`, less the one `read_dir` itself holds while it lists them.
pub fn open_fds(pid: &str) -> Option<u64> {
    let entries = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
    let count = entries.count() as u64;
    Some(if pid == "self" {
        count.saturating_sub(1)
    } else {
        count
    })
}
