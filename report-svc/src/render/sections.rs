//! The report's content: every section of the study, built from an [`AnalysisResult`] in one
//! language, independent of the output format.
//!
//! Sections, in order: summary of findings, data and quality, feature distributions, churn rate by
//! feature, correlations, segments, dashboard, segment portraits, high-churn slices, hypothesis
//! tests, recommendations, method notes. Every section that has data carries at least one chart;
//! one without data says so in a sentence.

use std::collections::HashMap;

use bankseg_proto::analysis::v1::{
    AnalysisResult, ColumnProfile, CorrelationMatrix, FeatureChurn, Hypothesis, Segment,
    SegmentSummary, Slice, TestResult,
};
use bankseg_proto::common::v1::Proportion;

use super::charts::{self, Axis, Bar, Reference};
use super::format as f;
use super::i18n::{self, Lang};
use super::{Block, Chart, Dashboard, DashboardLabels, Document, Section, Table};
use crate::Result;

/// Builds the document for `analysis` in `lang`.
pub fn build(analysis: &AnalysisResult, lang: Lang) -> Result<Document> {
    let ctx = Ctx::new(analysis, lang);
    let mut sections = vec![
        ctx.summary()?,
        ctx.data_quality()?,
        ctx.distributions()?,
        ctx.churn_by_feature()?,
        ctx.correlations()?,
        ctx.segments()?,
        ctx.dashboard(),
        ctx.portraits()?,
        ctx.slices()?,
        ctx.hypotheses()?,
        ctx.recommendations()?,
        ctx.method(),
    ];
    unique_chart_names(&mut sections);
    let created = if analysis.created_at.is_empty() {
        String::new()
    } else {
        format!(" · {}", analysis.created_at)
    };
    Ok(Document {
        lang,
        title: lang
            .pick(
                "Отток клиентов: сегментация и рекомендации",
                "Customer churn: segments and recommendations",
            )
            .to_string(),
        subtitle: format!(
            "{} {} · {} {}{}",
            lang.pick("анализ", "analysis"),
            analysis.analysis_id,
            lang.pick("набор данных", "dataset"),
            analysis.dataset_id,
            created
        ),
        contents_label: lang.pick("Содержание", "Contents").to_string(),
        sections,
    })
}

impl Table {
    /// An empty table with these headings; `numeric` marks right-aligned columns.
    pub fn new(headers: Vec<String>, numeric: Vec<bool>) -> Self {
        Self {
            headers,
            rows: Vec::new(),
            numeric,
        }
    }
}

struct Ctx<'a> {
    a: &'a AnalysisResult,
    lang: Lang,
    bank_rate: f64,
    names: HashMap<&'a str, String>,
}

impl<'a> Ctx<'a> {
    fn new(a: &'a AnalysisResult, lang: Lang) -> Self {
        let bank_rate = match a.overview.as_ref() {
            Some(o) => match o.churn.as_ref() {
                Some(p) if p.total > 0 => p.rate,
                _ if o.rows > 0 => o.churned as f64 / o.rows as f64,
                _ => f64::NAN,
            },
            None => f64::NAN,
        };
        let mut names = HashMap::new();
        for segment in &a.segments {
            if let Some(s) = segment.summary.as_ref() {
                names.insert(s.segment_id.as_str(), lang.text(s.name.as_ref()));
            }
            for child in &segment.children {
                names.insert(child.segment_id.as_str(), lang.text(child.name.as_ref()));
            }
        }
        Self {
            a,
            lang,
            bank_rate,
            names,
        }
    }

    fn t(&self, ru: &'static str, en: &'static str) -> String {
        self.lang.pick(ru, en).to_string()
    }

    /// A hypothesis group: a segment id, `churned` / `retained`, or a value of the column.
    fn group_label(&self, column: &str, group: &str) -> String {
        if let Some(name) = self.names.get(group).filter(|n| !n.is_empty()) {
            return name.clone();
        }
        match group {
            "churned" => self.t("ушедшие", "churned"),
            "retained" => self.t("оставшиеся", "retained"),
            other => i18n::value(column, other, self.lang),
        }
    }

    fn segment_name(&self, id: &str) -> String {
        match self.names.get(id) {
            Some(name) if !name.is_empty() => name.clone(),
            _ => id.to_string(),
        }
    }

    fn pct(&self, rate: f64) -> String {
        f::pct(rate, 1, self.lang)
    }

    fn int(&self, n: u64) -> String {
        f::int(n, self.lang)
    }

    fn interval(&self, p: &Proportion) -> String {
        f::pct_interval(p.ci_low, p.ci_high, 1, self.lang)
    }

    fn reference(&self) -> Option<Reference> {
        self.bank_rate.is_finite().then(|| Reference {
            value: self.bank_rate,
            label: self.t("в среднем по банку", "bank average"),
        })
    }

    fn bank_rate_text(&self) -> String {
        self.pct(self.bank_rate)
    }

    fn chart(&self, name: impl Into<String>, title: impl Into<String>, svg: String) -> Block {
        Block::Chart(Chart {
            name: name.into(),
            title: title.into(),
            svg,
        })
    }

    /// Churn rate per segment as bars, with their intervals and the bank average.
    fn segment_churn_chart(
        &self,
        name: &str,
        title: String,
        segments: &[&SegmentSummary],
    ) -> Result<Block> {
        let bars: Vec<Bar> = segments
            .iter()
            .map(|s| self.rate_bar(self.segment_name(&s.segment_id), s.churn.as_ref()))
            .collect();
        let svg = charts::bars(
            name,
            &bars,
            self.reference().as_ref(),
            Axis::Percent,
            self.lang,
        )?;
        Ok(self.chart(name, title, svg))
    }

    fn rate_bar(&self, label: String, p: Option<&Proportion>) -> Bar {
        let (value, interval) = match p {
            Some(p) => (p.rate, Some((p.ci_low, p.ci_high))),
            None => (f64::NAN, None),
        };
        Bar {
            label,
            value,
            interval,
            highlight: value > self.bank_rate,
            text: None,
        }
    }

    /// A slice named by its conditions (short, in the report's number format); the analysis' own
    /// description when it has none.
    fn slice_name(&self, s: &Slice) -> String {
        let lang = self.lang;
        if s.conditions.is_empty() {
            return lang.text(s.description.as_ref());
        }
        s.conditions
            .iter()
            .map(|c| {
                let value = i18n::cell(&c.column, &c.label, c.lower, c.upper, lang);
                if value.starts_with(['[', '(', '<', '≥']) {
                    format!("{} {}", i18n::column(&c.column, lang), value)
                } else {
                    format!("{} = {}", i18n::column(&c.column, lang), value)
                }
            })
            .collect::<Vec<_>>()
            .join(lang.pick(" и ", " and "))
    }

    /// Top-level segments (no parent), in analysis order.
    fn tops(&self) -> Vec<&'a Segment> {
        self.a
            .segments
            .iter()
            .filter(|s| s.summary.as_ref().is_some_and(|x| x.parent_id.is_empty()))
            .collect()
    }

    /// Sub-segments of `segment`: its children, and segments that name it as parent.
    fn children_of(&self, segment: &'a Segment) -> Vec<&'a SegmentSummary> {
        let mut out: Vec<&SegmentSummary> = segment.children.iter().collect();
        let Some(id) = segment.summary.as_ref().map(|s| s.segment_id.as_str()) else {
            return out;
        };
        for other in self.a.segments.iter().filter_map(|s| s.summary.as_ref()) {
            if other.parent_id == id && !out.iter().any(|c| c.segment_id == other.segment_id) {
                out.push(other);
            }
        }
        out
    }

    fn segments_by_id(&self) -> HashMap<&'a str, &'a SegmentSummary> {
        let mut map = HashMap::new();
        for segment in &self.a.segments {
            if let Some(s) = segment.summary.as_ref() {
                map.insert(s.segment_id.as_str(), s);
            }
            for child in &segment.children {
                map.insert(child.segment_id.as_str(), child);
            }
        }
        map
    }

    fn excess(&self, s: &SegmentSummary) -> f64 {
        match s.churn.as_ref() {
            Some(p) => p.successes as f64 - p.total as f64 * self.bank_rate,
            None => f64::NAN,
        }
    }

    // ------------------------------------------------------------------------------------------
    // 1. Summary of findings
    // ------------------------------------------------------------------------------------------

    fn summary(&self) -> Result<Section> {
        let a = self.a;
        let lang = self.lang;
        let mut blocks = Vec::new();
        let overview = a.overview.clone().unwrap_or_default();
        let churn = overview.churn.unwrap_or_default();
        let segments: Vec<&SegmentSummary> = self
            .tops()
            .into_iter()
            .filter_map(|s| s.summary.as_ref())
            .collect();
        blocks.push(Block::Figures(vec![
            (
                self.t("Клиентов в анализе", "Customers analysed"),
                self.int(overview.rows),
            ),
            (self.t("Ушли", "Churned"), self.int(overview.churned)),
            (
                self.t("Отток по банку", "Bank churn rate"),
                self.bank_rate_text(),
            ),
            (
                self.t("Сегментов", "Segments"),
                self.int(segments.len() as u64),
            ),
            (
                self.t("Срезов с высоким оттоком", "High-churn slices"),
                self.int(a.slices.len() as u64),
            ),
        ]));

        let above: Vec<&&SegmentSummary> = segments
            .iter()
            .filter(|s| s.churn.as_ref().is_some_and(|p| p.rate > self.bank_rate))
            .collect();
        let above_size: u64 = above.iter().map(|s| s.size).sum();
        let above_churned: u64 = above
            .iter()
            .map(|s| s.churn.as_ref().map_or(0, |p| p.successes))
            .sum();
        let seg_total: u64 = segments.iter().map(|s| s.size).sum();
        let mut headline = match lang {
            Lang::Ru => format!(
                "Банк теряет {} клиентов (95{}% доверительный интервал: {}).",
                self.bank_rate_text(),
                f::NBSP,
                self.interval(&churn)
            ),
            Lang::En => format!(
                "The bank loses {} of its customers (95% confidence interval {}).",
                self.bank_rate_text(),
                self.interval(&churn)
            ),
        };
        if !segments.is_empty() && seg_total > 0 {
            let share_customers = above_size as f64 / seg_total as f64;
            let seg_churned: u64 = segments
                .iter()
                .map(|s| s.churn.as_ref().map_or(0, |p| p.successes))
                .sum();
            let share_churned = if seg_churned > 0 {
                above_churned as f64 / seg_churned as f64
            } else {
                f64::NAN
            };
            headline.push(' ');
            headline.push_str(&match lang {
                Lang::Ru => format!(
                    "{} из {} сегментов уходят чаще среднего: в них {} клиентов и {} ушедших.",
                    above.len(),
                    segments.len(),
                    self.pct(share_customers),
                    self.pct(share_churned)
                ),
                Lang::En => format!(
                    "{} of {} segments churn above the bank average; they hold {} of customers and {} of churners.",
                    above.len(),
                    segments.len(),
                    self.pct(share_customers),
                    self.pct(share_churned)
                ),
            });
        }
        blocks.push(Block::Note(headline));

        blocks.push(Block::Heading(
            self.t("Что делать банку", "What the bank should do"),
        ));
        let by_id = self.segments_by_id();
        let mut recs: Vec<_> = a.recommendations.iter().collect();
        recs.sort_by_key(|r| (r.priority == 0, r.priority));
        if recs.is_empty() {
            blocks.push(Block::Paragraph(self.t(
                "Анализ не выдал рекомендаций.",
                "The analysis produced no recommendations.",
            )));
        } else {
            // One line per segment, in priority order, with all its actions.
            let mut order: Vec<&str> = Vec::new();
            for r in &recs {
                if !order.contains(&r.segment_id.as_str()) {
                    order.push(&r.segment_id);
                }
            }
            let items = order
                .iter()
                .take(5)
                .map(|id| {
                    let facts = by_id
                        .get(id)
                        .and_then(|s| s.churn.as_ref().map(|p| (s.size, p.rate)))
                        .map(|(size, rate)| match lang {
                            Lang::Ru => {
                                format!(" (отток {}, клиентов: {})", self.pct(rate), self.int(size))
                            }
                            Lang::En => {
                                format!(" (churn {}, {} customers)", self.pct(rate), self.int(size))
                            }
                        })
                        .unwrap_or_default();
                    let actions: Vec<String> = recs
                        .iter()
                        .filter(|r| r.segment_id == *id)
                        .map(|r| lang.text(r.action.as_ref()))
                        .filter(|a| !a.is_empty())
                        .collect();
                    format!("{}{}: {}", self.segment_name(id), facts, actions.join("; "))
                })
                .collect();
            blocks.push(Block::Bullets(items));
        }

        blocks.push(Block::Heading(self.t("Главные выводы", "Key findings")));
        let mut findings = Vec::new();
        let mut ranked: Vec<&FeatureChurn> = a.feature_churn.iter().collect();
        ranked.sort_by_key(|fc| (fc.rank == 0, fc.rank));
        for fc in ranked.iter().take(3) {
            let best = fc
                .cells
                .iter()
                .filter(|c| c.churn.as_ref().is_some_and(|p| p.total > 0))
                .max_by(|x, y| x.lift.total_cmp(&y.lift));
            if let Some(cell) = best {
                let rate = cell.churn.as_ref().map_or(f64::NAN, |p| p.rate);
                findings.push(match lang {
                    Lang::Ru => format!(
                        "{}: чаще всего уходят при значении «{}» — {} ({} к среднему по банку); φK с оттоком {}.",
                        i18n::capitalised(&i18n::column(&fc.column, lang)),
                        i18n::cell(&fc.column, &cell.label, cell.lower, cell.upper, lang),
                        self.pct(rate),
                        f::lift(cell.lift, lang),
                        f::num(fc.strength, 2, lang)
                    ),
                    Lang::En => format!(
                        "{}: churn is highest at “{}” — {} ({} the bank average); φK with churn {}.",
                        i18n::capitalised(&i18n::column(&fc.column, lang)),
                        i18n::cell(&fc.column, &cell.label, cell.lower, cell.upper, lang),
                        self.pct(rate),
                        f::lift(cell.lift, lang),
                        f::num(fc.strength, 2, lang)
                    ),
                });
            }
        }
        if let Some(slice) = a.slices.first() {
            let rate = slice.churn.as_ref().map_or(f64::NAN, |p| p.rate);
            findings.push(match lang {
                Lang::Ru => format!(
                    "Самый «горячий» срез — {}: отток {} среди {} клиентов.",
                    self.slice_name(slice),
                    self.pct(rate),
                    self.int(slice.size)
                ),
                Lang::En => format!(
                    "The highest-churn slice is {}: {} churn among {} customers.",
                    self.slice_name(slice),
                    self.pct(rate),
                    self.int(slice.size)
                ),
            });
        }
        for h in a.hypotheses.iter().filter(|h| h.reject_h0).take(3) {
            findings.push(format!(
                "{}: {}",
                lang.text(h.title.as_ref()),
                lang.text(h.verdict.as_ref())
            ));
        }
        if findings.is_empty() {
            blocks.push(Block::Paragraph(self.t(
                "Данных для выводов недостаточно.",
                "There is not enough data for findings.",
            )));
        } else {
            blocks.push(Block::Bullets(findings));
        }

        if !segments.is_empty() {
            blocks.push(self.segment_churn_chart(
                "summary_segments",
                self.t(
                    "Отток по сегментам и в среднем по банку",
                    "Churn by segment against the bank average",
                ),
                &segments,
            )?);
        }
        Ok(Section {
            id: "summary",
            title: self.t("Сводка выводов", "Summary of findings"),
            blocks,
        })
    }

    // ------------------------------------------------------------------------------------------
    // 2. Data and quality
    // ------------------------------------------------------------------------------------------

    fn data_quality(&self) -> Result<Section> {
        let lang = self.lang;
        let a = self.a;
        let mut blocks = Vec::new();
        let Some(q) = a.quality.as_ref() else {
            blocks.push(Block::Paragraph(self.t(
                "Отчёт о качестве данных не передан вместе с анализом.",
                "The data quality report did not come with the analysis.",
            )));
            return Ok(Section {
                id: "data",
                title: self.t("Данные и их качество", "Data and quality"),
                blocks,
            });
        };
        let mut counts = Table::new(
            vec![self.t("Показатель", "Measure"), self.t("Значение", "Value")],
            vec![false, true],
        );
        let mut row = |label: String, value: String| counts.rows.push(vec![label, value]);
        row(
            self.t("Источник", "Source"),
            format!("{} ({})", q.source, q.format),
        );
        row(
            self.t("Прочитано строк", "Rows read"),
            self.int(q.rows_read),
        );
        row(self.t("Чистых строк", "Clean rows"), self.int(q.rows_clean));
        row(
            self.t("В карантине", "Quarantined rows"),
            self.int(q.rows_quarantined),
        );
        row(
            self.t("Удалено точных дубликатов", "Exact duplicates removed"),
            self.int(q.exact_duplicates_removed),
        );
        row(
            self.t(
                "Строк с повторяющимся ID",
                "Rows with a repeated customer id",
            ),
            self.int(q.duplicate_id_rows),
        );
        row(
            self.t("Повторяющихся ID", "Repeated customer ids"),
            self.int(q.duplicate_ids),
        );
        row(
            self.t("Счёт строк сходится", "Row counts add up"),
            i18n::yes_no(q.counts_add_up, lang).to_string(),
        );
        if !q.missing_optional_columns.is_empty() {
            row(
                self.t(
                    "Отсутствующие необязательные столбцы",
                    "Missing optional columns",
                ),
                q.missing_optional_columns.join(", "),
            );
        }
        if !q.passthrough_columns.is_empty() {
            row(
                self.t("Дополнительные столбцы", "Pass-through columns"),
                q.passthrough_columns.join(", "),
            );
        }
        blocks.push(Block::Table(counts));
        if q.duplicate_ids > 0 {
            blocks.push(Block::Paragraph(match lang {
                Lang::Ru => format!(
                    "{} ID клиентов встречаются более одного раза ({} строк). Такие строки оставлены и помечены: один и тот же ID в разных городах — разные клиенты.",
                    self.int(q.duplicate_ids),
                    self.int(q.duplicate_id_rows)
                ),
                Lang::En => format!(
                    "{} customer ids appear more than once ({} rows). These rows are kept and flagged: the same id in different cities belongs to different customers.",
                    self.int(q.duplicate_ids),
                    self.int(q.duplicate_id_rows)
                ),
            }));
        }

        blocks.push(Block::Heading(
            self.t("Причины карантина", "Quarantine reasons"),
        ));
        if q.quarantine_reasons.is_empty() {
            blocks.push(Block::Paragraph(self.t(
                "Ни одна строка не отправлена в карантин.",
                "No row was quarantined.",
            )));
        } else {
            let mut table = Table::new(
                vec![
                    self.t("Причина", "Reason"),
                    self.t("Код", "Code"),
                    self.t("Строк", "Rows"),
                ],
                vec![false, false, true],
            );
            let mut bars = Vec::new();
            for r in &q.quarantine_reasons {
                let label = i18n::quarantine_reason(&r.reason, lang);
                table
                    .rows
                    .push(vec![label.clone(), r.reason.clone(), self.int(r.rows)]);
                bars.push(Bar::new(label, r.rows as f64, false));
            }
            blocks.push(Block::Table(table));
            let svg = charts::bars("quarantine_reasons", &bars, None, Axis::Count, lang)?;
            blocks.push(self.chart(
                "quarantine_reasons",
                self.t(
                    "Строки в карантине по причинам",
                    "Quarantined rows by reason",
                ),
                svg,
            ));
        }

        if let Some(mb) = q.missing_balance.as_ref() {
            blocks.push(Block::Heading(
                self.t("Пропуски в балансе", "Missing balance"),
            ));
            blocks.push(Block::Paragraph(match lang {
                Lang::Ru => format!(
                    "Баланс не указан у {} из {} клиентов ({}).",
                    self.int(mb.missing),
                    self.int(mb.rows),
                    self.pct(mb.missing_share)
                ),
                Lang::En => format!(
                    "Balance is missing for {} of {} customers ({}).",
                    self.int(mb.missing),
                    self.int(mb.rows),
                    self.pct(mb.missing_share)
                ),
            }));
            let explanation = lang.text(mb.explanation.as_ref());
            if !explanation.is_empty() {
                blocks.push(Block::Note(explanation));
            }
            if !mb.groups.is_empty() {
                let mut table = Table::new(
                    vec![
                        self.t("Признак", "Feature"),
                        self.t("Значение", "Value"),
                        self.t("Клиентов", "Customers"),
                        self.t("Без баланса", "Balance missing"),
                        self.t("Доля пропусков в группе", "Missing share in group"),
                        self.t("Доля от всех пропусков", "Share of all missing"),
                    ],
                    vec![false, false, true, true, true, true],
                );
                let mut bars = Vec::new();
                for g in &mb.groups {
                    let col = i18n::column(&g.column, lang);
                    let value = i18n::value(&g.column, &g.value, lang);
                    table.rows.push(vec![
                        col.clone(),
                        value.clone(),
                        self.int(g.rows),
                        self.int(g.missing),
                        self.pct(g.missing_share),
                        self.pct(g.share_of_missing),
                    ]);
                    bars.push(Bar::new(
                        format!("{col} = {value}"),
                        g.missing_share,
                        g.missing_share > mb.missing_share,
                    ));
                }
                blocks.push(Block::Table(table));
                let reference = Reference {
                    value: mb.missing_share,
                    label: self.t("в среднем", "overall"),
                };
                let svg = charts::bars(
                    "missing_balance",
                    &bars,
                    Some(&reference),
                    Axis::Percent,
                    lang,
                )?;
                blocks.push(self.chart(
                    "missing_balance",
                    self.t(
                        "Доля клиентов без баланса по группам",
                        "Share of customers without a balance, by group",
                    ),
                    svg,
                ));
            }
        }

        if !q.columns.is_empty() {
            blocks.push(Block::Heading(self.t("Столбцы", "Columns")));
            let mut table = Table::new(
                vec![
                    self.t("Столбец", "Column"),
                    self.t("Тип", "Type"),
                    self.t("Пропусков", "Missing"),
                    self.t("Различных", "Distinct"),
                    self.t("Выбросов снизу", "Low outliers"),
                    self.t("Выбросов сверху", "High outliers"),
                    self.t("Границы выбросов", "Outlier fences"),
                ],
                vec![false, false, true, true, true, true, true],
            );
            for c in &q.columns {
                let fences = match (c.lower_fence, c.upper_fence) {
                    (None, None) => f::DASH.to_string(),
                    (lo, hi) => format!("{} … {}", f::opt(lo, 1, lang), f::opt(hi, 1, lang)),
                };
                table.rows.push(vec![
                    format!("{} ({})", i18n::column(&c.column, lang), c.column),
                    c.data_type.clone(),
                    self.int(c.nulls),
                    self.int(c.distinct),
                    self.int(c.outliers_low),
                    self.int(c.outliers_high),
                    fences,
                ]);
            }
            blocks.push(Block::Table(table));
        }

        if !a.alerts.is_empty() {
            blocks.push(Block::Heading(self.t("Предупреждения", "Alerts")));
            blocks.push(Block::Bullets(
                a.alerts
                    .iter()
                    .map(|al| {
                        let col = if al.column.is_empty() {
                            String::new()
                        } else {
                            format!(" · {}", i18n::column(&al.column, lang))
                        };
                        format!(
                            "{}{}: {}",
                            i18n::capitalised(&i18n::alert_kind(&al.kind, lang)),
                            col,
                            lang.text(al.message.as_ref())
                        )
                    })
                    .collect(),
            ));
        }
        if let Some(o) = a.overview.as_ref().filter(|o| !o.exclusions.is_empty()) {
            blocks.push(Block::Heading(
                self.t("Исключено из анализа", "Left out of the analysis"),
            ));
            let mut table = Table::new(
                vec![
                    self.t("Что", "What"),
                    self.t("Строк", "Rows"),
                    self.t("Почему", "Why"),
                ],
                vec![false, true, false],
            );
            for e in &o.exclusions {
                table.rows.push(vec![
                    e.what.clone(),
                    self.int(e.rows),
                    lang.text(e.reason.as_ref()),
                ]);
            }
            blocks.push(Block::Table(table));
        }
        let notes: Vec<String> = q
            .notes
            .iter()
            .map(|n| lang.text(Some(n)))
            .filter(|s| !s.is_empty())
            .collect();
        if !notes.is_empty() {
            blocks.push(Block::Bullets(notes));
        }
        Ok(Section {
            id: "data",
            title: self.t("Данные и их качество", "Data and quality"),
            blocks,
        })
    }

    // ------------------------------------------------------------------------------------------
    // 3. Distributions
    // ------------------------------------------------------------------------------------------

    fn distributions(&self) -> Result<Section> {
        let lang = self.lang;
        let mut blocks = Vec::new();
        if self.a.profiles.is_empty() {
            blocks.push(Block::Paragraph(
                self.t("Профили столбцов отсутствуют.", "No column profiles."),
            ));
        } else {
            blocks.push(Block::Paragraph(self.t(
                "Гистограммы показывают долю ушедших и оставшихся клиентов в каждом интервале: группы разного размера сравниваются напрямую.",
                "Histograms show the share of churned and of retained customers in each bin, so groups of different sizes compare directly.",
            )));
            let mut table = Table::new(
                vec![
                    self.t("Признак", "Feature"),
                    self.t("Тип", "Kind"),
                    self.t("Значений", "Values"),
                    self.t("Пропусков", "Missing"),
                    self.t("Различных", "Distinct"),
                    self.t("Нулей", "Zeros"),
                    self.t("Медиана", "Median"),
                    self.t("Медиана ушедших", "Median churned"),
                    self.t("Медиана оставшихся", "Median retained"),
                ],
                vec![false, false, true, true, true, true, true, true, true],
            );
            for p in &self.a.profiles {
                let d = decimals_for(p);
                table.rows.push(vec![
                    i18n::capitalised(&i18n::column(&p.column, lang)),
                    i18n::kind(&p.kind, lang),
                    self.int(p.count),
                    self.int(p.missing),
                    self.int(p.distinct),
                    self.int(p.zeros),
                    f::opt(p.p50, d, lang),
                    f::opt(p.median_churned, d, lang),
                    f::opt(p.median_retained, d, lang),
                ]);
            }
            blocks.push(Block::Table(table));
        }
        let labels = (self.t("ушли", "churned"), self.t("остались", "retained"));
        for p in &self.a.profiles {
            let title = i18n::capitalised(&i18n::column(&p.column, lang));
            if p.kind == "numeric" {
                blocks.push(Block::Heading(title.clone()));
                let d = decimals_for(p);
                // Mean and spread of an integer column still need decimals.
                let dm = if d == 0 && decimals_for_values(&[p.mean, p.std]) > 0 {
                    if p.max.is_some_and(|m| m.abs() >= 1000.0) {
                        0
                    } else {
                        1
                    }
                } else {
                    d
                };
                let mut table = Table::new(
                    vec![
                        self.t("Среднее", "Mean"),
                        self.t("Ст. откл.", "Std dev"),
                        self.t("Мин.", "Min"),
                        "P5".into(),
                        "P25".into(),
                        self.t("Медиана", "Median"),
                        "P75".into(),
                        "P95".into(),
                        self.t("Макс.", "Max"),
                        self.t("Асимметрия", "Skewness"),
                    ],
                    vec![true; 10],
                );
                table.rows.push(vec![
                    f::opt(p.mean, dm, lang),
                    f::opt(p.std, dm, lang),
                    f::opt(p.min, d, lang),
                    f::opt(p.p05, d, lang),
                    f::opt(p.p25, d, lang),
                    f::opt(p.p50, d, lang),
                    f::opt(p.p75, d, lang),
                    f::opt(p.p95, d, lang),
                    f::opt(p.max, d, lang),
                    f::opt(p.skewness, 2, lang),
                ]);
                blocks.push(Block::Table(table));
                if let Some(h) = p.histogram.as_ref().filter(|h| h.edges.len() >= 2) {
                    let name = format!("hist_{}", slug(&p.column));
                    let svg = match charts::histogram(
                        &name,
                        &h.edges,
                        &h.churned,
                        &h.retained,
                        (&labels.0, &labels.1),
                        lang,
                    ) {
                        Ok(svg) => svg,
                        // A malformed histogram costs its chart, not the report.
                        Err(e) => {
                            tracing::warn!(column = %p.column, error = %e, "histogram not drawn");
                            blocks.push(Block::Paragraph(self.t(
                                "Гистограмма не построена: интервалы в анализе заданы некорректно.",
                                "No histogram: the analysis gives malformed bins.",
                            )));
                            continue;
                        }
                    };
                    let caption = match (charts::overflow_bin(&h.edges), lang) {
                        (None, Lang::Ru) => format!("{title}: ушедшие и оставшиеся клиенты"),
                        (None, Lang::En) => format!("{title}: churned and retained customers"),
                        // The last bar gathers the long tail and is not drawn to scale.
                        (Some((start, _)), Lang::Ru) => format!(
                            "{title}: ушедшие и оставшиеся клиенты. Последний столбец «≥ {}» собирает значения от {} до максимума {} (около 1 % клиентов) и нарисован той же ширины, что и остальные",
                            f::compact(start, lang),
                            f::num(start, d, lang),
                            f::opt(p.max, d, lang)
                        ),
                        (Some((start, _)), Lang::En) => format!(
                            "{title}: churned and retained customers. The last bar “≥ {}” gathers the values from {} up to the maximum {} (about 1% of customers) and is drawn as wide as the others",
                            f::compact(start, lang),
                            f::num(start, d, lang),
                            f::opt(p.max, d, lang)
                        ),
                    };
                    blocks.push(self.chart(name, caption, svg));
                    let total: u64 = h.all.iter().sum();
                    let top = h.all.iter().copied().max().unwrap_or(0);
                    if total > 0 && top as f64 >= 0.9 * total as f64 {
                        blocks.push(Block::Paragraph(match lang {
                            Lang::Ru => format!(
                                "Распределение сильно скошено (медиана {}, максимум {}): почти все клиенты попадают в один интервал. Отток по интервалам признака — в разделе «Отток по признакам».",
                                f::opt(p.p50, d, lang),
                                f::opt(p.max, d, lang)
                            ),
                            Lang::En => format!(
                                "The distribution is heavily skewed (median {}, maximum {}): almost every customer falls into one bin. Churn by interval of this feature is in “Churn rate by feature”.",
                                f::opt(p.p50, d, lang),
                                f::opt(p.max, d, lang)
                            ),
                        }));
                    }
                }
            } else if !p.top_values.is_empty() {
                blocks.push(Block::Heading(title.clone()));
                let mut table = Table::new(
                    vec![
                        self.t("Значение", "Value"),
                        self.t("Клиентов", "Customers"),
                        self.t("Доля", "Share"),
                    ],
                    vec![false, true, true],
                );
                let mut bars = Vec::new();
                for v in &p.top_values {
                    let share = if p.count > 0 {
                        v.count as f64 / p.count as f64
                    } else {
                        f64::NAN
                    };
                    let label = i18n::value(&p.column, &v.value, lang);
                    table
                        .rows
                        .push(vec![label.clone(), self.int(v.count), self.pct(share)]);
                    bars.push(Bar::new(label, share, false));
                }
                blocks.push(Block::Table(table));
                let name = format!("values_{}", slug(&p.column));
                let svg = charts::bars(&name, &bars, None, Axis::Percent, lang)?;
                blocks.push(self.chart(
                    name,
                    match lang {
                        Lang::Ru => format!("{title}: доли значений"),
                        Lang::En => format!("{title}: shares of values"),
                    },
                    svg,
                ));
            }
        }
        Ok(Section {
            id: "distributions",
            title: self.t(
                "Распределения признаков: ушедшие и оставшиеся",
                "Feature distributions: churned vs retained",
            ),
            blocks,
        })
    }

    // ------------------------------------------------------------------------------------------
    // 4. Churn by feature
    // ------------------------------------------------------------------------------------------

    fn churn_by_feature(&self) -> Result<Section> {
        let lang = self.lang;
        let mut blocks = Vec::new();
        let mut ranked: Vec<&FeatureChurn> = self.a.feature_churn.iter().collect();
        ranked.sort_by_key(|fc| (fc.rank == 0, fc.rank));
        if ranked.is_empty() {
            blocks.push(Block::Paragraph(self.t(
                "Отток по значениям признаков не рассчитан.",
                "Churn by feature value was not computed.",
            )));
        } else {
            blocks.push(Block::Paragraph(match lang {
                Lang::Ru => format!(
                    "Отток в каждой группе сравнивается со средним по банку ({}); красным выделены группы, где уходят чаще среднего, отрезки — 95{}% доверительные интервалы Уилсона. Признаки упорядочены по силе связи с оттоком (φK).",
                    self.bank_rate_text(),
                    f::NBSP
                ),
                Lang::En => format!(
                    "Churn in each group is compared with the bank average ({}); groups that churn more than average are red, whiskers are 95% Wilson confidence intervals. Features are ordered by the strength of their link to churn (φK).",
                    self.bank_rate_text()
                ),
            }));
        }
        for fc in ranked {
            if fc.cells.is_empty() {
                continue;
            }
            let title = i18n::capitalised(&i18n::column(&fc.column, lang));
            blocks.push(Block::Heading(format!(
                "{title} · φK = {} · {} {}",
                f::num(fc.strength, 2, lang),
                self.t("ранг", "rank"),
                fc.rank
            )));
            let mut table = Table::new(
                vec![
                    self.t("Значение", "Value"),
                    self.t("Клиентов", "Customers"),
                    self.t("Ушли", "Churned"),
                    self.t("Отток", "Churn rate"),
                    self.t("95% ДИ", "95% CI"),
                    self.t("К среднему", "Lift"),
                ],
                vec![false, true, true, true, true, true],
            );
            let mut bars = Vec::new();
            for c in &fc.cells {
                let label = i18n::cell(&fc.column, &c.label, c.lower, c.upper, lang);
                let p = c.churn.unwrap_or_default();
                table.rows.push(vec![
                    label.clone(),
                    self.int(p.total),
                    self.int(p.successes),
                    self.pct(p.rate),
                    self.interval(&p),
                    f::lift(c.lift, lang),
                ]);
                bars.push(self.rate_bar(label, c.churn.as_ref()));
            }
            let name = format!("churn_by_{}", slug(&fc.column));
            let svg = charts::bars(&name, &bars, self.reference().as_ref(), Axis::Percent, lang)?;
            blocks.push(self.chart(
                name,
                match lang {
                    Lang::Ru => format!("Отток по признаку «{}»", i18n::column(&fc.column, lang)),
                    Lang::En => format!("Churn rate by {}", i18n::column(&fc.column, lang)),
                },
                svg,
            ));
            blocks.push(Block::Table(table));
        }
        Ok(Section {
            id: "churn-by-feature",
            title: self.t("Отток по признакам", "Churn rate by feature"),
            blocks,
        })
    }

    // ------------------------------------------------------------------------------------------
    // 5. Correlations
    // ------------------------------------------------------------------------------------------

    fn matrix(&self, method: &str) -> Option<&'a CorrelationMatrix> {
        self.a.correlations.iter().find(|m| m.method == method)
    }

    fn correlations(&self) -> Result<Section> {
        let lang = self.lang;
        let mut blocks = Vec::new();
        let phik = self.matrix("phik");
        let with_churn = |m: Option<&CorrelationMatrix>,
                          values: fn(&CorrelationMatrix) -> &Vec<f64>,
                          col: &str|
         -> Option<f64> {
            let m = m?;
            let n = m.columns.len();
            let i = m.columns.iter().position(|c| c == "churn")?;
            let j = m.columns.iter().position(|c| c == col)?;
            values(m).get(i * n + j).copied().filter(|v| v.is_finite())
        };

        // Ranking: phi_K with churn from the matrix when it has a churn column, else the feature
        // strengths of the churn-by-feature table.
        let mut ranking: Vec<(String, f64)> = Vec::new();
        if let Some(m) = phik.filter(|m| m.columns.iter().any(|c| c == "churn")) {
            for c in m.columns.iter().filter(|c| *c != "churn") {
                if let Some(v) = with_churn(Some(m), |m| &m.values, c) {
                    ranking.push((c.clone(), v));
                }
            }
        } else {
            for fc in &self.a.feature_churn {
                ranking.push((fc.column.clone(), fc.strength));
            }
        }
        ranking.sort_by(|x, y| y.1.total_cmp(&x.1));

        if phik.is_none() && ranking.is_empty() {
            blocks.push(Block::Paragraph(self.t(
                "Корреляции не рассчитаны.",
                "Correlations were not computed.",
            )));
        }
        if !ranking.is_empty() {
            blocks.push(Block::Heading(
                self.t("Связь признаков с оттоком", "Link of each feature to churn"),
            ));
            blocks.push(Block::Paragraph(self.t(
                "φK (phi_K) — коэффициент корреляции для признаков любого типа (числовых, категориальных, логических) от 0 (нет связи) до 1; он улавливает и нелинейные зависимости. Z — его статистическая значимость в стандартных отклонениях.",
                "φK (phi_K) is a correlation coefficient for features of any type (numeric, categorical, boolean), from 0 (no link) to 1; it also captures non-linear dependence. Z is its statistical significance in standard deviations.",
            )));
            let pearson = self.matrix("pearson");
            let spearman = self.matrix("spearman");
            let mut table = Table::new(
                vec![
                    self.t("Ранг", "Rank"),
                    self.t("Признак", "Feature"),
                    "φK".into(),
                    "Z".into(),
                    self.t("Пирсон", "Pearson"),
                    self.t("Спирмен", "Spearman"),
                ],
                vec![true, false, true, true, true, true],
            );
            let mut bars = Vec::new();
            for (i, (col, v)) in ranking.iter().enumerate() {
                table.rows.push(vec![
                    (i + 1).to_string(),
                    i18n::capitalised(&i18n::column(col, lang)),
                    f::num(*v, 2, lang),
                    f::opt(with_churn(phik, |m| &m.significance, col), 1, lang),
                    f::opt(with_churn(pearson, |m| &m.values, col), 2, lang),
                    f::opt(with_churn(spearman, |m| &m.values, col), 2, lang),
                ]);
                bars.push(Bar::new(
                    i18n::capitalised(&i18n::column(col, lang)),
                    *v,
                    i < 3,
                ));
            }
            let svg = charts::bars(
                "churn_correlation_ranking",
                &bars,
                None,
                Axis::Number(2),
                lang,
            )?;
            blocks.push(self.chart(
                "churn_correlation_ranking",
                self.t(
                    "Сила связи признаков с оттоком (φK)",
                    "Strength of each feature's link to churn (φK)",
                ),
                svg,
            ));
            blocks.push(Block::Table(table));
        }
        for (method, signed) in [("phik", false), ("spearman", true), ("pearson", true)] {
            let Some(m) = self.matrix(method) else {
                continue;
            };
            if m.columns.is_empty() || m.values.len() != m.columns.len() * m.columns.len() {
                continue;
            }
            let labels: Vec<String> = m.columns.iter().map(|c| i18n::column(c, lang)).collect();
            let name = format!("heatmap_{method}");
            let svg = charts::heatmap(&name, &labels, &m.values, signed, lang)?;
            let label = i18n::correlation_method(method, lang);
            blocks.push(self.chart(
                name,
                match lang {
                    Lang::Ru => format!("Тепловая карта корреляций {label}"),
                    Lang::En => format!("{label} correlation heatmap"),
                },
                svg,
            ));
        }
        Ok(Section {
            id: "correlations",
            title: self.t(
                "Корреляции: φK и связь с оттоком",
                "Correlations: φK and link to churn",
            ),
            blocks,
        })
    }

    // ------------------------------------------------------------------------------------------
    // 6. Segments
    // ------------------------------------------------------------------------------------------

    fn segment_table(
        &self,
        items: &[&SegmentSummary],
        rules: Option<&HashMap<&str, String>>,
    ) -> Table {
        let lang = self.lang;
        let mut headers = vec![self.t("Сегмент", "Segment")];
        if rules.is_some() {
            headers.push(self.t("Правило", "Rule"));
        }
        headers.extend([
            self.t("Клиентов", "Customers"),
            self.t("Доля клиентов", "Share of customers"),
            self.t("Ушли", "Churned"),
            self.t("Отток", "Churn rate"),
            self.t("95% ДИ", "95% CI"),
            self.t("К среднему", "Lift"),
            self.t("Ушедших сверх среднего", "Churners above average"),
        ]);
        let mut numeric = vec![false];
        if rules.is_some() {
            numeric.push(false);
        }
        numeric.extend([true; 7]);
        let mut table = Table::new(headers, numeric);
        for s in items {
            let p = s.churn.unwrap_or_default();
            let mut row = vec![self.segment_name(&s.segment_id)];
            if let Some(rules) = rules {
                row.push(
                    rules
                        .get(s.segment_id.as_str())
                        .cloned()
                        .unwrap_or_default(),
                );
            }
            row.extend([
                self.int(s.size),
                self.pct(s.share),
                self.int(p.successes),
                self.pct(p.rate),
                self.interval(&p),
                f::lift(s.lift, lang),
                f::num(self.excess(s), 0, lang),
            ]);
            table.rows.push(row);
        }
        table
    }

    fn segments(&self) -> Result<Section> {
        let lang = self.lang;
        let mut blocks = Vec::new();
        let tops: Vec<&SegmentSummary> = self
            .tops()
            .into_iter()
            .filter_map(|s| s.summary.as_ref())
            .collect();
        if tops.is_empty() {
            blocks.push(Block::Paragraph(
                self.t("Сегменты не построены.", "No segments were built."),
            ));
        } else {
            let rules: HashMap<&str, String> = self
                .a
                .segments
                .iter()
                .filter_map(|s| {
                    s.summary
                        .as_ref()
                        .map(|sum| (sum.segment_id.as_str(), lang.text(s.rule.as_ref())))
                })
                .collect();
            let split = self
                .tops()
                .into_iter()
                .filter(|s| !self.children_of(s).is_empty())
                .count();
            blocks.push(Block::Paragraph(match lang {
                Lang::Ru => format!(
                    "Клиенты разбиты на {} сегментов, {} из них разделены на подсегменты. «Ушедших сверх среднего» — сколько клиентов ушло сверх того, что дал бы средний по банку отток ({}).",
                    tops.len(),
                    split,
                    self.bank_rate_text()
                ),
                Lang::En => format!(
                    "Customers fall into {} segments; {} of them are split further into sub-segments. “Churners above average” is how many more customers left than the bank's average rate ({}) would predict.",
                    tops.len(),
                    split,
                    self.bank_rate_text()
                ),
            }));
            blocks.push(self.segment_churn_chart(
                "segments_churn",
                self.t("Отток по сегментам", "Churn rate by segment"),
                &tops,
            )?);
            let size_bars: Vec<Bar> = tops
                .iter()
                .map(|s| Bar::new(self.segment_name(&s.segment_id), s.share, false))
                .collect();
            let svg = charts::bars("segments_size", &size_bars, None, Axis::Percent, lang)?;
            blocks.push(self.chart(
                "segments_size",
                self.t(
                    "Размер сегментов (доля клиентов)",
                    "Segment sizes (share of customers)",
                ),
                svg,
            ));
            blocks.push(Block::Table(self.segment_table(&tops, Some(&rules))));
        }
        for segment in self.tops() {
            let Some(s) = segment.summary.as_ref() else {
                continue;
            };
            let children = self.children_of(segment);
            if children.is_empty() {
                continue;
            }
            let name = self.segment_name(&s.segment_id);
            blocks.push(Block::Heading(match lang {
                Lang::Ru => format!("{name}: подсегменты"),
                Lang::En => format!("{name}: sub-segments"),
            }));
            let bars: Vec<Bar> = children
                .iter()
                .map(|c| self.rate_bar(self.segment_name(&c.segment_id), c.churn.as_ref()))
                .collect();
            let chart_name = format!("subsegments_{}", slug(&s.segment_id));
            let svg = charts::bars(
                &chart_name,
                &bars,
                self.reference().as_ref(),
                Axis::Percent,
                lang,
            )?;
            blocks.push(self.chart(
                chart_name,
                match lang {
                    Lang::Ru => format!("{name}: отток по подсегментам"),
                    Lang::En => format!("{name}: churn rate by sub-segment"),
                },
                svg,
            ));
            blocks.push(Block::Table(self.segment_table(&children, None)));
        }
        Ok(Section {
            id: "segments",
            title: self.t("Сегменты", "Segments"),
            blocks,
        })
    }

    // ------------------------------------------------------------------------------------------
    // 7. Dashboard
    // ------------------------------------------------------------------------------------------

    fn dashboard(&self) -> Section {
        let lang = self.lang;
        let mut blocks = Vec::new();
        if self.a.city_cells.is_empty() {
            blocks.push(Block::Paragraph(self.t(
                "Агрегаты по городам и сегментам отсутствуют.",
                "There are no aggregates by city and segment.",
            )));
        } else {
            blocks.push(Block::Paragraph(self.t(
                "Выберите город и сегмент: таблица и диаграмма пересчитываются из данных, встроенных в отчёт, без обращения к серверу.",
                "Pick a city and a segment: the table and chart are recomputed from data embedded in the report, without a server.",
            )));
            let mut cities: Vec<String> = self.a.cities.clone();
            for c in &self.a.city_cells {
                if !cities.contains(&c.city) {
                    cities.push(c.city.clone());
                }
            }
            // Top-level segments first, each followed by its sub-segments; a segment known only
            // from the cells counts as top-level unless it names a parent.
            let by_id = self.segments_by_id();
            let mut segments: Vec<(String, String, bool)> = Vec::new();
            let mut push = |id: &str, top: bool| {
                if !segments.iter().any(|(s, _, _)| s == id) {
                    segments.push((id.to_string(), self.segment_name(id), top));
                }
            };
            for top in self.tops() {
                if let Some(s) = top.summary.as_ref() {
                    push(&s.segment_id, true);
                }
                for child in self.children_of(top) {
                    push(&child.segment_id, false);
                }
            }
            for c in &self.a.city_cells {
                let top = by_id
                    .get(c.segment_id.as_str())
                    .is_none_or(|s| s.parent_id.is_empty());
                push(&c.segment_id, top);
            }
            blocks.push(Block::Dashboard(Dashboard {
                cities: cities
                    .into_iter()
                    .map(|c| {
                        let label = i18n::value("city", &c, lang);
                        (c, label)
                    })
                    .collect(),
                segments,
                cells: self
                    .a
                    .city_cells
                    .iter()
                    .map(|c| (c.city.clone(), c.segment_id.clone(), c.size, c.churned))
                    .collect(),
                bank_rate: self.bank_rate,
                labels: DashboardLabels {
                    city: self.t("Город", "City"),
                    segment: self.t("Сегмент", "Segment"),
                    all: self.t("Все", "All"),
                    customers: self.t("Клиентов", "Customers"),
                    churned: self.t("Ушли", "Churned"),
                    churn_rate: self.t("Отток", "Churn rate"),
                    bank_average: self.t("в среднем по банку", "bank average"),
                    total: self.t("Итого", "Total"),
                },
            }));
        }
        Section {
            id: "dashboard",
            title: self.t(
                "Дашборд: города и сегменты",
                "Dashboard: cities and segments",
            ),
            blocks,
        }
    }

    // ------------------------------------------------------------------------------------------
    // 8. Portraits
    // ------------------------------------------------------------------------------------------

    fn portraits(&self) -> Result<Section> {
        let mut blocks = Vec::new();
        if self.a.segments.is_empty() {
            blocks.push(Block::Paragraph(
                self.t("Сегменты не построены.", "No segments were built."),
            ));
        } else {
            blocks.push(Block::Paragraph(self.t(
                "Для каждого сегмента: кто в него входит и чем ушедшие отличаются от оставшихся. Для числовых признаков — медианы, для остальных — доли. Различия проверены внутри сегмента, p-значения скорректированы на множественные сравнения.",
                "For each segment: who is in it and how those who leave differ from those who stay. Numeric features are compared by medians, the others by shares. Differences are tested within the segment, with p-values adjusted for multiple comparisons.",
            )));
        }
        for segment in &self.a.segments {
            blocks.extend(self.portrait(segment)?);
        }
        Ok(Section {
            id: "portraits",
            title: self.t("Портреты сегментов", "Segment portraits"),
            blocks,
        })
    }

    fn portrait(&self, segment: &Segment) -> Result<Vec<Block>> {
        let lang = self.lang;
        let mut blocks = Vec::new();
        let Some(s) = segment.summary.as_ref() else {
            return Ok(blocks);
        };
        let name = self.segment_name(&s.segment_id);
        blocks.push(Block::Heading(name.clone()));
        let p = s.churn.unwrap_or_default();
        let rule = i18n::capitalised(&lang.text(segment.rule.as_ref()));
        blocks.push(Block::Paragraph(match lang {
            Lang::Ru => format!(
                "{}Клиентов: {} ({} банка), отток {} ({} к среднему).",
                if rule.is_empty() {
                    String::new()
                } else {
                    format!("{rule}. ")
                },
                self.int(s.size),
                self.pct(s.share),
                self.pct(p.rate),
                f::lift(s.lift, lang)
            ),
            Lang::En => format!(
                "{}{} customers ({} of the bank), churn {} ({} the average).",
                if rule.is_empty() {
                    String::new()
                } else {
                    format!("{rule}. ")
                },
                self.int(s.size),
                self.pct(s.share),
                self.pct(p.rate),
                f::lift(s.lift, lang)
            ),
        }));
        let portrait = lang.text(segment.portrait.as_ref());
        if !portrait.is_empty() {
            blocks.push(Block::Paragraph(portrait));
        }
        let churner = lang.text(segment.churner_portrait.as_ref());
        if !churner.is_empty() {
            blocks.push(Block::Note(churner));
        }
        if segment.features.is_empty() {
            return Ok(blocks);
        }
        let mut table = Table::new(
            vec![
                self.t("Признак", "Feature"),
                self.t("Все", "All"),
                self.t("Ушли", "Churned"),
                self.t("Остались", "Retained"),
                self.t("Тест", "Test"),
                "p".into(),
                self.t("p скорр.", "p adj."),
                self.t("Значимо", "Significant"),
            ],
            vec![false, true, true, true, false, true, true, false],
        );
        let mut bars = Vec::new();
        for fs in &segment.features {
            let numeric = fs.kind == "numeric";
            let label = if numeric || fs.level.is_empty() {
                i18n::capitalised(&i18n::column(&fs.column, lang))
            } else {
                format!(
                    "{} = {}",
                    i18n::capitalised(&i18n::column(&fs.column, lang)),
                    i18n::value(&fs.column, &fs.level, lang)
                )
            };
            let show = |v: Option<f64>| {
                if numeric {
                    let d = if v.is_some_and(|x| x.abs() >= 1000.0) {
                        0
                    } else {
                        1
                    };
                    f::opt(v, d, lang)
                } else {
                    f::opt_pct(v, 1, lang)
                }
            };
            table.rows.push(vec![
                label.clone(),
                show(fs.value),
                show(fs.churned),
                show(fs.retained),
                i18n::test(&fs.test, lang),
                f::opt_p_value(fs.p_value, lang),
                f::opt_p_value(fs.p_adjusted, lang),
                i18n::yes_no(fs.significant, lang).to_string(),
            ]);
            if let (Some(c), Some(r)) = (fs.churned, fs.retained)
                && r.abs() > f64::EPSILON
                && c.is_finite()
                && r.is_finite()
            {
                bars.push(Bar::new(label, (c - r) / r.abs(), fs.significant));
            }
        }
        if !bars.is_empty() {
            let chart_name = format!("portrait_{}", slug(&s.segment_id));
            let svg = charts::bars(&chart_name, &bars, None, Axis::Percent, lang)?;
            blocks.push(self.chart(
                chart_name,
                match lang {
                    Lang::Ru => format!(
                        "{name}: насколько ушедшие отличаются от оставшихся (относительная разница; красным — значимые различия)"
                    ),
                    Lang::En => format!(
                        "{name}: how churned customers differ from retained ones (relative difference; significant differences in red)"
                    ),
                },
                svg,
            ));
        }
        blocks.push(Block::Table(table));
        Ok(blocks)
    }

    // ------------------------------------------------------------------------------------------
    // 9. Slices
    // ------------------------------------------------------------------------------------------

    fn slices(&self) -> Result<Section> {
        let lang = self.lang;
        let mut blocks = Vec::new();
        if self.a.slices.is_empty() {
            blocks.push(Block::Paragraph(self.t(
                "Срезов с оттоком заметно выше среднего не найдено.",
                "No slice churns markedly above the average.",
            )));
        } else {
            blocks.push(Block::Paragraph(self.t(
                "Сочетания значений признаков, где отток заметно выше среднего по банку, упорядоченные по числу ушедших сверх среднего.",
                "Combinations of feature values where churn is markedly above the bank average, ordered by churners above average.",
            )));
            let mut table = Table::new(
                vec![
                    self.t("Срез", "Slice"),
                    self.t("Клиентов", "Customers"),
                    self.t("Ушли", "Churned"),
                    self.t("Отток", "Churn rate"),
                    self.t("95% ДИ", "95% CI"),
                    self.t("К среднему", "Lift"),
                    self.t("Ушедших сверх среднего", "Churners above average"),
                ],
                vec![false, true, true, true, true, true, true],
            );
            let mut bars = Vec::new();
            for s in &self.a.slices {
                let description = self.slice_name(s);
                let p = s.churn.unwrap_or_default();
                table.rows.push(vec![
                    description.clone(),
                    self.int(s.size),
                    self.int(p.successes),
                    self.pct(p.rate),
                    self.interval(&p),
                    f::lift(s.lift, lang),
                    f::num(s.excess_churners, 0, lang),
                ]);
                bars.push(self.rate_bar(description, s.churn.as_ref()));
            }
            let shown = bars.len().min(MAX_SLICE_BARS);
            let svg = charts::bars(
                "slices",
                &bars[..shown],
                self.reference().as_ref(),
                Axis::Percent,
                lang,
            )?;
            let title = if shown < bars.len() {
                match lang {
                    Lang::Ru => {
                        format!("Срезы с высоким оттоком: первые {shown} из {}", bars.len())
                    }
                    Lang::En => format!("High-churn slices: the first {shown} of {}", bars.len()),
                }
            } else {
                self.t("Срезы с высоким оттоком", "High-churn slices")
            };
            blocks.push(self.chart("slices", title, svg));
            blocks.push(Block::Table(table));
        }
        Ok(Section {
            id: "slices",
            title: self.t("Срезы с высоким оттоком", "High-churn slices"),
            blocks,
        })
    }

    // ------------------------------------------------------------------------------------------
    // 10. Hypotheses
    // ------------------------------------------------------------------------------------------

    fn test_row(&self, role: String, t: &TestResult) -> Vec<String> {
        let lang = self.lang;
        let effect = match t.effect {
            Some(e) => {
                let ci = match (t.ci_low, t.ci_high) {
                    (Some(lo), Some(hi)) => {
                        format!(" [{}; {}]", f::num(lo, 3, lang), f::num(hi, 3, lang))
                    }
                    _ => String::new(),
                };
                format!(
                    "{} = {}{}",
                    i18n::effect(&t.effect_name, lang),
                    f::num(e, 3, lang),
                    ci
                )
            }
            None => f::DASH.to_string(),
        };
        let name = if t.method.is_empty() {
            i18n::test(&t.test, lang)
        } else {
            format!("{} ({})", i18n::test(&t.test, lang), t.method)
        };
        vec![
            role,
            name,
            f::num(
                t.statistic,
                if t.statistic.abs() >= 1000.0 { 0 } else { 3 },
                lang,
            ),
            f::opt(t.df, 1, lang),
            f::p_value(t.p_value, lang),
            effect,
            t.sizes
                .iter()
                .map(|n| self.int(*n))
                .collect::<Vec<_>>()
                .join(" / "),
        ]
    }

    fn hypotheses(&self) -> Result<Section> {
        let lang = self.lang;
        let a = self.a;
        let mut blocks = Vec::new();
        if a.hypotheses.is_empty() {
            blocks.push(Block::Paragraph(
                self.t("Гипотезы не проверялись.", "No hypotheses were tested."),
            ));
            return Ok(Section {
                id: "hypotheses",
                title: self.t("Проверка гипотез", "Hypothesis tests"),
                blocks,
            });
        }
        blocks.push(Block::Paragraph(match lang {
            Lang::Ru => format!(
                "Уровень значимости α = {}. p-значения скорректированы на множественные сравнения; вывод опирается на основной тест, сопутствующие тесты показывают устойчивость вывода. На диаграмме — −log₁₀ скорректированного p-значения: чем длиннее столбец, тем сильнее свидетельство против H0; линия — порог α.",
                f::num(a.alpha, 2, lang)
            ),
            Lang::En => format!(
                "Significance level α = {}. p-values are adjusted for multiple comparisons; each conclusion relies on the primary test, companion tests show how robust it is. The chart shows −log₁₀ of the adjusted p-value: the longer the bar, the stronger the evidence against H0; the line is the α threshold.",
                f::num(a.alpha, 2, lang)
            ),
        }));
        let mut summary = Table::new(
            vec![
                self.t("Гипотеза", "Hypothesis"),
                self.t("Основной тест", "Primary test"),
                "p".into(),
                self.t("p скорр.", "p adj."),
                self.t("Размер эффекта", "Effect size"),
                self.t("Вывод", "Verdict"),
            ],
            vec![false, false, true, true, true, false],
        );
        let mut bars = Vec::new();
        for h in &a.hypotheses {
            let title = lang.text(h.title.as_ref());
            let primary = h.primary.clone().unwrap_or_default();
            summary.rows.push(vec![
                hypothesis_name(&h.id, &title),
                i18n::test(&primary.test, lang),
                f::p_value(primary.p_value, lang),
                f::p_value(h.p_adjusted, lang),
                primary.effect.map_or_else(
                    || f::DASH.to_string(),
                    |e| {
                        format!(
                            "{} = {}",
                            i18n::effect(&primary.effect_name, lang),
                            f::num(e, 3, lang)
                        )
                    },
                ),
                if h.reject_h0 {
                    self.t("H0 отвергнута", "H0 rejected")
                } else {
                    self.t("H0 не отвергнута", "H0 not rejected")
                },
            ]);
            // Capped so that the α line stays visible next to p-values like 10⁻¹⁵⁰; the bar's
            // text gives the exact adjusted p-value.
            let strength = if h.p_adjusted.is_finite() {
                (-(h.p_adjusted.max(1e-300)).log10()).min(EVIDENCE_CAP)
            } else {
                f64::NAN
            };
            bars.push(
                Bar::new(hypothesis_name(&h.id, &title), strength, h.reject_h0).with_text(format!(
                    "p {} = {}",
                    self.t("скорр.", "adj."),
                    f::p_value(h.p_adjusted, lang)
                )),
            );
        }
        let reference = (a.alpha > 0.0 && a.alpha < 1.0).then(|| Reference {
            value: -a.alpha.log10(),
            label: format!("α = {}", f::num(a.alpha, 2, lang)),
        });
        let svg = charts::bars(
            "hypotheses",
            &bars,
            reference.as_ref(),
            Axis::Number(1),
            lang,
        )?;
        blocks.push(self.chart(
            "hypotheses",
            self.t(
                "Сила свидетельства против H0: −log₁₀(p скорр.), шкала ограничена значением 20",
                "Evidence against H0: −log₁₀(adjusted p), axis capped at 20",
            ),
            svg,
        ));
        blocks.push(Block::Table(summary));
        for h in &a.hypotheses {
            blocks.extend(self.hypothesis(h)?);
        }
        Ok(Section {
            id: "hypotheses",
            title: self.t("Проверка гипотез", "Hypothesis tests"),
            blocks,
        })
    }

    fn hypothesis(&self, h: &Hypothesis) -> Result<Vec<Block>> {
        let lang = self.lang;
        let mut blocks = vec![Block::Heading(hypothesis_name(
            &h.id,
            &lang.text(h.title.as_ref()),
        ))];
        let mut items = vec![
            format!("H0: {}", lang.text(h.h0.as_ref())),
            format!("H1: {}", lang.text(h.h1.as_ref())),
        ];
        if !h.column.is_empty() || !h.groups.is_empty() {
            let groups: Vec<String> = h
                .groups
                .iter()
                .map(|g| self.group_label(&h.column, g))
                .collect();
            items.push(format!(
                "{}: {}; {}: {}",
                self.t("Признак", "Feature"),
                i18n::column(&h.column, lang),
                self.t("группы", "groups"),
                groups.join(", ")
            ));
        }
        blocks.push(Block::Bullets(items));
        let mut table = Table::new(
            vec![
                self.t("Роль", "Role"),
                self.t("Тест", "Test"),
                self.t("Статистика", "Statistic"),
                self.t("Ст. свободы", "df"),
                "p".into(),
                self.t("Размер эффекта [95% ДИ]", "Effect size [95% CI]"),
                self.t("Размеры групп", "Group sizes"),
            ],
            vec![false, false, true, true, true, true, true],
        );
        if let Some(p) = h.primary.as_ref() {
            table
                .rows
                .push(self.test_row(self.t("основной", "primary"), p));
        }
        for c in &h.companions {
            table
                .rows
                .push(self.test_row(self.t("сопутствующий", "companion"), c));
        }
        blocks.push(Block::Table(table));
        let rationale = lang.text(h.rationale.as_ref());
        if !rationale.is_empty() {
            blocks.push(Block::Paragraph(format!(
                "{}: {}",
                self.t("Почему этот тест", "Why this test"),
                rationale
            )));
        }
        let primary_name = h
            .primary
            .as_ref()
            .map(|p| i18n::test(&p.test, lang))
            .unwrap_or_default();
        let decision = if h.reject_h0 {
            self.t("H0 отвергнута", "H0 rejected")
        } else {
            self.t("H0 не отвергнута", "H0 not rejected")
        };
        blocks.push(Block::Note(format!(
            "{}: {} · p {} = {} · {}: {}",
            self.t("Решение", "Decision"),
            decision,
            self.t("скорр.", "adj."),
            f::p_value(h.p_adjusted, lang),
            self.t("вывод опирается на", "the conclusion relies on"),
            primary_name,
        )));
        let verdict = lang.text(h.verdict.as_ref());
        if !verdict.is_empty() {
            blocks.push(Block::Paragraph(verdict));
        }
        let agreement = lang.text(h.agreement.as_ref());
        if !agreement.is_empty() {
            blocks.push(Block::Paragraph(agreement));
        }
        let values = if !h.group_medians.is_empty() {
            &h.group_medians
        } else {
            &h.group_means
        };
        if !values.is_empty() && values.len() == h.groups.len() {
            let is_median = !h.group_medians.is_empty();
            let d = if values.iter().any(|v| v.abs() >= 1000.0) {
                0
            } else {
                2
            };
            let bars: Vec<Bar> = h
                .groups
                .iter()
                .zip(values)
                .map(|(g, v)| Bar::new(self.group_label(&h.column, g), *v, false))
                .collect();
            let name = format!("hypothesis_{}", slug(&h.id));
            let svg = charts::bars(&name, &bars, None, Axis::Number(d), lang)?;
            let what = if is_median {
                self.t("медианы по группам", "group medians")
            } else {
                self.t("средние по группам", "group means")
            };
            blocks.push(self.chart(
                name,
                format!("{}: {} ({})", h.id, what, i18n::column(&h.column, lang)),
                svg,
            ));
        }
        Ok(blocks)
    }

    // ------------------------------------------------------------------------------------------
    // 11. Recommendations
    // ------------------------------------------------------------------------------------------

    fn recommendations(&self) -> Result<Section> {
        let lang = self.lang;
        let mut blocks = Vec::new();
        let mut recs: Vec<_> = self.a.recommendations.iter().collect();
        recs.sort_by_key(|r| (r.priority == 0, r.priority));
        if recs.is_empty() {
            blocks.push(Block::Paragraph(self.t(
                "Анализ не выдал рекомендаций.",
                "The analysis produced no recommendations.",
            )));
        } else {
            blocks.push(Block::Paragraph(self.t(
                "Рекомендации упорядочены по приоритету: чем больше клиентов сегмент теряет сверх среднего по банку, тем выше приоритет.",
                "Recommendations are ordered by priority: the more customers a segment loses above the bank average, the higher the priority.",
            )));
            let by_id = self.segments_by_id();
            let mut table = Table::new(
                vec![
                    self.t("Приоритет", "Priority"),
                    self.t("Сегмент", "Segment"),
                    self.t("Отток", "Churn rate"),
                    self.t("Клиентов", "Customers"),
                    self.t("Что делать", "Action"),
                    self.t("Основание", "Evidence"),
                ],
                vec![true, false, true, true, false, false],
            );
            let mut bars = Vec::new();
            for r in &recs {
                let seg = by_id.get(r.segment_id.as_str());
                let name = self.segment_name(&r.segment_id);
                table.rows.push(vec![
                    r.priority.to_string(),
                    name.clone(),
                    seg.and_then(|s| s.churn.as_ref())
                        .map_or_else(|| f::DASH.to_string(), |p| self.pct(p.rate)),
                    seg.map_or_else(|| f::DASH.to_string(), |s| self.int(s.size)),
                    lang.text(r.action.as_ref()),
                    lang.text(r.evidence.as_ref()),
                ]);
                if let Some(s) = seg {
                    let excess = self.excess(s);
                    if excess.is_finite() && !bars.iter().any(|b: &Bar| b.label == name) {
                        bars.push(Bar::new(name, excess, excess > 0.0));
                    }
                }
            }
            if !bars.is_empty() {
                let svg = charts::bars("recommendations", &bars, None, Axis::Count, lang)?;
                blocks.push(self.chart(
                    "recommendations",
                    self.t(
                        "Ушедших сверх среднего по банку в сегментах с рекомендациями",
                        "Churners above the bank average in the segments with recommendations",
                    ),
                    svg,
                ));
            }
            blocks.push(Block::Table(table));
        }
        Ok(Section {
            id: "recommendations",
            title: self.t("Рекомендации по сегментам", "Recommendations by segment"),
            blocks,
        })
    }

    // ------------------------------------------------------------------------------------------
    // 12. Method notes
    // ------------------------------------------------------------------------------------------

    fn method(&self) -> Section {
        let lang = self.lang;
        let a = self.a;
        let mut blocks = Vec::new();
        let mut notes: Vec<String> = a
            .notes
            .iter()
            .map(|n| lang.text(Some(n)))
            .filter(|s| !s.is_empty())
            .collect();
        notes.push(self.t(
            "Доли оттока приводятся с 95 % доверительными интервалами Уилсона.",
            "Churn rates come with 95% Wilson score confidence intervals.",
        ));
        notes.push(self.t(
            "«К среднему» — отношение оттока группы к оттоку по банку.",
            "Lift is a group's churn rate divided by the bank's churn rate.",
        ));
        notes.push(self.t(
            "φK (phi_K) — корреляция для смешанных типов признаков на основе χ² с поправкой на двумерное нормальное распределение; значимость Z оценена по отношению правдоподобия.",
            "φK (phi_K) is a correlation for mixed feature types derived from χ² under a bivariate normal model; its significance Z comes from the likelihood ratio.",
        ));
        notes.push(match lang {
            Lang::Ru => format!(
                "Гипотезы проверены на уровне значимости α = {} с поправкой на множественные сравнения; тест выбирается по типу данных и проверке нормальности, сопутствующие тесты проверяют устойчивость вывода.",
                f::num(a.alpha, 2, lang)
            ),
            Lang::En => format!(
                "Hypotheses are tested at α = {} with an adjustment for multiple comparisons; the test is chosen by data type and a normality check, companion tests check how robust the conclusion is.",
                f::num(a.alpha, 2, lang)
            ),
        });
        blocks.push(Block::Bullets(notes));
        let mut ids = Table::new(
            vec![self.t("Поле", "Field"), self.t("Значение", "Value")],
            vec![false, false],
        );
        ids.rows.push(vec![
            self.t("ID анализа", "Analysis id"),
            a.analysis_id.clone(),
        ]);
        ids.rows.push(vec![
            self.t("ID набора данных", "Dataset id"),
            a.dataset_id.clone(),
        ]);
        ids.rows
            .push(vec![self.t("Создан", "Created"), a.created_at.clone()]);
        ids.rows.push(vec![
            self.t("Версия схемы", "Schema version"),
            if a.schema_version == 0 {
                bankseg_proto::ANALYSIS_SCHEMA_VERSION
            } else {
                a.schema_version
            }
            .to_string(),
        ]);
        blocks.push(Block::Table(ids));
        if !a.config_toml.trim().is_empty() {
            blocks.push(Block::Heading(
                self.t("Конфигурация анализа", "Analysis configuration"),
            ));
            blocks.push(Block::Code(a.config_toml.clone()));
        }
        Section {
            id: "method",
            title: self.t("Методика", "Method notes"),
            blocks,
        }
    }
}

/// A hypothesis as readers see it: `H1. Title` for short ids, the title alone otherwise.
fn hypothesis_name(id: &str, title: &str) -> String {
    match (id.chars().count() <= 4, title.is_empty()) {
        (_, true) => id.to_string(),
        (true, false) => format!("{id}. {title}"),
        (false, false) => title.to_string(),
    }
}

/// Most slices drawn on the slices chart (the table lists all).
const MAX_SLICE_BARS: usize = 15;

/// Largest −log₁₀(p) drawn on the hypotheses chart.
const EVIDENCE_CAP: f64 = 20.0;

/// Makes chart names unique within the report (they become file names): later duplicates get
/// `_2`, `_3`, ...
fn unique_chart_names(sections: &mut [Section]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for section in sections {
        for block in &mut section.blocks {
            if let Block::Chart(chart) = block {
                let count = seen.entry(chart.name.clone()).or_insert(0);
                *count += 1;
                if *count > 1 {
                    chart.name = format!("{}_{}", chart.name, count);
                }
            }
        }
    }
}

/// 0 when every present value is a whole number, else 2.
fn decimals_for_values(values: &[Option<f64>]) -> usize {
    if values.iter().flatten().all(|v| v.fract() == 0.0) {
        0
    } else {
        2
    }
}

/// Decimals that suit a numeric column's magnitude (none for whole-number columns).
fn decimals_for(p: &ColumnProfile) -> usize {
    let quantiles = [p.min, p.p05, p.p25, p.p50, p.p75, p.p95, p.max];
    if quantiles.iter().flatten().next().is_some() && decimals_for_values(&quantiles) == 0 {
        return 0;
    }
    let scale = [p.max, p.p50, p.mean]
        .into_iter()
        .flatten()
        .map(f64::abs)
        .fold(0.0, f64::max);
    if scale >= 1000.0 {
        0
    } else if scale >= 10.0 {
        1
    } else {
        2
    }
}

/// A file-name-safe form of an id: ASCII letters and digits, other characters as `_`.
pub fn slug(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() {
        out.push('_');
    }
    out
}
