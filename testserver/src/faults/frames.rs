//! Just enough HTTP/2 framing (RFC 9113 section 4) and HPACK (RFC 7541) to write frames by
//! hand, including the ones no well-behaved library would send.

use std::io::{self, Read};

pub(crate) const DATA: u8 = 0x0;
pub(crate) const HEADERS: u8 = 0x1;
pub(crate) const RST_STREAM: u8 = 0x3;
pub(crate) const SETTINGS: u8 = 0x4;
pub(crate) const PING: u8 = 0x6;
pub(crate) const GOAWAY: u8 = 0x7;
pub(crate) const CONTINUATION: u8 = 0x9;

pub(crate) const END_STREAM: u8 = 0x1;
pub(crate) const ACK: u8 = 0x1;
pub(crate) const END_HEADERS: u8 = 0x4;

pub(crate) const SETTINGS_MAX_CONCURRENT_STREAMS: u16 = 0x3;
pub(crate) const SETTINGS_INITIAL_WINDOW_SIZE: u16 = 0x4;

pub(crate) const INTERNAL_ERROR: u32 = 0x2;
pub(crate) const REFUSED_STREAM: u32 = 0x7;
pub(crate) const CANCEL: u32 = 0x8;

/// The client connection preface (RFC 9113 section 3.4).
pub(crate) const PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The largest frame payload a peer must accept without asking for more (16 KiB).
pub(crate) const MAX_FRAME: usize = 16 * 1024;

/// One frame as read.
pub(crate) struct Frame {
    pub(crate) kind: u8,
    pub(crate) flags: u8,
    pub(crate) stream: u32,
    pub(crate) payload: Vec<u8>,
}

/// Reads one frame; payloads over the default maximum frame size are an error.
pub(crate) fn read_frame(r: &mut impl Read) -> io::Result<Frame> {
    let mut head = [0u8; 9];
    r.read_exact(&mut head)?;
    let len = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "frame too large",
        ));
    }
    let mut payload = vec![0; len];
    r.read_exact(&mut payload)?;
    let stream = u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff;
    Ok(Frame {
        kind: head[3],
        flags: head[4],
        stream,
        payload,
    })
}

/// One frame's bytes.
pub(crate) fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = (payload.len() as u32).to_be_bytes();
    let mut out = Vec::with_capacity(9 + payload.len());
    out.extend_from_slice(&len[1..]);
    out.push(kind);
    out.push(flags);
    out.extend_from_slice(&(stream & 0x7fff_ffff).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// A SETTINGS payload.
pub(crate) fn settings(pairs: &[(u16, u32)]) -> Vec<u8> {
    pairs
        .iter()
        .flat_map(|(id, value)| id.to_be_bytes().into_iter().chain(value.to_be_bytes()))
        .collect()
}

/// A GOAWAY payload.
pub(crate) fn goaway(last_stream: u32, error: u32) -> Vec<u8> {
    let mut out = last_stream.to_be_bytes().to_vec();
    out.extend_from_slice(&error.to_be_bytes());
    out
}

/// The HPACK block of a response head: `:status` and literal fields (never indexed
/// into the dynamic table, so every block decodes on its own).
pub(crate) fn response_head(status: u16, fields: &[(&str, &str)]) -> Vec<u8> {
    let mut block = Vec::new();
    match status {
        // Static table entry 8 (RFC 7541 appendix A).
        200 => block.push(0x88),
        _ => literal(&mut block, ":status", &status.to_string()),
    }
    for (name, value) in fields {
        literal(&mut block, name, value);
    }
    block
}

/// A literal field without indexing, with a new name (RFC 7541 section 6.2.2).
pub(crate) fn literal(block: &mut Vec<u8>, name: &str, value: &str) {
    block.push(0x00);
    string(block, name.as_bytes());
    string(block, value.as_bytes());
}

/// An HPACK string literal, not Huffman-coded.
fn string(block: &mut Vec<u8>, bytes: &[u8]) {
    integer(block, bytes.len(), 7, 0x00);
    block.extend_from_slice(bytes);
}

/// An HPACK integer with an `prefix_bits`-bit prefix (RFC 7541 section 5.1).
fn integer(block: &mut Vec<u8>, mut value: usize, prefix_bits: u32, first: u8) {
    let max = (1usize << prefix_bits) - 1;
    if value < max {
        block.push(first | value as u8);
        return;
    }
    block.push(first | max as u8);
    value -= max;
    while value >= 128 {
        block.push((value % 128 + 128) as u8);
        value /= 128;
    }
    block.push(value as u8);
}
