//! The quality report: the cleaning's figures as a `QualityReport`, with explanations written from
//! the numbers in Russian and English.

use bankseg_common::format::{self, Lang};
use bankseg_proto::common::v1::LocalizedText;
use bankseg_proto::ingest::v1::{
    ColumnQuality, GroupMissing, MissingBalance, QualityReport, ReasonCount,
};

use crate::clean::{Figures, GroupFigures};

/// What the report describes besides the figures.
#[derive(Debug, Clone)]
pub struct ReportContext<'a> {
    /// Dataset id.
    pub dataset_id: &'a str,
    /// What was read.
    pub source: String,
    /// Format name.
    pub format: &'a str,
    /// Optional canonical columns the source lacks.
    pub missing_optional: Vec<String>,
    /// Pass-through column names.
    pub passthrough: Vec<String>,
}

fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn plural_en(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

fn rows_en(n: u64) -> String {
    plural_en(n, "row", "rows")
}

fn text(ru: String, en: String) -> LocalizedText {
    LocalizedText { ru, en }
}

/// Whether the report's counts add up: read = clean + quarantined + exact duplicates removed.
pub fn counts_add_up(f: &Figures) -> bool {
    f.rows_clean
        .checked_add(f.rows_quarantined)
        .and_then(|s| s.checked_add(f.exact_duplicates_removed))
        == Some(f.rows_read)
}

/// Builds the report.
pub fn build(ctx: &ReportContext<'_>, f: &Figures) -> QualityReport {
    let columns = f
        .columns
        .iter()
        .map(|c| ColumnQuality {
            column: c.column.clone(),
            data_type: c.data_type.clone(),
            nulls: c.nulls,
            distinct: c.distinct,
            outliers_low: c.outliers.map_or(0, |o| o.0),
            outliers_high: c.outliers.map_or(0, |o| o.1),
            lower_fence: c.fence.and_then(|f| f.lower),
            upper_fence: c.fence.and_then(|f| f.upper),
        })
        .collect();
    let missing_balance = f.has_balance.then(|| missing_balance(f));
    let mut notes = Vec::new();
    if f.age_missing > 0 {
        notes.push(text(
            format!(
                "Строк без возраста: {}; они оставлены с пустым возрастом, анализы, которым нужен возраст, исключают их",
                f.age_missing
            ),
            format!(
                "{} without an age: kept with an empty age; analyses that need age leave them out",
                rows_en(f.age_missing)
            ),
        ));
    }
    for column in &ctx.missing_optional {
        notes.push(text(
            format!("В источнике нет необязательного столбца {column}: анализы, которым он нужен, пропускаются"),
            format!("The source has no optional column {column}: analyses that need it are skipped"),
        ));
    }
    if f.exact_duplicates_removed > 0 {
        notes.push(text(
            format!(
                "Удалено полных дубликатов строк: {} (оставлена первая строка каждого)",
                f.exact_duplicates_removed
            ),
            format!(
                "{} removed as exact duplicates (the first of each kept)",
                rows_en(f.exact_duplicates_removed)
            ),
        ));
    }
    if f.duplicate_ids > 0 {
        notes.push(text(
            format!(
                "Идентификаторов клиента, встречающихся больше одного раза: {} (строк: {}); это разные клиенты, строки оставлены и помечены duplicate_user_id",
                f.duplicate_ids, f.duplicate_id_rows
            ),
            format!(
                "{} with more than one row ({}): different customers, kept and flagged duplicate_user_id",
                plural_en(f.duplicate_ids, "user id", "user ids"),
                rows_en(f.duplicate_id_rows)
            ),
        ));
    }
    if !f.exact_statistics {
        notes.push(text(
            "Границы выбросов и числа различных значений приближённые (t-digest, HyperLogLog): строк больше предела точной статистики".to_string(),
            "Outlier fences and distinct counts are approximate (t-digest, HyperLogLog): the table has more rows than the exact-statistics limit".to_string(),
        ));
    }
    if f.rows_quarantined > 0 {
        let list = f
            .reasons
            .iter()
            .map(|(r, n)| format!("{r}: {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        notes.push(text(
            format!("Строк в карантине: {} ({list})", f.rows_quarantined),
            format!("{} quarantined ({list})", rows_en(f.rows_quarantined)),
        ));
    }
    QualityReport {
        dataset_id: ctx.dataset_id.to_string(),
        source: ctx.source.clone(),
        format: ctx.format.to_string(),
        rows_read: f.rows_read,
        rows_clean: f.rows_clean,
        rows_quarantined: f.rows_quarantined,
        exact_duplicates_removed: f.exact_duplicates_removed,
        duplicate_id_rows: f.duplicate_id_rows,
        duplicate_ids: f.duplicate_ids,
        quarantine_reasons: f
            .reasons
            .iter()
            .map(|(reason, rows)| ReasonCount {
                reason: reason.clone(),
                rows: *rows,
            })
            .collect(),
        columns,
        missing_balance,
        missing_optional_columns: ctx.missing_optional.clone(),
        passthrough_columns: ctx.passthrough.clone(),
        notes,
        counts_add_up: counts_add_up(f),
    }
}

fn missing_balance(f: &Figures) -> MissingBalance {
    let groups: Vec<GroupMissing> = f
        .missing_balance
        .iter()
        .map(|g| GroupMissing {
            column: g.column.clone(),
            value: g.value.clone(),
            rows: g.rows,
            missing: g.missing,
            missing_share: pct(g.missing, g.rows),
            share_of_missing: pct(g.missing, f.balance_missing),
        })
        .collect();
    MissingBalance {
        rows: f.rows_read,
        missing: f.balance_missing,
        missing_share: pct(f.balance_missing, f.rows_read),
        explanation: Some(explain_missing_balance(f)),
        groups,
    }
}

/// A grouping column and its value as a reader of `lang` would say them.
fn group_label(g: &GroupFigures, lang: Lang) -> String {
    let value = match (lang, g.value.as_str()) {
        (Lang::Ru, "true") => "да",
        (Lang::Ru, "false") => "нет",
        (_, v) => v,
    };
    format!("{} = {value}", column_name(&g.column, lang))
}

fn column_name(column: &str, lang: Lang) -> &str {
    match (lang, column) {
        (Lang::Ru, "churn") => "отток",
        (Lang::Ru, "products") => "число продуктов",
        (Lang::Ru, "equity") => "баллы собственности",
        (Lang::Ru, "city") => "город",
        (Lang::Ru, "gender") => "пол",
        (_, c) => c,
    }
}

/// The plain-language explanation of the missing-balance pattern, from the numbers, with each
/// language's number formats (`22,9 %`, `2 295` / `22.9%`, `2,295`).
pub fn explain_missing_balance(f: &Figures) -> LocalizedText {
    format::localized(|lang| explain_in(f, lang))
}

fn explain_in(f: &Figures, lang: Lang) -> String {
    let ru = lang == Lang::Ru;
    let share = |x: f64| format::pct(x, 1, lang);
    let count = |n: u64| format::int(n, lang);
    let overall = pct(f.balance_missing, f.rows_read);
    let mut out = vec![if ru {
        format!(
            "Баланс не указан у {} из {} строк ({}).",
            count(f.balance_missing),
            count(f.rows_read),
            share(overall)
        )
    } else {
        format!(
            "Balance is missing in {} of {} rows ({}).",
            count(f.balance_missing),
            count(f.rows_read),
            share(overall)
        )
    }];
    if f.balance_missing == 0 {
        return out.join(" ");
    }
    // For each grouping column: the group holding most of the gaps, and the spread of missing shares.
    let mut columns: Vec<&str> = f
        .missing_balance
        .iter()
        .map(|g| g.column.as_str())
        .collect();
    columns.dedup();
    let mut strongest: f64 = 1.0;
    for column in columns {
        let groups: Vec<&GroupFigures> = f
            .missing_balance
            .iter()
            .filter(|g| g.column == column && g.rows > 0)
            .collect();
        let Some(top) = groups.iter().max_by_key(|g| g.missing) else {
            continue;
        };
        let share_of_missing = pct(top.missing, f.balance_missing);
        let share_of_rows = pct(top.rows, f.rows_read);
        let max_rate = groups
            .iter()
            .map(|g| pct(g.missing, g.rows))
            .fold(0.0, f64::max);
        let min_rate = groups
            .iter()
            .map(|g| pct(g.missing, g.rows))
            .fold(1.0, f64::min);
        if share_of_rows > 0.0 {
            strongest = strongest.max(share_of_missing / share_of_rows);
        }
        out.push(if ru {
            format!(
                "По признаку «{}»: {} пропусков приходятся на {} ({} всех строк); доля пропусков по группам от {} до {}.",
                column_name(column, lang),
                share(share_of_missing),
                group_label(top, lang),
                share(share_of_rows),
                share(min_rate),
                share(max_rate)
            )
        } else {
            format!(
                "By {column}: {} of the gaps fall in {} ({} of all rows); the missing share ranges from {} to {} across groups.",
                share(share_of_missing),
                group_label(top, lang),
                share(share_of_rows),
                share(min_rate),
                share(max_rate)
            )
        });
    }
    let times = format::num(strongest, 1, lang);
    out.push(match (strongest >= 1.3, ru) {
        (true, true) => format!(
            "Пропуски не случайны: в отдельных группах их в {times} раза больше, чем по доле строк. Пустой баланс нельзя считать нулём; анализы баланса используют только строки, где он есть."
        ),
        (true, false) => format!(
            "The gaps are not random: some groups hold {times} times their share of rows. A missing balance must not be read as zero; balance analyses use only the rows that have one."
        ),
        (false, true) => "Доля пропусков близка во всех группах: пропуски похожи на случайные.".into(),
        (false, false) => "The missing share is similar in every group: the gaps look random.".into(),
    });
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures() -> Figures {
        Figures {
            rows_read: 10,
            rows_clean: 8,
            rows_quarantined: 1,
            exact_duplicates_removed: 1,
            duplicate_id_rows: 2,
            duplicate_ids: 1,
            reasons: vec![("products_out_of_range".into(), 1)],
            columns: vec![],
            missing_balance: vec![
                GroupFigures {
                    column: "churn".into(),
                    value: "false".into(),
                    rows: 6,
                    missing: 4,
                },
                GroupFigures {
                    column: "churn".into(),
                    value: "true".into(),
                    rows: 2,
                    missing: 0,
                },
            ],
            balance_missing: 4,
            has_balance: true,
            age_missing: 1,
            exact_statistics: true,
        }
    }

    #[test]
    fn report_adds_up_and_explains_the_gaps() {
        let f = figures();
        let ctx = ReportContext {
            dataset_id: "d",
            source: "s".into(),
            format: "csv",
            missing_optional: vec![],
            passthrough: vec![],
        };
        let r = build(&ctx, &f);
        assert!(r.counts_add_up);
        let mb = r.missing_balance.unwrap();
        assert_eq!(mb.missing, 4);
        assert_eq!(mb.groups[0].missing_share, 4.0 / 6.0);
        assert_eq!(mb.groups[0].share_of_missing, 1.0);
        let explanation = mb.explanation.unwrap();
        let ru = explanation.ru;
        assert!(
            ru.starts_with("Баланс не указан у 4 из 10 строк (40,0\u{a0}%)."),
            "{ru}"
        );
        assert!(
            ru.contains("По признаку «отток»: 100,0\u{a0}% пропусков приходятся на отток = нет"),
            "{ru}"
        );
        let en = explanation.en;
        assert!(
            en.starts_with("Balance is missing in 4 of 10 rows (40.0%)."),
            "{en}"
        );
        assert!(
            en.contains("By churn: 100.0% of the gaps fall in churn = false (60.0% of all rows)")
        );
        assert!(
            en.contains("The gaps are not random: some groups hold 1.7 times"),
            "{en}"
        );
        let mut broken = f.clone();
        broken.rows_clean = 7;
        assert!(!counts_add_up(&broken));
    }
}
