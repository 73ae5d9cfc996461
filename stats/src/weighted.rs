//! One sample seen either as raw values or as a value-count table, so that moment-based tests
//! (t-tests, normality, Levene) have one implementation for both inputs.
//!
//! For raw values every weight is 1, and the sums run in the slice's order with the same
//! arithmetic as a plain loop, so the slice-based tests give the same numbers as before.

use crate::error::{Result, check_finite, check_len};
use crate::rank::ValueCounts;

/// A sample: raw values (`counts` None) or distinct values with their multiplicities.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sample<'a> {
    values: &'a [f64],
    counts: Option<&'a [u64]>,
}

impl<'a> Sample<'a> {
    /// Raw values.
    pub(crate) fn raw(values: &'a [f64]) -> Self {
        Self {
            values,
            counts: None,
        }
    }

    /// A value-count table (finite values by construction).
    pub(crate) fn counts(vc: &'a ValueCounts) -> Self {
        Self {
            values: vc.values(),
            counts: Some(vc.counts()),
        }
    }

    /// Checks the values are finite and there are at least `min` observations.
    pub(crate) fn check(&self, what: &str, min: usize) -> Result<()> {
        check_finite(what, self.values)?;
        check_len(what, usize::try_from(self.len()).unwrap_or(usize::MAX), min)
    }

    /// Number of observations.
    pub(crate) fn len(&self) -> u64 {
        match self.counts {
            None => self.values.len() as u64,
            Some(c) => c.iter().sum(),
        }
    }

    /// `(value, weight)` pairs.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (f64, f64)> + 'a {
        let counts = self.counts;
        self.values
            .iter()
            .enumerate()
            .map(move |(i, &v)| (v, counts.map_or(1.0, |c| c[i] as f64)))
    }

    /// Mean.
    pub(crate) fn mean(&self) -> f64 {
        match self.counts {
            None => self.values.iter().sum::<f64>() / self.values.len() as f64,
            Some(_) => self.iter().map(|(v, w)| v * w).sum::<f64>() / self.len() as f64,
        }
    }

    /// Sum of `w · f(value)`.
    pub(crate) fn sum_of(&self, f: impl Fn(f64) -> f64) -> f64 {
        match self.counts {
            None => self.values.iter().map(|&v| f(v)).sum(),
            Some(_) => self.iter().map(|(v, w)| w * f(v)).sum(),
        }
    }

    /// `np.median`: the middle value, or the mean of the two middle values.
    pub(crate) fn median(&self) -> f64 {
        match self.counts {
            None => {
                let mut v = self.values.to_vec();
                let n = v.len();
                let (_, hi, _) = v.select_nth_unstable_by(n / 2, |a, b| a.total_cmp(b));
                let hi = *hi;
                if n % 2 == 1 {
                    return hi;
                }
                let lo = v[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
                (lo + hi) / 2.0
            }
            Some(counts) => {
                let n = self.len();
                // Order statistics (0-based) n/2 and (n-1)/2 from the cumulative counts.
                let at = |k: u64| {
                    let mut cum = 0;
                    for (v, c) in self.values.iter().zip(counts) {
                        cum += c;
                        if k < cum {
                            return *v;
                        }
                    }
                    f64::NAN
                };
                (at((n - 1) / 2) + at(n / 2)) / 2.0
            }
        }
    }
}
