//! Statistics core of bankseg: hypothesis tests, effect sizes, multiple-testing adjustment and
//! correlations (Pearson, Spearman, phi_K) whose numbers agree with scipy, statsmodels and the
//! `phik` package.
//!
//! The crate is a pure library: it does no I/O and holds no state. The analysis service hands it
//! slices, value-count tables ([`ValueCounts`]) or contingency tables ([`ContingencyTable`]) and
//! gets back a [`TestResult`], a [`Correlation`] or a [`phik::PhikMatrix`]. Rank tests, the
//! moment-based tests (t-tests, normality, Levene) and table-based statistics accept aggregated
//! input, so a column of ten million rows is reduced once (one pass, memory proportional to the
//! number of distinct values) and then tested.
//!
//! Every test reports the method that was actually used (exact or asymptotic, with which
//! corrections), the statistic, the p-value and `log10(p)`, which stays meaningful when the
//! p-value underflows to zero on large samples. Degenerate inputs (empty, constant, non-finite)
//! return an [`Error`] rather than `NaN`.
//!
//! ```
//! use bankseg_stats::{mann_whitney_u, Alternative};
//!
//! let x = [1.0, 2.0, 3.5, 4.0, 7.0];
//! let y = [3.0, 5.0, 6.0, 8.0, 9.0, 10.0];
//! let r = mann_whitney_u(&x, &y, Alternative::TwoSided).unwrap();
//! assert_eq!(r.method, "exact");
//! assert!(r.p_value > 0.0 && r.p_value <= 1.0);
//! ```
//!
//! Reference values come from `stats/golden/make_golden.py` (pinned scipy, phik and statsmodels)
//! and are checked by `stats/tests/golden.rs`.

mod adjust;
mod contingency;
mod correlation;
mod descriptive;
mod error;
mod kruskal;
mod ks;
mod levene;
mod mann_whitney;
mod normality;
pub mod phik;
mod proportion;
mod rank;
mod special;
#[cfg(test)]
mod tests;
mod ttest;
mod weighted;

pub use adjust::{Adjust, adjust};
pub use contingency::{ContingencyTable, chi2_contingency, cramers_v, fisher_exact};
pub use correlation::{Correlation, pearson, spearman};
pub use descriptive::{Describe, describe, quantile, wilson_interval};
pub use error::{Error, Result};
pub use kruskal::{kruskal, kruskal_counts};
pub use ks::{ks_2samp, ks_2samp_counts};
pub use levene::{levene_median, levene_median_counts};
pub use mann_whitney::{mann_whitney_u, mann_whitney_u_counts};
pub use normality::{normality, normality_counts};
pub use proportion::two_proportion_z;
pub use rank::{ValueCounts, rank_average};
pub use ttest::{cohens_d, hedges_g, t_test, t_test_counts};

use serde::Serialize;

/// Alternative hypothesis, with scipy's meaning: `Less` means the distribution underlying the
/// first sample is stochastically less than the one underlying the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Alternative {
    /// The two distributions differ.
    TwoSided,
    /// The first sample tends to be smaller.
    Less,
    /// The first sample tends to be larger.
    Greater,
}

/// Outcome of a hypothesis test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestResult {
    /// Test name: `"mann_whitney_u"`, `"welch_t"`, `"student_t"`, `"ks_2samp"`,
    /// `"chi2_contingency"`, `"fisher_exact"`, `"two_proportion_z"`, `"kruskal"`, `"levene"` or
    /// `"normaltest"`.
    pub test: &'static str,
    /// Method actually used, e.g. `"exact"`, `"asymptotic"`,
    /// `"normal approximation with tie and continuity correction"`.
    pub method: String,
    /// Test statistic with scipy's definition (e.g. U of the first sample for Mann–Whitney).
    pub statistic: f64,
    /// p-value; may underflow to `0.0` on very large samples, see `log10_p`.
    pub p_value: f64,
    /// `log10` of the p-value, computed in log space so it stays finite when `p_value` is `0.0`.
    pub log10_p: f64,
    /// Degrees of freedom, where the reference distribution has them.
    pub df: Option<f64>,
    /// Name of the effect size, e.g. `"rank_biserial"`, `"cohens_d"`, `"cramers_v"`.
    pub effect_name: &'static str,
    /// Effect size, when defined for the data.
    pub effect: Option<f64>,
    /// Confidence interval (of the mean difference for t-tests, of the risk difference for the
    /// two-proportion test).
    pub ci: Option<(f64, f64)>,
    /// Sample sizes, in argument order.
    pub sizes: Vec<u64>,
}

/// Clips a p-value to `[0, 1]` like scipy does and pairs it with `log10(p)` computed from its
/// natural logarithm `ln_p` (which stays finite when `p` underflows).
pub(crate) fn clip_p(p: f64, ln_p: f64) -> (f64, f64) {
    (p.clamp(0.0, 1.0), ln_p.min(0.0) / special::LN_10)
}
