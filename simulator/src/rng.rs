//! A small deterministic pseudo-random generator.
//!
//! Everything the simulator invents (catalogue ids, listening behaviour, tokens, fault dice)
//! comes from here, so one seed reproduces a whole run. SplitMix64 is tiny, fast and good
//! enough for simulation; it is not meant for cryptography.

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// A generator for one named purpose, independent of every other label under the same
    /// seed: `derive(seed, "user:sim-user-1")` and `derive(seed, "catalogue")` never share a
    /// sequence.
    pub fn derived(seed: u64, label: &str) -> Self {
        Self::new(derive_seed(seed, label))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`, from the top 53 bits (the precision of an f64 mantissa).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p` (values outside `[0, 1]` behave as the nearest bound).
    pub fn chance(&mut self, p: f64) -> bool {
        self.next_f64() < p
    }

    /// Uniform in `low..=high`. The modulo bias is below 2^-40 for the small spans used here.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        debug_assert!(low <= high, "empty range {low}..={high}");
        match (high - low).checked_add(1) {
            Some(span) => low + self.next_u64() % span,
            None => self.next_u64(),
        }
    }

    /// Uniform in `0..n` (0 when `n` is 0). Plain modulo, kept simple: the bias is below
    /// `n / 2^64`, nothing for the small `n` of a simulation.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// A uniform index into a collection of `len` items; `len` must not be zero.
    pub fn index(&mut self, len: usize) -> usize {
        debug_assert!(len > 0, "index into an empty collection");
        self.below(len as u64) as usize
    }

    /// Exponentially distributed with the given mean (the waiting time of a Poisson process).
    pub fn exponential(&mut self, mean: f64) -> f64 {
        // 1 - u is in (0, 1], so the logarithm is finite.
        -mean * (1.0 - self.next_f64()).ln()
    }

    /// A string of base62 characters, the alphabet of Spotify ids.
    pub fn base62(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| BASE62[self.index(BASE62.len())] as char)
            .collect()
    }

    /// Lower-case hexadecimal characters, as in image URLs.
    pub fn hex(&mut self, len: usize) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        (0..len)
            .map(|_| HEX[self.index(HEX.len())] as char)
            .collect()
    }
}

/// Mixes a label into a seed (FNV-1a over the label, then one SplitMix step) so that
/// derived seeds are unrelated even when labels differ by one character.
pub fn derive_seed(seed: u64, label: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in label.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    SplitMix64::new(seed ^ hash).next_u64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_sequence() {
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        let first: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let second: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(first, second);
    }

    #[test]
    fn derived_generators_differ_by_label() {
        let mut a = SplitMix64::derived(1, "user:a");
        let mut b = SplitMix64::derived(1, "user:b");
        assert_ne!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn between_stays_inside_its_bounds() {
        let mut rng = SplitMix64::new(3);
        for _ in 0..1000 {
            let value = rng.between(31, 45);
            assert!((31..=45).contains(&value));
        }
        assert!(rng.next_f64() < 1.0);
    }

    #[test]
    fn below_stays_under_its_bound_and_reaches_every_value() {
        let mut rng = SplitMix64::new(11);
        let mut seen = [false; 7];
        for _ in 0..1000 {
            let value = rng.below(7);
            assert!(value < 7);
            seen[value as usize] = true;
        }
        assert!(seen.iter().all(|&hit| hit));
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.below(1), 0);
    }

    #[test]
    fn base62_ids_use_only_the_spotify_alphabet() {
        let id = SplitMix64::new(9).base62(22);
        assert_eq!(id.len(), 22);
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
