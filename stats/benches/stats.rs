//! Benchmarks of every test and of the phi_K matrix at 10k, 1M and (for the aggregated paths)
//! 10M rows.
//!
//! ```text
//! CARGO_TARGET_DIR=/root/.cache/bankseg-stats-target cargo bench -p bankseg-stats --bench stats -- --quick
//! ```
//!
//! The data are the deterministic sequences of `stats/golden/bench_reference.py`, which times
//! scipy and phik on the same values.

use std::hint::black_box;

use bankseg_stats::phik::{PhikColumn, PhikData, phik_matrix};
use bankseg_stats::{
    Alternative, ContingencyTable, ValueCounts, chi2_contingency, kruskal, kruskal_counts,
    ks_2samp, ks_2samp_counts, levene_median, mann_whitney_u, mann_whitney_u_counts, normality,
    pearson, spearman, t_test,
};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

const A1: f64 = 0.618_033_988_749_894_9;
const A2: f64 = 0.414_213_562_373_095_1;
const A3: f64 = 0.754_877_666_246_692_7;

fn frac(i: usize, a: f64, b: f64) -> f64 {
    (i as f64 * a + b) % 1.0
}

/// Two samples of `n / 2` values each: ages-like integers with many ties (shifted second group).
fn samples(n: usize) -> (Vec<f64>, Vec<f64>) {
    let h = n / 2;
    let x = (0..h)
        .map(|i| (18.0 + 60.0 * (frac(i, A1, 0.1) + frac(i, A2, 0.2)) / 2.0).floor())
        .collect();
    let y = (0..h)
        .map(|i| (19.0 + 60.0 * (frac(i, A2, 0.3) + frac(i, A3, 0.4)) / 2.0).floor())
        .collect();
    (x, y)
}

/// Continuous values (salary-like) for the correlation and normality benchmarks.
fn continuous(n: usize) -> (Vec<f64>, Vec<f64>) {
    let x: Vec<f64> = (0..n)
        .map(|i| 1e5 * (frac(i, A1, 0.1) + frac(i, A3, 0.7)))
        .collect();
    let y = x
        .iter()
        .enumerate()
        .map(|(i, v)| 0.5 * v + 5e4 * frac(i, A2, 0.2))
        .collect();
    (x, y)
}

fn phik_columns(n: usize) -> Vec<PhikColumn> {
    let (u, v) = continuous(n);
    let cat3 = ["A", "B", "C"];
    let cat5 = ["p0", "p1", "p2", "p3", "p4"];
    let col = |name: &str, data| PhikColumn {
        name: name.into(),
        data,
        bins: 10,
    };
    vec![
        col(
            "u",
            PhikData::Interval(u.iter().map(|x| Some(*x)).collect()),
        ),
        col(
            "v",
            PhikData::Interval(
                v.iter()
                    .enumerate()
                    .map(|(i, x)| (i % 17 != 0).then_some(*x))
                    .collect(),
            ),
        ),
        col(
            "c3",
            PhikData::Categorical(
                (0..n)
                    .map(|i| Some(cat3[(frac(i, A3, 0.5) * 3.0) as usize].to_string()))
                    .collect(),
            ),
        ),
        col(
            "c5",
            PhikData::Categorical(
                u.iter()
                    .enumerate()
                    .map(|(i, x)| {
                        let k = ((x / 2e5 * 3.0 + frac(i, A2, 0.9) * 2.0) as usize).min(4);
                        Some(cat5[k].to_string())
                    })
                    .collect(),
            ),
        ),
        col(
            "flag",
            PhikData::Categorical(
                v.iter()
                    .map(|x| Some(if *x > 1e5 { "1" } else { "0" }.to_string()))
                    .collect(),
            ),
        ),
    ]
}

fn two_sample_tests(c: &mut Criterion) {
    let mut g = c.benchmark_group("two_sample");
    g.sample_size(10);
    for n in [10_000usize, 1_000_000, 10_000_000] {
        let (x, y) = samples(n);
        g.bench_with_input(BenchmarkId::new("mann_whitney_u", n), &n, |b, _| {
            b.iter(|| mann_whitney_u(black_box(&x), black_box(&y), Alternative::TwoSided))
        });
        g.bench_with_input(BenchmarkId::new("welch_t", n), &n, |b, _| {
            b.iter(|| {
                t_test(
                    black_box(&x),
                    black_box(&y),
                    false,
                    Alternative::TwoSided,
                    0.95,
                )
            })
        });
        g.bench_with_input(BenchmarkId::new("ks_2samp", n), &n, |b, _| {
            b.iter(|| ks_2samp(black_box(&x), black_box(&y), Alternative::TwoSided))
        });
        g.bench_with_input(BenchmarkId::new("kruskal", n), &n, |b, _| {
            b.iter(|| kruskal(black_box(&[&x, &y])))
        });
        g.bench_with_input(BenchmarkId::new("levene_median", n), &n, |b, _| {
            b.iter(|| levene_median(black_box(&[&x, &y])))
        });
    }
    g.finish();
}

fn aggregated_paths(c: &mut Criterion) {
    let mut g = c.benchmark_group("aggregated");
    g.sample_size(10);
    for n in [10_000usize, 1_000_000, 10_000_000] {
        let (x, y) = samples(n);
        g.bench_with_input(BenchmarkId::new("value_counts_build", n), &n, |b, _| {
            b.iter(|| {
                let mut vx = ValueCounts::new();
                for chunk in x.chunks(65_536) {
                    vx.add_values(chunk).expect("finite");
                }
                vx
            })
        });
        let vx = ValueCounts::from_values(&x).expect("finite");
        let vy = ValueCounts::from_values(&y).expect("finite");
        g.bench_with_input(BenchmarkId::new("mann_whitney_u_counts", n), &n, |b, _| {
            b.iter(|| mann_whitney_u_counts(black_box(&vx), black_box(&vy), Alternative::TwoSided))
        });
        let groups = [vx.clone(), vy.clone()];
        g.bench_with_input(BenchmarkId::new("kruskal_counts", n), &n, |b, _| {
            b.iter(|| kruskal_counts(black_box(&groups)))
        });
        g.bench_with_input(BenchmarkId::new("ks_2samp_counts", n), &n, |b, _| {
            b.iter(|| ks_2samp_counts(black_box(&vx), black_box(&vy), Alternative::TwoSided))
        });
        let rows: Vec<u32> = x.iter().map(|v| (*v as u32) % 3).collect();
        let cols: Vec<u32> = y.iter().map(|v| (*v as u32) % 4).collect();
        g.bench_with_input(BenchmarkId::new("contingency_then_chi2", n), &n, |b, _| {
            b.iter(|| {
                let mut counts = vec![0u64; 12];
                for (r, c) in rows.iter().zip(&cols) {
                    counts[(*r * 4 + *c) as usize] += 1;
                }
                let t = ContingencyTable::from_counts(3, 4, counts).expect("shape");
                chi2_contingency(&t, true)
            })
        });
        if n <= 1_000_000 {
            continue;
        }
        g.bench_with_input(BenchmarkId::new("welch_t", n), &n, |b, _| {
            b.iter(|| {
                t_test(
                    black_box(&x),
                    black_box(&y),
                    false,
                    Alternative::TwoSided,
                    0.95,
                )
            })
        });
    }
    g.finish();
}

fn correlations(c: &mut Criterion) {
    let mut g = c.benchmark_group("correlation");
    g.sample_size(10);
    for n in [10_000usize, 1_000_000, 10_000_000] {
        let (x, y) = continuous(n);
        g.bench_with_input(BenchmarkId::new("pearson", n), &n, |b, _| {
            b.iter(|| pearson(black_box(&x), black_box(&y)))
        });
        g.bench_with_input(BenchmarkId::new("spearman", n), &n, |b, _| {
            b.iter(|| spearman(black_box(&x), black_box(&y)))
        });
        g.bench_with_input(BenchmarkId::new("normaltest", n), &n, |b, _| {
            b.iter(|| normality(black_box(&x)))
        });
        if n <= 1_000_000 {
            let cols = phik_columns(n);
            g.bench_with_input(BenchmarkId::new("phik_matrix_5cols", n), &n, |b, _| {
                b.iter(|| phik_matrix(black_box(&cols)))
            });
        }
    }
    g.finish();
}

/// The phi_K matrix on 10 million raw rows (binning, pair tables, inversion, significance).
fn phik_at_scale(c: &mut Criterion) {
    let mut g = c.benchmark_group("correlation");
    g.sample_size(10);
    let n = 10_000_000usize;
    let cols = phik_columns(n);
    g.bench_with_input(BenchmarkId::new("phik_matrix_5cols", n), &n, |b, _| {
        b.iter(|| phik_matrix(black_box(&cols)))
    });
    g.finish();
}

criterion_group!(
    benches,
    two_sample_tests,
    aggregated_paths,
    correlations,
    phik_at_scale
);
criterion_main!(benches);
