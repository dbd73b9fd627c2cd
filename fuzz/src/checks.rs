//! Switches for invariants that known, not-yet-fixed defects break (issue 8): while a
//! defect's switch is off, inputs that break its invariant are counted and reported as
//! "known" instead of failing the run, so the harness can land before the fix.

/// The defects whose invariants are enforced (fail the run) by default. Add a defect here
/// in the commit that merges its fix.
pub const ENFORCED_BY_DEFAULT: &[Defect] = &Defect::ALL;

/// A defect of issue 8 that one of the targets' invariants catches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Defect {
    /// Content-Encoding chains: more than 5 codings must be a Decode error; several header
    /// lines are one list. Also lifts the generator's cap of 9 codings (the stack overflow).
    D1,
    /// A relative-looking URL must not leave the base_url's origin.
    D2,
    /// A relative-looking URL must stay under the base_url's path (`..` included).
    D2Path,
    /// `lines()` caps a line (1 MiB): longer is an error. Also turns on long-line inputs.
    D8,
    /// A cookie for a public suffix (`Domain=github.io`) is refused.
    D10,
    /// A supported Digest challenge is found after an unsupported one.
    D14,
    /// Not in the issue (found by this harness): a `-sess` Digest challenge without `qop`
    /// is answered with an HA1 that hashes a cnonce the answer does not send, so no
    /// server can check it (src/auth/digest.rs, `DigestAuth::answer`).
    DigestSess,
}

impl Defect {
    /// Every defect, in the order of the issue.
    pub const ALL: [Defect; 7] = [
        Defect::D1,
        Defect::D2,
        Defect::D2Path,
        Defect::D8,
        Defect::D10,
        Defect::D14,
        Defect::DigestSess,
    ];

    /// The name used on the command line and in `HTTPLIB_FUZZ_STRICT`.
    pub fn name(self) -> &'static str {
        match self {
            Defect::D1 => "D1",
            Defect::D2 => "D2",
            Defect::D2Path => "D2path",
            Defect::D8 => "D8",
            Defect::D10 => "D10",
            Defect::D14 => "D14",
            Defect::DigestSess => "digest-sess",
        }
    }

    fn parse(name: &str) -> Option<Defect> {
        Defect::ALL
            .into_iter()
            .find(|d| d.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// Which defects' invariants are enforced in a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checks {
    enforced: [bool; Defect::ALL.len()],
}

impl Checks {
    /// The checks of [`ENFORCED_BY_DEFAULT`], overridden by `HTTPLIB_FUZZ_STRICT` when set.
    pub fn from_env() -> Result<Checks, String> {
        match std::env::var("HTTPLIB_FUZZ_STRICT") {
            Ok(list) => Checks::parse(&list),
            Err(_) => Ok(Checks::default_enforced()),
        }
    }

    /// The checks of [`ENFORCED_BY_DEFAULT`].
    pub fn default_enforced() -> Checks {
        let mut checks = Checks::default();
        for &d in ENFORCED_BY_DEFAULT {
            checks.set(d, true);
        }
        checks
    }

    /// Parses `D2,D8`, `all` or `none` (`default` for [`ENFORCED_BY_DEFAULT`]).
    pub fn parse(list: &str) -> Result<Checks, String> {
        let mut checks = Checks::default();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match name.to_ascii_lowercase().as_str() {
                "all" => Defect::ALL.into_iter().for_each(|d| checks.set(d, true)),
                "none" => checks = Checks::default(),
                "default" => checks = Checks::default_enforced(),
                _ => {
                    let defect = Defect::parse(name).ok_or_else(|| {
                        format!("unknown defect {name:?} (one of D1 D2 D2path D8 D10 D14 digest-sess, all, none)")
                    })?;
                    checks.set(defect, true);
                }
            }
        }
        Ok(checks)
    }

    /// Turns the check of `defect` on or off.
    pub fn set(&mut self, defect: Defect, on: bool) {
        self.enforced[Defect::ALL.iter().position(|&d| d == defect).unwrap_or(0)] = on;
    }

    /// Whether breaking the invariant of `defect` is a finding.
    pub fn enforces(&self, defect: Defect) -> bool {
        Defect::ALL
            .iter()
            .position(|&d| d == defect)
            .is_some_and(|i| self.enforced[i])
    }

    /// The enforced defects' names, for the run's header line.
    pub fn names(&self) -> Vec<&'static str> {
        Defect::ALL
            .into_iter()
            .filter(|&d| self.enforces(d))
            .map(Defect::name)
            .collect()
    }
}
