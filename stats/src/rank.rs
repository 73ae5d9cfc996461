//! Value-count tables and ranks with ties.

use crate::error::{Error, Result, check_finite};
use serde::Serialize;

/// Exact value-count table: distinct values in increasing order with their multiplicities.
///
/// This is the aggregated input of the rank tests ([`crate::mann_whitney_u_counts`],
/// [`crate::ks_2samp_counts`]): a column of any length is reduced chunk by chunk with
/// [`ValueCounts::add_values`] (or built by a database `GROUP BY` and passed to
/// [`ValueCounts::from_pairs`]), and its memory is proportional to the number of distinct values.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ValueCounts {
    values: Vec<f64>,
    counts: Vec<u64>,
}

impl ValueCounts {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts the values of a slice; non-finite values are an error.
    pub fn from_values(x: &[f64]) -> Result<Self> {
        let mut vc = Self::new();
        vc.add_values(x)?;
        Ok(vc)
    }

    /// Builds a table from `(value, count)` pairs in any order; repeated values are summed and
    /// zero counts dropped.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (f64, u64)>) -> Result<Self> {
        let mut pairs: Vec<(f64, u64)> = pairs
            .into_iter()
            .filter(|p| p.1 > 0)
            .map(|(v, c)| (if v == 0.0 { 0.0 } else { v }, c))
            .collect();
        if let Some(index) = pairs.iter().position(|p| !p.0.is_finite()) {
            return Err(Error::NonFinite {
                what: "value-count table".into(),
                index,
            });
        }
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut vc = Self::new();
        for (v, c) in pairs {
            if vc.values.last() == Some(&v) {
                *vc.counts.last_mut().expect("non-empty") += c;
            } else {
                vc.values.push(v);
                vc.counts.push(c);
            }
        }
        Ok(vc)
    }

    /// Adds a chunk of raw values (sorted and merged in; cost `O(k log k + d)` for a chunk of
    /// `k` values and `d` distinct values so far).
    pub fn add_values(&mut self, chunk: &[f64]) -> Result<()> {
        check_finite("sample", chunk)?;
        let mut sorted: Vec<f64> = chunk
            .iter()
            .map(|&v| if v == 0.0 { 0.0 } else { v })
            .collect();
        sorted.sort_unstable_by(|a, b| a.total_cmp(b));
        let mut values = Vec::new();
        let mut counts = Vec::new();
        for v in sorted {
            if values.last() == Some(&v) {
                *counts.last_mut().expect("non-empty") += 1;
            } else {
                values.push(v);
                counts.push(1u64);
            }
        }
        *self = self.merge(&ValueCounts { values, counts });
        Ok(())
    }

    /// Union of two tables (counts of equal values are added).
    pub fn merge(&self, other: &ValueCounts) -> ValueCounts {
        let mut out = ValueCounts {
            values: Vec::with_capacity(self.values.len() + other.values.len()),
            counts: Vec::with_capacity(self.values.len() + other.values.len()),
        };
        for (v, a, b) in merged(self, other) {
            out.values.push(v);
            out.counts.push(a + b);
        }
        out
    }

    /// Distinct values, increasing.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Multiplicity of each distinct value.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Mean of the observations (`NaN` for an empty table).
    pub fn mean(&self) -> f64 {
        if self.is_empty() {
            return f64::NAN;
        }
        crate::weighted::Sample::counts(self).mean()
    }

    /// `np.median` of the observations: the middle one, or the mean of the two middle ones (`NaN`
    /// for an empty table).
    pub fn median(&self) -> f64 {
        if self.is_empty() {
            return f64::NAN;
        }
        crate::weighted::Sample::counts(self).median()
    }

    /// Total number of observations.
    pub fn n(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Whether the table holds no observation.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Walks two value-count tables in value order, yielding `(value, count in a, count in b)`.
pub(crate) fn merged<'a>(
    a: &'a ValueCounts,
    b: &'a ValueCounts,
) -> impl Iterator<Item = (f64, u64, u64)> + 'a {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        let va = a.values.get(i).copied();
        let vb = b.values.get(j).copied();
        match (va, vb) {
            (None, None) => None,
            (Some(x), None) => {
                i += 1;
                Some((x, a.counts[i - 1], 0))
            }
            (None, Some(y)) => {
                j += 1;
                Some((y, 0, b.counts[j - 1]))
            }
            (Some(x), Some(y)) => {
                if x < y {
                    i += 1;
                    Some((x, a.counts[i - 1], 0))
                } else if y < x {
                    j += 1;
                    Some((y, 0, b.counts[j - 1]))
                } else {
                    i += 1;
                    j += 1;
                    Some((x, a.counts[i - 1], b.counts[j - 1]))
                }
            }
        }
    })
}

/// Ranks with ties given their average rank (1-based), as `scipy.stats.rankdata(method='average')`.
/// Values must be finite.
pub fn rank_average(x: &[f64]) -> Vec<f64> {
    // Sorting (value, position) pairs keeps the comparisons on contiguous memory; sorting an index
    // array by `x[i]` jumps around `x` and is several times slower at millions of values.
    let mut order: Vec<(f64, usize)> = x.iter().copied().zip(0..).collect();
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut ranks = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && order[j].0 == order[i].0 {
            j += 1;
        }
        let r = (i + j + 1) as f64 / 2.0;
        for &(_, k) in &order[i..j] {
            ranks[k] = r;
        }
        i = j;
    }
    ranks
}
