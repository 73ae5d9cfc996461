//! Contingency tables: chi-square test of independence, Cramér's V and Fisher's exact test.

use std::collections::BTreeMap;

use serde::Serialize;
use statrs::function::gamma::ln_gamma;

use crate::error::{Error, Result};
use crate::special::{chi2_sf, ln_chi2_sf};
use crate::{Alternative, TestResult, clip_p};

/// An `r × c` table of counts, stored row-major.
///
/// Build it from counts produced elsewhere (e.g. a `GROUP BY` over ten million rows) with
/// [`ContingencyTable::from_counts`], or from raw label pairs with
/// [`ContingencyTable::from_pairs`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContingencyTable {
    rows: usize,
    cols: usize,
    counts: Vec<u64>,
}

impl ContingencyTable {
    /// A table from row-major counts; `counts.len()` must equal `rows * cols`.
    pub fn from_counts(rows: usize, cols: usize, counts: Vec<u64>) -> Result<Self> {
        if rows == 0 || cols == 0 || counts.len() != rows * cols {
            return Err(Error::InvalidArgument(format!(
                "contingency table of {rows} x {cols} needs {} counts, got {}",
                rows * cols,
                counts.len()
            )));
        }
        Ok(Self { rows, cols, counts })
    }

    /// A table from nested rows of counts (all rows the same length).
    pub fn from_rows(rows: &[Vec<u64>]) -> Result<Self> {
        let cols = rows.first().map_or(0, Vec::len);
        if rows.iter().any(|r| r.len() != cols) {
            return Err(Error::InvalidArgument(
                "contingency table rows have different lengths; expected a rectangular table"
                    .into(),
            ));
        }
        Self::from_counts(rows.len(), cols, rows.concat())
    }

    /// Cross-tabulates `(row label, column label)` pairs; labels are ordered by `Ord` and only
    /// observed labels get a row or column.
    pub fn from_pairs<A: Ord, B: Ord>(pairs: impl IntoIterator<Item = (A, B)>) -> Result<Self> {
        let mut cells: BTreeMap<(A, B), u64> = BTreeMap::new();
        for p in pairs {
            *cells.entry(p).or_default() += 1;
        }
        let mut row_ids: BTreeMap<&A, usize> = BTreeMap::new();
        let mut col_ids: BTreeMap<&B, usize> = BTreeMap::new();
        for (a, b) in cells.keys() {
            row_ids.entry(a).or_default();
            col_ids.entry(b).or_default();
        }
        for (i, v) in row_ids.values_mut().enumerate() {
            *v = i;
        }
        for (i, v) in col_ids.values_mut().enumerate() {
            *v = i;
        }
        let (rows, cols) = (row_ids.len(), col_ids.len());
        let mut counts = vec![0u64; rows * cols];
        for ((a, b), c) in &cells {
            counts[row_ids[a] * cols + col_ids[b]] += c;
        }
        Self::from_counts(rows, cols, counts)
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Count in row `r`, column `c`.
    pub fn get(&self, r: usize, c: usize) -> u64 {
        self.counts[r * self.cols + c]
    }

    /// Row-major counts.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Row totals.
    pub fn row_sums(&self) -> Vec<u64> {
        (0..self.rows)
            .map(|r| self.counts[r * self.cols..(r + 1) * self.cols].iter().sum())
            .collect()
    }

    /// Column totals.
    pub fn col_sums(&self) -> Vec<u64> {
        (0..self.cols)
            .map(|c| (0..self.rows).map(|r| self.get(r, c)).sum())
            .collect()
    }

    /// Grand total.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The same table without all-zero rows and columns (`None` if nothing is left).
    pub fn without_empty(&self) -> Option<ContingencyTable> {
        let rs = self.row_sums();
        let cs = self.col_sums();
        let keep_r: Vec<usize> = (0..self.rows).filter(|&r| rs[r] > 0).collect();
        let keep_c: Vec<usize> = (0..self.cols).filter(|&c| cs[c] > 0).collect();
        if keep_r.is_empty() || keep_c.is_empty() {
            return None;
        }
        let counts = keep_r
            .iter()
            .flat_map(|&r| keep_c.iter().map(move |&c| (r, c)))
            .map(|(r, c)| self.get(r, c))
            .collect();
        Some(ContingencyTable {
            rows: keep_r.len(),
            cols: keep_c.len(),
            counts,
        })
    }

    /// Expected counts under independence, row-major (`row_sum * col_sum / n`).
    pub(crate) fn expected(&self) -> Vec<f64> {
        let rs = self.row_sums();
        let cs = self.col_sums();
        let n = self.total() as f64;
        let mut e = Vec::with_capacity(self.counts.len());
        for r in rs.iter() {
            for c in cs.iter() {
                e.push(*r as f64 * *c as f64 / n);
            }
        }
        e
    }
}

/// Which divergence statistic [`statistic`] computes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lambda {
    Pearson,
    LogLikelihood,
}

/// scipy's `chi2_contingency` statistic (Yates' correction when `yates` and `dof == 1`) on a
/// table with no empty rows or columns. Returns `(statistic, dof, corrected)`.
pub(crate) fn statistic(t: &ContingencyTable, yates: bool, lambda: Lambda) -> (f64, f64, bool) {
    let expected = t.expected();
    let dof = ((t.rows - 1) * (t.cols - 1)) as f64;
    let correct = yates && dof == 1.0;
    let mut stat = 0.0;
    for (o, e) in t.counts.iter().zip(&expected) {
        let mut o = *o as f64;
        if correct {
            let diff = e - o;
            o += diff.abs().min(0.5).copysign(diff);
        }
        stat += match lambda {
            Lambda::Pearson => (o - e) * (o - e) / e,
            Lambda::LogLikelihood => {
                if o == 0.0 {
                    0.0
                } else {
                    2.0 * o * (o / e).ln()
                }
            }
        };
    }
    (stat, dof, correct)
}

fn check_table(table: &ContingencyTable) -> Result<()> {
    let rs = table.row_sums();
    let cs = table.col_sums();
    if table.rows < 2 || table.cols < 2 {
        return Err(Error::InvalidArgument(format!(
            "contingency table is {} x {}; expected at least 2 x 2",
            table.rows, table.cols
        )));
    }
    if let Some(r) = rs.iter().position(|&s| s == 0) {
        return Err(Error::InvalidArgument(format!(
            "row {r} of the contingency table is empty; expected every row and column to have counts"
        )));
    }
    if let Some(c) = cs.iter().position(|&s| s == 0) {
        return Err(Error::InvalidArgument(format!(
            "column {c} of the contingency table is empty; expected every row and column to have counts"
        )));
    }
    Ok(())
}

/// Chi-square test of independence (`scipy.stats.chi2_contingency(table, correction=yates)`):
/// Pearson's statistic, with Yates' continuity correction on tables with one degree of freedom
/// when `yates` is set. The effect is Cramér's V (from the uncorrected statistic, like
/// `scipy.stats.contingency.association`). Tables with an empty row or column are rejected, as
/// scipy does.
pub fn chi2_contingency(table: &ContingencyTable, yates: bool) -> Result<TestResult> {
    check_table(table)?;
    let (stat, dof, corrected) = statistic(table, yates, Lambda::Pearson);
    let (p_value, log10_p) = clip_p(chi2_sf(stat, dof), ln_chi2_sf(stat, dof));
    Ok(TestResult {
        test: "chi2_contingency",
        method: if corrected {
            "pearson chi-square with yates correction".into()
        } else {
            "pearson chi-square".into()
        },
        statistic: stat,
        p_value,
        log10_p,
        df: Some(dof),
        effect_name: "cramers_v",
        effect: cramers_v(table, false).ok(),
        ci: None,
        sizes: vec![table.total()],
    })
}

/// Cramér's V from the uncorrected chi-square statistic; with `bias_corrected` the
/// Bergsma (2013) correction used by e.g. `scipy`-based EDA tools:
/// `phi2c = max(0, chi2/n - (r-1)(c-1)/(n-1))`, `rc = r - (r-1)^2/(n-1)`, `cc = c - (c-1)^2/(n-1)`,
/// `V = sqrt(phi2c / min(rc - 1, cc - 1))`.
pub fn cramers_v(table: &ContingencyTable, bias_corrected: bool) -> Result<f64> {
    check_table(table)?;
    let (chi2, _, _) = statistic(table, false, Lambda::Pearson);
    let n = table.total() as f64;
    let (r, c) = (table.rows as f64, table.cols as f64);
    if bias_corrected {
        if n < 2.0 {
            return Err(Error::TooFewObservations {
                what: "contingency table".into(),
                needed: 2,
                got: n as usize,
            });
        }
        let phi2 = (chi2 / n - (r - 1.0) * (c - 1.0) / (n - 1.0)).max(0.0);
        let rc = r - (r - 1.0).powi(2) / (n - 1.0);
        let cc = c - (c - 1.0).powi(2) / (n - 1.0);
        let denom = (rc - 1.0).min(cc - 1.0);
        if denom <= 0.0 {
            return Err(Error::InvalidArgument(
                "bias-corrected cramér's v is undefined for this table size; expected more observations"
                    .into(),
            ));
        }
        Ok((phi2 / denom).sqrt())
    } else {
        Ok((chi2 / (n * (r.min(c) - 1.0))).sqrt())
    }
}

fn ln_choose(n: u64, k: u64) -> f64 {
    ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
}

/// Fisher's exact test on a 2×2 table `[[a, b], [c, d]]` (`scipy.stats.fisher_exact`).
///
/// The statistic and effect are the sample odds ratio `ad / bc` (the effect is `None` when it
/// is infinite). The two-sided p-value sums the probabilities of all tables no more likely than
/// the observed one (relative tolerance `1e-14`, as scipy). Meant for small tables; cost is
/// linear in the smaller margin.
pub fn fisher_exact(table: [[u64; 2]; 2], alternative: Alternative) -> Result<TestResult> {
    let [[a, b], [c, d]] = table;
    let t = ContingencyTable::from_counts(2, 2, vec![a, b, c, d])?;
    check_table(&t)?;
    let odds = if c > 0 && b > 0 {
        (a as f64 * d as f64) / (c as f64 * b as f64)
    } else {
        f64::INFINITY
    };
    let n1 = a + b;
    let n2 = c + d;
    let n = a + c;
    let lo = n.saturating_sub(n2);
    let hi = n.min(n1);
    let ln_total = ln_choose(n1 + n2, n);
    let pmf = |x: u64| (ln_choose(n1, x) + ln_choose(n2, n - x) - ln_total).exp();
    let p = match alternative {
        Alternative::Less => (lo..=a).map(pmf).sum::<f64>(),
        Alternative::Greater => (a..=hi).map(pmf).sum::<f64>(),
        Alternative::TwoSided => {
            let pexact = pmf(a);
            let mode = ((n + 1) as f64 * (n1 + 1) as f64 / (n1 + n2 + 2) as f64) as u64;
            let pmode = pmf(mode);
            if (pexact - pmode).abs() / pexact.max(pmode) <= 1e-14 {
                1.0
            } else {
                let limit = pexact * (1.0 + 1e-14);
                (lo..=hi).map(pmf).filter(|&p| p <= limit).sum::<f64>()
            }
        }
    };
    let p = p.min(1.0);
    let (p_value, log10_p) = clip_p(p, p.ln());
    Ok(TestResult {
        test: "fisher_exact",
        method: "exact".into(),
        statistic: odds,
        p_value,
        log10_p,
        df: None,
        effect_name: "odds_ratio",
        effect: odds.is_finite().then_some(odds),
        ci: None,
        sizes: vec![n1, n2],
    })
}
