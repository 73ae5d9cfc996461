//! D'Agostino–Pearson K² normality test (`scipy.stats.normaltest`).

use crate::error::{Error, Result};
use crate::rank::ValueCounts;
use crate::special::{chi2_sf, ln_chi2_sf};
use crate::weighted::Sample;
use crate::{TestResult, clip_p};

/// Mean and central moments 2, 3 and 4 (biased, divided by n).
fn moments(x: Sample<'_>) -> (f64, f64, f64, f64) {
    let n = x.len() as f64;
    let mean = x.mean();
    let m2 = x.sum_of(|v| (v - mean) * (v - mean));
    let m3 = x.sum_of(|v| {
        let d = v - mean;
        d * d * d
    });
    let m4 = x.sum_of(|v| {
        let d = v - mean;
        let d2 = d * d;
        d2 * d2
    });
    (mean, m2 / n, m3 / n, m4 / n)
}

/// D'Agostino–Pearson omnibus test of normality: `K² = Z(skewness)² + Z(kurtosis)²` referred to
/// chi-square with 2 degrees of freedom. Needs at least 8 observations (scipy's `skewtest`
/// limit) and is well suited to samples in the thousands, where it reliably flags the skewed,
/// heavy-tailed distributions that make rank tests the better choice.
///
/// The effect is the sample skewness (biased, `m3 / m2^1.5`).
pub fn normality(x: &[f64]) -> Result<TestResult> {
    normality_sample(Sample::raw(x))
}

/// [`normality`] on a value-count table (same numbers as on the expanded values, up to summation
/// order): memory follows the number of distinct values, not the sample size.
pub fn normality_counts(x: &ValueCounts) -> Result<TestResult> {
    normality_sample(Sample::counts(x))
}

fn normality_sample(x: Sample<'_>) -> Result<TestResult> {
    x.check("sample", 8)?;
    let n = x.len() as f64;
    let (mean, m2, m3, m4) = moments(x);
    let mean_abs = mean.abs();
    if m2 <= (f64::EPSILON * mean_abs).powi(2) || m2 == 0.0 {
        return Err(Error::ZeroVariance {
            what: "sample".into(),
        });
    }
    let b1 = m3 / m2.powf(1.5);
    let b2 = m4 / (m2 * m2);
    // skewtest
    let y = b1 * (((n + 1.0) * (n + 3.0)) / (6.0 * (n - 2.0))).sqrt();
    let beta2 = 3.0 * (n * n + 27.0 * n - 70.0) * (n + 1.0) * (n + 3.0)
        / ((n - 2.0) * (n + 5.0) * (n + 7.0) * (n + 9.0));
    let w2 = -1.0 + (2.0 * (beta2 - 1.0)).sqrt();
    let delta = 1.0 / (0.5 * w2.ln()).sqrt();
    let alpha = (2.0 / (w2 - 1.0)).sqrt();
    let y = if y == 0.0 { 1.0 } else { y };
    let zs = delta * (y / alpha + ((y / alpha).powi(2) + 1.0).sqrt()).ln();
    // kurtosistest
    let e = 3.0 * (n - 1.0) / (n + 1.0);
    let varb2 = 24.0 * n * (n - 2.0) * (n - 3.0) / ((n + 1.0) * (n + 1.0) * (n + 3.0) * (n + 5.0));
    let xk = (b2 - e) / varb2.sqrt();
    let sqrtbeta1 = 6.0 * (n * n - 5.0 * n + 2.0) / ((n + 7.0) * (n + 9.0))
        * ((6.0 * (n + 3.0) * (n + 5.0)) / (n * (n - 2.0) * (n - 3.0))).sqrt();
    let a =
        6.0 + 8.0 / sqrtbeta1 * (2.0 / sqrtbeta1 + (1.0 + 4.0 / (sqrtbeta1 * sqrtbeta1)).sqrt());
    let term1 = 1.0 - 2.0 / (9.0 * a);
    let denom = 1.0 + xk * (2.0 / (a - 4.0)).sqrt();
    if denom == 0.0 {
        return Err(Error::InvalidArgument(
            "kurtosis test is undefined for this sample (zero denominator)".into(),
        ));
    }
    let term2 = denom.signum() * ((1.0 - 2.0 / a) / denom.abs()).powf(1.0 / 3.0);
    let zk = (term1 - term2) / (2.0 / (9.0 * a)).sqrt();
    let k2 = zs * zs + zk * zk;
    let (p_value, log10_p) = clip_p(chi2_sf(k2, 2.0), ln_chi2_sf(k2, 2.0));
    Ok(TestResult {
        test: "normaltest",
        method: "d'agostino-pearson k2".into(),
        statistic: k2,
        p_value,
        log10_p,
        df: Some(2.0),
        effect_name: "skewness",
        effect: Some(b1),
        ci: None,
        sizes: vec![x.len()],
    })
}
