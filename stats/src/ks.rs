//! Two-sample Kolmogorov–Smirnov test with `scipy.stats.ks_2samp(method='auto')` semantics.

use crate::error::{Error, Result, check_len};
use crate::rank::{ValueCounts, merged};
use crate::special::binom;
use crate::{Alternative, TestResult, clip_p};

/// scipy's `MAX_AUTO_N`: the exact distribution is attempted when both sizes are at most this.
const MAX_AUTO_N: u64 = 10_000;

/// Two-sample Kolmogorov–Smirnov test.
///
/// The p-value is exact (lattice-path counting, as scipy) when both samples have at most 10 000
/// observations and the computation stays in floating-point range; beyond that it follows
/// scipy's asymptotic choice: the one-sample Kolmogorov distribution with
/// `n = round(n1 n2 / (n1 + n2))` for two-sided tests and Hodges' approximation for one-sided
/// ones. The effect size is the statistic D itself.
pub fn ks_2samp(x: &[f64], y: &[f64], alternative: Alternative) -> Result<TestResult> {
    let a = ValueCounts::from_values(x).map_err(|e| match e {
        Error::NonFinite { index, .. } => Error::NonFinite {
            what: "x".into(),
            index,
        },
        e => e,
    })?;
    let b = ValueCounts::from_values(y).map_err(|e| match e {
        Error::NonFinite { index, .. } => Error::NonFinite {
            what: "y".into(),
            index,
        },
        e => e,
    })?;
    ks_2samp_counts(&a, &b, alternative)
}

/// Two-sample Kolmogorov–Smirnov test from value-count tables (same results as [`ks_2samp`]).
pub fn ks_2samp_counts(
    x: &ValueCounts,
    y: &ValueCounts,
    alternative: Alternative,
) -> Result<TestResult> {
    let n1 = x.n();
    let n2 = y.n();
    check_len("x", n1 as usize, 1)?;
    check_len("y", n2 as usize, 1)?;
    let (mut ca, mut cb) = (0u64, 0u64);
    let mut max_s = f64::NEG_INFINITY;
    let mut min_s = f64::INFINITY;
    for (_, a, b) in merged(x, y) {
        ca += a;
        cb += b;
        let diff = ca as f64 / n1 as f64 - cb as f64 / n2 as f64;
        max_s = max_s.max(diff);
        min_s = min_s.min(diff);
    }
    let min_s = (-min_s).clamp(0.0, 1.0);
    let mut d = if alternative == Alternative::Less
        || (alternative == Alternative::TwoSided && min_s > max_s)
    {
        min_s
    } else {
        max_s
    };
    let g = gcd(n1, n2);
    let mut method = "asymptotic";
    let mut prob = f64::NAN;
    if n1.max(n2) <= MAX_AUTO_N
        && let Some((dd, p)) = attempt_exact(n1, n2, g, d, alternative)
    {
        d = dd;
        prob = p;
        method = "exact";
    }
    if method == "asymptotic" {
        let (m, n) = if n1 >= n2 {
            (n1 as f64, n2 as f64)
        } else {
            (n2 as f64, n1 as f64)
        };
        let en = m * n / (m + n);
        prob = if alternative == Alternative::TwoSided {
            kolmogn_sf(en.round_ties_even(), d)
        } else {
            let z = en.sqrt() * d;
            (-2.0 * z * z - 2.0 * z * (m + 2.0 * n) / (m * n * (m + n)).sqrt() / 3.0).exp()
        };
    }
    let (p_value, log10_p) = clip_p(prob, prob.ln());
    Ok(TestResult {
        test: "ks_2samp",
        method: method.into(),
        statistic: d,
        p_value,
        log10_p,
        df: None,
        effect_name: "ks_d",
        effect: Some(d),
        ci: None,
        sizes: vec![n1, n2],
    })
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// scipy's `_attempt_exact_2kssamp`: `Some((d, p))` on success.
fn attempt_exact(n1: u64, n2: u64, g: u64, d: f64, alternative: Alternative) -> Option<(f64, f64)> {
    let lcm = (n1 / g) * n2;
    let h = (d * lcm as f64).round_ties_even() as u64;
    let d = h as f64 / lcm as f64;
    if h == 0 {
        return Some((d, 1.0));
    }
    let prob = if alternative == Alternative::TwoSided {
        if n1 == n2 {
            prob_outside_square(n1, h)
        } else {
            outer_prob_inside(n1, n2, g, h)
        }
    } else if n1 == n2 {
        (0..h).fold(1.0, |p, j| {
            p * ((n1 - j) as f64 / (n1 as f64 + j as f64 + 1.0))
        })
    } else {
        let num_paths = count_paths_outside(n1, n2, g, h);
        let bin = binom((n1 + n2) as f64, n1 as f64);
        if !num_paths.is_finite() || !bin.is_finite() || num_paths > bin {
            return None;
        }
        num_paths / bin
    };
    (prob.is_finite() && (0.0..=1.0).contains(&prob)).then_some((d, prob))
}

/// Probability that a path leaves the band `|x - y| < h` for equal sizes (scipy's
/// `_compute_prob_outside_square`).
fn prob_outside_square(n: u64, h: u64) -> f64 {
    let mut p = 0.0;
    let mut k = (n / h) as i64;
    while k >= 0 {
        let mut p1 = 1.0;
        for j in 0..h as i64 {
            p1 = (n as i64 - k * h as i64 - j) as f64 * p1
                / (n as i64 + k * h as i64 + j + 1) as f64;
        }
        p = p1 * (1.0 - p);
        k -= 1;
    }
    2.0 * p
}

/// Probability that a random lattice path from `(0, 0)` to `(m, n)` leaves the band
/// `|ng x - mg y| < h` (scipy's `_compute_outer_prob_inside_method`). The recursion carries the
/// probability of having left the band, so tiny p-values keep their relative precision.
fn outer_prob_inside(m: u64, n: u64, g: u64, h: u64) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let (mg, ng) = ((m / g) as i64, (n / g) as i64);
    let (h, n_i) = (h as i64, n as i64);
    let mut minj: i64 = 0;
    let mut maxj: i64 = ((h + mg - 1) / mg).min(n_i + 1);
    // outside[j - minj]: probability that a path to (i, j) has already left the band
    let mut prev = vec![0.0f64; (maxj - minj) as usize];
    let mut cur: Vec<f64> = Vec::with_capacity(prev.len() + 2);
    for i in 1..=m as i64 {
        let (lastminj, lastmaxj) = (minj, maxj);
        minj = ((ng * i - h).div_euclid(mg) + 1).max(0).min(n_i);
        maxj = ((ng * i + h + mg - 1).div_euclid(mg)).min(n_i + 1);
        if maxj <= minj {
            return 1.0;
        }
        cur.clear();
        let mut val = if minj == 0 { 0.0 } else { 1.0 };
        let fi = i as f64;
        for j in minj..maxj {
            let left = if j >= lastminj && j < lastmaxj {
                prev[(j - lastminj) as usize]
            } else {
                1.0
            };
            val = (left * fi + val * j as f64) / (fi + j as f64);
            cur.push(val);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    if n_i >= minj && n_i < maxj {
        prev[(n_i - minj) as usize]
    } else {
        1.0
    }
}

/// Number of paths that cross `m y <= n x - h g` (scipy's `_count_paths_outside_method`).
fn count_paths_outside(m: u64, n: u64, g: u64, h: u64) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let mg = m / g;
    let ng = n / g;
    // Python's floor division: (mg - h) // mg is negative when h > mg
    let lxj = (n as i64 + (mg as i64 - h as i64).div_euclid(mg as i64)).max(0) as usize;
    if lxj == 0 {
        return binom((m + n) as f64, n as f64);
    }
    let xj: Vec<u64> = (0..lxj as u64).map(|j| (h + mg * j).div_ceil(ng)).collect();
    let mut b = vec![0.0f64; lxj];
    b[0] = 1.0;
    for j in 1..lxj {
        let mut bj = binom((xj[j] + j as u64) as f64, j as f64);
        for i in 0..j {
            let bin = binom((xj[j] - xj[i] + (j - i) as u64) as f64, (j - i) as f64);
            bj -= bin * b[i];
        }
        b[j] = bj;
    }
    let mut num_paths = 0.0;
    for j in 0..lxj {
        if xj[j] > m {
            return f64::NAN;
        }
        let bin = binom(((m - xj[j]) + (n - j as u64)) as f64, (n - j as u64) as f64);
        num_paths += b[j] * bin;
    }
    num_paths
}

// ---- Kolmogorov distribution (port of scipy.stats._ksstats, survival function) ----

const E128: i32 = 128;
const EP128: f64 = 3.402_823_669_209_385e38; // 2^128
const EM128: f64 = 1.0 / EP128; // 2^-128

/// Survival function of the two-sided one-sample Kolmogorov statistic `D_n` (scipy's `kstwo.sf`).
pub(crate) fn kolmogn_sf(n: f64, x: f64) -> f64 {
    if x >= 1.0 {
        return 0.0;
    }
    if x <= 0.0 {
        return 1.0;
    }
    let t = n * x;
    if t <= 1.0 {
        if t <= 0.5 {
            return 1.0;
        }
        let prob = if n <= 140.0 {
            (1..=n as u64).fold(1.0, |p, i| p * (i as f64 * (1.0 / n) * (2.0 * t - 1.0)))
        } else {
            (log_nfactorial_div_n_pow_n(n) + n * (2.0 * t - 1.0).ln()).exp()
        };
        return (1.0 - prob).clamp(0.0, 1.0);
    }
    if t >= n - 1.0 {
        return (2.0 * (1.0 - x).powf(n)).clamp(0.0, 1.0);
    }
    if x >= 0.5 {
        return (2.0 * smirnov(n as u64, x)).clamp(0.0, 1.0);
    }
    let nxsquared = t * x;
    if n <= 140.0 {
        if nxsquared <= 4.0 {
            // scipy uses Pomeranz between 0.754693 and 4; Durbin's matrix is exact as well.
            return (1.0 - kolmogn_dmtw(n as u64, x)).clamp(0.0, 1.0);
        }
        return (2.0 * smirnov(n as u64, x)).clamp(0.0, 1.0);
    }
    if nxsquared >= 370.0 {
        return 0.0;
    }
    if nxsquared >= 2.2 {
        return (2.0 * smirnov(n as u64, x)).clamp(0.0, 1.0);
    }
    let cdf = if n <= 100_000.0 && n * x.powf(1.5) <= 1.4 {
        kolmogn_dmtw(n as u64, x)
    } else {
        kolmogn_pelz_good(n, x)
    };
    (1.0 - cdf).clamp(0.0, 1.0)
}

fn log_nfactorial_div_n_pow_n(n: f64) -> f64 {
    const C: [f64; 8] = [
        -2.955_065_359_477_124e-2,
        6.410_256_410_256_41e-3,
        -1.917_526_917_526_917_6e-3,
        8.417_508_417_508_417e-4,
        -5.952_380_952_380_953e-4,
        7.936_507_936_507_937e-4,
        -2.777_777_777_777_778e-3,
        8.333_333_333_333_333e-2,
    ];
    let rn = 1.0 / n;
    let z = rn / n;
    let poly = C.iter().fold(0.0, |acc, c| acc * z + c);
    n.ln() / 2.0 - n + (2.0 * std::f64::consts::PI).ln() / 2.0 + rn * poly
}

/// One-sided Smirnov survival function `P(D+_n >= x)` (Birnbaum–Tingey sum).
fn smirnov(n: u64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if x >= 1.0 {
        return 0.0;
    }
    let nf = n as f64;
    let jmax = (nf * (1.0 - x)).floor() as u64;
    let ln_fact = |k: f64| statrs::function::gamma::ln_gamma(k + 1.0);
    let mut sum = 0.0;
    for j in 0..=jmax {
        let jf = j as f64;
        let a = x + jf / nf;
        let b = 1.0 - x - jf / nf;
        if b <= 0.0 {
            continue;
        }
        let ln_term =
            ln_fact(nf) - ln_fact(jf) - ln_fact(nf - jf) + (jf - 1.0) * a.ln() + (nf - jf) * b.ln();
        sum += ln_term.exp();
    }
    (x * sum).clamp(0.0, 1.0)
}

fn matmul(a: &[f64], b: &[f64], m: usize) -> Vec<f64> {
    let mut c = vec![0.0; m * m];
    for i in 0..m {
        for k in 0..m {
            let aik = a[i * m + k];
            if aik == 0.0 {
                continue;
            }
            for j in 0..m {
                c[i * m + j] += aik * b[k * m + j];
            }
        }
    }
    c
}

/// Durbin matrix algorithm (Marsaglia–Tsang–Wang) for `P(D_n <= d)`.
fn kolmogn_dmtw(n: u64, d: f64) -> f64 {
    if d >= 1.0 {
        return 1.0;
    }
    let nd = n as f64 * d;
    if nd <= 0.5 {
        return 0.0;
    }
    let k = nd.ceil() as usize;
    let h = k as f64 - nd;
    let m = 2 * k - 1;
    let mut hm = vec![0.0; m * m];
    let mut v: Vec<f64> = (1..=m).map(|j| 1.0 - h.powi(j as i32)).collect();
    let mut w = vec![0.0; m];
    let mut fac = 1.0;
    for j in 1..=m {
        w[j - 1] = fac;
        fac /= j as f64;
        v[j - 1] *= fac;
    }
    let tt = (2.0 * h - 1.0).max(0.0).powi(m as i32) - 2.0 * h.powi(m as i32);
    v[m - 1] = (1.0 + tt) * fac;
    for i in 1..m {
        for r in (i - 1)..m {
            hm[r * m + i] = w[r - (i - 1)];
        }
    }
    for r in 0..m {
        hm[r * m] = v[r];
    }
    for c in 0..m {
        hm[(m - 1) * m + c] = v[m - 1 - c];
    }
    let mut hpwr = vec![0.0; m * m];
    for i in 0..m {
        hpwr[i * m + i] = 1.0;
    }
    let mut nn = n;
    let mut expnt: i32 = 0;
    let mut hexpnt: i32 = 0;
    while nn > 0 {
        if nn % 2 == 1 {
            hpwr = matmul(&hpwr, &hm, m);
            expnt += hexpnt;
        }
        hm = matmul(&hm, &hm, m);
        hexpnt *= 2;
        if hm[(k - 1) * m + (k - 1)].abs() > EP128 {
            for v in hm.iter_mut() {
                *v /= EP128;
            }
            hexpnt += E128;
        }
        nn /= 2;
    }
    let mut p = hpwr[(k - 1) * m + (k - 1)];
    for i in 1..=n {
        p = i as f64 * p / n as f64;
        if p.abs() < EM128 {
            p *= EP128;
            expnt -= E128;
        }
    }
    if expnt != 0 {
        p *= 2f64.powi(expnt);
    }
    p.clamp(0.0, 1.0)
}

/// Pelz–Good approximation of `P(D_n <= x)`.
fn kolmogn_pelz_good(n: f64, x: f64) -> f64 {
    use std::f64::consts::PI;
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let sqrt2pi = (2.0 * PI).sqrt();
    let (pi2, pi4, pi6) = (PI * PI, PI.powi(4), PI.powi(6));
    let z = n.sqrt() * x;
    let (z2, z3, z4, z6) = (z * z, z.powi(3), z.powi(4), z.powi(6));
    let qlog = -pi2 / 8.0 / z2;
    if qlog < -708.0 {
        return 0.0;
    }
    let q = qlog.exp();
    let k1a = -z2;
    let k1b = pi2 / 4.0;
    let k2a = 6.0 * z6 + 2.0 * z4;
    let k2b = (2.0 * z4 - 5.0 * z2) * pi2 / 4.0;
    let k2c = pi4 * (1.0 - 2.0 * z2) / 16.0;
    let k3d = pi6 * (5.0 - 30.0 * z2) / 64.0;
    let k3c = pi4 * (-60.0 * z2 + 212.0 * z4) / 16.0;
    let k3b = pi2 * (135.0 * z4 - 96.0 * z6) / 4.0;
    let k3a = -30.0 * z6 - 90.0 * z.powi(8);
    let mut k = [0.0f64; 4];
    let maxk = (16.0 * z / PI).ceil() as i64;
    for kk in (1..=maxk).rev() {
        let m = (2 * kk - 1) as f64;
        let (m2, m4, m6) = (m * m, m.powi(4), m.powi(6));
        let qpower = q.powf(8.0 * kk as f64);
        let coeffs = [
            1.0,
            k1a + k1b * m2,
            k2a + k2b * m2 + k2c * m4,
            k3a + k3b * m2 + k3c * m4 + k3d * m6,
        ];
        for i in 0..4 {
            k[i] = k[i] * qpower + coeffs[i];
        }
    }
    let denoms = [z, 6.0 * z4, 72.0 * z.powi(7), 6480.0 * z.powi(10)];
    for i in 0..4 {
        k[i] = k[i] * q * sqrt2pi / denoms[i];
    }
    let q2 = (-pi2 / 2.0 / z2).exp();
    let sqrt3z = 3f64.sqrt() * z;
    let mut k2extra = 0.0;
    let mut k3extra = 0.0;
    for kk in (1..=maxk).rev() {
        let ks = kk as f64;
        let ks2 = ks * ks;
        let qp = q2.powf(ks2);
        k2extra += ks2 * qp;
        let kspi = PI * ks;
        k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks2 * qp;
    }
    k[2] += k2extra * pi2 * sqrt2pi / (-36.0 * z3);
    k[3] += k3extra * pi2 * sqrt2pi / (216.0 * z6);
    (0..4).map(|i| k[i] / n.powf(i as f64 / 2.0)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kolmogorov_matches_scipy_values() {
        // scipy.stats.kstwo.sf(x, n) from scipy 1.15.3
        let cases = [
            (500.0, 0.05, 0.158_662_602_238_153_87),
            (1000.0, 0.1, 3.703_687_096_817_711e-9),
            (2000.0, 0.03, 0.053_546_947_939_325_57),
            (20000.0, 0.02, 2.218_127_007_004_974_4e-7),
            (100.0, 0.2, 0.000_555_192_732_798_877_5),
            (100.0, 0.1, 0.252_692_757_006_387_4),
        ];
        for (n, x, want) in cases {
            let got = kolmogn_sf(n, x);
            assert!(
                ((got - want) / want).abs() < 1e-9,
                "n={n} x={x}: {got} vs {want}"
            );
        }
    }
}
