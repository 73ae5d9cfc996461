//! A realistic, invented [`AnalysisResult`] for tests and examples: the shape of the churn study
//! (three cities, four product segments with age sub-segments, slices, hypotheses and
//! recommendations) with made-up numbers that are consistent with each other.

use bankseg_proto::ANALYSIS_SCHEMA_VERSION;
use bankseg_proto::analysis::v1::{
    Alert, AnalysisResult, ChurnCell, CityCell, ColumnProfile, CorrelationMatrix, Exclusion,
    FeatureChurn, FeatureStat, Histogram, Hypothesis, Overview, Recommendation, Segment,
    SegmentSummary, Slice, SliceCondition, TestResult, ValueCount,
};
use bankseg_proto::common::v1::{LocalizedText, Proportion};
use bankseg_proto::ingest::v1::{
    ColumnQuality, GroupMissing, MissingBalance, QualityReport, ReasonCount,
};

/// The report's sections, by element id, in the order the report shows them.
pub const SECTIONS: [&str; 12] = [
    "summary",
    "data",
    "distributions",
    "churn-by-feature",
    "correlations",
    "segments",
    "dashboard",
    "portraits",
    "slices",
    "hypotheses",
    "recommendations",
    "method",
];

/// Text in both languages.
pub fn text(ru: &str, en: &str) -> Option<LocalizedText> {
    Some(LocalizedText {
        ru: ru.to_string(),
        en: en.to_string(),
    })
}

/// A proportion with its 95% Wilson score interval.
pub fn proportion(successes: u64, total: u64) -> Proportion {
    if total == 0 {
        return Proportion::default();
    }
    let n = total as f64;
    let p = successes as f64 / n;
    let z = 1.959_963_984_540_054_f64;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * ((p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt()) / denom;
    Proportion {
        successes,
        total,
        rate: p,
        ci_low: (centre - half).max(0.0),
        ci_high: (centre + half).min(1.0),
    }
}

/// Bank totals of the fixture.
pub const ROWS: u64 = 9_000;
/// Churned customers in the fixture.
pub const CHURNED: u64 = 1_620;

fn bank_rate() -> f64 {
    CHURNED as f64 / ROWS as f64
}

fn summary(id: &str, parent: &str, ru: &str, en: &str, size: u64, churned: u64) -> SegmentSummary {
    let churn = proportion(churned, size);
    SegmentSummary {
        segment_id: id.to_string(),
        parent_id: parent.to_string(),
        name: text(ru, en),
        size,
        share: size as f64 / ROWS as f64,
        lift: churn.rate / bank_rate(),
        churn: Some(churn),
    }
}

fn cell(
    label: &str,
    lower: Option<f64>,
    upper: Option<f64>,
    churned: u64,
    total: u64,
) -> ChurnCell {
    let churn = proportion(churned, total);
    ChurnCell {
        label: label.to_string(),
        lower,
        upper,
        lift: churn.rate / bank_rate(),
        churn: Some(churn),
    }
}

#[allow(clippy::too_many_arguments)]
fn numeric_profile(
    column: &str,
    missing: u64,
    q: [f64; 7],
    mean: f64,
    std: f64,
    edges: Vec<f64>,
    churned: Vec<u64>,
    retained: Vec<u64>,
    medians: (f64, f64),
) -> ColumnProfile {
    let all: Vec<u64> = churned.iter().zip(&retained).map(|(a, b)| a + b).collect();
    ColumnProfile {
        column: column.to_string(),
        kind: "numeric".into(),
        count: ROWS - missing,
        missing,
        distinct: 700,
        zeros: 0,
        min: Some(q[0]),
        p05: Some(q[1]),
        p25: Some(q[2]),
        p50: Some(q[3]),
        p75: Some(q[4]),
        p95: Some(q[5]),
        max: Some(q[6]),
        mean: Some(mean),
        std: Some(std),
        skewness: Some(0.4),
        kurtosis: Some(-0.2),
        top_values: Vec::new(),
        histogram: Some(Histogram {
            edges,
            all,
            churned,
            retained,
        }),
        median_churned: Some(medians.0),
        median_retained: Some(medians.1),
    }
}

fn categorical_profile(column: &str, kind: &str, values: &[(&str, u64)]) -> ColumnProfile {
    ColumnProfile {
        column: column.to_string(),
        kind: kind.to_string(),
        count: ROWS,
        distinct: values.len() as u64,
        top_values: values
            .iter()
            .map(|(v, c)| ValueCount {
                value: v.to_string(),
                count: *c,
            })
            .collect(),
        ..Default::default()
    }
}

fn test_result(
    test: &str,
    statistic: f64,
    p: f64,
    effect_name: &str,
    effect: f64,
    sizes: Vec<u64>,
) -> TestResult {
    TestResult {
        test: test.to_string(),
        method: String::new(),
        statistic,
        p_value: p,
        log10_p: p.log10(),
        df: None,
        effect_name: effect_name.to_string(),
        effect: Some(effect),
        ci_low: Some(effect - 0.04),
        ci_high: Some(effect + 0.04),
        sizes,
    }
}

fn stat(
    column: &str,
    kind: &str,
    level: &str,
    values: (f64, f64, f64),
    p: f64,
    p_adj: f64,
) -> FeatureStat {
    FeatureStat {
        column: column.to_string(),
        kind: kind.to_string(),
        value: Some(values.0),
        churned: Some(values.1),
        retained: Some(values.2),
        level: level.to_string(),
        test: if kind == "numeric" {
            "mann_whitney_u"
        } else {
            "chi2_contingency"
        }
        .to_string(),
        p_value: Some(p),
        p_adjusted: Some(p_adj),
        significant: p_adj < 0.05,
    }
}

/// The cities of the fixture.
pub const CITIES: [&str; 3] = ["Ярославль", "Рыбинск", "Ростов"];

/// The invented analysis.
pub fn analysis() -> AnalysisResult {
    let segments = vec![
        Segment {
            summary: Some(summary(
                "products_1",
                "",
                "1 продукт",
                "1 product",
                3_100,
                220,
            )),
            rule: text(
                "клиенты с одним продуктом банка",
                "customers with one bank product",
            ),
            features: vec![
                stat("age", "numeric", "", (43.0, 38.0, 44.0), 2.1e-4, 8.4e-4),
                stat(
                    "balance",
                    "numeric",
                    "",
                    (240_000.0, 410_000.0, 230_000.0),
                    0.012,
                    0.036,
                ),
                stat(
                    "last_activity",
                    "boolean",
                    "true",
                    (0.48, 0.61, 0.47),
                    0.002,
                    0.006,
                ),
            ],
            portrait: text(
                "Самый крупный и самый лояльный сегмент: клиенты среднего возраста, часто без баланса на счёте.",
                "The largest and most loyal segment: middle-aged customers, often with no balance on record.",
            ),
            churner_portrait: text(
                "Уходят более молодые и более активные клиенты с крупным балансом.",
                "Those who leave are younger, more active and hold larger balances.",
            ),
            children: vec![
                summary(
                    "products_1/age_18_35",
                    "products_1",
                    "1 продукт, 18–35 лет",
                    "1 product, age 18–35",
                    900,
                    90,
                ),
                summary(
                    "products_1/age_36_50",
                    "products_1",
                    "1 продукт, 36–50 лет",
                    "1 product, age 36–50",
                    1_300,
                    90,
                ),
                summary(
                    "products_1/age_51_plus",
                    "products_1",
                    "1 продукт, 51+ лет",
                    "1 product, age 51+",
                    900,
                    40,
                ),
            ],
        },
        Segment {
            summary: Some(summary(
                "products_2",
                "",
                "2 продукта",
                "2 products",
                4_200,
                800,
            )),
            rule: text(
                "клиенты с двумя продуктами банка",
                "customers with two bank products",
            ),
            features: vec![
                stat("age", "numeric", "", (41.0, 36.0, 42.0), 1.0e-9, 6.0e-9),
                stat(
                    "score",
                    "numeric",
                    "",
                    (850.0, 862.0, 846.0),
                    3.0e-6,
                    1.5e-5,
                ),
                stat(
                    "gender",
                    "categorical",
                    "М",
                    (0.49, 0.63, 0.46),
                    4.0e-12,
                    3.2e-11,
                ),
                stat(
                    "credit_card",
                    "boolean",
                    "true",
                    (0.66, 0.55, 0.69),
                    0.21,
                    0.42,
                ),
            ],
            portrait: text(
                "Основной сегмент банка: клиенты 30–50 лет с кредитной картой и накопительным счётом.",
                "The bank's core segment: customers aged 30–50 with a credit card and a savings account.",
            ),
            churner_portrait: text(
                "Уходят чаще мужчины 26–35 лет с высоким скорингом.",
                "Men aged 26–35 with high credit scores leave most often.",
            ),
            children: vec![
                summary(
                    "products_2/age_18_35",
                    "products_2",
                    "2 продукта, 18–35 лет",
                    "2 products, age 18–35",
                    1_500,
                    390,
                ),
                summary(
                    "products_2/age_36_50",
                    "products_2",
                    "2 продукта, 36–50 лет",
                    "2 products, age 36–50",
                    1_700,
                    300,
                ),
                summary(
                    "products_2/age_51_plus",
                    "products_2",
                    "2 продукта, 51+ лет",
                    "2 products, age 51+",
                    1_000,
                    110,
                ),
            ],
        },
        Segment {
            summary: Some(summary(
                "products_3",
                "",
                "3 продукта",
                "3 products",
                1_200,
                340,
            )),
            rule: text(
                "клиенты с тремя продуктами банка",
                "customers with three bank products",
            ),
            features: vec![stat(
                "balance",
                "numeric",
                "",
                (820_000.0, 1_100_000.0, 700_000.0),
                0.0004,
                0.0012,
            )],
            portrait: text(
                "Клиенты с крупными балансами и высокой собственностью.",
                "Customers with large balances and high property scores.",
            ),
            churner_portrait: text(
                "Уходят владельцы самых крупных балансов.",
                "Owners of the largest balances leave.",
            ),
            children: vec![],
        },
        Segment {
            summary: Some(summary(
                "products_4",
                "",
                "4 и более продуктов",
                "4 or more products",
                500,
                260,
            )),
            rule: text(
                "клиенты с четырьмя и более продуктами",
                "customers with four or more products",
            ),
            features: vec![stat(
                "est_salary",
                "numeric",
                "",
                (150_000.0, 160_000.0, 140_000.0),
                0.3,
                0.45,
            )],
            portrait: text(
                "Небольшой сегмент с очень высоким оттоком.",
                "A small segment with very high churn.",
            ),
            churner_portrait: text(
                "Уходит каждый второй, независимо от дохода.",
                "Every second customer leaves, regardless of income.",
            ),
            children: vec![],
        },
    ];

    // As analysis-svc does, sub-segments are also listed as segments of their own, naming their
    // parent (here those of "2 products"; those of "1 product" only as children).
    let mut segments = segments;
    let subs: Vec<Segment> = segments[1]
        .children
        .iter()
        .map(|child| Segment {
            summary: Some(child.clone()),
            rule: text(
                "клиенты с двумя продуктами в возрастной группе",
                "customers with two products in an age band",
            ),
            features: vec![stat(
                "score",
                "numeric",
                "",
                (850.0, 860.0, 845.0),
                0.004,
                0.012,
            )],
            portrait: text(
                "Возрастная группа сегмента «2 продукта».",
                "An age band of the \"2 products\" segment.",
            ),
            churner_portrait: LocalizedText::default().into(),
            children: vec![],
        })
        .collect();
    segments.extend(subs);

    let mut city_cells = Vec::new();
    let splits = [0.5, 0.3, 0.2];
    for segment in &segments {
        let s = segment.summary.clone().unwrap_or_default();
        let churned = s.churn.as_ref().map_or(0, |p| p.successes);
        let mut size_left = s.size;
        let mut churn_left = churned;
        for (i, city) in CITIES.iter().enumerate() {
            let (size, ch) = if i == CITIES.len() - 1 {
                (size_left, churn_left)
            } else {
                let size = (s.size as f64 * splits[i]).round() as u64;
                // Rostov (last) churns more: give the first cities a little less than their share.
                let ch = (churned as f64 * splits[i] * 0.95).round() as u64;
                (size, ch)
            };
            size_left -= size;
            churn_left -= ch;
            city_cells.push(CityCell {
                city: city.to_string(),
                segment_id: s.segment_id.clone(),
                size,
                churned: ch,
            });
        }
    }

    let phik_columns: Vec<String> = ["score", "age", "balance", "products", "est_salary", "churn"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    #[rustfmt::skip]
    let phik_values = vec![
        1.00, 0.12, 0.30, 0.42, 0.39, 0.23,
        0.12, 1.00, 0.06, 0.14, 0.36, 0.19,
        0.30, 0.06, 1.00, 0.33, 0.41, 0.03,
        0.42, 0.14, 0.33, 1.00, 0.21, 0.26,
        0.39, 0.36, 0.41, 0.21, 1.00, f64::NAN,
        0.23, 0.19, 0.03, 0.26, f64::NAN, 1.00,
    ];
    #[rustfmt::skip]
    let phik_z = vec![
        f64::NAN, 8.1, 22.0, 30.0, 26.0, 17.0,
        8.1, f64::NAN, 2.0, 9.0, 24.0, 13.5,
        22.0, 2.0, f64::NAN, 20.0, 28.0, 1.1,
        30.0, 9.0, 20.0, f64::NAN, 12.0, 19.0,
        26.0, 24.0, 28.0, 12.0, f64::NAN, f64::NAN,
        17.0, 13.5, 1.1, 19.0, f64::NAN, f64::NAN,
    ];
    #[rustfmt::skip]
    let pearson_values = vec![
        1.00, -0.01, 0.24, -0.00, 0.16, 0.11,
        -0.01, 1.00, 0.07, 0.02, -0.04, -0.05,
        0.24, 0.07, 1.00, 0.08, 0.34, 0.02,
        -0.00, 0.02, 0.08, 1.00, -0.12, 0.30,
        0.16, -0.04, 0.34, -0.12, 1.00, 0.00,
        0.11, -0.05, 0.02, 0.30, 0.00, 1.00,
    ];

    let age_hyp = Hypothesis {
        id: "H1".into(),
        title: text(
            "Возраст ушедших и оставшихся",
            "Age of churned and retained customers",
        ),
        h0: text(
            "Распределения возраста ушедших и оставшихся клиентов одинаковы.",
            "Churned and retained customers have the same age distribution.",
        ),
        h1: text(
            "Распределения возраста ушедших и оставшихся клиентов различаются.",
            "The age distributions of churned and retained customers differ.",
        ),
        column: "age".into(),
        groups: vec!["churned".into(), "retained".into()],
        primary: Some(test_result(
            "mann_whitney_u",
            4_123_456.0,
            2.4e-14,
            "rank_biserial",
            -0.12,
            vec![1_620, 7_380],
        )),
        companions: vec![
            TestResult {
                df: Some(2_350.4),
                ..test_result(
                    "welch_t",
                    -7.9,
                    5.1e-15,
                    "cohens_d",
                    -0.21,
                    vec![1_620, 7_380],
                )
            },
            test_result("ks_2samp", 0.14, 1.0e-22, "ks_d", 0.14, vec![1_620, 7_380]),
        ],
        rationale: text(
            "Возраст не распределён нормально (тест Д'Агостино, p < 0,001), поэтому основной тест — ранговый.",
            "Age is not normally distributed (D'Agostino test, p < 0.001), so the primary test is rank-based.",
        ),
        p_adjusted: 7.2e-14,
        reject_h0: true,
        verdict: text(
            "Ушедшие клиенты в среднем моложе оставшихся.",
            "Churned customers are younger than retained ones.",
        ),
        agreement: text(
            "t-критерий Уэлча и критерий Колмогорова — Смирнова согласны с основным тестом.",
            "Welch's t-test and the Kolmogorov–Smirnov test agree with the primary test.",
        ),
        group_medians: vec![36.0, 42.0],
        group_means: vec![39.1, 43.2],
    };
    let salary_hyp = Hypothesis {
        id: "H2".into(),
        title: text(
            "Доход ушедших и оставшихся",
            "Income of churned and retained customers",
        ),
        h0: text(
            "Доходы ушедших и оставшихся клиентов не различаются.",
            "Churned and retained customers have the same income.",
        ),
        h1: text(
            "Доходы ушедших и оставшихся клиентов различаются.",
            "Churned and retained customers differ in income.",
        ),
        column: "est_salary".into(),
        groups: vec!["churned".into(), "retained".into()],
        primary: Some(test_result(
            "mann_whitney_u",
            5_900_000.0,
            0.21,
            "rank_biserial",
            0.02,
            vec![1_620, 7_380],
        )),
        companions: vec![test_result(
            "welch_t",
            1.1,
            0.27,
            "cohens_d",
            0.03,
            vec![1_620, 7_380],
        )],
        rationale: text(
            "Доход сильно скошен вправо, поэтому основной тест — ранговый.",
            "Income is strongly right-skewed, so the primary test is rank-based.",
        ),
        p_adjusted: 0.21,
        reject_h0: false,
        verdict: text(
            "Различие доходов не доказано.",
            "No difference in income is shown.",
        ),
        agreement: text("Тесты согласны.", "The tests agree."),
        group_medians: vec![126_000.0, 119_000.0],
        group_means: vec![148_000.0, 147_000.0],
    };
    let products_hyp = Hypothesis {
        id: "H3".into(),
        title: text("Отток и число продуктов", "Churn and number of products"),
        h0: text(
            "Доля ушедших не зависит от числа продуктов.",
            "The churn rate does not depend on the number of products.",
        ),
        h1: text(
            "Доля ушедших зависит от числа продуктов.",
            "The churn rate depends on the number of products.",
        ),
        column: "products".into(),
        groups: vec!["1".into(), "2".into(), "3".into(), "4".into()],
        primary: Some(TestResult {
            df: Some(3.0),
            ..test_result(
                "chi2_contingency",
                612.0,
                1.0e-131,
                "cramers_v",
                0.26,
                vec![3_100, 4_200, 1_200, 500],
            )
        }),
        companions: vec![],
        rationale: text(
            "Обе переменные категориальные: критерий хи-квадрат для таблицы сопряжённости.",
            "Both variables are categorical: chi-squared test of the contingency table.",
        ),
        p_adjusted: 4.0e-131,
        reject_h0: true,
        verdict: text(
            "С ростом числа продуктов отток растёт.",
            "Churn grows with the number of products.",
        ),
        agreement: LocalizedText::default().into(),
        group_medians: vec![],
        group_means: vec![],
    };

    AnalysisResult {
        schema_version: ANALYSIS_SCHEMA_VERSION,
        analysis_id: "fixture-analysis".into(),
        dataset_id: "fixture-dataset".into(),
        created_at: "2026-01-15T10:00:00Z".into(),
        quality: Some(QualityReport {
            dataset_id: "fixture-dataset".into(),
            source: "exports/bank.csv".into(),
            format: "csv".into(),
            rows_read: 9_060,
            rows_clean: ROWS,
            rows_quarantined: 52,
            exact_duplicates_removed: 8,
            duplicate_id_rows: 60,
            duplicate_ids: 30,
            quarantine_reasons: vec![
                ReasonCount {
                    reason: "unparsable_age".into(),
                    rows: 30,
                },
                ReasonCount {
                    reason: "products_out_of_range".into(),
                    rows: 22,
                },
            ],
            columns: vec![
                ColumnQuality {
                    column: "balance".into(),
                    data_type: "Float64".into(),
                    nulls: 2_100,
                    distinct: 6_800,
                    outliers_low: 0,
                    outliers_high: 310,
                    lower_fence: Some(-420_000.0),
                    upper_fence: Some(1_900_000.0),
                },
                ColumnQuality {
                    column: "age".into(),
                    data_type: "Int16".into(),
                    nulls: 0,
                    distinct: 68,
                    outliers_low: 0,
                    outliers_high: 12,
                    lower_fence: Some(6.0),
                    upper_fence: Some(78.0),
                },
            ],
            missing_balance: Some(MissingBalance {
                rows: ROWS,
                missing: 2_100,
                missing_share: 2_100.0 / ROWS as f64,
                groups: vec![
                    GroupMissing {
                        column: "churn".into(),
                        value: "false".into(),
                        rows: 7_380,
                        missing: 2_080,
                        missing_share: 2_080.0 / 7_380.0,
                        share_of_missing: 2_080.0 / 2_100.0,
                    },
                    GroupMissing {
                        column: "churn".into(),
                        value: "true".into(),
                        rows: 1_620,
                        missing: 20,
                        missing_share: 20.0 / 1_620.0,
                        share_of_missing: 20.0 / 2_100.0,
                    },
                    GroupMissing {
                        column: "equity".into(),
                        value: "0".into(),
                        rows: 2_300,
                        missing: 1_950,
                        missing_share: 1_950.0 / 2_300.0,
                        share_of_missing: 1_950.0 / 2_100.0,
                    },
                ],
                explanation: text(
                    "Баланс почти всегда пропущен у оставшихся клиентов с нулевой собственностью: это, скорее всего, клиенты без накопительного счёта, а не ошибка выгрузки.",
                    "Balance is missing almost only for retained customers with property score 0: most likely customers without a savings account, not an export error.",
                ),
            }),
            missing_optional_columns: vec![],
            passthrough_columns: vec![],
            notes: vec![LocalizedText {
                ru: "Один ID может принадлежать разным клиентам в разных городах.".into(),
                en: "One id may belong to different customers in different cities.".into(),
            }],
            counts_add_up: true,
        }),
        overview: Some(Overview {
            rows: ROWS,
            churned: CHURNED,
            churn: Some(proportion(CHURNED, ROWS)),
            exclusions: vec![Exclusion {
                what: "products = 0".into(),
                rows: 1,
                reason: text(
                    "клиент без продуктов не относится ни к одному сегменту",
                    "a customer without products belongs to no segment",
                ),
            }],
        }),
        profiles: vec![
            numeric_profile(
                "age",
                0,
                [18.0, 25.0, 33.0, 40.0, 51.0, 65.0, 86.0],
                42.7,
                12.1,
                vec![18.0, 26.0, 36.0, 46.0, 56.0, 66.0, 86.0],
                vec![260, 620, 380, 230, 110, 20],
                vec![720, 2_150, 2_030, 1_390, 800, 290],
                (36.0, 42.0),
            ),
            numeric_profile(
                "balance",
                2_100,
                [
                    0.0,
                    90_000.0,
                    295_000.0,
                    524_000.0,
                    980_000.0,
                    2_200_000.0,
                    119_000_000.0,
                ],
                827_000.0,
                1_980_000.0,
                vec![
                    0.0,
                    250_000.0,
                    500_000.0,
                    1_000_000.0,
                    2_000_000.0,
                    5_000_000.0,
                ],
                vec![120, 310, 590, 400, 180],
                vec![1_300, 1_500, 1_400, 400, 80],
                (780_000.0, 470_000.0),
            ),
            numeric_profile(
                "est_salary",
                0,
                [
                    2_500.0,
                    42_000.0,
                    75_000.0,
                    119_000.0,
                    175_000.0,
                    320_000.0,
                    1_400_000.0,
                ],
                147_000.0,
                139_000.0,
                vec![
                    0.0,
                    50_000.0,
                    100_000.0,
                    150_000.0,
                    200_000.0,
                    300_000.0,
                    1_400_000.0,
                ],
                vec![120, 430, 480, 290, 180, 120],
                vec![620, 1_900, 2_100, 1_300, 860, 600],
                (126_000.0, 119_000.0),
            ),
            numeric_profile(
                "score",
                0,
                [642.0, 741.0, 802.0, 853.0, 900.0, 950.0, 1000.0],
                848.0,
                65.0,
                vec![640.0, 700.0, 760.0, 820.0, 880.0, 940.0, 1000.0],
                vec![20, 110, 330, 620, 440, 100],
                vec![160, 590, 1_580, 2_400, 2_010, 640],
                (866.0, 848.0),
            ),
            categorical_profile(
                "city",
                "categorical",
                &[("Ярославль", 5_300), ("Рыбинск", 2_400), ("Ростов", 1_300)],
            ),
            categorical_profile("gender", "categorical", &[("Ж", 4_510), ("М", 4_490)]),
            categorical_profile(
                "credit_card",
                "boolean",
                &[("true", 6_100), ("false", 2_900)],
            ),
        ],
        feature_churn: vec![
            FeatureChurn {
                column: "products".into(),
                kind: "categorical".into(),
                cells: vec![
                    cell("1", None, None, 220, 3_100),
                    cell("2", None, None, 800, 4_200),
                    cell("3", None, None, 340, 1_200),
                    cell("4", None, None, 260, 500),
                ],
                strength: 0.26,
                rank: 1,
            },
            FeatureChurn {
                column: "age".into(),
                kind: "numeric".into(),
                cells: vec![
                    cell("[18, 26)", Some(18.0), Some(26.0), 260, 980),
                    cell("[26, 36)", Some(26.0), Some(36.0), 620, 2_770),
                    cell("[36, 46)", Some(36.0), Some(46.0), 380, 2_410),
                    cell("[46, 56)", Some(46.0), Some(56.0), 230, 1_620),
                    cell("[56, 66)", Some(56.0), Some(66.0), 110, 910),
                    cell("[66, 86]", Some(66.0), Some(86.0), 20, 310),
                ],
                strength: 0.19,
                rank: 2,
            },
            FeatureChurn {
                column: "gender".into(),
                kind: "categorical".into(),
                cells: vec![
                    cell("М", None, None, 1_000, 4_490),
                    cell("Ж", None, None, 620, 4_510),
                ],
                strength: 0.14,
                rank: 3,
            },
            FeatureChurn {
                column: "city".into(),
                kind: "categorical".into(),
                cells: vec![
                    cell("Ярославль", None, None, 960, 5_300),
                    cell("Рыбинск", None, None, 390, 2_400),
                    cell("Ростов", None, None, 270, 1_300),
                ],
                strength: 0.05,
                rank: 4,
            },
        ],
        correlations: vec![
            CorrelationMatrix {
                method: "phik".into(),
                columns: phik_columns.clone(),
                values: phik_values,
                significance: phik_z,
            },
            CorrelationMatrix {
                method: "pearson".into(),
                columns: phik_columns,
                values: pearson_values,
                significance: vec![],
            },
        ],
        alerts: vec![
            Alert {
                kind: "missing".into(),
                column: "balance".into(),
                message: text(
                    "Баланс пропущен у 23,3 % клиентов.",
                    "Balance is missing for 23.3% of customers.",
                ),
                value: 0.233,
            },
            Alert {
                kind: "skewed".into(),
                column: "est_salary".into(),
                message: text(
                    "Доход сильно скошен вправо.",
                    "Income is strongly right-skewed.",
                ),
                value: 3.9,
            },
        ],
        segments,
        slices: vec![
            Slice {
                conditions: vec![
                    SliceCondition {
                        column: "gender".into(),
                        label: "М".into(),
                        lower: None,
                        upper: None,
                    },
                    SliceCondition {
                        column: "age".into(),
                        label: "[26, 36)".into(),
                        lower: Some(26.0),
                        upper: Some(36.0),
                    },
                ],
                description: text("мужчины 26–35 лет", "men aged 26–35"),
                size: 1_400,
                churn: Some(proportion(450, 1_400)),
                lift: (450.0 / 1_400.0) / bank_rate(),
                excess_churners: 450.0 - 1_400.0 * bank_rate(),
            },
            Slice {
                conditions: vec![SliceCondition {
                    column: "products".into(),
                    label: "4".into(),
                    lower: None,
                    upper: None,
                }],
                description: text("4 и более продуктов", "4 or more products"),
                size: 500,
                churn: Some(proportion(260, 500)),
                lift: (260.0 / 500.0) / bank_rate(),
                excess_churners: 260.0 - 500.0 * bank_rate(),
            },
        ],
        hypotheses: vec![age_hyp, salary_hyp, products_hyp],
        recommendations: vec![
            Recommendation {
                rule_id: "young_two_products".into(),
                segment_id: "products_2".into(),
                action: text(
                    "Предложить клиентам 26–35 лет кешбэк по кредитной карте и персональный накопительный счёт.",
                    "Offer customers aged 26–35 credit card cashback and a personal savings account.",
                ),
                evidence: text(
                    "Отток 19,0 % против 18,0 % по банку; ушедшие моложе (H1).",
                    "Churn 19.0% against 18.0% for the bank; churners are younger (H1).",
                ),
                priority: 1,
            },
            Recommendation {
                rule_id: "many_products".into(),
                segment_id: "products_4".into(),
                action: text(
                    "Провести ревизию пакета из четырёх и более продуктов: упростить тарифы, назначить персонального менеджера.",
                    "Review the four-plus product bundle: simplify fees and assign a personal manager.",
                ),
                evidence: text(
                    "Уходит каждый второй клиент (52,0 %).",
                    "Every second customer leaves (52.0%).",
                ),
                priority: 2,
            },
            Recommendation {
                rule_id: "large_balances".into(),
                segment_id: "products_3".into(),
                action: text(
                    "Удерживать владельцев крупных балансов повышенной ставкой по вкладу.",
                    "Retain large-balance customers with a higher deposit rate.",
                ),
                evidence: text(
                    "Медиана баланса ушедших 1,1 млн против 0,7 млн у оставшихся.",
                    "Median balance of churners 1.1M against 0.7M for those who stay.",
                ),
                priority: 3,
            },
        ],
        cities: CITIES.iter().map(|c| c.to_string()).collect(),
        city_cells,
        notes: vec![LocalizedText {
            ru: "Сегменты построены по числу продуктов, подсегменты — по возрасту.".into(),
            en: "Segments are built by number of products, sub-segments by age.".into(),
        }],
        config_toml: "alpha = 0.05\n[segmentation]\nby = \"products\"\nsub_by = \"age\"\n".into(),
        alpha: 0.05,
    }
}
