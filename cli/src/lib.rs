//! The `bankseg` command line as a library, so the integration tests drive exactly what users run.
//!
//! - `bankseg run` ([`run`]): uploads an export (or the built-in demo bank) to ingest-svc, has
//!   analysis-svc study it and report-svc render it, and writes `report.html`, `report.md`,
//!   `analysis.json`, `quality.json` and `clean.parquet`. Without endpoints it starts the three
//!   services in-process on loopback ports ([`embedded`]) and still talks to them over gRPC, so the
//!   laptop path and the cluster path are the same code ([`pipeline`]).
//! - `bankseg generate`: synthetic exports in the bank_scrooge format (crate `bankseg-synth`).

pub mod embedded;
pub mod error;
pub mod pipeline;
pub mod remote;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use error::{CliError, Result};

use bankseg_common::telemetry::LogFormat;

/// Command line of `bankseg`.
#[derive(Debug, Parser)]
#[command(
    name = "bankseg",
    version,
    about = "Churn segmentation of a bank's customer export"
)]
pub struct Cli {
    /// Format of log lines on stderr (filter with RUST_LOG).
    #[arg(long, global = true, env = "BANKSEG_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole study: ingest, analyse, report.
    Run(Box<RunArgs>),
    /// Write a synthetic export in the bank_scrooge format.
    Generate(GenerateArgs),
}

/// Report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Lang {
    /// Russian, as in the original study.
    #[default]
    Ru,
    /// English.
    En,
}

/// `bankseg run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Export to analyse: a CSV or Parquet file, or an s3:// URI read by ingest-svc. Without it (and
    /// without --input-latest) the built-in demo bank of 10,000 synthetic customers is used.
    #[arg(long, env = "BANKSEG_INPUT")]
    pub input: Option<String>,

    /// Analyse the newest object under this s3:// prefix (for scheduled jobs).
    #[arg(long, env = "BANKSEG_INPUT_LATEST", conflicts_with = "input")]
    pub input_latest: Option<String>,

    /// Directory the outputs are written to.
    #[arg(long, env = "BANKSEG_OUT", default_value = "bankseg-out")]
    pub out: PathBuf,

    /// Language of the reports.
    #[arg(long, env = "BANKSEG_LANG", value_enum, default_value_t = Lang::Ru)]
    pub lang: Lang,

    /// Analysis configuration (TOML: segments, hypotheses, slices, recommendation rules).
    #[arg(long, env = "BANKSEG_CONFIG")]
    pub config: Option<PathBuf>,

    /// Column mapping of the export (TOML); default: the bank_scrooge layout.
    #[arg(long, env = "BANKSEG_MAPPING")]
    pub mapping: Option<PathBuf>,

    /// CSV delimiter; default: detected.
    #[arg(long, env = "BANKSEG_DELIMITER")]
    pub delimiter: Option<char>,

    /// ingest-svc endpoint (with --analysis and --report: drive running services).
    #[arg(long = "ingest", env = "BANKSEG_INGEST_URL", requires_all = ["analysis_url", "report_url"])]
    pub ingest_url: Option<String>,

    /// analysis-svc endpoint.
    #[arg(long = "analysis", env = "BANKSEG_ANALYSIS_URL", requires_all = ["ingest_url", "report_url"])]
    pub analysis_url: Option<String>,

    /// report-svc endpoint.
    #[arg(long = "report", env = "BANKSEG_REPORT_URL", requires_all = ["ingest_url", "analysis_url"])]
    pub report_url: Option<String>,

    /// Also upload the outputs under this s3:// prefix (in a folder named after the analysis id).
    #[arg(long, env = "BANKSEG_PUBLISH")]
    pub publish: Option<String>,

    /// Artifact store of the in-process services; default: a temporary directory.
    #[arg(long, env = "BANKSEG_STORE")]
    pub store: Option<PathBuf>,

    /// Seconds each gRPC call may take.
    #[arg(long, env = "BANKSEG_TIMEOUT_SECS", default_value_t = 900)]
    pub timeout_secs: u64,

    /// No progress display.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `bankseg generate`.
#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    /// Number of customers.
    #[arg(long, default_value_t = 10_000)]
    pub rows: u64,
    /// Random seed; the same rows and seed give the same file.
    #[arg(long, default_value_t = 20231)]
    pub seed: u64,
    /// Output file (`-` for standard output).
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs a parsed command line.
pub async fn execute(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(args) => {
            let outputs = run(&args).await?;
            println!("{}", outputs.describe());
            Ok(())
        }
        Command::Generate(args) => generate(&args),
    }
}

/// `bankseg run`: drives running services when endpoints are given, otherwise starts them in-process.
pub async fn run(args: &RunArgs) -> Result<pipeline::Outputs> {
    match (&args.ingest_url, &args.analysis_url, &args.report_url) {
        (Some(i), Some(a), Some(r)) => {
            let endpoints = pipeline::Endpoints {
                ingest: i.clone(),
                analysis: a.clone(),
                report: r.clone(),
            };
            pipeline::run(args, &endpoints).await
        }
        _ => embedded::run(args).await,
    }
}

/// `bankseg generate`.
pub fn generate(args: &GenerateArgs) -> Result<()> {
    let config = bankseg_synth::GeneratorConfig {
        rows: args.rows,
        seed: args.seed,
    };
    let summary = if args.out.as_os_str() == "-" {
        bankseg_synth::write_csv(&config, std::io::stdout().lock())
    } else {
        let file = std::fs::File::create(&args.out)
            .map_err(|e| CliError::Usage(format!("cannot create {}: {e}", args.out.display())))?;
        bankseg_synth::write_csv(&config, file)
    }
    .map_err(|e| CliError::Internal(format!("writing {}: {e}", args.out.display())))?;
    if args.out.as_os_str() != "-" {
        eprintln!(
            "wrote {} customers ({} churned, {} missing balances) to {}",
            summary.rows,
            summary.churned,
            summary.missing_balance,
            args.out.display()
        );
    }
    Ok(())
}
