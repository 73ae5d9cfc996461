//! Customer ids: a seeded permutation of `0..domain`, so ids are unique and spread out without
//! remembering which ones were used.

/// Smallest id in the reference export; generated ids start here.
pub(crate) const FIRST_ID: i64 = 94_561;
/// Width of the id range per generated row: the reference export spreads 9,927 distinct ids over
/// about 134,600 values.
const SPREAD_NUM: u64 = 27;
const SPREAD_DEN: u64 = 2;
/// Smallest id range, so that small exports look like the reference one.
const MIN_DOMAIN: u64 = 135_000;
const ROUNDS: u64 = 6;

/// A bijection of `0..domain` (a balanced Feistel network with cycle walking).
#[derive(Debug, Clone)]
pub(crate) struct IdPermutation {
    domain: u64,
    half_bits: u32,
    key: u64,
}

impl IdPermutation {
    /// A permutation wide enough for `rows` distinct ids, keyed by `seed`.
    pub(crate) fn new(rows: u64, seed: u64) -> Self {
        // Capped to keep ids well inside i64 after adding `FIRST_ID`.
        let domain = (rows.saturating_mul(SPREAD_NUM) / SPREAD_DEN).clamp(MIN_DOMAIN, 1 << 62);
        let bits = 64 - (domain - 1).leading_zeros();
        Self {
            domain,
            half_bits: bits.div_ceil(2),
            key: splitmix64(seed ^ 0x1d5e_ed1d_0000_0001),
        }
    }

    /// The id of the `index`-th distinct customer; `index` must be below the domain.
    pub(crate) fn id(&self, index: u64) -> i64 {
        debug_assert!(index < self.domain);
        let mut x = index;
        loop {
            x = self.feistel(x);
            if x < self.domain {
                // The domain is at most 2^62, so this fits.
                return FIRST_ID + x as i64;
            }
        }
    }

    fn feistel(&self, x: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let (mut left, mut right) = (x >> self.half_bits, x & mask);
        for round in 0..ROUNDS {
            let f = splitmix64(self.key ^ round.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ right) & mask;
            (left, right) = (right, left ^ f);
        }
        (left << self.half_bits) | right
    }
}

/// SplitMix64 finaliser: a fast, well-mixed 64-bit hash.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_in_range() {
        let perm = IdPermutation::new(10_000, 7);
        let ids: HashSet<i64> = (0..10_000).map(|i| perm.id(i)).collect();
        assert_eq!(ids.len(), 10_000);
        assert!(
            ids.iter()
                .all(|id| (FIRST_ID..FIRST_ID + 135_000).contains(id))
        );
    }

    #[test]
    fn whole_domain_is_a_permutation() {
        let perm = IdPermutation::new(0, 1);
        let mut seen = vec![false; 135_000];
        for i in 0..135_000 {
            let slot = usize::try_from(perm.id(i) - FIRST_ID).unwrap();
            assert!(!seen[slot], "id {slot} repeated");
            seen[slot] = true;
        }
    }

    #[test]
    fn seed_changes_ids() {
        let a = IdPermutation::new(1_000, 1);
        let b = IdPermutation::new(1_000, 2);
        assert!((0..100).any(|i| a.id(i) != b.id(i)));
    }
}
