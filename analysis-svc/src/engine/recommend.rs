//! Recommendations: a rule file maps portrait facts (shares, medians, churned-vs-retained
//! differences, churn rate) to retention actions; every recommendation carries the measured facts
//! that triggered it. Priority follows the segment's excess churners.

use bankseg_proto::analysis::v1::Recommendation;
use bankseg_proto::common::v1::LocalizedText;

use super::Study;
use super::config::{Fact, Metric, Population, Scope};
use super::error::Result;
use super::segments::{SegOutput, SegStats};
use super::text::Lang::{En, Ru};
use super::text::{join, loc, lt, num, pct, pval};

fn pop_index(p: Population) -> usize {
    match p {
        Population::All => 0,
        Population::Churned => 1,
        Population::Retained => 2,
    }
}

fn pop_text(p: Population) -> (&'static str, &'static str) {
    match p {
        Population::All => ("", ""),
        Population::Churned => (" среди ушедших", " among churned"),
        Population::Retained => (" среди оставшихся", " among retained"),
    }
}

/// Measured value of a fact in a segment, with its evidence sentence.
pub fn evaluate(
    study: &Study<'_>,
    s: &SegStats,
    bank_rate: f64,
    f: &Fact,
) -> Option<(f64, LocalizedText)> {
    let col = f.column.clone().unwrap_or_default();
    let l = study.label(&col);
    let level = f.level.as_ref().map(|v| v.label()).unwrap_or_default();
    let pi = pop_index(f.population);
    let (pr, pe) = pop_text(f.population);
    let op = f.op.symbol();
    let value = match f.metric {
        Metric::Share => s.share(&col, &level, pi)?,
        Metric::Median => s.numeric.get(&col)?.median[pi]?,
        Metric::MedianDiff => {
            let n = s.numeric.get(&col)?;
            n.median[1]? - n.median[2]?
        }
        Metric::ShareDiff => s.share(&col, &level, 1)? - s.share(&col, &level, 2)?,
        Metric::ChurnRate => s.rate(),
        Metric::Lift => {
            if bank_rate > 0.0 {
                s.rate() / bank_rate
            } else {
                return None;
            }
        }
        Metric::Size => s.size as f64,
    };
    let text = match f.metric {
        Metric::Share => {
            let ph = study.config.level_phrase(&col, &level);
            loc(
                format!(
                    "доля «{}»{pr}: {} ({op} {})",
                    ph.ru,
                    pct(value, Ru),
                    pct(f.value, Ru)
                ),
                format!(
                    "share \"{}\"{pe}: {} ({op} {})",
                    ph.en,
                    pct(value, En),
                    pct(f.value, En)
                ),
            )
        }
        Metric::Median => loc(
            format!(
                "медиана «{}»{pr}: {} ({op} {})",
                l.ru,
                num(value, Ru),
                num(f.value, Ru)
            ),
            format!(
                "median {}{pe}: {} ({op} {})",
                l.en,
                num(value, En),
                num(f.value, En)
            ),
        ),
        Metric::MedianDiff => {
            let n = s.numeric.get(&col)?;
            let (a, b) = (n.median[1]?, n.median[2]?);
            loc(
                format!(
                    "медиана «{}»: у ушедших {}, у оставшихся {}",
                    l.ru,
                    num(a, Ru),
                    num(b, Ru)
                ),
                format!(
                    "median {}: {} among churned vs {} among retained",
                    l.en,
                    num(a, En),
                    num(b, En)
                ),
            )
        }
        Metric::ShareDiff => {
            let (a, b) = (s.share(&col, &level, 1)?, s.share(&col, &level, 2)?);
            let ph = study.config.level_phrase(&col, &level);
            loc(
                format!(
                    "доля «{}»: у ушедших {}, у оставшихся {}",
                    ph.ru,
                    pct(a, Ru),
                    pct(b, Ru)
                ),
                format!(
                    "share \"{}\": {} among churned vs {} among retained",
                    ph.en,
                    pct(a, En),
                    pct(b, En)
                ),
            )
        }
        Metric::ChurnRate => loc(
            format!("отток {} ({op} {})", pct(value, Ru), pct(f.value, Ru)),
            format!("churn {} ({op} {})", pct(value, En), pct(f.value, En)),
        ),
        Metric::Lift => loc(
            format!(
                "отток в {} раза выше банка ({op} {})",
                bankseg_common::format::num(value, 2, Ru),
                num(f.value, Ru)
            ),
            format!(
                "churn {}× the bank's ({op} {})",
                bankseg_common::format::num(value, 2, En),
                num(f.value, En)
            ),
        ),
        Metric::Size => loc(
            format!("{} клиентов ({op} {})", num(value, Ru), num(f.value, Ru)),
            format!("{} customers ({op} {})", num(value, En), num(f.value, En)),
        ),
    };
    let mut text = text;
    if f.significant
        && let Some(t) = s.tests.get(&col)
        && let Some(p) = t.p_adj
    {
        text.ru.push_str(&format!(
            ", различие значимо (p с поправкой = {})",
            pval(p, Ru)
        ));
        text.en.push_str(&format!(
            ", difference significant (adjusted p = {})",
            pval(p, En)
        ));
    }
    Some((value, text))
}

/// Applies the rule file to the segments.
pub fn run(study: &Study<'_>, seg: &SegOutput) -> Result<Vec<Recommendation>> {
    let rules = study.config.rules();
    let bank = seg.bank_rate;
    // priority: rank of the segment by excess churners
    let mut order: Vec<(&SegStats, f64)> = seg
        .segments
        .iter()
        .map(|s| (s, s.churned as f64 - s.size as f64 * bank))
        .collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1));
    let priority = |id: &str| -> u32 {
        order
            .iter()
            .position(|(s, _)| s.id == id)
            .map(|p| p as u32 + 1)
            .unwrap_or(u32::MAX)
    };
    let mut out = Vec::new();
    for rule in &rules.rules {
        let scope = rule.scope.unwrap_or(rules.scope);
        for s in &seg.segments {
            let in_scope = match scope {
                Scope::Segments => s.parent.is_empty(),
                Scope::SubSegments => !s.parent.is_empty(),
                Scope::All => true,
            };
            if !in_scope || s.size == 0 {
                continue;
            }
            let mut evidence = Vec::new();
            let mut holds = true;
            for f in &rule.when {
                match evaluate(study, s, bank, f) {
                    Some((v, text)) => {
                        let sig_ok = !f.significant
                            || f.column
                                .as_ref()
                                .and_then(|c| s.tests.get(c))
                                .is_some_and(|t| t.significant);
                        if f.op.holds(v, f.value) && sig_ok {
                            evidence.push(text);
                        } else {
                            holds = false;
                        }
                    }
                    None => holds = false,
                }
            }
            if !holds || rule.when.is_empty() {
                continue;
            }
            let ev = join(&evidence, "; ");
            out.push(Recommendation {
                rule_id: rule.id.clone(),
                segment_id: s.id.clone(),
                action: Some(lt(&rule.action)),
                evidence: Some(loc(
                    format!("Сегмент «{}»: {}", s.name.ru, ev.ru),
                    format!("Segment \"{}\": {}", s.name.en, ev.en),
                )),
                priority: priority(&s.id),
            });
        }
    }
    out.sort_by_key(|r| r.priority);
    Ok(out)
}
