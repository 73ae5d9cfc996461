//! Languages of the report and the labels of everything the analysis names by code: columns, tests,
//! effect sizes, quarantine reasons, alert kinds, and well-known category values.
//!
//! Sentences the analysis writes itself (verdicts, portraits, recommendations) arrive as
//! `LocalizedText` in both languages; [`Lang::text`] picks one.

use bankseg_common::format;

pub use bankseg_common::format::Lang;

/// "yes" or "no".
pub fn yes_no(value: bool, lang: Lang) -> &'static str {
    match (lang, value) {
        (Lang::Ru, true) => "да",
        (Lang::Ru, false) => "нет",
        (Lang::En, true) => "yes",
        (Lang::En, false) => "no",
    }
}

/// Human label of a column of the canonical table.
pub fn column(name: &str, lang: Lang) -> String {
    let label = match name {
        "user_id" => lang.pick("ID клиента", "customer id"),
        "score" => lang.pick("кредитный скоринг", "credit score"),
        "city" => lang.pick("город", "city"),
        "gender" => lang.pick("пол", "gender"),
        "age" => lang.pick("возраст", "age"),
        "equity" => lang.pick("баллы собственности", "property score"),
        "balance" => lang.pick("баланс", "balance"),
        "products" => lang.pick("число продуктов", "products"),
        "credit_card" => lang.pick("кредитная карта", "credit card"),
        "last_activity" => lang.pick("активность", "recent activity"),
        "est_salary" => lang.pick("оценочный доход", "estimated salary"),
        "churn" => lang.pick("отток", "churn"),
        "balance_missing" => lang.pick("баланс не указан", "balance missing"),
        "duplicate_user_id" => lang.pick("повторный ID", "duplicate id"),
        "segment" => lang.pick("сегмент", "segment"),
        other => return other.replace('_', " "),
    };
    label.to_string()
}

/// Label with the first letter capitalised (for headings).
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Display form of a category value: booleans and the gender codes are translated, everything
/// else (cities, bins) is shown as it is.
pub fn value(column_name: &str, value: &str, lang: Lang) -> String {
    let label = match (column_name, value) {
        (_, "true") => lang.pick("да", "yes"),
        (_, "false") => lang.pick("нет", "no"),
        ("gender", "М") => lang.pick("М", "male"),
        ("gender", "Ж") => lang.pick("Ж", "female"),
        ("city", "Ярославль") => lang.pick("Ярославль", "Yaroslavl"),
        ("city", "Рыбинск") => lang.pick("Рыбинск", "Rybinsk"),
        ("city", "Ростов") => lang.pick("Ростов", "Rostov"),
        _ => value,
    };
    label.to_string()
}

/// Display form of a churn cell or slice condition: numeric bins (`[a, b)`, `< b`, `≥ a`) are
/// rewritten from their bounds in the language's number format ([`format::bin`]), `missing` is
/// translated, and anything else goes through [`value`].
pub fn cell(
    column: &str,
    label: &str,
    lower: Option<f64>,
    upper: Option<f64>,
    lang: Lang,
) -> String {
    let bound = |v: f64| format::number(v, lang);
    let first = label.chars().next();
    let last = label.chars().last();
    match (first, lower, upper) {
        (Some(open @ ('[' | '(')), Some(lo), Some(hi)) => {
            let close = last.filter(|c| *c == ')' || *c == ']').unwrap_or(')');
            format!("{open}{}, {}{close}", bound(lo), bound(hi))
        }
        (Some('<'), _, Some(hi)) => format::bin(None, Some(hi), lang),
        (Some('≥'), Some(lo), _) => format::bin(Some(lo), None, lang),
        _ if label == "missing" => lang.pick("нет данных", "missing").to_string(),
        _ => value(column, label, lang),
    }
}

/// Name of a statistical test by its code.
pub fn test(code: &str, lang: Lang) -> String {
    let label = match code {
        "mann_whitney_u" => lang.pick("U-критерий Манна — Уитни", "Mann–Whitney U test"),
        "welch_t" => lang.pick("t-критерий Уэлча", "Welch's t-test"),
        "student_t" => lang.pick("t-критерий Стьюдента", "Student's t-test"),
        "ks_2samp" => lang.pick("критерий Колмогорова — Смирнова", "Kolmogorov–Smirnov test"),
        "chi2_contingency" => lang.pick("критерий хи-квадрат", "chi-squared test"),
        "fisher_exact" => lang.pick("точный тест Фишера", "Fisher's exact test"),
        "two_proportion_z" => lang.pick("z-тест для двух долей", "two-proportion z-test"),
        "kruskal" => lang.pick("критерий Краскела — Уоллиса", "Kruskal–Wallis test"),
        "levene" => lang.pick("тест Левене", "Levene's test"),
        "shapiro" | "shapiro_wilk" => lang.pick("тест Шапиро — Уилка", "Shapiro–Wilk test"),
        "dagostino" | "normaltest" => {
            lang.pick("тест нормальности Д'Агостино", "D'Agostino normality test")
        }
        "" => return String::new(),
        other => return other.replace('_', " "),
    };
    label.to_string()
}

/// Name of an effect size by its code.
pub fn effect(code: &str, lang: Lang) -> String {
    let label = match code {
        "rank_biserial" => lang.pick(
            "рангово-бисериальная корреляция",
            "rank-biserial correlation",
        ),
        "cohens_d" | "cohen_d" => lang.pick("d Коэна", "Cohen's d"),
        "hedges_g" => lang.pick("g Хеджеса", "Hedges' g"),
        "cramers_v" | "cramer_v" => lang.pick("V Крамера", "Cramér's V"),
        "odds_ratio" => lang.pick("отношение шансов", "odds ratio"),
        "risk_difference" | "rate_difference" => lang.pick("разность долей", "difference in rates"),
        "risk_ratio" => lang.pick("отношение долей", "rate ratio"),
        "epsilon_squared" => lang.pick("ε²", "epsilon squared"),
        "median_difference" => lang.pick("разность медиан", "difference in medians"),
        "mean_difference" => lang.pick("разность средних", "difference in means"),
        "ks_d" | "ks_statistic" => lang.pick("статистика D", "D statistic"),
        "" => return String::new(),
        other => return other.replace('_', " "),
    };
    label.to_string()
}

/// Explanation of a quarantine reason code.
pub fn quarantine_reason(code: &str, lang: Lang) -> String {
    let label = match code {
        "products_out_of_range" => lang.pick(
            "число продуктов вне допустимого диапазона",
            "products out of range",
        ),
        "age_out_of_range" => lang.pick("возраст вне допустимого диапазона", "age out of range"),
        "score_out_of_range" => {
            lang.pick("скоринг вне допустимого диапазона", "score out of range")
        }
        "unparsable_age" => lang.pick("возраст не распознан", "age not a number"),
        "unparsable_score" => lang.pick("скоринг не распознан", "score not a number"),
        "unparsable_balance" => lang.pick("баланс не распознан", "balance not a number"),
        "unparsable_products" => {
            lang.pick("число продуктов не распознано", "products not a number")
        }
        "unparsable_est_salary" => lang.pick("доход не распознан", "salary not a number"),
        "missing_age" => lang.pick("возраст не указан", "age missing"),
        "missing_user_id" => lang.pick("нет ID клиента", "customer id missing"),
        "missing_required" => lang.pick("нет обязательного поля", "required field missing"),
        "invalid_boolean" => lang.pick(
            "логическое поле не распознано",
            "boolean field not recognised",
        ),
        "invalid_churn" => lang.pick("признак оттока не распознан", "churn flag not recognised"),
        "unknown_gender" => lang.pick("пол не распознан", "gender not recognised"),
        "wrong_field_count" => lang.pick("неверное число полей", "wrong number of fields"),
        other => return other.replace('_', " "),
    };
    label.to_string()
}

/// Name of an alert kind.
pub fn alert_kind(code: &str, lang: Lang) -> String {
    let label = match code {
        "missing" => lang.pick("пропуски", "missing values"),
        "skewed" => lang.pick("асимметрия", "skewed"),
        "high_correlation" => lang.pick("сильная корреляция", "high correlation"),
        "imbalance" => lang.pick("дисбаланс", "imbalance"),
        "duplicates" => lang.pick("дубликаты", "duplicates"),
        "constant" => lang.pick("константа", "constant"),
        "zeros" => lang.pick("нули", "zeros"),
        "outliers" => lang.pick("выбросы", "outliers"),
        other => return other.replace('_', " "),
    };
    label.to_string()
}

/// Name of a column kind.
pub fn kind(code: &str, lang: Lang) -> String {
    let label = match code {
        "numeric" => lang.pick("числовой", "numeric"),
        "categorical" => lang.pick("категориальный", "categorical"),
        "boolean" => lang.pick("логический", "boolean"),
        other => other,
    };
    label.to_string()
}

/// Name of a correlation method.
pub fn correlation_method(code: &str, lang: Lang) -> String {
    let label = match code {
        "phik" => "φK (phi_K)",
        "pearson" => lang.pick("Пирсона", "Pearson"),
        "spearman" => lang.pick("Спирмена", "Spearman"),
        other => other,
    };
    label.to_string()
}

#[cfg(test)]
mod tests {
    use bankseg_proto::common::v1::{Language, LocalizedText};

    use super::*;

    #[test]
    fn localized_text_falls_back_to_the_other_language() {
        let both = LocalizedText {
            ru: "да".into(),
            en: "yes".into(),
        };
        let only_ru = LocalizedText {
            ru: "только".into(),
            en: " ".into(),
        };
        assert_eq!(Lang::Ru.text(Some(&both)), "да");
        assert_eq!(Lang::En.text(Some(&both)), "yes");
        assert_eq!(Lang::En.text(Some(&only_ru)), "только");
        assert_eq!(Lang::En.text(None), "");
        assert_eq!(Lang::from_proto(Language::Unspecified), Lang::Ru);
        assert_eq!(Lang::from_proto(Language::En), Lang::En);
    }

    #[test]
    fn codes_have_labels_in_both_languages() {
        assert_eq!(column("est_salary", Lang::Ru), "оценочный доход");
        assert_eq!(column("est_salary", Lang::En), "estimated salary");
        assert_eq!(column("tenure_months", Lang::En), "tenure months");
        assert_eq!(value("gender", "Ж", Lang::En), "female");
        assert_eq!(yes_no(true, Lang::Ru), "да");
        assert_eq!(value("credit_card", "true", Lang::Ru), "да");
        assert_eq!(value("city", "Ростов", Lang::En), "Rostov");
        assert_eq!(test("mann_whitney_u", Lang::En), "Mann–Whitney U test");
        assert_eq!(effect("cramers_v", Lang::Ru), "V Крамера");
        assert_eq!(capitalised("возраст"), "Возраст");
        let big = (Some(1_000_000.0), Some(2_000_000.0));
        assert_eq!(
            cell("balance", "[1000000, 2000000)", big.0, big.1, Lang::En),
            "[1,000,000, 2,000,000)"
        );
        assert_eq!(
            cell("balance", "[1000000, 2000000)", big.0, big.1, Lang::Ru),
            "[1\u{a0}000\u{a0}000, 2\u{a0}000\u{a0}000)"
        );
        assert_eq!(cell("score", "< 790", None, Some(790.0), Lang::En), "< 790");
        assert_eq!(cell("age", "≥ 56", Some(56.0), None, Lang::En), "≥ 56");
        assert_eq!(cell("age", "missing", None, None, Lang::Ru), "нет данных");
        assert_eq!(cell("products", "2", Some(2.0), Some(2.0), Lang::En), "2");
        assert_eq!(cell("city", "Ярославль", None, None, Lang::En), "Yaroslavl");
    }
}
