//! Bad inputs: each gets a clear status and message, and the server keeps serving.

use std::sync::Arc;

use arrow::array::AsArray;
use arrow::array::{Int64Array, RecordBatch, StringArray};
use arrow::datatypes::Int64Type;
use arrow::datatypes::{DataType, Field, Schema};
use tonic::Code;

use crate::support::{HEADER, Harness, csv, path_request, rows};

async fn assert_refused(h: &Harness, name: &str, bytes: &[u8], code: Code, message: &str) {
    let path = h.write(name, bytes);
    let status = h.ingest_path(&path).await.unwrap_err();
    assert_eq!(status.code(), code, "{}", status.message());
    assert_eq!(status.message(), message);
    h.assert_still_serves().await;
}

#[tokio::test]
async fn empty_file() {
    let h = Harness::start().await;
    assert_refused(
        &h,
        "empty.csv",
        b"",
        Code::InvalidArgument,
        "empty input: expected a header line followed by data rows",
    )
    .await;
}

#[tokio::test]
async fn header_only() {
    let h = Harness::start().await;
    assert_refused(
        &h,
        "header.csv",
        format!("{HEADER}\n").as_bytes(),
        Code::InvalidArgument,
        "no data rows: the input has a header (line 1) and nothing after it",
    )
    .await;
}

#[tokio::test]
async fn missing_required_column() {
    let h = Harness::start().await;
    let text = csv(&rows())
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n")
        .collect::<String>();
    assert_refused(
        &h,
        "no-churn.csv",
        text.as_bytes(),
        Code::InvalidArgument,
        "missing required column \"churn\" (canonical churn); header line 1 split by ',' has 11 column(s): \
         \"USERID\", \"score\", \"city\", \"gender\", \"age\", \"equity\", \"balance\", \"products\", \
         \"credit_card\", \"last_activity\", \"EST_SALARY\"",
    )
    .await;
}

#[tokio::test]
async fn wrong_delimiter() {
    let h = Harness::start().await;
    let path = h.write("bank.csv", csv(&rows()));
    let mut request = path_request(&path);
    request.delimiter = ";".into();
    let status = h.ingest(request).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(
        status.message(),
        format!(
            "missing required column \"USERID\" (canonical user_id); header line 1 split by ';' has 1 column(s): \"{HEADER}\"; it contains ',', try that delimiter"
        )
    );
    h.assert_still_serves().await;

    let mut request = path_request(&path);
    request.delimiter = ";;".into();
    let status = h.ingest(request).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(
        status.message(),
        "invalid delimiter: \";;\": expected one ASCII character other than a quote or line break"
    );
}

#[tokio::test]
async fn not_utf8() {
    let h = Harness::start().await;
    let text = csv(&rows());
    let mut bytes = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if i == 2 {
            // "Рыбинск" in Windows-1251.
            bytes.extend_from_slice(
                &line
                    .replace("Рыбинск", "\u{0}")
                    .into_bytes()
                    .iter()
                    .flat_map(|&b| {
                        if b == 0 {
                            b"\xd0\xfb\xe1\xe8\xed\xf1\xea".to_vec()
                        } else {
                            vec![b]
                        }
                    })
                    .collect::<Vec<u8>>(),
            );
        } else {
            bytes.extend_from_slice(line.as_bytes());
        }
        bytes.push(b'\n');
    }
    assert_refused(
        &h,
        "cp1251.csv",
        &bytes,
        Code::InvalidArgument,
        "line 3, column 3 (city): invalid UTF-8 (byte 0xd0 at byte 1 of the field); expected UTF-8 text, re-save the file as UTF-8",
    )
    .await;
}

#[tokio::test]
async fn merge_conflict_markers() {
    let h = Harness::start().await;
    let text = csv(&rows());
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(5, "<<<<<<< HEAD");
    lines.insert(7, "=======");
    lines.insert(9, ">>>>>>> feature/new-export");
    let bytes = lines.join("\n") + "\n";
    assert_refused(
        &h,
        "conflict.csv",
        bytes.as_bytes(),
        Code::InvalidArgument,
        "line 6: git merge-conflict marker \"<<<<<<<\"; resolve the conflict in the file first",
    )
    .await;
    let only_middle = text.replacen('\n', "\n=======\n", 3);
    assert_refused(
        &h,
        "conflict2.csv",
        only_middle.as_bytes(),
        Code::InvalidArgument,
        "line 2: git merge-conflict marker \"=======\"; resolve the conflict in the file first",
    )
    .await;
}

#[tokio::test]
async fn truncated_last_line_is_quarantined() {
    let h = Harness::start().await;
    let mut text = csv(&rows());
    text.push_str("700001,850.0,Рыб");
    let path = h.write("truncated.csv", &text);
    let response = h.ingest_path(&path).await.unwrap();
    let q = response.quality.unwrap();
    assert_eq!(q.rows_read, 34);
    assert_eq!(q.rows_quarantined, 2);
    assert_eq!(q.rows_clean, 31);
    assert!(q.counts_add_up);
    let reasons: Vec<(&str, u64)> = q
        .quarantine_reasons
        .iter()
        .map(|r| (r.reason.as_str(), r.rows))
        .collect();
    assert_eq!(
        reasons,
        [("products_out_of_range", 1), ("wrong_field_count", 1)]
    );
    let quarantine = h.fetch("quarantine", &response.dataset_id).await;
    let b = &quarantine[0];
    let lines = b
        .column_by_name("source_line")
        .unwrap()
        .as_primitive::<Int64Type>();
    assert_eq!(lines.values().to_vec(), vec![32, 35]);
    let detail =
        arrow::compute::cast(b.column_by_name("detail").unwrap(), &DataType::Utf8).unwrap();
    assert_eq!(
        detail.as_string::<i32>().value(1),
        "expected 12 fields, found 3"
    );
    let raw = arrow::compute::cast(b.column_by_name("raw").unwrap(), &DataType::Utf8).unwrap();
    assert_eq!(raw.as_string::<i32>().value(1), "700001,850.0,Рыб");
    h.assert_still_serves().await;
}

#[tokio::test]
async fn ten_megabyte_field() {
    let h = Harness::start().await;
    let text = csv(&rows());
    let big = "x".repeat(10 << 20);
    let text = text.replacen("Ярославль", &big, 1);
    assert_refused(
        &h,
        "big.csv",
        text.as_bytes(),
        Code::InvalidArgument,
        "line 2, column 3 (city): field is 10485760 bytes, longer than the 1048576-byte limit",
    )
    .await;
}

#[tokio::test]
async fn random_binary_bytes() {
    let h = Harness::start().await;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let bytes: Vec<u8> = (0..65_536)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 56) as u8
        })
        .collect();
    let first_zero = bytes.iter().position(|b| *b == 0).unwrap();
    assert!(first_zero < 8192);
    assert_refused(
        &h,
        "random.bin",
        &bytes,
        Code::InvalidArgument,
        &format!(
            "input is binary, not CSV text (byte 0x00 at offset {first_zero}); expected CSV or Parquet"
        ),
    )
    .await;
}

#[tokio::test]
async fn parquet_with_the_wrong_schema() {
    let h = Harness::start().await;
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("name", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Int64Array::from(vec![1, 2])),
            Arc::new(StringArray::from(vec!["a", "b"])),
        ],
    )
    .unwrap();
    let mut bytes = Vec::new();
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(&mut bytes, batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    assert_refused(
        &h,
        "wrong.parquet",
        &bytes,
        Code::InvalidArgument,
        "missing required column \"USERID\" (canonical user_id); parquet schema has 2 column(s): \"id\", \"name\"",
    )
    .await;
    assert_refused(
        &h,
        "fake.parquet",
        b"USERID,score\n1,2\n",
        Code::InvalidArgument,
        "not a Parquet file: it does not start with the PAR1 magic bytes",
    )
    .await;
}

#[tokio::test]
async fn paths_outside_the_allowed_roots() {
    let h = Harness::start().await;
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.csv");
    std::fs::write(&secret, csv(&rows())).unwrap();

    let status = h.ingest_path(&secret).await.unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    assert_eq!(
        status.message(),
        format!(
            "path {:?} refused: it is outside the allowed root directories",
            secret.display().to_string()
        )
    );
    h.assert_still_serves().await;

    let dotdot = format!("{}/../{}", h.data.path().display(), secret.display());
    let status = h
        .ingest(crate::support::path_request(std::path::Path::new(&dotdot)))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    assert_eq!(
        status.message(),
        format!("path {dotdot:?} refused: '..' components are not allowed")
    );

    let link = h.data.path().join("link.csv");
    std::os::unix::fs::symlink(&secret, &link).unwrap();
    let status = h.ingest_path(&link).await.unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    assert_eq!(
        status.message(),
        format!(
            "path {:?} refused: it resolves (through a symbolic link) outside the allowed root directories",
            link.display().to_string()
        )
    );

    let missing = h.data.path().join("missing.csv");
    let status = h.ingest_path(&missing).await.unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    assert_eq!(
        status.message(),
        format!("path {:?} does not exist", missing.display().to_string())
    );

    let status = h
        .ingest(bankseg_proto::ingest::v1::IngestRequest {
            source: Some(bankseg_proto::ingest::v1::ingest_request::Source::Uri(
                "ftp://example.invalid/x.csv".into(),
            )),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(
        status.message(),
        "invalid uri: \"ftp://example.invalid/x.csv\": expected s3://bucket/key or file:///path"
    );
    h.assert_still_serves().await;
}

#[tokio::test]
async fn unknown_upload_and_bad_tickets() {
    let h = Harness::start().await;
    let status = h
        .ingest(bankseg_proto::ingest::v1::IngestRequest {
            source: Some(bankseg_proto::ingest::v1::ingest_request::Source::UploadId(
                "doesnotexist".into(),
            )),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    assert_eq!(status.message(), "upload doesnotexist not found");

    let mut flight = h.flight().await;
    let err = flight
        .do_get(arrow_flight::Ticket::new("membership/abc"))
        .await
        .err()
        .unwrap();
    let arrow_flight::error::FlightError::Tonic(status) = err else {
        panic!("expected a status, got {err:?}");
    };
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(
        status.message(),
        "invalid ticket: unknown table \"membership\"; expected clean/<dataset_id> or quarantine/<dataset_id>"
    );
    h.assert_still_serves().await;
}

#[tokio::test]
async fn bad_mapping_and_unknown_value() {
    let h = Harness::start().await;
    let path = h.write("bank.csv", csv(&rows()));
    let mut request = path_request(&path);
    request.mapping_toml = "[columns.user_id]\nsource = \"USERID\"\nextra = 1\n".into();
    let status = h.ingest(request).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(
        status.message(),
        "mapping: line 3, column 1: unknown field `extra`, expected one of `source`, `optional`, `values`, `strict`"
    );
    h.assert_still_serves().await;

    // A gender outside the mapping's values and a flag outside its map are quarantined, not NULL.
    let text = csv(&rows()).replacen(",М,", ",X,", 1).replacen(
        ",1,0,41234.50,0\n",
        ",1,maybe,41234.50,0\n",
        1,
    );
    let path = h.write("odd-values.csv", text);
    let response = h.ingest_path(&path).await.unwrap();
    let q = response.quality.unwrap();
    let reasons: Vec<(&str, u64)> = q
        .quarantine_reasons
        .iter()
        .map(|r| (r.reason.as_str(), r.rows))
        .collect();
    assert_eq!(
        reasons,
        [
            ("invalid_flag_last_activity", 1),
            ("invalid_gender", 1),
            ("products_out_of_range", 1)
        ],
        "{reasons:?}"
    );
    assert!(q.counts_add_up);
}
