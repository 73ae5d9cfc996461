//! Exploratory profile: per-column statistics and histograms, churn rate per category or bin,
//! feature ranking and alerts. Every table-wide number is an aggregate query.
//!
//! Histograms have `histogram_bins` equal-width bins from min to max, except for integer columns
//! spanning under 100 values (one bin per value) and heavy-tailed columns: when
//! `max − p99 > 2 × (p99 − min)` (for a non-negative column, max above three times the 99th
//! percentile), the equal-width bins span min to p99 and one overflow bin `[p99, max]` follows,
//! so the bulk of the customers is not squeezed into one bin by a few extreme values. The edges
//! stay the true bounds (the last one is the max).

use arrow::datatypes::DataType;
use bankseg_proto::analysis::v1::{
    Alert, ChurnCell, ColumnProfile, CorrelationMatrix, FeatureChurn, Histogram, ValueCount,
};
use bankseg_proto::ingest::v1::QualityReport;

use super::config::Kind;
use super::error::Result;
use super::sql::{ident, lit, query};
use bankseg_common::format;

use super::text::Lang::{En, Ru};
use super::text::{int, loc, pct};
use super::{Study, proportion};

/// Profile of one column plus what later stages need.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Column name.
    pub column: String,
    /// Kind.
    pub kind: Kind,
    /// Whether the column has an integer type.
    pub integer: bool,
    /// 99th percentile (numeric columns).
    pub p99: Option<f64>,
    /// The wire profile.
    pub proto: ColumnProfile,
}

/// One cell of a feature: a category level or a numeric bin.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Label as produced by the binning's SQL expression.
    pub label: String,
    /// Lower bound (inclusive) of a bin, or the level's value.
    pub lower: Option<f64>,
    /// Upper bound (exclusive) of a bin, or the level's value.
    pub upper: Option<f64>,
    /// Sort key.
    pub order: f64,
}

/// How a feature is cut into cells: an SQL expression yielding the cell label.
#[derive(Debug, Clone)]
pub struct Binning {
    /// Column.
    pub column: String,
    /// Kind.
    pub kind: Kind,
    /// SQL expression (Utf8) giving the cell label of a row.
    pub label_sql: String,
    /// Known bins (numeric bins); levels are discovered from the data.
    pub bins: Vec<Cell>,
    /// Whether cells are discrete levels.
    pub levels: bool,
}

impl Binning {
    /// The cell of a label (bins by label, levels parsed).
    pub fn cell(&self, label: &str) -> Cell {
        if let Some(c) = self.bins.iter().find(|c| c.label == label) {
            return c.clone();
        }
        if label == MISSING {
            return Cell {
                label: label.into(),
                lower: None,
                upper: None,
                order: f64::INFINITY,
            };
        }
        let v = label.parse::<f64>().ok();
        let numeric_level = self.kind == Kind::Numeric;
        Cell {
            label: label.into(),
            lower: if numeric_level { v } else { None },
            upper: if numeric_level { v } else { None },
            order: if numeric_level { v.unwrap_or(0.0) } else { 0.0 },
        }
    }
}

/// Label of missing values.
pub const MISSING: &str = "missing";

fn is_integer(t: Option<&DataType>) -> bool {
    matches!(
        t,
        Some(
            DataType::Int8
                | DataType::Int16
                | DataType::Int32
                | DataType::Int64
                | DataType::UInt8
                | DataType::UInt16
                | DataType::UInt32
                | DataType::UInt64
        )
    )
}

/// Profiles every present feature.
pub async fn profiles(study: &Study<'_>) -> Result<Vec<Profile>> {
    let numeric: Vec<String> = study
        .features
        .iter()
        .filter(|(_, k)| *k == Kind::Numeric)
        .map(|(c, _)| c.clone())
        .collect();
    let mut numeric = numeric_profiles(study, &numeric).await?.into_iter();
    let mut out = Vec::new();
    for (column, kind) in &study.features {
        let p = match kind {
            Kind::Numeric => match numeric.next() {
                Some(p) => p,
                None => continue,
            },
            _ => categorical_profile(study, column, *kind).await?,
        };
        out.push(p);
    }
    Ok(out)
}

async fn top_values(study: &Study<'_>, column: &str) -> Result<Vec<ValueCount>> {
    let c = ident(column);
    let rows = query(
        study.ctx,
        &format!(
            "SELECT CAST({c} AS VARCHAR) AS v, count(*) AS n FROM {t} WHERE {c} IS NOT NULL \
             GROUP BY v ORDER BY n DESC, v LIMIT {k}",
            t = study.table,
            k = study.config.profile.top_values.max(1)
        ),
    )
    .await?;
    let values = rows.str(0)?;
    let counts = rows.u64(1)?;
    Ok(values
        .into_iter()
        .zip(counts)
        .map(|(v, count)| ValueCount {
            value: v.unwrap_or_default(),
            count,
        })
        .collect())
}

async fn categorical_profile(study: &Study<'_>, column: &str, kind: Kind) -> Result<Profile> {
    let c = ident(column);
    let rows = query(
        study.ctx,
        &format!(
            "SELECT count({c}), count(*), count(DISTINCT {c}) FROM {}",
            study.table
        ),
    )
    .await?;
    let count = rows.u64(0)?.first().copied().unwrap_or(0);
    let total = rows.u64(1)?.first().copied().unwrap_or(0);
    let distinct = rows.u64(2)?.first().copied().unwrap_or(0);
    Ok(Profile {
        column: column.into(),
        kind,
        integer: false,
        p99: None,
        proto: ColumnProfile {
            column: column.into(),
            kind: kind.name().into(),
            count,
            missing: total - count,
            distinct,
            top_values: top_values(study, column).await?,
            ..Default::default()
        },
    })
}

/// Profiles of all numeric columns: one query for counts, moments and quantiles, one for the
/// central moments, one for the medians by churn, then top values and a histogram per column.
async fn numeric_profiles(study: &Study<'_>, columns: &[String]) -> Result<Vec<Profile>> {
    if columns.is_empty() {
        return Ok(Vec::new());
    }
    let t = &study.table;
    const PER: usize = 14;
    let aggs: Vec<String> = columns
        .iter()
        .flat_map(|column| {
            let c = ident(column);
            let x = format!("CAST({c} AS DOUBLE)");
            [
                format!("count({c})"),
                "count(*)".to_string(),
                format!("count(DISTINCT {c})"),
                format!("sum(CASE WHEN {x} = 0 THEN 1 ELSE 0 END)"),
                format!("min({x})"),
                format!("max({x})"),
                format!("avg({x})"),
                format!("stddev({x})"),
                format!("percentile_cont({x}, 0.05)"),
                format!("percentile_cont({x}, 0.25)"),
                format!("median({x})"),
                format!("percentile_cont({x}, 0.75)"),
                format!("percentile_cont({x}, 0.95)"),
                format!("percentile_cont({x}, 0.99)"),
            ]
        })
        .enumerate()
        .map(|(i, e)| format!("{e} AS v{i}"))
        .collect();
    let rows = query(study.ctx, &format!("SELECT {} FROM {t}", aggs.join(", "))).await?;
    let first_u = |i: usize| -> Result<u64> { Ok(rows.u64(i)?.first().copied().unwrap_or(0)) };
    let first_f = |i: usize| -> Result<Option<f64>> { Ok(rows.f64(i)?.first().copied().flatten()) };

    let mut out = Vec::new();
    for (j, column) in columns.iter().enumerate() {
        let o = j * PER;
        let count = first_u(o)?;
        let total = first_u(o + 1)?;
        let distinct = first_u(o + 2)?;
        let zeros = first_u(o + 3)?;
        let integer = is_integer(study.types.get(column));
        out.push(Profile {
            column: column.clone(),
            kind: Kind::Numeric,
            integer,
            p99: first_f(o + 13)?,
            proto: ColumnProfile {
                column: column.clone(),
                kind: "numeric".into(),
                count,
                missing: total - count,
                distinct,
                zeros,
                min: first_f(o + 4)?,
                max: first_f(o + 5)?,
                mean: first_f(o + 6)?,
                std: first_f(o + 7)?,
                p05: first_f(o + 8)?,
                p25: first_f(o + 9)?,
                p50: first_f(o + 10)?,
                p75: first_f(o + 11)?,
                p95: first_f(o + 12)?,
                ..Default::default()
            },
        });
    }

    // central moments around each column's mean: skewness and kurtosis as pandas
    // (Series.skew / Series.kurt, bias-corrected)
    let moments: Vec<String> = out
        .iter()
        .map(|p| {
            let d = format!(
                "(CAST({} AS DOUBLE) - {:?})",
                ident(&p.column),
                p.proto.mean.unwrap_or(0.0)
            );
            format!("avg({d} * {d}), avg({d} * {d} * {d}), avg({d} * {d} * {d} * {d})")
        })
        .collect();
    let mrows = query(
        study.ctx,
        &format!("SELECT {} FROM {t}", moments.join(", ")),
    )
    .await?;
    for (j, p) in out.iter_mut().enumerate() {
        let get = |i: usize| -> Result<f64> {
            Ok(mrows
                .f64(3 * j + i)?
                .first()
                .copied()
                .flatten()
                .unwrap_or(0.0))
        };
        let (m2, m3, m4) = (get(0)?, get(1)?, get(2)?);
        let count = p.proto.count;
        let n = count as f64;
        if count >= 3 && m2 > 0.0 {
            p.proto.skewness = Some((n * (n - 1.0)).sqrt() / (n - 2.0) * m3 / m2.powf(1.5));
            if count >= 4 {
                p.proto.kurtosis = Some(
                    (n * n - 1.0) / ((n - 2.0) * (n - 3.0)) * m4 / (m2 * m2)
                        - 3.0 * (n - 1.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0)),
                );
            }
        }
    }

    let tc = ident(&study.config.columns.target);
    let medians: Vec<String> = columns
        .iter()
        .map(|c| format!("median(CAST({} AS DOUBLE))", ident(c)))
        .collect();
    let by_churn = query(
        study.ctx,
        &format!("SELECT {tc}, {} FROM {t} GROUP BY {tc}", medians.join(", ")),
    )
    .await?;
    let flags = by_churn.bool(0)?;
    for (j, p) in out.iter_mut().enumerate() {
        for (flag, med) in flags.iter().zip(by_churn.f64(j + 1)?) {
            match flag {
                Some(true) => p.proto.median_churned = med,
                Some(false) => p.proto.median_retained = med,
                None => {}
            }
        }
    }

    for p in out.iter_mut() {
        p.proto.top_values = top_values(study, &p.column).await?;
        p.proto.histogram = match (p.proto.min, p.proto.max) {
            (Some(lo), Some(hi)) => Some(histogram(study, p, lo, hi).await?),
            _ => None,
        };
    }
    Ok(out)
}

/// Whether a column with this range and 99th percentile gets an overflow bin `[p99, max]`: when
/// the top 1% would stretch the axis to more than three times the span of the rest.
pub fn needs_overflow_bin(min: f64, max: f64, p99: f64) -> bool {
    p99.is_finite() && p99 > min && max - p99 > 2.0 * (p99 - min)
}

async fn histogram(study: &Study<'_>, p: &Profile, lo: f64, hi: f64) -> Result<Histogram> {
    let column = &p.column;
    let b = study.config.profile.histogram_bins.max(1);
    // (first edge, bin width, bins, start of the overflow bin)
    let (start, width, bins, overflow) =
        if p.integer && (hi - lo) < 100.0 && p.proto.distinct <= 100 {
            (lo - 0.5, 1.0, (hi - lo) as usize + 1, None)
        } else if let Some(p99) = p.p99.filter(|p99| needs_overflow_bin(lo, hi, *p99)) {
            (lo, (p99 - lo) / b as f64, b + 1, Some(p99))
        } else if hi > lo {
            (lo, (hi - lo) / b as f64, b, None)
        } else {
            (lo - 0.5, 1.0, 1, None)
        };
    let c = ident(column);
    let x = format!("CAST({c} AS DOUBLE)");
    let floor = format!("CAST(floor(({x} - {start:?}) / {width:?}) AS BIGINT)");
    let last = bins - 1;
    let bin = match overflow {
        Some(p99) => format!("CASE WHEN {x} >= {p99:?} THEN {last} ELSE {floor} END"),
        None => floor,
    };
    let rows = query(
        study.ctx,
        &format!(
            "SELECT CASE WHEN b >= {last} THEN {last} WHEN b < 0 THEN 0 ELSE b END AS bin, count(*), sum(ch) \
             FROM (SELECT {bin} AS b, {ch} AS ch FROM {t} WHERE {c} IS NOT NULL) GROUP BY bin",
            ch = study.churn_int(),
            t = study.table
        ),
    )
    .await?;
    let mut all = vec![0u64; bins];
    let mut churned = vec![0u64; bins];
    for ((b, n), k) in rows.i64(0)?.into_iter().zip(rows.u64(1)?).zip(rows.u64(2)?) {
        let i = b.unwrap_or(0).clamp(0, bins as i64 - 1) as usize;
        all[i] += n;
        churned[i] += k;
    }
    let retained = all.iter().zip(&churned).map(|(a, c)| a - c).collect();
    let edges = match overflow {
        // equal-width edges up to p99 (exactly), then the max
        Some(p99) => (0..last)
            .map(|i| start + width * i as f64)
            .chain([p99, hi])
            .collect(),
        None => (0..=bins).map(|i| start + width * i as f64).collect(),
    };
    Ok(Histogram {
        edges,
        all,
        churned,
        retained,
    })
}

/// Rounds to two significant digits (bin edges readers can remember).
pub fn round2(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let mag = 10f64.powf(v.abs().log10().floor() - 1.0);
    (v / mag).round() * mag
}

/// How each present feature is cut into cells for churn rates and slices.
pub async fn binnings(study: &Study<'_>, profiles: &[Profile]) -> Result<Vec<Binning>> {
    let mut out = Vec::new();
    for p in profiles {
        let c = ident(&p.column);
        let levels_sql = format!("COALESCE(CAST({c} AS VARCHAR), {})", lit(MISSING));
        if p.kind != Kind::Numeric
            || (p.integer && p.proto.distinct as usize <= study.config.profile.max_levels)
        {
            out.push(Binning {
                column: p.column.clone(),
                kind: p.kind,
                label_sql: levels_sql,
                bins: Vec::new(),
                levels: true,
            });
            continue;
        }
        let edges = match study.config.profile.bin_edges.get(&p.column) {
            Some(e) => e.clone(),
            None => quantile_edges(study, &p.column).await?,
        };
        out.push(numeric_binning(&p.column, &edges));
    }
    Ok(out)
}

async fn quantile_edges(study: &Study<'_>, column: &str) -> Result<Vec<f64>> {
    let q = study.config.profile.quantile_bins.max(2);
    let x = format!("CAST({} AS DOUBLE)", ident(column));
    let parts: Vec<String> = (1..q)
        .map(|k| format!("percentile_cont({x}, {:?})", k as f64 / q as f64))
        .collect();
    let rows = query(
        study.ctx,
        &format!("SELECT {} FROM {}", parts.join(", "), study.table),
    )
    .await?;
    let mut edges = Vec::new();
    for i in 0..q - 1 {
        if let Some(v) = rows.f64(i)?.first().copied().flatten() {
            let r = round2(v);
            if edges.last().is_none_or(|l: &f64| r > *l) {
                edges.push(r);
            }
        }
    }
    Ok(edges)
}

/// A bin edge in a cell label: plain digits, no grouping, `.` as the decimal mark (labels are
/// data, the same in every language; sentences write bins from their bounds).
fn edge_key(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Bins `< e0`, `[e0, e1)`, ..., `≥ e_last` with SQL labels.
pub fn numeric_binning(column: &str, edges: &[f64]) -> Binning {
    let c = format!("CAST({} AS DOUBLE)", ident(column));
    let mut bins = Vec::new();
    let mut sql = format!("CASE WHEN {c} IS NULL THEN {}", lit(MISSING));
    if let Some(first) = edges.first() {
        let label = format!("< {}", edge_key(*first));
        sql.push_str(&format!(" WHEN {c} < {first:?} THEN {}", lit(&label)));
        bins.push(Cell {
            label,
            lower: None,
            upper: Some(*first),
            order: f64::NEG_INFINITY,
        });
    }
    for w in edges.windows(2) {
        let label = format!("[{}, {})", edge_key(w[0]), edge_key(w[1]));
        sql.push_str(&format!(" WHEN {c} < {:?} THEN {}", w[1], lit(&label)));
        bins.push(Cell {
            label,
            lower: Some(w[0]),
            upper: Some(w[1]),
            order: w[0],
        });
    }
    let last = edges.last().copied().unwrap_or(0.0);
    let label = format!("≥ {}", edge_key(last));
    sql.push_str(&format!(" ELSE {} END", lit(&label)));
    bins.push(Cell {
        label,
        lower: Some(last),
        upper: None,
        order: last,
    });
    Binning {
        column: column.into(),
        kind: Kind::Numeric,
        label_sql: sql,
        bins,
        levels: false,
    }
}

/// Churn per cell of every feature, against the bank average.
pub async fn feature_churn(study: &Study<'_>, binnings: &[Binning]) -> Result<Vec<FeatureChurn>> {
    let bank = study.bank_rate();
    let mut out = Vec::new();
    for b in binnings {
        let rows = query(
            study.ctx,
            &format!(
                "SELECT {} AS l, count(*), sum({}) FROM {} GROUP BY l",
                b.label_sql,
                study.churn_int(),
                study.table
            ),
        )
        .await?;
        let mut cells: Vec<(Cell, u64, u64)> = rows
            .str(0)?
            .into_iter()
            .zip(rows.u64(1)?)
            .zip(rows.u64(2)?)
            .map(|((l, n), k)| (b.cell(&l.unwrap_or_else(|| MISSING.into())), n, k))
            .collect();
        cells.sort_by(|a, b| {
            a.0.order
                .total_cmp(&b.0.order)
                .then(a.0.label.cmp(&b.0.label))
        });
        // Cramér's V of cells × churn until phi_K replaces it
        let table: Vec<Vec<u64>> = cells.iter().map(|(_, n, k)| vec![*k, n - k]).collect();
        let strength = bankseg_stats::ContingencyTable::from_rows(&table)
            .ok()
            .and_then(|t| t.without_empty())
            .and_then(|t| bankseg_stats::cramers_v(&t, false).ok())
            .unwrap_or(0.0);
        out.push(FeatureChurn {
            column: b.column.clone(),
            kind: b.kind.name().into(),
            cells: cells
                .into_iter()
                .map(|(c, n, k)| {
                    let p = proportion(k, n);
                    ChurnCell {
                        label: c.label,
                        lower: c.lower,
                        upper: c.upper,
                        lift: if bank > 0.0 { p.rate / bank } else { 0.0 },
                        churn: Some(p),
                    }
                })
                .collect(),
            strength,
            rank: 0,
        });
    }
    Ok(out)
}

/// Sets each feature's strength to its phi_K with the target when the matrix has it, and ranks.
pub fn rank_features(study: &Study<'_>, fc: &mut [FeatureChurn], matrices: &[CorrelationMatrix]) {
    let target = &study.config.columns.target;
    if let Some(m) = matrices.iter().find(|m| m.method == "phik") {
        let n = m.columns.len();
        if let Some(t) = m.columns.iter().position(|c| c == target) {
            for f in fc.iter_mut() {
                if let Some(i) = m.columns.iter().position(|c| *c == f.column) {
                    let v = m.values.get(i * n + t).copied().unwrap_or(f64::NAN);
                    if v.is_finite() {
                        f.strength = v;
                    }
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..fc.len()).collect();
    order.sort_by(|&a, &b| fc[b].strength.total_cmp(&fc[a].strength));
    for (rank, i) in order.into_iter().enumerate() {
        fc[i].rank = rank as u32 + 1;
    }
}

/// Alerts in the spirit of ydata-profiling.
pub fn alerts(
    study: &Study<'_>,
    profiles: &[Profile],
    matrices: &[CorrelationMatrix],
    quality: &QualityReport,
) -> Vec<Alert> {
    let a = &study.config.alerts;
    let mut out = Vec::new();
    for p in profiles {
        let pr = &p.proto;
        let total = pr.count + pr.missing;
        let col = &p.column;
        let l = study.label(col);
        if total > 0 {
            let share = pr.missing as f64 / total as f64;
            if share > a.missing_share {
                out.push(Alert {
                    kind: "missing".into(),
                    column: col.clone(),
                    message: Some(loc(
                        format!(
                            "{}: пропущено {} значений ({})",
                            l.ru,
                            int(pr.missing, Ru),
                            pct(share, Ru)
                        ),
                        format!(
                            "{}: {} values missing ({})",
                            l.en,
                            int(pr.missing, En),
                            pct(share, En)
                        ),
                    )),
                    value: share,
                });
            }
        }
        if pr.count > 0 && pr.distinct <= 1 {
            out.push(Alert {
                kind: "constant".into(),
                column: col.clone(),
                message: Some(loc(
                    format!("{}: столбец принимает одно значение", l.ru),
                    format!("{}: the column has a single value", l.en),
                )),
                value: pr.distinct as f64,
            });
        }
        if let Some(s) = pr.skewness
            && s.abs() > a.abs_skewness
        {
            out.push(Alert {
                kind: "skewed".into(),
                column: col.clone(),
                message: Some(loc(
                    format!(
                        "{}: сильная асимметрия распределения (коэффициент {})",
                        l.ru,
                        format::num(s, 2, Ru)
                    ),
                    format!(
                        "{}: heavily skewed distribution (skewness {})",
                        l.en,
                        format::num(s, 2, En)
                    ),
                )),
                value: s,
            });
        }
        if p.kind == Kind::Numeric && pr.count > 0 {
            let share = pr.zeros as f64 / pr.count as f64;
            if share > a.zeros_share {
                out.push(Alert {
                    kind: "zeros".into(),
                    column: col.clone(),
                    message: Some(loc(
                        format!("{}: {} нулей ({})", l.ru, int(pr.zeros, Ru), pct(share, Ru)),
                        format!("{}: {} zeros ({})", l.en, int(pr.zeros, En), pct(share, En)),
                    )),
                    value: share,
                });
            }
        }
        if p.kind != Kind::Numeric && pr.top_values.len() >= 2 && pr.count > 0 {
            let k = pr.top_values.len() as f64;
            let entropy: f64 = pr
                .top_values
                .iter()
                .map(|v| v.count as f64 / pr.count as f64)
                .filter(|q| *q > 0.0)
                .map(|q| -q * q.ln())
                .sum();
            let imbalance = 1.0 - entropy / k.ln();
            if imbalance > a.imbalance {
                out.push(Alert {
                    kind: "imbalance".into(),
                    column: col.clone(),
                    message: Some(loc(
                        format!(
                            "{}: несбалансированные категории (дисбаланс {})",
                            l.ru,
                            format::num(imbalance, 2, Ru)
                        ),
                        format!(
                            "{}: imbalanced categories (imbalance {})",
                            l.en,
                            format::num(imbalance, 2, En)
                        ),
                    )),
                    value: imbalance,
                });
            }
        }
    }
    for m in matrices {
        let n = m.columns.len();
        for i in 0..n {
            for j in i + 1..n {
                let v = m.values.get(i * n + j).copied().unwrap_or(f64::NAN);
                if v.is_finite() && v.abs() > a.correlation {
                    let (x, y) = (&m.columns[i], &m.columns[j]);
                    out.push(Alert {
                        kind: "high_correlation".into(),
                        column: format!("{x}, {y}"),
                        message: Some(loc(
                            format!(
                                "{x} и {y}: высокая корреляция ({} = {})",
                                m.method,
                                format::num(v, 2, Ru)
                            ),
                            format!(
                                "{x} and {y}: high correlation ({} = {})",
                                m.method,
                                format::num(v, 2, En)
                            ),
                        )),
                        value: v,
                    });
                }
            }
        }
    }
    if quality.duplicate_id_rows > 0 {
        let id = &study.config.columns.id;
        out.push(Alert {
            kind: "duplicates".into(),
            column: id.clone(),
            message: Some(loc(
                format!(
                    "{} строк с повторяющимся {id} ({} идентификаторов)",
                    int(quality.duplicate_id_rows, Ru),
                    int(quality.duplicate_ids, Ru)
                ),
                format!(
                    "{} rows share their {id} with another row ({} ids)",
                    int(quality.duplicate_id_rows, En),
                    int(quality.duplicate_ids, En)
                ),
            )),
            value: quality.duplicate_id_rows as f64,
        });
    }
    if quality.exact_duplicates_removed > 0 {
        out.push(Alert {
            kind: "duplicates".into(),
            column: String::new(),
            message: Some(loc(
                format!(
                    "удалено полных дубликатов строк: {}",
                    int(quality.exact_duplicates_removed, Ru)
                ),
                format!(
                    "exact duplicate rows removed: {}",
                    int(quality.exact_duplicates_removed, En)
                ),
            )),
            value: quality.exact_duplicates_removed as f64,
        });
    }
    out
}
