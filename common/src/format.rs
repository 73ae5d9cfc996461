//! Numbers as each language writes them, shared by every service that writes text for readers:
//! `18,2 %`, `10 000` and `2,4·10⁻¹⁴` in Russian, `18.2%`, `10,000` and `2.4·10⁻¹⁴` in English.
//! Russian separates thousands and the percent sign with a no-break space (U+00A0) so a number
//! never wraps across lines.
//!
//! analysis-svc formats the numbers inside the sentences it generates (each half of a
//! `LocalizedText` with its own language's rules) and report-svc everything it writes itself, both
//! with these functions, so a report reads the same throughout.

use bankseg_proto::common::v1::{Language, LocalizedText};

/// Language of text for readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Russian, the default, as in the original study.
    Ru,
    /// English.
    En,
}

impl Lang {
    /// Both languages, Russian first.
    pub const ALL: [Lang; 2] = [Lang::Ru, Lang::En];

    /// The language a request asks for; unspecified means Russian.
    pub fn from_proto(language: Language) -> Self {
        match language {
            Language::En => Lang::En,
            Language::Ru | Language::Unspecified => Lang::Ru,
        }
    }

    /// ISO 639-1 code, e.g. for `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// One of two literal translations.
    pub fn pick<'a>(self, ru: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ru => ru,
            Lang::En => en,
        }
    }

    /// The text in this language, falling back to the other one when it is empty.
    pub fn text(self, text: Option<&LocalizedText>) -> String {
        let Some(text) = text else {
            return String::new();
        };
        let (first, second) = match self {
            Lang::Ru => (&text.ru, &text.en),
            Lang::En => (&text.en, &text.ru),
        };
        if first.trim().is_empty() {
            second.clone()
        } else {
            first.clone()
        }
    }
}

impl From<Language> for Lang {
    fn from(language: Language) -> Self {
        Lang::from_proto(language)
    }
}

/// A text written once per language: `write(Lang::Ru)` becomes the Russian half and
/// `write(Lang::En)` the English one, so each half formats its numbers by its own rules.
pub fn localized(write: impl Fn(Lang) -> String) -> LocalizedText {
    LocalizedText {
        ru: write(Lang::Ru),
        en: write(Lang::En),
    }
}

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

/// A number for running text, with as many decimals as its size warrants: whole numbers without
/// decimals, from 1000 up rounded to a whole number, from 100 one decimal, from 1 two, below that
/// three; trailing zeros dropped (`1 234`, `56,5`, `0,125` / `1,234`, `56.5`, `0.125`).
pub fn number(x: f64, lang: Lang) -> String {
    if !x.is_finite() {
        return DASH.to_string();
    }
    let a = x.abs();
    let decimals = if x.fract() == 0.0 || a >= 1000.0 {
        0
    } else if a >= 100.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        3
    };
    let text = num(x, decimals, lang);
    if decimals == 0 {
        return text;
    }
    let trimmed = text
        .trim_end_matches('0')
        .trim_end_matches(decimal_mark(lang));
    if trimmed == "-0" {
        "0".to_string()
    } else {
        trimmed.to_string()
    }
}

/// A numeric bin from its bounds: `[a, b)` (lower bound inclusive, upper exclusive), `< b` when
/// only the upper bound is known, `≥ a` when only the lower one is; bounds as [`number`].
pub fn bin(lower: Option<f64>, upper: Option<f64>, lang: Lang) -> String {
    match (lower, upper) {
        (Some(lo), Some(hi)) => format!("[{}, {})", number(lo, lang), number(hi, lang)),
        (None, Some(hi)) => format!("< {}", number(hi, lang)),
        (Some(lo), None) => format!("≥ {}", number(lo, lang)),
        (None, None) => DASH.to_string(),
    }
}

/// A closed range of numbers: `18–25` (`1 000–2 000` / `1,000–2,000`); bounds as [`number`].
pub fn range(lower: f64, upper: f64, lang: Lang) -> String {
    format!("{}–{}", number(lower, lang), number(upper, lang))
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
    fn running_text_numbers_take_decimals_by_size() {
        assert_eq!(number(3341.0, Lang::Ru), "3\u{a0}341");
        assert_eq!(number(3341.0, Lang::En), "3,341");
        assert_eq!(number(1234.56, Lang::En), "1,235");
        assert_eq!(number(56.5, Lang::Ru), "56,5");
        assert_eq!(number(123.45, Lang::En), "123.5");
        assert_eq!(number(0.125, Lang::Ru), "0,125");
        assert_eq!(number(0.05, Lang::Ru), "0,05");
        assert_eq!(number(2.0, Lang::En), "2");
        assert_eq!(number(-0.0001, Lang::En), "0");
        assert_eq!(number(-12.5, Lang::En), "-12.5");
        assert_eq!(number(f64::NAN, Lang::Ru), "—");
    }

    #[test]
    fn bins_and_ranges_follow_the_language() {
        assert_eq!(
            bin(Some(1_000_000.0), Some(2_000_000.0), Lang::Ru),
            "[1\u{a0}000\u{a0}000, 2\u{a0}000\u{a0}000)"
        );
        assert_eq!(
            bin(Some(1_000_000.0), Some(2_000_000.0), Lang::En),
            "[1,000,000, 2,000,000)"
        );
        assert_eq!(bin(None, Some(0.5), Lang::Ru), "< 0,5");
        assert_eq!(bin(Some(56.0), None, Lang::En), "≥ 56");
        assert_eq!(bin(None, None, Lang::En), "—");
        assert_eq!(range(18.0, 25.0, Lang::Ru), "18–25");
        assert_eq!(range(1000.0, 2500.0, Lang::En), "1,000–2,500");
    }

    #[test]
    fn languages_come_from_requests_and_texts_fall_back() {
        assert_eq!(Lang::from_proto(Language::Unspecified), Lang::Ru);
        assert_eq!(Lang::from(Language::En), Lang::En);
        assert_eq!(Lang::En.code(), "en");
        assert_eq!(Lang::Ru.pick("да", "yes"), "да");
        let only_ru = LocalizedText {
            ru: "только".into(),
            en: " ".into(),
        };
        assert_eq!(Lang::En.text(Some(&only_ru)), "только");
        assert_eq!(Lang::Ru.text(None), "");
        let t = localized(|l| pct(0.07, 1, l));
        assert_eq!((t.ru.as_str(), t.en.as_str()), ("7,0\u{a0}%", "7.0%"));
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
        assert_eq!(p_value(2.44e-14, Lang::Ru), "2,4·10⁻¹⁴");
        assert_eq!(p_value(6.29e-7, Lang::En), "6.3·10⁻⁷");
        assert_eq!(opt_p_value(None, Lang::Ru), "—");
    }
}
