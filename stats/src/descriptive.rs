//! Descriptive statistics with pandas/numpy conventions and the Wilson score interval.

use serde::Serialize;

use crate::error::{Result, check_finite, check_len};

/// Summary of a numeric sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Describe {
    /// Number of observations.
    pub n: u64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (ddof = 1); `None` for a single observation.
    pub std: Option<f64>,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Bias-corrected sample skewness (pandas `Series.skew`); `None` when `n < 3` or the sample is
    /// constant.
    pub skewness: Option<f64>,
    /// Bias-corrected excess kurtosis (pandas `Series.kurt`); `None` when `n < 4` or the sample
    /// is constant.
    pub kurtosis: Option<f64>,
    /// First quartile (numpy `'linear'` interpolation).
    pub q25: f64,
    /// Median.
    pub median: f64,
    /// Third quartile.
    pub q75: f64,
}

/// Describes a sample (pandas `describe` plus skewness and kurtosis). Values must be finite;
/// drop missing values before calling.
pub fn describe(x: &[f64]) -> Result<Describe> {
    check_finite("sample", x)?;
    check_len("sample", x.len(), 1)?;
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for v in x {
        let d = v - mean;
        m2 += d * d;
        m3 += d * d * d;
        m4 += d * d * d * d;
    }
    let std = (x.len() > 1).then(|| (m2 / (n - 1.0)).sqrt());
    let constant = m2 <= 1e-14 * m2.max(mean * mean) * n || m2 == 0.0;
    let skewness = (x.len() >= 3 && !constant).then(|| {
        let (m2n, m3n) = (m2 / n, m3 / n);
        (n * (n - 1.0)).sqrt() / (n - 2.0) * m3n / m2n.powf(1.5)
    });
    let kurtosis = (x.len() >= 4 && !constant).then(|| {
        let adj = 3.0 * (n - 1.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0));
        let numer = n * (n + 1.0) * (n - 1.0) * m4;
        let denom = (n - 2.0) * (n - 3.0) * m2 * m2;
        numer / denom - adj
    });
    let mut sorted = x.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    Ok(Describe {
        n: x.len() as u64,
        mean,
        std,
        min: sorted[0],
        max: sorted[sorted.len() - 1],
        skewness,
        kurtosis,
        q25: quantile(&sorted, 0.25),
        median: quantile(&sorted, 0.5),
        q75: quantile(&sorted, 0.75),
    })
}

/// Quantile `q` in `[0, 1]` of an ascending-sorted, non-empty slice with numpy's default
/// `'linear'` interpolation (same rounding as numpy's `_lerp`).
///
/// # Panics
/// Panics if `sorted` is empty.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let pos = q.clamp(0.0, 1.0) * (n - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let t = pos - lo as f64;
    let (a, b) = (sorted[lo], sorted[hi]);
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// Wilson score interval for a binomial proportion with critical value `z` (1.96 for 95%), as
/// statsmodels' `proportion_confint(method='wilson')`. Returns `(0, 1)` when `n = 0`.
pub fn wilson_interval(successes: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let nf = n as f64;
    let q = successes as f64 / nf;
    let crit2 = z * z;
    let denom = 1.0 + crit2 / nf;
    let center = (q + crit2 / (2.0 * nf)) / denom;
    let dist = z * (q * (1.0 - q) / nf + crit2 / (4.0 * nf * nf)).sqrt() / denom;
    (center - dist, center + dist)
}
