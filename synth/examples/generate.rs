//! Writes a synthetic bank export and reports how long it took.
//!
//! Usage:
//!
//! ```text
//! cargo run --release -p bankseg-synth --example generate -- [ROWS] [SEED] [OUT]
//! ```
//!
//! `ROWS` defaults to 10,000, `SEED` to the demo bank's seed, `OUT` to standard output (`-`).
//! The summary and the throughput go to standard error. `synth/bench.sh` runs it for 10 million
//! rows under `/usr/bin/time -v` to measure peak memory.

use std::fs::File;
use std::io::{self, Write};
use std::time::Instant;

use bankseg_synth::{GeneratorConfig, demo_bank, write_csv};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let demo = demo_bank();
    let rows = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(demo.rows);
    let seed = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(demo.seed);
    let out_path = args.next().unwrap_or_else(|| "-".to_owned());
    let config = GeneratorConfig { rows, seed };

    let started = Instant::now();
    let summary = if out_path == "-" {
        write_csv(&config, io::stdout().lock())?
    } else {
        write_csv(&config, File::create(&out_path)?)?
    };
    let elapsed = started.elapsed().as_secs_f64();

    let mut err = io::stderr().lock();
    writeln!(err, "{summary:?}")?;
    writeln!(
        err,
        "rows={} seconds={elapsed:.2} rows_per_second={:.0}",
        summary.rows,
        summary.rows as f64 / elapsed
    )?;
    Ok(())
}
