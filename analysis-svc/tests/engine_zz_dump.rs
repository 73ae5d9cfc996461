use analysis_svc::engine::{AnalysisConfig, analyze};
use bankseg_proto::ingest::v1::QualityReport;
use datafusion::prelude::{CsvReadOptions, SessionContext};
#[tokio::test]
async fn dump() -> anyhow::Result<()> {
    let path = std::env::var("BANKSEG_REAL_DATA")?;
    let ctx = SessionContext::new();
    ctx.register_csv("raw", &path, CsvReadOptions::new().has_header(true)).await?;
    let df = ctx.sql(r#"SELECT CAST("USERID" AS BIGINT) AS user_id, CAST(score AS DOUBLE) AS score, CAST(city AS VARCHAR) AS city, CAST(gender AS VARCHAR) AS gender, CAST(age AS SMALLINT) AS age, CAST(equity AS SMALLINT) AS equity, CAST(balance AS DOUBLE) AS balance, CAST(products AS SMALLINT) AS products, credit_card = 1 AS credit_card, last_activity = 1 AS last_activity, CAST("EST_SALARY" AS DOUBLE) AS est_salary, churn = 1 AS churn, balance IS NULL AS balance_missing FROM raw"#).await?;
    ctx.register_table("customers", df.into_view())?;
    let t = std::time::Instant::now();
    let out = analyze(&ctx, "customers", QualityReport::default(), &AnalysisConfig::study_default()).await?;
    eprintln!("elapsed {:?}", t.elapsed());
    std::fs::write("/tmp/bankseg_result.json", serde_json::to_string_pretty(&out.result)?)?;
    Ok(())
}
