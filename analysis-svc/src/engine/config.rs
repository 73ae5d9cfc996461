//! Analysis configuration (TOML): columns, profile, alerts, segmentation, slices, hypotheses and
//! recommendation rules. The embedded defaults (`config/default.toml` and
//! `config/recommendations.toml`) reproduce the original churn study; `docs/analysis-config.md`
//! documents every key.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::error::{Error, Result};

/// The study configuration embedded in the binary.
pub const DEFAULT_CONFIG_TOML: &str = include_str!("../../config/default.toml");
/// The recommendation rule file embedded in the binary.
pub const DEFAULT_RULES_TOML: &str = include_str!("../../config/recommendations.toml");

/// Text in Russian and English.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Russian.
    pub ru: String,
    /// English.
    pub en: String,
}

impl Text {
    /// Builds a text from both languages.
    pub fn new(ru: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            ru: ru.into(),
            en: en.into(),
        }
    }
}

/// A literal value in a condition: boolean, integer, float or string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Literal {
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string (category level).
    Str(String),
}

impl Literal {
    /// The literal as SQL.
    pub fn sql(&self) -> String {
        match self {
            Literal::Bool(b) => b.to_string(),
            Literal::Int(i) => i.to_string(),
            Literal::Float(f) => format!("{f:?}"),
            Literal::Str(s) => format!("'{}'", s.replace('\'', "''")),
        }
    }

    /// The literal as shown to readers and as stored in category labels.
    pub fn label(&self) -> String {
        match self {
            Literal::Bool(b) => b.to_string(),
            Literal::Int(i) => i.to_string(),
            Literal::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => (*f as i64).to_string(),
            Literal::Float(f) => f.to_string(),
            Literal::Str(s) => s.clone(),
        }
    }
}

/// One condition on a column; all given constraints must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Column of the clean table.
    pub column: String,
    /// The value is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Literal>>,
    /// Lower bound, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Upper bound, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Upper bound, exclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<f64>,
    /// `true`: the value is missing; `false`: it is present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_null: Option<bool>,
}

/// Column roles and labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnsConfig {
    /// Boolean target column (true = left the bank).
    pub target: String,
    /// Customer id column.
    pub id: String,
    /// City column (for the dashboard's city cells).
    pub city: String,
    /// Numeric features.
    #[serde(default)]
    pub numeric: Vec<String>,
    /// Categorical features.
    #[serde(default)]
    pub categorical: Vec<String>,
    /// Boolean features.
    #[serde(default)]
    pub boolean: Vec<String>,
    /// Reader-facing names of columns.
    #[serde(default)]
    pub labels: BTreeMap<String, Text>,
    /// Reader-facing names of category and boolean levels, per column
    /// (`[columns.levels.gender]` `"Ж" = { ru = "женщины", en = "women" }`).
    #[serde(default)]
    pub levels: BTreeMap<String, BTreeMap<String, Text>>,
    /// Display names of data values, per column and language, for generated sentences
    /// (`[columns.values.city]` `"Ярославль" = { en = "Yaroslavl" }`); a language left out shows
    /// the value as it is. The data (cities, city cells, membership, labels) keep the values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, BTreeMap<String, ValueLabel>>,
}

/// Display name of one data value; either language may be left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueLabel {
    /// Russian.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ru: Option<String>,
    /// English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

/// Profile and churn-by-feature settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// Equal-width histogram bins per numeric column.
    pub histogram_bins: usize,
    /// Most frequent values listed per column.
    pub top_values: usize,
    /// Numeric columns with at most this many distinct values are treated as categories.
    pub max_levels: usize,
    /// Quantile bins for churn rates of other numeric columns.
    pub quantile_bins: usize,
    /// Explicit bin edges per numeric column.
    #[serde(default)]
    pub bin_edges: BTreeMap<String, Vec<f64>>,
}

/// Alert thresholds (in the spirit of ydata-profiling).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertConfig {
    /// Share of missing values above which a column is flagged.
    pub missing_share: f64,
    /// Absolute skewness above which a column is flagged.
    pub abs_skewness: f64,
    /// Absolute correlation (Pearson, Spearman or phi_K) above which a pair is flagged.
    pub correlation: f64,
    /// Imbalance (1 - normalised entropy) above which a categorical column is flagged.
    pub imbalance: f64,
    /// Share of zeros above which a numeric column is flagged.
    pub zeros_share: f64,
}

/// Rows left out of every segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExcludeDef {
    /// Short name of the excluded rows, e.g. "products = 0".
    pub what: String,
    /// Conditions (all must hold).
    pub conditions: Vec<Condition>,
    /// Why they are excluded.
    pub reason: Text,
}

/// A top-level segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentDef {
    /// Segment id (letters, digits, `_`).
    pub id: String,
    /// Reader-facing name.
    pub name: Text,
    /// Conditions (all must hold). Rows matching several segments go to the first one.
    pub conditions: Vec<Condition>,
}

/// A band of a numeric column, inclusive on both ends; open when a bound is absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Lower bound, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Upper bound, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

/// Split of one segment into sub-segments by bands of a column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitDef {
    /// Segment id to split, or `"largest"`.
    pub parent: String,
    /// Numeric column.
    pub column: String,
    /// Reader-facing name of the column in sub-segment names (defaults to the column label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<Text>,
    /// Bands, in order.
    pub bands: Vec<Band>,
}

/// Segmentation rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentationConfig {
    /// Exclusions.
    #[serde(default)]
    pub exclude: Vec<ExcludeDef>,
    /// Top-level segments.
    pub segments: Vec<SegmentDef>,
    /// Sub-segment splits.
    #[serde(default)]
    pub splits: Vec<SplitDef>,
}

/// High-churn slice search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SliceConfig {
    /// Whether to search.
    pub enabled: bool,
    /// Features searched; empty: every configured feature.
    #[serde(default)]
    pub columns: Vec<String>,
    /// Smallest slice kept.
    pub min_size: u64,
    /// Smallest churn rate relative to the bank's.
    pub min_lift: f64,
    /// A pair must beat both of its single-feature slices' churn by this factor.
    pub pair_gain: f64,
    /// How many slices to report.
    pub top: usize,
}

/// A group of rows compared in a hypothesis.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupDef {
    /// A segment or sub-segment id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// Or conditions (all must hold).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// Reader-facing name (defaults to the segment name or the conditions in words).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
}

/// One configured hypothesis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HypothesisDef {
    /// Id.
    pub id: String,
    /// Compared column.
    pub column: String,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    /// Two or more groups.
    pub groups: Vec<GroupDef>,
}

/// Hypothesis battery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HypothesesConfig {
    /// Adds churned-vs-retained for every configured feature.
    #[serde(default)]
    pub churned_vs_retained: bool,
    /// Configured hypotheses.
    #[serde(default)]
    pub tests: Vec<HypothesisDef>,
}

/// Which segments recommendation rules are checked against.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Top-level segments.
    #[default]
    Segments,
    /// Sub-segments only.
    SubSegments,
    /// Both.
    All,
}

/// Population of a segment a fact looks at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Population {
    /// Every customer of the segment.
    #[default]
    All,
    /// Churned customers.
    Churned,
    /// Retained customers.
    Retained,
}

/// Portrait metric a fact tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Share of rows where `column = level`.
    Share,
    /// Median of `column`.
    Median,
    /// Median among churned minus median among retained.
    MedianDiff,
    /// Share among churned minus share among retained.
    ShareDiff,
    /// Churn rate of the segment.
    ChurnRate,
    /// Churn rate over the bank's.
    Lift,
    /// Number of customers.
    Size,
}

/// Comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// Greater than.
    #[serde(rename = ">")]
    Gt,
    /// Greater or equal.
    #[serde(rename = ">=")]
    Ge,
    /// Less than.
    #[serde(rename = "<")]
    Lt,
    /// Less or equal.
    #[serde(rename = "<=")]
    Le,
    /// Equal.
    #[serde(rename = "==")]
    Eq,
}

impl Op {
    /// Applies the operator.
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Op::Gt => a > b,
            Op::Ge => a >= b,
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Eq => a == b,
        }
    }

    /// The operator as text.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Gt => ">",
            Op::Ge => "≥",
            Op::Lt => "<",
            Op::Le => "≤",
            Op::Eq => "=",
        }
    }
}

/// A portrait fact: `metric(column[, level], population) op value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// Metric.
    pub metric: Metric,
    /// Column (not needed for churn_rate, lift, size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Level for share metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Literal>,
    /// Population.
    #[serde(default)]
    pub population: Population,
    /// Operator.
    pub op: Op,
    /// Threshold.
    pub value: f64,
    /// Also require the churned-vs-retained test of the column inside the segment to be
    /// significant.
    #[serde(default)]
    pub significant: bool,
}

/// A recommendation rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// Rule id (also the recommendation kind).
    pub id: String,
    /// Short title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    /// Overrides the file's scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Action recommended.
    pub action: Text,
    /// Facts; all must hold.
    pub when: Vec<Fact>,
}

/// Recommendation rule file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecommendationConfig {
    /// Default scope of the rules.
    #[serde(default)]
    pub scope: Scope,
    /// Rules.
    #[serde(default)]
    pub rules: Vec<RuleDef>,
}

impl RecommendationConfig {
    /// Parses a rule file.
    pub fn from_toml(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| Error::Config(format!("recommendation rules: {e}")))
    }

    /// The embedded default rule file.
    pub fn study_default() -> Self {
        // the embedded file is checked by the crate's tests
        Self::from_toml(DEFAULT_RULES_TOML).unwrap_or(Self {
            scope: Scope::Segments,
            rules: Vec::new(),
        })
    }
}

/// The whole analysis configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisConfig {
    /// Significance level.
    pub alpha: f64,
    /// Multiple-testing correction over the hypothesis battery.
    #[serde(default = "default_adjust")]
    pub adjust: String,
    /// Columns.
    pub columns: ColumnsConfig,
    /// Profile settings.
    pub profile: ProfileConfig,
    /// Alert thresholds.
    pub alerts: AlertConfig,
    /// Segmentation.
    pub segmentation: SegmentationConfig,
    /// Slice search.
    pub slices: SliceConfig,
    /// Hypotheses.
    pub hypotheses: HypothesesConfig,
    /// Recommendation rules; absent: the default rule file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendations: Option<RecommendationConfig>,
}

fn default_adjust() -> String {
    "holm".into()
}

impl AnalysisConfig {
    /// Parses and validates a configuration. Errors name the TOML location.
    pub fn from_toml(text: &str) -> Result<Self> {
        let config: Self = toml::from_str(text).map_err(|e| Error::Config(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// The embedded study configuration (`config/default.toml` + `config/recommendations.toml`).
    pub fn study_default() -> Self {
        let mut config: Self = match toml::from_str(DEFAULT_CONFIG_TOML) {
            Ok(c) => c,
            // the embedded file is checked by the crate's tests; never reached in a release
            Err(e) => panic!("embedded config/default.toml is invalid: {e}"),
        };
        config.recommendations = Some(RecommendationConfig::study_default());
        config
    }

    /// The configuration as TOML (with the effective recommendation rules).
    pub fn to_toml(&self) -> String {
        let mut full = self.clone();
        if full.recommendations.is_none() {
            full.recommendations = Some(RecommendationConfig::study_default());
        }
        toml::to_string(&full).unwrap_or_else(|e| format!("# not serializable: {e}\n"))
    }

    /// The effective recommendation rules.
    pub fn rules(&self) -> RecommendationConfig {
        self.recommendations
            .clone()
            .unwrap_or_else(RecommendationConfig::study_default)
    }

    /// Every configured feature with its kind, in order numeric, boolean, categorical.
    pub fn features(&self) -> Vec<(String, Kind)> {
        let c = &self.columns;
        c.numeric
            .iter()
            .map(|n| (n.clone(), Kind::Numeric))
            .chain(c.boolean.iter().map(|n| (n.clone(), Kind::Boolean)))
            .chain(c.categorical.iter().map(|n| (n.clone(), Kind::Categorical)))
            .collect()
    }

    /// Reader-facing label of a column.
    pub fn label(&self, column: &str) -> Text {
        self.columns
            .labels
            .get(column)
            .cloned()
            .unwrap_or_else(|| Text::new(column, column))
    }

    /// Words for "`column` = `level`": the configured level name, else `label = value` with the
    /// value's display name ([`Self::value_name`]).
    pub fn level_phrase(&self, column: &str, level: &str) -> Text {
        match self.columns.levels.get(column).and_then(|l| l.get(level)) {
            Some(t) => t.clone(),
            None => {
                let l = self.label(column);
                let v = self.value_name(column, level);
                Text::new(
                    format!("{} = {}", l.ru, v.ru),
                    format!("{} = {}", l.en, v.en),
                )
            }
        }
    }

    /// Name of a level: the configured one, else the value's display name.
    pub fn level_name(&self, column: &str, level: &str) -> Text {
        self.columns
            .levels
            .get(column)
            .and_then(|l| l.get(level))
            .cloned()
            .unwrap_or_else(|| self.value_name(column, level))
    }

    /// Display name of a data value in each language (`[columns.values]`), else the value itself.
    pub fn value_name(&self, column: &str, value: &str) -> Text {
        let label = self.columns.values.get(column).and_then(|v| v.get(value));
        let pick = |name: Option<&String>| name.cloned().unwrap_or_else(|| value.to_string());
        Text::new(
            pick(label.and_then(|l| l.ru.as_ref())),
            pick(label.and_then(|l| l.en.as_ref())),
        )
    }

    fn validate(&self) -> Result<()> {
        let bad = |path: &str, msg: String| Err(Error::Config(format!("{path}: {msg}")));
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return bad(
                "alpha",
                format!("expected a number in (0, 1), got {}", self.alpha),
            );
        }
        if adjust_method(&self.adjust).is_none() && self.adjust != "none" {
            return bad(
                "adjust",
                format!(
                    "expected \"holm\", \"bonferroni\", \"fdr_bh\" or \"none\", got {:?}",
                    self.adjust
                ),
            );
        }
        let p = &self.profile;
        if p.histogram_bins == 0 || p.quantile_bins == 0 {
            return bad(
                "profile",
                "histogram_bins and quantile_bins must be at least 1".into(),
            );
        }
        for (col, edges) in &p.bin_edges {
            if edges.is_empty() || edges.windows(2).any(|w| w[0] >= w[1]) {
                return bad(
                    &format!("profile.bin_edges.{col}"),
                    "expected a non-empty increasing list of edges".into(),
                );
            }
        }
        let seg = &self.segmentation;
        if seg.segments.is_empty() {
            return bad(
                "segmentation.segments",
                "expected at least one segment".into(),
            );
        }
        let mut ids = BTreeSet::new();
        for (i, s) in seg.segments.iter().enumerate() {
            let path = format!("segmentation.segments[{i}]");
            if s.id.is_empty()
                || !s
                    .id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return bad(
                    &format!("{path}.id"),
                    format!("expected letters, digits, '_' or '-', got {:?}", s.id),
                );
            }
            if !ids.insert(s.id.clone()) {
                return bad(
                    &format!("{path}.id"),
                    format!("duplicate segment id {:?}", s.id),
                );
            }
            check_conditions(&path, &s.conditions)?;
        }
        for (i, e) in seg.exclude.iter().enumerate() {
            check_conditions(&format!("segmentation.exclude[{i}]"), &e.conditions)?;
        }
        for (i, s) in seg.splits.iter().enumerate() {
            let path = format!("segmentation.splits[{i}]");
            if s.parent != "largest" && !ids.contains(&s.parent) {
                return bad(
                    &format!("{path}.parent"),
                    format!("expected \"largest\" or a segment id, got {:?}", s.parent),
                );
            }
            if s.bands.is_empty() {
                return bad(
                    &format!("{path}.bands"),
                    "expected at least one band".into(),
                );
            }
            for (j, b) in s.bands.iter().enumerate() {
                if b.min.is_none() && b.max.is_none() {
                    return bad(
                        &format!("{path}.bands[{j}]"),
                        "expected min, max or both".into(),
                    );
                }
            }
        }
        let sl = &self.slices;
        if sl.min_lift <= 0.0 || sl.pair_gain <= 0.0 {
            return bad("slices", "min_lift and pair_gain must be positive".into());
        }
        let mut hyp_ids = BTreeSet::new();
        for (i, h) in self.hypotheses.tests.iter().enumerate() {
            let path = format!("hypotheses.tests[{i}]");
            if !hyp_ids.insert(h.id.clone()) {
                return bad(&format!("{path}.id"), format!("duplicate id {:?}", h.id));
            }
            if h.groups.len() < 2 {
                return bad(
                    &format!("{path}.groups"),
                    "expected at least two groups".into(),
                );
            }
            for (j, g) in h.groups.iter().enumerate() {
                let gp = format!("{path}.groups[{j}]");
                if g.segment.is_none() == g.conditions.is_empty() {
                    return bad(&gp, "expected either segment or conditions".into());
                }
                check_conditions(&gp, &g.conditions)?;
            }
        }
        if let Some(r) = &self.recommendations {
            for (i, rule) in r.rules.iter().enumerate() {
                let path = format!("recommendations.rules[{i}]");
                for (j, f) in rule.when.iter().enumerate() {
                    let needs_col =
                        !matches!(f.metric, Metric::ChurnRate | Metric::Lift | Metric::Size);
                    if needs_col && f.column.is_none() {
                        return bad(
                            &format!("{path}.when[{j}].column"),
                            "expected a column for this metric".into(),
                        );
                    }
                    if matches!(f.metric, Metric::Share | Metric::ShareDiff) && f.level.is_none() {
                        return bad(
                            &format!("{path}.when[{j}].level"),
                            "expected a level for a share".into(),
                        );
                    }
                }
            }
        }
        Ok(())
    }
}

/// Maps a configured correction name to the statistics core's method.
pub fn adjust_method(name: &str) -> Option<bankseg_stats::Adjust> {
    match name {
        "holm" => Some(bankseg_stats::Adjust::Holm),
        "bonferroni" => Some(bankseg_stats::Adjust::Bonferroni),
        "fdr_bh" => Some(bankseg_stats::Adjust::BenjaminiHochberg),
        _ => None,
    }
}

fn check_conditions(path: &str, conditions: &[Condition]) -> Result<()> {
    for (i, c) in conditions.iter().enumerate() {
        if c.values.is_none()
            && c.min.is_none()
            && c.max.is_none()
            && c.below.is_none()
            && c.is_null.is_none()
        {
            return Err(Error::Config(format!(
                "{path}.conditions[{i}]: expected values, min, max, below or is_null for column {:?}",
                c.column
            )));
        }
        if c.column.is_empty() {
            return Err(Error::Config(format!(
                "{path}.conditions[{i}].column: expected a column name"
            )));
        }
    }
    Ok(())
}

/// Kind of a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Numeric.
    Numeric,
    /// Boolean.
    Boolean,
    /// Categorical.
    Categorical,
}

impl Kind {
    /// Name used in the result ("numeric", "boolean", "categorical").
    pub fn name(self) -> &'static str {
        match self {
            Kind::Numeric => "numeric",
            Kind::Boolean => "boolean",
            Kind::Categorical => "categorical",
        }
    }
}
