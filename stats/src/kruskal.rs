//! Kruskal–Wallis H test (`scipy.stats.kruskal`).

use crate::error::{Error, Result, check_finite, check_len};
use crate::rank::ValueCounts;
use crate::special::{chi2_sf, ln_chi2_sf};
use crate::{TestResult, clip_p};

/// Kruskal–Wallis H test with tie correction, `df = k - 1`.
///
/// The effect is epsilon-squared, `H / (n - 1)`.
pub fn kruskal(groups: &[&[f64]]) -> Result<TestResult> {
    check_len("list of groups", groups.len(), 2)?;
    let mut counts = Vec::with_capacity(groups.len());
    for (i, g) in groups.iter().enumerate() {
        check_finite(&format!("group {i}"), g)?;
        check_len(&format!("group {i}"), g.len(), 1)?;
        counts.push(ValueCounts::from_values(g)?);
    }
    kruskal_counts(&counts)
}

/// Kruskal–Wallis H test from value-count tables (same results as [`kruskal`], cost linear in
/// the number of distinct values).
pub fn kruskal_counts(groups: &[ValueCounts]) -> Result<TestResult> {
    check_len("list of groups", groups.len(), 2)?;
    for (i, g) in groups.iter().enumerate() {
        check_len(&format!("group {i}"), g.n() as usize, 1)?;
    }
    let all = groups
        .iter()
        .fold(ValueCounts::new(), |acc, g| acc.merge(g));
    let n = all.n() as f64;
    let mut avg_rank = Vec::with_capacity(all.values().len());
    let mut cum = 0.0;
    let mut tie_sum = 0.0;
    for &c in all.counts() {
        let t = c as f64;
        avg_rank.push(cum + (t + 1.0) / 2.0);
        tie_sum += t * t * t - t;
        cum += t;
    }
    let ties = 1.0 - tie_sum / (n * n * n - n);
    if ties <= 0.0 {
        return Err(Error::ZeroVariance {
            what: "pooled groups".into(),
        });
    }
    let mut ssbn = 0.0;
    for g in groups {
        let mut j = 0;
        let mut s = 0.0;
        for (v, c) in g.values().iter().zip(g.counts()) {
            while all.values()[j] < *v {
                j += 1;
            }
            s += *c as f64 * avg_rank[j];
        }
        ssbn += s * s / g.n() as f64;
    }
    let h = (12.0 / (n * (n + 1.0)) * ssbn - 3.0 * (n + 1.0)) / ties;
    let df = (groups.len() - 1) as f64;
    let (p_value, log10_p) = clip_p(chi2_sf(h, df), ln_chi2_sf(h, df));
    Ok(TestResult {
        test: "kruskal",
        method: "chi-square approximation with tie correction".into(),
        statistic: h,
        p_value,
        log10_p,
        df: Some(df),
        effect_name: "epsilon_squared",
        effect: Some(h / (n - 1.0)),
        ci: None,
        sizes: groups.iter().map(ValueCounts::n).collect(),
    })
}
