//! Ingests one local file without a server and prints its quality report as JSON.
//!
//! ```text
//! cargo run --release -p ingest-svc --example ingest_file -- FILE [STORE_DIR] [MAPPING_TOML]
//! ```
//!
//! The file's directory is the allowed root. Exit status: 0 on success, 2 for bad input, 1 for other
//! failures. `bench/ingest/run.sh` runs it under `/usr/bin/time -v` to measure peak memory.

use std::path::PathBuf;

use bankseg_proto::ingest::v1::{IngestRequest, ingest_request};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(file) = args.next() else {
        eprintln!("usage: ingest_file FILE [STORE_DIR] [MAPPING_TOML]");
        std::process::exit(2);
    };
    let store = args.next().unwrap_or_else(|| "./bankseg-data".into());
    let mapping_toml = match args.next() {
        Some(path) => std::fs::read_to_string(path)?,
        None => String::new(),
    };
    let file = std::fs::canonicalize(PathBuf::from(&file))?;
    let mut config = ingest_svc::Config::for_tests(&store);
    config.allowed_roots = file
        .parent()
        .map(|p| vec![p.to_path_buf()])
        .unwrap_or_default();
    if let Ok(mb) = std::env::var("BANKSEG_INGEST_MEMORY_LIMIT_MB") {
        config.memory_limit_mb = mb.parse()?;
    }
    let state = config.state()?;
    let request = IngestRequest {
        source: Some(ingest_request::Source::Path(file.display().to_string())),
        mapping_toml,
        ..Default::default()
    };
    let started = std::time::Instant::now();
    match ingest_svc::pipeline::ingest(&state, &request).await {
        Ok(report) => {
            let seconds = started.elapsed().as_secs_f64();
            println!("{}", serde_json::to_string_pretty(&report)?);
            eprintln!(
                "ingested {} rows in {seconds:.2} s ({:.0} rows/s)",
                report.rows_read,
                report.rows_read as f64 / seconds
            );
            Ok(())
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(e.exit_code());
        }
    }
}
