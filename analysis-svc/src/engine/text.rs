//! Number formatting and bilingual text building.
//!
//! Every generated sentence is a `LocalizedText` whose Russian half is written with Russian number
//! rules (`18,2 %`, `3 341`, `6,3·10⁻⁷`) and whose English half with English ones (`18.2%`,
//! `3,341`, `6.3·10⁻⁷`), through [`bankseg_common::format`], the rules report-svc writes its own
//! text with.

use bankseg_common::format;
use bankseg_proto::common::v1::LocalizedText;

pub use bankseg_common::format::Lang;

use super::config::Text;

/// A number for readers: whole numbers without decimals, large numbers grouped and rounded,
/// others with up to three decimals ([`format::number`]).
pub fn num(v: f64, lang: Lang) -> String {
    format::number(v, lang)
}

/// A count with thousands grouped.
pub fn int(n: u64, lang: Lang) -> String {
    format::int(n, lang)
}

/// A share as a percentage with one decimal: `18,2 %` / `18.2%`.
pub fn pct(share: f64, lang: Lang) -> String {
    format::pct(share, 1, lang)
}

/// A p-value: three decimals down to 0.001, below that `m·10⁻ᵏ`.
pub fn pval(p: f64, lang: Lang) -> String {
    format::p_value(p, lang)
}

/// A numeric bin from its bounds: `[a, b)`, `< b` or `≥ a`.
pub fn bin(lower: Option<f64>, upper: Option<f64>, lang: Lang) -> String {
    format::bin(lower, upper, lang)
}

/// A closed range of numbers: `18–25`.
pub fn range(lower: f64, upper: f64, lang: Lang) -> String {
    format::range(lower, upper, lang)
}

/// A text written once per language (see [`format::localized`]).
pub fn both(write: impl Fn(Lang) -> String) -> LocalizedText {
    format::localized(write)
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

/// How the churners' median of a feature compares with the retained customers', e.g.
/// "age lower (median 36 vs 41)", in both languages.
pub fn median_comparison(label: &Text, churned: f64, retained: f64) -> LocalizedText {
    let (ru, en) = if churned > retained {
        ("выше", "higher")
    } else if churned < retained {
        ("ниже", "lower")
    } else {
        ("— распределение иное", "— distribution differs")
    };
    loc(
        format!(
            "{} {ru} (медиана {} против {})",
            label.ru,
            num(churned, Lang::Ru),
            num(retained, Lang::Ru)
        ),
        format!(
            "{} {en} (median {} vs {})",
            label.en,
            num(churned, Lang::En),
            num(retained, Lang::En)
        ),
    )
}
