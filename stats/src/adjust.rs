//! Multiple-testing adjustment (`statsmodels.stats.multitest.multipletests`).

use serde::Serialize;

/// Adjustment method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Adjust {
    /// Family-wise error rate, `min(1, m p)`.
    Bonferroni,
    /// Holm's step-down family-wise correction (statsmodels `"holm"`).
    Holm,
    /// Benjamini–Hochberg false discovery rate (statsmodels `"fdr_bh"`).
    BenjaminiHochberg,
}

/// Adjusted p-values in the input order.
///
/// Entries that are not finite numbers in `[0, 1]` are left out of the family and come back as
/// `NaN`, so a failed test never lowers the others' adjustment.
pub fn adjust(p: &[f64], method: Adjust) -> Vec<f64> {
    let mut out = vec![f64::NAN; p.len()];
    let mut idx: Vec<usize> = (0..p.len())
        .filter(|&i| p[i].is_finite() && (0.0..=1.0).contains(&p[i]))
        .collect();
    let m = idx.len();
    if m == 0 {
        return out;
    }
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    match method {
        Adjust::Bonferroni => {
            for &i in &idx {
                out[i] = (p[i] * m as f64).min(1.0);
            }
        }
        Adjust::Holm => {
            let mut running = 0.0f64;
            for (rank, &i) in idx.iter().enumerate() {
                running = running.max(p[i] * (m - rank) as f64);
                out[i] = running.min(1.0);
            }
        }
        Adjust::BenjaminiHochberg => {
            let mut running = f64::INFINITY;
            for (rank, &i) in idx.iter().enumerate().rev() {
                running = running.min(p[i] / ((rank + 1) as f64 / m as f64));
                out[i] = running.min(1.0);
            }
        }
    }
    out
}
