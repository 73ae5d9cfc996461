#!/usr/bin/env python3
"""Times scipy and phik on the same deterministic data as `stats/benches/stats.rs`.

Usage: python stats/golden/bench_reference.py [--sizes 10000 1000000] [--phik-sizes 10000 1000000]

Each figure is the best of `--repeat` runs (wall clock, one thread for phik: njobs=1).
"""

import argparse
import time

import numpy as np
import pandas as pd
import phik  # noqa: F401
from scipy import stats

A1 = 0.6180339887498949
A2 = 0.4142135623730951
A3 = 0.7548776662466927


def frac(i, a, b):
    return (i * a + b) % 1.0


def samples(n):
    i = np.arange(n // 2, dtype=float)
    x = np.floor(18.0 + 60.0 * (frac(i, A1, 0.1) + frac(i, A2, 0.2)) / 2.0)
    y = np.floor(19.0 + 60.0 * (frac(i, A2, 0.3) + frac(i, A3, 0.4)) / 2.0)
    return x, y


def continuous(n):
    i = np.arange(n, dtype=float)
    x = 1e5 * (frac(i, A1, 0.1) + frac(i, A3, 0.7))
    y = 0.5 * x + 5e4 * frac(i, A2, 0.2)
    return x, y


def phik_frame(n):
    u, v = continuous(n)
    i = np.arange(n, dtype=float)
    v = v.copy()
    v[np.arange(n) % 17 == 0] = np.nan
    c3 = np.array(["A", "B", "C"])[(frac(i, A3, 0.5) * 3.0).astype(int)]
    k = np.minimum((u / 2e5 * 3.0 + frac(i, A2, 0.9) * 2.0).astype(int), 4)
    c5 = np.array(["p0", "p1", "p2", "p3", "p4"])[k]
    flag = np.where(v > 1e5, "1", "0")
    return pd.DataFrame({"u": u, "v": v, "c3": c3, "c5": c5, "flag": flag})


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def fmt(s):
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    ap.add_argument("--phik-sizes", type=int, nargs="*", default=[10_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    rows = []
    for n in a.sizes:
        x, y = samples(n)
        xc, yc = continuous(n)
        rows += [
            ("mann_whitney_u", n, best(lambda: stats.mannwhitneyu(x, y), a.repeat)),
            ("welch_t", n, best(lambda: stats.ttest_ind(x, y, equal_var=False), a.repeat)),
            ("ks_2samp", n, best(lambda: stats.ks_2samp(x, y), a.repeat)),
            ("kruskal", n, best(lambda: stats.kruskal(x, y), a.repeat)),
            ("levene_median", n, best(lambda: stats.levene(x, y, center="median"), a.repeat)),
            ("pearson", n, best(lambda: stats.pearsonr(xc, yc), a.repeat)),
            ("spearman", n, best(lambda: stats.spearmanr(xc, yc), a.repeat)),
            ("normaltest", n, best(lambda: stats.normaltest(xc), a.repeat)),
            ("contingency_then_chi2", n, best(
                lambda: stats.chi2_contingency(pd.crosstab(x.astype(int) % 3, y.astype(int) % 4)),
                a.repeat)),
        ]
    for n in a.phik_sizes:
        df = phik_frame(n)
        rows.append(("phik_matrix_5cols", n, best(
            lambda: df.phik_matrix(interval_cols=["u", "v"], njobs=1, verbose=False),
            1 if n > 100_000 else a.repeat)))
    print("| function | rows | scipy/phik |")
    print("|---|---:|---:|")
    for name, n, t in rows:
        print(f"| {name} | {n:,} | {fmt(t)} |")


if __name__ == "__main__":
    main()
