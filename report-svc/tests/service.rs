//! report-svc end to end in-process: a stand-in analysis-svc serves the fixture analysis over gRPC,
//! report-svc renders it in every format and language, stores it, reads it back, and serves it on
//! its HTTP dashboard port.

use std::net::SocketAddr;

use bankseg_proto::analysis::v1::analysis_service_server::{
    AnalysisService, AnalysisServiceServer,
};
use bankseg_proto::analysis::v1::{
    AnalysisResult, AnalyzeRequest, AnalyzeResponse, GetAnalysisRequest, GetSegmentRequest,
    ListSegmentsRequest, ListSegmentsResponse, Segment,
};
use bankseg_proto::common::v1::Language;
use bankseg_proto::report::v1::report_service_client::ReportServiceClient;
use bankseg_proto::report::v1::{GetReportRequest, RenderRequest, ReportFormat};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{Code, Request, Response, Status};

struct StandIn;

#[tonic::async_trait]
impl AnalysisService for StandIn {
    async fn analyze(
        &self,
        _: Request<AnalyzeRequest>,
    ) -> Result<Response<AnalyzeResponse>, Status> {
        Err(Status::unimplemented("stand-in"))
    }

    async fn get_analysis(
        &self,
        request: Request<GetAnalysisRequest>,
    ) -> Result<Response<AnalysisResult>, Status> {
        let analysis = report_svc::testing::analysis();
        if request.get_ref().analysis_id == analysis.analysis_id {
            Ok(Response::new(analysis))
        } else {
            Err(Status::not_found(format!(
                "analysis {} not found",
                request.get_ref().analysis_id
            )))
        }
    }

    async fn list_segments(
        &self,
        _: Request<ListSegmentsRequest>,
    ) -> Result<Response<ListSegmentsResponse>, Status> {
        Err(Status::unimplemented("stand-in"))
    }

    async fn get_segment(
        &self,
        _: Request<GetSegmentRequest>,
    ) -> Result<Response<Segment>, Status> {
        Err(Status::unimplemented("stand-in"))
    }
}

async fn stand_in_analysis_service() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(AnalysisServiceServer::new(StandIn))
            .serve_with_incoming(TcpListenerStream::new(listener)),
    );
    format!("http://{addr}")
}

/// A plain HTTP/1.1 GET; returns (status, headers, body).
async fn http_get(addr: SocketAddr, path: &str) -> (u16, String, Vec<u8>) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    (status, head, body)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..line_end]).unwrap().trim(), 16)
                .unwrap();
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

#[tokio::test]
async fn renders_stores_and_serves_reports() {
    let analysis_url = stand_in_analysis_service().await;
    let dir = tempfile::tempdir().unwrap();
    let config = report_svc::Config::for_tests(dir.path().to_str().unwrap(), &analysis_url);
    let running = report_svc::spawn_with_dashboard(config).await.unwrap();
    let mut client = ReportServiceClient::connect(running.url()).await.unwrap();

    // An empty store lists no report.
    let (status, _, body) = http_get(running.http_addr, "/reports").await;
    assert_eq!(status, 200);
    assert!(!String::from_utf8(body).unwrap().contains("<li>"));

    // HTML in Russian (the defaults).
    let html = client
        .render(RenderRequest {
            analysis_id: "fixture-analysis".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(html.format, ReportFormat::Html as i32);
    assert_eq!(html.content_type, "text/html; charset=utf-8");
    let text = String::from_utf8(html.content.clone()).unwrap();
    assert!(text.contains("<html lang=\"ru\">"));
    assert!(text.contains("<div class=\"kpi-value\">18,0\u{a0}%</div>"));
    assert!(
        dir.path()
            .join(format!("reports/{}/report.html", html.report_id))
            .exists()
    );

    // Markdown in English, with its charts stored beside it.
    let md = client
        .render(RenderRequest {
            analysis_id: "fixture-analysis".into(),
            format: ReportFormat::Markdown as i32,
            language: Language::En as i32,
            analysis_endpoint: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(md.content_type, "text/markdown; charset=utf-8");
    let md_text = String::from_utf8(md.content.clone()).unwrap();
    assert!(md_text.starts_with("# Customer churn: segments and recommendations"));
    assert!(md.attachments.len() >= 20);
    for a in &md.attachments {
        assert!(a.name.starts_with("charts/") && a.name.ends_with(".svg"));
        assert_eq!(a.content_type, "image/svg+xml");
        assert!(md_text.contains(&format!("]({})", a.name)));
        assert!(
            dir.path()
                .join(format!("reports/{}/{}", md.report_id, a.name))
                .exists()
        );
    }

    // JSON, from an explicitly named analysis endpoint.
    let json = client
        .render(RenderRequest {
            analysis_id: "fixture-analysis".into(),
            format: ReportFormat::Json as i32,
            language: Language::En as i32,
            analysis_endpoint: analysis_url.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    let value: serde_json::Value = serde_json::from_slice(&json.content).unwrap();
    assert_eq!(value["analysis_id"], "fixture-analysis");
    assert_eq!(value["overview"]["churned"], 1620);

    // GetReport reads every report back as rendered.
    for rendered in [&html, &md, &json] {
        let back = client
            .get_report(GetReportRequest {
                report_id: rendered.report_id.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(&back, rendered);
    }

    // Errors keep their meaning.
    let missing = client
        .render(RenderRequest {
            analysis_id: "no-such-analysis".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);
    assert_eq!(
        missing.message(),
        "analysis service: analysis no-such-analysis not found"
    );
    let bad_id = client
        .render(RenderRequest {
            analysis_id: "../etc".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(bad_id.code(), Code::InvalidArgument);
    let bad_format = client
        .render(RenderRequest {
            analysis_id: "fixture-analysis".into(),
            format: 9,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(bad_format.code(), Code::InvalidArgument);
    assert_eq!(
        bad_format.message(),
        "invalid format: 9 is not a ReportFormat value (0 to 3)"
    );
    let unknown_report = client
        .get_report(GetReportRequest {
            report_id: "0123abcd".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(unknown_report.code(), Code::NotFound);
    assert_eq!(unknown_report.message(), "report 0123abcd not found");

    // The dashboard serves the stored HTML, and the Markdown report's charts.
    let http = running.http_addr;
    let (status, head, body) = http_get(http, &format!("/reports/{}", html.report_id)).await;
    assert_eq!(status, 200);
    let head = head.to_ascii_lowercase();
    assert!(head.contains("content-type: text/html; charset=utf-8"));
    assert!(head.contains("content-security-policy: default-src 'none'"));
    assert_eq!(body, html.content);
    let chart = &md.attachments[0];
    let (status, head, body) =
        http_get(http, &format!("/reports/{}/{}", md.report_id, chart.name)).await;
    assert_eq!(status, 200);
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: image/svg+xml")
    );
    assert_eq!(body, chart.content);
    let (status, _, body) = http_get(http, "/reports/0123abcd").await;
    assert_eq!(status, 404);
    assert_eq!(body, b"report 0123abcd not found\n");
    let (status, _, _) = http_get(http, "/reports/bad%20id!").await;
    assert_eq!(status, 400);
    let (status, _, _) =
        http_get(http, &format!("/reports/{}/charts/none.svg", md.report_id)).await;
    assert_eq!(status, 404);
    let (status, head, body) = http_get(http, "/reports").await;
    assert_eq!(status, 200);
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/html")
    );
    let index = String::from_utf8(body).unwrap();
    for (id, format) in [
        (&html.report_id, "html"),
        (&md.report_id, "markdown"),
        (&json.report_id, "json"),
    ] {
        assert!(
            index.contains(&format!(
                "<li><a href=\"/reports/{id}\">{id}</a> · {format}</li>"
            )),
            "{id} listed in {index}"
        );
    }
    let (status, _, body) = http_get(http, "/healthz").await;
    assert_eq!((status, body.as_slice()), (200, b"ok".as_slice()));

    running.stop().await.unwrap();
    assert!(
        tokio::net::TcpStream::connect(http).await.is_err(),
        "dashboard stopped too"
    );
}
