//! The analysis service of bankseg: the churn-segmentation study of one clean dataset.
//!
//! `Analyze` reads a clean customer table from ingest-svc over Arrow Flight (DoGet `clean/<id>`) plus
//! its quality report, stores the table, runs the [`engine`] on it and stores the results in the
//! artifact store under `analyses/<analysis_id>/`:
//!
//! | file | content |
//! |---|---|
//! | `analysis.pb` / `analysis.json` | the `AnalysisResult` (written last: its presence marks a complete analysis) |
//! | `customers.parquet` | the clean table the analysis ran on |
//! | `membership.parquet` | `user_id, city, segment, sub_segment, churn` |
//! | `portraits.parquet` | segment portraits |
//! | `hypotheses.parquet` | hypothesis test results |
//!
//! Everything is read back from the store, so any replica serves any analysis and results outlive a
//! restart.
//!
//! # Endpoints (one port)
//!
//! - gRPC `bankseg.analysis.v1.AnalysisService`: `Analyze`, `GetAnalysis`, `ListSegments`,
//!   `GetSegment` ([`service`]).
//! - Arrow Flight ([`flight`]): DoGet with the tickets `membership/<id>`, `customers/<id>`,
//!   `portraits/<id>` and `hypotheses/<id>`; GetFlightInfo / GetSchema with the same text as a
//!   command, or the path `[<table>, <id>]`.
//! - Arrow Flight SQL on the same Flight service ([`flight_sql`]), read-only, for pyarrow / ADBC /
//!   JDBC clients. Tables live in the catalog `bankseg`:
//!   - schema `public` (the default): `customers`, `membership`, `portraits`, `hypotheses` of the
//!     most recently completed analysis, so `SELECT * FROM membership WHERE churn` just works;
//!   - schema `a_<analysis_id>` for every stored analysis, e.g.
//!     `SELECT count(*) FROM a_0f3c….membership WHERE segment = 'products_2'`;
//!   - `information_schema` for table and column listings.
//!
//!   Only queries (`SELECT`, `WITH`, `VALUES`) run; DDL, DML, `COPY`, `CREATE EXTERNAL TABLE`,
//!   `SET` and other statements are refused with `PERMISSION_DENIED`, and no table function reads
//!   files. Every query builds its session from the store, so new analyses appear immediately.

use std::net::SocketAddr;
use std::sync::Arc;

use arrow_flight::flight_service_server::FlightServiceServer;
use bankseg_common::config::RuntimeArgs;
use bankseg_common::server::{self, Running};
use bankseg_common::store::ArtifactStore;
use bankseg_proto::analysis::v1::analysis_service_server::AnalysisServiceServer;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub mod engine;
pub mod error;
pub mod flight;
pub mod flight_sql;
pub mod query;
pub mod service;
pub mod storage;

pub use error::{Error, Result};

/// Default address of the service.
pub const DEFAULT_LISTEN: &str = "0.0.0.0:50052";

/// Fully-qualified gRPC services this server answers, for health checks.
pub const SERVICE_NAMES: &[&str] = &[
    "bankseg.analysis.v1.AnalysisService",
    "arrow.flight.protocol.FlightService",
];

/// Configuration of analysis-svc (flags with `BANKSEG_*` environment fallbacks).
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "analysis-svc",
    version,
    about = "Churn-segmentation analysis: gRPC, Arrow Flight and read-only Flight SQL"
)]
pub struct Config {
    /// Address to listen on (gRPC + Arrow Flight).
    #[arg(long, env = "BANKSEG_LISTEN", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,

    /// Flags shared by every service.
    #[command(flatten)]
    pub runtime: RuntimeArgs,

    /// ingest-svc endpoint the clean tables are read from (when a request names none).
    #[arg(
        long,
        env = "BANKSEG_INGEST_URL",
        default_value = "http://127.0.0.1:50051"
    )]
    pub ingest_url: String,

    /// Default analysis configuration (TOML file); built-in study defaults if unset.
    #[arg(long, env = "BANKSEG_ANALYSIS_CONFIG")]
    pub analysis_config: Option<std::path::PathBuf>,
}

impl Config {
    /// A configuration for tests and the embedded runner: loopback on a free port, the store in
    /// `store_dir`, ingest-svc at `ingest_url`, built-in analysis defaults.
    pub fn for_tests(store_dir: &str, ingest_url: &str) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            runtime: RuntimeArgs::with_store(store_dir),
            ingest_url: ingest_url.to_string(),
            analysis_config: None,
        }
    }
}

/// State shared by the handlers of one server.
#[derive(Debug)]
pub(crate) struct State {
    /// Where analyses are stored.
    pub store: ArtifactStore,
    /// Default ingest-svc endpoint.
    pub ingest_url: String,
    /// Largest message on every channel and server.
    pub max_message_bytes: usize,
    /// The default analysis configuration's TOML text; `None`: built-in study defaults.
    pub default_config_toml: Option<String>,
}

impl State {
    async fn from_config(config: &Config) -> Result<Self> {
        let store = ArtifactStore::open(&config.runtime.store)?;
        let default_config_toml = match &config.analysis_config {
            None => None,
            Some(path) => {
                let text = tokio::fs::read_to_string(path).await.map_err(|e| {
                    Error::InvalidConfig(format!("cannot read {}: {e}", path.display()))
                })?;
                // Fail at start-up rather than on the first request.
                engine::AnalysisConfig::from_toml(&text).map_err(|e| {
                    let message = match e {
                        engine::Error::Config(message) => message,
                        other => other.to_string(),
                    };
                    Error::InvalidConfig(format!("{}: {message}", path.display()))
                })?;
                Some(text)
            }
        };
        Ok(Self {
            store,
            ingest_url: config.ingest_url.clone(),
            max_message_bytes: config.runtime.max_message_bytes,
            default_config_toml,
        })
    }
}

/// The service's routes (control plane + Flight / Flight SQL), with max message sizes set on every
/// generated server.
pub async fn routes(config: &Config) -> Result<tonic::service::Routes> {
    let state = Arc::new(State::from_config(config).await?);
    let max = state.max_message_bytes;
    let analysis = AnalysisServiceServer::new(service::Analysis::new(Arc::clone(&state)))
        .max_decoding_message_size(max)
        .max_encoding_message_size(max);
    let flight = FlightServiceServer::new(flight::AnalysisFlight::new(Arc::clone(&state))?)
        .max_decoding_message_size(max)
        .max_encoding_message_size(max);
    Ok(tonic::service::Routes::new(analysis).add_service(flight))
}

/// Serves on `listener` until `shutdown` is cancelled.
pub async fn run(config: Config, listener: TcpListener, shutdown: CancellationToken) -> Result<()> {
    let routes = routes(&config).await?;
    let options = config.runtime.server_options("analysis-svc");
    server::serve(listener, routes, SERVICE_NAMES, &options, shutdown).await?;
    Ok(())
}

/// Binds `config.listen` and runs the server on a background task.
pub async fn spawn(config: Config) -> Result<Running> {
    let listener = server::bind(config.listen).await?;
    // Build the routes before returning, so configuration errors surface here.
    let routes = routes(&config).await?;
    let options = config.runtime.server_options("analysis-svc");
    Ok(Running::start(listener, routes, SERVICE_NAMES, options)?)
}
