//! Scriptable misbehaving servers for the fault suite: [`FaultServer`] runs an HTTP/1.1
//! script of [`Step`]s, the same behind a TLS [`TlsFault`], or an HTTP/2 [`H2Fault`]
//! written frame by frame (no HTTP/2 library sends a CONTINUATION flood or keeps a window
//! shut on purpose, so these frames are written by hand).

mod frames;
mod h1;
mod h2;
mod server;
mod tls;

pub use h1::Step;
pub use h2::H2Fault;
pub use server::FaultServer;
pub use tls::TlsFault;
