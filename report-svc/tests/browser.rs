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
//! A screenshot is kept as `$CARGO_TARGET_DIR/report-screenshot.png` (or `target/`).
//! Without Chromium the test prints `skipped: chromium not installed`, except under CI (`CI` set),
//! where it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bankseg_common::store::ArtifactStore;
use bankseg_proto::common::v1::Language;
use bankseg_proto::report::v1::ReportFormat;
use report_svc::render::{self, Lang, format};
use report_svc::{service, testing};
use tokio_util::sync::CancellationToken;

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Runs Chromium headless on `url` with `extra` flags; returns (stdout, stderr).
fn run_chromium(binary: &Path, url: &str, extra: &[String]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2400",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || std::io::read_to_string(out).unwrap_or_default());
    let err = std::thread::spawn(move || std::io::read_to_string(err).unwrap_or_default());
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    (out.join().unwrap(), err.join().unwrap())
}

/// Console messages, uncaught errors and refused resources in Chromium's log.
fn console_problems(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| {
            l.contains(":CONSOLE")
                || l.contains("Uncaught")
                || l.contains("Refused to")
                || l.contains("net::ERR_")
        })
        .map(str::to_string)
        .collect()
}

fn attr<'a>(dom: &'a str, name: &str) -> Option<&'a str> {
    let body = &dom[dom.find("<body")?..];
    let tag = &body[..body.find('>')?];
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let rest = &tag[start..];
    Some(&rest[..rest.find('"')?])
}

/// The dashboard table's body rows as (data-city, data-segment, cells).
fn dashboard_rows(dom: &str) -> Vec<(String, String, Vec<String>)> {
    let table = &dom[dom.find("id=\"dashboard-table\"").unwrap()..];
    let tbody = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    tbody
        .split("<tr ")
        .skip(1)
        .map(|row| {
            let get = |name: &str| {
                let start = row.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                row[start..start + row[start..].find('"').unwrap()].to_string()
            };
            let cells = row
                .split("<td")
                .skip(1)
                .map(|c| {
                    let c = &c[c.find('>').unwrap() + 1..];
                    unescape(&c[..c.find("</td>").unwrap()])
                })
                .collect();
            (get("data-city"), get("data-segment"), cells)
        })
        .collect()
}

/// Text of serialised DOM cell content.
fn unescape(html: &str) -> String {
    html.replace("&nbsp;", "\u{a0}")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

fn total_row(dom: &str) -> Vec<String> {
    let table = &dom[dom.find("id=\"dashboard-table\"").unwrap()..];
    let tfoot = &table[table.find("<tfoot>").unwrap()..table.find("</tfoot>").unwrap()];
    tfoot
        .split("<td")
        .skip(1)
        .map(|c| {
            let c = &c[c.find('>').unwrap() + 1..];
            unescape(&c[..c.find("</td>").unwrap()])
        })
        .collect()
}

fn screenshot_path() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    std::fs::create_dir_all(&target).unwrap();
    target.join("report-screenshot.png")
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_report_works_in_headless_chromium() {
    let Some(binary) = chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("chromium is not installed, and CI is set: the browser test must run in CI");
        }
        println!("skipped: chromium not installed");
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

    shutdown.cancel();
    server.await.unwrap().unwrap();
}
