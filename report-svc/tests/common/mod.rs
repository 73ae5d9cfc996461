//! Helpers shared by the browser tests: finding and running headless Chromium, and reading the
//! DOM it dumps.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Runs Chromium headless on `url` with `extra` flags; returns (stdout, stderr).
pub fn run_chromium(binary: &Path, url: &str, extra: &[String]) -> (String, String) {
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
pub fn console_problems(stderr: &str) -> Vec<String> {
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

pub fn attr<'a>(dom: &'a str, name: &str) -> Option<&'a str> {
    let body = &dom[dom.find("<body")?..];
    let tag = &body[..body.find('>')?];
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let rest = &tag[start..];
    Some(&rest[..rest.find('"')?])
}

/// The dashboard table's body rows as (data-city, data-segment, cells).
pub fn dashboard_rows(dom: &str) -> Vec<(String, String, Vec<String>)> {
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
pub fn unescape(html: &str) -> String {
    html.replace("&nbsp;", "\u{a0}")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

pub fn total_row(dom: &str) -> Vec<String> {
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

pub fn screenshot_path() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    std::fs::create_dir_all(&target).unwrap();
    target.join("report-screenshot.png")
}

pub fn percent_encode(text: &str) -> String {
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

/// Chromium, or `None` after printing `skipped: chromium not installed`; under CI (`CI` set) a
/// missing Chromium is a failure.
pub fn chromium_or_skip() -> Option<PathBuf> {
    match chromium() {
        Some(binary) => Some(binary),
        None if std::env::var_os("CI").is_some() => {
            panic!("chromium is not installed, and CI is set: the browser tests must run in CI")
        }
        None => {
            println!("skipped: chromium not installed");
            None
        }
    }
}

/// The `data-chart` names of charts in a dumped DOM with fewer than three drawn marks.
pub fn undrawn_charts(dom: &str) -> Vec<String> {
    dom.split("<figure class=\"chart")
        .skip(1)
        .filter_map(|figure| {
            let figure = &figure[..figure.find("</figure>")?];
            let marks = figure.matches("<rect").count()
                + figure.matches("<polyline").count()
                + figure.matches("<line").count();
            (marks < 3).then(|| {
                let name = figure.split("data-chart=\"").nth(1).unwrap_or("");
                name[..name.find('"').unwrap_or(0)].to_string()
            })
        })
        .collect()
}
