//! The default study on the real bank export (skipped unless `BANKSEG_REAL_DATA` names the file).
//!
//! The clean table is built here with DataFusion directly from the CSV (canonical names and types),
//! so the test does not depend on ingest-svc. Reference p-values come from scipy 1.15:
//!
//! ```python
//! df = pd.read_csv(path); df = df[df.products > 0]; seg = df.products.clip(upper=4)
//! a1, a2 = df[seg == 1].age.dropna(), df[seg == 2].age.dropna()
//! stats.mannwhitneyu(a1, a2, alternative="two-sided").pvalue   # 0.057138410813417605
//! stats.ttest_ind(a1, a2, equal_var=False).pvalue              # 0.03299080704232691
//! s1, s4 = df[seg == 1].EST_SALARY, df[seg == 4].EST_SALARY
//! stats.mannwhitneyu(s1, s4, alternative="two-sided").pvalue   # 6.291570875485614e-07
//! ```

use analysis_svc::engine::{AnalysisConfig, analyze};
use bankseg_proto::analysis::v1::AnalysisResult;
use bankseg_proto::ingest::v1::QualityReport;
use datafusion::prelude::{CsvReadOptions, SessionContext};

async fn real_context(path: &str) -> anyhow::Result<SessionContext> {
    let ctx = SessionContext::new();
    ctx.register_csv("raw", path, CsvReadOptions::new().has_header(true))
        .await?;
    let df = ctx
        .sql(
            r#"SELECT CAST("USERID" AS BIGINT) AS user_id, CAST(score AS DOUBLE) AS score,
                      CAST(city AS VARCHAR) AS city, CAST(gender AS VARCHAR) AS gender,
                      CAST(age AS SMALLINT) AS age, CAST(equity AS SMALLINT) AS equity,
                      CAST(balance AS DOUBLE) AS balance, CAST(products AS SMALLINT) AS products,
                      credit_card = 1 AS credit_card, last_activity = 1 AS last_activity,
                      CAST("EST_SALARY" AS DOUBLE) AS est_salary, churn = 1 AS churn,
                      balance IS NULL AS balance_missing,
                      count(*) OVER (PARTITION BY "USERID") > 1 AS duplicate_user_id
               FROM raw"#,
        )
        .await?;
    ctx.register_table("customers", df.into_view())?;
    Ok(ctx)
}

fn segment<'a>(r: &'a AnalysisResult, id: &str) -> &'a bankseg_proto::analysis::v1::Segment {
    r.segments
        .iter()
        .find(|s| s.summary.as_ref().is_some_and(|x| x.segment_id == id))
        .unwrap_or_else(|| panic!("segment {id} missing"))
}

fn size_churned(r: &AnalysisResult, id: &str) -> (u64, u64) {
    let p = segment(r, id).summary.clone().unwrap().churn.unwrap();
    (p.total, p.successes)
}

fn rel_close(a: f64, b: f64, tol: f64) -> bool {
    ((a - b) / b).abs() <= tol
}

#[tokio::test]
async fn default_study_on_real_data() -> anyhow::Result<()> {
    let Ok(path) = std::env::var("BANKSEG_REAL_DATA") else {
        println!("skipped: BANKSEG_REAL_DATA not set");
        return Ok(());
    };
    let ctx = real_context(&path).await?;
    let config = AnalysisConfig::study_default();
    let out = analyze(&ctx, "customers", QualityReport::default(), &config).await?;
    let r = &out.result;

    let ov = r.overview.clone().unwrap();
    assert_eq!(ov.rows, 10_000);
    assert_eq!(ov.churned, 1_820);
    assert!((ov.churn.unwrap().rate - 0.182).abs() < 1e-12);
    assert_eq!(ov.exclusions.len(), 1);
    assert_eq!(ov.exclusions[0].what, "products = 0");
    assert_eq!(ov.exclusions[0].rows, 1);

    let who = &r.notes[0].en;
    assert!(
        who.starts_with("Who leaves: 1,820 of the bank's customers (18.2%)"),
        "{who}"
    );
    let who_ru = &r.notes[0].ru;
    assert!(
        who_ru.starts_with("Портрет ушедших: 1\u{a0}820 клиентов банка (18,2\u{a0}%)"),
        "{who_ru}"
    );
    assert!(who.contains("age lower (median 39 vs 40)"), "{who}");

    // the study's segments: sizes and churned customers (7.0%, 19.1%, 28.6%, 62.5%)
    assert_eq!(size_churned(r, "products_1"), (3341, 235));
    assert_eq!(size_churned(r, "products_2"), (5126, 979));
    assert_eq!(size_churned(r, "products_3"), (1039, 297));
    assert_eq!(size_churned(r, "products_4plus"), (493, 308));
    let rate = |id: &str| segment(r, id).summary.clone().unwrap().churn.unwrap().rate;
    assert_eq!(format!("{:.3}", rate("products_1")), "0.070");
    assert_eq!(format!("{:.3}", rate("products_2")), "0.191");
    assert_eq!(format!("{:.3}", rate("products_3")), "0.286");
    assert_eq!(format!("{:.3}", rate("products_4plus")), "0.625");

    // age sub-segments of the largest segment (2 products); 7 of its rows have no age
    assert_eq!(size_churned(r, "products_2/age_18_25"), (215, 43));
    assert_eq!(size_churned(r, "products_2/age_26_35"), (1489, 363));
    assert_eq!(size_churned(r, "products_2/age_36_45"), (1558, 230));
    assert_eq!(size_churned(r, "products_2/age_46_55"), (893, 193));
    assert_eq!(size_churned(r, "products_2/age_56plus"), (964, 149));
    assert_eq!(segment(r, "products_2").children.len(), 5);
    assert_eq!(r.segments.len(), 9);
    let membership_rows: usize = out
        .membership
        .clone()
        .collect()
        .await?
        .iter()
        .map(|b| b.num_rows())
        .sum();
    assert_eq!(membership_rows, 9_999);
    let cells: u64 = r
        .city_cells
        .iter()
        .filter(|c| c.segment_id == "products_2")
        .map(|c| c.size)
        .sum();
    assert_eq!(cells, 5126);
    assert_eq!(r.cities, vec!["Ростов", "Рыбинск", "Ярославль"]);

    // the study's hypotheses
    let h = |id: &str| {
        r.hypotheses
            .iter()
            .find(|h| h.id == id)
            .unwrap_or_else(|| panic!("hypothesis {id} missing"))
    };
    let age = h("age_products_1_vs_2");
    let p = age.primary.clone().unwrap();
    assert_eq!(p.test, "mann_whitney_u");
    assert!(
        rel_close(p.p_value, 0.057138410813417605, 1e-9),
        "{}",
        p.p_value
    );
    assert!(!age.reject_h0);
    let welch = age.companions.iter().find(|c| c.test == "welch_t").unwrap();
    assert!(
        rel_close(welch.p_value, 0.03299080704232691, 1e-7),
        "{}",
        welch.p_value
    );
    let agreement = age.agreement.clone().unwrap().en;
    assert!(
        agreement.contains("disagree") && agreement.contains("relies on the Mann–Whitney"),
        "{agreement}"
    );
    let salary = h("est_salary_products_1_vs_4plus");
    let p = salary.primary.clone().unwrap();
    assert_eq!(p.test, "mann_whitney_u");
    assert!(
        rel_close(p.p_value, 6.291570875485614e-07, 1e-9),
        "{}",
        p.p_value
    );
    assert!(salary.reject_h0);
    // churned vs retained for every configured feature, plus the study's two
    assert_eq!(r.hypotheses.len(), 2 + 11);

    // recommendations of the study's kinds
    let has = |rule: &str, seg: &str| {
        r.recommendations
            .iter()
            .any(|x| x.rule_id == rule && x.segment_id == seg)
    };
    assert!(has("mortgage", "products_1"));
    assert!(has("insurance", "products_2"));
    assert!(has("credit_card", "products_3"));
    assert!(has("savings_investment", "products_2"));
    assert!(has("credit_products", "products_2"));
    assert!(!has("mortgage", "products_2"));
    assert!(!has("credit_products", "products_1"));

    // profile, correlations, slices
    let age_profile = r.profiles.iter().find(|p| p.column == "age").unwrap();
    assert_eq!(age_profile.missing, 26);
    assert_eq!(age_profile.p25, Some(33.0));
    assert_eq!(age_profile.p50, Some(40.0));
    assert_eq!(age_profile.p75, Some(51.0));
    // exact quantiles and moments as pandas: Series.median(), .quantile(q), .skew(), .std()
    let balance = r.profiles.iter().find(|p| p.column == "balance").unwrap();
    assert_eq!(balance.p50, Some(524272.2));
    assert!(rel_close(
        balance.skewness.unwrap(),
        35.17715870495627,
        1e-9
    ));
    assert!(rel_close(balance.std.unwrap(), 1980614.1468575671, 1e-9));
    let salary = r
        .profiles
        .iter()
        .find(|p| p.column == "est_salary")
        .unwrap();
    assert!(rel_close(salary.p05.unwrap(), 32163.971500000003, 1e-12));
    // percentile_cont interpolates with a 1e-6 fraction step
    assert!(rel_close(salary.p95.unwrap(), 316885.3445, 1e-9));
    assert_eq!(salary.median_churned, Some(125390.62));
    let methods: Vec<&str> = r.correlations.iter().map(|m| m.method.as_str()).collect();
    assert_eq!(methods, vec!["pearson", "spearman", "phik"]);
    assert!(!r.slices.is_empty());
    assert!(out.portraits.num_rows() > 0);
    assert_eq!(out.hypotheses.num_rows(), r.hypotheses.len());
    Ok(())
}
