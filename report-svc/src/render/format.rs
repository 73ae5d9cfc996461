//! Numbers as each language writes them: `18,2 %` and `10 000` in Russian, `18.2%` and `10,000` in
//! English. Russian separates thousands and the percent sign with a no-break space (U+00A0) so a
//! number never wraps across lines.

use super::i18n::Lang;

/// No-break space used inside Russian numbers.
pub const NBSP: char = '\u{a0}';

/// Placeholder for a value that is missing or not a finite number.
pub const DASH: &str = "—";

/// An integer count with thousands separators.
pub fn int(n: u64, lang: Lang) -> String {
    group_digits(&n.to_string(), lang)
}

/// A signed integer count with thousands separators.
pub fn signed_int(n: i64, lang: Lang) -> String {
    let digits = group_digits(&n.unsigned_abs().to_string(), lang);
    if n < 0 { format!("-{digits}") } else { digits }
}

/// A number with `decimals` decimal places and thousands separators; `—` when not finite.
pub fn num(x: f64, decimals: usize, lang: Lang) -> String {
    if !x.is_finite() {
        return DASH.to_string();
    }
    let text = format!("{:.*}", decimals, x.abs());
    let (whole, frac) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text.as_str(), None),
    };
    let negative = x < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0');
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&group_digits(whole, lang));
    if let Some(frac) = frac {
        out.push(decimal_mark(lang));
        out.push_str(frac);
    }
    out
}

/// An optional number; `—` when absent.
pub fn opt(x: Option<f64>, decimals: usize, lang: Lang) -> String {
    x.map_or_else(|| DASH.to_string(), |v| num(v, decimals, lang))
}

/// A share in `[0, 1]` as a percentage with `decimals` places: `18,2 %` / `18.2%`.
pub fn pct(rate: f64, decimals: usize, lang: Lang) -> String {
    if !rate.is_finite() {
        return DASH.to_string();
    }
    let number = num(rate * 100.0, decimals, lang);
    match lang {
        Lang::Ru => format!("{number}{NBSP}%"),
        Lang::En => format!("{number}%"),
    }
}

/// An optional share as a percentage.
pub fn opt_pct(rate: Option<f64>, decimals: usize, lang: Lang) -> String {
    rate.map_or_else(|| DASH.to_string(), |v| pct(v, decimals, lang))
}

/// A confidence interval of shares: `16,4–20,1 %` / `16.4–20.1%`.
pub fn pct_interval(low: f64, high: f64, decimals: usize, lang: Lang) -> String {
    if !low.is_finite() || !high.is_finite() {
        return DASH.to_string();
    }
    let low = num(low * 100.0, decimals, lang);
    let high = num(high * 100.0, decimals, lang);
    match lang {
        Lang::Ru => format!("{low}–{high}{NBSP}%"),
        Lang::En => format!("{low}–{high}%"),
    }
}

/// A p-value: three decimals down to 0.001, below that `m·10⁻ᵏ` with two significant digits.
pub fn p_value(p: f64, lang: Lang) -> String {
    if !p.is_finite() {
        return DASH.to_string();
    }
    if p >= 0.001 {
        return num(p, 3, lang);
    }
    if p <= 0.0 {
        return format!("<{NBSP}10{}", superscript(-300));
    }
    let exponent = p.log10().floor() as i32;
    let mut mantissa = p / 10f64.powi(exponent);
    let mut exponent = exponent;
    if (mantissa * 10.0).round() >= 100.0 {
        mantissa /= 10.0;
        exponent += 1;
    }
    format!("{}·10{}", num(mantissa, 1, lang), superscript(exponent))
}

/// An optional p-value.
pub fn opt_p_value(p: Option<f64>, lang: Lang) -> String {
    p.map_or_else(|| DASH.to_string(), |v| p_value(v, lang))
}

/// A lift (ratio to the bank average) as `×1,35` / `×1.35`.
pub fn lift(x: f64, lang: Lang) -> String {
    if !x.is_finite() {
        return DASH.to_string();
    }
    format!("×{}", num(x, 2, lang))
}

/// A number for an axis tick: compact thousands and millions (`120 тыс.`, `1,2 млн` / `120k`,
/// `1.2M`), at most one decimal below a thousand.
pub fn compact(x: f64, lang: Lang) -> String {
    if !x.is_finite() {
        return DASH.to_string();
    }
    let a = x.abs();
    let trim = |v: f64| {
        let rounded = (v * 10.0).round() / 10.0;
        if rounded.fract() == 0.0 {
            num(rounded, 0, lang)
        } else {
            num(rounded, 1, lang)
        }
    };
    if a >= 1_000_000.0 {
        let v = trim(x / 1_000_000.0);
        match lang {
            Lang::Ru => format!("{v}{NBSP}млн"),
            Lang::En => format!("{v}M"),
        }
    } else if a >= 10_000.0 {
        let v = trim(x / 1_000.0);
        match lang {
            Lang::Ru => format!("{v}{NBSP}тыс."),
            Lang::En => format!("{v}k"),
        }
    } else {
        trim(x)
    }
}

fn decimal_mark(lang: Lang) -> char {
    match lang {
        Lang::Ru => ',',
        Lang::En => '.',
    }
}

fn thousands_separator(lang: Lang) -> char {
    match lang {
        Lang::Ru => NBSP,
        Lang::En => ',',
    }
}

/// Inserts thousands separators into a run of ASCII digits.
fn group_digits(digits: &str, lang: Lang) -> String {
    let sep = thousands_separator(lang);
    let len = digits.len();
    let mut out = String::with_capacity(len + len / 3 * 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

fn superscript(n: i32) -> String {
    let mut out = String::new();
    if n < 0 {
        out.push('⁻');
    }
    for c in n.unsigned_abs().to_string().chars() {
        out.push(match c {
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_follow_the_language() {
        assert_eq!(pct(0.182, 1, Lang::Ru), "18,2\u{a0}%");
        assert_eq!(pct(0.182, 1, Lang::En), "18.2%");
        assert_eq!(pct(0.18249, 2, Lang::En), "18.25%");
        assert_eq!(pct(1.0, 0, Lang::Ru), "100\u{a0}%");
        assert_eq!(pct(f64::NAN, 1, Lang::En), "—");
        assert_eq!(pct_interval(0.164, 0.201, 1, Lang::Ru), "16,4–20,1\u{a0}%");
        assert_eq!(pct_interval(0.164, 0.201, 1, Lang::En), "16.4–20.1%");
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(int(10_000, Lang::Ru), "10\u{a0}000");
        assert_eq!(int(10_000, Lang::En), "10,000");
        assert_eq!(int(999, Lang::En), "999");
        assert_eq!(int(1_234_567, Lang::En), "1,234,567");
        assert_eq!(int(0, Lang::Ru), "0");
        assert_eq!(signed_int(-1_500, Lang::En), "-1,500");
        assert_eq!(num(1_234_567.891, 2, Lang::Ru), "1\u{a0}234\u{a0}567,89");
        assert_eq!(num(-0.5, 1, Lang::En), "-0.5");
        assert_eq!(num(-0.001, 1, Lang::En), "0.0");
        assert_eq!(num(f64::INFINITY, 1, Lang::En), "—");
        assert_eq!(opt(None, 1, Lang::En), "—");
        assert_eq!(lift(1.349, Lang::Ru), "×1,35");
        assert_eq!(compact(1_250_000.0, Lang::Ru), "1,3\u{a0}млн");
        assert_eq!(compact(1_250_000.0, Lang::En), "1.3M");
        assert_eq!(compact(120_000.0, Lang::En), "120k");
        assert_eq!(compact(850.0, Lang::Ru), "850");
        assert_eq!(compact(0.25, Lang::En), "0.3");
    }

    #[test]
    fn p_values_switch_to_powers_of_ten_below_a_thousandth() {
        assert_eq!(p_value(0.0342, Lang::En), "0.034");
        assert_eq!(p_value(0.0342, Lang::Ru), "0,034");
        assert_eq!(p_value(0.001, Lang::En), "0.001");
        assert_eq!(p_value(3.14e-12, Lang::En), "3.1·10⁻¹²");
        assert_eq!(p_value(3.14e-12, Lang::Ru), "3,1·10⁻¹²");
        assert_eq!(p_value(9.96e-5, Lang::En), "1.0·10⁻⁴");
        assert_eq!(p_value(0.0, Lang::En), "<\u{a0}10⁻³⁰⁰");
    }
}
