//! Streams that decode to n zero bytes, built without running an encoder over n bytes.
//!
//! Compressing gigabytes takes seconds (tens of seconds in debug builds), so each format is
//! assembled from pieces instead:
//! - deflate (inside gzip and zlib): one compressed 1 MiB segment of zeros, repeated. A
//!   segment comes from a fresh encoder ended by a sync flush, so it is byte-aligned, not
//!   final, and never refers to data before itself: any number of them concatenate into a
//!   valid stream. The checksums of n zeros are computed directly.
//! - brotli: hand-written meta-blocks of up to 16 MiB, each a single command (a literal 0,
//!   then a copy at distance 1), with one-symbol prefix codes that cost zero bits.
//! - zstd: one frame of RLE blocks (128 KiB of zeros in 4 bytes each).

use std::io::{self, Write};
use std::sync::OnceLock;

use flate2::Compression;
use flate2::write::DeflateEncoder;

/// Zeros per repeated deflate segment.
const SEGMENT: usize = 1024 * 1024;

/// gzip: header, deflate, CRC-32 and length (RFC 1952).
pub(super) fn gzip(n: u64) -> io::Result<Vec<u8>> {
    // No mtime, no flags, OS "unknown".
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    deflate_into(&mut out, n)?;
    out.extend_from_slice(&crc32_of_zeros(n).to_le_bytes());
    out.extend_from_slice(&(n as u32).to_le_bytes());
    Ok(out)
}

/// zlib (HTTP's "deflate"): header, deflate, Adler-32 (RFC 1950).
pub(super) fn zlib(n: u64) -> io::Result<Vec<u8>> {
    let mut out = vec![0x78, 0x9c];
    deflate_into(&mut out, n)?;
    // Adler-32 of zeros: s1 stays 1, s2 gains 1 per byte.
    let adler = (((n % 65521) as u32) << 16) | 1;
    out.extend_from_slice(&adler.to_be_bytes());
    Ok(out)
}

fn deflate_into(out: &mut Vec<u8>, n: u64) -> io::Result<()> {
    let segment = deflate_segment()?;
    for _ in 0..n / SEGMENT as u64 {
        out.extend_from_slice(segment);
    }
    // The rest, and the final block, from another fresh encoder.
    let mut tail = DeflateEncoder::new(Vec::new(), Compression::best());
    tail.write_all(&vec![0u8; (n % SEGMENT as u64) as usize])?;
    out.extend_from_slice(&tail.finish()?);
    Ok(())
}

/// [`SEGMENT`] zeros, deflated by a fresh encoder and sync-flushed (computed once).
fn deflate_segment() -> io::Result<&'static [u8]> {
    static CELL: OnceLock<Vec<u8>> = OnceLock::new();
    if let Some(segment) = CELL.get() {
        return Ok(segment);
    }
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(&vec![0u8; SEGMENT])?;
    // Sync flush: ends on a byte boundary with an empty stored block, without BFINAL.
    encoder.flush()?;
    Ok(CELL.get_or_init(|| encoder.get_ref().clone()))
}

/// CRC-32 of n zeros, by combining segment CRCs (doubling), not by hashing n bytes.
fn crc32_of_zeros(n: u64) -> u32 {
    let mut power = crc32fast::Hasher::new();
    power.update(&vec![0u8; SEGMENT]);
    let mut total = crc32fast::Hasher::new();
    let mut segments = n / SEGMENT as u64;
    while segments > 0 {
        if segments & 1 == 1 {
            total.combine(&power);
        }
        let copy = power.clone();
        power.combine(&copy);
        segments >>= 1;
    }
    total.update(&vec![0u8; (n % SEGMENT as u64) as usize]);
    total.finalize()
}

/// zstd: a frame of RLE blocks (RFC 8878).
pub(super) fn zstd(n: u64) -> Vec<u8> {
    const BLOCK: u64 = 128 * 1024;
    let mut out = vec![0x28, 0xb5, 0x2f, 0xfd];
    // Frame header descriptor: 8-byte content size, a window descriptor, no checksum.
    out.push(0xc0);
    // Window 2^17 = 128 KiB: the largest block size needs no more.
    out.push(7 << 3);
    out.extend_from_slice(&n.to_le_bytes());
    if n == 0 {
        // A last, empty raw block.
        out.extend_from_slice(&[1, 0, 0]);
    }
    let mut left = n;
    while left > 0 {
        let size = left.min(BLOCK);
        left -= size;
        let last = u32::from(left == 0);
        // Block header: last flag, type 1 (RLE), size in the upper 21 bits; then the byte.
        let header = last | (1 << 1) | ((size as u32) << 3);
        out.extend_from_slice(&header.to_le_bytes()[..3]);
        out.push(0);
    }
    out
}

/// Largest meta-block content.
const MAX_MLEN: u64 = 1 << 24;

/// Copy length codes (RFC 7932 section 5): (base length, extra bits).
const COPY_CODES: [(u64, u32); 24] = [
    (2, 0),
    (3, 0),
    (4, 0),
    (5, 0),
    (6, 0),
    (7, 0),
    (8, 0),
    (9, 0),
    (10, 1),
    (12, 1),
    (14, 2),
    (18, 2),
    (22, 3),
    (30, 3),
    (38, 4),
    (54, 4),
    (70, 5),
    (102, 5),
    (134, 6),
    (198, 7),
    (326, 8),
    (582, 9),
    (1094, 10),
    (2118, 24),
];

/// brotli (RFC 7932).
pub(super) fn brotli(n: u64) -> Vec<u8> {
    let mut bits = BitWriter::default();
    // WBITS: a single 0 bit means a 64 KiB window; distance 1 is all we use.
    bits.put(0, 1);
    let mut left = n;
    while left > 0 {
        let mut mlen = left.min(MAX_MLEN);
        // A copy is at least 2 bytes: a lone byte after the literal moves to the next block.
        if mlen == 2 {
            mlen = 1;
        }
        meta_block(&mut bits, mlen);
        left -= mlen;
    }
    // ISLAST and ISLASTEMPTY: the end.
    bits.put(0b11, 2);
    bits.finish()
}

/// One compressed meta-block of `mlen` zeros: literal 0, then copy `mlen - 1` at distance 1.
fn meta_block(bits: &mut BitWriter, mlen: u64) {
    bits.put(0, 1); // ISLAST
    let nibbles: u32 = match mlen - 1 {
        0..0x1_0000 => 4,
        0x1_0000..0x10_0000 => 5,
        _ => 6,
    };
    bits.put(u64::from(nibbles - 4), 2); // MNIBBLES
    bits.put(mlen - 1, nibbles * 4); // MLEN - 1
    bits.put(0, 1); // ISUNCOMPRESSED
    bits.put(0, 1); // NBLTYPESL = 1
    bits.put(0, 1); // NBLTYPESI = 1
    bits.put(0, 1); // NBLTYPESD = 1
    bits.put(0, 2); // NPOSTFIX = 0
    bits.put(0, 4); // NDIRECT = 0
    bits.put(0, 2); // context mode of the one literal block type
    bits.put(0, 1); // NTREESL = 1
    bits.put(0, 1); // NTREESD = 1

    // When the literal completes the block, the copy is never read: any code will do.
    let copy = mlen - 1;
    let (code, (base, extra_bits)) = if copy >= 2 {
        let code = COPY_CODES
            .iter()
            .rposition(|(base, _)| *base <= copy)
            .unwrap_or(0);
        (code as u64, COPY_CODES[code])
    } else {
        (0, (copy, 0))
    };
    // Insert-and-copy symbol with insert code 1 (one literal) and an explicit distance.
    let block_base = match code {
        0..=7 => 128,
        8..=15 => 192,
        _ => 384,
    };
    let command = block_base + (1 << 3) + (code & 7);

    simple_prefix_code(bits, 8, 0); // literals: only 0x00
    simple_prefix_code(bits, 10, command); // insert-and-copy lengths
    simple_prefix_code(bits, 6, 16); // distances: code 16 (distance 1 + its extra bit)

    // The command: its symbol and literal cost zero bits; insert code 1 has no extra bits.
    bits.put(copy - base, extra_bits);
    if copy >= 2 {
        bits.put(0, 1); // distance code 16's extra bit: 0 means distance 1
    }
}

/// A one-symbol simple prefix code: the symbol then takes zero bits.
fn simple_prefix_code(bits: &mut BitWriter, alphabet_bits: u32, symbol: u64) {
    bits.put(1, 2); // HSKIP = 1: simple prefix code
    bits.put(0, 2); // NSYM - 1
    bits.put(symbol, alphabet_bits);
}

/// Writes bit fields least significant bit first, as brotli reads them.
#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    pending: u64,
    count: u32,
}

impl BitWriter {
    /// Appends the low `width` bits of `value` (`width` at most 32).
    fn put(&mut self, value: u64, width: u32) {
        self.pending |= (value & ((1u64 << width) - 1)) << self.count;
        self.count += width;
        while self.count >= 8 {
            self.out.push(self.pending as u8);
            self.pending >>= 8;
            self.count -= 8;
        }
    }

    /// The bytes, the last one padded with zero bits.
    fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            self.out.push(self.pending as u8);
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    /// Sizes around every boundary: empty, the copy minimum, segments, meta-blocks.
    const SIZES: &[u64] = &[
        0,
        1,
        2,
        3,
        4,
        100,
        2117,
        2118,
        2119,
        65_536,
        65_537,
        1 << 20,
        (1 << 20) + 1,
        1 << 24,
        (1 << 24) + 2,
    ];

    fn check(name: &str, n: u64, decoded: io::Result<Vec<u8>>) {
        let decoded = decoded.unwrap_or_else(|e| panic!("{name}({n}) does not decode: {e}"));
        assert_eq!(decoded.len() as u64, n, "{name}({n}) length");
        assert!(decoded.iter().all(|b| *b == 0), "{name}({n}) not zeros");
    }

    #[test]
    fn gzip_decodes_to_zeros() {
        for &n in SIZES {
            let mut out = Vec::new();
            let data = gzip(n).expect("encodes");
            let result = flate2::read::GzDecoder::new(&data[..]).read_to_end(&mut out);
            check("gzip", n, result.map(|_| out));
        }
    }

    #[test]
    fn zlib_decodes_to_zeros() {
        for &n in SIZES {
            let mut out = Vec::new();
            let data = zlib(n).expect("encodes");
            let result = flate2::read::ZlibDecoder::new(&data[..]).read_to_end(&mut out);
            check("zlib", n, result.map(|_| out));
        }
    }

    #[test]
    fn brotli_decodes_to_zeros() {
        for &n in SIZES {
            let data = brotli(n);
            let mut out = Vec::new();
            let result = brotli::Decompressor::new(&data[..], 4096).read_to_end(&mut out);
            check("brotli", n, result.map(|_| out));
        }
    }

    #[test]
    fn zstd_decodes_to_zeros() {
        for &n in SIZES {
            check("zstd", n, zstd::decode_all(&zstd(n)[..]));
        }
    }

    #[test]
    fn crc_of_zeros_matches_hashing() {
        for n in [0u64, 1, (1 << 20) - 1, 1 << 20, 3 << 20, (5 << 20) + 7] {
            let expected = crc32fast::hash(&vec![0u8; n as usize]);
            assert_eq!(crc32_of_zeros(n), expected, "n = {n}");
        }
    }
}
