//! The first step of opening a connection: a host name to the addresses to try. An IP
//! address is used as it is; a name pinned by `ClientBuilder::resolve` gets its pinned
//! addresses; any other name goes to the client's `dns::Resolve`, or to the system resolver
//! (getaddrinfo, which tokio runs on its blocking pool, off the runtime's threads).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use super::pool::Key;
use crate::dns::{DnsOptions, Name, Resolve};
use crate::error::{Error, ErrorKind, Result};

/// Resolves the hosts of one client.
#[derive(Default)]
pub(crate) struct Resolver {
    /// Pinned names (lower-case, as `Key` holds them) and their addresses.
    overrides: Vec<(Arc<str>, Arc<[SocketAddr]>)>,
    custom: Option<Arc<dyn Resolve>>,
}

impl Resolver {
    pub(crate) fn new(options: &DnsOptions) -> Resolver {
        Resolver {
            overrides: options.overrides.clone(),
            custom: options.resolver.clone(),
        }
    }

    /// The addresses to try for `key`'s host, each with the port to connect to.
    ///
    /// # Errors
    /// `Connect` when the name cannot be resolved or resolves to no address.
    pub(crate) async fn resolve(&self, key: &Key) -> Result<Vec<SocketAddr>> {
        let explicit_port = key.port != if key.https { 443 } else { 80 };
        // `source` is for the trace only.
        #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
        let (addrs, source) = if let Ok(ip) = key.host.parse::<IpAddr>() {
            (vec![SocketAddr::new(ip, key.port)], "literal")
        } else if let Some((_, pinned)) = self.overrides.iter().find(|(h, _)| *h == key.host) {
            let addrs = pinned
                .iter()
                .map(|&addr| with_port(addr, key.port, explicit_port))
                .collect();
            (addrs, "override")
        } else if let Some(custom) = &self.custom {
            let addrs = custom
                .resolve(Name::from(key.host.clone()))
                .await
                .map_err(|e| cannot_resolve(key).with_source(e))?;
            let addrs = addrs
                .into_iter()
                .map(|addr| with_port(addr, key.port, explicit_port))
                .collect();
            (addrs, "resolver")
        } else {
            let addrs = tokio::net::lookup_host((&*key.host, key.port))
                .await
                .map_err(|e| cannot_resolve(key).with_source(e))?;
            (addrs.collect(), "system")
        };
        crate::trace::event!(host = %key.host, port = key.port, source, addresses = addrs.len(), "DNS resolved");
        if addrs.is_empty() {
            return Err(Error::new(
                ErrorKind::Connect,
                format!("{:?} resolved to no address", key.host),
            ));
        }
        Ok(addrs)
    }
}

fn cannot_resolve(key: &Key) -> Error {
    Error::new(ErrorKind::Connect, format!("cannot resolve {:?}", key.host))
}

/// `addr` with the port to connect to: the URL's when it names one (or when `addr` says
/// 0), else `addr`'s own (as reqwest and hyper-util do).
fn with_port(mut addr: SocketAddr, url_port: u16, explicit: bool) -> SocketAddr {
    if explicit || addr.port() == 0 {
        addr.set_port(url_port);
    }
    addr
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(host: &str, port: u16) -> Key {
        Key {
            https: false,
            host: host.into(),
            port,
            proxy: None,
        }
    }

    fn pinned(host: &str, addrs: &[&str]) -> Resolver {
        let mut options = DnsOptions::default();
        let addrs: Vec<SocketAddr> = addrs.iter().map(|a| a.parse().unwrap()).collect();
        options.pin(host, &addrs);
        Resolver::new(&options)
    }

    #[tokio::test]
    async fn a_pinned_port_is_used_unless_zero_or_the_url_names_one() {
        let resolver = pinned("API.test", &["10.0.0.1:8443", "10.0.0.2:0"]);
        let addrs = resolver.resolve(&key("api.test", 80)).await.unwrap();
        let expected: Vec<SocketAddr> = vec![
            "10.0.0.1:8443".parse().unwrap(),
            "10.0.0.2:80".parse().unwrap(),
        ];
        assert_eq!(addrs, expected);
        let addrs = resolver.resolve(&key("api.test", 9000)).await.unwrap();
        assert!(addrs.iter().all(|a| a.port() == 9000), "{addrs:?}");
    }

    #[tokio::test]
    async fn ip_literals_are_not_resolved_and_empty_answers_fail() {
        let resolver = pinned("127.0.0.1", &["10.0.0.1:1"]);
        let addrs = resolver.resolve(&key("127.0.0.1", 81)).await.unwrap();
        assert_eq!(addrs, vec!["127.0.0.1:81".parse::<SocketAddr>().unwrap()]);
        let addrs = resolver.resolve(&key("::1", 81)).await.unwrap();
        assert_eq!(addrs, vec!["[::1]:81".parse::<SocketAddr>().unwrap()]);

        let empty = pinned("nowhere.test", &[]);
        let err = empty.resolve(&key("nowhere.test", 80)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Connect);
        assert!(err.to_string().contains("no address"), "{err}");
    }
}
