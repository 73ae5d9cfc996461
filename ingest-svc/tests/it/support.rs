//! Test server, generated fixtures and client calls.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{BinaryArray, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema};
use arrow_flight::encode::FlightDataEncoderBuilder;
use arrow_flight::{FlightClient, FlightDescriptor};
use bankseg_common::flight::TableTicket;
use bankseg_common::server::Running;
use bankseg_proto::ingest::v1::ingest_service_client::IngestServiceClient;
use bankseg_proto::ingest::v1::{IngestRequest, IngestResponse, ingest_request};
use futures::{StreamExt, TryStreamExt};
use tempfile::TempDir;
use tonic::transport::Channel;

pub const HEADER: &str = "USERID,score,city,gender,age,equity,balance,products,credit_card,last_activity,EST_SALARY,churn";
pub const ENGLISH_HEADER: &str = "customer_id,credit_score,branch,sex,age,account_balance,num_products,has_credit_card,active_last_month,estimated_salary,exited,branch_code";

/// One generated customer.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: u32,
    pub score: u32,
    pub city: usize,
    pub male: bool,
    pub age: Option<u32>,
    pub equity: u32,
    pub balance: Option<String>,
    pub products: u32,
    pub credit_card: bool,
    pub last_activity: bool,
    pub salary: String,
    pub churn: bool,
}

const CITIES_RU: [&str; 3] = ["Ярославль", "Рыбинск", "Ростов"];
const CITIES_EN: [&str; 3] = ["Yaroslavl", "Rybinsk", "Rostov"];

/// 33 generated rows: 30 regular ones (6 without balance, 1 without age), then one with
/// `products = 0` (line 32), one reusing the id of row 1 in another city (line 33) and an exact
/// duplicate of row 2 (line 34).
pub fn rows() -> Vec<Row> {
    let mut rows: Vec<Row> = (0..30u32)
        .map(|i| Row {
            id: 500_000 + i * 7,
            score: 700 + (i * 13) % 250,
            city: (i % 3) as usize,
            male: i % 2 == 0,
            age: (i != 4).then_some(20 + (i * 7) % 50),
            equity: i % 6,
            balance: (i % 5 != 0).then(|| format!("{}.{:02}", 10_000 + i * 3_571, i)),
            products: 1 + i % 4,
            credit_card: i % 2 == 1,
            last_activity: (i / 2) % 2 == 1,
            salary: format!("{}.50", 40_000 + i * 1_234),
            churn: i % 4 == 0,
        })
        .collect();
    let mut zero_products = rows[3].clone();
    zero_products.id = 600_001;
    zero_products.products = 0;
    rows.push(zero_products);
    let mut same_id = rows[1].clone();
    same_id.city = (rows[1].city + 1) % 3;
    same_id.score = 611;
    rows.push(same_id);
    rows.push(rows[2].clone());
    rows
}

fn flag(b: bool) -> &'static str {
    if b { "1" } else { "0" }
}

fn yes(b: bool) -> &'static str {
    if b { "Yes" } else { "No" }
}

/// The bank_scrooge layout of `rows`.
pub fn csv(rows: &[Row]) -> String {
    let mut out = String::from(HEADER);
    out.push('\n');
    for r in rows {
        out.push_str(&format!(
            "{},{}.0,{},{},{},{},{},{},{},{},{},{}\n",
            r.id,
            r.score,
            CITIES_RU[r.city],
            if r.male { "М" } else { "Ж" },
            r.age.map(|a| format!("{a}.0")).unwrap_or_default(),
            r.equity,
            r.balance.clone().unwrap_or_default(),
            r.products,
            flag(r.credit_card),
            flag(r.last_activity),
            r.salary,
            flag(r.churn)
        ));
    }
    out
}

/// An English-language export of `rows`: other names, Male/Female, Yes/No, no equity column, one
/// extra column.
pub fn english_csv(rows: &[Row]) -> String {
    let mut out = String::from(ENGLISH_HEADER);
    out.push('\n');
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},B{:03}\n",
            r.id,
            r.score,
            CITIES_EN[r.city],
            if r.male { "Male" } else { "Female" },
            r.age.map(|a| a.to_string()).unwrap_or_default(),
            r.balance.clone().unwrap_or_default(),
            r.products,
            yes(r.credit_card),
            yes(r.last_activity),
            r.salary,
            yes(r.churn),
            r.id % 1000
        ));
    }
    out
}

/// A running server with a data directory it may read.
pub struct Harness {
    pub data: TempDir,
    pub store: TempDir,
    pub server: Running,
    pub client: IngestServiceClient<Channel>,
}

impl Harness {
    pub async fn start() -> Self {
        let data = tempfile::tempdir().unwrap();
        let store = tempfile::tempdir().unwrap();
        Self::start_with(data, store, Vec::new()).await
    }

    /// A server with the test defaults changed by `tune`.
    pub async fn start_tuned(tune: impl FnOnce(&mut ingest_svc::Config)) -> Self {
        let data = tempfile::tempdir().unwrap();
        let store = tempfile::tempdir().unwrap();
        let mut config = ingest_svc::Config::for_tests(store.path().to_str().unwrap());
        config.allowed_roots = vec![data.path().to_path_buf()];
        tune(&mut config);
        Self::start_config(data, store, config).await
    }

    /// A server that may also read under `extra_roots`.
    pub async fn start_with(data: TempDir, store: TempDir, extra_roots: Vec<PathBuf>) -> Self {
        let mut config = ingest_svc::Config::for_tests(store.path().to_str().unwrap());
        config.allowed_roots = vec![data.path().to_path_buf()];
        config.allowed_roots.extend(extra_roots);
        Self::start_config(data, store, config).await
    }

    /// A server with `config` (its allowed roots should include `data`).
    pub async fn start_config(data: TempDir, store: TempDir, config: ingest_svc::Config) -> Self {
        let server = ingest_svc::spawn(config).await.unwrap();
        let channel = bankseg_common::flight::connect(&server.url())
            .await
            .unwrap();
        let client = IngestServiceClient::new(channel)
            .max_decoding_message_size(64 << 20)
            .max_encoding_message_size(64 << 20);
        Self {
            data,
            store,
            server,
            client,
        }
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.data.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    pub async fn ingest(&self, request: IngestRequest) -> Result<IngestResponse, tonic::Status> {
        self.client
            .clone()
            .ingest(request)
            .await
            .map(|r| r.into_inner())
    }

    pub async fn ingest_path(&self, path: &Path) -> Result<IngestResponse, tonic::Status> {
        self.ingest(path_request(path)).await
    }

    /// Asserts the server still ingests a good file after a failure.
    pub async fn assert_still_serves(&self) {
        let path = self.write("good-after-error.csv", csv(&rows()));
        let response = self
            .ingest_path(&path)
            .await
            .expect("good file after an error");
        let quality = response.quality.unwrap();
        assert_eq!(quality.rows_read, 33);
        assert_eq!(quality.rows_clean, 31);
    }

    pub async fn flight(&self) -> FlightClient {
        let channel = bankseg_common::flight::connect(&self.server.url())
            .await
            .unwrap();
        bankseg_common::flight::client(channel, 64 << 20)
    }

    /// Fetches a whole table over Flight.
    pub async fn fetch(&self, table: &str, id: &str) -> Vec<RecordBatch> {
        let channel = bankseg_common::flight::connect(&self.server.url())
            .await
            .unwrap();
        bankseg_common::flight::fetch(channel, 64 << 20, &TableTicket::new(table, id))
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap()
    }

    /// Uploads `bytes` over DoPut as `{chunk: Binary}` messages of `chunk` bytes; returns the id.
    pub async fn upload(&self, name: &str, bytes: &[u8], chunk: usize) -> String {
        let schema = Arc::new(Schema::new(vec![Field::new(
            "chunk",
            DataType::Binary,
            false,
        )]));
        let batches: Vec<_> = bytes
            .chunks(chunk)
            .map(|c| {
                Ok(RecordBatch::try_new(
                    Arc::clone(&schema),
                    vec![Arc::new(BinaryArray::from(vec![c]))],
                )
                .unwrap())
            })
            .collect();
        let data = FlightDataEncoderBuilder::new()
            .with_schema(schema)
            .with_flight_descriptor(Some(FlightDescriptor::new_path(vec![
                "upload".into(),
                name.into(),
            ])))
            .build(futures::stream::iter(batches));
        let mut client = self.flight().await;
        let mut results = client.do_put(data).await.unwrap();
        let result = results.next().await.unwrap().unwrap();
        String::from_utf8(result.app_metadata.to_vec()).unwrap()
    }
}

pub fn path_request(path: &Path) -> IngestRequest {
    IngestRequest {
        source: Some(ingest_request::Source::Path(path.display().to_string())),
        ..Default::default()
    }
}

pub fn total_rows(batches: &[RecordBatch]) -> usize {
    batches.iter().map(|b| b.num_rows()).sum()
}
