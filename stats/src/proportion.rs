//! Two-proportion z-test (`statsmodels.stats.proportion.proportions_ztest`, pooled variance).

use crate::error::{Error, Result};
use crate::special::{ln_norm_sf, norm_sf};
use crate::{Alternative, TestResult, clip_p};

/// `z` for a two-sided 95% interval.
const Z_975: f64 = 1.959_963_984_540_054;

/// Two-proportion z-test of `s1 / n1` against `s2 / n2` with the pooled variance under the null
/// (statsmodels' `proportions_ztest(count, nobs)`; `Greater` is statsmodels' `"larger"`).
///
/// The effect is the risk difference `s1/n1 - s2/n2` and `ci` its 95% Wald interval (unpooled).
pub fn two_proportion_z(
    s1: u64,
    n1: u64,
    s2: u64,
    n2: u64,
    alternative: Alternative,
) -> Result<TestResult> {
    if n1 == 0 || n2 == 0 || s1 > n1 || s2 > n2 {
        return Err(Error::InvalidArgument(format!(
            "two-proportion test needs 0 <= successes <= trials and trials > 0, got {s1}/{n1} and {s2}/{n2}"
        )));
    }
    let (p1, p2) = (s1 as f64 / n1 as f64, s2 as f64 / n2 as f64);
    let pooled = (s1 + s2) as f64 / (n1 + n2) as f64;
    let var = pooled * (1.0 - pooled) * (1.0 / n1 as f64 + 1.0 / n2 as f64);
    if var <= 0.0 {
        return Err(Error::ZeroVariance {
            what: "pooled proportion (all successes or all failures)".into(),
        });
    }
    let diff = p1 - p2;
    let z = diff / var.sqrt();
    let (p, ln_p) = match alternative {
        Alternative::TwoSided => (
            2.0 * norm_sf(z.abs()),
            std::f64::consts::LN_2 + ln_norm_sf(z.abs()),
        ),
        Alternative::Greater => (norm_sf(z), ln_norm_sf(z)),
        Alternative::Less => (norm_sf(-z), ln_norm_sf(-z)),
    };
    let (p_value, log10_p) = clip_p(p, ln_p);
    let se = (p1 * (1.0 - p1) / n1 as f64 + p2 * (1.0 - p2) / n2 as f64).sqrt();
    Ok(TestResult {
        test: "two_proportion_z",
        method: "normal approximation, pooled variance".into(),
        statistic: z,
        p_value,
        log10_p,
        df: None,
        effect_name: "risk_difference",
        effect: Some(diff),
        ci: Some((diff - Z_975 * se, diff + Z_975 * se)),
        sizes: vec![n1, n2],
    })
}
