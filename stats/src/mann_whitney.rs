//! Mann–Whitney U test with `scipy.stats.mannwhitneyu(method='auto', use_continuity=True)`
//! semantics.

use crate::error::{Error, Result, check_len};
use crate::rank::{ValueCounts, merged};
use crate::special::{binom, ln_norm_sf, norm_sf};
use crate::{Alternative, TestResult, clip_p};

/// Largest `n1 * n2` for which the exact null distribution is computed.
const MAX_EXACT_PRODUCT: u64 = 10_000_000;

/// Mann–Whitney U test of two independent samples.
///
/// The statistic is U of `x` (scipy's `statistic`). The p-value is exact when both samples are
/// free of ties and at least one has at most 8 observations (scipy's `method='auto'` rule, as
/// long as `n1 * n2 <= 10^7`); otherwise it uses the normal approximation with tie correction and continuity correction.
/// The effect size is the rank-biserial correlation `2 U / (n1 n2) - 1` (positive when `x`
/// tends to be larger).
pub fn mann_whitney_u(x: &[f64], y: &[f64], alternative: Alternative) -> Result<TestResult> {
    let a = ValueCounts::from_values(x).map_err(|e| rename(e, "x"))?;
    let b = ValueCounts::from_values(y).map_err(|e| rename(e, "y"))?;
    mann_whitney_u_counts(&a, &b, alternative)
}

fn rename(e: Error, what: &str) -> Error {
    match e {
        Error::NonFinite { index, .. } => Error::NonFinite {
            what: what.to_string(),
            index,
        },
        other => other,
    }
}

/// Mann–Whitney U test from value-count tables; identical results to [`mann_whitney_u`] at a
/// cost linear in the number of distinct values.
pub fn mann_whitney_u_counts(
    x: &ValueCounts,
    y: &ValueCounts,
    alternative: Alternative,
) -> Result<TestResult> {
    let n1 = x.n();
    let n2 = y.n();
    check_len("x", n1 as usize, 1)?;
    check_len("y", n2 as usize, 1)?;
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let mut cum = 0.0f64;
    let mut r1 = 0.0f64;
    let mut tie_term = 0.0f64;
    let mut ties = false;
    for (_, ca, cb) in merged(x, y) {
        let t = (ca + cb) as f64;
        r1 += ca as f64 * (cum + (t + 1.0) / 2.0);
        tie_term += t * t * t - t;
        ties |= ca + cb > 1;
        cum += t;
    }
    let u1 = r1 - n1f * (n1f + 1.0) / 2.0;
    let u2 = n1f * n2f - u1;
    let (u, factor) = match alternative {
        Alternative::Greater => (u1, 1.0),
        Alternative::Less => (u2, 1.0),
        Alternative::TwoSided => (u1.max(u2), 2.0),
    };
    // scipy's rule, bounded so the exact null distribution stays small (scipy itself would need
    // O((n1 n2)^2) time beyond this)
    let exact = !(ties || n1 > 8 && n2 > 8) && n1.saturating_mul(n2) <= MAX_EXACT_PRODUCT;
    let (p, ln_p, method) = if exact {
        let p = factor * exact_sf(u as u64, n1.min(n2), n1.max(n2));
        (p, p.ln(), "exact".to_string())
    } else {
        let n = n1f + n2f;
        let s = (n1f * n2f / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)))).sqrt();
        // All observations tied: U equals its mean and scipy's z is -inf, so p = 1.
        let z = if s > 0.0 {
            (u - n1f * n2f / 2.0 - 0.5) / s
        } else {
            f64::NEG_INFINITY
        };
        let method = if s.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            "all values tied"
        } else if ties {
            "normal approximation with tie and continuity correction"
        } else {
            "normal approximation with continuity correction"
        };
        (
            factor * norm_sf(z),
            factor.ln() + ln_norm_sf(z),
            method.to_string(),
        )
    };
    let (p_value, log10_p) = clip_p(p, ln_p);
    Ok(TestResult {
        test: "mann_whitney_u",
        method,
        statistic: u1,
        p_value,
        log10_p,
        df: None,
        effect_name: "rank_biserial",
        effect: Some(2.0 * u1 / (n1f * n2f) - 1.0),
        ci: None,
        sizes: vec![n1, n2],
    })
}

/// `P(U >= k)` under the null for sizes `m <= n`, from the coefficients of the Gaussian
/// binomial `[m + n choose m]_q` (the null distribution of U), using its symmetry as scipy does.
fn exact_sf(k: u64, m: u64, n: u64) -> f64 {
    let mn = m * n;
    let kc = mn.saturating_sub(k);
    let upto = k.min(kc) as usize;
    let pmf = u_pmf(upto, m, n);
    let cdf_at = |i: usize| pmf[..=i].iter().sum::<f64>();
    if k < kc {
        1.0 - cdf_at(upto) + pmf[upto]
    } else {
        cdf_at(upto)
    }
}

/// Null probabilities of U = 0..=upto for sizes `m <= n`.
fn u_pmf(upto: usize, m: u64, n: u64) -> Vec<f64> {
    let len = upto + 1;
    let mut poly = vec![0.0f64; len];
    poly[0] = 1.0;
    for i in 1..=m as usize {
        let shift = n as usize + i;
        if shift < len {
            for d in (shift..len).rev() {
                poly[d] -= poly[d - shift];
            }
        }
        for d in i..len {
            poly[d] += poly[d - i];
        }
    }
    let total = binom((m + n) as f64, m as f64);
    poly.iter().map(|c| c / total).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pmf_sums_to_one() {
        let m = 4;
        let n = 6;
        let pmf = u_pmf((m * n) as usize, m, n);
        let s: f64 = pmf.iter().sum();
        assert!((s - 1.0).abs() < 1e-12);
        assert!((pmf[0] - 1.0 / 210.0).abs() < 1e-15);
    }
}
