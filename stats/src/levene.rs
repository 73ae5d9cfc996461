//! Brown–Forsythe variant of Levene's test (`scipy.stats.levene(center='median')`).

use crate::error::{Error, Result, check_len};
use crate::rank::ValueCounts;
use crate::special::{f_sf, ln_f_sf};
use crate::weighted::Sample;
use crate::{TestResult, clip_p};

/// Levene's test of equal variances centred on group medians (Brown–Forsythe), F reference
/// distribution with `(k - 1, N - k)` degrees of freedom (`df` holds `k - 1`; the second is
/// `N - k` with `N` the sum of `sizes`).
pub fn levene_median(groups: &[&[f64]]) -> Result<TestResult> {
    let groups: Vec<Sample<'_>> = groups.iter().map(|g| Sample::raw(g)).collect();
    levene_samples(&groups)
}

/// [`levene_median`] on value-count tables (same numbers as on the expanded values, up to
/// summation order): memory follows the number of distinct values, not the group sizes.
pub fn levene_median_counts(groups: &[ValueCounts]) -> Result<TestResult> {
    let groups: Vec<Sample<'_>> = groups.iter().map(Sample::counts).collect();
    levene_samples(&groups)
}

fn levene_samples(groups: &[Sample<'_>]) -> Result<TestResult> {
    check_len("list of groups", groups.len(), 2)?;
    for (i, g) in groups.iter().enumerate() {
        g.check(&format!("group {i}"), 1)?;
    }
    let k = groups.len() as f64;
    let ntot: u64 = groups.iter().map(|g| g.len()).sum();
    let ntot_f = ntot as f64;
    if ntot_f - k < 1.0 {
        return Err(Error::TooFewObservations {
            what: "pooled groups".into(),
            needed: groups.len() + 1,
            got: usize::try_from(ntot).unwrap_or(usize::MAX),
        });
    }
    // Per group: size, median and mean absolute deviation from the median.
    let sizes: Vec<f64> = groups.iter().map(|g| g.len() as f64).collect();
    let medians: Vec<f64> = groups.iter().map(Sample::median).collect();
    let zbari: Vec<f64> = groups
        .iter()
        .zip(&medians)
        .zip(&sizes)
        .map(|((g, med), n)| g.sum_of(|v| (v - med).abs()) / n)
        .collect();
    let zbar = zbari.iter().zip(&sizes).map(|(m, n)| m * n).sum::<f64>() / ntot_f;
    let numer = (ntot_f - k)
        * zbari
            .iter()
            .zip(&sizes)
            .map(|(m, n)| n * (m - zbar) * (m - zbar))
            .sum::<f64>();
    let dvar: f64 = groups
        .iter()
        .zip(&medians)
        .zip(&zbari)
        .map(|((g, med), m)| {
            g.sum_of(|v| {
                let z = (v - med).abs();
                (z - m) * (z - m)
            })
        })
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
        sizes: groups.iter().map(Sample::len).collect(),
    })
}
