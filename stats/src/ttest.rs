//! Student and Welch two-sample t-tests (`scipy.stats.ttest_ind`).

use crate::error::{Error, Result, check_finite, check_len};
use crate::rank::ValueCounts;
use crate::special::{ln_t_sf, t_ppf, t_sf};
use crate::weighted::Sample;
use crate::{Alternative, TestResult, clip_p};

/// Mean and variance (ddof = 1).
fn mean_var(x: Sample<'_>) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.mean();
    let ss = x.sum_of(|v| (v - mean) * (v - mean));
    (mean, ss / (n - 1.0))
}

fn validate(x: &[f64], y: &[f64]) -> Result<()> {
    check_finite("x", x)?;
    check_finite("y", y)?;
    check_len("x", x.len(), 2)?;
    check_len("y", y.len(), 2)
}

fn pooled_sd(x: Sample<'_>, y: Sample<'_>) -> f64 {
    let (_, v1) = mean_var(x);
    let (_, v2) = mean_var(y);
    let (n1, n2) = (x.len() as f64, y.len() as f64);
    (((n1 - 1.0) * v1 + (n2 - 1.0) * v2) / (n1 + n2 - 2.0)).sqrt()
}

/// Cohen's d: difference of means over the pooled standard deviation (ddof = 1 in each group).
pub fn cohens_d(x: &[f64], y: &[f64]) -> Result<f64> {
    validate(x, y)?;
    let (x, y) = (Sample::raw(x), Sample::raw(y));
    let sd = pooled_sd(x, y);
    if sd <= 0.0 {
        return Err(Error::ZeroVariance {
            what: "pooled samples".into(),
        });
    }
    let (m1, _) = mean_var(x);
    let (m2, _) = mean_var(y);
    Ok((m1 - m2) / sd)
}

/// Hedges' g: Cohen's d times the small-sample correction `1 - 3 / (4 (n1 + n2) - 9)`.
pub fn hedges_g(x: &[f64], y: &[f64]) -> Result<f64> {
    let d = cohens_d(x, y)?;
    let n = (x.len() + y.len()) as f64;
    Ok(d * (1.0 - 3.0 / (4.0 * n - 9.0)))
}

/// Two-sample t-test: Student's (`equal_var = true`, pooled variance, `df = n1 + n2 - 2`) or
/// Welch's (Welch–Satterthwaite `df`), as `scipy.stats.ttest_ind`.
///
/// `ci` is the confidence interval of `mean(x) - mean(y)` at level `confidence` (one-sided
/// intervals for one-sided alternatives, as scipy's `confidence_interval`). The effect is
/// Cohen's d (see also [`hedges_g`]).
pub fn t_test(
    x: &[f64],
    y: &[f64],
    equal_var: bool,
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    validate(x, y)?;
    t_test_samples(
        Sample::raw(x),
        Sample::raw(y),
        equal_var,
        alternative,
        confidence,
    )
}

/// [`t_test`] on value-count tables (same numbers as on the expanded values, up to summation
/// order): memory follows the number of distinct values, not the sample sizes.
pub fn t_test_counts(
    x: &ValueCounts,
    y: &ValueCounts,
    equal_var: bool,
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    let (x, y) = (Sample::counts(x), Sample::counts(y));
    x.check("x", 2)?;
    y.check("y", 2)?;
    t_test_samples(x, y, equal_var, alternative, confidence)
}

fn t_test_samples(
    x: Sample<'_>,
    y: Sample<'_>,
    equal_var: bool,
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(Error::InvalidArgument(format!(
            "confidence level {confidence} is outside (0, 1)"
        )));
    }
    let (n1, n2) = (x.len() as f64, y.len() as f64);
    let (m1, v1) = mean_var(x);
    let (m2, v2) = mean_var(y);
    let (df, denom) = if equal_var {
        let df = n1 + n2 - 2.0;
        let svar = ((n1 - 1.0) * v1 + (n2 - 1.0) * v2) / df;
        (df, (svar * (1.0 / n1 + 1.0 / n2)).sqrt())
    } else {
        let vn1 = v1 / n1;
        let vn2 = v2 / n2;
        let df = (vn1 + vn2).powi(2) / (vn1 * vn1 / (n1 - 1.0) + vn2 * vn2 / (n2 - 1.0));
        (df, (vn1 + vn2).sqrt())
    };
    if denom.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || !df.is_finite() {
        return Err(Error::ZeroVariance {
            what: "both samples".into(),
        });
    }
    let diff = m1 - m2;
    let t = diff / denom;
    let (p, ln_p) = match alternative {
        Alternative::TwoSided => (
            2.0 * t_sf(t.abs(), df),
            std::f64::consts::LN_2 + ln_t_sf(t.abs(), df),
        ),
        Alternative::Greater => (t_sf(t, df), ln_t_sf(t, df)),
        Alternative::Less => (t_sf(-t, df), ln_t_sf(-t, df)),
    };
    let ci = match alternative {
        Alternative::TwoSided => {
            let q = t_ppf(0.5 + confidence / 2.0, df);
            (diff - q * denom, diff + q * denom)
        }
        Alternative::Less => (f64::NEG_INFINITY, diff + t_ppf(confidence, df) * denom),
        Alternative::Greater => (diff - t_ppf(confidence, df) * denom, f64::INFINITY),
    };
    let (p_value, log10_p) = clip_p(p, ln_p);
    let sd = pooled_sd(x, y);
    Ok(TestResult {
        test: if equal_var { "student_t" } else { "welch_t" },
        method: if equal_var {
            "pooled variance".into()
        } else {
            "welch-satterthwaite".into()
        },
        statistic: t,
        p_value,
        log10_p,
        df: Some(df),
        effect_name: "cohens_d",
        effect: (sd > 0.0).then(|| diff / sd),
        ci: Some(ci),
        sizes: vec![x.len(), y.len()],
    })
}
