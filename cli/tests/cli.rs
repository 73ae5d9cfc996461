//! The `bankseg` binary as users run it: generated files, exit statuses, messages.

use std::process::Command;

fn bankseg() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bankseg"))
}

#[test]
fn generate_writes_the_export_format_deterministically() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    for path in [&a, &b] {
        let status = bankseg()
            .args(["generate", "--rows", "500", "--seed", "7", "--out"])
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    }
    let text = std::fs::read_to_string(&a).unwrap();
    assert_eq!(
        text,
        std::fs::read_to_string(&b).unwrap(),
        "same seed, same bytes"
    );
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "USERID,score,city,gender,age,equity,balance,products,credit_card,last_activity,EST_SALARY,churn"
        )
    );
    assert_eq!(lines.clone().count(), 500);
    assert!(lines.all(|l| l.split(',').count() == 12));

    let stdout = bankseg()
        .args(["generate", "--rows", "3", "--seed", "7", "--out", "-"])
        .output()
        .unwrap();
    assert!(stdout.status.success());
    assert_eq!(String::from_utf8(stdout.stdout).unwrap().lines().count(), 4);
}

#[test]
fn usage_errors_exit_with_status_2() {
    let out = bankseg().args(["run", "--lang", "de"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'de'"));

    // Endpoints come as a set of three.
    let out = bankseg()
        .args(["run", "--ingest", "http://127.0.0.1:1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_missing_input_file_is_bad_input_with_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = bankseg()
        .args(["run", "--quiet", "--input"])
        .arg(dir.path().join("missing.csv"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("missing.csv"), "{stderr}");
}

#[test]
fn unreachable_services_are_an_internal_failure_with_status_1() {
    let dir = tempfile::tempdir().unwrap();
    let out = bankseg()
        .args([
            "run",
            "--quiet",
            "--ingest",
            "http://127.0.0.1:9",
            "--analysis",
            "http://127.0.0.1:9",
        ])
        .args(["--report", "http://127.0.0.1:9", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("cannot reach ingest-svc at http://127.0.0.1:9")
    );
}
