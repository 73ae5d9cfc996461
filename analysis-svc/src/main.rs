//! `analysis-svc`: serves the analysis service until SIGTERM / SIGINT.

use clap::Parser as _;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = analysis_svc::Config::parse();
    bankseg_common::telemetry::init(config.runtime.log_format, "info");
    let listener = bankseg_common::server::bind(config.listen).await?;
    let shutdown = bankseg_common::server::shutdown_on_signals();
    analysis_svc::run(config, listener, shutdown).await?;
    Ok(())
}
