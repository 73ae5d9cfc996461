//! Brown–Forsythe variant of Levene's test (`scipy.stats.levene(center='median')`).

use crate::error::{Error, Result, check_finite, check_len};
use crate::special::{f_sf, ln_f_sf};
use crate::{TestResult, clip_p};

/// Levene's test of equal variances centred on group medians (Brown–Forsythe), F reference
/// distribution with `(k - 1, N - k)` degrees of freedom (`df` holds `k - 1`; the second is
/// `N - k` with `N` the sum of `sizes`).
pub fn levene_median(groups: &[&[f64]]) -> Result<TestResult> {
    check_len("list of groups", groups.len(), 2)?;
    for (i, g) in groups.iter().enumerate() {
        check_finite(&format!("group {i}"), g)?;
        check_len(&format!("group {i}"), g.len(), 1)?;
    }
    let k = groups.len() as f64;
    let ntot: usize = groups.iter().map(|g| g.len()).sum();
    let ntot_f = ntot as f64;
    if ntot_f - k < 1.0 {
        return Err(Error::TooFewObservations {
            what: "pooled groups".into(),
            needed: groups.len() + 1,
            got: ntot,
        });
    }
    let mut z: Vec<Vec<f64>> = Vec::with_capacity(groups.len());
    for g in groups {
        let med = median(g);
        z.push(g.iter().map(|v| (v - med).abs()).collect());
    }
    let zbari: Vec<f64> = z
        .iter()
        .map(|zi| zi.iter().sum::<f64>() / zi.len() as f64)
        .collect();
    let zbar = zbari
        .iter()
        .zip(&z)
        .map(|(m, zi)| m * zi.len() as f64)
        .sum::<f64>()
        / ntot_f;
    let numer = (ntot_f - k)
        * zbari
            .iter()
            .zip(&z)
            .map(|(m, zi)| zi.len() as f64 * (m - zbar) * (m - zbar))
            .sum::<f64>();
    let dvar: f64 = z
        .iter()
        .zip(&zbari)
        .map(|(zi, m)| zi.iter().map(|v| (v - m) * (v - m)).sum::<f64>())
        .sum();
    if dvar <= 0.0 {
        return Err(Error::ZeroVariance {
            what: "absolute deviations from the group medians".into(),
        });
    }
    let w = numer / ((k - 1.0) * dvar);
    let (d1, d2) = (k - 1.0, ntot_f - k);
    let (p_value, log10_p) = clip_p(f_sf(w, d1, d2), ln_f_sf(w, d1, d2));
    Ok(TestResult {
        test: "levene",
        method: "brown-forsythe (median centred)".into(),
        statistic: w,
        p_value,
        log10_p,
        df: Some(d1),
        effect_name: "none",
        effect: None,
        ci: None,
        sizes: groups.iter().map(|g| g.len() as u64).collect(),
    })
}

/// `np.median`: the middle value, or the mean of the two middle values (linear-time selection).
fn median(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    let n = v.len();
    let (_, hi, _) = v.select_nth_unstable_by(n / 2, |a, b| a.total_cmp(b));
    let hi = *hi;
    if n % 2 == 1 {
        return hi;
    }
    let lo = v[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (lo + hi) / 2.0
}
