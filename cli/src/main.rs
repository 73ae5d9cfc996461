//! `bankseg`: run the churn-segmentation study end to end, or generate synthetic exports.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = bankseg::Cli::parse();
    bankseg_common::telemetry::init(cli.log_format, "warn");
    match bankseg::execute(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
