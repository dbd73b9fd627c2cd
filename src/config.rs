//! The options a client sets and a request may override: each one defined once, here,
//! with its default. A client holds a full [`Config`]; a request holds an [`Overlay`] of
//! the options it sets itself; a layer reads the one in force through [`Effective`].
//!
//! Adding an option is one line in the table below, a setter on `ClientBuilder` and one on
//! `RequestBuilder` (and a row in the JS options table); the layer that uses it reads
//! `effective.name()`.

use crate::auth::Auth;
use crate::limits::Timeout;
use crate::progress::ProgressFn;
use crate::redirect::Policy;
use crate::retry::Retry;

/// Declares the options: the client's `Config`, the request's `Overlay` and the
/// `Effective` view that merges the two (the request's value, else the client's).
macro_rules! options {
    ($( $(#[$doc:meta])* $name:ident : $ty:ty = $default:expr, )*) => {
        /// Every option a client sets for its requests.
        #[derive(Clone, Debug)]
        pub(crate) struct Config {
            $( $(#[$doc])* pub(crate) $name: $ty, )*
        }

        impl Default for Config {
            fn default() -> Config {
                Config { $( $name: $default, )* }
            }
        }

        /// The options one request sets over its client's.
        #[derive(Clone, Debug, Default)]
        pub(crate) struct Overlay {
            $( $(#[$doc])* pub(crate) $name: Option<$ty>, )*
        }

        impl Effective<'_> {
            $(
                $(#[$doc])*
                #[allow(dead_code)] // not every option is read on every target
                pub(crate) fn $name(&self) -> &$ty {
                    match self.request.and_then(|overlay| overlay.$name.as_ref()) {
                        Some(value) => value,
                        None => &self.client.$name,
                    }
                }
            )*
        }
    };
}

options! {
    /// The four timeouts (see [`Timeout`]).
    timeout: Timeout = Timeout::default(),
    /// Whether redirects are followed.
    follow_redirects: bool = false,
    /// The most redirects followed before `TooManyRedirects`.
    max_redirects: usize = crate::client::DEFAULT_MAX_REDIRECTS,
    /// Credentials for the request's origin.
    auth: Option<Auth> = None,
    /// The cap on a decoded (decompressed) body.
    max_decoded_size: Option<u64> = Some(crate::client::DEFAULT_MAX_DECODED_SIZE),
    /// When failed requests are sent again (never, by default).
    retry: Retry = Retry::none(),
    /// Decides, redirect by redirect, whether to follow.
    redirect_policy: Option<Policy> = None,
    /// Called as the request body is sent.
    on_upload_progress: Option<ProgressFn> = None,
    /// Called as the response body is read.
    on_download_progress: Option<ProgressFn> = None,
}

/// The options in force for one request: the ones it sets, else its client's.
#[derive(Clone, Copy)]
pub(crate) struct Effective<'a> {
    client: &'a Config,
    request: Option<&'a Overlay>,
}

impl Config {
    /// The options in force for a request that sets `overlay` (if any).
    pub(crate) fn effective<'a>(&'a self, overlay: Option<&'a Overlay>) -> Effective<'a> {
        Effective {
            client: self,
            request: overlay,
        }
    }
}
