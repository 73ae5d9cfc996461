//! `ingest-svc` binary: parse the configuration, start logging, serve until SIGTERM/SIGINT.

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = ingest_svc::Config::parse();
    bankseg_common::telemetry::init(config.runtime.log_format, "info");
    let listener = bankseg_common::server::bind(config.listen).await?;
    let shutdown = bankseg_common::server::shutdown_on_signals();
    if let Err(e) = ingest_svc::run(config, listener, shutdown).await {
        tracing::error!(error = %e, "ingest-svc failed");
        std::process::exit(e.exit_code());
    }
    Ok(())
}
