//! Good inputs: path, upload, mapping, delimiter, Parquet, options, restart.

use std::sync::Arc;

use arrow::array::{
    Array, AsArray, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray,
};
use arrow::datatypes::{DataType, Field, Int16Type, Int64Type, Schema};
use bankseg_proto::ingest::v1::{
    CleaningOptions, GetQualityReportRequest, IngestRequest, MissingAgePolicy, OutlierRule,
    QualityReport, ingest_request,
};

use crate::support::{Harness, csv, english_csv, path_request, rows, total_rows};

/// The figures every variant of the generated export must produce.
fn assert_generated_figures(q: &QualityReport) {
    assert_eq!(q.rows_read, 33);
    assert_eq!(q.rows_clean, 31);
    assert_eq!(q.rows_quarantined, 1);
    assert_eq!(q.exact_duplicates_removed, 1);
    assert_eq!(q.duplicate_ids, 1);
    assert_eq!(q.duplicate_id_rows, 2);
    assert!(q.counts_add_up);
    assert_eq!(q.quarantine_reasons.len(), 1);
    assert_eq!(q.quarantine_reasons[0].reason, "products_out_of_range");
    assert_eq!(q.quarantine_reasons[0].rows, 1);
    let age = q.columns.iter().find(|c| c.column == "age").unwrap();
    assert_eq!(age.nulls, 1);
    let balance = q.columns.iter().find(|c| c.column == "balance").unwrap();
    assert_eq!(balance.nulls, 6);
    let mb = q.missing_balance.as_ref().unwrap();
    assert_eq!(mb.rows, 33);
    assert_eq!(mb.missing, 6);
    let notes: Vec<&str> = q.notes.iter().map(|n| n.en.as_str()).collect();
    assert!(notes.contains(
        &"1 row without an age: kept with an empty age; analyses that need age leave them out"
    ));
    assert!(notes.contains(&"1 row removed as exact duplicates (the first of each kept)"));
    assert!(notes.contains(
        &"1 user id with more than one row (2 rows): different customers, kept and flagged duplicate_user_id"
    ));
    assert!(notes.contains(&"1 row quarantined (products_out_of_range: 1)"));
    let churn_true = mb
        .groups
        .iter()
        .find(|g| g.column == "churn" && g.value == "true")
        .unwrap();
    // Rows 0, 4, ..., 28 churn; of those 0, 20 lack a balance.
    assert_eq!((churn_true.rows, churn_true.missing), (8, 2));
}

fn column<'a>(batch: &'a RecordBatch, name: &str) -> &'a Arc<dyn Array> {
    batch
        .column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

#[tokio::test]
async fn csv_from_path_gives_clean_quarantine_and_report() {
    let h = Harness::start().await;
    let text = csv(&rows());
    let path = h.write("bank.csv", &text);
    let response = h.ingest_path(&path).await.unwrap();
    let q = response.quality.unwrap();
    assert_generated_figures(&q);
    assert_eq!(q.format, "csv");
    assert_eq!(q.source, path.display().to_string());
    assert!(q.missing_optional_columns.is_empty());
    assert!(q.passthrough_columns.is_empty());

    let clean = h.fetch("clean", &response.dataset_id).await;
    assert_eq!(total_rows(&clean), 31);
    let schema = clean[0].schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names,
        [
            "user_id",
            "score",
            "city",
            "gender",
            "age",
            "equity",
            "balance",
            "products",
            "credit_card",
            "last_activity",
            "est_salary",
            "churn",
            "balance_missing",
            "duplicate_user_id",
            "outlier_score",
            "outlier_age",
            "outlier_balance",
            "outlier_est_salary",
            "source_line"
        ]
    );
    let types: Vec<&DataType> = schema.fields().iter().map(|f| f.data_type()).collect();
    assert_eq!(types[0], &DataType::Int64);
    assert_eq!(types[2], &DataType::Utf8);
    assert_eq!(types[4], &DataType::Int16);
    assert_eq!(types[7], &DataType::Int16);
    assert_eq!(types[11], &DataType::Boolean);
    let mut lines = Vec::new();
    let mut flagged = Vec::new();
    let mut missing = 0;
    for b in &clean {
        let line = column(b, "source_line").as_primitive::<Int64Type>();
        let dup = column(b, "duplicate_user_id").as_boolean();
        let bm = column(b, "balance_missing").as_boolean();
        for i in 0..b.num_rows() {
            lines.push(line.value(i));
            if dup.value(i) {
                flagged.push(line.value(i));
            }
            if bm.value(i) {
                missing += 1;
            }
        }
    }
    // Lines 2..=31 are the regular rows, 33 the second customer with id 500007; 32 is quarantined
    // and 34 an exact duplicate of line 4.
    let expected: Vec<i64> = (2..=31).chain([33]).collect();
    assert_eq!(lines, expected);
    assert_eq!(flagged, vec![3, 33]);
    assert_eq!(missing, 6);
    let first = &clean[0];
    assert_eq!(
        column(first, "user_id")
            .as_primitive::<Int64Type>()
            .value(0),
        500_000
    );
    assert_eq!(
        column(first, "city").as_string::<i32>().value(0),
        "Ярославль"
    );
    assert_eq!(
        column(first, "age").as_primitive::<Int16Type>().value(0),
        20
    );

    let quarantine = h.fetch("quarantine", &response.dataset_id).await;
    assert_eq!(total_rows(&quarantine), 1);
    let qb = &quarantine[0];
    assert_eq!(
        column(qb, "source_line")
            .as_primitive::<Int64Type>()
            .value(0),
        32
    );
    let reason = column(qb, "reason");
    let reason = arrow::compute::cast(reason, &DataType::Utf8).unwrap();
    assert_eq!(reason.as_string::<i32>().value(0), "products_out_of_range");
    let detail = arrow::compute::cast(column(qb, "detail"), &DataType::Utf8).unwrap();
    assert_eq!(
        detail.as_string::<i32>().value(0),
        "products 0 is outside 1..=5"
    );
    let raw = arrow::compute::cast(column(qb, "raw"), &DataType::Utf8).unwrap();
    assert_eq!(
        raw.as_string::<i32>().value(0),
        text.lines().nth(31).unwrap()
    );

    let stored = h
        .client
        .clone()
        .get_quality_report(GetQualityReportRequest {
            dataset_id: response.dataset_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stored, q);
    let json = std::fs::read_to_string(
        h.store
            .path()
            .join(format!("datasets/{}/quality.json", response.dataset_id)),
    )
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["rows_read"], 33);
    assert_eq!(json["missing_balance"]["missing"], 6);
}

#[tokio::test]
async fn upload_over_flight_gives_the_same_figures_as_the_path() {
    let h = Harness::start().await;
    let text = csv(&rows());
    let upload_id = h.upload("bank.csv", text.as_bytes(), 100).await;
    let stored =
        std::fs::read(h.store.path().join(format!("uploads/{upload_id}/bank.csv"))).unwrap();
    assert_eq!(stored, text.as_bytes());
    let response = h
        .ingest(IngestRequest {
            source: Some(ingest_request::Source::UploadId(upload_id.clone())),
            ..Default::default()
        })
        .await
        .unwrap();
    let q = response.quality.unwrap();
    assert_generated_figures(&q);
    assert_eq!(q.source, format!("upload:{upload_id}"));
    assert_eq!(
        total_rows(&h.fetch("clean", &response.dataset_id).await),
        31
    );
}

#[tokio::test]
async fn english_export_works_through_a_mapping_file_alone() {
    let h = Harness::start().await;
    let path = h.write("english.csv", english_csv(&rows()));
    let mut request = path_request(&path);
    request.mapping_toml = ingest_svc::mapping::ENGLISH_EXAMPLE_TOML.to_string();
    let response = h.ingest(request).await.unwrap();
    let q = response.quality.unwrap();
    assert_generated_figures(&q);
    assert_eq!(q.missing_optional_columns, vec!["equity".to_string()]);
    assert_eq!(q.passthrough_columns, vec!["branch_code".to_string()]);
    assert!(
        q.notes.iter().any(|n| n.en
            == "The source has no optional column equity: analyses that need it are skipped")
    );

    let clean = h.fetch("clean", &response.dataset_id).await;
    let b = &clean[0];
    assert!(b.column_by_name("equity").is_none());
    let last = b.schema().fields().last().unwrap().clone();
    assert_eq!(last.name(), "branch_code");
    assert_eq!(last.data_type(), &DataType::Utf8);
    assert_eq!(column(b, "branch_code").as_string::<i32>().value(0), "B000");
    assert_eq!(column(b, "gender").as_string::<i32>().value(0), "М");
    assert_eq!(column(b, "gender").as_string::<i32>().value(1), "Ж");
    assert_eq!(column(b, "city").as_string::<i32>().value(1), "Рыбинск");
    assert!(column(b, "churn").as_boolean().value(0));
    assert!(!column(b, "churn").as_boolean().value(1));
}

#[tokio::test]
async fn semicolon_delimiter_is_detected_and_can_be_given() {
    let h = Harness::start().await;
    let text = csv(&rows()).replace(',', ";");
    let path = h.write("semicolon.csv", &text);
    let q = h.ingest_path(&path).await.unwrap().quality.unwrap();
    assert_generated_figures(&q);
    let mut request = path_request(&path);
    request.delimiter = ";".into();
    let q = h.ingest(request).await.unwrap().quality.unwrap();
    assert_generated_figures(&q);
}

fn parquet_bytes(batch: &RecordBatch) -> Vec<u8> {
    let mut out = Vec::new();
    let mut writer = parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
    writer.write(batch).unwrap();
    writer.close().unwrap();
    out
}

/// The generated rows as a typed Arrow table with the bank_scrooge column names.
fn typed_batch() -> RecordBatch {
    let rows = rows();
    let cities = ["Ярославль", "Рыбинск", "Ростов"];
    let schema = Arc::new(Schema::new(vec![
        Field::new("USERID", DataType::Int64, false),
        Field::new("score", DataType::Float64, false),
        Field::new("city", DataType::Utf8, false),
        Field::new("gender", DataType::Utf8, false),
        Field::new("age", DataType::Float64, true),
        Field::new("equity", DataType::Int64, false),
        Field::new("balance", DataType::Float64, true),
        Field::new("products", DataType::Int64, false),
        Field::new("credit_card", DataType::Boolean, false),
        Field::new("last_activity", DataType::Boolean, false),
        Field::new("EST_SALARY", DataType::Float64, false),
        Field::new("churn", DataType::Boolean, false),
    ]));
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Int64Array::from_iter_values(
                rows.iter().map(|r| i64::from(r.id)),
            )),
            Arc::new(Float64Array::from_iter_values(
                rows.iter().map(|r| f64::from(r.score)),
            )),
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|r| cities[r.city]),
            )),
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|r| if r.male { "М" } else { "Ж" }),
            )),
            Arc::new(Float64Array::from_iter(
                rows.iter().map(|r| r.age.map(f64::from)),
            )),
            Arc::new(Int64Array::from_iter_values(
                rows.iter().map(|r| i64::from(r.equity)),
            )),
            Arc::new(Float64Array::from_iter(
                rows.iter()
                    .map(|r| r.balance.as_ref().map(|b| b.parse::<f64>().unwrap())),
            )),
            Arc::new(Int64Array::from_iter_values(
                rows.iter().map(|r| i64::from(r.products)),
            )),
            Arc::new(BooleanArray::from_iter(
                rows.iter().map(|r| Some(r.credit_card)),
            )),
            Arc::new(BooleanArray::from_iter(
                rows.iter().map(|r| Some(r.last_activity)),
            )),
            Arc::new(Float64Array::from_iter_values(
                rows.iter().map(|r| r.salary.parse::<f64>().unwrap()),
            )),
            Arc::new(BooleanArray::from_iter(rows.iter().map(|r| Some(r.churn)))),
        ],
    )
    .unwrap()
}

#[tokio::test]
async fn parquet_export_gives_the_same_figures() {
    let h = Harness::start().await;
    let path = h.write("bank.parquet", parquet_bytes(&typed_batch()));
    let response = h.ingest_path(&path).await.unwrap();
    let q = response.quality.unwrap();
    assert_generated_figures(&q);
    assert_eq!(q.format, "parquet");
    let quarantine = h.fetch("quarantine", &response.dataset_id).await;
    // Parquet rows are numbered from 1: the products = 0 row is row 31.
    assert_eq!(
        column(&quarantine[0], "source_line")
            .as_primitive::<Int64Type>()
            .value(0),
        31
    );
}

#[tokio::test]
async fn options_change_the_policy_and_the_fences() {
    let h = Harness::start().await;
    let path = h.write("bank.csv", csv(&rows()));
    let mut request = path_request(&path);
    request.options = Some(CleaningOptions {
        missing_age: MissingAgePolicy::Quarantine as i32,
        outlier_rule: OutlierRule::Percentile as i32,
        lower_percentile: Some(0.0),
        upper_percentile: Some(1.0),
        min_products: Some(0),
        ..Default::default()
    });
    let q = h.ingest(request).await.unwrap().quality.unwrap();
    // products = 0 is now valid, the row without age is quarantined instead.
    assert_eq!(q.rows_quarantined, 1);
    assert_eq!(q.quarantine_reasons[0].reason, "missing_age");
    assert_eq!(q.rows_clean, 31);
    let score = q.columns.iter().find(|c| c.column == "score").unwrap();
    // Percentiles 0 and 1 are the minimum and maximum: nothing lies outside them.
    assert_eq!((score.outliers_low, score.outliers_high), (0, 0));
    // The lowest valid score is the second customer with id 500007 (611).
    assert_eq!(score.lower_fence, Some(611.0));
    assert!(q.counts_add_up);

    let mut bad = path_request(&path);
    bad.options = Some(CleaningOptions {
        outlier_rule: OutlierRule::Percentile as i32,
        lower_percentile: Some(0.9),
        upper_percentile: Some(0.1),
        ..Default::default()
    });
    let status = h.ingest(bad).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert_eq!(
        status.message(),
        "invalid options: percentiles 0.9..0.1: expected 0 <= lower < upper <= 1"
    );
}

#[tokio::test]
async fn reports_and_tables_survive_a_restart() {
    let h = Harness::start().await;
    let path = h.write("bank.csv", csv(&rows()));
    let response = h.ingest_path(&path).await.unwrap();
    let Harness {
        data,
        store,
        server,
        ..
    } = h;
    server.stop().await.unwrap();
    let h = Harness::start_with(data, store, Vec::new()).await;
    let report = h
        .client
        .clone()
        .get_quality_report(GetQualityReportRequest {
            dataset_id: response.dataset_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(Some(report), response.quality);
    assert_eq!(
        total_rows(&h.fetch("clean", &response.dataset_id).await),
        31
    );

    let status = h
        .client
        .clone()
        .get_quality_report(GetQualityReportRequest {
            dataset_id: "nope".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::NotFound);
    assert_eq!(status.message(), "dataset nope not found");
}

#[tokio::test]
async fn large_tables_switch_to_approximate_statistics() {
    let h = Harness::start_tuned(|c| c.exact_max_rows = 10).await;
    let path = h.write("bank.csv", csv(&rows()));
    let q = h.ingest_path(&path).await.unwrap().quality.unwrap();
    assert_generated_figures(&q);
    assert!(q.notes.iter().any(|n| n.en
        == "Outlier fences and distinct counts are approximate (t-digest, HyperLogLog): the table has more rows than the exact-statistics limit"));
    let score = q.columns.iter().find(|c| c.column == "score").unwrap();
    assert!(score.lower_fence.is_some() && score.upper_fence.is_some());
    let city = q.columns.iter().find(|c| c.column == "city").unwrap();
    assert_eq!(city.distinct, 3);
}

#[tokio::test]
async fn duplicate_checks_give_the_same_answer_bucket_by_bucket() {
    // 32 valid rows in buckets of about 3: the repeated id and the exact duplicate must be found
    // whichever buckets they land in, and the clean table must still come out in source order.
    let h = Harness::start_tuned(|c| c.bucket_rows = 3).await;
    let path = h.write("bank.csv", csv(&rows()));
    let response = h.ingest_path(&path).await.unwrap();
    assert_generated_figures(response.quality.as_ref().unwrap());
    let clean = h.fetch("clean", &response.dataset_id).await;
    let mut lines = Vec::new();
    let mut flagged = Vec::new();
    for b in &clean {
        let line = column(b, "source_line").as_primitive::<Int64Type>();
        let dup = column(b, "duplicate_user_id").as_boolean();
        for i in 0..b.num_rows() {
            lines.push(line.value(i));
            if dup.value(i) {
                flagged.push(line.value(i));
            }
        }
    }
    // Rows 0..29 are lines 2..31; line 32 (products 0) is quarantined, line 33 repeats row 1's id
    // in another city, line 34 repeats row 2 exactly and is removed.
    let expected: Vec<i64> = (2..=31).chain([33]).collect();
    assert_eq!(lines, expected);
    assert_eq!(flagged, vec![3, 33]);
}

#[tokio::test]
async fn quoted_fields_with_line_breaks_keep_source_lines() {
    let h = Harness::start().await;
    let mut text = String::from(crate::support::HEADER);
    text.push_str(",comment\n");
    text.push_str("1,800.0,Ростов,М,30.0,1,100.0,2,1,1,5000.0,0,\"two\nlines, and a comma\"\n");
    text.push_str("2,801.0,\"Ростов\",Ж,31.0,1,,2,1,1,5000.0,0,\"say \"\"hi\"\"\"\n");
    text.push_str("3,802.0,Ростов,Ж,32.0,1,5.0,0,1,1,5000.0,0,plain\r\n");
    let path = h.write("quoted.csv", &text);
    let response = h.ingest_path(&path).await.unwrap();
    let q = response.quality.unwrap();
    assert_eq!((q.rows_read, q.rows_clean, q.rows_quarantined), (3, 2, 1));
    assert_eq!(q.passthrough_columns, vec!["comment".to_string()]);
    let clean = h.fetch("clean", &response.dataset_id).await;
    let b = &clean[0];
    let lines = column(b, "source_line").as_primitive::<Int64Type>();
    assert_eq!(lines.values().to_vec(), vec![2, 4]);
    let comment = column(b, "comment").as_string::<i32>();
    assert_eq!(comment.value(0), "two\nlines, and a comma");
    assert_eq!(comment.value(1), "say \"hi\"");
    let quarantine = h.fetch("quarantine", &response.dataset_id).await;
    let qb = &quarantine[0];
    assert_eq!(
        column(qb, "source_line")
            .as_primitive::<Int64Type>()
            .value(0),
        5
    );
    let raw = arrow::compute::cast(column(qb, "raw"), &DataType::Utf8).unwrap();
    assert_eq!(
        raw.as_string::<i32>().value(0),
        "3,802.0,Ростов,Ж,32.0,1,5.0,0,1,1,5000.0,0,plain"
    );
}

#[tokio::test]
async fn table_upload_and_flight_metadata() {
    use arrow_flight::FlightDescriptor;
    use arrow_flight::encode::FlightDataEncoderBuilder;
    use futures::StreamExt;

    let h = Harness::start().await;
    let batch = typed_batch();
    let data = FlightDataEncoderBuilder::new()
        .with_flight_descriptor(Some(FlightDescriptor::new_path(vec![
            "upload".into(),
            "bank.parquet".into(),
        ])))
        .build(futures::stream::iter(vec![Ok(batch)]));
    let mut flight = h.flight().await;
    let mut results = flight.do_put(data).await.unwrap();
    let upload_id =
        String::from_utf8(results.next().await.unwrap().unwrap().app_metadata.to_vec()).unwrap();
    let response = h
        .ingest(IngestRequest {
            source: Some(ingest_request::Source::UploadId(upload_id)),
            ..Default::default()
        })
        .await
        .unwrap();
    let q = response.quality.unwrap();
    assert_generated_figures(&q);
    assert_eq!(q.format, "parquet");

    let descriptor = FlightDescriptor::new_path(vec!["clean".into(), response.dataset_id.clone()]);
    let info = flight.get_flight_info(descriptor.clone()).await.unwrap();
    let schema = info.clone().try_decode_schema().unwrap();
    assert_eq!(schema.field(0).name(), "user_id");
    assert_eq!(schema.field(0).data_type(), &DataType::Int64);
    let ticket = info.endpoint[0].ticket.clone().unwrap();
    assert_eq!(
        ticket.ticket.as_ref(),
        format!("clean/{}", response.dataset_id).as_bytes()
    );
    let schema = flight
        .get_schema(FlightDescriptor::new_cmd(format!(
            "quarantine/{}",
            response.dataset_id
        )))
        .await
        .unwrap();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["source_line", "reason", "detail", "raw"]);

    let status = flight
        .get_schema(FlightDescriptor::new_path(vec![
            "clean".into(),
            "missing".into(),
        ]))
        .await
        .unwrap_err();
    let arrow_flight::error::FlightError::Tonic(status) = status else {
        panic!("expected a status");
    };
    assert_eq!(status.code(), tonic::Code::NotFound);
    assert_eq!(status.message(), "dataset missing not found");
}
