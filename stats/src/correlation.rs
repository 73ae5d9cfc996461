//! Pearson and Spearman correlation (`scipy.stats.pearsonr`, `scipy.stats.spearmanr`).

use serde::Serialize;

use crate::clip_p;
use crate::error::{Error, Result};
use crate::rank::rank_average;
use crate::special::{beta_reg_xy, ln_beta_reg_xy, ln_t_sf, norm_ppf, t_sf};

/// A correlation coefficient with its two-sided test of zero correlation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correlation {
    /// Coefficient in `[-1, 1]`.
    pub r: f64,
    /// Two-sided p-value of `r = 0`.
    pub p_value: f64,
    /// `log10` of the p-value (finite when the p-value underflows).
    pub log10_p: f64,
    /// Number of complete pairs used.
    pub n: u64,
    /// 95% confidence interval from Fisher's z transform (scipy's `confidence_interval()`).
    pub ci: (f64, f64),
}

/// Keeps the pairs where neither value is `NaN` (pandas' pairwise deletion); infinities are
/// an error.
fn complete_pairs(x: &[f64], y: &[f64]) -> Result<(Vec<f64>, Vec<f64>)> {
    if x.len() != y.len() {
        return Err(Error::InvalidArgument(format!(
            "x has {} values and y has {}; expected paired samples of equal length",
            x.len(),
            y.len()
        )));
    }
    let mut a = Vec::with_capacity(x.len());
    let mut b = Vec::with_capacity(y.len());
    for (i, (&u, &v)) in x.iter().zip(y).enumerate() {
        if u.is_nan() || v.is_nan() {
            continue;
        }
        if u.is_infinite() || v.is_infinite() {
            return Err(Error::NonFinite {
                what: if u.is_infinite() { "x" } else { "y" }.into(),
                index: i,
            });
        }
        a.push(u);
        b.push(v);
    }
    if a.len() < 3 {
        return Err(Error::TooFewObservations {
            what: "complete pairs".into(),
            needed: 3,
            got: a.len(),
        });
    }
    Ok((a, b))
}

fn r_of(x: &[f64], y: &[f64]) -> Result<f64> {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let mut xm: Vec<f64> = x.iter().map(|v| v - mx).collect();
    let mut ym: Vec<f64> = y.iter().map(|v| v - my).collect();
    let xmax = xm.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let ymax = ym.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    // scipy treats a sample as constant when it equals its first element everywhere.
    if xmax == 0.0 || x.iter().all(|v| *v == x[0]) {
        return Err(Error::ZeroVariance { what: "x".into() });
    }
    if ymax == 0.0 || y.iter().all(|v| *v == y[0]) {
        return Err(Error::ZeroVariance { what: "y".into() });
    }
    xm.iter_mut().for_each(|v| *v /= xmax);
    ym.iter_mut().for_each(|v| *v /= ymax);
    let nx = xm.iter().map(|v| v * v).sum::<f64>().sqrt();
    let ny = ym.iter().map(|v| v * v).sum::<f64>().sqrt();
    let r: f64 = xm.iter().zip(&ym).map(|(a, b)| (a / nx) * (b / ny)).sum();
    Ok(r.clamp(-1.0, 1.0))
}

fn fisher_ci(r: f64, n: f64) -> (f64, f64) {
    let xi = r.atanh();
    let se = 1.0 / (n - 3.0).sqrt();
    let z = norm_ppf(0.975);
    if n <= 3.0 {
        return (-1.0, 1.0);
    }
    ((xi - z * se).tanh(), (xi + z * se).tanh())
}

/// Pearson's r with scipy's exact p-value (beta distribution of r under independence) and a
/// Fisher-z 95% interval. Pairs with a `NaN` are dropped; at least 3 complete pairs are needed.
pub fn pearson(x: &[f64], y: &[f64]) -> Result<Correlation> {
    let (x, y) = complete_pairs(x, y)?;
    let r = r_of(&x, &y)?;
    let n = x.len() as f64;
    let ab = n / 2.0 - 1.0;
    let (tail, rest) = ((1.0 - r.abs()) / 2.0, (1.0 + r.abs()) / 2.0);
    let p = 2.0 * beta_reg_xy(ab, ab, tail, rest);
    let ln_p = std::f64::consts::LN_2 + ln_beta_reg_xy(ab, ab, tail, rest);
    let (p_value, log10_p) = clip_p(p, ln_p);
    Ok(Correlation {
        r,
        p_value,
        log10_p,
        n: x.len() as u64,
        ci: fisher_ci(r, n),
    })
}

/// Spearman's rank correlation (Pearson's r of average ranks) with scipy's t-based p-value
/// (`df = n - 2`). Pairs with a `NaN` are dropped.
pub fn spearman(x: &[f64], y: &[f64]) -> Result<Correlation> {
    let (x, y) = complete_pairs(x, y)?;
    let rx = rank_average(&x);
    let ry = rank_average(&y);
    let r = r_of(&rx, &ry).map_err(|e| match e {
        Error::ZeroVariance { what } => Error::ZeroVariance { what },
        e => e,
    })?;
    let n = x.len() as f64;
    let df = n - 2.0;
    let t = r * (df / ((r + 1.0) * (1.0 - r))).max(0.0).sqrt();
    let (p, ln_p) = (
        2.0 * t_sf(t.abs(), df),
        std::f64::consts::LN_2 + ln_t_sf(t.abs(), df),
    );
    let (p_value, log10_p) = clip_p(p, ln_p);
    Ok(Correlation {
        r,
        p_value,
        log10_p,
        n: x.len() as u64,
        ci: fisher_ci(r, n),
    })
}
