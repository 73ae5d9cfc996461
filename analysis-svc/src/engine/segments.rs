//! Segmentation from configuration: exclusions, segments, sub-segment splits, the membership
//! table, city cells and per-segment portraits with churned-vs-retained tests.

use std::collections::BTreeMap;

use bankseg_proto::analysis::v1::{CityCell, FeatureStat, Segment, SegmentSummary};
use bankseg_proto::common::v1::LocalizedText;
use bankseg_stats::{ContingencyTable, ValueCounts};

use super::config::{Band, Condition, Kind, Text};
use super::error::Result;
use super::sql::{condition_sql, conditions_sql, ident, lit, query};
use super::text::Lang::{En, Ru};
use super::text::{Lang, int, join, loc, lt, median_comparison, num, pct, range};
use super::{Study, proportion};

/// Column holding the top-level segment id in the engine's base query.
pub const SEGMENT_COL: &str = "__segment";
/// Column holding the sub-segment id in the engine's base query.
pub const SUB_SEGMENT_COL: &str = "__sub_segment";
const SID: &str = "__sid";

/// Rows left out of the segments.
#[derive(Debug, Clone)]
pub struct ExclusionRow {
    /// Short name.
    pub what: String,
    /// Number of rows.
    pub rows: u64,
    /// Why.
    pub reason: LocalizedText,
}

/// Medians and quartiles of a numeric column: index 0 all, 1 churned, 2 retained.
#[derive(Debug, Clone, Default)]
pub struct NumStat {
    /// Medians.
    pub median: [Option<f64>; 3],
    /// First quartiles.
    pub p25: [Option<f64>; 3],
    /// Third quartiles.
    pub p75: [Option<f64>; 3],
}

/// The churned-vs-retained test of one column inside a segment.
#[derive(Debug, Clone, Default)]
pub struct ColTest {
    /// Test name.
    pub test: String,
    /// p-value.
    pub p: Option<f64>,
    /// Adjusted p-value (within the segment).
    pub p_adj: Option<f64>,
    /// Whether significant at alpha after adjustment.
    pub significant: bool,
}

/// Everything known about one segment.
#[derive(Debug, Clone, Default)]
pub struct SegStats {
    /// Id.
    pub id: String,
    /// Parent id ("" for top level).
    pub parent: String,
    /// Name.
    pub name: Text,
    /// Rule in words.
    pub rule: LocalizedText,
    /// Customers.
    pub size: u64,
    /// Churned customers.
    pub churned: u64,
    /// Numeric medians and quartiles.
    pub numeric: BTreeMap<String, NumStat>,
    /// Numeric value-count tables: index 0 churned, 1 retained.
    pub values: BTreeMap<String, [ValueCounts; 2]>,
    /// Level counts of boolean and categorical columns: level → [churned, retained].
    pub levels: BTreeMap<String, BTreeMap<String, [u64; 2]>>,
    /// Tests by column.
    pub tests: BTreeMap<String, ColTest>,
    /// Feature rows.
    pub features: Vec<FeatureStat>,
    /// Portrait.
    pub portrait: LocalizedText,
    /// Churner portrait.
    pub churner_portrait: LocalizedText,
}

impl SegStats {
    /// Churn rate.
    pub fn rate(&self) -> f64 {
        if self.size == 0 {
            0.0
        } else {
            self.churned as f64 / self.size as f64
        }
    }

    /// Share of `level` in a boolean/categorical column, or of a numeric value; population
    /// 0 all, 1 churned, 2 retained.
    pub fn share(&self, column: &str, level: &str, population: usize) -> Option<f64> {
        if let Some(levels) = self.levels.get(column) {
            let count = |l: &[u64; 2]| match population {
                1 => l[0],
                2 => l[1],
                _ => l[0] + l[1],
            };
            let total: u64 = levels.values().map(count).sum();
            let hit = levels.get(level).map(count).unwrap_or(0);
            return (total > 0).then(|| hit as f64 / total as f64);
        }
        let vcs = self.values.get(column)?;
        let target: f64 = level.parse().ok()?;
        let count = |vc: &ValueCounts| -> (u64, u64) {
            let hit = vc
                .values()
                .iter()
                .zip(vc.counts())
                .filter(|(v, _)| **v == target)
                .map(|(_, c)| *c)
                .sum();
            (hit, vc.n())
        };
        let (h1, n1) = count(&vcs[0]);
        let (h2, n2) = count(&vcs[1]);
        let (hit, total) = match population {
            1 => (h1, n1),
            2 => (h2, n2),
            _ => (h1 + h2, n1 + n2),
        };
        (total > 0).then(|| hit as f64 / total as f64)
    }

    fn summary(&self, bank_rate: f64, bank_rows: u64) -> SegmentSummary {
        let churn = proportion(self.churned, self.size);
        SegmentSummary {
            segment_id: self.id.clone(),
            parent_id: self.parent.clone(),
            name: Some(lt(&self.name)),
            size: self.size,
            share: if bank_rows == 0 {
                0.0
            } else {
                self.size as f64 / bank_rows as f64
            },
            lift: if bank_rate > 0.0 {
                churn.rate / bank_rate
            } else {
                0.0
            },
            churn: Some(churn),
        }
    }
}

/// Result of the segmentation stage.
pub struct SegOutput {
    /// Segments then sub-segments, in configuration order.
    pub segments: Vec<SegStats>,
    /// Exclusions with counts.
    pub exclusions: Vec<ExclusionRow>,
    /// Membership plan.
    pub membership: datafusion::dataframe::DataFrame,
    /// Cities.
    pub cities: Vec<String>,
    /// City cells.
    pub city_cells: Vec<CityCell>,
    /// Notes.
    pub notes: Vec<LocalizedText>,
    /// Base query (a parenthesised subquery) with the segment columns added.
    pub base: String,
    /// SQL predicate over `base` for each segment id.
    pub predicates: BTreeMap<String, String>,
    /// Bank churn rate and rows, for summaries.
    pub bank_rate: f64,
    /// Rows of the bank.
    pub bank_rows: u64,
}

impl SegOutput {
    /// Wire segments (top level and sub-segments, each with its children's summaries).
    pub fn segments_proto(&self) -> Vec<Segment> {
        self.segments
            .iter()
            .map(|s| Segment {
                summary: Some(s.summary(self.bank_rate, self.bank_rows)),
                rule: Some(s.rule.clone()),
                features: s.features.clone(),
                portrait: Some(s.portrait.clone()),
                churner_portrait: Some(s.churner_portrait.clone()),
                children: self
                    .segments
                    .iter()
                    .filter(|c| c.parent == s.id)
                    .map(|c| c.summary(self.bank_rate, self.bank_rows))
                    .collect(),
            })
            .collect()
    }

    /// A segment by id.
    pub fn get(&self, id: &str) -> Option<&SegStats> {
        self.segments.iter().find(|s| s.id == id)
    }
}

/// A condition in words.
pub fn condition_text(study: &Study<'_>, c: &Condition) -> LocalizedText {
    let l = study.label(&c.column);
    let mut ru = Vec::new();
    let mut en = Vec::new();
    if let Some(values) = &c.values {
        let vals: Vec<String> = values.iter().map(|v| v.label()).collect();
        if vals.len() == 1 {
            let phrase = study.config.level_phrase(&c.column, &vals[0]);
            ru.push(phrase.ru);
            en.push(phrase.en);
        } else {
            let names: Vec<Text> = vals
                .iter()
                .map(|v| study.config.value_name(&c.column, v))
                .collect();
            let list = |pick: fn(&Text) -> &String| -> String {
                names
                    .iter()
                    .map(pick)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            ru.push(format!("{} ∈ {{{}}}", l.ru, list(|t| &t.ru)));
            en.push(format!("{} ∈ {{{}}}", l.en, list(|t| &t.en)));
        }
    }
    match (c.min, c.max) {
        (Some(a), Some(b)) => {
            ru.push(format!("{} {}", l.ru, range(a, b, Ru)));
            en.push(format!("{} {}", l.en, range(a, b, En)));
        }
        (Some(a), None) => {
            ru.push(format!("{} ≥ {}", l.ru, num(a, Ru)));
            en.push(format!("{} ≥ {}", l.en, num(a, En)));
        }
        (None, Some(b)) => {
            ru.push(format!("{} ≤ {}", l.ru, num(b, Ru)));
            en.push(format!("{} ≤ {}", l.en, num(b, En)));
        }
        (None, None) => {}
    }
    if let Some(b) = c.below {
        ru.push(format!("{} < {}", l.ru, num(b, Ru)));
        en.push(format!("{} < {}", l.en, num(b, En)));
    }
    match c.is_null {
        Some(true) => {
            ru.push(format!("{} не указан", l.ru));
            en.push(format!("{} missing", l.en));
        }
        Some(false) => {
            ru.push(format!("{} указан", l.ru));
            en.push(format!("{} present", l.en));
        }
        None => {}
    }
    loc(ru.join(", "), en.join(", "))
}

/// Conditions in words, joined with "and".
pub fn conditions_text(study: &Study<'_>, cs: &[Condition]) -> LocalizedText {
    let parts: Vec<LocalizedText> = cs.iter().map(|c| condition_text(study, c)).collect();
    LocalizedText {
        ru: parts
            .iter()
            .map(|p| p.ru.clone())
            .collect::<Vec<_>>()
            .join(" и "),
        en: parts
            .iter()
            .map(|p| p.en.clone())
            .collect::<Vec<_>>()
            .join(" and "),
    }
}

fn band_id(column: &str, b: &Band) -> String {
    // ids do not depend on the language: English digits with separators made underscores
    let f = |v: f64| num(v, En).replace([',', '.', '-'], "_");
    match (b.min, b.max) {
        (Some(a), Some(z)) => format!("{column}_{}_{}", f(a), f(z)),
        (Some(a), None) => format!("{column}_{}plus", f(a)),
        (None, Some(z)) => format!("{column}_upto_{}", f(z)),
        (None, None) => column.to_string(),
    }
}

fn band_text(label: &Text, b: &Band) -> Text {
    let span = |lang: Lang| match (b.min, b.max) {
        (Some(a), Some(z)) => range(a, z, lang),
        (Some(a), None) => format!("{}+", num(a, lang)),
        (None, Some(z)) => format!("≤ {}", num(z, lang)),
        (None, None) => String::new(),
    };
    Text::new(
        format!("{} {}", label.ru, span(Ru)),
        format!("{} {}", label.en, span(En)),
    )
}

fn band_condition(column: &str, b: &Band) -> Condition {
    Condition {
        column: column.into(),
        min: b.min,
        max: b.max,
        ..Default::default()
    }
}

/// Runs the segmentation stage.
pub async fn run(study: &mut Study<'_>) -> Result<SegOutput> {
    let config = study.config;
    let seg_cfg = &config.segmentation;
    for s in &seg_cfg.segments {
        for c in &s.conditions {
            study.require(&c.column, &format!("segment {}", s.id))?;
        }
    }
    for e in &seg_cfg.exclude {
        for c in &e.conditions {
            study.require(&c.column, "segmentation.exclude")?;
        }
    }
    for s in &seg_cfg.splits {
        study.require(&s.column, "segmentation.splits")?;
    }
    let t = study.table.clone();
    let ch = study.churn_int();
    let target = ident(&config.columns.target);

    // exclusions
    let excl_preds: Vec<String> = seg_cfg
        .exclude
        .iter()
        .map(|e| format!("({})", conditions_sql(&e.conditions)))
        .collect();
    let mut exclusions = Vec::new();
    if !excl_preds.is_empty() {
        let sums: Vec<String> = excl_preds
            .iter()
            .enumerate()
            .map(|(i, p)| format!("sum(CASE WHEN {p} THEN 1 ELSE 0 END) AS e{i}"))
            .collect();
        let rows = query(study.ctx, &format!("SELECT {} FROM {t}", sums.join(", "))).await?;
        for (i, e) in seg_cfg.exclude.iter().enumerate() {
            exclusions.push(ExclusionRow {
                what: e.what.clone(),
                rows: rows.u64(i)?.first().copied().unwrap_or(0),
                reason: lt(&e.reason),
            });
        }
    }
    let mut seg_case = String::from("CASE");
    for p in &excl_preds {
        seg_case.push_str(&format!(" WHEN {p} THEN CAST(NULL AS VARCHAR)"));
    }
    for s in &seg_cfg.segments {
        seg_case.push_str(&format!(
            " WHEN {} THEN {}",
            conditions_sql(&s.conditions),
            lit(&s.id)
        ));
    }
    seg_case.push_str(" ELSE CAST(NULL AS VARCHAR) END");

    // top-level sizes
    let seg1 = format!("(SELECT *, {seg_case} AS {} FROM {t})", ident(SEGMENT_COL));
    let rows = query(
        study.ctx,
        &format!(
            "SELECT {s}, count(*), sum({ch}) FROM {seg1} GROUP BY {s}",
            s = ident(SEGMENT_COL)
        ),
    )
    .await?;
    let mut sizes: BTreeMap<Option<String>, (u64, u64)> = BTreeMap::new();
    for ((id, n), k) in rows.str(0)?.into_iter().zip(rows.u64(1)?).zip(rows.u64(2)?) {
        sizes.insert(id, (n, k));
    }
    let excluded_total: u64 = exclusions.iter().map(|e| e.rows).sum();
    let unassigned = sizes.get(&None).map(|s| s.0).unwrap_or(0);
    if unassigned > excluded_total {
        exclusions.push(ExclusionRow {
            what: "unassigned".into(),
            rows: unassigned - excluded_total,
            reason: loc(
                "строки не подходят ни под одно правило сегментации",
                "rows match no segment rule",
            ),
        });
    }
    let mut notes = Vec::new();
    let mut segments: Vec<SegStats> = seg_cfg
        .segments
        .iter()
        .map(|s| {
            let (size, churned) = sizes.get(&Some(s.id.clone())).copied().unwrap_or((0, 0));
            SegStats {
                id: s.id.clone(),
                name: s.name.clone(),
                rule: conditions_text(study, &s.conditions),
                size,
                churned,
                ..Default::default()
            }
        })
        .collect();

    // sub-segments
    let mut sub_case = String::from("CASE");
    let mut predicates = BTreeMap::new();
    for s in &segments {
        predicates.insert(
            s.id.clone(),
            format!("{} = {}", ident(SEGMENT_COL), lit(&s.id)),
        );
    }
    let mut subs = Vec::new();
    for split in &seg_cfg.splits {
        let parent = if split.parent == "largest" {
            match segments.iter().max_by_key(|s| s.size) {
                Some(s) => s.id.clone(),
                None => continue,
            }
        } else {
            split.parent.clone()
        };
        let Some(p) = segments.iter().find(|s| s.id == parent).cloned() else {
            continue;
        };
        let label = split
            .label
            .clone()
            .unwrap_or_else(|| study.label(&split.column));
        for b in &split.bands {
            let id = format!("{parent}/{}", band_id(&split.column, b));
            let cond = band_condition(&split.column, b);
            sub_case.push_str(&format!(
                " WHEN {} = {} AND {} THEN {}",
                ident(SEGMENT_COL),
                lit(&parent),
                condition_sql(&cond),
                lit(&id)
            ));
            let bt = band_text(&label, b);
            predicates.insert(
                id.clone(),
                format!("{} = {}", ident(SUB_SEGMENT_COL), lit(&id)),
            );
            subs.push(SegStats {
                id,
                parent: parent.clone(),
                name: Text::new(
                    format!("{}, {}", p.name.ru, bt.ru),
                    format!("{}, {}", p.name.en, bt.en),
                ),
                rule: join(&[p.rule.clone(), condition_text(study, &cond)], ", "),
                ..Default::default()
            });
        }
        let rows = query(
            study.ctx,
            &format!(
                "SELECT count(*) FROM {seg1} WHERE {} = {} AND {} IS NULL",
                ident(SEGMENT_COL),
                lit(&parent),
                ident(&split.column)
            ),
        )
        .await?;
        let missing = rows.u64(0)?.first().copied().unwrap_or(0);
        if missing > 0 {
            let l = study.label(&split.column);
            notes.push(loc(
                format!(
                    "{} клиентов сегмента «{}» без значения «{}» не отнесены ни к одному подсегменту",
                    int(missing, Ru),
                    p.name.ru,
                    l.ru
                ),
                format!(
                    "{} customers of segment \"{}\" with missing {} belong to no sub-segment",
                    int(missing, En),
                    p.name.en,
                    l.en
                ),
            ));
        }
    }
    if subs.is_empty() {
        sub_case = "CAST(NULL AS VARCHAR)".into();
    } else {
        sub_case.push_str(" ELSE CAST(NULL AS VARCHAR) END");
    }
    segments.extend(subs);
    let base = format!(
        "(SELECT *, {sub_case} AS {} FROM {seg1})",
        ident(SUB_SEGMENT_COL)
    );
    let membership = study
        .ctx
        .sql(&format!(
            "SELECT {id} AS user_id, {city} AS city, {s} AS segment, {ss} AS sub_segment, {target} AS churn \
             FROM {base} WHERE {s} IS NOT NULL",
            id = ident(&config.columns.id),
            city = ident(&config.columns.city),
            s = ident(SEGMENT_COL),
            ss = ident(SUB_SEGMENT_COL),
        ))
        .await?;

    // long form: one row per (row, segment it belongs to at any level)
    let mut cols: Vec<String> = vec![config.columns.city.clone(), config.columns.target.clone()];
    for (c, _) in &study.features {
        if !cols.contains(c) {
            cols.push(c.clone());
        }
    }
    let col_list = cols.iter().map(|c| ident(c)).collect::<Vec<_>>().join(", ");
    let long = format!(
        "(SELECT {s} AS {sid}, {col_list} FROM {base} WHERE {s} IS NOT NULL \
         UNION ALL SELECT {ss} AS {sid}, {col_list} FROM {base} WHERE {ss} IS NOT NULL)",
        s = ident(SEGMENT_COL),
        ss = ident(SUB_SEGMENT_COL),
        sid = ident(SID)
    );
    let sid = ident(SID);
    let city = ident(&config.columns.city);

    // sizes of every segment and city cells
    let rows = query(
        study.ctx,
        &format!(
            "SELECT CAST({city} AS VARCHAR), {sid}, count(*), sum({ch}) FROM {long} GROUP BY 1, 2 ORDER BY 1, 2"
        ),
    )
    .await?;
    let mut city_cells = Vec::new();
    let mut totals: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for (((c, id), n), k) in rows
        .str(0)?
        .into_iter()
        .zip(rows.str(1)?)
        .zip(rows.u64(2)?)
        .zip(rows.u64(3)?)
    {
        let id = id.unwrap_or_default();
        let e = totals.entry(id.clone()).or_default();
        e.0 += n;
        e.1 += k;
        city_cells.push(CityCell {
            city: c.unwrap_or_else(|| "missing".into()),
            segment_id: id,
            size: n,
            churned: k,
        });
    }
    for s in segments.iter_mut() {
        let (n, k) = totals.get(&s.id).copied().unwrap_or((0, 0));
        s.size = n;
        s.churned = k;
    }
    let rows = query(
        study.ctx,
        &format!("SELECT DISTINCT CAST({city} AS VARCHAR) AS c FROM {t} WHERE {city} IS NOT NULL ORDER BY c"),
    )
    .await?;
    let cities: Vec<String> = rows.str(0)?.into_iter().flatten().collect();

    // numeric medians and quartiles
    let numeric: Vec<String> = study
        .features
        .iter()
        .filter(|(_, k)| *k == Kind::Numeric)
        .map(|(c, _)| c.clone())
        .collect();
    if !numeric.is_empty() {
        let aggs: Vec<String> = numeric
            .iter()
            .map(|c| {
                let x = format!("CAST({} AS DOUBLE)", ident(c));
                format!("median({x}), percentile_cont({x}, 0.25), percentile_cont({x}, 0.75)")
            })
            .collect();
        let aggs = aggs.join(", ");
        let all = query(
            study.ctx,
            &format!("SELECT {sid}, {aggs} FROM {long} GROUP BY {sid}"),
        )
        .await?;
        fill_numeric(&mut segments, &numeric, &all, None)?;
        let split = query(
            study.ctx,
            &format!("SELECT {sid}, {target}, {aggs} FROM {long} GROUP BY {sid}, {target}"),
        )
        .await?;
        fill_numeric(&mut segments, &numeric, &split, Some(1))?;
    }

    // value-count tables and level counts, by churn
    for (c, kind) in &study.features {
        let col = ident(c);
        if *kind == Kind::Numeric {
            let rows = query(
                study.ctx,
                &format!(
                    "SELECT {sid}, {target}, CAST({col} AS DOUBLE) AS v, count(*) FROM {long} \
                     WHERE {col} IS NOT NULL GROUP BY 1, 2, 3"
                ),
            )
            .await?;
            let mut pairs: BTreeMap<(String, bool), Vec<(f64, u64)>> = BTreeMap::new();
            for (((id, flag), v), n) in rows
                .str(0)?
                .into_iter()
                .zip(rows.bool(1)?)
                .zip(rows.f64(2)?)
                .zip(rows.u64(3)?)
            {
                if let (Some(id), Some(flag), Some(v)) = (id, flag, v) {
                    pairs.entry((id, flag)).or_default().push((v, n));
                }
            }
            for s in segments.iter_mut() {
                let take = |pairs: &mut BTreeMap<(String, bool), Vec<(f64, u64)>>, flag: bool| {
                    ValueCounts::from_pairs(pairs.remove(&(s.id.clone(), flag)).unwrap_or_default())
                        .unwrap_or_default()
                };
                let churned = take(&mut pairs, true);
                let retained = take(&mut pairs, false);
                s.values.insert(c.clone(), [churned, retained]);
            }
        } else {
            let rows = query(
                study.ctx,
                &format!(
                    "SELECT {sid}, {target}, CAST({col} AS VARCHAR) AS v, count(*) FROM {long} \
                     WHERE {col} IS NOT NULL GROUP BY 1, 2, 3"
                ),
            )
            .await?;
            for (((id, flag), v), n) in rows
                .str(0)?
                .into_iter()
                .zip(rows.bool(1)?)
                .zip(rows.str(2)?)
                .zip(rows.u64(3)?)
            {
                if let (Some(id), Some(flag), Some(v)) = (id, flag, v)
                    && let Some(s) = segments.iter_mut().find(|s| s.id == id)
                {
                    let e = s.levels.entry(c.clone()).or_default().entry(v).or_default();
                    e[if flag { 0 } else { 1 }] += n;
                }
            }
        }
    }

    let bank_rate = study.bank_rate();
    for s in segments.iter_mut() {
        test_segment(study, s);
        describe_segment(study, s, bank_rate);
    }

    Ok(SegOutput {
        segments,
        exclusions,
        membership,
        cities,
        city_cells,
        notes,
        base,
        predicates,
        bank_rate,
        bank_rows: study.rows,
    })
}

fn fill_numeric(
    segments: &mut [SegStats],
    numeric: &[String],
    rows: &super::sql::Rows,
    churn_col: Option<usize>,
) -> Result<()> {
    let ids = rows.str(0)?;
    let flags = match churn_col {
        Some(i) => rows.bool(i)?,
        None => vec![None; rows.len()],
    };
    let first = if churn_col.is_some() { 2 } else { 1 };
    let mut cols = Vec::new();
    for i in 0..numeric.len() * 3 {
        cols.push(rows.f64(first + i)?);
    }
    for (r, id) in ids.iter().enumerate() {
        let Some(s) = id
            .as_ref()
            .and_then(|id| segments.iter_mut().find(|s| &s.id == id))
        else {
            continue;
        };
        let slot = match (churn_col, flags[r]) {
            (None, _) => 0,
            (Some(_), Some(true)) => 1,
            (Some(_), Some(false)) => 2,
            (Some(_), None) => continue,
        };
        for (j, c) in numeric.iter().enumerate() {
            let e = s.numeric.entry(c.clone()).or_default();
            e.median[slot] = cols[3 * j][r];
            e.p25[slot] = cols[3 * j + 1][r];
            e.p75[slot] = cols[3 * j + 2][r];
        }
    }
    Ok(())
}

/// Churned-vs-retained test of one column from aggregated data: Mann–Whitney for numeric
/// columns, chi-square (Fisher's exact test for a sparse 2×2 table) for the others.
pub fn churn_test(
    values: Option<&[ValueCounts; 2]>,
    levels: Option<&BTreeMap<String, [u64; 2]>>,
) -> Option<(String, f64)> {
    if let Some([c, r]) = values {
        if c.is_empty() || r.is_empty() {
            return None;
        }
        let t = bankseg_stats::mann_whitney_u_counts(c, r, bankseg_stats::Alternative::TwoSided)
            .ok()?;
        return Some((t.test.to_string(), t.p_value));
    }
    let levels = levels?;
    let rows: Vec<Vec<u64>> = levels.values().map(|l| vec![l[0], l[1]]).collect();
    let table = ContingencyTable::from_rows(&rows).ok()?.without_empty()?;
    if table.rows() < 2 || table.cols() < 2 {
        return None;
    }
    if table.rows() == 2 && table.cols() == 2 {
        let n = table.total() as f64;
        let rs = table.row_sums();
        let cs = table.col_sums();
        let min_expected = rs
            .iter()
            .flat_map(|r| cs.iter().map(move |c| *r as f64 * *c as f64 / n))
            .fold(f64::INFINITY, f64::min);
        if min_expected < 5.0 {
            let t = bankseg_stats::fisher_exact(
                [
                    [table.get(0, 0), table.get(0, 1)],
                    [table.get(1, 0), table.get(1, 1)],
                ],
                bankseg_stats::Alternative::TwoSided,
            )
            .ok()?;
            return Some((t.test.to_string(), t.p_value));
        }
    }
    let t = bankseg_stats::chi2_contingency(&table, true).ok()?;
    Some((t.test.to_string(), t.p_value))
}

fn test_segment(study: &Study<'_>, s: &mut SegStats) {
    let mut names = Vec::new();
    let mut ps = Vec::new();
    for (c, _) in &study.features {
        let r = churn_test(s.values.get(c), s.levels.get(c));
        let (test, p) = match r {
            Some((t, p)) => (t, Some(p)),
            None => (String::new(), None),
        };
        names.push(c.clone());
        ps.push(p.unwrap_or(f64::NAN));
        s.tests.insert(
            c.clone(),
            ColTest {
                test,
                p,
                p_adj: None,
                significant: false,
            },
        );
    }
    let adjusted = match super::config::adjust_method(&study.config.adjust) {
        Some(m) => bankseg_stats::adjust(&ps, m),
        None => ps.clone(),
    };
    for (c, a) in names.iter().zip(adjusted) {
        if let Some(t) = s.tests.get_mut(c)
            && a.is_finite()
        {
            t.p_adj = Some(a);
            t.significant = a < study.config.alpha;
        }
    }
}

fn level_order(levels: &BTreeMap<String, [u64; 2]>) -> Vec<String> {
    let mut v: Vec<(&String, u64)> = levels.iter().map(|(l, c)| (l, c[0] + c[1])).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.into_iter().map(|(l, _)| l.clone()).collect()
}

fn describe_segment(study: &Study<'_>, s: &mut SegStats, bank_rate: f64) {
    let mut features = Vec::new();
    let mut typical = Vec::new();
    let mut differs = Vec::new();
    for (c, kind) in &study.features {
        let l = study.label(c);
        let test = s.tests.get(c).cloned().unwrap_or_default();
        let stat = |value, churned, retained, level: String| FeatureStat {
            column: c.clone(),
            kind: kind.name().into(),
            value,
            churned,
            retained,
            level,
            test: test.test.clone(),
            p_value: test.p,
            p_adjusted: test.p_adj,
            significant: test.significant,
        };
        match kind {
            Kind::Numeric => {
                let ns = s.numeric.get(c).cloned().unwrap_or_default();
                features.push(stat(
                    ns.median[0],
                    ns.median[1],
                    ns.median[2],
                    String::new(),
                ));
                // a column constant inside the segment (e.g. the one that defines it) says nothing
                let constant = s
                    .values
                    .get(c)
                    .is_some_and(|[a, b]| a.merge(b).values().len() <= 1);
                if !constant
                    && let (Some(a), Some(b), Some(m)) = (ns.p25[0], ns.p75[0], ns.median[0])
                {
                    typical.push(loc(
                        format!(
                            "{} {}–{} (медиана {})",
                            l.ru,
                            num(a, Ru),
                            num(b, Ru),
                            num(m, Ru)
                        ),
                        format!(
                            "{} {}–{} (median {})",
                            l.en,
                            num(a, En),
                            num(b, En),
                            num(m, En)
                        ),
                    ));
                }
                if test.significant
                    && let (Some(a), Some(b)) = (ns.median[1], ns.median[2])
                {
                    differs.push(median_comparison(&l, a, b));
                }
            }
            _ => {
                let Some(levels) = s.levels.get(c).cloned() else {
                    continue;
                };
                let order = if *kind == Kind::Boolean {
                    vec!["true".to_string()]
                } else {
                    level_order(&levels)
                };
                for lvl in &order {
                    features.push(stat(
                        s.share(c, lvl, 0),
                        s.share(c, lvl, 1),
                        s.share(c, lvl, 2),
                        lvl.clone(),
                    ));
                }
                let top = if *kind == Kind::Boolean {
                    "true".to_string()
                } else {
                    order.first().cloned().unwrap_or_default()
                };
                if let Some(v) = s.share(c, &top, 0) {
                    if *kind == Kind::Boolean {
                        typical.push(loc(
                            format!("{}: {}", l.ru, pct(v, Ru)),
                            format!("{}: {}", l.en, pct(v, En)),
                        ));
                    } else {
                        let name = study.config.level_name(c, &top);
                        typical.push(loc(
                            format!("{}: чаще {} ({})", l.ru, name.ru, pct(v, Ru)),
                            format!("{}: mostly {} ({})", l.en, name.en, pct(v, En)),
                        ));
                    }
                }
                if test.significant {
                    // the level whose share differs most between churned and retained
                    let best = order
                        .iter()
                        .filter_map(|lvl| Some((lvl, s.share(c, lvl, 1)?, s.share(c, lvl, 2)?)))
                        .max_by(|a, b| (a.1 - a.2).abs().total_cmp(&(b.1 - b.2).abs()));
                    if let Some((lvl, a, b)) = best {
                        let name = if *kind == Kind::Boolean {
                            Text::new(l.ru.clone(), l.en.clone())
                        } else {
                            study.config.level_phrase(c, lvl)
                        };
                        differs.push(loc(
                            format!("{}: {} против {}", name.ru, pct(a, Ru), pct(b, Ru)),
                            format!("{}: {} vs {}", name.en, pct(a, En), pct(b, En)),
                        ));
                    }
                }
            }
        }
    }
    s.features = features;
    let rate = s.rate();
    let bank_share = if study.rows == 0 {
        0.0
    } else {
        s.size as f64 / study.rows as f64
    };
    let typical = join(&typical, "; ");
    s.portrait = loc(
        format!(
            "{} клиентов ({} банка), отток {} при {} по банку. Типичный клиент: {}.",
            int(s.size, Ru),
            pct(bank_share, Ru),
            pct(rate, Ru),
            pct(bank_rate, Ru),
            typical.ru
        ),
        format!(
            "{} customers ({} of the bank), churn {} vs {} for the bank. Typical customer: {}.",
            int(s.size, En),
            pct(bank_share, En),
            pct(rate, En),
            pct(bank_rate, En),
            typical.en
        ),
    );
    let alpha = study.config.alpha;
    s.churner_portrait = if s.churned == 0 {
        loc(
            "В сегменте нет ушедших клиентов.",
            "No customer of the segment left.",
        )
    } else if differs.is_empty() {
        loc(
            format!(
                "Ушли {} клиентов ({}); ни один признак не отличает их от оставшихся значимо (α = {}).",
                int(s.churned, Ru),
                pct(rate, Ru),
                num(alpha, Ru)
            ),
            format!(
                "{} customers left ({}); no feature separates them from those who stay significantly (α = {}).",
                int(s.churned, En),
                pct(rate, En),
                num(alpha, En)
            ),
        )
    } else {
        let d = join(&differs, "; ");
        loc(
            format!(
                "Ушли {} клиентов ({}). По сравнению с оставшимися (различия значимы при α = {} с поправкой): {}.",
                int(s.churned, Ru),
                pct(rate, Ru),
                num(alpha, Ru),
                d.ru
            ),
            format!(
                "{} customers left ({}). Compared with those who stay (differences significant at α = {} after adjustment): {}.",
                int(s.churned, En),
                pct(rate, En),
                num(alpha, En),
                d.en
            ),
        )
    };
}
