//! Number formatting and bilingual text building.

use bankseg_proto::common::v1::LocalizedText;

use super::config::Text;

/// Formats a number for readers: integers without decimals, large numbers grouped, others with
/// up to three significant decimals.
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return group(format!("{}", v as i64));
    }
    if v.abs() >= 1000.0 {
        return group(format!("{}", v.round() as i64));
    }
    let digits = if v.abs() >= 100.0 {
        1
    } else if v.abs() >= 1.0 {
        2
    } else {
        3
    };
    let s = format!("{v:.digits$}");
    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    if s.is_empty() || s == "-" {
        "0".into()
    } else {
        s
    }
}

fn group(int: String) -> String {
    let (sign, digits) = match int.strip_prefix('-') {
        Some(d) => ("-", d.to_string()),
        None => ("", int),
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// A share as a percentage with one decimal, e.g. `18.2%`.
pub fn pct(share: f64) -> String {
    if !share.is_finite() {
        return "—".into();
    }
    format!("{:.1}%", share * 100.0)
}

/// A p-value for readers.
pub fn pval(p: f64) -> String {
    if !p.is_finite() {
        "—".into()
    } else if p == 0.0 {
        "< 1e-300".into()
    } else if p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

/// Converts configuration text to the wire type.
pub fn lt(t: &Text) -> LocalizedText {
    LocalizedText {
        ru: t.ru.clone(),
        en: t.en.clone(),
    }
}

/// Builds wire text from both languages.
pub fn loc(ru: impl Into<String>, en: impl Into<String>) -> LocalizedText {
    LocalizedText {
        ru: ru.into(),
        en: en.into(),
    }
}

/// Joins texts language by language.
pub fn join(parts: &[LocalizedText], sep: &str) -> LocalizedText {
    LocalizedText {
        ru: parts
            .iter()
            .map(|p| p.ru.as_str())
            .collect::<Vec<_>>()
            .join(sep),
        en: parts
            .iter()
            .map(|p| p.en.as_str())
            .collect::<Vec<_>>()
            .join(sep),
    }
}
