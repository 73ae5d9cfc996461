//! Search for high-churn slices over single features and pairs of features: slices of at least
//! `min_size` customers whose churn rate is at least `min_lift` times the bank's, ranked by excess
//! churners (customers lost above the bank rate).

use std::collections::BTreeMap;

use bankseg_proto::analysis::v1::{FeatureChurn, Slice, SliceCondition};
use bankseg_proto::common::v1::LocalizedText;

use super::error::Result;
use super::profile::{Binning, Cell, MISSING};
use super::sql::query;
use super::text::Lang::{En, Ru};
use super::text::{bin, int, loc, lt, num, pct};
use super::{Study, proportion};

struct Candidate {
    conds: Vec<(String, Cell, bool)>,
    size: u64,
    churned: u64,
}

fn cond_text(study: &Study<'_>, column: &str, cell: &Cell, levels: bool) -> LocalizedText {
    let l = study.label(column);
    if cell.label == MISSING {
        loc(format!("{} не указан", l.ru), format!("{} missing", l.en))
    } else if levels {
        lt(&study.config.level_phrase(column, &cell.label))
    } else {
        loc(
            format!("{} {}", l.ru, bin(cell.lower, cell.upper, Ru)),
            format!("{} {}", l.en, bin(cell.lower, cell.upper, En)),
        )
    }
}

/// Runs the search.
pub async fn search(
    study: &Study<'_>,
    binnings: &[Binning],
    feature_churn: &[FeatureChurn],
) -> Result<Vec<Slice>> {
    let cfg = &study.config.slices;
    if !cfg.enabled || study.rows == 0 {
        return Ok(Vec::new());
    }
    let bank = study.bank_rate();
    let chosen: Vec<&Binning> = binnings
        .iter()
        .filter(|b| cfg.columns.is_empty() || cfg.columns.contains(&b.column))
        .collect();
    // churn rate of every single cell
    let mut single_rate: BTreeMap<(String, String), f64> = BTreeMap::new();
    let mut candidates = Vec::new();
    for b in &chosen {
        let Some(fc) = feature_churn.iter().find(|f| f.column == b.column) else {
            continue;
        };
        for c in &fc.cells {
            let Some(p) = &c.churn else { continue };
            single_rate.insert((b.column.clone(), c.label.clone()), p.rate);
            candidates.push(Candidate {
                conds: vec![(b.column.clone(), b.cell(&c.label), b.levels)],
                size: p.total,
                churned: p.successes,
            });
        }
    }
    let ch = study.churn_int();
    // every pair of features in one pass
    let k = chosen.len();
    let mut sets = Vec::new();
    for a in 0..k {
        for b in a + 1..k {
            sets.push(format!("(l{a}, l{b})"));
        }
    }
    if !sets.is_empty() {
        let labels: Vec<String> = chosen
            .iter()
            .enumerate()
            .map(|(i, b)| format!("{} AS l{i}", b.label_sql))
            .collect();
        let names: Vec<String> = (0..k).map(|i| format!("l{i}")).collect();
        let rows = query(
            study.ctx,
            &format!(
                "SELECT {}, count(*), sum(ch) FROM (SELECT {}, {ch} AS ch FROM {}) \
                 GROUP BY GROUPING SETS ({}) HAVING count(*) >= {}",
                names.join(", "),
                labels.join(", "),
                study.table,
                sets.join(", "),
                cfg.min_size
            ),
        )
        .await?;
        let values: Vec<Vec<Option<String>>> =
            (0..k).map(|i| rows.str(i)).collect::<Result<_>>()?;
        let sizes = rows.u64(k)?;
        let churned = rows.u64(k + 1)?;
        for (r, (n, c)) in sizes.into_iter().zip(churned).enumerate() {
            let present: Vec<usize> = (0..k).filter(|&i| values[i][r].is_some()).collect();
            let [ia, ib] = present.as_slice() else {
                continue;
            };
            let (a, b) = (chosen[*ia], chosen[*ib]);
            let la = values[*ia][r].clone().unwrap_or_default();
            let lb = values[*ib][r].clone().unwrap_or_default();
            let rate = c as f64 / n.max(1) as f64;
            let ra = single_rate
                .get(&(a.column.clone(), la.clone()))
                .copied()
                .unwrap_or(0.0);
            let rb = single_rate
                .get(&(b.column.clone(), lb.clone()))
                .copied()
                .unwrap_or(0.0);
            if rate < cfg.pair_gain * ra.max(rb) {
                continue;
            }
            candidates.push(Candidate {
                conds: vec![
                    (a.column.clone(), a.cell(&la), a.levels),
                    (b.column.clone(), b.cell(&lb), b.levels),
                ],
                size: n,
                churned: c,
            });
        }
    }
    let mut kept: Vec<(f64, Candidate)> = candidates
        .into_iter()
        .filter(|c| c.size >= cfg.min_size && c.size > 0)
        .filter(|c| c.churned as f64 / c.size as f64 >= cfg.min_lift * bank)
        .map(|c| (c.churned as f64 - c.size as f64 * bank, c))
        .collect();
    let key = |c: &Candidate| -> Vec<(String, String)> {
        c.conds
            .iter()
            .map(|(col, cell, _)| (col.clone(), cell.label.clone()))
            .collect()
    };
    kept.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| key(&a.1).cmp(&key(&b.1))));
    kept.truncate(cfg.top);
    Ok(kept
        .into_iter()
        .map(|(excess, c)| {
            let p = proportion(c.churned, c.size);
            let lift = if bank > 0.0 { p.rate / bank } else { 0.0 };
            let parts: Vec<LocalizedText> = c
                .conds
                .iter()
                .map(|(col, cell, levels)| cond_text(study, col, cell, *levels))
                .collect();
            let what_ru = parts.iter().map(|p| p.ru.clone()).collect::<Vec<_>>().join(" и ");
            let what_en = parts.iter().map(|p| p.en.clone()).collect::<Vec<_>>().join(" and ");
            Slice {
                description: Some(loc(
                    format!(
                        "{what_ru}: {} клиентов, отток {} ({}× банка), на {} ушедших больше ожидаемого",
                        int(c.size, Ru),
                        pct(p.rate, Ru),
                        bankseg_common::format::num(lift, 1, Ru),
                        num(excess.round(), Ru)
                    ),
                    format!(
                        "{what_en}: {} customers, churn {} ({}× the bank), {} churners above the bank rate",
                        int(c.size, En),
                        pct(p.rate, En),
                        bankseg_common::format::num(lift, 1, En),
                        num(excess.round(), En)
                    ),
                )),
                conditions: c
                    .conds
                    .into_iter()
                    .map(|(column, cell, _)| SliceCondition {
                        column,
                        label: cell.label,
                        lower: cell.lower,
                        upper: cell.upper,
                    })
                    .collect(),
                size: c.size,
                churn: Some(p),
                lift,
                excess_churners: excess,
            }
        })
        .collect())
}
