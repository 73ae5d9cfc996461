//! The engine on a small synthetic table (no external data): exact counts, segment rules from
//! configuration, hypothesis p-values against scipy, generated sentences in both languages,
//! histograms of heavy-tailed columns, and configuration errors.
//!
//! Rows `i = 0..60`: products 0 for `i < 2`, 1 for `2..14`, 2 for `14..44`, 3 for `44..52`,
//! 4 for `52..57`, 5 for `57..60`; churn when `i % 4 == 0`; age `20 + i % 40` (missing for
//! `i = 30`); gender Ж for even `i`; city by `i % 3`; balance `1000 i` (missing when
//! `i % 5 == 0`); est_salary `30000 + 1500 i`.

use std::sync::Arc;

use analysis_svc::engine::{AnalysisConfig, analyze};
use arrow::array::{ArrayRef, BooleanArray, Float64Array, Int16Array, Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use bankseg_proto::analysis::v1::AnalysisResult;
use bankseg_proto::common::v1::LocalizedText;
use bankseg_proto::ingest::v1::QualityReport;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;

const N: usize = 60;

fn products(i: usize) -> i16 {
    match i {
        0..2 => 0,
        2..14 => 1,
        14..44 => 2,
        44..52 => 3,
        52..57 => 4,
        _ => 5,
    }
}

fn context() -> anyhow::Result<SessionContext> {
    table(N, |i| (i % 5 != 0).then_some(1000.0 * i as f64))
}

/// `n` rows by the rules above, with `balance(i)` as the balance.
fn table(n: usize, balance: impl Fn(usize) -> Option<f64>) -> anyhow::Result<SessionContext> {
    let cities = ["Ярославль", "Рыбинск", "Ростов"];
    let schema = Arc::new(Schema::new(vec![
        Field::new("user_id", DataType::Int64, false),
        Field::new("score", DataType::Float64, true),
        Field::new("city", DataType::Utf8, true),
        Field::new("gender", DataType::Utf8, true),
        Field::new("age", DataType::Int16, true),
        Field::new("equity", DataType::Int16, true),
        Field::new("balance", DataType::Float64, true),
        Field::new("products", DataType::Int16, true),
        Field::new("credit_card", DataType::Boolean, true),
        Field::new("last_activity", DataType::Boolean, true),
        Field::new("est_salary", DataType::Float64, true),
        Field::new("churn", DataType::Boolean, false),
        Field::new("balance_missing", DataType::Boolean, false),
    ]));
    let idx = 0..n;
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(
            idx.clone().map(|i| 1000 + i as i64),
        )),
        Arc::new(Float64Array::from_iter_values(
            idx.clone().map(|i| 700.0 + ((i * 13) % 200) as f64),
        )),
        Arc::new(StringArray::from_iter_values(
            idx.clone().map(|i| cities[i % 3]),
        )),
        Arc::new(StringArray::from_iter_values(
            idx.clone().map(|i| if i % 2 == 0 { "Ж" } else { "М" }),
        )),
        Arc::new(Int16Array::from_iter(
            idx.clone()
                .map(|i| (i != 30).then_some(20 + (i % 40) as i16)),
        )),
        Arc::new(Int16Array::from_iter_values(
            idx.clone().map(|i| (i % 6) as i16),
        )),
        Arc::new(Float64Array::from_iter(idx.clone().map(balance))),
        Arc::new(Int16Array::from_iter_values(idx.clone().map(products))),
        Arc::new(BooleanArray::from_iter(
            idx.clone().map(|i| Some(i % 3 != 0)),
        )),
        Arc::new(BooleanArray::from_iter(
            idx.clone().map(|i| Some(i % 2 == 1)),
        )),
        Arc::new(Float64Array::from_iter_values(
            idx.clone().map(|i| 30_000.0 + 1500.0 * i as f64),
        )),
        Arc::new(BooleanArray::from_iter(
            idx.clone().map(|i| Some(i % 4 == 0)),
        )),
        Arc::new(BooleanArray::from_iter(idx.map(|i| Some(i % 5 == 0)))),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns)?;
    let ctx = SessionContext::new();
    ctx.register_table(
        "customers",
        Arc::new(MemTable::try_new(schema, vec![vec![batch]])?),
    )?;
    Ok(ctx)
}

fn size_churned(r: &AnalysisResult, id: &str) -> (u64, u64) {
    let s = r
        .segments
        .iter()
        .find(|s| s.summary.as_ref().is_some_and(|x| x.segment_id == id))
        .unwrap_or_else(|| panic!("segment {id} missing"));
    let p = s.summary.clone().unwrap().churn.unwrap();
    (p.total, p.successes)
}

fn segment<'a>(r: &'a AnalysisResult, id: &str) -> &'a bankseg_proto::analysis::v1::Segment {
    r.segments
        .iter()
        .find(|s| s.summary.as_ref().is_some_and(|x| x.segment_id == id))
        .unwrap_or_else(|| panic!("segment {id} missing"))
}

/// Every sentence the engine generated, as (Russian, English).
fn sentences(r: &AnalysisResult) -> Vec<(String, String)> {
    let mut texts: Vec<Option<&LocalizedText>> = Vec::new();
    for s in &r.segments {
        texts.extend([
            s.rule.as_ref(),
            s.portrait.as_ref(),
            s.churner_portrait.as_ref(),
        ]);
        texts.push(s.summary.as_ref().and_then(|x| x.name.as_ref()));
    }
    texts.extend(r.slices.iter().map(|s| s.description.as_ref()));
    for h in &r.hypotheses {
        texts.extend([
            h.title.as_ref(),
            h.h0.as_ref(),
            h.h1.as_ref(),
            h.rationale.as_ref(),
            h.verdict.as_ref(),
            h.agreement.as_ref(),
        ]);
    }
    texts.extend(r.recommendations.iter().map(|x| x.evidence.as_ref()));
    texts.extend(r.alerts.iter().map(|a| a.message.as_ref()));
    texts.extend(r.notes.iter().map(Some));
    texts
        .into_iter()
        .flatten()
        .map(|t| (t.ru.clone(), t.en.clone()))
        .collect()
}

#[tokio::test]
async fn generated_sentences_write_numbers_and_values_the_way_of_their_language()
-> anyhow::Result<()> {
    let ctx = context()?;
    let config = AnalysisConfig::study_default();
    let out = analyze(&ctx, "customers", QualityReport::default(), &config).await?;
    let r = &out.result;

    // products_1: i = 2..14, 12 of 60 customers, 3 churned; salaries 33 000..49 500 by 1 500, so
    // quartiles 37 125 and 45 375, median 41 250; cities 4 + 4 + 4, Ростов first by name
    let p1 = segment(r, "products_1").portrait.clone().unwrap();
    assert!(
        p1.ru.starts_with(
            "12 клиентов (20,0\u{a0}% банка), отток 25,0\u{a0}% при 25,0\u{a0}% по банку. Типичный клиент: "
        ),
        "{}",
        p1.ru
    );
    assert!(
        p1.en.starts_with(
            "12 customers (20.0% of the bank), churn 25.0% vs 25.0% for the bank. Typical customer: "
        ),
        "{}",
        p1.en
    );
    assert!(
        p1.ru
            .contains("оценочный доход 37\u{a0}125–45\u{a0}375 (медиана 41\u{a0}250)"),
        "{}",
        p1.ru
    );
    assert!(
        p1.en
            .contains("estimated salary 37,125–45,375 (median 41,250)"),
        "{}",
        p1.en
    );
    // city names: the configured English names in English, the values themselves in Russian
    assert!(
        p1.ru.contains("город: чаще Ростов (33,3\u{a0}%)"),
        "{}",
        p1.ru
    );
    assert!(p1.en.contains("city: mostly Rostov (33.3%)"), "{}", p1.en);
    let who = &r.notes[0];
    assert!(
        who.ru.contains("женщины: 100,0\u{a0}% против 33,3\u{a0}%"),
        "{}",
        who.ru
    );
    assert!(who.en.contains("women: 100.0% vs 33.3%"), "{}", who.en);
    // the data keep the values
    assert_eq!(r.cities, vec!["Ростов", "Рыбинск", "Ярославль"]);

    // every sentence: Russian numbers with a decimal comma, no-break spaces before % and between
    // thousands; English ones with a decimal point, no spaces inside numbers, English city names
    let all = sentences(r);
    assert!(all.len() > 40, "{} sentences", all.len());
    for (ru, en) in &all {
        let ruc: Vec<char> = ru.chars().collect();
        for w in ruc.windows(3) {
            let digits = w[0].is_ascii_digit() && w[2].is_ascii_digit();
            assert!(!(digits && w[1] == '.'), "decimal point in {ru:?}");
            assert!(
                !(digits && w[1] == ' '),
                "plain space inside a number in {ru:?}"
            );
        }
        for w in ruc.windows(2) {
            assert!(
                !(w[0].is_ascii_digit() && w[1] == '%'),
                "no no-break space before % in {ru:?}"
            );
        }
        let enc: Vec<char> = en.chars().collect();
        for w in enc.windows(3) {
            let digits = w[0].is_ascii_digit() && w[2].is_ascii_digit();
            assert!(
                !(digits && (w[1] == ' ' || w[1] == '\u{a0}')),
                "space inside a number in {en:?}"
            );
        }
        assert!(!en.contains('\u{a0}'), "no-break space in {en:?}");
        for city in ["Ярославль", "Рыбинск", "Ростов"] {
            assert!(!en.contains(city), "{city} in {en:?}");
        }
    }
    // p-values below 0.001 as powers of ten, in both languages
    let age = r
        .hypotheses
        .iter()
        .find(|h| h.id == "age_products_1_vs_2")
        .unwrap();
    // primary p = 0.000259 (see default_config_on_synthetic_table): 2,6·10⁻⁴ / 2.6·10⁻⁴
    let verdict = age.verdict.clone().unwrap();
    assert!(verdict.ru.contains("p = 2,6·10⁻⁴"), "{}", verdict.ru);
    assert!(verdict.en.contains("p = 2.6·10⁻⁴"), "{}", verdict.en);
    assert!(verdict.ru.contains("α = 0,05"), "{}", verdict.ru);
    assert!(verdict.en.contains("α = 0.05"), "{}", verdict.en);
    Ok(())
}

#[tokio::test]
async fn heavy_tailed_columns_get_an_overflow_histogram_bin() -> anyhow::Result<()> {
    // 200 balances 0, 1 000, ..., 199 000, except i = 7 with 90 000 000: the 99th percentile is
    // 198 010 (between 198 000 and 199 000), so the max is far above 3 × p99
    let ctx = table(200, |i| {
        Some(if i == 7 {
            90_000_000.0
        } else {
            1000.0 * i as f64
        })
    })?;
    let config = AnalysisConfig::study_default();
    let out = analyze(&ctx, "customers", QualityReport::default(), &config).await?;
    let r = &out.result;
    let balance = r.profiles.iter().find(|p| p.column == "balance").unwrap();
    let h = balance.histogram.clone().unwrap();
    // 20 equal-width bins from 0 to p99, one overflow bin [p99, max]
    assert_eq!(h.all.len(), 21);
    assert_eq!(h.edges.len(), 22);
    assert_eq!(h.edges[0], 0.0);
    assert_eq!(h.edges[21], 90_000_000.0);
    let p99 = h.edges[20];
    assert!(p99 > 198_000.0 && p99 < 199_000.0, "{p99}");
    let width = h.edges[1] - h.edges[0];
    assert!((width - p99 / 20.0).abs() < 1e-6, "{width}");
    for w in h.edges[..21].windows(2) {
        assert!((w[1] - w[0] - width).abs() < 1e-6, "{:?}", h.edges);
    }
    // 199 000 and 90 000 000 are at or above p99
    assert_eq!(h.all[20], 2);
    // the first bin [0, 9 900.5) holds 0..=9 000 without 7 000
    assert_eq!(h.all[0], 9);
    assert_eq!(h.all.iter().sum::<u64>(), 200);
    assert_eq!(
        h.churned.iter().sum::<u64>() + h.retained.iter().sum::<u64>(),
        200
    );
    assert_eq!(h.churned.iter().sum::<u64>(), 50);
    for i in 0..21 {
        assert_eq!(h.churned[i] + h.retained[i], h.all[i]);
    }
    // the other columns keep plain histograms: est_salary 30 000 + 1 500 i is not heavy-tailed
    let salary = r
        .profiles
        .iter()
        .find(|p| p.column == "est_salary")
        .unwrap();
    let hs = salary.histogram.clone().unwrap();
    assert_eq!((hs.all.len(), hs.edges.len()), (20, 21));
    assert_eq!(hs.edges[20], 30_000.0 + 1500.0 * 199.0);
    assert_eq!(hs.all.iter().sum::<u64>(), 200);
    Ok(())
}

#[tokio::test]
async fn default_config_on_synthetic_table() -> anyhow::Result<()> {
    let ctx = context()?;
    let out = analyze(
        &ctx,
        "customers",
        QualityReport::default(),
        &AnalysisConfig::study_default(),
    )
    .await?;
    let r = &out.result;
    let ov = r.overview.clone().unwrap();
    assert_eq!((ov.rows, ov.churned), (60, 15));
    assert_eq!(ov.churn.unwrap().rate, 0.25);
    assert_eq!(ov.exclusions.len(), 1);
    assert_eq!(ov.exclusions[0].rows, 2);

    assert_eq!(size_churned(r, "products_1"), (12, 3));
    assert_eq!(size_churned(r, "products_2"), (30, 7));
    assert_eq!(size_churned(r, "products_3"), (8, 2));
    assert_eq!(size_churned(r, "products_4plus"), (8, 2));
    // the largest segment (2 products) split by age; i = 30 has no age
    assert_eq!(size_churned(r, "products_2/age_18_25"), (4, 1));
    assert_eq!(size_churned(r, "products_2/age_26_35"), (2, 0));
    assert_eq!(size_churned(r, "products_2/age_36_45"), (10, 3));
    assert_eq!(size_churned(r, "products_2/age_46_55"), (9, 2));
    assert_eq!(size_churned(r, "products_2/age_56plus"), (4, 1));
    assert_eq!(r.notes.len(), 2);
    // every churner is a woman (i % 4 == 0 is even); 15 of the 45 who stay are women
    assert!(
        r.notes[0]
            .en
            .starts_with("Who leaves: 15 of the bank's customers (25.0%)"),
        "{}",
        r.notes[0].en
    );
    assert!(
        r.notes[0].en.contains("women: 100.0% vs 33.3%"),
        "{}",
        r.notes[0].en
    );
    assert!(
        r.notes[1]
            .en
            .starts_with("1 customers of segment \"2 products\""),
        "{}",
        r.notes[1].en
    );

    let membership = out.membership.clone().collect().await?;
    assert_eq!(membership.iter().map(|b| b.num_rows()).sum::<usize>(), 58);
    let names: Vec<String> = membership[0]
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(
        names,
        vec!["user_id", "city", "segment", "sub_segment", "churn"]
    );

    // city cells of products_2: i = 14..44 by i % 3 (0 → Ярославль, 1 → Рыбинск, 2 → Ростов)
    let cell = |city: &str, seg: &str| {
        r.city_cells
            .iter()
            .find(|c| c.city == city && c.segment_id == seg)
            .map(|c| (c.size, c.churned))
    };
    assert_eq!(cell("Ярославль", "products_2"), Some((10, 2)));
    assert_eq!(cell("Рыбинск", "products_2"), Some((10, 3)));
    assert_eq!(cell("Ростов", "products_2"), Some((10, 2)));

    // churn by gender: every churner (i % 4 == 0) is even, i.e. Ж
    let gender = r
        .feature_churn
        .iter()
        .find(|f| f.column == "gender")
        .unwrap();
    let cells: Vec<(String, u64, u64)> = gender
        .cells
        .iter()
        .map(|c| {
            let p = c.churn.unwrap();
            (c.label.clone(), p.total, p.successes)
        })
        .collect();
    assert_eq!(cells, vec![("Ж".into(), 30, 15), ("М".into(), 30, 0)]);
    assert_eq!(gender.cells[0].lift, 2.0);

    // profile of age: 59 values, one missing, ages 20..=59 except 50 (i = 30)
    let age = r.profiles.iter().find(|p| p.column == "age").unwrap();
    assert_eq!((age.count, age.missing, age.distinct), (59, 1, 39));
    assert_eq!((age.min, age.max), (Some(20.0), Some(59.0)));
    let hist = age.histogram.clone().unwrap();
    assert_eq!(hist.all.len(), 40);
    assert_eq!(hist.all.iter().sum::<u64>(), 59);
    assert_eq!(hist.churned.iter().sum::<u64>(), 15);
    // balance 1 000..59 000 (48 values) has no long tail: 20 equal-width bins from min to max
    let balance = r.profiles.iter().find(|p| p.column == "balance").unwrap();
    let hist = balance.histogram.clone().unwrap();
    assert_eq!((hist.all.len(), hist.edges.len()), (20, 21));
    assert_eq!((hist.edges[0], hist.edges[20]), (1000.0, 59_000.0));
    assert_eq!(hist.all.iter().sum::<u64>(), 48);

    // hypotheses: p-values from scipy.stats.mannwhitneyu(x, y, alternative="two-sided")
    let h = |id: &str| r.hypotheses.iter().find(|h| h.id == id).unwrap();
    let a = h("age_products_1_vs_2").primary.clone().unwrap();
    assert_eq!(a.test, "mann_whitney_u");
    assert_eq!(a.statistic, 46.0);
    assert!(
        ((a.p_value - 0.00025856039606486495) / a.p_value).abs() < 1e-9,
        "{}",
        a.p_value
    );
    // groups under 20 observations are not checked for normality: the rank test is primary
    assert!(
        h("age_products_1_vs_2")
            .rationale
            .clone()
            .unwrap()
            .en
            .contains("fewer than 20 observations")
    );
    let welch = h("age_products_1_vs_2")
        .companions
        .iter()
        .find(|c| c.test == "welch_t")
        .cloned()
        .unwrap();
    // scipy.stats.ttest_ind(x, y, equal_var=False).pvalue
    assert!(
        ((welch.p_value - 9.538173241095089e-08) / welch.p_value).abs() < 1e-7,
        "{}",
        welch.p_value
    );
    let s = h("est_salary_products_1_vs_4plus").primary.clone().unwrap();
    assert_eq!(s.method, "exact");
    assert_eq!(s.statistic, 0.0);
    assert!(
        ((s.p_value - 1.5876796062554575e-05) / s.p_value).abs() < 1e-9,
        "{}",
        s.p_value
    );
    assert!(h("est_salary_products_1_vs_4plus").reject_h0);
    assert_eq!(r.hypotheses.len(), 13);
    assert_eq!(out.hypotheses.num_rows(), 13);
    Ok(())
}

#[tokio::test]
async fn segments_and_rules_from_configuration() -> anyhow::Result<()> {
    let ctx = context()?;
    let mut config = AnalysisConfig::study_default();
    let custom = r#"
[segmentation]
[[segmentation.segments]]
id = "women"
name = { ru = "женщины", en = "women" }
conditions = [{ column = "gender", values = ["Ж"] }]
[[segmentation.segments]]
id = "men"
name = { ru = "мужчины", en = "men" }
conditions = [{ column = "gender", values = ["М"] }]
[[segmentation.splits]]
parent = "women"
column = "est_salary"
bands = [{ max = 60000 }, { min = 60001 }]
"#;
    #[derive(serde::Deserialize)]
    struct Only {
        segmentation: analysis_svc::engine::config::SegmentationConfig,
    }
    let only: Only = toml::from_str(custom)?;
    config.segmentation = only.segmentation;
    let hyps: toml::Table = toml::from_str(
        r#"
[[tests]]
id = "salary_by_products"
column = "est_salary"
groups = [
  { conditions = [{ column = "products", values = [1] }] },
  { conditions = [{ column = "products", values = [2] }] },
  { conditions = [{ column = "products", values = [3] }] },
]
[[tests]]
id = "credit_card_by_gender"
column = "credit_card"
groups = [{ segment = "women" }, { segment = "men" }]
"#,
    )?;
    config.hypotheses.tests = hyps["tests"].clone().try_into()?;
    config.recommendations = Some(analysis_svc::engine::RecommendationConfig::from_toml(
        r#"
scope = "all"
[[rules]]
id = "retain_high_churn"
action = { ru = "удержание", en = "retention call" }
when = [{ metric = "lift", op = ">=", value = 1.5 }]
"#,
    )?);
    let config = AnalysisConfig::from_toml(&config.to_toml())?;
    let out = analyze(&ctx, "customers", QualityReport::default(), &config).await?;
    let r = &out.result;
    assert!(r.overview.clone().unwrap().exclusions.is_empty());
    assert_eq!(size_churned(r, "women"), (30, 15));
    assert_eq!(size_churned(r, "men"), (30, 0));
    // women: even i; salary 30000 + 1500 i <= 60000 for i <= 20 (11 rows, churners 0, 4, ..., 20)
    assert_eq!(size_churned(r, "women/est_salary_upto_60_000"), (11, 6));
    assert_eq!(size_churned(r, "women/est_salary_60_001plus"), (19, 9));
    let recs: Vec<(&str, &str)> = r
        .recommendations
        .iter()
        .map(|x| (x.rule_id.as_str(), x.segment_id.as_str()))
        .collect();
    // lift: women 2.0, women ≤ 60 000: 6/11 / 0.25 = 2.18, above: 9/19 / 0.25 = 1.89, men 0
    assert_eq!(
        recs,
        vec![
            ("retain_high_churn", "women"),
            ("retain_high_churn", "women/est_salary_60_001plus"),
            ("retain_high_churn", "women/est_salary_upto_60_000"),
        ]
    );
    assert_eq!(r.hypotheses.len(), 13);
    // scipy.stats.kruskal(*groups): H = 37.55294117647057, p = 7.006198440304726e-09
    let k = r.hypotheses[0].primary.clone().unwrap();
    assert_eq!(k.test, "kruskal");
    assert!(
        (k.statistic - 37.55294117647057).abs() < 1e-9,
        "{}",
        k.statistic
    );
    assert!(
        ((k.p_value - 7.006198440304726e-09) / k.p_value).abs() < 1e-9,
        "{}",
        k.p_value
    );
    assert_eq!(
        r.hypotheses[0].groups,
        vec![
            "number of products = 1",
            "number of products = 2",
            "number of products = 3"
        ]
    );
    // credit cards: 20 of 30 women and 20 of 30 men; scipy.stats.chi2_contingency p = 1.0
    let cc = &r.hypotheses[1];
    let p = cc.primary.clone().unwrap();
    assert_eq!(p.test, "chi2_contingency");
    assert_eq!(p.p_value, 1.0);
    assert!(!cc.reject_h0);
    assert_eq!(cc.group_means, vec![2.0 / 3.0, 2.0 / 3.0]);
    Ok(())
}

#[test]
fn configuration_errors_name_the_location() {
    let base = AnalysisConfig::study_default().to_toml();
    let e = AnalysisConfig::from_toml(&base.replace("alpha = 0.05", "alpha = 2.0"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "analysis configuration: alpha: expected a number in (0, 1), got 2"
    );
    let e = AnalysisConfig::from_toml(&format!("{base}\nbogus = 1\n"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("line") && e.contains("bogus"), "{e}");
    let e = AnalysisConfig::from_toml(&base.replace("parent = \"largest\"", "parent = \"nope\""))
        .unwrap_err()
        .to_string();
    assert!(e.contains("segmentation.splits[0].parent"), "{e}");
    let study = AnalysisConfig::study_default();
    assert_eq!(AnalysisConfig::from_toml(&study.to_toml()).unwrap(), study);
    assert_eq!(study.segmentation.segments.len(), 4);
    assert_eq!(study.rules().rules.len(), 5);
}

#[tokio::test]
async fn optional_column_absent_and_empty_table() -> anyhow::Result<()> {
    let ctx = context()?;
    // an export without the optional `equity` column
    let view = ctx
        .sql(
            "SELECT user_id, score, city, gender, age, balance, products, credit_card, \
             last_activity, est_salary, churn, balance_missing FROM customers",
        )
        .await?;
    ctx.register_table("no_equity", view.into_view())?;
    let config = AnalysisConfig::study_default();
    let out = analyze(&ctx, "no_equity", QualityReport::default(), &config).await?;
    let r = &out.result;
    assert!(
        r.notes
            .iter()
            .any(|n| n.en.starts_with("Column equity (property score) is absent"))
    );
    assert!(r.profiles.iter().all(|p| p.column != "equity"));
    assert_eq!(r.profiles.len(), 10);
    assert!(
        r.recommendations
            .iter()
            .all(|x| x.rule_id != "mortgage" && x.rule_id != "insurance")
    );
    assert_eq!(size_churned(r, "products_2"), (30, 7));

    // no rows at all: the study still completes, with empty segments and untestable hypotheses
    let empty = ctx.sql("SELECT * FROM customers WHERE user_id < 0").await?;
    ctx.register_table("empty", empty.into_view())?;
    let out = analyze(&ctx, "empty", QualityReport::default(), &config).await?;
    let r = &out.result;
    assert_eq!(r.overview.clone().unwrap().rows, 0);
    assert_eq!(size_churned(r, "products_1"), (0, 0));
    assert!(r.slices.is_empty());
    assert!(r.recommendations.is_empty());
    assert!(
        r.hypotheses
            .iter()
            .all(|h| h.primary.is_none() && !h.reject_h0)
    );
    // a required column that is missing is reported as such
    let no_churn = ctx
        .sql("SELECT user_id, city, products FROM customers")
        .await?;
    ctx.register_table("no_churn", no_churn.into_view())?;
    let e = analyze(&ctx, "no_churn", QualityReport::default(), &config)
        .await
        .unwrap_err();
    assert!(
        matches!(e, analysis_svc::engine::Error::MissingColumn { .. }),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        "column \"churn\" is missing (needed by columns.target) in table \"no_churn\""
    );
    Ok(())
}
