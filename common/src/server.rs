//! The one place where bankseg gRPC servers are built.
//!
//! [`serve`] adds what every service must have — `grpc.health.v1.Health`, server reflection, a
//! request timeout, and a graceful drain on shutdown — around the service's own routes. The services
//! set their message limits on their generated servers with [`ServerOptions::max_message_bytes`]. TLS
//! and authentication will be added here, once, for all of them.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use tonic::transport::Server;
use tonic_health::ServingStatus;
use tracing::{info, warn};

use crate::{Error, Result};

/// How a server is run.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Service name for logs ("ingest-svc", ...).
    pub name: &'static str,
    /// Largest message accepted or sent by the service's servers.
    pub max_message_bytes: usize,
    /// Upper bound on any request.
    pub request_timeout: Duration,
    /// Time in-flight requests get to finish after shutdown starts.
    pub shutdown_grace: Duration,
}

/// Binds a listener; `127.0.0.1:0` picks a free port (read it back with `local_addr`).
pub async fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| Error::Config(format!("cannot listen on {addr}: {e}")))
}

/// A token cancelled on the first SIGTERM or SIGINT.
pub fn shutdown_on_signals() -> CancellationToken {
    let token = CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        info!("shutdown signal received, draining in-flight requests");
        cancel.cancel();
    });
    token
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(e) => {
            warn!(error = %e, "cannot listen for SIGTERM, only SIGINT stops the server");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

/// Serves `routes`, plus health (SERVING for the server and for each of `service_names`) and
/// reflection, on `listener` until `shutdown` is cancelled; then reports NOT_SERVING, stops accepting,
/// and lets in-flight requests finish for at most [`ServerOptions::shutdown_grace`].
pub async fn serve(
    listener: TcpListener,
    routes: Routes,
    service_names: &[&str],
    options: &ServerOptions,
    shutdown: CancellationToken,
) -> Result<()> {
    let (reporter, health) = tonic_health::server::health_reporter();
    reporter
        .set_service_status("", ServingStatus::Serving)
        .await;
    for name in service_names {
        reporter
            .set_service_status(*name, ServingStatus::Serving)
            .await;
    }
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(bankseg_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()
        .map_err(|e| Error::Config(format!("reflection service: {e}")))?;

    let local = listener.local_addr()?;
    info!(service = options.name, addr = %local, "serving gRPC");
    let routes = routes.add_service(health).add_service(reflection);

    let drain = shutdown.clone();
    let names: Vec<String> = service_names.iter().map(|s| s.to_string()).collect();
    let server = Server::builder()
        .timeout(options.request_timeout)
        .http2_keepalive_interval(Some(Duration::from_secs(30)))
        .add_routes(routes)
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), async move {
            drain.cancelled().await;
            reporter
                .set_service_status("", ServingStatus::NotServing)
                .await;
            for name in &names {
                reporter
                    .set_service_status(name, ServingStatus::NotServing)
                    .await;
            }
        });
    tokio::pin!(server);
    tokio::select! {
        result = &mut server => result?,
        _ = async {
            shutdown.cancelled().await;
            tokio::time::sleep(options.shutdown_grace).await;
        } => {
            warn!(service = options.name, grace = ?options.shutdown_grace, "requests still running after the grace period, stopping anyway");
        }
    }
    info!(service = options.name, "stopped");
    Ok(())
}

/// A server running on a background task, as the embedded runner and tests use them.
#[derive(Debug)]
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Cancel to shut it down.
    pub shutdown: CancellationToken,
    /// Completes when the server has stopped.
    pub task: tokio::task::JoinHandle<Result<()>>,
}

impl Running {
    /// Serves `routes` on `listener` on a background task, as [`serve`] does in the foreground.
    pub fn start(
        listener: TcpListener,
        routes: Routes,
        service_names: &'static [&'static str],
        options: ServerOptions,
    ) -> Result<Self> {
        let addr = listener.local_addr()?;
        let shutdown = CancellationToken::new();
        let token = shutdown.clone();
        let task =
            tokio::spawn(
                async move { serve(listener, routes, service_names, &options, token).await },
            );
        Ok(Self {
            addr,
            shutdown,
            task,
        })
    }

    /// `http://addr`, for clients.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Starts shutdown and waits for the server to drain.
    pub async fn stop(self) -> Result<()> {
        self.shutdown.cancel();
        match self.task.await {
            Ok(r) => r,
            Err(e) => Err(Error::Config(format!("server task failed: {e}"))),
        }
    }
}
