#!/usr/bin/env python3
"""Reference values for bankseg-stats, computed with scipy, statsmodels and phik.

Usage (from the repository root):

    pip install -r stats/golden/requirements.txt
    python stats/golden/make_golden.py --data ../shared/data/bank_scrooge.csv \
        --out stats/tests/golden.json

The output holds
  * "cases": synthetic inputs (ties, tiny samples, zero variance, all-equal, empty, NaN, large
    generated samples) with scipy's results, or "error": true where the Rust side must refuse
    the input (scipy raises or returns NaN);
  * "real": results on the customer file. Only numbers computed from the file are stored, never
    its rows; the Rust tests re-read the file from BANKSEG_REAL_DATA.

Conventions for the real file:
  * empty fields are missing and are dropped (per column for one-sample statistics, per pair
    for correlations and phi_K);
  * "products" groups: 0 is excluded and 5 is merged into 4 ("four or more");
  * phi_K uses interval_cols = ["score", "age", "balance", "EST_SALARY"], bins=10, every other
    column categorical (city, gender, equity, products, credit_card, last_activity, churn);
    USERID is an identifier and is excluded. Significance uses significance_method="asymptotic".

Generated samples ("gen" inputs) are x_i = (i * a + b) % 1.0 * scale + shift for i in 0..n,
rounded to `round` decimals when given; the Rust tests build them with the same float operations.
"""

import argparse
import json
import math
import sys
import warnings

import numpy as np
import pandas as pd
import phik  # noqa: F401  (registers DataFrame.phik_matrix)
import scipy
import statsmodels
from phik.phik import phik_from_hist2d
from phik.significance import significance_from_hist2d
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

warnings.simplefilter("ignore")

INTERVAL_COLS = ["score", "age", "balance", "EST_SALARY"]
PHIK_COLS = [
    "score", "city", "gender", "age", "equity", "balance", "products",
    "credit_card", "last_activity", "EST_SALARY", "churn",
]


def f(v):
    """A float for JSON (None for NaN/inf, which the cases avoid as expected values)."""
    v = float(v)
    return v if math.isfinite(v) else None


def enc(xs):
    return [None if (isinstance(x, float) and math.isnan(x)) else x for x in xs]


def gen(spec):
    n, a, b = spec["n"], spec["a"], spec["b"]
    scale, shift = spec.get("scale", 1.0), spec.get("shift", 0.0)
    out = [(float(i) * a + b) % 1.0 * scale + shift for i in range(n)]
    if "round" in spec:
        out = [round(v, spec["round"]) for v in out]
    return out


def sample(v):
    return gen(v) if isinstance(v, dict) else [float("nan") if x is None else x for x in v]


def log10p(p):
    return math.log10(p) if p > 0 else None


# ---------------------------------------------------------------- reference computations

def ref_mwu(x, y, alt):
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) == 0 or len(y) == 0 or np.isnan(x).any() or np.isnan(y).any():
        return None
    r = stats.mannwhitneyu(x, y, alternative=alt, method="auto")
    if not np.isfinite(r.pvalue):
        return None
    n1, n2 = len(x), len(y)
    return {"statistic": f(r.statistic), "p_value": f(r.pvalue),
            "effect": f(2 * r.statistic / (n1 * n2) - 1)}


def ref_t(x, y, alt, equal_var, confidence=0.95):
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 2 or len(y) < 2 or np.isnan(x).any() or np.isnan(y).any():
        return None
    r = stats.ttest_ind(x, y, equal_var=equal_var, alternative=alt)
    if not np.isfinite(r.pvalue):
        return None
    ci = r.confidence_interval(confidence)
    n1, n2 = len(x), len(y)
    sp = math.sqrt(((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / (n1 + n2 - 2))
    return {"statistic": f(r.statistic), "p_value": f(r.pvalue), "df": f(r.df),
            "ci": [f(ci.low) if np.isfinite(ci.low) else None,
                   f(ci.high) if np.isfinite(ci.high) else None],
            "effect": f((x.mean() - y.mean()) / sp) if sp > 0 else None,
            "confidence": confidence}


def ref_ks(x, y, alt):
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) == 0 or len(y) == 0 or np.isnan(x).any() or np.isnan(y).any():
        return None
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = stats.ks_2samp(x, y, alternative=alt, method="auto")
        fell_back = any("Switching to method=asymp" in str(m.message) for m in w)
    n1, n2 = len(x), len(y)
    method = "exact" if max(n1, n2) <= 10000 and not fell_back else "asymptotic"
    return {"statistic": f(r.statistic), "p_value": f(r.pvalue), "method": method}


def ref_chi2(table, yates):
    t = np.asarray(table)
    if t.ndim != 2 or min(t.shape) < 2 or (t.sum(axis=0) == 0).any() or (t.sum(axis=1) == 0).any():
        return None
    r = stats.chi2_contingency(t, correction=yates)
    v = stats.contingency.association(t, method="cramer", correction=False)
    return {"statistic": f(r.statistic), "p_value": f(r.pvalue), "df": f(r.dof),
            "effect": f(v), "cramers_v_bias_corrected": cramers_v_bc(t)}


def cramers_v_bc(t):
    """Bergsma (2013) bias-corrected Cramér's V (same formula as the Rust side)."""
    chi2 = stats.chi2_contingency(t, correction=False).statistic
    n = t.sum()
    r, c = t.shape
    phi2 = max(0.0, chi2 / n - (r - 1) * (c - 1) / (n - 1))
    rc = r - (r - 1) ** 2 / (n - 1)
    cc = c - (c - 1) ** 2 / (n - 1)
    return f(math.sqrt(phi2 / min(rc - 1, cc - 1)))


def ref_fisher(table, alt):
    t = np.asarray(table)
    if (t.sum(axis=0) == 0).any() or (t.sum(axis=1) == 0).any():
        return None
    r = stats.fisher_exact(t, alternative=alt)
    return {"statistic": f(r.statistic) if np.isfinite(r.statistic) else None,
            "p_value": f(r.pvalue)}


def ref_prop(s1, n1, s2, n2, alt):
    if n1 == 0 or n2 == 0:
        return None
    pooled = (s1 + s2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        return None
    alt_sm = {"two-sided": "two-sided", "greater": "larger", "less": "smaller"}[alt]
    z, p = proportions_ztest([s1, s2], [n1, n2], alternative=alt_sm)
    return {"statistic": f(z), "p_value": f(p), "effect": f(s1 / n1 - s2 / n2)}


def ref_kruskal(groups):
    if len(groups) < 2 or any(len(g) == 0 for g in groups):
        return None
    if any(np.isnan(np.asarray(g, float)).any() for g in groups):
        return None
    try:
        r = stats.kruskal(*groups)
    except ValueError:
        return None
    if not np.isfinite(r.pvalue):
        return None
    return {"statistic": f(r.statistic), "p_value": f(r.pvalue), "df": len(groups) - 1}


def ref_levene(groups):
    if len(groups) < 2 or any(len(g) == 0 for g in groups):
        return None
    if any(np.isnan(np.asarray(g, float)).any() for g in groups):
        return None
    r = stats.levene(*groups, center="median")
    if not np.isfinite(r.pvalue):
        return None
    return {"statistic": f(r.statistic), "p_value": f(r.pvalue)}


def ref_normal(x):
    x = np.asarray(x, float)
    if len(x) < 8 or np.isnan(x).any():
        return None
    r = stats.normaltest(x)
    if not np.isfinite(r.pvalue):
        return None
    return {"statistic": f(r.statistic), "p_value": f(r.pvalue), "effect": f(stats.skew(x))}


def ref_corr(kind, x, y):
    s = pd.DataFrame({"x": x, "y": y}).dropna()
    if len(s) < 3 or s.x.nunique() < 2 or s.y.nunique() < 2:
        return None
    if kind == "pearson":
        r = stats.pearsonr(s.x, s.y)
        ci = r.confidence_interval(0.95)
        return {"r": f(r.statistic), "p_value": f(r.pvalue), "n": len(s),
                "ci": [f(ci.low), f(ci.high)]}
    r = stats.spearmanr(s.x, s.y)
    return {"r": f(r.statistic), "p_value": f(r.pvalue), "n": len(s)}


def ref_adjust(p):
    out = {}
    for name, m in [("bonferroni", "bonferroni"), ("holm", "holm"), ("benjamini_hochberg", "fdr_bh")]:
        out[name] = [f(v) for v in multipletests(p, method=m)[1]]
    return out


def ref_describe(x):
    s = pd.Series(x, dtype=float).dropna()
    if len(s) == 0:
        return None
    q = np.quantile(s.to_numpy(), [0.25, 0.5, 0.75])
    return {"n": int(len(s)), "mean": f(s.mean()), "std": f(s.std()) if len(s) > 1 else None,
            "min": f(s.min()), "max": f(s.max()),
            "skewness": f(s.skew()) if len(s) >= 3 and s.std() > 0 else None,
            "kurtosis": f(s.kurt()) if len(s) >= 4 and s.std() > 0 else None,
            "q25": f(q[0]), "median": f(q[1]), "q75": f(q[2])}


def ref_wilson(s, n, z):
    alpha = 2 * stats.norm.sf(z)
    lo, hi = proportion_confint(s, n, alpha=alpha, method="wilson")
    return {"ci": [f(lo), f(hi)]}


def ref_phik_table(table):
    t = np.asarray(table, dtype=float)
    nz = t[~np.all(t == 0, axis=1)]
    nz = nz.T[~np.all(nz.T == 0, axis=1)].T
    if min(nz.shape) < 2:
        return None
    return {"phik": f(phik_from_hist2d(t)),
            "significance": f(significance_from_hist2d(t, significance_method="asymptotic")[1])}


def phik_frame(df, interval_cols):
    m = df.phik_matrix(interval_cols=interval_cols, bins=10, njobs=1, verbose=False)
    s = df.significance_matrix(interval_cols=interval_cols, bins=10,
                               significance_method="asymptotic", njobs=1, verbose=False)
    cols = list(m.columns)
    s = s.reindex(index=cols, columns=cols)
    return {"columns": cols,
            "values": [[f(v) if np.isfinite(v) else None for v in row] for row in m.to_numpy()],
            "significance": [[f(v) if np.isfinite(v) else None for v in row] for row in s.to_numpy()]}


# ---------------------------------------------------------------- synthetic cases

def two_sample_inputs():
    rng = np.random.default_rng(20240607)
    tiny_x = [1.1, 2.4, 3.9, 0.5, 7.2]
    tiny_y = [3.3, 5.6, 6.1, 8.8, 9.4, 10.2]
    ties_x = [1, 2, 2, 3, 3, 3, 4, 5, 5, 6, 7, 7]
    ties_y = [2, 3, 4, 4, 4, 5, 6, 6, 7, 8, 8, 9, 9]
    return {
        "tiny_exact": (tiny_x, tiny_y),
        "tiny_overlap": ([0.1, 0.4, 0.35, 0.8], [0.2, 0.3, 0.5, 0.6, 0.7, 0.9, 1.0]),
        "one_each": ([1.0], [2.0]),
        "small8_vs_large": ([round(v, 6) for v in rng.normal(0.3, 1, 8)],
                            [round(v, 6) for v in rng.normal(0, 1, 40)]),
        "equal_sizes": ([round(v, 6) for v in rng.normal(0, 1, 30)],
                        [round(v, 6) for v in rng.normal(0.5, 1, 30)]),
        "ties": (ties_x, ties_y),
        "medium_normal": ([round(v, 6) for v in rng.normal(10, 2, 60)],
                          [round(v, 6) for v in rng.normal(11, 3, 45)]),
        "skewed": ([round(v, 4) for v in rng.lognormal(0, 1, 200)],
                   [round(v, 4) for v in rng.lognormal(0.2, 1, 150)]),
        "heavy_ties_ints": ([int(v) for v in rng.integers(0, 5, 300)],
                            [int(v) for v in rng.integers(1, 6, 250)]),
        "separated": (list(range(0, 50)), list(range(100, 170))),
        "all_equal": ([3.0] * 10, [3.0] * 12),
        "zero_variance_one": ([2.0] * 10, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]),
        "empty_x": ([], [1.0, 2.0, 3.0]),
        "nan_in_x": ([1.0, float("nan"), 3.0], [1.0, 2.0, 3.0]),
        "gen_large_asymptotic": ({"n": 12000, "a": 0.6180339887498949, "b": 0.1},
                                 {"n": 15000, "a": 0.4142135623730951, "b": 0.25,
                                  "scale": 1.02, "shift": -0.01}),
        "gen_large_rounded": ({"n": 11000, "a": 0.7548776662466927, "b": 0.3, "round": 2},
                              {"n": 700, "a": 0.5698402909980532, "b": 0.05, "round": 2,
                               "scale": 1.1}),
        "gen_medium_unequal": ({"n": 3000, "a": 0.6180339887498949, "b": 0.2, "round": 3},
                               {"n": 1700, "a": 0.4142135623730951, "b": 0.7, "round": 3,
                                "shift": 0.02}),
    }


def synthetic_cases():
    cases = []

    def add(fn, name, args, expected):
        c = {"fn": fn, "name": name, "args": args}
        if expected is None:
            c["error"] = True
        else:
            c["expected"] = expected
        cases.append(c)

    for name, (x, y) in two_sample_inputs().items():
        xs, ys = sample(x), sample(y)
        for alt in ["two-sided", "less", "greater"]:
            args = {"x": x if isinstance(x, dict) else enc(x),
                    "y": y if isinstance(y, dict) else enc(y), "alternative": alt}
            add("mann_whitney_u", name, args, ref_mwu(xs, ys, alt))
            add("ks_2samp", name, args, ref_ks(xs, ys, alt))
            add("welch_t", name, args, ref_t(xs, ys, alt, False))
            add("student_t", name, args, ref_t(xs, ys, alt, True))
        g = {"groups": [x if isinstance(x, dict) else enc(x), y if isinstance(y, dict) else enc(y)]}
        add("kruskal", name, g, ref_kruskal([xs, ys]))
        add("levene", name, g, ref_levene([xs, ys]))

    three = [[2.9, 3.0, 2.5, 2.6, 3.2], [3.8, 2.7, 4.0, 2.4], [2.8, 3.4, 3.7, 2.2, 2.0]]
    add("kruskal", "three_groups", {"groups": three}, ref_kruskal(three))
    add("levene", "three_groups", {"groups": three}, ref_levene(three))
    add("kruskal", "single_group", {"groups": [three[0]]}, None)
    add("levene", "single_group", {"groups": [three[0]]}, None)
    add("kruskal", "empty_group", {"groups": [three[0], []]}, None)

    tables = {
        "2x2": [[12, 5], [7, 15]],
        "2x2_small": [[3, 1], [1, 3]],
        "2x2_large": [[1200, 800], [900, 1100]],
        "2x3": [[10, 20, 30], [25, 15, 5]],
        "3x4": [[5, 8, 12, 3], [9, 4, 6, 10], [2, 11, 7, 9]],
        "2x2_expected_below_half": [[0, 5], [5, 0]],
        "empty_row": [[0, 0], [3, 4]],
        "one_row": [[3, 4, 5]],
    }
    for name, t in tables.items():
        args = {"table": t}
        for yates in [True, False]:
            add("chi2_contingency", name, {**args, "yates": yates}, ref_chi2(t, yates))
        if len(t) == 2 and len(t[0]) == 2:
            for alt in ["two-sided", "less", "greater"]:
                add("fisher_exact", name, {**args, "alternative": alt}, ref_fisher(t, alt))
        add("phik_from_table", name, args, ref_phik_table(t))
    add("phik_from_table", "3x3_with_empty_column", {"table": [[5, 0, 3], [2, 0, 9], [7, 0, 1]]},
        ref_phik_table([[5, 0, 3], [2, 0, 9], [7, 0, 1]]))
    add("phik_from_table", "5x2_strong", {"table": [[40, 2], [30, 5], [12, 12], [4, 30], [1, 45]]},
        ref_phik_table([[40, 2], [30, 5], [12, 12], [4, 30], [1, 45]]))
    add("phik_from_table", "perfect_diagonal", {"table": [[50, 0], [0, 50]]},
        ref_phik_table([[50, 0], [0, 50]]))
    add("phik_from_table", "independent", {"table": [[20, 20], [30, 30]]},
        ref_phik_table([[20, 20], [30, 30]]))
    add("fisher_exact", "zero_margin", {"table": [[0, 0], [3, 4]], "alternative": "two-sided"}, None)

    for name, (s1, n1, s2, n2) in {
        "typical": (45, 120, 30, 130), "large": (1820, 10000, 1500, 9000),
        "all_success": (10, 10, 8, 8), "no_trials": (0, 0, 3, 5), "extreme": (4000, 5000, 100, 5000),
    }.items():
        for alt in ["two-sided", "less", "greater"]:
            add("two_proportion_z", name, {"s1": s1, "n1": n1, "s2": s2, "n2": n2,
                                           "alternative": alt}, ref_prop(s1, n1, s2, n2, alt))

    rng = np.random.default_rng(7)
    normal_samples = {
        "normal_200": [round(v, 6) for v in rng.normal(0, 1, 200)],
        "lognormal_500": [round(v, 6) for v in rng.lognormal(0, 0.8, 500)],
        "uniform_30": [round(v, 6) for v in rng.uniform(0, 1, 30)],
        "n8": [1.0, 2.0, 2.5, 3.0, 4.5, 5.0, 9.0, 12.0],
        "n7_too_small": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
        "constant": [5.0] * 20,
        "with_nan": [1.0, 2.0, float("nan"), 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
        "gen_5000": {"n": 5000, "a": 0.6180339887498949, "b": 0.1},
    }
    for name, x in normal_samples.items():
        xs = sample(x)
        args = {"x": x if isinstance(x, dict) else enc(x)}
        add("normaltest", name, args, ref_normal(xs))
        add("describe", name, args, ref_describe([v for v in xs if not math.isnan(v)])
            if name != "with_nan" else None)

    corr_inputs = {
        "linear_noise": ([float(i) for i in range(50)],
                         [round(0.5 * i + math.sin(i) * 3, 6) for i in range(50)]),
        "ties_ranks": ([1, 2, 2, 3, 3, 3, 4, 5, 5, 6], [2, 1, 4, 3, 3, 5, 6, 5, 7, 8]),
        "with_nan_pairs": ([1.0, 2.0, None, 4.0, 5.0, 6.0, 7.0],
                           [2.0, 1.5, 3.0, None, 4.5, 6.5, 6.0]),
        "negative": ([float(i) for i in range(20)], [float(20 - i) ** 1.5 for i in range(20)]),
        "constant_y": ([1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 2.0]),
        "two_pairs": ([1.0, 2.0], [3.0, 1.0]),
        "gen_strong": ({"n": 20000, "a": 0.6180339887498949, "b": 0.1},
                       {"n": 20000, "a": 0.6180339887498949, "b": 0.1005}),
    }
    for name, (x, y) in corr_inputs.items():
        xs = sample(x) if isinstance(x, dict) else [float("nan") if v is None else float(v) for v in x]
        ys = sample(y) if isinstance(y, dict) else [float("nan") if v is None else float(v) for v in y]
        args = {"x": x if isinstance(x, dict) else enc([float("nan") if v is None else v for v in x]),
                "y": y if isinstance(y, dict) else enc([float("nan") if v is None else v for v in y])}
        add("pearson", name, args, ref_corr("pearson", xs, ys))
        add("spearman", name, args, ref_corr("spearman", xs, ys))

    for name, p in {
        "mixed": [0.01, 0.04, 0.03, 0.2, 0.5, 0.001, 0.04],
        "ties_and_ones": [0.5, 0.5, 1.0, 0.02, 0.02],
        "single": [0.03],
    }.items():
        add("adjust", name, {"p": p}, ref_adjust(p))

    for name, (s, n, z) in {"typical": (18, 100, 1.959963984540054), "zero": (0, 25, 1.96),
                            "all": (25, 25, 2.5758293035489), "large": (1820, 10000, 1.96)}.items():
        add("wilson_interval", name, {"s": s, "n": n, "z": z}, ref_wilson(s, n, z))

    # phi_K matrix on a small synthetic frame with missing values in both kinds of column
    rng = np.random.default_rng(11)
    n = 400
    a = rng.normal(0, 1, n)
    b = a * 0.6 + rng.normal(0, 0.8, n)
    cat = np.where(a + rng.normal(0, 1, n) > 0.3, "hi", "lo").astype(object)
    c3 = rng.choice(["x", "y", "z"], n).astype(object)
    a = np.round(a, 4)
    b = np.round(b * 100, 2)
    b[rng.choice(n, 40, replace=False)] = np.nan
    c3[rng.choice(n, 25, replace=False)] = None
    const = np.array(["k"] * n, dtype=object)
    df = pd.DataFrame({"a": a, "b": b, "cat": cat, "c3": c3, "const": const})
    add("phik_matrix", "synthetic_frame", {
        "columns": [
            {"name": "a", "kind": "interval", "values": enc(list(map(float, a)))},
            {"name": "b", "kind": "interval", "values": enc(list(map(float, b)))},
            {"name": "cat", "kind": "categorical", "values": list(cat)},
            {"name": "c3", "kind": "categorical", "values": list(c3)},
            {"name": "const", "kind": "categorical", "values": list(const)},
        ]}, phik_frame(df, ["a", "b"]))
    return cases


# ---------------------------------------------------------------- real file

def real_cases(path):
    df = pd.read_csv(path)
    out = []
    prod = df[df.products != 0].copy()
    prod.loc[prod.products == 5, "products"] = 4

    def two(name, value, gcol, ga, gb):
        x = prod.loc[prod[gcol].isin(ga), value].dropna().to_numpy(float) if gcol == "products" \
            else df.loc[df[gcol].isin(ga), value].dropna().to_numpy(float)
        y = prod.loc[prod[gcol].isin(gb), value].dropna().to_numpy(float) if gcol == "products" \
            else df.loc[df[gcol].isin(gb), value].dropna().to_numpy(float)
        spec = {"value": value, "group_col": gcol,
                "groups": [[str(v) for v in ga], [str(v) for v in gb]]}
        for alt in ["two-sided", "less", "greater"]:
            out.append({"fn": "mann_whitney_u", "name": name, "args": {**spec, "alternative": alt},
                        "expected": ref_mwu(x, y, alt)})
            out.append({"fn": "welch_t", "name": name, "args": {**spec, "alternative": alt},
                        "expected": ref_t(x, y, alt, False)})
            out.append({"fn": "student_t", "name": name, "args": {**spec, "alternative": alt},
                        "expected": ref_t(x, y, alt, True)})
            out.append({"fn": "ks_2samp", "name": name, "args": {**spec, "alternative": alt},
                        "expected": ref_ks(x, y, alt)})
        out.append({"fn": "levene", "name": name, "args": spec, "expected": ref_levene([x, y])})
        out.append({"fn": "kruskal", "name": name, "args": spec, "expected": ref_kruskal([x, y])})
        out.append({"fn": "normaltest", "name": name + ":first_group", "args": {**spec, "which": 0},
                    "expected": ref_normal(x)})

    # the study's two tests
    two("age_products_1_vs_2", "age", "products", [1], [2])
    two("salary_products_1_vs_4plus", "EST_SALARY", "products", [1], [4, 5])
    two("balance_churn_1_vs_0", "balance", "churn", [1], [0])
    two("score_gender", "score", "gender", ["М"], ["Ж"])

    groups = [prod.loc[prod.products == k, "age"].dropna().to_numpy(float) for k in [1, 2, 3, 4]]
    spec = {"value": "age", "group_col": "products", "groups": [["1"], ["2"], ["3"], ["4", "5"]]}
    out.append({"fn": "kruskal", "name": "age_by_products", "args": spec,
                "expected": ref_kruskal(groups)})
    out.append({"fn": "levene", "name": "age_by_products", "args": spec,
                "expected": ref_levene(groups)})
    cities = sorted(df.city.unique())
    g = [df.loc[df.city == c, "EST_SALARY"].to_numpy(float) for c in cities]
    spec = {"value": "EST_SALARY", "group_col": "city", "groups": [[c] for c in cities]}
    out.append({"fn": "kruskal", "name": "salary_by_city", "args": spec, "expected": ref_kruskal(g)})
    out.append({"fn": "levene", "name": "salary_by_city", "args": spec, "expected": ref_levene(g)})

    for row, col in [("city", "churn"), ("gender", "churn"), ("products", "churn"),
                     ("equity", "churn"), ("credit_card", "churn")]:
        t = pd.crosstab(df[row], df[col]).to_numpy()
        for yates in [True, False]:
            out.append({"fn": "chi2_contingency", "name": f"{row}_x_{col}",
                        "args": {"row": row, "col": col, "yates": yates},
                        "expected": ref_chi2(t, yates)})

    by_gender = df.groupby("gender").churn.agg(["sum", "count"])
    for alt in ["two-sided", "less", "greater"]:
        out.append({"fn": "two_proportion_z", "name": "churn_male_vs_female",
                    "args": {"success_col": "churn", "group_col": "gender",
                             "groups": [["М"], ["Ж"]], "alternative": alt},
                    "expected": ref_prop(int(by_gender.loc["М", "sum"]), int(by_gender.loc["М", "count"]),
                                         int(by_gender.loc["Ж", "sum"]), int(by_gender.loc["Ж", "count"]), alt)})

    for a, b in [("score", "age"), ("age", "balance"), ("balance", "EST_SALARY"),
                 ("score", "churn"), ("equity", "balance")]:
        for kind in ["pearson", "spearman"]:
            out.append({"fn": kind, "name": f"{a}_{b}", "args": {"x": a, "y": b},
                        "expected": ref_corr(kind, df[a].astype(float), df[b].astype(float))})

    for col in ["score", "age", "balance", "EST_SALARY"]:
        out.append({"fn": "describe", "name": col, "args": {"value": col},
                    "expected": ref_describe(df[col].astype(float))})
        out.append({"fn": "normaltest", "name": col, "args": {"value": col},
                    "expected": ref_normal(df[col].dropna().to_numpy(float))})

    phik_df = df[PHIK_COLS]
    out.append({"fn": "phik_matrix", "name": "bank_scrooge",
                "args": {"interval_cols": INTERVAL_COLS, "columns": PHIK_COLS, "bins": 10},
                "expected": phik_frame(phik_df, INTERVAL_COLS)})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="path of bank_scrooge.csv")
    ap.add_argument("--out", required=True, help="output JSON path")
    a = ap.parse_args()
    doc = {
        "generated_by": "stats/golden/make_golden.py",
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__,
                     "scipy": scipy.__version__, "pandas": pd.__version__,
                     "phik": phik.__version__, "statsmodels": statsmodels.__version__},
        "tolerances": {"p_value_rel": 1e-9, "statistic_rel": 1e-9, "phik_abs": 1e-4},
        "cases": synthetic_cases(),
        "real": real_cases(a.data),
    }
    with open(a.out, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=1, allow_nan=False)
        fh.write("\n")


if __name__ == "__main__":
    main()
