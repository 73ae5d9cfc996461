//! Distribution tails, their logarithms (which stay finite when the tail underflows) and a
//! Brent root finder ported from scipy's `brentq`.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
use statrs::function::beta::ln_beta;
use statrs::function::gamma::{gamma_ur, ln_gamma};

pub(crate) const LN_10: f64 = std::f64::consts::LN_10;
const TINY: f64 = 1e-300;

/// Complementary error function, accurate to a few ulps: Taylor series of `erf` below 0.5,
/// Laplace's continued fraction (modified Lentz) above, with `exp(-x²)` evaluated in two parts so
/// that its argument keeps full precision.
pub(crate) fn erfc_accurate(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 2.0 - erfc_accurate(-x);
    }
    if x < 0.5 {
        // erf(x) = 2/sqrt(pi) sum (-1)^n x^(2n+1) / (n! (2n+1))
        let x2 = x * x;
        let mut term = x;
        let mut sum = x;
        for n in 1..60 {
            term *= -x2 / n as f64;
            let add = term / (2 * n + 1) as f64;
            sum += add;
            if add.abs() < 1e-17 * sum.abs() {
                break;
            }
        }
        return 1.0 - sum * std::f64::consts::FRAC_2_SQRT_PI;
    }
    if x > 27.3 {
        return 0.0;
    }
    // erfc(x) = exp(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...))))
    let tiny = 1e-300;
    let mut f = x;
    let mut c = x;
    let mut d = 0.0;
    for n in 1..5000 {
        let a = n as f64 / 2.0;
        d = x + a * d;
        if d.abs() < tiny {
            d = tiny;
        }
        d = 1.0 / d;
        c = x + a / c;
        if c.abs() < tiny {
            c = tiny;
        }
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    // exp(-x^2) with x = hi + lo split so that hi^2 is exact
    let hi = (x * 134_217_728.0).floor() / 134_217_728.0;
    let lo = x - hi;
    let e = (-hi * hi).exp() * (-(2.0 * hi * lo + lo * lo)).exp();
    e / std::f64::consts::PI.sqrt() / f
}

/// Standard normal survival function `P(Z > z)`.
pub(crate) fn norm_sf(z: f64) -> f64 {
    0.5 * erfc_accurate(z / std::f64::consts::SQRT_2)
}

/// Standard normal CDF.
pub(crate) fn norm_cdf(z: f64) -> f64 {
    norm_sf(-z)
}

/// Natural logarithm of `norm_sf(z)`, finite far into the tail.
pub(crate) fn ln_norm_sf(z: f64) -> f64 {
    let p = norm_sf(z);
    if p > TINY {
        return p.ln();
    }
    // Asymptotic expansion of the Mills ratio (z > 37 here).
    let z2 = z * z;
    let series =
        1.0 - 1.0 / z2 + 3.0 / (z2 * z2) - 15.0 / (z2 * z2 * z2) + 105.0 / (z2 * z2 * z2 * z2);
    -0.5 * z2 - z.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln() + series.ln()
}

/// Standard normal quantile.
pub(crate) fn norm_ppf(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}

/// Chi-square survival function.
pub(crate) fn chi2_sf(x: f64, k: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    gamma_ur(0.5 * k, 0.5 * x)
}

/// Logarithm of the chi-square survival function.
pub(crate) fn ln_chi2_sf(x: f64, k: f64) -> f64 {
    let p = chi2_sf(x, k);
    if p > TINY {
        return p.ln();
    }
    ln_gamma_q_cf(0.5 * k, 0.5 * x)
}

/// `ln Q(a, x)` by the continued fraction (valid for `x > a + 1`).
fn ln_gamma_q_cf(a: f64, x: f64) -> f64 {
    let fpmin = f64::MIN_POSITIVE / f64::EPSILON;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / fpmin;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..10_000 {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < fpmin {
            d = fpmin;
        }
        c = b + an / c;
        if c.abs() < fpmin {
            c = fpmin;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-16 {
            break;
        }
    }
    -x + a * x.ln() - ln_gamma(a) + h.ln()
}

/// `ln I_x(a, b)` by the continued fraction (valid for `x < (a + 1) / (a + b + 2)`), with
/// `y = 1 - x` supplied exactly by the caller.
fn ln_beta_reg_cf_xy(a: f64, b: f64, x: f64, y: f64) -> f64 {
    let fpmin = f64::MIN_POSITIVE / f64::EPSILON;
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < fpmin {
        d = fpmin;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..200_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < fpmin {
            d = fpmin;
        }
        c = 1.0 + aa / c;
        if c.abs() < fpmin {
            c = fpmin;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < fpmin {
            d = fpmin;
        }
        c = 1.0 + aa / c;
        if c.abs() < fpmin {
            c = fpmin;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-16 {
            break;
        }
    }
    a * x.ln() + b * y.ln() - ln_beta(a, b) - a.ln() + h.ln()
}

/// Regularised incomplete beta `I_x(a, b)` with `y = 1 - x` given separately, so that values of
/// `x` close to 1 keep their precision (the continued fraction runs on whichever side converges).
pub(crate) fn beta_reg_xy(a: f64, b: f64, x: f64, y: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if y <= 0.0 {
        return 1.0;
    }
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_beta_reg_cf_xy(a, b, x, y).exp()
    } else {
        1.0 - ln_beta_reg_cf_xy(b, a, y, x).exp()
    }
}

/// Logarithm of [`beta_reg_xy`], finite when the value underflows.
pub(crate) fn ln_beta_reg_xy(a: f64, b: f64, x: f64, y: f64) -> f64 {
    if x <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if y <= 0.0 {
        return 0.0;
    }
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_beta_reg_cf_xy(a, b, x, y)
    } else {
        (-ln_beta_reg_cf_xy(b, a, y, x).exp()).ln_1p()
    }
}

/// Student t survival function `P(T > t)`.
pub(crate) fn t_sf(t: f64, df: f64) -> f64 {
    if t.is_infinite() {
        return if t > 0.0 { 0.0 } else { 1.0 };
    }
    let t2 = t * t;
    let tail = 0.5 * beta_reg_xy(0.5 * df, 0.5, df / (df + t2), t2 / (df + t2));
    if t > 0.0 { tail } else { 1.0 - tail }
}

/// Logarithm of the Student t survival function.
pub(crate) fn ln_t_sf(t: f64, df: f64) -> f64 {
    if t <= 0.0 || t.is_infinite() {
        return t_sf(t, df).ln();
    }
    let t2 = t * t;
    (0.5f64).ln() + ln_beta_reg_xy(0.5 * df, 0.5, df / (df + t2), t2 / (df + t2))
}

/// Student t density.
fn t_pdf(t: f64, df: f64) -> f64 {
    (ln_gamma(0.5 * (df + 1.0))
        - ln_gamma(0.5 * df)
        - 0.5 * (df * std::f64::consts::PI).ln()
        - 0.5 * (df + 1.0) * (t * t / df).ln_1p())
    .exp()
}

/// Student t quantile, refined by Newton steps on the CDF.
pub(crate) fn t_ppf(p: f64, df: f64) -> f64 {
    let mut t = StudentsT::new(0.0, 1.0, df)
        .map(|d| d.inverse_cdf(p))
        .unwrap_or(f64::NAN);
    if !t.is_finite() {
        t = norm_ppf(p);
    }
    for _ in 0..8 {
        let cdf = 1.0 - t_sf(t, df);
        let step = (cdf - p) / t_pdf(t, df);
        if !step.is_finite() {
            break;
        }
        t -= step;
        if step.abs() <= 1e-15 * t.abs().max(1e-300) {
            break;
        }
    }
    t
}

/// F distribution survival function.
pub(crate) fn f_sf(f: f64, d1: f64, d2: f64) -> f64 {
    if f <= 0.0 {
        return 1.0;
    }
    let den = d2 + d1 * f;
    beta_reg_xy(0.5 * d2, 0.5 * d1, d2 / den, d1 * f / den)
}

/// Logarithm of the F survival function.
pub(crate) fn ln_f_sf(f: f64, d1: f64, d2: f64) -> f64 {
    if f <= 0.0 {
        return 0.0;
    }
    let den = d2 + d1 * f;
    ln_beta_reg_xy(0.5 * d2, 0.5 * d1, d2 / den, d1 * f / den)
}

/// Binomial coefficient as a float, following scipy's `special.binom` for integer arguments.
pub(crate) fn binom(n: f64, k: f64) -> f64 {
    if k < 0.0 || k > n {
        return 0.0;
    }
    let mut kx = k;
    if kx > n / 2.0 && n > 0.0 {
        kx = n - kx;
    }
    if kx < 20.0 {
        let mut num = 1.0;
        let mut den = 1.0;
        let ki = kx as u64;
        for i in 1..=ki {
            num *= i as f64 + n - kx;
            den *= i as f64;
            if num.abs() > 1e50 {
                num /= den;
                den = 1.0;
            }
        }
        return num / den;
    }
    (ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(n - k + 1.0)).exp()
}

/// Brent's method exactly as scipy's `optimize.brentq` (C implementation), with its default
/// `rtol = 4 * eps` and `maxiter = 100`. Returns `None` when the bracket has no sign change.
pub(crate) fn brentq(f: impl Fn(f64) -> f64, xa: f64, xb: f64, xtol: f64) -> Option<f64> {
    let rtol = 4.0 * f64::EPSILON;
    let mut xpre = xa;
    let mut xcur = xb;
    let (mut xblk, mut fblk, mut spre, mut scur) = (0.0, 0.0, 0.0, 0.0);
    let mut fpre = f(xpre);
    let mut fcur = f(xcur);
    if fpre == 0.0 {
        return Some(xpre);
    }
    if fcur == 0.0 {
        return Some(xcur);
    }
    if fpre.is_sign_negative() == fcur.is_sign_negative() {
        return None;
    }
    for _ in 0..100 {
        if fpre != 0.0 && fcur != 0.0 && fpre.is_sign_negative() != fcur.is_sign_negative() {
            xblk = xpre;
            fblk = fpre;
            spre = xcur - xpre;
            scur = spre;
        }
        if fblk.abs() < fcur.abs() {
            xpre = xcur;
            xcur = xblk;
            xblk = xpre;
            fpre = fcur;
            fcur = fblk;
            fblk = fpre;
        }
        let delta = (xtol + rtol * xcur.abs()) / 2.0;
        let sbis = (xblk - xcur) / 2.0;
        if fcur == 0.0 || sbis.abs() < delta {
            return Some(xcur);
        }
        if spre.abs() > delta && fcur.abs() < fpre.abs() {
            let stry = if xpre == xblk {
                -fcur * (xcur - xpre) / (fcur - fpre)
            } else {
                let dpre = (fpre - fcur) / (xpre - xcur);
                let dblk = (fblk - fcur) / (xblk - xcur);
                -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
            };
            if 2.0 * stry.abs() < spre.abs().min(3.0 * sbis.abs() - delta) {
                spre = scur;
                scur = stry;
            } else {
                spre = sbis;
                scur = sbis;
            }
        } else {
            spre = sbis;
            scur = sbis;
        }
        xpre = xcur;
        fpre = fcur;
        if scur.abs() > delta {
            xcur += scur;
        } else {
            xcur += if sbis > 0.0 { delta } else { -delta };
        }
        fcur = f(xcur);
    }
    Some(xcur)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails_are_consistent() {
        let v = norm_sf(1.959963984540054);
        assert!((v - 0.025).abs() < 1e-11, "{v}");
        assert!((ln_norm_sf(37.5) - norm_sf(37.5).ln()).abs() < 1e-6);
        assert!((t_ppf(0.975, 10.0) - 2.228_138_851_986_273_5).abs() < 1e-12);
        assert!((ln_gamma_q_cf(1.5, 500.0) - gamma_ur(1.5, 500.0).ln()).abs() < 1e-9);
        assert!(
            (ln_beta_reg_cf_xy(5.0, 0.5, 1e-3, 1.0 - 1e-3)
                - statrs::function::beta::beta_reg(5.0, 0.5, 1e-3).ln())
            .abs()
                < 1e-9
        );
        assert_eq!(binom(10.0, 3.0), 120.0);
    }
}
