//! A million rows stream through a counting sink with the same counts the summary reports.

use std::io::{self, Write};

use bankseg_synth::{GeneratorConfig, write_csv};

/// Counts bytes and line breaks, stores nothing.
struct Counter<W> {
    inner: W,
    bytes: u64,
    lines: u64,
}

impl<W: Write> Write for Counter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        self.lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[test]
fn a_million_rows_stream_to_a_sink() {
    let mut counter = Counter {
        inner: io::sink(),
        bytes: 0,
        lines: 0,
    };
    let config = GeneratorConfig {
        rows: 1_000_000,
        seed: 42,
    };
    let summary = write_csv(&config, &mut counter).unwrap();
    assert_eq!(summary.rows, 1_000_000);
    assert_eq!(counter.lines, 1_000_001);
    // About 70 bytes a row (Cyrillic city names are two bytes a letter).
    assert!(
        (55_000_000..85_000_000).contains(&counter.bytes),
        "{}",
        counter.bytes
    );
    assert_eq!(summary.products_zero, 100);
    let churn = summary.churned as f64 / 1e6;
    assert!((0.178..=0.186).contains(&churn), "{churn}");
    let pairs_per_10k = summary.duplicate_id_rows as f64 / 2.0 / 100.0;
    assert!((70.0..=76.0).contains(&pairs_per_10k), "{pairs_per_10k}");
}
