//! The real export through the real services: ingest-svc and analysis-svc in-process, report-svc
//! rendering every format in both languages. Checks the reports carry every section with the real
//! numbers, the JSON validates against the shipped schema, and the HTML works in headless Chromium.
//!
//! Reads the export from `BANKSEG_REAL_DATA`; without it prints `skipped: BANKSEG_REAL_DATA not set`.

mod common;

use std::path::PathBuf;

use bankseg_proto::analysis::v1::AnalyzeRequest;
use bankseg_proto::analysis::v1::analysis_service_client::AnalysisServiceClient;
use bankseg_proto::common::v1::Language;
use bankseg_proto::ingest::v1::IngestRequest;
use bankseg_proto::ingest::v1::ingest_request::Source;
use bankseg_proto::ingest::v1::ingest_service_client::IngestServiceClient;
use bankseg_proto::report::v1::report_service_client::ReportServiceClient;
use bankseg_proto::report::v1::{RenderRequest, ReportFormat};
use report_svc::render::{Lang, format};
use report_svc::testing::SECTIONS;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_export_yields_complete_reports() {
    let Some(path) = std::env::var_os("BANKSEG_REAL_DATA").map(PathBuf::from) else {
        println!("skipped: BANKSEG_REAL_DATA not set");
        return;
    };
    let path = std::fs::canonicalize(&path).unwrap();
    let store = tempfile::tempdir().unwrap();
    let store_dir = store.path().to_str().unwrap();

    let mut ingest_config = ingest_svc::Config::for_tests(store_dir);
    ingest_config.allowed_roots = vec![path.parent().unwrap().to_path_buf()];
    let ingest = ingest_svc::spawn(ingest_config).await.unwrap();
    let analysis = analysis_svc::spawn(analysis_svc::Config::for_tests(store_dir, &ingest.url()))
        .await
        .unwrap();
    let report =
        report_svc::spawn_with_dashboard(report_svc::Config::for_tests(store_dir, &analysis.url()))
            .await
            .unwrap();

    let dataset_id = IngestServiceClient::connect(ingest.url())
        .await
        .unwrap()
        .ingest(IngestRequest {
            source: Some(Source::Path(path.display().to_string())),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .dataset_id;
    let analysis_id = AnalysisServiceClient::connect(analysis.url())
        .await
        .unwrap()
        .analyze(AnalyzeRequest {
            dataset_id,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .analysis_id;

    let mut client = ReportServiceClient::connect(report.url()).await.unwrap();
    let render = |format: ReportFormat, language: Language| RenderRequest {
        analysis_id: analysis_id.clone(),
        format: format as i32,
        language: language as i32,
        analysis_endpoint: String::new(),
    };

    // JSON: the analysis in the shipped schema.
    let json = client
        .render(render(ReportFormat::Json, Language::En))
        .await
        .unwrap()
        .into_inner();
    let value: serde_json::Value = serde_json::from_slice(&json.content).unwrap();
    let schema: serde_json::Value = serde_json::from_str(report_svc::render::json::SCHEMA).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert_eq!(errors, Vec::<String>::new());
    let rows = value["overview"]["rows"].as_u64().unwrap();
    let rate = value["overview"]["churn"]["rate"].as_f64().unwrap();
    assert!(rows > 9_000, "{rows} rows analysed");

    let mut ru_report_id = String::new();
    for (language, lang) in [(Language::Ru, Lang::Ru), (Language::En, Lang::En)] {
        let html = client
            .render(render(ReportFormat::Html, language))
            .await
            .unwrap()
            .into_inner();
        let text = String::from_utf8(html.content).unwrap();
        // The real bank totals, written the language's way.
        assert!(text.contains(&format!(
            "<div class=\"kpi-value\">{}</div>",
            format::int(rows, lang)
        )));
        assert!(text.contains(&format!(
            "<div class=\"kpi-value\">{}</div>",
            format::pct(rate, 1, lang)
        )));
        for (i, id) in SECTIONS.iter().enumerate() {
            let start = text.find(&format!("<section id=\"{id}\"")).unwrap();
            let body = &text[start..start + text[start..].find("</section>").unwrap()];
            assert!(
                body.contains(&format!("<h2>{}. ", i + 1)),
                "section {id} numbered"
            );
            if *id != "method" {
                assert!(
                    body.contains("<figure class=\"chart"),
                    "section {id} has a chart"
                );
            }
        }
        let md = client
            .render(render(ReportFormat::Markdown, language))
            .await
            .unwrap()
            .into_inner();
        let md_text = String::from_utf8(md.content).unwrap();
        assert_eq!(
            md_text.matches("](charts/").count(),
            md.attachments.len(),
            "every chart of the markdown report is attached"
        );
        assert_eq!(
            md.attachments.len(),
            text.matches("<figure class=\"chart\" id=").count()
        );
        if lang == Lang::Ru {
            ru_report_id = html.report_id;
        }
    }

    // The Russian report in a browser, from the dashboard port.
    if let Some(binary) = chromium_or_skip() {
        let url = report.report_url(&ru_report_id);
        let (dom, log) = tokio::task::spawn_blocking(move || {
            run_chromium(&binary, &url, &["--dump-dom".into()])
        })
        .await
        .unwrap();
        assert_eq!(console_problems(&log), Vec::<String>::new());
        assert_eq!(attr(&dom, "data-selftest"), Some("ok"));
        assert_eq!(undrawn_charts(&dom), Vec::<String>::new());
        let total = total_row(&dom);
        assert_eq!(
            total[1],
            format::int(rows, Lang::Ru),
            "the dashboard adds up to the bank"
        );
    }

    report.stop().await.unwrap();
    analysis.stop().await.unwrap();
    ingest.stop().await.unwrap();
}
