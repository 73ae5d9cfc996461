//! Correlation matrices as aggregate plans: Pearson (`corr` over pairwise-complete rows) and
//! Spearman (`corr` of average ranks from window functions) over numeric and boolean features and
//! the target; phi_K with its significance over every feature and the target, from contingency
//! tables counted by `GROUP BY` and handed to the statistics core (`phik_from_table`,
//! `significance`), with phik's own binning of interval columns (`bin_edges`). No column is
//! collected into memory: only the small pair tables reach Rust.

use std::collections::BTreeMap;

use bankseg_proto::analysis::v1::CorrelationMatrix;
use bankseg_stats::ContingencyTable;
use bankseg_stats::phik::{bin_edges, phik_from_table, significance};

use super::Study;
use super::config::Kind;
use super::error::Result;
use super::profile::Profile;
use super::sql::{ident, query};

/// phik's default number of uniform bins for interval columns.
const PHIK_BINS: usize = 10;

struct Col {
    name: String,
    kind: Kind,
    /// Mean (numeric columns), to centre values before `corr`.
    mean: Option<f64>,
    /// Whether the column has no missing value.
    complete: bool,
    /// Whether phi_K keeps it (at least two levels, or min < max).
    phik: bool,
    /// phi_K code expression (Utf8, NULL when missing or outside the bins).
    code: String,
}

fn numeric_expr(c: &Col) -> String {
    match c.kind {
        Kind::Boolean => format!(
            "CASE WHEN {n} IS NULL THEN CAST(NULL AS DOUBLE) WHEN {n} THEN 1.0 ELSE 0.0 END",
            n = ident(&c.name)
        ),
        _ => match c.mean {
            Some(m) => format!("(CAST({} AS DOUBLE) - {m:?})", ident(&c.name)),
            None => format!("CAST({} AS DOUBLE)", ident(&c.name)),
        },
    }
}

fn columns(study: &Study<'_>, profiles: &[Profile], target_complete: bool) -> Vec<Col> {
    let max_levels = study.config.profile.max_levels;
    let mut cols: Vec<Col> = profiles
        .iter()
        .map(|p| {
            let name = ident(&p.column);
            let levels_code = format!("CAST({name} AS VARCHAR)");
            let mut col = Col {
                name: p.column.clone(),
                kind: p.kind,
                mean: p.proto.mean,
                complete: p.proto.missing == 0,
                phik: p.proto.distinct >= 2,
                code: levels_code,
            };
            if p.kind == Kind::Numeric && p.proto.distinct as usize > max_levels {
                let edges = match (p.proto.min, p.proto.max) {
                    (Some(lo), Some(hi)) => bin_edges(lo, hi, PHIK_BINS).ok(),
                    _ => None,
                };
                match edges {
                    Some(edges) => {
                        // phik's bin: searchsorted(edges, x) - 1, i.e. e[k] < x <= e[k + 1]
                        let x = format!("CAST({name} AS DOUBLE)");
                        let mut code = format!(
                            "CASE WHEN {x} IS NULL THEN CAST(NULL AS VARCHAR) WHEN {x} <= {:?} THEN CAST(NULL AS VARCHAR)",
                            edges[0]
                        );
                        for (k, e) in edges.iter().enumerate().skip(1) {
                            code.push_str(&format!(" WHEN {x} <= {e:?} THEN '{}'", k - 1));
                        }
                        code.push_str(" ELSE CAST(NULL AS VARCHAR) END");
                        col.code = code;
                    }
                    None => col.phik = false,
                }
            }
            col
        })
        .collect();
    cols.push(Col {
        name: study.config.columns.target.clone(),
        kind: Kind::Boolean,
        mean: None,
        complete: target_complete,
        phik: true,
        code: format!("CAST({} AS VARCHAR)", ident(&study.config.columns.target)),
    });
    cols
}

/// Computes the three matrices.
pub async fn matrices(study: &Study<'_>, profiles: &[Profile]) -> Result<Vec<CorrelationMatrix>> {
    let rows = query(
        study.ctx,
        &format!(
            "SELECT count(*) - count({}) FROM {}",
            ident(&study.config.columns.target),
            study.table
        ),
    )
    .await?;
    let target_complete = rows.u64(0)?.first().copied().unwrap_or(0) == 0;
    let cols = columns(study, profiles, target_complete);
    let t = &study.table;
    let mut out = Vec::new();

    let numeric: Vec<&Col> = cols
        .iter()
        .filter(|c| c.kind != Kind::Categorical)
        .collect();
    let names: Vec<String> = numeric.iter().map(|c| c.name.clone()).collect();
    let k = numeric.len();
    let mut pearson = vec![f64::NAN; k * k];
    let mut spearman = vec![f64::NAN; k * k];
    for a in 0..k {
        pearson[a * k + a] = 1.0;
        spearman[a * k + a] = 1.0;
    }
    let pairs: Vec<(usize, usize)> = (0..k)
        .flat_map(|a| (a + 1..k).map(move |b| (a, b)))
        .collect();
    let inner: Vec<String> = numeric
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} AS x{i}", numeric_expr(c)))
        .collect();
    let inner = format!("(SELECT {} FROM {t})", inner.join(", "));
    let rank = |i: usize| {
        format!(
            "CAST(rank() OVER (ORDER BY x{i}) AS DOUBLE) + \
             (CAST(count(*) OVER (PARTITION BY x{i}) AS DOUBLE) - 1.0) / 2.0"
        )
    };
    if !pairs.is_empty() {
        // Pearson: one pass; `corr` skips rows where either value is missing
        let sel: Vec<String> = pairs
            .iter()
            .map(|(a, b)| format!("corr(x{a}, x{b})"))
            .collect();
        let rows = query(
            study.ctx,
            &format!("SELECT {} FROM {inner}", sel.join(", ")),
        )
        .await?;
        for (i, (a, b)) in pairs.iter().enumerate() {
            let v = rows.f64(i)?.first().copied().flatten().unwrap_or(f64::NAN);
            pearson[a * k + b] = v;
            pearson[b * k + a] = v;
        }
        // Spearman: Pearson of average ranks among pairwise-complete rows; columns without
        // missing values share one ranking pass
        let complete: Vec<bool> = numeric.iter().map(|c| c.complete).collect();
        type Pairs = Vec<(usize, usize)>;
        let (full, partial): (Pairs, Pairs) = pairs
            .iter()
            .partition(|(a, b)| complete[*a] && complete[*b]);
        if !full.is_empty() {
            let ranks: Vec<String> = (0..k)
                .filter(|&i| complete[i])
                .map(|i| format!("{} AS r{i}", rank(i)))
                .collect();
            let sel: Vec<String> = full
                .iter()
                .map(|(a, b)| format!("corr(r{a}, r{b})"))
                .collect();
            let rows = query(
                study.ctx,
                &format!(
                    "SELECT {} FROM (SELECT {} FROM {inner})",
                    sel.join(", "),
                    ranks.join(", ")
                ),
            )
            .await?;
            for (i, (a, b)) in full.iter().enumerate() {
                let v = rows.f64(i)?.first().copied().flatten().unwrap_or(f64::NAN);
                spearman[a * k + b] = v;
                spearman[b * k + a] = v;
            }
        }
        for (a, b) in partial {
            let rows = query(
                study.ctx,
                &format!(
                    "SELECT corr(r{a}, r{b}) FROM (SELECT {} AS r{a}, {} AS r{b} FROM {inner} \
                     WHERE x{a} IS NOT NULL AND x{b} IS NOT NULL)",
                    rank(a),
                    rank(b)
                ),
            )
            .await?;
            let v = rows.f64(0)?.first().copied().flatten().unwrap_or(f64::NAN);
            spearman[a * k + b] = v;
            spearman[b * k + a] = v;
        }
    }
    for (method, values) in [("pearson", pearson), ("spearman", spearman)] {
        out.push(CorrelationMatrix {
            method: method.into(),
            columns: names.clone(),
            values,
            significance: Vec::new(),
        });
    }

    let kept: Vec<&Col> = cols.iter().filter(|c| c.phik).collect();
    let k = kept.len();
    let mut values = vec![f64::NAN; k * k];
    let mut sig = vec![f64::NAN; k * k];
    let mut tables = pair_tables(study, &kept).await?;
    for a in 0..k {
        for b in a..k {
            let (v, s) = match tables.remove(&(a, b)) {
                Some(t) if t.rows() >= 2 && t.cols() >= 2 => {
                    let v = if a == b {
                        1.0
                    } else {
                        phik_from_table(&t).unwrap_or(f64::NAN)
                    };
                    (v, significance(&t).unwrap_or(f64::NAN))
                }
                _ => (f64::NAN, f64::NAN),
            };
            values[a * k + b] = v;
            values[b * k + a] = v;
            sig[a * k + b] = s;
            sig[b * k + a] = s;
        }
    }
    out.push(CorrelationMatrix {
        method: "phik".into(),
        columns: kept.iter().map(|c| c.name.clone()).collect(),
        values,
        significance: sig,
    });
    Ok(out)
}

/// Stands for a missing code inside the grouping-sets query (so that NULL there only means
/// "not grouped by this column").
const MISSING_CODE: &str = "__bankseg_missing__";

/// Contingency tables of every pair of columns' phi_K codes (and of each column with itself),
/// over rows where both are known, counted in one pass with `GROUPING SETS`.
async fn pair_tables(
    study: &Study<'_>,
    cols: &[&Col],
) -> Result<BTreeMap<(usize, usize), ContingencyTable>> {
    let k = cols.len();
    let mut out = BTreeMap::new();
    if k == 0 {
        return Ok(out);
    }
    let codes: Vec<String> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| format!("COALESCE({}, '{MISSING_CODE}') AS c{i}", c.code))
        .collect();
    let mut sets = Vec::new();
    for a in 0..k {
        sets.push(format!("(c{a})"));
        for b in a + 1..k {
            sets.push(format!("(c{a}, c{b})"));
        }
    }
    let names: Vec<String> = (0..k).map(|i| format!("c{i}")).collect();
    let rows = query(
        study.ctx,
        &format!(
            "SELECT {}, count(*) FROM (SELECT {} FROM {}) GROUP BY GROUPING SETS ({})",
            names.join(", "),
            codes.join(", "),
            study.table,
            sets.join(", ")
        ),
    )
    .await?;
    let values: Vec<Vec<Option<String>>> = (0..k).map(|i| rows.str(i)).collect::<Result<_>>()?;
    let counts = rows.u64(k)?;
    let mut cells: BTreeMap<(usize, usize), BTreeMap<(String, String), u64>> = BTreeMap::new();
    for (r, n) in counts.into_iter().enumerate() {
        let present: Vec<usize> = (0..k).filter(|&i| values[i][r].is_some()).collect();
        let (a, b) = match present.as_slice() {
            [a] => (*a, *a),
            [a, b] => (*a, *b),
            _ => continue,
        };
        let (x, y) = (
            values[a][r].clone().unwrap_or_default(),
            values[b][r].clone().unwrap_or_default(),
        );
        if x == MISSING_CODE || y == MISSING_CODE {
            continue;
        }
        *cells.entry((a, b)).or_default().entry((x, y)).or_default() += n;
    }
    for (pair, cells) in cells {
        if let Some(t) = table_of(&cells) {
            out.insert(pair, t);
        }
    }
    Ok(out)
}

/// A contingency table from counts of observed `(row label, column label)` pairs.
fn table_of(cells: &BTreeMap<(String, String), u64>) -> Option<ContingencyTable> {
    let mut ri: BTreeMap<&str, usize> = BTreeMap::new();
    let mut ci: BTreeMap<&str, usize> = BTreeMap::new();
    for (x, y) in cells.keys() {
        ri.entry(x.as_str()).or_default();
        ci.entry(y.as_str()).or_default();
    }
    for (i, v) in ri.values_mut().enumerate() {
        *v = i;
    }
    for (i, v) in ci.values_mut().enumerate() {
        *v = i;
    }
    if ri.is_empty() || ci.is_empty() {
        return None;
    }
    let mut counts = vec![0u64; ri.len() * ci.len()];
    for ((x, y), n) in cells {
        counts[ri[x.as_str()] * ci.len() + ci[y.as_str()]] = *n;
    }
    ContingencyTable::from_counts(ri.len(), ci.len(), counts).ok()
}
