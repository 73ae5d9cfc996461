//! Layout of analyses in the artifact store, and reading them back.
//!
//! An analysis lives under `analyses/<analysis_id>/`; `analysis.pb` is written last, so an analysis
//! is complete exactly when that file exists. Nothing is cached in memory: every read goes to the
//! store, which is what lets results survive a restart and any replica serve any analysis.

use std::time::{SystemTime, UNIX_EPOCH};

use bankseg_common::store::{ArtifactStore, DATAFUSION_URL};
use bankseg_proto::analysis::v1::AnalysisResult;
use futures::TryStreamExt;
use object_store::path::Path;

use crate::{Error, Result};

/// Store folder of analyses.
pub const KIND: &str = "analyses";

/// Name of an analysis in "not found" messages.
pub const NOUN: &str = "analysis";

/// File holding the encoded `AnalysisResult`.
pub const RESULT_FILE: &str = "analysis.pb";

/// File holding the `AnalysisResult` as JSON, for people and scripts.
pub const RESULT_JSON_FILE: &str = "analysis.json";

/// Tables stored with every analysis, each as `<table>.parquet`, served over Flight and Flight SQL.
pub const TABLES: [&str; 4] = ["customers", "membership", "portraits", "hypotheses"];

/// Whether `table` is one of [`TABLES`].
pub fn is_table(table: &str) -> bool {
    TABLES.contains(&table)
}

/// Store key of `file` of analysis `id` (the id is validated).
pub fn key(id: &str, file: &str) -> Result<Path> {
    Ok(ArtifactStore::key(KIND, id, file)?)
}

/// Store key of table `table` of analysis `id`.
pub fn table_key(id: &str, table: &str) -> Result<Path> {
    key(id, &format!("{table}.parquet"))
}

/// URL of table `table` of analysis `id` for DataFusion, under [`DATAFUSION_URL`].
pub fn table_url(id: &str, table: &str) -> String {
    format!("{DATAFUSION_URL}/{KIND}/{id}/{table}.parquet")
}

/// Reads the stored result of analysis `id`; NOT_FOUND when there is none.
pub async fn load_result(store: &ArtifactStore, id: &str) -> Result<AnalysisResult> {
    let key = key(id, RESULT_FILE)?;
    Ok(store.get_message(&key, NOUN, id).await?)
}

/// Ids of the complete analyses in the store, most recently completed first.
pub async fn list_complete(store: &ArtifactStore) -> Result<Vec<String>> {
    let prefix = Path::from(KIND);
    let objects: Vec<_> = store
        .object_store()
        .list(Some(&prefix))
        .try_collect()
        .await
        .map_err(bankseg_common::Error::from)?;
    let mut complete: Vec<_> = objects
        .into_iter()
        .filter_map(|meta| {
            let mut parts = meta.location.as_ref().split('/');
            match (parts.next(), parts.next(), parts.next(), parts.next()) {
                (Some(KIND), Some(id), Some(RESULT_FILE), None) => {
                    Some((meta.last_modified, id.to_string()))
                }
                _ => None,
            }
        })
        .collect();
    complete.sort();
    complete.reverse();
    Ok(complete.into_iter().map(|(_, id)| id).collect())
}

/// The current time as an RFC 3339 UTC timestamp with millisecond precision.
pub fn now_rfc3339() -> String {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format_rfc3339(since.as_secs() as i64, since.subsec_millis())
}

/// Formats `secs` since the Unix epoch plus `millis` as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn format_rfc3339(secs: i64, millis: u32) -> String {
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A missing `analysis_id` or one of the wrong form.
pub fn validate_analysis_id(id: &str) -> Result<()> {
    bankseg_common::store::validate_id(id).map_err(|e| match e {
        bankseg_common::Error::Invalid { message, .. } => Error::Invalid {
            what: "analysis_id",
            message,
        },
        other => Error::Common(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(format_rfc3339(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_rfc3339(1_700_000_000, 5), "2023-11-14T22:13:20.005Z");
        // 2024-02-29 (leap day) 12:00:00 UTC
        assert_eq!(
            format_rfc3339(1_709_208_000, 999),
            "2024-02-29T12:00:00.999Z"
        );
        assert_eq!(format_rfc3339(-86_400, 0), "1969-12-31T00:00:00.000Z");
    }

    #[test]
    fn keys_and_urls_name_the_table_file() {
        assert_eq!(
            table_key("a1", "membership").unwrap().as_ref(),
            "analyses/a1/membership.parquet"
        );
        assert_eq!(
            table_url("a1", "portraits"),
            "bankseg-store://artifacts/analyses/a1/portraits.parquet"
        );
        assert!(table_key("../x", "membership").is_err());
        let err = validate_analysis_id("").unwrap_err();
        assert_eq!(err.into_status().code(), tonic::Code::InvalidArgument);
    }
}
