//! The public suffix list for the npm package in Node: the crate's cookie jar refuses a
//! cookie whose `Domain` is a public suffix (`com`, `co.uk`, `github.io`) with the `psl`
//! crate natively, and the package's main wasm leaves the list out (it would more than
//! double that wasm), refusing only top-level domains. Browsers keep cookies in their own
//! jar, which has the list; Node uses the front-end's jar, so the package's Node entry point
//! asks this: the `psl` crate alone, compiled to its own small wasm, read from disk the
//! first time a cookie names a `Domain`.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::*;

/// True when `domain` (lowercase, without a trailing dot, as the cookie jar hands it over)
/// is itself a public suffix: `com`, `co.uk`, `github.io`, names under which anyone may
/// register. The same test as the crate's native jar.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = isPublicSuffix))]
pub fn is_public_suffix(domain: &str) -> bool {
    psl::suffix_str(domain) == Some(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_of_the_list_and_only_those() {
        for suffix in ["com", "io", "co.uk", "github.io", "s3.amazonaws.com"] {
            assert!(is_public_suffix(suffix), "{suffix}");
        }
        for domain in ["example.com", "evil.github.io", "example.co.uk", "uk.co"] {
            assert!(!is_public_suffix(domain), "{domain}");
        }
    }
}
