#!/usr/bin/env python3
"""Prints the aggregates that synth/src/model.rs is fitted to, from a reference export.

    python3 synth/scripts/fit_tables.py bank_scrooge.csv

Only aggregates are printed (counts, rates, quantiles); compare them with the constants in
synth/src/model.rs after the reference data changes. Standard library only.
"""
import csv
import math
import sys
from collections import Counter

TAIL_P = [0.01, 0.025, 0.05, 0.10, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70, 0.80, 0.85, 0.90, 0.95, 0.975, 0.99]
SCORE_P = [0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99]


def quantile(xs, p):
    """Linear interpolation between order statistics (numpy's default)."""
    xs = sorted(xs)
    k = p * (len(xs) - 1)
    i = int(k)
    if i + 1 >= len(xs):
        return xs[-1]
    return xs[i] + (k - i) * (xs[i + 1] - xs[i])


def knots(xs, grid):
    return "[" + ", ".join("%.3f" % quantile(xs, p) for p in grid) + "]"


def product_group(r):
    return min(max(int(r["products"]), 1), 3)


def main(path):
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    ordinary = [r for r in rows if r["products"] != "0"]
    churned = lambda r: r["churn"] == "1"

    counts = Counter(int(r["products"]) for r in ordinary)
    print("PRODUCTS_WEIGHTS", [counts[p] for p in range(1, 6)])
    print("CHURN_BY_PRODUCTS", ["%.4f" % (sum(churned(r) for r in ordinary if int(r["products"]) == p) / counts[p]) for p in range(1, 6)])
    for c in "01":
        group = [r for r in rows if r["churn"] == c]
        print("churn=%s MALE_SHARE %d/%d" % (c, sum(r["gender"] == "М" for r in group), len(group)))
        cities = Counter(r["city"] for r in group)
        print("churn=%s CITY_WEIGHTS" % c, [cities[x] for x in ("Ярославль", "Рыбинск", "Ростов")])
        for g in (1, 2, 3):
            cell = [r for r in ordinary if r["churn"] == c and product_group(r) == g]
            eq = Counter(int(r["equity"]) for r in cell)
            print("churn=%s products_group=%d EQUITY_WEIGHTS" % (c, g), [eq[e] for e in range(10)])
            missing = []
            for e in range(3):
                sub = [r for r in cell if min(int(r["equity"]), 2) == e]
                missing.append("%d/%d" % (sum(r["balance"] == "" for r in sub), len(sub)))
            print("churn=%s products_group=%d BALANCE_MISSING by equity 0,1,2+" % (c, g), missing)
        ages = Counter(min(int(float(r["age"])) // 5 * 5, 85) for r in group if r["age"])
        print("churn=%s AGE_WEIGHTS (5-year bins from 15)" % c, [ages[b] for b in range(15, 90, 5)])
        print("churn=%s credit_card by products 1..5" % c, ["%.3f" % (sum(r["credit_card"] == "1" for r in group if r["products"] == str(p)) / max(1, sum(r["products"] == str(p) for r in group))) for p in range(1, 6)])
        print("churn=%s last_activity by products 1..5" % c, ["%.3f" % (sum(r["last_activity"] == "1" for r in group if r["products"] == str(p)) / max(1, sum(r["products"] == str(p) for r in group))) for p in range(1, 6)])
    print("AGE_MISSING %d/%d" % (sum(r["age"] == "" for r in rows), len(rows)))

    score = lambda pred: [float(r["score"]) for r in rows if pred(r)]
    for name, pred in [
        ("stayed, balance missing", lambda r: not churned(r) and r["balance"] == ""),
        ("stayed, balance present", lambda r: not churned(r) and r["balance"] != ""),
        ("churned", churned),
    ]:
        xs = score(pred)
        print("SCORE_Q %s: min %.0f, %s, max %.0f" % (name, min(xs), knots(xs, SCORE_P), max(xs)))

    for e in range(7):
        xs = [math.log(max(float(r["balance"]), 1.0)) for r in rows if r["balance"] and min(int(r["equity"]), 6) == e]
        print("BALANCE_LN_Q equity %s" % (e if e < 6 else "6+"), knots(xs, TAIL_P))
    for name, pred in [
        ("balance missing", lambda r: r["balance"] == ""),
        ("balance present, stayed", lambda r: r["balance"] != "" and not churned(r)),
        ("balance present, churned", lambda r: r["balance"] != "" and churned(r)),
    ]:
        xs = [math.log(float(r["EST_SALARY"])) for r in rows if pred(r)]
        print("SALARY_LN_Q %s" % name, knots(xs, TAIL_P))

    ids = Counter(r["USERID"] for r in rows)
    print("ids on more than one row", sum(1 for n in ids.values() if n > 1), "of", len(rows), "rows")


if __name__ == "__main__":
    main(sys.argv[1])
