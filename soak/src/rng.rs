//! A tiny deterministic pseudo-random source: no `rand` dependency, and the same seed
//! gives the same run on every machine.

/// xorshift64* seeded through splitmix64. Each request gets its own, derived from the run's
/// seed and the request's index, so what request `i` is does not depend on the order in
/// which earlier requests complete.
pub struct Rng(u64);

impl Rng {
    /// The generator of request `index` in the run seeded with `seed`.
    pub fn for_request(seed: u64, index: u64) -> Rng {
        let mixed = splitmix64(seed ^ splitmix64(index));
        // xorshift's state must never be zero.
        Rng(mixed | 1)
    }

    /// The next 64 pseudo-random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A value in `0..bound` (`bound` > 0); the modulo bias is irrelevant at these bounds.
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }

    /// A size in `0..2^max_bits`, log-uniform: as many tiny bodies as large ones, so the
    /// mean stays small while the largest still come up often.
    pub fn size(&mut self, max_bits: u32) -> u64 {
        let bits = self.below(u64::from(max_bits) + 1) as u32;
        self.below(1u64 << bits)
    }
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
