//! One TCP connection attempt to one address, with the client's socket settings: the local
//! address bound before connecting, TCP keepalive, and `TCP_NODELAY`.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::net::{TcpSocket, TcpStream};

/// The client's TCP settings.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct TcpOptions {
    /// The address connections are made from (the port is the system's choice).
    pub(crate) local_address: Option<IpAddr>,
    /// Idle time before TCP keepalive probes start; `None`: keepalive off.
    pub(crate) keepalive: Option<Duration>,
}

impl TcpOptions {
    /// True when a connection to `addr` can be made with these settings: from a local
    /// address, only to addresses of its family.
    pub(crate) fn can_reach(&self, addr: &SocketAddr) -> bool {
        self.local_address
            .is_none_or(|local| local.is_ipv4() == addr.is_ipv4())
    }
}

/// Connects to `addr`.
///
/// # Errors
/// The socket's error: setting an option, binding the local address, or connecting.
pub(crate) async fn connect(addr: SocketAddr, options: TcpOptions) -> io::Result<TcpStream> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    if let Some(local) = options.local_address {
        socket.bind(SocketAddr::new(local, 0))?;
    }
    if let Some(idle) = options.keepalive {
        // Most systems count the idle time in whole seconds, and refuse 0.
        let idle = idle.max(Duration::from_secs(1));
        let keepalive = socket2::TcpKeepalive::new().with_time(idle);
        socket2::SockRef::from(&socket).set_tcp_keepalive(&keepalive)?;
    }
    let stream = socket.connect(addr).await?;
    // Requests are written whole; waiting to coalesce them only adds latency.
    stream.set_nodelay(true)?;
    Ok(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keepalive_and_the_local_address_are_set_on_the_socket() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let options = TcpOptions {
            local_address: Some("127.0.0.1".parse().unwrap()),
            keepalive: Some(Duration::from_secs(7)),
        };
        let stream = connect(addr, options).await.unwrap();
        let (_, peer) = listener.accept().await.unwrap();
        assert_eq!(peer, stream.local_addr().unwrap());
        let socket = socket2::SockRef::from(&stream);
        assert!(socket.keepalive().unwrap());
        #[cfg(target_os = "linux")]
        assert_eq!(socket.tcp_keepalive_time().unwrap(), Duration::from_secs(7));
        assert!(stream.nodelay().unwrap());

        let plain = connect(addr, TcpOptions::default()).await.unwrap();
        assert!(!socket2::SockRef::from(&plain).keepalive().unwrap());
    }

    #[test]
    fn a_local_address_reaches_its_own_family_only() {
        let v4: SocketAddr = "192.0.2.1:80".parse().unwrap();
        let v6: SocketAddr = "[2001:db8::1]:80".parse().unwrap();
        let from_v4 = TcpOptions {
            local_address: Some("127.0.0.1".parse().unwrap()),
            keepalive: None,
        };
        assert!(from_v4.can_reach(&v4) && !from_v4.can_reach(&v6));
        assert!(TcpOptions::default().can_reach(&v6));
    }
}
