//! `bankseg run` end to end: the demo bank, the real export, and separately started services.

use std::path::Path;

use bankseg_tests::{Process, binaries_available, comparable_analysis, real_data, run_args};
use serde_json::Value;

const OUTPUTS: [&str; 5] = [
    "report.html",
    "report.md",
    "analysis.json",
    "quality.json",
    "clean.parquet",
];

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("read json")).expect("parse json")
}

fn assert_outputs(dir: &Path) {
    for name in OUTPUTS {
        let meta = std::fs::metadata(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(meta.len() > 100, "{name} is only {} bytes", meta.len());
    }
}

fn assert_counts_add_up(quality: &Value) {
    let n = |k: &str| {
        quality[k]
            .as_u64()
            .unwrap_or_else(|| panic!("quality.{k} missing"))
    };
    assert_eq!(
        n("rows_read"),
        n("rows_clean") + n("rows_quarantined") + n("exact_duplicates_removed")
    );
    assert_eq!(quality["counts_add_up"], Value::Bool(true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_bank_runs_end_to_end() {
    let out = tempfile::tempdir().unwrap();
    let args = run_args(&["--out", out.path().to_str().unwrap(), "--lang", "en"]);
    let outputs = bankseg::run(&args).await.expect("bankseg run");
    assert_outputs(out.path());

    // What the demo bank contains, counted independently of the pipeline.
    let expected = bankseg_synth::write_csv(&bankseg_synth::demo_bank(), std::io::sink()).unwrap();
    let quality = json(&out.path().join("quality.json"));
    assert_eq!(quality["rows_read"].as_u64(), Some(expected.rows));
    assert_counts_add_up(&quality);
    assert_eq!(outputs.quality.rows_read, 10_000);

    let analysis = json(&out.path().join("analysis.json"));
    assert_eq!(analysis["quality"]["rows_read"].as_u64(), Some(10_000));
    let churned = analysis["overview"]["churned"].as_u64().unwrap();
    let rows = analysis["overview"]["rows"].as_u64().unwrap();
    assert_eq!(rows, quality["rows_clean"].as_u64().unwrap());
    let rate = analysis["overview"]["churn"]["rate"].as_f64().unwrap();
    assert!((rate - churned as f64 / rows as f64).abs() < 1e-12);
    // The generator keeps churn near the real 18.2%; the pipeline must see what it wrote.
    let written = expected.churned as f64 / expected.rows as f64;
    assert!(
        (rate - written).abs() < 0.002,
        "pipeline churn {rate} vs generated {written}"
    );

    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(html.contains("<svg"), "the HTML report has no chart");
    let md = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    assert!(md.starts_with('#'), "the Markdown report has no title");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_export_runs_end_to_end() {
    let Some(input) = real_data() else { return };
    let out = tempfile::tempdir().unwrap();
    let args = run_args(&[
        "--input",
        input.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    bankseg::run(&args).await.expect("bankseg run");
    assert_outputs(out.path());

    let analysis = json(&out.path().join("analysis.json"));
    assert_eq!(analysis["quality"]["rows_read"].as_u64(), Some(10_000));
    assert_counts_add_up(&analysis["quality"]);
    let rate = analysis["overview"]["churn"]["rate"].as_f64().unwrap();
    assert_eq!((rate * 1000.0).round() as i64, 182, "overall churn {rate}");
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(
        html.contains("lang=\"ru\""),
        "Russian is the default language"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn separately_started_services_give_the_embedded_analysis() {
    if !binaries_available() {
        return;
    }
    let store = tempfile::tempdir().unwrap();
    let store_env = ("BANKSEG_STORE", store.path().display().to_string());
    let ingest = Process::start("ingest-svc", std::slice::from_ref(&store_env))
        .await
        .unwrap();
    let analysis = Process::start(
        "analysis-svc",
        &[
            store_env.clone(),
            ("BANKSEG_INGEST_URL", ingest.url.clone()),
        ],
    )
    .await
    .unwrap();
    let report = Process::start(
        "report-svc",
        &[
            store_env,
            ("BANKSEG_ANALYSIS_URL", analysis.url.clone()),
            (
                "BANKSEG_HTTP_LISTEN",
                format!("127.0.0.1:{}", bankseg_tests::free_port()),
            ),
        ],
    )
    .await
    .unwrap();

    let remote_out = tempfile::tempdir().unwrap();
    let args = run_args(&[
        "--out",
        remote_out.path().to_str().unwrap(),
        "--ingest",
        &ingest.url,
        "--analysis",
        &analysis.url,
        "--report",
        &report.url,
    ]);
    bankseg::run(&args)
        .await
        .expect("bankseg run against processes");

    let embedded_out = tempfile::tempdir().unwrap();
    let args = run_args(&["--out", embedded_out.path().to_str().unwrap()]);
    bankseg::run(&args).await.expect("embedded bankseg run");

    let remote = comparable_analysis(&remote_out.path().join("analysis.json")).unwrap();
    let embedded = comparable_analysis(&embedded_out.path().join("analysis.json")).unwrap();
    if let Some(difference) = bankseg_tests::first_difference(&remote, &embedded) {
        panic!("the analysis differs between separate and embedded services at {difference}");
    }

    // SIGTERM drains and exits cleanly.
    assert_eq!(report.terminate().unwrap(), Some(0));
    assert_eq!(analysis.terminate().unwrap(), Some(0));
    assert_eq!(ingest.terminate().unwrap(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let out = dir.path().join("out");
    let args = run_args(&[
        "--input",
        empty.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = bankseg::run(&args)
        .await
        .expect_err("an empty export must be refused");
    assert_eq!(err.exit_code(), 2, "{err}");
    assert!(err.to_string().contains("ingest: "), "{err}");
    assert!(err.to_string().contains("empty"), "{err}");

    let missing = dir.path().join("nope.csv");
    let args = run_args(&[
        "--input",
        missing.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = bankseg::run(&args)
        .await
        .expect_err("a missing file must be refused");
    assert_eq!(err.exit_code(), 2, "{err}");
    assert!(err.to_string().contains("nope.csv"), "{err}");
}
