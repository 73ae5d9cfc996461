//! Hypothesis battery: configured comparisons plus churned-vs-retained for every feature. Each
//! hypothesis gets a primary test chosen by data type and distribution, companion tests, an
//! effect size, a multiplicity-adjusted p-value and a verdict in Russian and English.
//!
//! Numeric columns are read as exact value-count tables per group (`GROUP BY value`), and every
//! test (rank tests, t-test, normality, Levene) runs on those tables: memory follows the number of
//! distinct values, not the number of customers.

use std::collections::BTreeMap;

use bankseg_proto::analysis::v1::{Hypothesis, TestResult as TestProto};
use bankseg_proto::common::v1::LocalizedText;
use bankseg_stats::{Alternative, ContingencyTable, TestResult, ValueCounts};

use super::Study;
use super::config::{Kind, Text};
use super::error::Result;
use super::segments::{SegOutput, conditions_text};
use super::sql::{Rows, conditions_sql, ident, query};
use super::text::Lang::{En, Ru};
use super::text::{int, loc, lt, median_comparison, num, pct, pval};

/// Smallest group on which normality is checked (scipy's kurtosis test needs 20); smaller groups
/// count as not normal, so the rank test is primary.
const MIN_NORMALITY_N: u64 = 20;

/// A group being compared: name, short id and SQL predicate over the segment base query.
struct Group {
    id: String,
    name: Text,
    predicate: String,
}

struct Spec {
    id: String,
    column: String,
    title: Option<Text>,
    groups: Vec<Group>,
}

/// Reader-facing name of a test.
pub fn test_name(test: &str) -> Text {
    match test {
        "mann_whitney_u" => Text::new("критерий Манна–Уитни", "Mann–Whitney U test"),
        "welch_t" => Text::new("t-критерий Уэлча", "Welch's t-test"),
        "student_t" => Text::new("t-критерий Стьюдента", "Student's t-test"),
        "ks_2samp" => Text::new("критерий Колмогорова–Смирнова", "Kolmogorov–Smirnov test"),
        "chi2_contingency" => Text::new("критерий хи-квадрат", "chi-square test"),
        "fisher_exact" => Text::new("точный критерий Фишера", "Fisher's exact test"),
        "two_proportion_z" => Text::new("z-тест для двух долей", "two-proportion z-test"),
        "kruskal" => Text::new("критерий Краскела–Уоллиса", "Kruskal–Wallis test"),
        "levene" => Text::new("критерий Левена", "Levene's test"),
        other => Text::new(other, other),
    }
}

fn to_proto(t: &TestResult) -> TestProto {
    let (ci_low, ci_high) = match t.ci {
        Some((a, b)) => (a.is_finite().then_some(a), b.is_finite().then_some(b)),
        None => (None, None),
    };
    TestProto {
        test: t.test.to_string(),
        method: t.method.clone(),
        statistic: t.statistic,
        p_value: t.p_value,
        log10_p: t.log10_p,
        df: t.df,
        effect_name: t.effect_name.to_string(),
        effect: t.effect,
        ci_low,
        ci_high,
        sizes: t.sizes.clone(),
    }
}

/// Outcome of one hypothesis before adjustment.
struct Run {
    primary: Option<TestResult>,
    companions: Vec<TestResult>,
    rationale: LocalizedText,
    h0: LocalizedText,
    h1: LocalizedText,
    medians: Vec<f64>,
    means: Vec<f64>,
    /// Why the primary test is trusted, for the agreement text.
    reason: LocalizedText,
}

fn specs(study: &Study<'_>, seg: &SegOutput) -> Result<Vec<Spec>> {
    let mut out = Vec::new();
    for h in &study.config.hypotheses.tests {
        study.require(&h.column, &format!("hypothesis {}", h.id))?;
        let mut groups = Vec::new();
        for g in &h.groups {
            let (id, name, predicate) = match &g.segment {
                Some(sid) => {
                    let Some(pred) = seg.predicates.get(sid) else {
                        return Err(super::Error::Config(format!(
                            "hypotheses.tests {:?}: unknown segment {sid:?}",
                            h.id
                        )));
                    };
                    let name = seg
                        .get(sid)
                        .map(|s| s.name.clone())
                        .unwrap_or_else(|| Text::new(sid.clone(), sid.clone()));
                    (sid.clone(), name, pred.clone())
                }
                None => {
                    for c in &g.conditions {
                        study.require(&c.column, &format!("hypothesis {}", h.id))?;
                    }
                    let words = conditions_text(study, &g.conditions);
                    (
                        words.en.clone(),
                        Text::new(words.ru, words.en),
                        conditions_sql(&g.conditions),
                    )
                }
            };
            groups.push(Group {
                id,
                name: g.name.clone().unwrap_or(name),
                predicate,
            });
        }
        out.push(Spec {
            id: h.id.clone(),
            column: h.column.clone(),
            title: h.title.clone(),
            groups,
        });
    }
    if study.config.hypotheses.churned_vs_retained {
        let target = ident(&study.config.columns.target);
        for (c, _) in &study.features {
            out.push(Spec {
                id: format!("churn_{c}"),
                column: c.clone(),
                title: None,
                groups: vec![
                    Group {
                        id: "churned".into(),
                        name: Text::new("ушедшие", "churned"),
                        predicate: format!("{target} = true"),
                    },
                    Group {
                        id: "retained".into(),
                        name: Text::new("оставшиеся", "retained"),
                        predicate: format!("{target} = false"),
                    },
                ],
            });
        }
    }
    Ok(out)
}

fn group_list(groups: &[Group]) -> Text {
    let ru: Vec<String> = groups.iter().map(|g| format!("«{}»", g.name.ru)).collect();
    let en: Vec<String> = groups
        .iter()
        .map(|g| format!("\"{}\"", g.name.en))
        .collect();
    Text::new(ru.join(" и "), en.join(" and "))
}

/// Value counts of the hypothesis column per group, in one query: rows of (group index, value cast
/// to `sql_type`, count).
async fn group_value_counts(
    study: &Study<'_>,
    seg: &SegOutput,
    spec: &Spec,
    sql_type: &str,
) -> Result<Rows> {
    let col = ident(&spec.column);
    let parts: Vec<String> = spec
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            format!(
                "SELECT {i} AS g, CAST({col} AS {sql_type}) AS v, count(*) AS n FROM {} WHERE ({}) AND {col} IS NOT NULL GROUP BY v",
                seg.base, g.predicate
            )
        })
        .collect();
    query(study.ctx, &parts.join(" UNION ALL ")).await
}

async fn numeric_run(study: &Study<'_>, seg: &SegOutput, spec: &Spec) -> Result<(Run, Vec<u64>)> {
    let rows = group_value_counts(study, seg, spec, "DOUBLE").await?;
    let mut pairs: Vec<Vec<(f64, u64)>> = vec![Vec::new(); spec.groups.len()];
    for ((g, v), n) in rows.i64(0)?.into_iter().zip(rows.f64(1)?).zip(rows.u64(2)?) {
        if let (Some(g), Some(v)) = (g, v)
            && let Some(p) = pairs.get_mut(g as usize)
        {
            p.push((v, n));
        }
    }
    let missing = missing_counts(study, seg, spec).await?;
    let vcs: Vec<ValueCounts> = pairs
        .into_iter()
        .map(|p| ValueCounts::from_pairs(p).unwrap_or_default())
        .collect();
    let l = study.label(&spec.column);
    let gl = group_list(&spec.groups);
    let alpha = study.config.alpha;
    let normal: Vec<Option<f64>> = vcs
        .iter()
        .map(|x| {
            if x.n() < MIN_NORMALITY_N {
                None
            } else {
                bankseg_stats::normality_counts(x).ok().map(|t| t.p_value)
            }
        })
        .collect();
    let all_normal = normal.iter().all(|p| p.is_some_and(|p| p >= alpha));
    let norm_text = {
        let ru: Vec<String> = spec
            .groups
            .iter()
            .zip(&normal)
            .map(|(g, p)| match p {
                Some(p) => format!("«{}»: p = {}", g.name.ru, pval(*p, Ru)),
                None => format!("«{}»: меньше {MIN_NORMALITY_N} наблюдений", g.name.ru),
            })
            .collect();
        let en: Vec<String> = spec
            .groups
            .iter()
            .zip(&normal)
            .map(|(g, p)| match p {
                Some(p) => format!("\"{}\": p = {}", g.name.en, pval(*p, En)),
                None => format!(
                    "\"{}\": fewer than {MIN_NORMALITY_N} observations",
                    g.name.en
                ),
            })
            .collect();
        Text::new(ru.join(", "), en.join(", "))
    };
    let medians: Vec<f64> = vcs.iter().map(ValueCounts::median).collect();
    let means: Vec<f64> = vcs.iter().map(ValueCounts::mean).collect();
    let mut run = Run {
        primary: None,
        companions: Vec::new(),
        rationale: loc("", ""),
        h0: loc("", ""),
        h1: loc("", ""),
        medians,
        means,
        reason: loc("", ""),
    };
    if spec.groups.len() == 2 {
        let mw = bankseg_stats::mann_whitney_u_counts(&vcs[0], &vcs[1], Alternative::TwoSided).ok();
        let welch =
            bankseg_stats::t_test_counts(&vcs[0], &vcs[1], false, Alternative::TwoSided, 0.95).ok();
        let ks = bankseg_stats::ks_2samp_counts(&vcs[0], &vcs[1], Alternative::TwoSided).ok();
        if all_normal {
            run.primary = welch;
            run.companions = [mw, ks].into_iter().flatten().collect();
            run.h0 = loc(
                format!(
                    "средние значения признака «{}» в группах {} равны",
                    l.ru, gl.ru
                ),
                format!("the mean {} is the same in groups {}", l.en, gl.en),
            );
            run.h1 = loc(
                format!(
                    "средние значения признака «{}» в группах {} различаются",
                    l.ru, gl.ru
                ),
                format!("the mean {} differs between groups {}", l.en, gl.en),
            );
            run.rationale = loc(
                format!(
                    "«{}» — числовой признак; проверка нормальности (Д'Агостино–Пирсон) не отвергает её ни в одной группе ({}), поэтому основной тест — t-критерий Уэлча (без предположения о равных дисперсиях); критерии Манна–Уитни и Колмогорова–Смирнова — сопутствующие",
                    l.ru, norm_text.ru
                ),
                format!(
                    "{} is numeric and normality (D'Agostino–Pearson) is not rejected in any group ({}), so the primary test is Welch's t-test (no equal-variance assumption); Mann–Whitney and Kolmogorov–Smirnov are companions",
                    l.en, norm_text.en
                ),
            );
            run.reason = loc(
                "распределения близки к нормальным, и t-критерий сравнивает именно средние",
                "the distributions are close to normal and the t-test compares the means directly",
            );
        } else {
            run.primary = mw;
            run.companions = [welch, ks].into_iter().flatten().collect();
            run.h0 = loc(
                format!(
                    "распределения признака «{}» в группах {} одинаковы (нет сдвига)",
                    l.ru, gl.ru
                ),
                format!(
                    "the distribution of {} is the same in groups {} (no shift)",
                    l.en, gl.en
                ),
            );
            run.h1 = loc(
                format!(
                    "распределения признака «{}» в группах {} различаются",
                    l.ru, gl.ru
                ),
                format!(
                    "the distribution of {} differs between groups {}",
                    l.en, gl.en
                ),
            );
            run.rationale = loc(
                format!(
                    "«{}» — числовой признак, нормальность распределения отвергается или не проверяема (Д'Агостино–Пирсон: {}), поэтому основной тест — ранговый критерий Манна–Уитни, устойчивый к асимметрии и выбросам; t-критерий Уэлча и критерий Колмогорова–Смирнова — сопутствующие",
                    l.ru, norm_text.ru
                ),
                format!(
                    "{} is numeric and normality is rejected or cannot be checked (D'Agostino–Pearson: {}), so the primary test is the rank-based Mann–Whitney U test, robust to skew and outliers; Welch's t-test and Kolmogorov–Smirnov are companions",
                    l.en, norm_text.en
                ),
            );
            run.reason = loc(
                "нормальность не выполняется (или не проверяема), а ранговый критерий не зависит от формы распределения и выбросов, которые смещают средние",
                "normality does not hold (or cannot be checked), and the rank test does not depend on the shape of the distributions or on the outliers that move the means",
            );
        }
    } else {
        run.primary = bankseg_stats::kruskal_counts(&vcs).ok();
        run.companions = bankseg_stats::levene_median_counts(&vcs)
            .ok()
            .into_iter()
            .collect();
        run.h0 = loc(
            format!(
                "распределения признака «{}» одинаковы во всех группах {}",
                l.ru, gl.ru
            ),
            format!(
                "the distribution of {} is the same in all groups {}",
                l.en, gl.en
            ),
        );
        run.h1 = loc(
            format!(
                "хотя бы в одной из групп {} распределение «{}» другое",
                gl.ru, l.ru
            ),
            format!(
                "the distribution of {} differs in at least one of groups {}",
                l.en, gl.en
            ),
        );
        run.rationale = loc(
            format!(
                "«{}» — числовой признак, групп больше двух: ранговый критерий Краскела–Уоллиса; критерий Левена (равенство разбросов) — сопутствующий",
                l.ru
            ),
            format!(
                "{} is numeric with more than two groups: rank-based Kruskal–Wallis test; Levene's test (equal spread) as companion",
                l.en
            ),
        );
        run.reason = loc(
            "он сравнивает распределения без предположения о нормальности",
            "it compares the distributions without assuming normality",
        );
    }
    Ok((run, missing))
}

async fn missing_counts(study: &Study<'_>, seg: &SegOutput, spec: &Spec) -> Result<Vec<u64>> {
    let col = ident(&spec.column);
    let sums: Vec<String> = spec
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            format!(
                "sum(CASE WHEN ({}) AND {col} IS NULL THEN 1 ELSE 0 END) AS m{i}",
                g.predicate
            )
        })
        .collect();
    let rows = query(
        study.ctx,
        &format!("SELECT {} FROM {}", sums.join(", "), seg.base),
    )
    .await?;
    let mut out = Vec::new();
    for i in 0..spec.groups.len() {
        out.push(rows.u64(i)?.first().copied().unwrap_or(0));
    }
    Ok(out)
}

async fn categorical_run(
    study: &Study<'_>,
    seg: &SegOutput,
    spec: &Spec,
    kind: Kind,
) -> Result<(Run, Vec<u64>)> {
    let rows = group_value_counts(study, seg, spec, "VARCHAR").await?;
    let mut counts: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for ((g, v), n) in rows.i64(0)?.into_iter().zip(rows.str(1)?).zip(rows.u64(2)?) {
        if let (Some(g), Some(v)) = (g, v) {
            let e = counts
                .entry(v)
                .or_insert_with(|| vec![0; spec.groups.len()]);
            if let Some(slot) = e.get_mut(g as usize) {
                *slot += n;
            }
        }
    }
    let missing = missing_counts(study, seg, spec).await?;
    let l = study.label(&spec.column);
    let gl = group_list(&spec.groups);
    // groups × levels
    let levels: Vec<String> = counts.keys().cloned().collect();
    let table_rows: Vec<Vec<u64>> = (0..spec.groups.len())
        .map(|g| levels.iter().map(|lv| counts[lv][g]).collect())
        .collect();
    let totals: Vec<u64> = table_rows.iter().map(|r| r.iter().sum()).collect();
    let table = ContingencyTable::from_rows(&table_rows)
        .ok()
        .and_then(|t| t.without_empty());
    let mut run = Run {
        primary: None,
        companions: Vec::new(),
        rationale: loc("", ""),
        h0: loc(
            format!("«{}» не зависит от группы ({})", l.ru, gl.ru),
            format!("{} does not depend on the group ({})", l.en, gl.en),
        ),
        h1: loc(
            format!(
                "распределение «{}» различается между группами {}",
                l.ru, gl.ru
            ),
            format!(
                "the distribution of {} differs between groups {}",
                l.en, gl.en
            ),
        ),
        medians: Vec::new(),
        means: Vec::new(),
        reason: loc(
            "это стандартный тест независимости для таблицы сопряжённости",
            "it is the standard test of independence for a contingency table",
        ),
    };
    let true_idx = levels.iter().position(|v| v == "true");
    if kind == Kind::Boolean
        && let Some(ti) = true_idx
    {
        run.means = table_rows
            .iter()
            .zip(&totals)
            .map(|(r, n)| {
                if *n == 0 {
                    f64::NAN
                } else {
                    r[ti] as f64 / *n as f64
                }
            })
            .collect();
    }
    let Some(table) = table else {
        return Ok((run, missing));
    };
    let is_2x2 = table.rows() == 2 && table.cols() == 2;
    let sparse = {
        let n = table.total() as f64;
        let rs = table.row_sums();
        let cs = table.col_sums();
        rs.iter()
            .flat_map(|r| cs.iter().map(move |c| *r as f64 * *c as f64 / n))
            .any(|e| e < 5.0)
    };
    let chi2 = bankseg_stats::chi2_contingency(&table, true).ok();
    if is_2x2 {
        let cells = [
            [table.get(0, 0), table.get(0, 1)],
            [table.get(1, 0), table.get(1, 1)],
        ];
        let fisher = bankseg_stats::fisher_exact(cells, Alternative::TwoSided).ok();
        // successes = the second level ("true" for booleans) in each group
        let z = bankseg_stats::two_proportion_z(
            cells[0][1],
            cells[0][0] + cells[0][1],
            cells[1][1],
            cells[1][0] + cells[1][1],
            Alternative::TwoSided,
        )
        .ok();
        let (kind_ru, kind_en) = if kind == Kind::Boolean {
            ("бинарный", "binary")
        } else {
            ("категориальный", "categorical")
        };
        if sparse {
            run.primary = fisher;
            run.companions = [chi2, z].into_iter().flatten().collect();
            run.rationale = loc(
                format!(
                    "«{}» — {} признак, таблица 2×2 с ожидаемой частотой меньше 5: точный критерий Фишера; хи-квадрат и z-тест для долей — сопутствующие",
                    l.ru, kind_ru
                ),
                format!(
                    "{} is {}, and the 2×2 table has an expected count below 5: Fisher's exact test; chi-square and the two-proportion z-test are companions",
                    l.en, kind_en
                ),
            );
            run.reason = loc(
                "при малых ожидаемых частотах асимптотика хи-квадрат ненадёжна",
                "the chi-square approximation is unreliable with small expected counts",
            );
        } else {
            run.primary = chi2;
            run.companions = [z, fisher].into_iter().flatten().collect();
            run.rationale = loc(
                format!(
                    "«{}» — {} признак: критерий хи-квадрат для таблицы 2×2 с поправкой Йейтса; z-тест для двух долей и точный критерий Фишера — сопутствующие",
                    l.ru, kind_ru
                ),
                format!(
                    "{} is {}: chi-square test of the 2×2 table with Yates' correction; the two-proportion z-test and Fisher's exact test are companions",
                    l.en, kind_en
                ),
            );
        }
    } else {
        run.primary = chi2;
        run.rationale = loc(
            format!(
                "«{}» — категориальный признак: критерий хи-квадрат независимости (эффект — V Крамера)",
                l.ru
            ),
            format!(
                "{} is categorical: chi-square test of independence (effect: Cramér's V)",
                l.en
            ),
        );
    }
    Ok((run, missing))
}

/// Runs the battery.
pub async fn run(study: &mut Study<'_>, seg: &SegOutput) -> Result<Vec<Hypothesis>> {
    let specs = specs(study, seg)?;
    let alpha = study.config.alpha;
    let mut runs = Vec::new();
    for spec in &specs {
        let kind = study.kind_of(&spec.column);
        let (run, missing) = if kind == Kind::Numeric {
            numeric_run(study, seg, spec).await?
        } else {
            categorical_run(study, seg, spec, kind).await?
        };
        runs.push((run, missing));
    }
    let ps: Vec<f64> = runs
        .iter()
        .map(|(r, _)| r.primary.as_ref().map(|t| t.p_value).unwrap_or(f64::NAN))
        .collect();
    let adjusted = match super::config::adjust_method(&study.config.adjust) {
        Some(m) => bankseg_stats::adjust(&ps, m),
        None => ps.clone(),
    };
    let adj_name = match study.config.adjust.as_str() {
        "holm" => Text::new("Холма", "Holm"),
        "bonferroni" => Text::new("Бонферрони", "Bonferroni"),
        "fdr_bh" => Text::new("Бенджамини–Хохберга", "Benjamini–Hochberg"),
        _ => Text::new("без поправки", "unadjusted"),
    };
    let mut out = Vec::new();
    for ((spec, (run, missing)), p_adj) in specs.iter().zip(runs).zip(adjusted) {
        let l = study.label(&spec.column);
        let gl = group_list(&spec.groups);
        let title = spec.title.clone().unwrap_or_else(|| {
            Text::new(
                format!("{}: {}", upper_first(&l.ru), gl.ru),
                format!("{}: {}", upper_first(&l.en), gl.en),
            )
        });
        let mut rationale = run.rationale.clone();
        let dropped: u64 = missing.iter().sum();
        if dropped > 0 {
            rationale.ru.push_str(&format!(
                ". Строки с пропущенным значением «{}» исключены: {}",
                l.ru,
                int(dropped, Ru)
            ));
            rationale.en.push_str(&format!(
                ". Rows with missing {} left out: {}",
                l.en,
                int(dropped, En)
            ));
        }
        let (reject, verdict, agreement) = match &run.primary {
            None => (
                false,
                loc(
                    "Тест не выполнен: недостаточно данных в группах",
                    "Test not run: not enough data in the groups",
                ),
                loc("", ""),
            ),
            Some(primary) => {
                let reject = p_adj.is_finite() && p_adj < alpha;
                let (alpha_ru, alpha_en) = (num(alpha, Ru), num(alpha, En));
                let pn = test_name(primary.test);
                let stats_text = if run.medians.is_empty() {
                    if run.means.is_empty() {
                        Text::default()
                    } else {
                        let v = |lang| -> Vec<String> {
                            run.means.iter().map(|m| pct(*m, lang)).collect()
                        };
                        Text::new(
                            format!(" Доли «{}»: {}.", l.ru, v(Ru).join(" и ")),
                            format!(" Shares with {}: {}.", l.en, v(En).join(" vs ")),
                        )
                    }
                } else {
                    let v = |lang| -> Vec<String> {
                        run.medians.iter().map(|m| num(*m, lang)).collect()
                    };
                    Text::new(
                        format!(" Медианы: {}.", v(Ru).join(" и ")),
                        format!(" Medians: {}.", v(En).join(" vs ")),
                    )
                };
                let verdict = if reject {
                    loc(
                        format!(
                            "H0 отвергается при α = {alpha_ru}: {}, p = {}, с поправкой {} p = {}. Вывод: {}.{}",
                            pn.ru,
                            pval(primary.p_value, Ru),
                            adj_name.ru,
                            pval(p_adj, Ru),
                            run.h1.ru,
                            stats_text.ru
                        ),
                        format!(
                            "H0 rejected at α = {alpha_en}: {}, p = {}, {}-adjusted p = {}. Conclusion: {}.{}",
                            pn.en,
                            pval(primary.p_value, En),
                            adj_name.en,
                            pval(p_adj, En),
                            run.h1.en,
                            stats_text.en
                        ),
                    )
                } else {
                    loc(
                        format!(
                            "H0 не отвергается при α = {alpha_ru}: {}, p = {}, с поправкой {} p = {}. Нет оснований считать, что {}.{}",
                            pn.ru,
                            pval(primary.p_value, Ru),
                            adj_name.ru,
                            pval(
                                if p_adj.is_finite() {
                                    p_adj
                                } else {
                                    primary.p_value
                                },
                                Ru
                            ),
                            run.h1.ru,
                            stats_text.ru
                        ),
                        format!(
                            "H0 not rejected at α = {alpha_en}: {}, p = {}, {}-adjusted p = {}. No evidence that {}.{}",
                            pn.en,
                            pval(primary.p_value, En),
                            adj_name.en,
                            pval(
                                if p_adj.is_finite() {
                                    p_adj
                                } else {
                                    primary.p_value
                                },
                                En
                            ),
                            run.h1.en,
                            stats_text.en
                        ),
                    )
                };
                (
                    reject,
                    verdict,
                    agreement(primary, &run.companions, alpha, &run.reason),
                )
            }
        };
        out.push(Hypothesis {
            id: spec.id.clone(),
            title: Some(lt(&title)),
            h0: Some(run.h0.clone()),
            h1: Some(run.h1.clone()),
            column: spec.column.clone(),
            groups: spec.groups.iter().map(|g| g.id.clone()).collect(),
            primary: run.primary.as_ref().map(to_proto),
            companions: run.companions.iter().map(to_proto).collect(),
            rationale: Some(rationale),
            p_adjusted: if p_adj.is_finite() { p_adj } else { 1.0 },
            reject_h0: reject,
            verdict: Some(verdict),
            agreement: Some(agreement),
            group_medians: run.medians.clone(),
            group_means: run.means.clone(),
        });
    }
    Ok(out)
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn agreement(
    primary: &TestResult,
    companions: &[TestResult],
    alpha: f64,
    reason: &LocalizedText,
) -> LocalizedText {
    let pn = test_name(primary.test);
    let p_rej = primary.p_value < alpha;
    let (alpha_ru, alpha_en) = (num(alpha, Ru), num(alpha, En));
    let disagree: Vec<&TestResult> = companions
        .iter()
        .filter(|c| c.test != "levene" && (c.p_value < alpha) != p_rej)
        .collect();
    let list = |tests: &[&TestResult]| -> Text {
        let ru: Vec<String> = tests
            .iter()
            .map(|t| format!("{} (p = {})", test_name(t.test).ru, pval(t.p_value, Ru)))
            .collect();
        let en: Vec<String> = tests
            .iter()
            .map(|t| format!("{} (p = {})", test_name(t.test).en, pval(t.p_value, En)))
            .collect();
        Text::new(ru.join(", "), en.join(", "))
    };
    if disagree.is_empty() {
        let all: Vec<&TestResult> = companions.iter().collect();
        if all.is_empty() {
            return loc(
                format!(
                    "Вывод опирается на {} (p = {}).",
                    pn.ru,
                    pval(primary.p_value, Ru)
                ),
                format!(
                    "The conclusion relies on the {} (p = {}).",
                    pn.en,
                    pval(primary.p_value, En)
                ),
            );
        }
        let l = list(&all);
        return loc(
            format!(
                "Сопутствующие тесты согласны с основным при α = {alpha_ru}: {}. Вывод опирается на {} (p = {}).",
                l.ru,
                pn.ru,
                pval(primary.p_value, Ru)
            ),
            format!(
                "Companion tests agree with the primary one at α = {alpha_en}: {}. The conclusion relies on the {} (p = {}).",
                l.en,
                pn.en,
                pval(primary.p_value, En)
            ),
        );
    }
    let l = list(&disagree);
    let (ru_c, en_c) = if p_rej {
        ("не отвергают H0", "do not reject H0")
    } else {
        ("отвергают H0", "reject H0")
    };
    let (ru_p, en_p) = if p_rej {
        ("отвергает", "rejects it")
    } else {
        ("не отвергает", "does not")
    };
    loc(
        format!(
            "Тесты расходятся: {} {ru_c} при α = {alpha_ru}, а {} (p = {}) {ru_p}. Вывод опирается на {} — основной тест, потому что {}.",
            l.ru,
            pn.ru,
            pval(primary.p_value, Ru),
            pn.ru,
            reason.ru
        ),
        format!(
            "The tests disagree: {} {en_c} at α = {alpha_en}, while the {} (p = {}) {en_p}. The conclusion relies on the {}, the primary test, because {}.",
            l.en,
            pn.en,
            pval(primary.p_value, En),
            pn.en,
            reason.en
        ),
    )
}

/// Portrait of the bank's churners: every feature whose churned-vs-retained hypothesis is
/// rejected, with medians (numeric) or the most different level's shares.
pub fn bank_churners(
    study: &Study<'_>,
    profiles: &[super::profile::Profile],
    feature_churn: &[bankseg_proto::analysis::v1::FeatureChurn],
    hyps: &[Hypothesis],
) -> LocalizedText {
    let churned = study.churned;
    let retained = study.rows.saturating_sub(study.churned);
    let mut parts = Vec::new();
    for (c, kind) in &study.features {
        let rejected = hyps
            .iter()
            .any(|h| h.id == format!("churn_{c}") && h.reject_h0);
        if !rejected {
            continue;
        }
        let l = study.label(c);
        if *kind == Kind::Numeric {
            let Some(p) = profiles.iter().find(|p| &p.column == c) else {
                continue;
            };
            if let (Some(a), Some(b)) = (p.proto.median_churned, p.proto.median_retained) {
                parts.push(median_comparison(&l, a, b));
            }
        } else if let Some(f) = feature_churn.iter().find(|f| &f.column == c) {
            let best = f
                .cells
                .iter()
                .filter(|cell| cell.label != super::profile::MISSING)
                .filter(|cell| *kind != Kind::Boolean || cell.label == "true")
                .filter_map(|cell| {
                    let p = cell.churn?;
                    let a = p.successes as f64 / churned.max(1) as f64;
                    let b = (p.total - p.successes) as f64 / retained.max(1) as f64;
                    Some((cell.label.clone(), a, b))
                })
                .max_by(|x, y| (x.1 - x.2).abs().total_cmp(&(y.1 - y.2).abs()));
            if let Some((level, a, b)) = best {
                let ph = study.config.level_phrase(c, &level);
                parts.push(loc(
                    format!("{}: {} против {}", ph.ru, pct(a, Ru), pct(b, Ru)),
                    format!("{}: {} vs {}", ph.en, pct(a, En), pct(b, En)),
                ));
            }
        }
    }
    let rate = study.bank_rate();
    if parts.is_empty() {
        return loc(
            format!(
                "Ушли {} клиентов банка ({}); ни один признак не отличает их от оставшихся значимо.",
                int(churned, Ru),
                pct(rate, Ru)
            ),
            format!(
                "{} of the bank's customers left ({}); no feature separates them from those who stay significantly.",
                int(churned, En),
                pct(rate, En)
            ),
        );
    }
    let ru: Vec<String> = parts.iter().map(|p| p.ru.clone()).collect();
    let en: Vec<String> = parts.iter().map(|p| p.en.clone()).collect();
    loc(
        format!(
            "Портрет ушедших: {} клиентов банка ({}). По сравнению с оставшимися: {}.",
            int(churned, Ru),
            pct(rate, Ru),
            ru.join("; ")
        ),
        format!(
            "Who leaves: {} of the bank's customers ({}). Compared with those who stay: {}.",
            int(churned, En),
            pct(rate, En),
            en.join("; ")
        ),
    )
}
