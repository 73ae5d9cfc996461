//! Fixtures of the service tests: a canonical clean table built in memory, a fake ingest-svc that
//! serves it (IngestService.GetQualityReport + Flight DoGet `clean/<id>`), and functions to start
//! analysis-svc on a store directory.

#![allow(dead_code)] // each test binary uses a different part

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray, Float64Array, Int16Array, Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use arrow_flight::encode::FlightDataEncoderBuilder;
use arrow_flight::flight_service_server::{FlightService, FlightServiceServer};
use arrow_flight::{
    Action, ActionType, Criteria, Empty, FlightData, FlightDescriptor, FlightInfo,
    HandshakeRequest, HandshakeResponse, PollInfo, PutResult, SchemaResult, Ticket,
};
use bankseg_common::config::RuntimeArgs;
use bankseg_common::server::Running;
use bankseg_proto::analysis::v1::analysis_service_client::AnalysisServiceClient;
use bankseg_proto::ingest::v1::ingest_service_server::{IngestService, IngestServiceServer};
use bankseg_proto::ingest::v1::{
    GetQualityReportRequest, IngestRequest, IngestResponse, QualityReport,
};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;
use tonic::{Request, Response, Status, Streaming};

/// Dataset id the fake ingest-svc knows.
pub const DATASET: &str = "ds-fixture-1";

/// Rows of the fixture table: enough for the default study's slice search, which keeps cells of at
/// least 100 customers.
pub const ROWS: usize = 3000;

/// Cities of the fixture table.
pub const CITIES: [&str; 3] = ["Ярославль", "Рыбинск", "Ростов"];

/// The fixture table and the facts the tests check against.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// The clean table, in several batches.
    pub batches: Vec<RecordBatch>,
    /// Rows in total.
    pub rows: u64,
    /// Rows with churn = true.
    pub churned: u64,
    /// Churned rows in Рыбинск.
    pub churned_rybinsk: u64,
    /// Rows with products >= 3.
    pub products_3_plus: u64,
}

/// A deterministic canonical clean table of `rows` customers in batches of at most 250 rows.
pub fn fixture(rows: usize) -> Fixture {
    let mut state: u64 = 0x005e_ed0f_ba4c;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    let mut user_id = Vec::new();
    let mut score = Vec::new();
    let mut city = Vec::new();
    let mut gender = Vec::new();
    let mut age: Vec<Option<i16>> = Vec::new();
    let mut equity = Vec::new();
    let mut balance: Vec<Option<f64>> = Vec::new();
    let mut products = Vec::new();
    let mut credit_card = Vec::new();
    let mut last_activity = Vec::new();
    let mut est_salary = Vec::new();
    let mut churn = Vec::new();
    let (mut churned, mut churned_rybinsk, mut products_3_plus) = (0u64, 0u64, 0u64);
    for i in 0..rows {
        let c = CITIES[i % 3];
        // skewed like a real portfolio: many customers without property, most scores in one band
        let eq = match next() % 10 {
            0..=3 => 0,
            4 => 1,
            5 | 6 => 3,
            7 | 8 => 5,
            _ => 7,
        };
        let prods = 1 + (next() % 4) as i16;
        let active = next() % 2 == 0;
        let a = 18 + (next() % 62) as i16;
        // churn is more likely with more products, more property and less activity
        let mut p = 8u64;
        if prods >= 3 {
            p += 40;
        }
        if eq >= 5 {
            p += 20;
        }
        if !active {
            p += 10;
        }
        let ch = next() % 100 < p;
        churned += u64::from(ch);
        churned_rybinsk += u64::from(ch && c == "Рыбинск");
        products_3_plus += u64::from(prods >= 3);
        user_id.push(100_000 + i as i64);
        score.push(if next() % 10 == 0 {
            650.0 + (next() % 150) as f64
        } else {
            800.0 + (next() % 50) as f64
        });
        city.push(c);
        gender.push(if next() % 2 == 0 { "М" } else { "Ж" });
        age.push(if i % 97 == 13 { None } else { Some(a) });
        equity.push(eq);
        balance.push(if eq == 0 && i % 4 != 0 {
            None
        } else {
            Some(if next() % 10 == 0 {
                10_000.0 + (next() % 2_000_000) as f64
            } else {
                300_000.0 + (next() % 200_000) as f64
            })
        });
        products.push(prods);
        credit_card.push(next() % 3 != 0);
        last_activity.push(active);
        est_salary.push(20_000.0 + (next() % 250_000) as f64);
        churn.push(ch);
    }
    let balance_missing: Vec<bool> = balance.iter().map(Option::is_none).collect();
    let falses = vec![false; rows];
    let source_line: Vec<i64> = (0..rows as i64).map(|i| i + 2).collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("user_id", DataType::Int64, false),
        Field::new("score", DataType::Float64, true),
        Field::new("city", DataType::Utf8, true),
        Field::new("gender", DataType::Utf8, true),
        Field::new("age", DataType::Int16, true),
        Field::new("equity", DataType::Int16, true),
        Field::new("balance", DataType::Float64, true),
        Field::new("products", DataType::Int16, true),
        Field::new("credit_card", DataType::Boolean, true),
        Field::new("last_activity", DataType::Boolean, true),
        Field::new("est_salary", DataType::Float64, true),
        Field::new("churn", DataType::Boolean, true),
        Field::new("balance_missing", DataType::Boolean, true),
        Field::new("duplicate_user_id", DataType::Boolean, true),
        Field::new("outlier_score", DataType::Boolean, true),
        Field::new("outlier_age", DataType::Boolean, true),
        Field::new("outlier_balance", DataType::Boolean, true),
        Field::new("outlier_est_salary", DataType::Boolean, true),
        Field::new("source_line", DataType::Int64, true),
    ]));
    let bools = |v: &[bool]| Arc::new(BooleanArray::from(v.to_vec())) as ArrayRef;
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(user_id)),
        Arc::new(Float64Array::from(score)),
        Arc::new(StringArray::from(city)),
        Arc::new(StringArray::from(gender)),
        Arc::new(Int16Array::from(age)),
        Arc::new(Int16Array::from(equity)),
        Arc::new(Float64Array::from(balance)),
        Arc::new(Int16Array::from(products)),
        bools(&credit_card),
        bools(&last_activity),
        Arc::new(Float64Array::from(est_salary)),
        bools(&churn),
        bools(&balance_missing),
        bools(&falses),
        bools(&falses),
        bools(&falses),
        bools(&falses),
        bools(&falses),
        Arc::new(Int64Array::from(source_line)),
    ];
    let table = RecordBatch::try_new(schema, columns).expect("fixture table");
    let batches = (0..rows)
        .step_by(250)
        .map(|start| table.slice(start, 250.min(rows - start)))
        .collect();
    Fixture {
        batches,
        rows: rows as u64,
        churned,
        churned_rybinsk,
        products_3_plus,
    }
}

/// A fake ingest-svc serving one dataset.
#[derive(Clone)]
pub struct FakeIngest {
    dataset_id: String,
    batches: Vec<RecordBatch>,
}

#[tonic::async_trait]
impl IngestService for FakeIngest {
    async fn ingest(
        &self,
        _request: Request<IngestRequest>,
    ) -> Result<Response<IngestResponse>, Status> {
        Err(Status::unimplemented("the fake ingest-svc does not ingest"))
    }

    async fn get_quality_report(
        &self,
        request: Request<GetQualityReportRequest>,
    ) -> Result<Response<QualityReport>, Status> {
        let id = request.into_inner().dataset_id;
        if id != self.dataset_id {
            return Err(Status::not_found(format!("dataset {id} not found")));
        }
        let rows: u64 = self.batches.iter().map(|b| b.num_rows() as u64).sum();
        Ok(Response::new(QualityReport {
            dataset_id: id,
            source: "fixture".into(),
            format: "arrow".into(),
            rows_read: rows,
            rows_clean: rows,
            counts_add_up: true,
            ..QualityReport::default()
        }))
    }
}

type Boxed<T> = BoxStream<'static, Result<T, Status>>;

fn unimplemented<T>() -> Result<T, Status> {
    Err(Status::unimplemented("not part of the fake ingest-svc"))
}

#[tonic::async_trait]
impl FlightService for FakeIngest {
    type HandshakeStream = Boxed<HandshakeResponse>;
    type ListFlightsStream = Boxed<FlightInfo>;
    type DoGetStream = Boxed<FlightData>;
    type DoPutStream = Boxed<PutResult>;
    type DoActionStream = Boxed<arrow_flight::Result>;
    type ListActionsStream = Boxed<ActionType>;
    type DoExchangeStream = Boxed<FlightData>;

    async fn handshake(
        &self,
        _r: Request<Streaming<HandshakeRequest>>,
    ) -> Result<Response<Self::HandshakeStream>, Status> {
        unimplemented()
    }
    async fn list_flights(
        &self,
        _r: Request<Criteria>,
    ) -> Result<Response<Self::ListFlightsStream>, Status> {
        unimplemented()
    }
    async fn get_flight_info(
        &self,
        _r: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        unimplemented()
    }
    async fn poll_flight_info(
        &self,
        _r: Request<FlightDescriptor>,
    ) -> Result<Response<PollInfo>, Status> {
        unimplemented()
    }
    async fn get_schema(
        &self,
        _r: Request<FlightDescriptor>,
    ) -> Result<Response<SchemaResult>, Status> {
        unimplemented()
    }
    async fn do_get(&self, r: Request<Ticket>) -> Result<Response<Self::DoGetStream>, Status> {
        let ticket = String::from_utf8_lossy(&r.get_ref().ticket).to_string();
        if ticket != format!("clean/{}", self.dataset_id) {
            return Err(Status::not_found(format!("ticket {ticket} not found")));
        }
        let schema = self.batches[0].schema();
        let batches = futures::stream::iter(self.batches.clone().into_iter().map(Ok));
        let stream = FlightDataEncoderBuilder::new()
            .with_schema(schema)
            .build(batches)
            .map_err(|e| Status::internal(e.to_string()));
        Ok(Response::new(stream.boxed()))
    }
    async fn do_put(
        &self,
        _r: Request<Streaming<FlightData>>,
    ) -> Result<Response<Self::DoPutStream>, Status> {
        unimplemented()
    }
    async fn do_exchange(
        &self,
        _r: Request<Streaming<FlightData>>,
    ) -> Result<Response<Self::DoExchangeStream>, Status> {
        unimplemented()
    }
    async fn do_action(
        &self,
        _r: Request<Action>,
    ) -> Result<Response<Self::DoActionStream>, Status> {
        unimplemented()
    }
    async fn list_actions(
        &self,
        _r: Request<Empty>,
    ) -> Result<Response<Self::ListActionsStream>, Status> {
        unimplemented()
    }
}

/// Starts a fake ingest-svc serving `batches` as dataset [`DATASET`].
pub async fn start_ingest(batches: Vec<RecordBatch>) -> Running {
    let fake = FakeIngest {
        dataset_id: DATASET.to_string(),
        batches,
    };
    let listener = bankseg_common::server::bind(([127, 0, 0, 1], 0).into())
        .await
        .expect("bind fake ingest");
    let addr = listener.local_addr().expect("local addr");
    let routes = tonic::service::Routes::new(IngestServiceServer::new(fake.clone()))
        .add_service(FlightServiceServer::new(fake));
    let options = RuntimeArgs::with_store("unused").server_options("fake-ingest");
    let shutdown = CancellationToken::new();
    let token = shutdown.clone();
    let task = tokio::spawn(async move {
        bankseg_common::server::serve(listener, routes, &[], &options, token).await
    });
    Running {
        addr,
        shutdown,
        task,
    }
}

/// Starts analysis-svc on `store` reading from the ingest-svc at `ingest_url`.
pub async fn start_analysis(store: &std::path::Path, ingest_url: &str) -> Running {
    // `RUST_LOG=analysis_svc=debug cargo test ...` shows the requests and the engine's queries.
    if std::env::var_os("RUST_LOG").is_some() {
        bankseg_common::telemetry::init(bankseg_common::telemetry::LogFormat::Text, "warn");
    }
    let config = analysis_svc::Config::for_tests(store.to_str().expect("utf-8 path"), ingest_url);
    analysis_svc::spawn(config)
        .await
        .expect("start analysis-svc")
}

/// A channel to a running server.
pub async fn channel(server: &Running) -> Channel {
    bankseg_common::flight::connect(&server.url())
        .await
        .expect("connect")
}

/// An AnalysisService client for a running analysis-svc.
pub async fn analysis_client(server: &Running) -> AnalysisServiceClient<Channel> {
    AnalysisServiceClient::new(channel(server).await).max_decoding_message_size(64 * 1024 * 1024)
}

/// Reads a whole plain Flight table `<table>/<id>` from analysis-svc.
pub async fn read_table(server: &Running, table: &str, id: &str) -> Vec<RecordBatch> {
    let client = bankseg_common::flight::client(channel(server).await, 64 * 1024 * 1024);
    let mut client = client;
    client
        .do_get(Ticket::new(format!("{table}/{id}")))
        .await
        .expect("do_get")
        .try_collect()
        .await
        .expect("read table")
}

/// Rows in `batches`.
pub fn row_count(batches: &[RecordBatch]) -> u64 {
    batches.iter().map(|b| b.num_rows() as u64).sum()
}
