//! report-svc binary: `report-svc --help` lists the flags (each also read from `BANKSEG_*`).

use clap::Parser;

use bankseg_common::server::{bind, shutdown_on_signals};
use bankseg_common::telemetry;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = report_svc::Config::parse();
    telemetry::init(config.runtime.log_format, "info");
    let listener = bind(config.listen).await?;
    report_svc::run(config, listener, shutdown_on_signals()).await?;
    Ok(())
}
