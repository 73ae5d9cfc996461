//! report-svc: turns an analysis into documents a retention team reads and machines parse.
//!
//! `ReportService.Render(analysis_id, format, language)` fetches the `AnalysisResult` from
//! analysis-svc, renders it off the async workers ([`render::render`], pure and I/O-free) as
//!
//! - HTML: one self-contained file (inline CSS, inline SVG charts drawn with plotters, a table of
//!   contents, a print stylesheet, and a small inline script for the dashboard filters);
//! - Markdown: the same sections and tables, charts as SVG files beside it;
//! - JSON: the analysis in the versioned schema `schema/analysis.schema.json`,
//!
//! in Russian (default) or English, stores it under `reports/<report_id>/` and returns it;
//! `GetReport` reads it back. The same process serves stored reports over plain HTTP on
//! `--http-listen` at `/reports/{id}` ([`http`]), so a team can browse the HTML report as a
//! dashboard.
//!
//! [`run`] serves gRPC on the given listener and the dashboard on `config.http_listen`, both until
//! the shutdown token is cancelled. [`spawn`] binds both and returns the gRPC [`Running`] handle,
//! like every bankseg service (its shutdown token stops the dashboard too);
//! [`spawn_with_dashboard`] returns a [`ReportRunning`] that also carries the dashboard's address.

pub mod error;
pub mod http;
pub mod render;
pub mod service;
pub mod testing;

use std::net::SocketAddr;

use bankseg_common::config::RuntimeArgs;
use bankseg_common::server::{Running, bind, serve};
use bankseg_common::store::ArtifactStore;
use bankseg_proto::report::v1::report_service_server::ReportServiceServer;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub use error::{Error, Result};

/// Fully-qualified gRPC services this server answers (for health checks).
pub const SERVICE_NAMES: &[&str] = &["bankseg.report.v1.ReportService"];

/// Configuration of report-svc.
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "report-svc",
    version,
    about = "Renders bankseg analyses as HTML, Markdown and JSON reports and serves them as a dashboard"
)]
pub struct Config {
    /// Address to listen on (gRPC).
    #[arg(long, env = "BANKSEG_LISTEN", default_value = "0.0.0.0:50053")]
    pub listen: SocketAddr,

    #[command(flatten)]
    pub runtime: RuntimeArgs,

    /// analysis-svc endpoint analyses are fetched from (a request may name another one).
    #[arg(
        long,
        env = "BANKSEG_ANALYSIS_URL",
        default_value = "http://127.0.0.1:50052"
    )]
    pub analysis_url: String,

    /// Address of the HTTP dashboard (stored reports at `/reports/{id}`).
    #[arg(long, env = "BANKSEG_HTTP_LISTEN", default_value = "0.0.0.0:8080")]
    pub http_listen: SocketAddr,
}

impl Config {
    /// Loopback configuration on free ports over the store `store_dir`, fetching analyses from
    /// `analysis_url`.
    pub fn for_tests(store_dir: &str, analysis_url: &str) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            runtime: RuntimeArgs::with_store(store_dir),
            analysis_url: analysis_url.to_string(),
            http_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }
}

/// The service's gRPC routes, with message limits set on the generated server.
pub async fn routes(config: &Config) -> Result<tonic::service::Routes> {
    let store = ArtifactStore::open(&config.runtime.store)?;
    let channel = bankseg_common::flight::connect_lazy(&config.analysis_url)?;
    let max = config.runtime.max_message_bytes;
    let server = ReportServiceServer::new(service::Reports::new(store, channel, max))
        .max_decoding_message_size(max)
        .max_encoding_message_size(max);
    Ok(tonic::service::Routes::new(server))
}

/// Serves gRPC on `listener` and the dashboard on `config.http_listen` until `shutdown` is
/// cancelled.
pub async fn run(config: Config, listener: TcpListener, shutdown: CancellationToken) -> Result<()> {
    let http = bind(config.http_listen).await?;
    run_with_http(config, listener, http, shutdown).await
}

/// Like [`run`], with the dashboard's listener already bound.
pub async fn run_with_http(
    config: Config,
    grpc: TcpListener,
    http: TcpListener,
    shutdown: CancellationToken,
) -> Result<()> {
    let store = ArtifactStore::open(&config.runtime.store)?;
    let routes = routes(&config).await?;
    let options = config.runtime.server_options("report-svc");
    // Either server failing stops the other.
    let stop = shutdown.child_token();
    let grpc_task = async {
        let result = serve(grpc, routes, SERVICE_NAMES, &options, stop.clone())
            .await
            .map_err(Error::from);
        stop.cancel();
        result
    };
    let http_task = async {
        let result = http::serve(http, store, stop.clone()).await;
        stop.cancel();
        result
    };
    let (grpc_result, http_result) = tokio::join!(grpc_task, http_task);
    grpc_result?;
    http_result
}

/// report-svc running on a background task: the gRPC server handle and the dashboard's address.
#[derive(Debug)]
pub struct ReportRunning {
    /// The gRPC server (its `shutdown` token also stops the dashboard).
    pub grpc: Running,
    /// Where the HTTP dashboard listens.
    pub http_addr: SocketAddr,
}

impl ReportRunning {
    /// `http://addr` of the gRPC server, for clients.
    pub fn url(&self) -> String {
        self.grpc.url()
    }

    /// `http://addr/reports/<report_id>` on the dashboard.
    pub fn report_url(&self, report_id: &str) -> String {
        format!("http://{}/reports/{report_id}", self.http_addr)
    }

    /// Starts shutdown of both servers and waits for them to drain.
    pub async fn stop(self) -> Result<()> {
        Ok(self.grpc.stop().await?)
    }
}

/// Binds `config.listen` and `config.http_listen` and runs both servers on a background task; the
/// returned handle's `shutdown` token stops both. Use [`spawn_with_dashboard`] to learn the
/// dashboard's address when `http_listen` has port 0.
pub async fn spawn(config: Config) -> Result<Running> {
    Ok(spawn_with_dashboard(config).await?.grpc)
}

/// Like [`spawn`], returning the dashboard's bound address too.
pub async fn spawn_with_dashboard(config: Config) -> Result<ReportRunning> {
    let grpc = bind(config.listen).await?;
    let http = bind(config.http_listen).await?;
    let addr = grpc.local_addr().map_err(bankseg_common::Error::from)?;
    let http_addr = http.local_addr()?;
    let shutdown = CancellationToken::new();
    let token = shutdown.clone();
    let task = tokio::spawn(async move {
        run_with_http(config, grpc, http, token)
            .await
            .map_err(|e| bankseg_common::Error::Config(format!("report-svc: {e}")))
    });
    Ok(ReportRunning {
        grpc: Running {
            addr,
            shutdown,
            task,
        },
        http_addr,
    })
}
