//! Cross-checks against reference values computed by `stats/golden/make_golden.py` with scipy,
//! statsmodels and phik (versions recorded in `golden.json`).
//!
//! Synthetic cases carry their inputs in the JSON. Cases on the customer file recompute the Rust
//! side from the file named by `BANKSEG_REAL_DATA`; without it they are skipped with a message.

use std::collections::HashMap;

use bankseg_stats::phik::{PhikColumn, PhikData, phik_from_table, phik_matrix, significance};
use bankseg_stats::{
    Adjust, Alternative, ContingencyTable, Correlation, Result, TestResult, ValueCounts, adjust,
    chi2_contingency, cramers_v, describe, fisher_exact, kruskal, ks_2samp, ks_2samp_counts,
    levene_median, mann_whitney_u, mann_whitney_u_counts, normality, pearson, spearman, t_test,
    two_proportion_z, wilson_interval,
};
use serde_json::Value;

const P_REL: f64 = 1e-9;
const STAT_REL: f64 = 1e-9;
const PHIK_ABS: f64 = 1e-4;
const Z_REL: f64 = 1e-6;

fn golden() -> Value {
    let text = include_str!("golden.json");
    serde_json::from_str(text).expect("golden.json parses")
}

/// Failures are collected so one run lists every mismatch.
#[derive(Default)]
struct Checker {
    failures: Vec<String>,
    checked: usize,
    worst_p_rel: f64,
    worst_phik_abs: f64,
}

impl Checker {
    fn close(&mut self, ctx: &str, what: &str, got: f64, want: f64, rel: f64, abs: f64) {
        self.checked += 1;
        if what == "p_value" && want > 0.0 {
            self.worst_p_rel = self.worst_p_rel.max(((got - want) / want).abs());
        }
        if what == "phik" {
            self.worst_phik_abs = self.worst_phik_abs.max((got - want).abs());
        }
        let ok = if want.is_infinite() || got.is_infinite() {
            got == want
        } else {
            (got - want).abs() <= abs + rel * want.abs()
        };
        if !ok {
            self.failures
                .push(format!("{ctx}: {what} = {got:e}, expected {want:e}"));
        }
    }

    fn opt(&mut self, ctx: &str, what: &str, got: Option<f64>, want: &Value, rel: f64) {
        match (got, want.as_f64()) {
            (Some(g), Some(w)) => self.close(ctx, what, g, w, rel, 1e-12),
            (None, None) => {}
            (g, w) => self
                .failures
                .push(format!("{ctx}: {what} = {g:?}, expected {w:?}")),
        }
    }

    fn fail(&mut self, msg: String) {
        self.failures.push(msg);
    }

    fn finish(self, label: &str) {
        println!(
            "{label}: {} values checked, largest relative p-value deviation {:e}, largest phi_K deviation {:e}",
            self.checked, self.worst_p_rel, self.worst_phik_abs
        );
        assert!(
            self.failures.is_empty(),
            "{label}: {} mismatches:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

fn alt(v: &Value) -> Alternative {
    match v.as_str() {
        Some("less") => Alternative::Less,
        Some("greater") => Alternative::Greater,
        _ => Alternative::TwoSided,
    }
}

/// A sample: an array (null = NaN) or a generator spec `x_i = (i a + b) % 1 * scale + shift`.
fn sample(v: &Value) -> Vec<f64> {
    if let Some(arr) = v.as_array() {
        return arr.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect();
    }
    let n = v["n"].as_u64().expect("n") as usize;
    let a = v["a"].as_f64().expect("a");
    let b = v["b"].as_f64().expect("b");
    let scale = v.get("scale").and_then(Value::as_f64).unwrap_or(1.0);
    let shift = v.get("shift").and_then(Value::as_f64).unwrap_or(0.0);
    let round = v.get("round").and_then(Value::as_i64);
    (0..n)
        .map(|i| {
            let x = (i as f64 * a + b) % 1.0 * scale + shift;
            match round {
                Some(d) => round_half_even(x, d as i32),
                None => x,
            }
        })
        .collect()
}

/// Python's `round(x, d)` (correctly rounded through the decimal representation).
fn round_half_even(x: f64, d: i32) -> f64 {
    let s = format!("{:.*}", d as usize, x);
    s.parse().expect("number")
}

fn table(v: &Value) -> Vec<Vec<u64>> {
    v.as_array()
        .expect("table")
        .iter()
        .map(|r| {
            r.as_array()
                .expect("row")
                .iter()
                .map(|c| c.as_u64().expect("count"))
                .collect()
        })
        .collect()
}

fn check_test(c: &mut Checker, ctx: &str, got: &Result<TestResult>, case: &Value) {
    let error = case.get("error").and_then(Value::as_bool).unwrap_or(false);
    match (got, error) {
        (Err(_), true) => {
            c.checked += 1;
        }
        (Ok(r), true) => c.fail(format!("{ctx}: expected an error, got {r:?}")),
        (Err(e), false) => c.fail(format!("{ctx}: unexpected error {e}")),
        (Ok(r), false) => {
            let e = &case["expected"];
            if let Some(s) = e["statistic"].as_f64() {
                c.close(ctx, "statistic", r.statistic, s, STAT_REL, 1e-12);
            }
            if let Some(p) = e["p_value"].as_f64() {
                c.close(ctx, "p_value", r.p_value, p, P_REL, 1e-300);
                if p > 0.0 {
                    c.close(ctx, "log10_p", r.log10_p, p.log10(), 1e-9, 1e-10);
                }
            }
            if let Some(df) = e.get("df").and_then(Value::as_f64) {
                c.opt(ctx, "df", r.df, &Value::from(df), STAT_REL);
            }
            if let Some(eff) = e.get("effect") {
                c.opt(ctx, "effect", r.effect, eff, STAT_REL);
            }
            if let Some(ci) = e.get("ci").and_then(Value::as_array) {
                let (lo, hi) = r.ci.unwrap_or((f64::NAN, f64::NAN));
                let want_lo = ci[0].as_f64().unwrap_or(f64::NEG_INFINITY);
                let want_hi = ci[1].as_f64().unwrap_or(f64::INFINITY);
                c.close(ctx, "ci.low", lo, want_lo, 1e-9, 1e-12);
                c.close(ctx, "ci.high", hi, want_hi, 1e-9, 1e-12);
            }
            if let Some(m) = e.get("method").and_then(Value::as_str)
                && m != r.method
            {
                c.fail(format!("{ctx}: method {} but scipy used {m}", r.method));
            }
        }
    }
}

fn check_corr(c: &mut Checker, ctx: &str, got: &Result<Correlation>, case: &Value) {
    let error = case.get("error").and_then(Value::as_bool).unwrap_or(false);
    match (got, error) {
        (Err(_), true) => c.checked += 1,
        (Ok(r), true) => c.fail(format!("{ctx}: expected an error, got {r:?}")),
        (Err(e), false) => c.fail(format!("{ctx}: unexpected error {e}")),
        (Ok(r), false) => {
            let e = &case["expected"];
            c.close(ctx, "r", r.r, e["r"].as_f64().expect("r"), 1e-12, 1e-14);
            let p = e["p_value"].as_f64().expect("p");
            c.close(ctx, "p_value", r.p_value, p, P_REL, 1e-300);
            c.close(ctx, "n", r.n as f64, e["n"].as_f64().expect("n"), 0.0, 0.0);
            if let Some(ci) = e.get("ci").and_then(Value::as_array) {
                c.close(
                    ctx,
                    "ci.low",
                    r.ci.0,
                    ci[0].as_f64().expect("lo"),
                    1e-9,
                    1e-12,
                );
                c.close(
                    ctx,
                    "ci.high",
                    r.ci.1,
                    ci[1].as_f64().expect("hi"),
                    1e-9,
                    1e-12,
                );
            }
        }
    }
}

fn check_describe(c: &mut Checker, ctx: &str, x: &[f64], case: &Value) {
    let present: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    let error = case.get("error").and_then(Value::as_bool).unwrap_or(false);
    if error {
        // the raw sample holds NaN: describe refuses it
        if describe(x).is_ok() {
            c.fail(format!("{ctx}: expected an error for a sample with NaN"));
        }
        return;
    }
    let e = &case["expected"];
    match describe(&present) {
        Err(err) => c.fail(format!("{ctx}: unexpected error {err}")),
        Ok(d) => {
            c.close(ctx, "n", d.n as f64, e["n"].as_f64().expect("n"), 0.0, 0.0);
            c.close(
                ctx,
                "mean",
                d.mean,
                e["mean"].as_f64().expect("mean"),
                1e-12,
                1e-12,
            );
            c.opt(ctx, "std", d.std, &e["std"], 1e-10);
            c.close(ctx, "min", d.min, e["min"].as_f64().expect("min"), 0.0, 0.0);
            c.close(ctx, "max", d.max, e["max"].as_f64().expect("max"), 0.0, 0.0);
            c.opt(ctx, "skewness", d.skewness, &e["skewness"], 1e-9);
            c.opt(ctx, "kurtosis", d.kurtosis, &e["kurtosis"], 1e-9);
            c.close(
                ctx,
                "q25",
                d.q25,
                e["q25"].as_f64().expect("q25"),
                1e-14,
                1e-14,
            );
            c.close(
                ctx,
                "median",
                d.median,
                e["median"].as_f64().expect("median"),
                1e-14,
                1e-14,
            );
            c.close(
                ctx,
                "q75",
                d.q75,
                e["q75"].as_f64().expect("q75"),
                1e-14,
                1e-14,
            );
        }
    }
}

fn check_phik_matrix(c: &mut Checker, ctx: &str, columns: &[PhikColumn], e: &Value) {
    let m = match phik_matrix(columns) {
        Ok(m) => m,
        Err(err) => return c.fail(format!("{ctx}: unexpected error {err}")),
    };
    let want_cols: Vec<String> = e["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|v| v.as_str().expect("name").to_string())
        .collect();
    if m.columns != want_cols {
        return c.fail(format!(
            "{ctx}: columns {:?}, expected {want_cols:?}",
            m.columns
        ));
    }
    let k = want_cols.len();
    for i in 0..k {
        for j in 0..k {
            let pair = format!("{ctx} [{} x {}]", want_cols[i], want_cols[j]);
            let got_v = m.values[i * k + j];
            match e["values"][i][j].as_f64() {
                Some(w) => c.close(&pair, "phik", got_v, w, 0.0, PHIK_ABS),
                None if got_v.is_nan() => {}
                None => c.fail(format!("{pair}: phik = {got_v}, expected NaN")),
            }
            let got_s = m.significance[i * k + j];
            match e["significance"][i][j].as_f64() {
                Some(w) => c.close(&pair, "significance", got_s, w, Z_REL, 1e-9),
                None if got_s.is_nan() => {}
                None => c.fail(format!("{pair}: significance = {got_s}, expected NaN")),
            }
        }
    }
}

fn method(name: &str) -> Adjust {
    match name {
        "bonferroni" => Adjust::Bonferroni,
        "holm" => Adjust::Holm,
        _ => Adjust::BenjaminiHochberg,
    }
}

#[test]
fn synthetic_cases_match_reference() {
    let g = golden();
    let mut c = Checker::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for case in g["cases"].as_array().expect("cases") {
        let f = case["fn"].as_str().expect("fn");
        let a = &case["args"];
        let ctx = format!(
            "{f}/{}/{}",
            case["name"].as_str().unwrap_or("?"),
            a.get("alternative")
                .and_then(Value::as_str)
                .or_else(|| a
                    .get("yates")
                    .map(|y| if y == true { "yates" } else { "plain" }))
                .unwrap_or("")
        );
        *seen.entry(f.to_string()).or_default() += 1;
        match f {
            "mann_whitney_u" | "ks_2samp" | "welch_t" | "student_t" => {
                let (x, y) = (sample(&a["x"]), sample(&a["y"]));
                let al = alt(&a["alternative"]);
                let r = match f {
                    "mann_whitney_u" => mann_whitney_u(&x, &y, al),
                    "ks_2samp" => ks_2samp(&x, &y, al),
                    "welch_t" => t_test(&x, &y, false, al, 0.95),
                    _ => t_test(&x, &y, true, al, 0.95),
                };
                check_test(&mut c, &ctx, &r, case);
                // the aggregated (value-count) path must give the same answers
                if matches!(f, "mann_whitney_u" | "ks_2samp")
                    && let (Ok(vx), Ok(vy)) =
                        (ValueCounts::from_values(&x), ValueCounts::from_values(&y))
                {
                    let r = if f == "mann_whitney_u" {
                        mann_whitney_u_counts(&vx, &vy, al)
                    } else {
                        ks_2samp_counts(&vx, &vy, al)
                    };
                    check_test(&mut c, &format!("{ctx}/counts"), &r, case);
                }
            }
            "kruskal" | "levene" => {
                let groups: Vec<Vec<f64>> = a["groups"]
                    .as_array()
                    .expect("groups")
                    .iter()
                    .map(sample)
                    .collect();
                let refs: Vec<&[f64]> = groups.iter().map(Vec::as_slice).collect();
                let r = if f == "kruskal" {
                    kruskal(&refs)
                } else {
                    levene_median(&refs)
                };
                check_test(&mut c, &ctx, &r, case);
            }
            "chi2_contingency" => {
                let t = ContingencyTable::from_rows(&table(&a["table"]));
                let yates = a["yates"].as_bool().expect("yates");
                let r = t.and_then(|t| chi2_contingency(&t, yates));
                check_test(&mut c, &ctx, &r, case);
                if let (Some(want), Ok(t)) = (
                    case.get("expected")
                        .and_then(|e| e.get("cramers_v_bias_corrected")),
                    ContingencyTable::from_rows(&table(&a["table"])),
                ) {
                    c.opt(&ctx, "cramers_v_bc", cramers_v(&t, true).ok(), want, 1e-9);
                }
            }
            "fisher_exact" => {
                let t = table(&a["table"]);
                let r = fisher_exact(
                    [[t[0][0], t[0][1]], [t[1][0], t[1][1]]],
                    alt(&a["alternative"]),
                );
                check_test(&mut c, &ctx, &r, case);
            }
            "phik_from_table" => {
                let t = ContingencyTable::from_rows(&table(&a["table"]));
                let phik = t.as_ref().map_err(Clone::clone).and_then(phik_from_table);
                let sig = t.as_ref().map_err(Clone::clone).and_then(significance);
                match (case.get("expected"), phik, sig) {
                    (Some(e), Ok(p), Ok(s)) => {
                        c.close(
                            &ctx,
                            "phik",
                            p,
                            e["phik"].as_f64().expect("phik"),
                            0.0,
                            PHIK_ABS,
                        );
                        match e["significance"].as_f64() {
                            Some(z) => c.close(&ctx, "significance", s, z, Z_REL, 1e-9),
                            // scipy's -norm.ppf(1) = -inf for a table with no dependence at all
                            None if s == f64::NEG_INFINITY => c.checked += 1,
                            None => c.fail(format!("{ctx}: significance = {s}, expected -inf")),
                        }
                    }
                    (None, Err(_), Err(_)) => c.checked += 1,
                    (e, p, s) => c.fail(format!("{ctx}: expected {e:?}, got {p:?} / {s:?}")),
                }
            }
            "two_proportion_z" => {
                let u = |k: &str| a[k].as_u64().expect("count");
                let r =
                    two_proportion_z(u("s1"), u("n1"), u("s2"), u("n2"), alt(&a["alternative"]));
                check_test(&mut c, &ctx, &r, case);
            }
            "normaltest" => {
                let r = normality(&sample(&a["x"]));
                check_test(&mut c, &ctx, &r, case);
            }
            "describe" => check_describe(&mut c, &ctx, &sample(&a["x"]), case),
            "pearson" | "spearman" => {
                let (x, y) = (sample(&a["x"]), sample(&a["y"]));
                let r = if f == "pearson" {
                    pearson(&x, &y)
                } else {
                    spearman(&x, &y)
                };
                check_corr(&mut c, &ctx, &r, case);
            }
            "adjust" => {
                let p = sample(&a["p"]);
                for (name, want) in case["expected"].as_object().expect("methods") {
                    let got = adjust(&p, method(name));
                    for (i, w) in want.as_array().expect("values").iter().enumerate() {
                        c.close(
                            &format!("{ctx}/{name}[{i}]"),
                            "p_adj",
                            got[i],
                            w.as_f64().expect("p"),
                            1e-15,
                            1e-15,
                        );
                    }
                }
            }
            "wilson_interval" => {
                let (lo, hi) = wilson_interval(
                    a["s"].as_u64().expect("s"),
                    a["n"].as_u64().expect("n"),
                    a["z"].as_f64().expect("z"),
                );
                let ci = &case["expected"]["ci"];
                c.close(&ctx, "low", lo, ci[0].as_f64().expect("lo"), 1e-12, 1e-15);
                c.close(&ctx, "high", hi, ci[1].as_f64().expect("hi"), 1e-12, 1e-15);
            }
            "phik_matrix" => {
                let cols: Vec<PhikColumn> = a["columns"]
                    .as_array()
                    .expect("columns")
                    .iter()
                    .map(|col| {
                        let vals = col["values"].as_array().expect("values");
                        let data = if col["kind"] == "interval" {
                            PhikData::Interval(vals.iter().map(Value::as_f64).collect())
                        } else {
                            PhikData::Categorical(
                                vals.iter()
                                    .map(|v| v.as_str().map(str::to_string))
                                    .collect(),
                            )
                        };
                        PhikColumn {
                            name: col["name"].as_str().expect("name").to_string(),
                            data,
                            bins: 10,
                        }
                    })
                    .collect();
                check_phik_matrix(&mut c, &ctx, &cols, &case["expected"]);
            }
            other => c.fail(format!("unknown golden function {other}")),
        }
    }
    for f in [
        "mann_whitney_u",
        "ks_2samp",
        "welch_t",
        "student_t",
        "kruskal",
        "levene",
        "chi2_contingency",
        "fisher_exact",
        "phik_from_table",
        "two_proportion_z",
        "normaltest",
        "describe",
        "pearson",
        "spearman",
        "adjust",
        "wilson_interval",
        "phik_matrix",
    ] {
        assert!(seen.contains_key(f), "golden file has no case for {f}");
    }
    c.finish("synthetic golden cases");
}

/// The customer file, read with a plain split (its fields hold no quotes or commas).
struct RealData {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl RealData {
    fn load() -> Option<RealData> {
        let Ok(path) = std::env::var("BANKSEG_REAL_DATA") else {
            println!("skipped: BANKSEG_REAL_DATA is not set, real-file golden checks not run");
            return None;
        };
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read BANKSEG_REAL_DATA={path}: {e}"));
        let mut lines = text.lines();
        let header = lines
            .next()
            .expect("header")
            .trim_start_matches('\u{feff}')
            .split(',')
            .map(str::to_string)
            .collect();
        let rows = lines
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect();
        Some(RealData { header, rows })
    }

    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name} not in the file"))
    }

    fn raw(&self, name: &str) -> Vec<&str> {
        let i = self.col(name);
        self.rows.iter().map(|r| r[i].as_str()).collect()
    }

    fn num(&self, name: &str) -> Vec<Option<f64>> {
        self.raw(name)
            .into_iter()
            .map(|s| {
                if s.is_empty() {
                    None
                } else {
                    Some(s.parse().expect("number"))
                }
            })
            .collect()
    }

    /// Non-missing values of `value` in rows whose `group_col` is one of `labels`.
    fn group(&self, value: &str, group_col: &str, labels: &[String]) -> Vec<f64> {
        let v = self.num(value);
        let g = self.raw(group_col);
        v.iter()
            .zip(g)
            .filter(|(_, g)| labels.iter().any(|l| l == g))
            .filter_map(|(v, _)| *v)
            .collect()
    }
}

fn labels(v: &Value) -> Vec<Vec<String>> {
    v.as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            g.as_array()
                .expect("labels")
                .iter()
                .map(|s| s.as_str().expect("label").to_string())
                .collect()
        })
        .collect()
}

#[test]
fn real_file_matches_reference() {
    let Some(data) = RealData::load() else {
        return;
    };
    let g = golden();
    let mut c = Checker::default();
    for case in g["real"].as_array().expect("real") {
        let f = case["fn"].as_str().expect("fn");
        let a = &case["args"];
        let ctx = format!(
            "real/{f}/{}/{}",
            case["name"].as_str().unwrap_or("?"),
            a.get("alternative")
                .and_then(Value::as_str)
                .or_else(|| a
                    .get("yates")
                    .map(|y| if y == true { "yates" } else { "plain" }))
                .unwrap_or("")
        );
        let groups = || -> Vec<Vec<f64>> {
            labels(&a["groups"])
                .iter()
                .map(|l| {
                    data.group(
                        a["value"].as_str().expect("value"),
                        a["group_col"].as_str().expect("group_col"),
                        l,
                    )
                })
                .collect()
        };
        match f {
            "mann_whitney_u" | "ks_2samp" | "welch_t" | "student_t" => {
                let gs = groups();
                let al = alt(&a["alternative"]);
                let r = match f {
                    "mann_whitney_u" => mann_whitney_u(&gs[0], &gs[1], al),
                    "ks_2samp" => ks_2samp(&gs[0], &gs[1], al),
                    "welch_t" => t_test(&gs[0], &gs[1], false, al, 0.95),
                    _ => t_test(&gs[0], &gs[1], true, al, 0.95),
                };
                check_test(&mut c, &ctx, &r, case);
            }
            "kruskal" | "levene" => {
                let gs = groups();
                let refs: Vec<&[f64]> = gs.iter().map(Vec::as_slice).collect();
                let r = if f == "kruskal" {
                    kruskal(&refs)
                } else {
                    levene_median(&refs)
                };
                check_test(&mut c, &ctx, &r, case);
            }
            "normaltest" => {
                let x: Vec<f64> = if a.get("group_col").is_some() {
                    groups().swap_remove(a["which"].as_u64().expect("which") as usize)
                } else {
                    data.num(a["value"].as_str().expect("value"))
                        .into_iter()
                        .flatten()
                        .collect()
                };
                check_test(&mut c, &ctx, &normality(&x), case);
            }
            "describe" => {
                let x: Vec<f64> = data
                    .num(a["value"].as_str().expect("value"))
                    .into_iter()
                    .flatten()
                    .collect();
                check_describe(&mut c, &ctx, &x, case);
            }
            "chi2_contingency" => {
                let rows = data.raw(a["row"].as_str().expect("row"));
                let cols = data.raw(a["col"].as_str().expect("col"));
                let t = ContingencyTable::from_pairs(rows.into_iter().zip(cols)).expect("table");
                let r = chi2_contingency(&t, a["yates"].as_bool().expect("yates"));
                check_test(&mut c, &ctx, &r, case);
                if let Some(want) = case["expected"].get("cramers_v_bias_corrected") {
                    c.opt(&ctx, "cramers_v_bc", cramers_v(&t, true).ok(), want, 1e-9);
                }
            }
            "two_proportion_z" => {
                let ls = labels(&a["groups"]);
                let succ = data.num(a["success_col"].as_str().expect("success_col"));
                let grp = data.raw(a["group_col"].as_str().expect("group_col"));
                let count = |l: &[String]| {
                    let mut s = 0u64;
                    let mut n = 0u64;
                    for (v, g) in succ.iter().zip(&grp) {
                        if l.iter().any(|x| x == g) {
                            n += 1;
                            s += (*v == Some(1.0)) as u64;
                        }
                    }
                    (s, n)
                };
                let (s1, n1) = count(&ls[0]);
                let (s2, n2) = count(&ls[1]);
                let r = two_proportion_z(s1, n1, s2, n2, alt(&a["alternative"]));
                check_test(&mut c, &ctx, &r, case);
            }
            "pearson" | "spearman" => {
                let nan = |v: Vec<Option<f64>>| -> Vec<f64> {
                    v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect()
                };
                let x = nan(data.num(a["x"].as_str().expect("x")));
                let y = nan(data.num(a["y"].as_str().expect("y")));
                let r = if f == "pearson" {
                    pearson(&x, &y)
                } else {
                    spearman(&x, &y)
                };
                check_corr(&mut c, &ctx, &r, case);
            }
            "phik_matrix" => {
                let interval: Vec<&str> = a["interval_cols"]
                    .as_array()
                    .expect("interval_cols")
                    .iter()
                    .map(|v| v.as_str().expect("name"))
                    .collect();
                let cols: Vec<PhikColumn> = a["columns"]
                    .as_array()
                    .expect("columns")
                    .iter()
                    .map(|v| {
                        let name = v.as_str().expect("name");
                        let data = if interval.contains(&name) {
                            PhikData::Interval(data.num(name))
                        } else {
                            PhikData::Categorical(
                                data.raw(name)
                                    .into_iter()
                                    .map(|s| (!s.is_empty()).then(|| s.to_string()))
                                    .collect(),
                            )
                        };
                        PhikColumn {
                            name: name.to_string(),
                            data,
                            bins: a["bins"].as_u64().expect("bins") as usize,
                        }
                    })
                    .collect();
                check_phik_matrix(&mut c, &ctx, &cols, &case["expected"]);
            }
            other => c.fail(format!("unknown golden function {other}")),
        }
    }
    c.finish("real-file golden cases");
}
