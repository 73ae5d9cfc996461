//! The churn-segmentation study as an engine: it runs DataFusion plans over the clean customer
//! table registered in a [`SessionContext`] and fills an
//! [`AnalysisResult`].
//!
//! Stages, all driven by an [`AnalysisConfig`] (TOML):
//!
//! - profile: per-column statistics, histograms (overall / churned / retained), churn rate per
//!   category or bin with Wilson intervals, feature ranking, alerts;
//! - correlations: Pearson, Spearman and phi_K matrices from the statistics core;
//! - segmentation: segments and sub-segments from configured conditions, portraits with
//!   churned-vs-retained tests, city cells and the membership table;
//! - high-churn slices over single features and pairs;
//! - the hypothesis battery with test choice, companions, Holm adjustment and verdicts;
//! - recommendations from a rule file over portrait facts.
//!
//! Table-wide work is aggregation in SQL; only aggregated tables (counts, value-count tables,
//! contingency tables) reach Rust.

pub mod config;
mod correlation;
pub mod error;
mod hypotheses;
pub mod output;
mod profile;
mod recommend;
mod segments;
mod slices;
mod sql;
pub mod text;

use arrow::datatypes::DataType;
use bankseg_proto::analysis::v1::{AnalysisResult, Exclusion, Overview};
use bankseg_proto::common::v1::{LocalizedText, Proportion};
use bankseg_proto::ingest::v1::QualityReport;
use datafusion::prelude::SessionContext;

pub use config::{AnalysisConfig, Kind, RecommendationConfig, Text};
pub use error::{Error, Result};

use sql::ident;
use text::loc;

/// Everything one analysis produces.
pub struct EngineOutput {
    /// The study (everything except `analysis_id` and `created_at`, which the service fills).
    pub result: AnalysisResult,
    /// Segment membership: user_id, city, segment, sub_segment, churn (a lazy plan).
    pub membership: datafusion::dataframe::DataFrame,
    /// One row per segment × feature (portrait statistics and tests).
    pub portraits: arrow::record_batch::RecordBatch,
    /// One row per hypothesis test.
    pub hypotheses: arrow::record_batch::RecordBatch,
}

impl std::fmt::Debug for EngineOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineOutput")
            .field("segments", &self.result.segments.len())
            .field("portraits", &self.portraits.num_rows())
            .field("hypotheses", &self.hypotheses.num_rows())
            .finish()
    }
}

/// Shared state of one run.
pub(crate) struct Study<'a> {
    pub ctx: &'a SessionContext,
    /// Quoted table reference.
    pub table: String,
    pub table_name: String,
    pub config: &'a AnalysisConfig,
    /// Configured features present in the table.
    pub features: Vec<(String, Kind)>,
    /// Data types of the table's columns.
    pub types: std::collections::BTreeMap<String, DataType>,
    pub rows: u64,
    pub churned: u64,
    pub notes: Vec<LocalizedText>,
}

impl Study<'_> {
    /// Bank churn rate.
    pub fn bank_rate(&self) -> f64 {
        if self.rows == 0 {
            0.0
        } else {
            self.churned as f64 / self.rows as f64
        }
    }

    /// SQL expression: 1 for churned rows, else 0.
    pub fn churn_int(&self) -> String {
        format!(
            "CASE WHEN {} THEN 1 ELSE 0 END",
            ident(&self.config.columns.target)
        )
    }

    /// Reader-facing label of a column.
    pub fn label(&self, column: &str) -> Text {
        self.config.label(column)
    }

    /// Kind of a column: configured, else from its type.
    pub fn kind_of(&self, column: &str) -> Kind {
        if let Some((_, k)) = self.features.iter().find(|(c, _)| c == column) {
            return *k;
        }
        match self.types.get(column) {
            Some(DataType::Boolean) => Kind::Boolean,
            Some(t) if t.is_numeric() => Kind::Numeric,
            _ => Kind::Categorical,
        }
    }

    /// Fails when `column` is not in the table.
    pub fn require(&self, column: &str, why: &str) -> Result<()> {
        if self.types.contains_key(column) {
            Ok(())
        } else {
            Err(Error::MissingColumn {
                table: self.table_name.clone(),
                column: column.to_string(),
                problem: format!("is missing (needed by {why})"),
            })
        }
    }
}

/// A proportion with its 95% Wilson interval.
pub(crate) fn proportion(successes: u64, total: u64) -> Proportion {
    let (ci_low, ci_high) = bankseg_stats::wilson_interval(successes, total, 1.959_963_984_540_054);
    Proportion {
        successes,
        total,
        rate: if total == 0 {
            0.0
        } else {
            successes as f64 / total as f64
        },
        ci_low,
        ci_high,
    }
}

/// Runs the study over the registered table `table` (the canonical clean table).
pub async fn analyze(
    ctx: &SessionContext,
    table: &str,
    quality: QualityReport,
    config: &AnalysisConfig,
) -> Result<EngineOutput> {
    let df = ctx.table(table).await?;
    let types: std::collections::BTreeMap<String, DataType> = df
        .schema()
        .fields()
        .iter()
        .map(|f| (f.name().clone(), f.data_type().clone()))
        .collect();
    let mut study = Study {
        ctx,
        table: ident(table),
        table_name: table.to_string(),
        config,
        features: Vec::new(),
        types,
        rows: 0,
        churned: 0,
        notes: Vec::new(),
    };
    let cols = &config.columns;
    study.require(&cols.target, "columns.target")?;
    study.require(&cols.id, "columns.id")?;
    study.require(&cols.city, "columns.city")?;
    if study.types.get(&cols.target) != Some(&DataType::Boolean) {
        return Err(Error::MissingColumn {
            table: table.to_string(),
            column: cols.target.clone(),
            problem: "is not Boolean (expected the churn flag)".into(),
        });
    }
    for (name, kind) in config.features() {
        if study.types.contains_key(&name) {
            study.features.push((name, kind));
        } else {
            let l = study.label(&name);
            study.notes.push(loc(
                format!("Столбец {name} ({}) отсутствует в данных и пропущен", l.ru),
                format!(
                    "Column {name} ({}) is absent from the data and skipped",
                    l.en
                ),
            ));
        }
    }

    // overview
    let rows = sql::query(
        ctx,
        &format!(
            "SELECT count(*), sum({}) FROM {}",
            study.churn_int(),
            study.table
        ),
    )
    .await?;
    study.rows = rows.u64(0)?.first().copied().unwrap_or(0);
    study.churned = rows.u64(1)?.first().copied().unwrap_or(0);

    let mut clock = std::time::Instant::now();
    let mut lap = |stage: &str| {
        tracing::debug!(
            stage,
            elapsed_ms = clock.elapsed().as_millis() as u64,
            "analysis stage done"
        );
        clock = std::time::Instant::now();
    };
    let profiles = profile::profiles(&study).await?;
    let binnings = profile::binnings(&study, &profiles).await?;
    let mut feature_churn = profile::feature_churn(&study, &binnings).await?;
    lap("profile");
    let correlations = correlation::matrices(&study, &profiles).await?;
    profile::rank_features(&study, &mut feature_churn, &correlations);
    lap("correlations");
    let seg = segments::run(&mut study).await?;
    lap("segments");
    let slices = slices::search(&study, &binnings, &feature_churn).await?;
    lap("slices");
    let hyps = hypotheses::run(&mut study, &seg).await?;
    lap("hypotheses");
    let recommendations = recommend::run(&study, &seg)?;
    let alerts = profile::alerts(&study, &profiles, &correlations, &quality);
    let churners = hypotheses::bank_churners(&study, &profiles, &feature_churn, &hyps);

    let overview = Overview {
        rows: study.rows,
        churned: study.churned,
        churn: Some(proportion(study.churned, study.rows)),
        exclusions: seg
            .exclusions
            .iter()
            .map(|e| Exclusion {
                what: e.what.clone(),
                rows: e.rows,
                reason: Some(e.reason.clone()),
            })
            .collect(),
    };
    let portraits = output::portraits_batch(&seg)?;
    let hypotheses_batch = output::hypotheses_batch(&hyps)?;
    let mut notes = vec![churners];
    notes.append(&mut study.notes);
    notes.extend(seg.notes.iter().cloned());
    let result = AnalysisResult {
        schema_version: bankseg_proto::ANALYSIS_SCHEMA_VERSION,
        analysis_id: String::new(),
        dataset_id: quality.dataset_id.clone(),
        created_at: String::new(),
        quality: Some(quality),
        overview: Some(overview),
        profiles: profiles.iter().map(|p| p.proto.clone()).collect(),
        feature_churn,
        correlations,
        alerts,
        segments: seg.segments_proto(),
        slices,
        hypotheses: hyps,
        recommendations,
        cities: seg.cities.clone(),
        city_cells: seg.city_cells.clone(),
        notes,
        config_toml: config.to_toml(),
        alpha: config.alpha,
    };
    Ok(EngineOutput {
        result,
        membership: seg.membership,
        portraits,
        hypotheses: hypotheses_batch,
    })
}
