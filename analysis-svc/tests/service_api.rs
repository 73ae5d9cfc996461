//! analysis-svc over real gRPC: Analyze against a fake ingest-svc, the read RPCs, Flight tables,
//! read-only Flight SQL, and reading analyses back after a restart.

mod service_support;

use arrow::array::{Array, BooleanArray, Int64Array};
use arrow_flight::error::FlightError;
use arrow_flight::sql::CommandGetDbSchemas;
use arrow_flight::sql::client::FlightSqlServiceClient;
use arrow_flight::{FlightDescriptor, FlightInfo};
use bankseg_proto::analysis::v1::{
    AnalyzeRequest, GetAnalysisRequest, GetSegmentRequest, ListSegmentsRequest,
};
use futures::TryStreamExt;
use prost::Message as _;
use service_support::*;
use tonic::Code;

fn analyze_request(dataset_id: &str) -> AnalyzeRequest {
    AnalyzeRequest {
        dataset_id: dataset_id.to_string(),
        ..AnalyzeRequest::default()
    }
}

#[tokio::test]
async fn analyze_stores_results_that_read_back_over_grpc_and_flight_and_survive_a_restart() {
    let fixture = fixture(ROWS);
    let ingest = start_ingest(fixture.batches.clone()).await;
    let store = tempfile::tempdir().unwrap();
    let server = start_analysis(store.path(), &ingest.url()).await;
    let mut client = analysis_client(&server).await;

    let response = client
        .analyze(analyze_request(DATASET))
        .await
        .unwrap()
        .into_inner();
    let id = response.analysis_id.clone();
    assert_eq!(id.len(), 32);
    let overview = response.overview.unwrap();
    assert_eq!(overview.rows, fixture.rows);
    assert_eq!(overview.churned, fixture.churned);

    let result = client
        .get_analysis(GetAnalysisRequest {
            analysis_id: id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(result.analysis_id, id);
    assert_eq!(result.dataset_id, DATASET);
    assert_eq!(
        result.schema_version,
        bankseg_proto::ANALYSIS_SCHEMA_VERSION
    );
    assert_eq!(result.quality.as_ref().unwrap().rows_clean, fixture.rows);
    // RFC 3339 UTC with milliseconds: 2026-12-04T21:00:00.000Z
    assert_eq!(result.created_at.len(), 24, "{}", result.created_at);
    assert!(result.created_at.ends_with('Z'));
    assert_eq!(&result.created_at[10..11], "T");
    assert!(!result.config_toml.is_empty());

    // segments: the default study splits by number of products, 1..=4 in the fixture
    let segments = client
        .list_segments(ListSegmentsRequest {
            analysis_id: id.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .segments;
    let top: Vec<_> = segments.iter().filter(|s| s.parent_id.is_empty()).collect();
    let top_ids: Vec<&str> = top.iter().map(|s| s.segment_id.as_str()).collect();
    assert_eq!(
        top_ids,
        ["products_1", "products_2", "products_3", "products_4plus"]
    );
    assert_eq!(top.iter().map(|s| s.size).sum::<u64>(), fixture.rows);
    assert_eq!(top[2].size + top[3].size, fixture.products_3_plus);
    let segment = client
        .get_segment(GetSegmentRequest {
            analysis_id: id.clone(),
            segment_id: "products_3".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(segment.summary.as_ref().unwrap().size, top[2].size);
    assert_eq!(segment.summary.as_ref().unwrap().segment_id, "products_3");
    if let Some(child) = segments.iter().find(|s| !s.parent_id.is_empty()) {
        let sub = client
            .get_segment(GetSegmentRequest {
                analysis_id: id.clone(),
                segment_id: child.segment_id.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(sub.summary.unwrap(), *child);
    }
    let missing = client
        .get_segment(GetSegmentRequest {
            analysis_id: id.clone(),
            segment_id: "products_9".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);
    assert_eq!(
        missing.message(),
        format!("segment products_9 in analysis {id} not found")
    );

    // Flight: membership and the stored clean table
    let membership = read_table(&server, "membership", &id).await;
    assert_eq!(row_count(&membership), fixture.rows);
    let schema = membership[0].schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names,
        ["user_id", "city", "segment", "sub_segment", "churn"]
    );
    let churned: usize = membership
        .iter()
        .map(|b| {
            let churn = b.column(4).as_any().downcast_ref::<BooleanArray>().unwrap();
            churn.true_count()
        })
        .sum();
    assert_eq!(churned as u64, fixture.churned);
    assert_eq!(
        row_count(&read_table(&server, "customers", &id).await),
        fixture.rows
    );
    assert!(row_count(&read_table(&server, "portraits", &id).await) > 0);
    assert!(!result.hypotheses.is_empty());
    assert_eq!(
        row_count(&read_table(&server, "hypotheses", &id).await),
        result.hypotheses.len() as u64
    );
    let mut flight = bankseg_common::flight::client(channel(&server).await, 64 << 20);
    let info = flight
        .get_flight_info(FlightDescriptor::new_path(vec![
            "membership".into(),
            id.clone(),
        ]))
        .await
        .unwrap();
    let info_schema = info.clone().try_decode_schema().unwrap();
    assert_eq!(info_schema.field(0).name(), "user_id");
    assert_eq!(
        info.endpoint[0].ticket.as_ref().unwrap().ticket,
        format!("membership/{id}").as_bytes()
    );
    let listed: Vec<FlightInfo> = flight
        .list_flights("")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let paths: Vec<Vec<String>> = listed
        .iter()
        .map(|i| i.flight_descriptor.as_ref().unwrap().path.clone())
        .collect();
    assert_eq!(
        paths,
        ["customers", "membership", "portraits", "hypotheses"]
            .map(|t| vec![t.to_string(), id.clone()])
    );
    let unknown = flight
        .do_get(arrow_flight::Ticket::new("membership/nope"))
        .await
        .err()
        .unwrap();
    assert_eq!(flight_code(unknown), Code::NotFound);

    // restart on the same store: the same analysis comes back
    server.stop().await.unwrap();
    let server = start_analysis(store.path(), &ingest.url()).await;
    let mut client = analysis_client(&server).await;
    let again = client
        .get_analysis(GetAnalysisRequest {
            analysis_id: id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    // byte-equal (the correlation matrices hold NaN, which is never == itself)
    assert_eq!(again.analysis_id, id);
    assert_eq!(again.encode_to_vec(), result.encode_to_vec());
    assert_eq!(
        row_count(&read_table(&server, "membership", &id).await),
        fixture.rows
    );
    server.stop().await.unwrap();
    ingest.stop().await.unwrap();
}

#[tokio::test]
async fn analyze_errors_reach_clients_with_their_codes() {
    let fixture = fixture(60);
    let ingest = start_ingest(fixture.batches).await;
    let store = tempfile::tempdir().unwrap();
    let server = start_analysis(store.path(), &ingest.url()).await;
    let mut client = analysis_client(&server).await;

    let unknown = client
        .analyze(analyze_request("no-such-dataset"))
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound);
    assert_eq!(
        unknown.message(),
        "ingest-svc: dataset no-such-dataset not found"
    );

    let bad_id = client.analyze(analyze_request("../etc")).await.unwrap_err();
    assert_eq!(bad_id.code(), Code::InvalidArgument);
    assert!(
        bad_id.message().starts_with("invalid dataset_id: "),
        "{}",
        bad_id.message()
    );

    let unreachable = client
        .analyze(AnalyzeRequest {
            dataset_id: DATASET.into(),
            ingest_endpoint: "http://127.0.0.1:1".into(),
            ..AnalyzeRequest::default()
        })
        .await
        .unwrap_err();
    assert_eq!(unreachable.code(), Code::Unavailable);
    assert!(
        unreachable
            .message()
            .starts_with("ingest-svc at http://127.0.0.1:1 is unreachable"),
        "{}",
        unreachable.message()
    );

    let bad_config = client
        .analyze(AnalyzeRequest {
            dataset_id: DATASET.into(),
            config_toml: "alpha = [".into(),
            ..AnalyzeRequest::default()
        })
        .await
        .unwrap_err();
    assert_eq!(bad_config.code(), Code::InvalidArgument);
    assert!(
        bad_config
            .message()
            .starts_with("invalid analysis configuration: "),
        "{}",
        bad_config.message()
    );

    let missing = client
        .get_analysis(GetAnalysisRequest {
            analysis_id: "0123456789abcdef".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);
    assert_eq!(missing.message(), "analysis 0123456789abcdef not found");
    let empty = client
        .list_segments(ListSegmentsRequest {
            analysis_id: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(empty.code(), Code::InvalidArgument);

    // a default configuration file that does not parse stops the start
    let config_file = store.path().join("bad.toml");
    std::fs::write(&config_file, "alpha = [").unwrap();
    let mut config = analysis_svc::Config::for_tests(store.path().to_str().unwrap(), &ingest.url());
    config.analysis_config = Some(config_file.clone());
    let err = analysis_svc::spawn(config).await.unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "invalid analysis configuration: {}: TOML parse error",
            config_file.display()
        )),
        "{err}"
    );
    assert_eq!(err.into_status().code(), Code::InvalidArgument);

    // nothing half-written is left behind by the failed requests
    let analyses = store.path().join("analyses");
    let leftovers = std::fs::read_dir(&analyses)
        .map(|d| {
            d.flat_map(|e| std::fs::read_dir(e.unwrap().path()).unwrap())
                .count()
        })
        .unwrap_or(0);
    assert_eq!(leftovers, 0);
    server.stop().await.unwrap();
    ingest.stop().await.unwrap();
}

fn flight_code(e: FlightError) -> Code {
    match e {
        FlightError::Tonic(status) => status.code(),
        other => panic!("expected a gRPC status, got {other}"),
    }
}

async fn sql_rows(
    client: &mut FlightSqlServiceClient<tonic::transport::Channel>,
    info: FlightInfo,
) -> Vec<arrow::record_batch::RecordBatch> {
    let mut out = Vec::new();
    for endpoint in info.endpoint {
        let ticket = endpoint.ticket.unwrap();
        let batches: Vec<_> = client
            .do_get(ticket)
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        out.extend(batches);
    }
    out
}

fn single_i64(batches: &[arrow::record_batch::RecordBatch]) -> i64 {
    let batch = batches.iter().find(|b| b.num_rows() > 0).expect("a row");
    let column = batch
        .column(0)
        .as_any()
        .downcast_ref::<Int64Array>()
        .expect("an Int64 column");
    assert_eq!(column.len(), 1);
    column.value(0)
}

#[tokio::test]
async fn flight_sql_answers_read_queries_and_refuses_everything_else() {
    // two analyses of two exports; the second comes from another ingest-svc named in the request
    let older = fixture(ROWS);
    let newer = fixture(ROWS + 300);
    let ingest = start_ingest(older.batches.clone()).await;
    let other_ingest = start_ingest(newer.batches.clone()).await;
    let store = tempfile::tempdir().unwrap();
    let server = start_analysis(store.path(), &ingest.url()).await;
    let mut client = analysis_client(&server).await;
    let first = client
        .analyze(analyze_request(DATASET))
        .await
        .unwrap()
        .into_inner()
        .analysis_id;
    let latest = client
        .analyze(AnalyzeRequest {
            dataset_id: DATASET.into(),
            ingest_endpoint: other_ingest.url(),
            ..AnalyzeRequest::default()
        })
        .await
        .unwrap()
        .into_inner()
        .analysis_id;
    assert_ne!(first, latest);

    let mut sql = FlightSqlServiceClient::new(channel(&server).await);
    // the latest analysis is the default schema
    let info = sql
        .execute(
            "SELECT count(*) AS n FROM customers WHERE churn AND city = 'Рыбинск'".into(),
            None,
        )
        .await
        .unwrap();
    let schema = info.clone().try_decode_schema().unwrap();
    assert_eq!(schema.field(0).name(), "n");
    assert_eq!(
        single_i64(&sql_rows(&mut sql, info).await),
        newer.churned_rybinsk as i64
    );
    let info = sql
        .execute(format!("SELECT count(*) FROM a_{first}.customers"), None)
        .await
        .unwrap();
    assert_eq!(
        single_i64(&sql_rows(&mut sql, info).await),
        older.rows as i64
    );

    // every analysis has its own schema
    let info = sql
        .execute(
            format!("SELECT count(*) FROM a_{first}.membership WHERE churn"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        single_i64(&sql_rows(&mut sql, info).await),
        older.churned as i64
    );
    let info = sql
        .execute(
            format!(
                "SELECT count(*) FROM bankseg.a_{latest}.membership m JOIN customers c USING (user_id) \
                 WHERE m.segment IN ('products_3', 'products_4plus')"
            ),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        single_i64(&sql_rows(&mut sql, info).await),
        newer.products_3_plus as i64
    );

    // prepared statements (what ADBC uses for parameterless queries too)
    let mut prepared = sql
        .prepare(
            "SELECT user_id FROM membership WHERE churn ORDER BY user_id".into(),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        prepared.dataset_schema().unwrap().field(0).name(),
        "user_id"
    );
    let info = prepared.execute().await.unwrap();
    assert_eq!(row_count(&sql_rows(&mut sql, info).await), newer.churned);
    prepared.close().await.unwrap();

    // writes and anything that is not a query are refused
    for statement in [
        "INSERT INTO membership VALUES (1, 'Ростов', 'products_1', NULL, true)",
        "CREATE TABLE t AS SELECT * FROM membership",
        "DROP TABLE membership",
        "DELETE FROM membership",
        "COPY membership TO '/tmp/bankseg-membership.csv'",
        "CREATE EXTERNAL TABLE passwd STORED AS CSV LOCATION '/etc/passwd'",
        "SET datafusion.execution.batch_size = 1",
    ] {
        let err = sql.execute(statement.into(), None).await.unwrap_err();
        let code = flight_code(err);
        assert_eq!(code, Code::PermissionDenied, "{statement}");
        let err = sql.prepare(statement.into(), None).await.unwrap_err();
        assert_eq!(flight_code(err), Code::PermissionDenied, "{statement}");
    }
    assert!(!std::path::Path::new("/tmp/bankseg-membership.csv").exists());
    // a query that would create a table is caught when its plan is checked
    let select_into = sql
        .execute("SELECT * INTO copied FROM membership".into(), None)
        .await
        .unwrap_err();
    assert_eq!(flight_code(select_into), Code::PermissionDenied);
    let update = sql
        .execute_update("DELETE FROM membership".into(), None)
        .await
        .unwrap_err();
    assert_eq!(flight_code(update), Code::PermissionDenied);
    let syntax = sql.execute("SELEC 1".into(), None).await.unwrap_err();
    assert_eq!(flight_code(syntax), Code::InvalidArgument);
    // files are not tables: URL tables are off and no table function reads files
    for statement in [
        "SELECT * FROM '/etc/passwd'",
        "SELECT * FROM read_parquet('/tmp/x.parquet')",
    ] {
        let err = sql.execute(statement.into(), None).await.unwrap_err();
        assert_eq!(flight_code(err), Code::InvalidArgument, "{statement}");
    }
    let unknown = sql
        .execute("SELECT * FROM nope".into(), None)
        .await
        .unwrap_err();
    assert_eq!(flight_code(unknown), Code::InvalidArgument);

    // metadata for ADBC get_objects / JDBC
    let info = sql.get_catalogs().await.unwrap();
    let catalogs = sql_rows(&mut sql, info).await;
    assert_eq!(row_count(&catalogs), 1);
    let info = sql
        .get_db_schemas(CommandGetDbSchemas {
            catalog: None,
            db_schema_filter_pattern: None,
        })
        .await
        .unwrap();
    // public + one schema per analysis
    assert_eq!(row_count(&sql_rows(&mut sql, info).await), 3);
    let info = sql
        .get_tables(arrow_flight::sql::CommandGetTables {
            catalog: None,
            db_schema_filter_pattern: Some("public".into()),
            table_name_filter_pattern: None,
            table_types: vec![],
            include_schema: true,
        })
        .await
        .unwrap();
    assert_eq!(row_count(&sql_rows(&mut sql, info).await), 4);

    server.stop().await.unwrap();
    ingest.stop().await.unwrap();
    other_ingest.stop().await.unwrap();
}
