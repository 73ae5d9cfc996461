//! The phi_K correlation coefficient and its significance, as defined by the `phik` package
//! (0.12): a chi-square of the contingency table, a noise pedestal, and an inversion through a
//! binned bivariate normal distribution on the fixed grid `[-5, 5]²`.
//!
//! Mirrors `phik.phik_matrix(df, interval_cols, bins=10)` and
//! `phik.significance_matrix(..., significance_method='asymptotic')`:
//! interval columns are cut into `bins` uniform bins between their minimum and maximum (phik's
//! edge and bin-index conventions), missing values are dropped pairwise, categorical columns
//! use their distinct values, and columns with fewer than two distinct values are left out.

use serde::Serialize;

use crate::contingency::{ContingencyTable, Lambda, statistic};
use crate::error::{Error, Result};
use crate::special::{brentq, chi2_sf, norm_cdf, norm_ppf, norm_sf};

// ---- bivariate normal (Genz's BVNU / BVNMVN as used by scipy's `mvnun`) ----

const GL_W: [&[f64]; 3] = [
    &[
        0.171_324_492_379_170_5,
        0.360_761_573_048_138_4,
        0.467_913_934_572_690_4,
    ],
    &[
        0.047_175_336_386_511_77,
        0.106_939_325_995_318_3,
        0.160_078_328_543_346_4,
        0.203_167_426_723_065_9,
        0.233_492_536_538_354_7,
        0.249_147_045_813_402_9,
    ],
    &[
        0.017_614_007_139_152_12,
        0.040_601_429_800_386_94,
        0.062_672_048_334_109_06,
        0.083_276_741_576_704_75,
        0.101_930_119_817_240_4,
        0.118_194_531_961_518_4,
        0.131_688_638_449_176_6,
        0.142_096_109_318_382_1,
        0.149_172_986_472_603_7,
        0.152_753_387_130_725_9,
    ],
];
const GL_X: [&[f64]; 3] = [
    &[
        -0.932_469_514_203_152_2,
        -0.661_209_386_466_264_7,
        -0.238_619_186_083_197,
    ],
    &[
        -0.981_560_634_246_719_1,
        -0.904_117_256_370_475,
        -0.769_902_674_194_305,
        -0.587_317_954_286_617_1,
        -0.367_831_498_998_180_2,
        -0.125_233_408_511_469_2,
    ],
    &[
        -0.993_128_599_185_094_9,
        -0.963_971_927_277_913_8,
        -0.912_234_428_251_326,
        -0.839_116_971_822_218_8,
        -0.746_331_906_460_150_8,
        -0.636_053_680_726_515,
        -0.510_867_001_950_827_1,
        -0.373_706_088_715_419_6,
        -0.227_785_851_141_645_1,
        -0.076_526_521_133_497_33,
    ],
];

/// `P(X > sh, Y > sk)` for a standard bivariate normal with correlation `r` (Genz's BVNU).
fn bvnu(sh: f64, sk: f64, r: f64) -> f64 {
    use std::f64::consts::PI;
    let twopi = 2.0 * PI;
    let ng = if r.abs() < 0.3 {
        0
    } else if r.abs() < 0.75 {
        1
    } else {
        2
    };
    let (w, x) = (GL_W[ng], GL_X[ng]);
    let h = sh;
    let mut k = sk;
    let mut hk = h * k;
    let mut bvn = 0.0;
    if r.abs() < 0.925 {
        let hs = (h * h + k * k) / 2.0;
        let asr = r.asin();
        for i in 0..w.len() {
            let sn = (asr * (x[i] + 1.0) / 2.0).sin();
            bvn += w[i] * ((sn * hk - hs) / (1.0 - sn * sn)).exp();
            let sn = (asr * (-x[i] + 1.0) / 2.0).sin();
            bvn += w[i] * ((sn * hk - hs) / (1.0 - sn * sn)).exp();
        }
        bvn * asr / (2.0 * twopi) + norm_sf(h) * norm_sf(k)
    } else {
        if r < 0.0 {
            k = -k;
            hk = -hk;
        }
        if r.abs() < 1.0 {
            let as_ = (1.0 - r) * (1.0 + r);
            let mut a = as_.sqrt();
            let bs = (h - k) * (h - k);
            let c = (4.0 - hk) / 8.0;
            let d = (12.0 - hk) / 16.0;
            bvn = a
                * (-(bs / as_ + hk) / 2.0).exp()
                * (1.0 - c * (bs - as_) * (1.0 - d * bs / 5.0) / 3.0 + c * d * as_ * as_ / 5.0);
            if hk > -160.0 {
                let b = bs.sqrt();
                bvn -= (-hk / 2.0).exp()
                    * twopi.sqrt()
                    * norm_cdf(-b / a)
                    * b
                    * (1.0 - c * bs * (1.0 - d * bs / 5.0) / 3.0);
            }
            a /= 2.0;
            for i in 0..w.len() {
                let xs = (a * (x[i] + 1.0)).powi(2);
                let rs = (1.0 - xs).sqrt();
                bvn += a
                    * w[i]
                    * ((-bs / (2.0 * xs) - hk / (1.0 + rs)).exp() / rs
                        - (-(bs / xs + hk) / 2.0).exp() * (1.0 + c * xs * (1.0 + d * xs)));
                let xs = as_ * (-x[i] + 1.0).powi(2) / 4.0;
                let rs = (1.0 - xs).sqrt();
                bvn += a
                    * w[i]
                    * (-(bs / xs + hk) / 2.0).exp()
                    * ((-hk * (1.0 - rs) / (2.0 * (1.0 + rs))).exp() / rs
                        - (1.0 + c * xs * (1.0 + d * xs)));
            }
            bvn = -bvn / twopi;
        }
        if r > 0.0 {
            bvn += norm_sf(h.max(k));
        }
        if r < 0.0 {
            bvn = -bvn + (norm_sf(h) - norm_sf(k)).max(0.0);
        }
        bvn
    }
}

/// Probability of the rectangle `lower < (X, Y) < upper` (finite limits) under a standard
/// bivariate normal with correlation `rho`; `rho = 1` is the degenerate line `X = Y`.
fn mvnun(lower: (f64, f64), upper: (f64, f64), rho: f64) -> f64 {
    if rho >= 1.0 {
        let a = lower.0.max(lower.1);
        let b = upper.0.min(upper.1);
        return (norm_cdf(b) - norm_cdf(a)).max(0.0);
    }
    bvnu(lower.0, lower.1, rho) - bvnu(upper.0, lower.1, rho) - bvnu(lower.0, upper.1, rho)
        + bvnu(upper.0, upper.1, rho)
}

/// `np.linspace(start, stop, num)`.
fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    let div = (num - 1) as f64;
    let step = (stop - start) / div;
    let mut v: Vec<f64> = (0..num).map(|i| i as f64 * step + start).collect();
    if num > 1 {
        v[num - 1] = stop;
    }
    v
}

/// phik's `_mvn_array`: cell probabilities of half the grid, then mirrored (point symmetry).
fn mvn_array(rho: f64, sx: &[f64], sy: &[f64]) -> Vec<f64> {
    let (nx, ny) = (sx.len() - 1, sy.len() - 1);
    let mut ranges = Vec::new();
    for i in 0..nx / 2 {
        for j in 0..ny {
            ranges.push(((sx[i], sy[j]), (sx[i + 1], sy[j + 1])));
        }
    }
    let mut odd_odd = false;
    if nx % 2 == 1 {
        let i = nx / 2;
        for j in 0..ny / 2 {
            ranges.push(((sx[i], sy[j]), (sx[i + 1], sy[j + 1])));
        }
        if ny % 2 == 1 {
            let j = ny / 2;
            ranges.push(((sx[i], sy[j]), (sx[i + 1], sy[j + 1])));
            odd_odd = true;
        }
    }
    let corr: Vec<f64> = ranges.iter().map(|(l, u)| mvnun(*l, *u, rho)).collect();
    let mut out = corr.clone();
    let second = if odd_odd {
        &corr[..corr.len() - 1]
    } else {
        &corr[..]
    };
    out.extend_from_slice(second);
    out
}

fn chi2_sum(corr: &[f64], corr0: &[f64]) -> f64 {
    corr.iter()
        .zip(corr0)
        .map(|(c, c0)| {
            if *c0 != 0.0 {
                (c - c0) * (c - c0) / c0
            } else {
                0.0
            }
        })
        .sum()
}

/// phik's `phik_from_chi2`: the correlation of the bivariate normal whose binned chi-square
/// (plus the noise pedestal) equals `chi2`.
pub fn phik_from_chi2(chi2: f64, n: f64, nx: usize, ny: usize, pedestal: f64) -> Result<f64> {
    if pedestal < 0.0 || nx < 2 || ny < 2 || n <= 0.0 || !chi2.is_finite() {
        return Err(Error::InvalidArgument(format!(
            "phi_K needs a table of at least 2 x 2 with observations and a non-negative pedestal, got {nx} x {ny}, n = {n}, pedestal = {pedestal}"
        )));
    }
    let sx = linspace(-5.0, 5.0, nx + 1);
    let sy = linspace(-5.0, 5.0, ny + 1);
    let corr0 = mvn_array(0.0, &sx, &sy);
    let corr1 = mvn_array(1.0, &sx, &sy);
    let chi2_one = n * chi2_sum(&corr1, &corr0);
    let chi2_max = n * (nx.min(ny) - 1) as f64;
    let scale = (chi2_max - pedestal) / chi2_one;
    let mut chi2 = chi2;
    // np.isclose(chi2, chi2_max, atol=1e-14) with its default rtol = 1e-5
    if chi2 > chi2_max && (chi2 - chi2_max).abs() <= 1e-14 + 1e-5 * chi2_max.abs() {
        chi2 = chi2_max;
    }
    if chi2 <= pedestal {
        return Ok(0.0);
    }
    if chi2 >= chi2_max {
        return Ok(1.0);
    }
    let f = |rho: f64| {
        let corr = mvn_array(rho, &sx, &sy);
        pedestal + n * chi2_sum(&corr, &corr0) * scale - chi2
    };
    brentq(f, 0.0, 1.0, 1e-5).ok_or_else(|| {
        Error::InvalidArgument("phi_K inversion found no sign change on [0, 1]".into())
    })
}

/// phi_K of a contingency table (phik's `phik_from_hist2d` with noise correction): Pearson's
/// chi-square with Yates' correction on tables with one degree of freedom (scipy's
/// `chi2_contingency` default, as phik uses it), the pedestal `(r-1)(c-1)` minus the number of
/// empty expected cells, and the inversion on the table's own shape.
pub fn phik_from_table(table: &ContingencyTable) -> Result<f64> {
    let clean = table.without_empty().ok_or_else(empty_table)?;
    if clean.rows() < 2 || clean.cols() < 2 {
        return Err(too_small(&clean));
    }
    let (chi2, _, _) = statistic(&clean, true, Lambda::Pearson);
    let expected = table.expected();
    let zero_cells = expected.iter().filter(|e| **e == 0.0).count() as i64;
    let pedestal = ((table.rows() * table.cols()) as i64 - (table.rows() + table.cols()) as i64 + 1
        - zero_cells)
        .max(0) as f64;
    phik_from_chi2(
        chi2,
        table.total() as f64,
        table.rows(),
        table.cols(),
        pedestal,
    )
}

fn empty_table() -> Error {
    Error::InvalidArgument("contingency table has no observations".into())
}

fn too_small(t: &ContingencyTable) -> Error {
    Error::InvalidArgument(format!(
        "contingency table has {} non-empty rows and {} non-empty columns; expected at least 2 of each",
        t.rows(),
        t.cols()
    ))
}

/// Statistical significance Z of the dependence in a table, phik's asymptotic method
/// (`significance_method='asymptotic'`, default `lambda_='log-likelihood'`): the G statistic
/// (Yates-corrected on one degree of freedom) against chi-square with `(r-1)(c-1)` degrees of
/// freedom, converted to a one-sided normal Z (Chernoff bound when the p-value underflows).
pub fn significance(table: &ContingencyTable) -> Result<f64> {
    let clean = table.without_empty().ok_or_else(empty_table)?;
    if clean.rows() < 2 || clean.cols() < 2 {
        return Err(too_small(&clean));
    }
    let (g, _, _) = statistic(&clean, true, Lambda::LogLikelihood);
    let ndof = ((table.rows() - 1) * (table.cols() - 1)) as f64;
    let p = chi2_sf(g, ndof);
    if p == 0.0 {
        let z = g / ndof;
        let u = -(2.0 * std::f64::consts::PI).ln() - ndof * z.ln() + ndof * (z - 1.0);
        return Ok((u - u.ln()).sqrt());
    }
    Ok(-norm_ppf(p))
}

/// Values of one column for [`phik_matrix`].
#[derive(Debug, Clone, PartialEq)]
pub enum PhikData {
    /// Interval (numeric) values, binned uniformly; `None` or `NaN` is missing.
    Interval(Vec<Option<f64>>),
    /// Categorical labels; `None` is missing.
    Categorical(Vec<Option<String>>),
}

/// A named column for [`phik_matrix`].
#[derive(Debug, Clone, PartialEq)]
pub struct PhikColumn {
    /// Column name.
    pub name: String,
    /// Values.
    pub data: PhikData,
    /// Number of uniform bins for interval columns (phik's default is 10); ignored for
    /// categorical ones.
    pub bins: usize,
}

/// phi_K and significance for every pair of columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhikMatrix {
    /// Names of the columns kept (columns with fewer than two distinct non-missing values are
    /// left out, as phik does).
    pub columns: Vec<String>,
    /// phi_K, row-major `columns.len()²`, 1 on the diagonal; `NaN` only for a pair that has a
    /// single level left after dropping missing values (phik reports `NaN` there too).
    pub values: Vec<f64>,
    /// Significance Z (asymptotic), same layout and `NaN` convention.
    pub significance: Vec<f64>,
}

impl PhikMatrix {
    /// phi_K between two named columns.
    pub fn get(&self, a: &str, b: &str) -> Option<f64> {
        let i = self.columns.iter().position(|c| c == a)?;
        let j = self.columns.iter().position(|c| c == b)?;
        Some(self.values[i * self.columns.len() + j])
    }
}

/// Uniform bin edges of an interval column, as phik's `bin_edges(arr, nbins)`:
/// `bins + 1` edges from `min - max(1e-14 |min|, f64::MIN_POSITIVE)` to `max` (numpy
/// `linspace`). Use with [`bin_index`] to bin a column in a streaming pass (min and max from a
/// first pass or from column statistics), then count pairs into a [`ContingencyTable`] for
/// [`phik_from_table`].
pub fn bin_edges(min: f64, max: f64, bins: usize) -> Result<Vec<f64>> {
    if !(min.is_finite() && max.is_finite()) || max <= min || bins < 1 {
        return Err(Error::InvalidArgument(format!(
            "bin edges need finite min < max and at least one bin, got min = {min}, max = {max}, bins = {bins}"
        )));
    }
    let constant = (1e-14 * min.abs()).max(f64::MIN_POSITIVE);
    Ok(linspace(min - constant, max, bins + 1))
}

/// Zero-based bin of `x` for edges from [`bin_edges`] (phik's `np.searchsorted(edges, x)` minus
/// one); `None` for values outside the edges (phik's underflow and overflow bins, which it drops).
pub fn bin_index(edges: &[f64], x: f64) -> Option<usize> {
    let i = edges.partition_point(|e| *e < x);
    (i >= 1 && i < edges.len()).then(|| i - 1)
}

/// Column reduced to level codes (`u32::MAX` = missing).
struct Coded {
    name: String,
    codes: Vec<u32>,
    levels: usize,
}

fn code_column(col: &PhikColumn) -> Result<Option<Coded>> {
    match &col.data {
        PhikData::Interval(v) => {
            let present = v.iter().flatten().filter(|x| !x.is_nan());
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            for &x in present {
                if x.is_infinite() {
                    return Err(Error::InvalidArgument(format!(
                        "interval column {} holds an infinite value; expected finite numbers",
                        col.name
                    )));
                }
                lo = lo.min(x);
                hi = hi.max(x);
            }
            if hi <= lo {
                return Ok(None);
            }
            let edges = bin_edges(lo, hi, col.bins)?;
            let codes = v
                .iter()
                .map(|x| match x {
                    Some(x) if !x.is_nan() => bin_index(&edges, *x).map_or(u32::MAX, |i| i as u32),
                    _ => u32::MAX,
                })
                .collect();
            Ok(Some(Coded {
                name: col.name.clone(),
                codes,
                levels: col.bins,
            }))
        }
        PhikData::Categorical(v) => {
            let mut labels: Vec<&str> = v.iter().flatten().map(String::as_str).collect();
            labels.sort_unstable();
            labels.dedup();
            if labels.len() < 2 {
                return Ok(None);
            }
            let codes = v
                .iter()
                .map(|x| match x {
                    Some(s) => labels
                        .binary_search(&s.as_str())
                        .map_or(u32::MAX, |i| i as u32),
                    None => u32::MAX,
                })
                .collect();
            Ok(Some(Coded {
                name: col.name.clone(),
                codes,
                levels: labels.len(),
            }))
        }
    }
}

fn pair_table(a: &Coded, b: &Coded) -> Option<ContingencyTable> {
    let mut counts = vec![0u64; a.levels * b.levels];
    for (&x, &y) in a.codes.iter().zip(&b.codes) {
        if x != u32::MAX && y != u32::MAX {
            counts[x as usize * b.levels + y as usize] += 1;
        }
    }
    ContingencyTable::from_counts(a.levels, b.levels, counts)
        .ok()?
        .without_empty()
}

/// phi_K matrix of a table (phik's `phik_matrix` with noise correction, `dropna=True`) and the
/// asymptotic significance matrix. All columns must have the same length.
///
/// Cost: one pass over the rows per pair of columns, memory of one contingency table at a time.
pub fn phik_matrix(columns: &[PhikColumn]) -> Result<PhikMatrix> {
    let len = columns.first().map_or(0, |c| match &c.data {
        PhikData::Interval(v) => v.len(),
        PhikData::Categorical(v) => v.len(),
    });
    for c in columns {
        let l = match &c.data {
            PhikData::Interval(v) => v.len(),
            PhikData::Categorical(v) => v.len(),
        };
        if l != len {
            return Err(Error::InvalidArgument(format!(
                "column {} has {l} rows; expected {len} like the first column",
                c.name
            )));
        }
    }
    let mut coded = Vec::new();
    for c in columns {
        if let Some(cc) = code_column(c)? {
            coded.push(cc);
        }
    }
    let k = coded.len();
    let mut values = vec![f64::NAN; k * k];
    let mut significance_z = vec![f64::NAN; k * k];
    for i in 0..k {
        for j in i..k {
            let table = pair_table(&coded[i], &coded[j]);
            let (v, s) = match table {
                Some(t) if t.rows() >= 2 && t.cols() >= 2 => {
                    let v = if i == j { 1.0 } else { phik_from_table(&t)? };
                    (v, significance(&t)?)
                }
                _ => (f64::NAN, f64::NAN),
            };
            values[i * k + j] = v;
            values[j * k + i] = v;
            significance_z[i * k + j] = s;
            significance_z[j * k + i] = s;
        }
    }
    Ok(PhikMatrix {
        columns: coded.into_iter().map(|c| c.name).collect(),
        values,
        significance: significance_z,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bivariate_normal_rectangles() {
        // independent case factorises
        let p = mvnun((-1.0, -0.5), (0.5, 2.0), 0.0);
        let q = (norm_cdf(0.5) - norm_cdf(-1.0)) * (norm_cdf(2.0) - norm_cdf(-0.5));
        assert!((p - q).abs() < 1e-15);
        // P(X > 0, Y > 0) = 1/4 + asin(r) / (2 pi)
        for r in [0.2, 0.5, 0.8, 0.95, -0.6, -0.97] {
            let v = bvnu(0.0, 0.0, r);
            let exact = 0.25 + f64::asin(r) / (2.0 * std::f64::consts::PI);
            assert!((v - exact).abs() < 1e-14, "r = {r}: {v} vs {exact}");
        }
    }

    #[test]
    fn linspace_matches_numpy_layout() {
        let v = linspace(-5.0, 5.0, 11);
        assert_eq!(v[0], -5.0);
        assert_eq!(v[10], 5.0);
        assert_eq!(v[5], 0.0);
    }
}
