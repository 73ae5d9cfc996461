//! The HTML report in a real browser: headless Chromium loads the fixture report from report-svc's
//! HTTP dashboard and the test checks, from the DOM the page leaves behind, that
//!
//! - the page's own script ran to the end without an error (`data-selftest="ok"` on `<body>`) and
//!   the browser logged no console error or refused resource;
//! - every chart has drawn content (the page checks each chart's SVG for marks and a non-zero box;
//!   the test also counts marks in each chart of the dumped DOM);
//! - the city and segment filters change what the dashboard shows (a `#city=…` / `#segment=…`
//!   fragment preselects them).
//!
//! A screenshot and a printed PDF are kept as `$CARGO_TARGET_DIR/report-screenshot.png` and
//! `report.pdf` (or under `target/`).
//! Without Chromium the test prints `skipped: chromium not installed`, except under CI (`CI` set),
//! where it fails.

mod common;

use bankseg_common::store::ArtifactStore;
use bankseg_proto::common::v1::Language;
use bankseg_proto::report::v1::ReportFormat;
use report_svc::render::{self, Lang, format};
use report_svc::{service, testing};
use tokio_util::sync::CancellationToken;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_report_works_in_headless_chromium() {
    let Some(binary) = chromium_or_skip() else {
        return;
    };

    // Render the fixture, store it, and serve it from the dashboard on a free port.
    let analysis = testing::analysis();
    let dir = tempfile::tempdir().unwrap();
    let store = ArtifactStore::open(dir.path().to_str().unwrap()).unwrap();
    let rendered = render::render(&analysis, ReportFormat::Html, Language::Ru).unwrap();
    let html = String::from_utf8(rendered.content.clone()).unwrap();
    service::save(&store, "browser-test", ReportFormat::Html, rendered)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(report_svc::http::serve(listener, store, shutdown.clone()));
    let url = format!("http://{addr}/reports/browser-test");
    let charts_in_html = html.matches("<figure class=\"chart").count();
    assert!(charts_in_html >= 20);

    // 1. Unfiltered: the self-check passes, every chart has marks, no console output.
    let b = binary.clone();
    let u = url.clone();
    let (dom, log) =
        tokio::task::spawn_blocking(move || run_chromium(&b, &u, &["--dump-dom".into()]))
            .await
            .unwrap();
    assert_eq!(console_problems(&log), Vec::<String>::new());
    assert_eq!(
        attr(&dom, "data-selftest"),
        Some("ok"),
        "self-check: {:?}",
        attr(&dom, "data-selftest")
    );
    assert_eq!(
        attr(&dom, "data-charts"),
        Some(charts_in_html.to_string().as_str())
    );
    let figures: Vec<&str> = dom.split("<figure class=\"chart").skip(1).collect();
    assert_eq!(figures.len(), charts_in_html);
    for figure in &figures {
        let figure = &figure[..figure.find("</figure>").unwrap()];
        let marks = figure.matches("<rect").count()
            + figure.matches("<polyline").count()
            + figure.matches("<line").count();
        assert!(
            marks >= 3,
            "chart with {marks} marks: {}",
            &figure[..figure.len().min(120)]
        );
    }
    let rows = dashboard_rows(&dom);
    assert_eq!(attr(&dom, "data-dashboard-rows"), Some("4"));
    let segments: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(
        segments,
        ["products_1", "products_2", "products_3", "products_4"]
    );
    // Sub-segments overlap their parents: the unfiltered total adds up top-level segments only.
    let tops: Vec<&str> = analysis
        .segments
        .iter()
        .filter_map(|s| s.summary.as_ref())
        .filter(|s| s.parent_id.is_empty())
        .map(|s| s.segment_id.as_str())
        .collect();
    let top_cells: Vec<_> = analysis
        .city_cells
        .iter()
        .filter(|c| tops.contains(&c.segment_id.as_str()))
        .collect();
    assert!(top_cells.len() < analysis.city_cells.len());
    let all_size: u64 = top_cells.iter().map(|c| c.size).sum();
    assert_eq!(all_size, testing::ROWS);
    assert_eq!(total_row(&dom)[1], format::int(all_size, Lang::Ru));

    // 2. City filter from the fragment: only Rostov's numbers.
    let rostov = "Ростов";
    let b = binary.clone();
    let u = format!("{url}#city={}", percent_encode(rostov));
    let (dom, log) =
        tokio::task::spawn_blocking(move || run_chromium(&b, &u, &["--dump-dom".into()]))
            .await
            .unwrap();
    assert_eq!(console_problems(&log), Vec::<String>::new());
    assert_eq!(attr(&dom, "data-selftest"), Some("ok"));
    assert_eq!(attr(&dom, "data-dashboard-city"), Some(rostov));
    let rows = dashboard_rows(&dom);
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r.0 == rostov));
    // The dashboard chart is redrawn too: one bar per row.
    let chart = &dom[dom.find("id=\"chart-dashboard\"").unwrap()..];
    let chart = &chart[..chart.find("</figure>").unwrap()];
    assert_eq!(chart.matches(" data-key=\"").count(), rows.len());
    let cells: Vec<_> = top_cells.iter().filter(|c| c.city == rostov).collect();
    let size: u64 = cells.iter().map(|c| c.size).sum();
    let churned: u64 = cells.iter().map(|c| c.churned).sum();
    assert!(size < all_size);
    assert_eq!(
        total_row(&dom),
        [
            "Итого".to_string(),
            format::int(size, Lang::Ru),
            format::int(churned, Lang::Ru),
            format::pct(churned as f64 / size as f64, 1, Lang::Ru),
        ]
    );
    let two = cells.iter().find(|c| c.segment_id == "products_2").unwrap();
    assert_eq!(rows[1].2[1], format::int(two.size, Lang::Ru));

    // 3. Segment filter: that segment, city by city.
    let b = binary.clone();
    let u = format!("{url}#segment=products_2");
    let (dom, log) =
        tokio::task::spawn_blocking(move || run_chromium(&b, &u, &["--dump-dom".into()]))
            .await
            .unwrap();
    assert_eq!(console_problems(&log), Vec::<String>::new());
    assert_eq!(attr(&dom, "data-dashboard-segment"), Some("products_2"));
    let rows = dashboard_rows(&dom);
    let cities: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(cities, testing::CITIES);
    assert!(rows.iter().all(|r| r.1 == "products_2"));

    // A sub-segment, by its id (with a '/') in the fragment.
    let sub = "products_2/age_18_35";
    let b = binary.clone();
    let u = format!("{url}#segment={}", percent_encode(sub));
    let (dom, log) =
        tokio::task::spawn_blocking(move || run_chromium(&b, &u, &["--dump-dom".into()]))
            .await
            .unwrap();
    assert_eq!(console_problems(&log), Vec::<String>::new());
    assert_eq!(attr(&dom, "data-dashboard-segment"), Some(sub));
    let rows = dashboard_rows(&dom);
    assert_eq!(rows.len(), 3);
    let sub_size: u64 = analysis
        .city_cells
        .iter()
        .filter(|c| c.segment_id == sub)
        .map(|c| c.size)
        .sum();
    assert_eq!(sub_size, 1_500);
    assert_eq!(total_row(&dom)[1], format::int(sub_size, Lang::Ru));

    // 4. A screenshot for the CI artifacts.
    let shot = screenshot_path();
    let _ = std::fs::remove_file(&shot);
    let b = binary.clone();
    let u = url.clone();
    let arg = format!("--screenshot={}", shot.display());
    let (_, log) = tokio::task::spawn_blocking(move || run_chromium(&b, &u, &[arg]))
        .await
        .unwrap();
    assert_eq!(console_problems(&log), Vec::<String>::new());
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(png.len() > 20_000, "screenshot of {} bytes", png.len());

    // 5. Printing: the print stylesheet yields a multi-page PDF (kept beside the screenshot).
    let pdf_path = shot.with_file_name("report.pdf");
    let _ = std::fs::remove_file(&pdf_path);
    let b = binary.clone();
    let u = url.clone();
    let arg = format!("--print-to-pdf={}", pdf_path.display());
    let (_, log) = tokio::task::spawn_blocking(move || {
        run_chromium(&b, &u, &[arg, "--no-pdf-header-footer".into()])
    })
    .await
    .unwrap();
    assert_eq!(console_problems(&log), Vec::<String>::new());
    let pdf = std::fs::read(&pdf_path).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let pages = pdf
        .windows(10)
        .filter(|w| w == b"/Type /Pag" || w == b"/Type/Page")
        .count();
    assert!(pages > 5, "{pages} pages printed");

    shutdown.cancel();
    server.await.unwrap().unwrap();
}
