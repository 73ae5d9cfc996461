//! Each service binary started alone: health, reflection, graceful shutdown.

use bankseg_tests::{Process, binaries_available, health, reflected_services};
use tonic_health::pb::health_check_response::ServingStatus;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_binary_serves_health_and_reflection() {
    if !binaries_available() {
        return;
    }
    let store = tempfile::tempdir().unwrap();
    let store_env = ("BANKSEG_STORE", store.path().display().to_string());
    let cases = [
        ("ingest-svc", "bankseg.ingest.v1.IngestService", vec![]),
        (
            "analysis-svc",
            "bankseg.analysis.v1.AnalysisService",
            vec![("BANKSEG_INGEST_URL", "http://127.0.0.1:9".to_string())],
        ),
        (
            "report-svc",
            "bankseg.report.v1.ReportService",
            vec![
                ("BANKSEG_ANALYSIS_URL", "http://127.0.0.1:9".to_string()),
                (
                    "BANKSEG_HTTP_LISTEN",
                    format!("127.0.0.1:{}", bankseg_tests::free_port()),
                ),
            ],
        ),
    ];
    for (binary, service, extra) in cases {
        let mut env = vec![store_env.clone()];
        env.extend(extra);
        let process = Process::start(binary, &env).await.unwrap();
        assert_eq!(
            health(&process.url, "").await.unwrap(),
            ServingStatus::Serving,
            "{binary}"
        );
        assert_eq!(
            health(&process.url, service).await.unwrap(),
            ServingStatus::Serving,
            "{binary}"
        );
        let unknown = health(&process.url, "no.such.Service").await;
        assert!(
            unknown.is_err(),
            "{binary}: unknown service must be NOT_FOUND"
        );

        let listed = reflected_services(&process.url).await.unwrap();
        assert!(
            listed.contains(&service.to_string()),
            "{binary} lists {listed:?}"
        );
        assert!(
            listed.contains(&"grpc.health.v1.Health".to_string()),
            "{binary} lists {listed:?}"
        );
        assert_eq!(
            process.terminate().unwrap(),
            Some(0),
            "{binary} exits cleanly on SIGTERM"
        );
    }
}
