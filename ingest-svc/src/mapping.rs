//! Column mappings: how a source export's columns and values map onto the canonical customer table.
//!
//! A mapping is a TOML file with one `[columns.<canonical>]` table per canonical column:
//!
//! ```toml
//! [columns.gender]
//! source = "sex"                                  # source column name (case and spaces ignored)
//! values = { "Male" = "М", "Female" = "Ж" }        # value map (matched trimmed and lower-cased)
//! strict = true                                   # values outside the map are quarantined
//! optional = false                                # the source may lack the column altogether
//! ```
//!
//! The default mapping is the bank_scrooge layout (`mappings/bank_scrooge.toml`, embedded). Source
//! columns that no entry names pass through to the clean table untouched.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::{Error, Result};

/// The bank_scrooge mapping, built in.
pub const DEFAULT_MAPPING_TOML: &str = include_str!("../mappings/bank_scrooge.toml");

/// Mapping of the English-language example export (`mappings/english_example.toml`).
pub const ENGLISH_EXAMPLE_TOML: &str = include_str!("../mappings/english_example.toml");

/// What kind of value a canonical column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Whole number (Int64 or Int16).
    Integer,
    /// Floating-point number.
    Float,
    /// Text (categorical).
    Text,
    /// Boolean flag; source values go through a value map to `true` / `false`.
    Flag,
}

/// The canonical columns, in the clean table's order, with their kinds.
pub const CANONICAL: [(&str, Kind); 12] = [
    ("user_id", Kind::Integer),
    ("score", Kind::Float),
    ("city", Kind::Text),
    ("gender", Kind::Text),
    ("age", Kind::Integer),
    ("equity", Kind::Integer),
    ("balance", Kind::Float),
    ("products", Kind::Integer),
    ("credit_card", Kind::Flag),
    ("last_activity", Kind::Flag),
    ("est_salary", Kind::Float),
    ("churn", Kind::Flag),
];

/// Source spellings of flags accepted when a flag column's mapping has no `values` table.
const DEFAULT_FLAG_VALUES: [(&str, bool); 12] = [
    ("1", true),
    ("0", false),
    ("1.0", true),
    ("0.0", false),
    ("true", true),
    ("false", false),
    ("t", true),
    ("f", false),
    ("yes", true),
    ("no", false),
    ("y", true),
    ("n", false),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    name: Option<String>,
    #[allow(dead_code)] // documentation for readers of the file
    description: Option<String>,
    columns: BTreeMap<String, ColumnSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnSpec {
    source: String,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    values: BTreeMap<String, toml::Value>,
    strict: Option<bool>,
}

/// How one canonical column is read from the source.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnMap {
    /// Canonical name.
    pub canonical: &'static str,
    /// Kind of value.
    pub kind: Kind,
    /// Source column name as written in the mapping.
    pub source: String,
    /// Whether the source may lack the column.
    pub optional: bool,
    /// Value map: lower-cased trimmed source value → canonical value (`true`/`false` for flags).
    pub values: Vec<(String, String)>,
    /// Whether values outside the map are quarantined (always for flags).
    pub strict: bool,
}

/// A parsed, validated mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    /// Name of the layout.
    pub name: String,
    /// One entry per canonical column, in [`CANONICAL`] order.
    pub columns: Vec<ColumnMap>,
}

impl Mapping {
    /// The built-in bank_scrooge mapping.
    pub fn default_mapping() -> Result<Self> {
        Self::parse(DEFAULT_MAPPING_TOML)
    }

    /// Parses and validates mapping TOML.
    pub fn parse(text: &str) -> Result<Self> {
        let file: MappingFile = toml::from_str(text).map_err(|e| {
            let message = e.message().trim().replace('\n', " ");
            match e.span() {
                Some(span) => {
                    let before = &text[..span.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                    Error::Mapping(format!("line {line}, column {column}: {message}"))
                }
                None => Error::Mapping(message),
            }
        })?;
        for name in file.columns.keys() {
            if !CANONICAL.iter().any(|(c, _)| c == name) {
                return Err(Error::Mapping(format!(
                    "unknown canonical column {name:?}; expected one of {}",
                    CANONICAL.map(|(c, _)| c).join(", ")
                )));
            }
        }
        let mut columns = Vec::with_capacity(CANONICAL.len());
        let mut seen_sources: BTreeMap<String, &str> = BTreeMap::new();
        for (canonical, kind) in CANONICAL {
            let Some(spec) = file.columns.get(canonical) else {
                return Err(Error::Mapping(format!(
                    "no [columns.{canonical}] entry; every canonical column needs a source (mark it optional = true if exports may lack it)"
                )));
            };
            let source = spec.source.trim().to_string();
            if source.is_empty() {
                return Err(Error::Mapping(format!(
                    "columns.{canonical}.source is empty"
                )));
            }
            if let Some(other) = seen_sources.insert(normalize_name(&source), canonical) {
                return Err(Error::Mapping(format!(
                    "source column {source:?} is mapped to both {other} and {canonical}"
                )));
            }
            if spec.optional && canonical == "user_id" {
                return Err(Error::Mapping("user_id cannot be optional".into()));
            }
            let mut values = Vec::with_capacity(spec.values.len());
            for (from, to) in &spec.values {
                let to = match (kind, to) {
                    (Kind::Flag, toml::Value::Boolean(b)) => b.to_string(),
                    (Kind::Flag, toml::Value::String(s))
                        if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") =>
                    {
                        s.to_ascii_lowercase()
                    }
                    (Kind::Flag, other) => {
                        return Err(Error::Mapping(format!(
                            "columns.{canonical}.values.{from:?} = {other}: expected true or false"
                        )));
                    }
                    (Kind::Text, toml::Value::String(s)) => s.clone(),
                    (Kind::Text, other) => {
                        return Err(Error::Mapping(format!(
                            "columns.{canonical}.values.{from:?} = {other}: expected a string"
                        )));
                    }
                    (Kind::Integer | Kind::Float, _) => {
                        return Err(Error::Mapping(format!(
                            "columns.{canonical}: value maps apply to text and flag columns only"
                        )));
                    }
                };
                values.push((from.trim().to_lowercase(), to));
            }
            if kind == Kind::Flag && values.is_empty() {
                values = DEFAULT_FLAG_VALUES
                    .iter()
                    .map(|(s, b)| (s.to_string(), b.to_string()))
                    .collect();
            }
            let strict = match kind {
                Kind::Flag => true,
                _ => spec.strict.unwrap_or(!values.is_empty()),
            };
            if strict && values.is_empty() {
                return Err(Error::Mapping(format!(
                    "columns.{canonical}: strict = true needs a values table"
                )));
            }
            columns.push(ColumnMap {
                canonical,
                kind,
                source,
                optional: spec.optional,
                values,
                strict,
            });
        }
        Ok(Self {
            name: file.name.unwrap_or_else(|| "custom".into()),
            columns,
        })
    }

    /// The entry of canonical column `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnMap> {
        self.columns.iter().find(|c| c.canonical == name)
    }
}

/// Header names are compared trimmed, without a byte-order mark, and lower-cased.
pub fn normalize_name(name: &str) -> String {
    name.trim_start_matches('\u{feff}').trim().to_lowercase()
}

/// Where each canonical column and pass-through column sits in one source.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Source field index of each canonical column (in [`CANONICAL`] order); `None` when an optional
    /// column is absent.
    pub positions: Vec<Option<usize>>,
    /// Pass-through columns: source field index and name as written.
    pub passthrough: Vec<(usize, String)>,
    /// Number of fields in the header.
    pub field_count: usize,
    /// Optional canonical columns the source lacks.
    pub missing_optional: Vec<&'static str>,
}

/// Names that cleaning adds to the clean table; a pass-through column may not use them.
pub fn reserved_names() -> Vec<String> {
    let mut names: Vec<String> = CANONICAL.iter().map(|(c, _)| c.to_string()).collect();
    names.extend(
        [
            "balance_missing",
            "duplicate_user_id",
            "outlier_score",
            "outlier_age",
            "outlier_balance",
            "outlier_est_salary",
            "source_line",
        ]
        .map(String::from),
    );
    names
}

impl Layout {
    /// Resolves `mapping` against a header; `describe` says where the header came from, for errors.
    pub fn resolve(mapping: &Mapping, header: &[String], describe: &str) -> Result<Self> {
        let normalized: Vec<String> = header.iter().map(|h| normalize_name(h)).collect();
        let mut positions = Vec::with_capacity(mapping.columns.len());
        let mut missing_optional = Vec::new();
        for column in &mapping.columns {
            let wanted = normalize_name(&column.source);
            let found: Vec<usize> = normalized
                .iter()
                .enumerate()
                .filter(|(_, n)| **n == wanted)
                .map(|(i, _)| i)
                .collect();
            match found.as_slice() {
                [] if column.optional => {
                    positions.push(None);
                    missing_optional.push(column.canonical);
                }
                [] => {
                    return Err(Error::MissingColumn {
                        canonical: column.canonical,
                        source_name: column.source.clone(),
                        found: describe_header(header, describe),
                    });
                }
                [one] => positions.push(Some(*one)),
                [first, second, ..] => {
                    return Err(Error::invalid(format!(
                        "{describe}: column {:?} appears twice (columns {} and {})",
                        column.source,
                        first + 1,
                        second + 1
                    )));
                }
            }
        }
        let reserved = reserved_names();
        let mut passthrough = Vec::new();
        for (i, name) in header.iter().enumerate() {
            if positions.contains(&Some(i)) {
                continue;
            }
            let clean = name.trim_start_matches('\u{feff}').trim();
            let clean = if clean.is_empty() {
                format!("column_{}", i + 1)
            } else {
                clean.to_string()
            };
            if reserved.contains(&clean) {
                return Err(Error::invalid(format!(
                    "{describe}: extra column {clean:?} (column {}) has the name of a canonical or derived column; rename it or map it",
                    i + 1
                )));
            }
            if passthrough.iter().any(|(_, n)| *n == clean) {
                return Err(Error::invalid(format!(
                    "{describe}: column {clean:?} appears twice (column {})",
                    i + 1
                )));
            }
            passthrough.push((i, clean));
        }
        Ok(Self {
            positions,
            passthrough,
            field_count: header.len(),
            missing_optional,
        })
    }

    /// Whether canonical column `name` is present.
    pub fn has(&self, name: &str) -> bool {
        CANONICAL
            .iter()
            .position(|(c, _)| *c == name)
            .and_then(|i| self.positions.get(i).copied().flatten())
            .is_some()
    }
}

fn describe_header(header: &[String], describe: &str) -> String {
    const SHOWN: usize = 20;
    let mut names: Vec<String> = header
        .iter()
        .take(SHOWN)
        .map(|h| {
            let mut h = h.clone();
            if h.len() > 120 {
                let mut cut = 120;
                while !h.is_char_boundary(cut) {
                    cut -= 1;
                }
                h.truncate(cut);
                h.push('…');
            }
            format!("{h:?}")
        })
        .collect();
    if header.len() > SHOWN {
        names.push(format!("and {} more", header.len() - SHOWN));
    }
    format!(
        "{describe} has {} column(s): {}",
        header.len(),
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn built_in_mappings_parse() {
        let m = Mapping::parse(DEFAULT_MAPPING_TOML).unwrap();
        assert_eq!(m.name, "bank_scrooge");
        assert_eq!(m.columns.len(), 12);
        assert_eq!(m.column("est_salary").unwrap().source, "EST_SALARY");
        assert!(m.column("equity").unwrap().optional);
        assert!(m.column("gender").unwrap().strict);
        assert!(!m.column("city").unwrap().strict);
        assert_eq!(m.column("churn").unwrap().values.len(), 12);
        let e = Mapping::parse(ENGLISH_EXAMPLE_TOML).unwrap();
        let churn = e.column("churn").unwrap();
        assert!(churn.values.contains(&("yes".into(), "true".into())));
        let gender = e.column("gender").unwrap();
        assert!(gender.values.contains(&("female".into(), "Ж".into())));
    }

    #[test]
    fn bad_mappings_are_explained() {
        let err = Mapping::parse("[columns.nope]\nsource = \"x\"").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("mapping: unknown canonical column \"nope\"")
        );
        let err = Mapping::parse("[columns.user_id]\nsource = \"id\"").unwrap_err();
        assert_eq!(
            err.to_string(),
            "mapping: no [columns.score] entry; every canonical column needs a source (mark it optional = true if exports may lack it)"
        );
        let bad_flag = DEFAULT_MAPPING_TOML.replace(
            "source = \"churn\"",
            "source = \"churn\"\nvalues = { \"x\" = \"maybe\" }",
        );
        let err = Mapping::parse(&bad_flag).unwrap_err();
        assert_eq!(
            err.to_string(),
            "mapping: columns.churn.values.\"x\" = \"maybe\": expected true or false"
        );
    }

    #[test]
    fn layout_finds_columns_and_passes_extras_through() {
        let m = Mapping::default_mapping().unwrap();
        let h = header(&[
            "\u{feff}USERID",
            "score",
            "city",
            "gender",
            "age",
            "balance",
            "products",
            "credit_card",
            "last_activity",
            "est_salary",
            "churn",
            "Branch Code",
        ]);
        let layout = Layout::resolve(&m, &h, "header line 1").unwrap();
        assert_eq!(layout.positions[0], Some(0));
        assert_eq!(layout.positions[5], None);
        assert_eq!(layout.missing_optional, vec!["equity"]);
        assert_eq!(layout.passthrough, vec![(11, "Branch Code".to_string())]);
        assert!(!layout.has("equity"));
        assert!(layout.has("churn"));

        let err =
            Layout::resolve(&m, &header(&["USERID;score;city"]), "header line 1").unwrap_err();
        assert_eq!(
            err.to_string(),
            "missing required column \"USERID\" (canonical user_id); header line 1 has 1 column(s): \"USERID;score;city\""
        );
    }
}
