//! `ingest-svc`: turns a raw bank export into the canonical customer table that analysis can trust,
//! and proves that nothing was lost on the way.
//!
//! An export (CSV or Parquet; uploaded over Arrow Flight DoPut, a file under the allowed roots, or an
//! `s3://` object) is read once by a streaming staging pass ([`stage`]) that validates it and keeps
//! every record as text with its source line; the cleaning is DataFusion SQL kept in `sql/*.sql`
//! ([`clean`]), driven by a TOML column mapping ([`mapping`]). Outputs go to the artifact store:
//! `datasets/<id>/clean.parquet`, `quarantine.parquet`, `quality.pb` and `quality.json`; the tables
//! are served over Flight ([`flight`]), the report over gRPC ([`service`]).
//!
//! The invariant `rows_read = rows_clean + rows_quarantined + exact_duplicates_removed` is checked
//! before a report is returned. See `docs/ingest.md`.

pub mod clean;
pub mod error;
pub mod flight;
pub mod mapping;
pub mod pipeline;
pub mod quality;
pub mod service;
pub mod source;
pub mod stage;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use arrow_flight::flight_service_server::FlightServiceServer;
use bankseg_common::config::RuntimeArgs;
use bankseg_common::server::{self, Running};
use bankseg_common::store::ArtifactStore;
use bankseg_proto::ingest::v1::ingest_service_server::IngestServiceServer;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;

pub use error::{Error, Result};
pub use pipeline::State;

/// Fully-qualified gRPC services this server provides (for health checks).
pub const SERVICE_NAMES: &[&str] = &[
    "bankseg.ingest.v1.IngestService",
    "arrow.flight.protocol.FlightService",
];

/// Default query-engine memory limit per ingestion, in MiB. More does not make ingestion faster
/// (see `docs/benchmarks-ingest.md`); it only lets the aggregations spill later.
pub const DEFAULT_MEMORY_LIMIT_MB: usize = 256;

/// Configuration of the ingestion service.
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "ingest-svc",
    version,
    about = "bankseg ingestion: raw bank export in, clean table, quarantine table and quality report out"
)]
pub struct Config {
    /// Address to listen on (gRPC + Arrow Flight).
    #[arg(long, env = "BANKSEG_LISTEN", default_value = "0.0.0.0:50051")]
    pub listen: SocketAddr,

    /// Shared runtime flags.
    #[command(flatten)]
    pub runtime: RuntimeArgs,

    /// Directories that local paths and file:// URIs must be under (comma-separated); anything
    /// else, symbolic links out included, is refused.
    #[arg(long, env = "BANKSEG_ALLOWED_ROOTS", value_delimiter = ',')]
    pub allowed_roots: Vec<PathBuf>,

    /// Default column mapping (TOML file); the built-in bank_scrooge layout when unset.
    #[arg(long, env = "BANKSEG_MAPPING")]
    pub mapping: Option<PathBuf>,

    /// Directory for scratch files (staged tables, spills); the system temp directory when unset.
    #[arg(long, env = "BANKSEG_INGEST_WORK_DIR")]
    pub work_dir: Option<PathBuf>,

    /// Query-engine memory limit per ingestion, in MiB (larger sorts and aggregations spill to
    /// disk); Parquet readers and writers and in-flight batches come on top of it.
    #[arg(long, env = "BANKSEG_INGEST_MEMORY_LIMIT_MB", default_value_t = DEFAULT_MEMORY_LIMIT_MB)]
    pub memory_limit_mb: usize,

    /// Largest accepted CSV field, in bytes; a longer field is an error naming its line and column.
    #[arg(long, env = "BANKSEG_INGEST_MAX_FIELD_BYTES", default_value_t = 1 << 20)]
    pub max_field_bytes: usize,

    /// Up to this many clean rows, outlier quantiles and distinct counts are exact; above it they
    /// are approximate (t-digest, HyperLogLog) so that memory stays flat.
    #[arg(long, env = "BANKSEG_INGEST_EXACT_MAX_ROWS", default_value_t = clean::DEFAULT_EXACT_MAX_ROWS)]
    pub exact_max_rows: u64,

    /// The duplicate checks (exact duplicates, repeated user ids) run on buckets of about this many
    /// valid rows, split by a hash of the user id, one bucket at a time: their memory follows this
    /// size, not the file's. Lower it together with --memory-limit-mb.
    #[arg(long, env = "BANKSEG_INGEST_BUCKET_ROWS", default_value_t = clean::DEFAULT_BUCKET_ROWS, value_parser = clap::value_parser!(u64).range(1..))]
    pub bucket_rows: u64,

    /// Ingestions run at once (each with its own memory pool); further requests wait their turn.
    #[arg(long, env = "BANKSEG_INGEST_MAX_CONCURRENT", default_value_t = 2)]
    pub max_concurrent_ingests: usize,
}

impl Config {
    /// Defaults for in-process use and tests: listens on `127.0.0.1:0`, stores under `store_dir`,
    /// no allowed roots (set [`Config::allowed_roots`] to ingest paths).
    pub fn for_tests(store_dir: &str) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            runtime: RuntimeArgs::with_store(store_dir),
            allowed_roots: Vec::new(),
            mapping: None,
            work_dir: None,
            memory_limit_mb: DEFAULT_MEMORY_LIMIT_MB,
            max_field_bytes: 1 << 20,
            exact_max_rows: clean::DEFAULT_EXACT_MAX_ROWS,
            bucket_rows: clean::DEFAULT_BUCKET_ROWS,
            max_concurrent_ingests: 2,
        }
    }

    /// The shared state the services run on.
    pub fn state(&self) -> Result<State> {
        let store = ArtifactStore::open(&self.runtime.store)?;
        let mapping = match &self.mapping {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    Error::Mapping(format!("cannot read mapping file {}: {e}", path.display()))
                })?;
                mapping::Mapping::parse(&text)?
            }
            None => mapping::Mapping::default_mapping()?,
        };
        Ok(State {
            store,
            allowed_roots: Arc::new(self.allowed_roots.clone()),
            default_mapping: Arc::new(mapping),
            work_dir: self.work_dir.clone(),
            memory_limit: self.memory_limit_mb.saturating_mul(1 << 20),
            max_field_bytes: self.max_field_bytes,
            exact_max_rows: self.exact_max_rows,
            bucket_rows: self.bucket_rows,
            permits: Arc::new(tokio::sync::Semaphore::new(
                self.max_concurrent_ingests.max(1),
            )),
        })
    }
}

/// The service's routes (IngestService + Flight), with max message sizes set on both servers.
pub async fn routes(config: &Config) -> Result<Routes> {
    let state = config.state()?;
    let max = config.runtime.max_message_bytes;
    let ingest = IngestServiceServer::new(service::Ingest::new(state.clone()))
        .max_decoding_message_size(max)
        .max_encoding_message_size(max);
    let flight = FlightServiceServer::new(flight::IngestFlight::new(state))
        .max_decoding_message_size(max)
        .max_encoding_message_size(max);
    Ok(Routes::new(ingest).add_service(flight))
}

/// Serves on `listener` until `shutdown` is cancelled.
pub async fn run(config: Config, listener: TcpListener, shutdown: CancellationToken) -> Result<()> {
    let routes = routes(&config).await?;
    let options = config.runtime.server_options("ingest-svc");
    server::serve(listener, routes, SERVICE_NAMES, &options, shutdown).await?;
    Ok(())
}

/// Binds `config.listen` and runs the service on a background task.
pub async fn spawn(config: Config) -> Result<Running> {
    let listener = server::bind(config.listen).await?;
    // Build the routes here so that configuration errors surface to the caller.
    let routes = routes(&config).await?;
    let options = config.runtime.server_options("ingest-svc");
    Ok(Running::start(listener, routes, SERVICE_NAMES, options)?)
}
