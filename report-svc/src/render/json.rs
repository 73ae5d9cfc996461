//! The JSON report: the whole [`AnalysisResult`] as `serde_json` writes the protobuf types.
//!
//! Field names are the `.proto` names (snake_case); 64-bit integers are JSON numbers; optional
//! fields and absent messages are `null`; numbers that are not finite (undefined correlations) are
//! `null`. The layout is described by `schema/analysis.schema.json`, versioned by `schema_version`
//! ([`bankseg_proto::ANALYSIS_SCHEMA_VERSION`]).

use bankseg_proto::ANALYSIS_SCHEMA_VERSION;
use bankseg_proto::analysis::v1::AnalysisResult;

use crate::{Error, Result};

/// The JSON Schema (draft 2020-12) of the JSON report, `schema/analysis.schema.json`.
pub const SCHEMA: &str = include_str!("../../../schema/analysis.schema.json");

/// Refuses analyses written under a newer schema than this service knows.
pub fn check_version(analysis: &AnalysisResult) -> Result<()> {
    if analysis.schema_version > ANALYSIS_SCHEMA_VERSION {
        return Err(Error::UnsupportedSchema {
            found: analysis.schema_version,
            supported: ANALYSIS_SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Pretty-printed JSON of the analysis; an unset `schema_version` (0) is written as the current one.
pub fn to_json(analysis: &AnalysisResult) -> Result<Vec<u8>> {
    check_version(analysis)?;
    let mut value = serde_json::to_value(analysis)?;
    if analysis.schema_version == 0
        && let Some(object) = value.as_object_mut()
    {
        object.insert(
            "schema_version".to_string(),
            serde_json::Value::from(ANALYSIS_SCHEMA_VERSION),
        );
    }
    let mut out = serde_json::to_vec_pretty(&value)?;
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    fn validator() -> jsonschema::Validator {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
        jsonschema::draft202012::new(&schema).unwrap()
    }

    fn errors(validator: &jsonschema::Validator, value: &serde_json::Value) -> Vec<String> {
        validator
            .iter_errors(value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    }

    #[test]
    fn rendered_json_validates_against_the_shipped_schema() {
        let validator = validator();
        for analysis in [testing::analysis(), AnalysisResult::default()] {
            let json: serde_json::Value =
                serde_json::from_slice(&to_json(&analysis).unwrap()).unwrap();
            assert_eq!(errors(&validator, &json), Vec::<String>::new());
        }
    }

    #[test]
    fn the_schema_rejects_what_the_contract_does_not_allow() {
        let validator = validator();
        let good: serde_json::Value =
            serde_json::from_slice(&to_json(&testing::analysis()).unwrap()).unwrap();

        let mut unknown = good.clone();
        unknown["segments"][0]["summary"]["colour"] = "red".into();
        assert!(!validator.is_valid(&unknown));

        let mut negative = good.clone();
        negative["overview"]["rows"] = (-1).into();
        assert!(!validator.is_valid(&negative));

        let mut missing = good.clone();
        missing.as_object_mut().unwrap().remove("hypotheses");
        assert!(!validator.is_valid(&missing));

        let mut version = good.clone();
        version["schema_version"] = 2.into();
        assert!(!validator.is_valid(&version));

        let mut kind = good;
        kind["profiles"][0]["kind"] = "text".into();
        assert!(!validator.is_valid(&kind));
    }

    #[test]
    fn undefined_numbers_become_null_and_version_is_filled_in() {
        let analysis = AnalysisResult {
            analysis_id: "a1".into(),
            alpha: f64::NAN,
            ..Default::default()
        };
        let json: serde_json::Value = serde_json::from_slice(&to_json(&analysis).unwrap()).unwrap();
        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["analysis_id"], "a1");
        assert!(json["alpha"].is_null());
        assert!(json["quality"].is_null());
        assert_eq!(json["segments"], serde_json::json!([]));
    }

    #[test]
    fn newer_schema_versions_are_refused() {
        let analysis = AnalysisResult {
            schema_version: ANALYSIS_SCHEMA_VERSION + 1,
            ..Default::default()
        };
        let err = to_json(&analysis).unwrap_err();
        assert_eq!(
            err.to_string(),
            "analysis schema version 2 is not supported: expected at most 1"
        );
    }
}
