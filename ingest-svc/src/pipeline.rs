//! One ingestion from request to stored outputs: resolve the source, stage it, clean it, write the
//! quality report. The gRPC service, the Flight service and the example binary all call [`ingest`].

use std::path::PathBuf;
use std::sync::Arc;

use bankseg_common::store::{ArtifactStore, new_id, validate_id};
use bankseg_proto::ingest::v1::{IngestRequest, QualityReport, SourceFormat, ingest_request};
use bytes::Bytes;
use object_store::ObjectStoreExt;
use tracing::{info, warn};

use crate::clean::{self, CleaningOptions};
use crate::mapping::Mapping;
use crate::quality::{self, ReportContext};
use crate::source::{self, Source};
use crate::stage::{self, Format, StageOptions};
use crate::{Error, Result};

/// What every ingestion shares: the store and the service's settings.
#[derive(Debug, Clone)]
pub struct State {
    /// The artifact store.
    pub store: ArtifactStore,
    /// Directories local paths must be under.
    pub allowed_roots: Arc<Vec<PathBuf>>,
    /// Mapping used when a request brings none.
    pub default_mapping: Arc<Mapping>,
    /// Where scratch directories go (`None`: the system temp directory).
    pub work_dir: Option<PathBuf>,
    /// Query-engine memory limit per ingestion, in bytes.
    pub memory_limit: usize,
    /// Largest accepted CSV field, in bytes.
    pub max_field_bytes: usize,
    /// Largest row count for exact quantiles and distinct counts.
    pub exact_max_rows: u64,
    /// Valid rows per bucket of the duplicate checks.
    pub bucket_rows: u64,
    /// Ingestions allowed to run at once (each has its own memory pool); others wait.
    pub permits: Arc<tokio::sync::Semaphore>,
}

/// Key of file `file` of dataset `id`.
pub fn dataset_key(id: &str, file: &str) -> Result<object_store::path::Path> {
    Ok(ArtifactStore::key("datasets", id, file)?)
}

/// Reads the request's source choice.
pub fn source_of(request: &IngestRequest) -> Result<Source> {
    match &request.source {
        Some(ingest_request::Source::Path(p)) if !p.is_empty() => Ok(Source::Path(p.clone())),
        Some(ingest_request::Source::Uri(u)) if !u.is_empty() => Ok(Source::Uri(u.clone())),
        Some(ingest_request::Source::UploadId(id)) if !id.is_empty() => {
            Ok(Source::Upload(id.clone()))
        }
        _ => Err(Error::InvalidArgument {
            what: "source",
            message: "expected one of path, uri or upload_id".into(),
        }),
    }
}

fn delimiter_of(request: &IngestRequest) -> Result<Option<u8>> {
    match request.delimiter.as_str() {
        "" => Ok(None),
        "\\t" | "\t" => Ok(Some(b'\t')),
        d if d.len() == 1 && d != "\"" && d != "\n" && d != "\r" => Ok(Some(d.as_bytes()[0])),
        d => Err(Error::InvalidArgument {
            what: "delimiter",
            message: format!(
                "{d:?}: expected one ASCII character other than a quote or line break"
            ),
        }),
    }
}

/// Ingests one export; returns the dataset id and its quality report (also stored as
/// `quality.pb` and `quality.json`).
pub async fn ingest(state: &State, request: &IngestRequest) -> Result<QualityReport> {
    let source = source_of(request)?;
    let delimiter = delimiter_of(request)?;
    let format = match request.format() {
        SourceFormat::Unspecified => None,
        SourceFormat::Csv => Some(Format::Csv),
        SourceFormat::Parquet => Some(Format::Parquet),
    };
    let mapping = if request.mapping_toml.trim().is_empty() {
        Arc::clone(&state.default_mapping)
    } else {
        Arc::new(Mapping::parse(&request.mapping_toml)?)
    };
    let options = CleaningOptions::from_proto(request.options.as_ref())?;
    let _permit = state
        .permits
        .acquire()
        .await
        .map_err(|_| Error::Internal("the service is shutting down".into()))?;

    let work = clean::work_dir(state.work_dir.as_ref())?;
    let local = source::localize(&source, &state.allowed_roots, &state.store, work.path()).await?;
    let staging = work.path().join("staging.parquet");
    let stage_options = StageOptions {
        format,
        delimiter,
        max_field_bytes: state.max_field_bytes,
    };
    let staged = {
        let mapping = Arc::clone(&mapping);
        let staging = staging.clone();
        tokio::task::spawn_blocking(move || {
            stage::stage(&local.path, &local.name, &mapping, &stage_options, &staging)
        })
        .await
        .map_err(|e| Error::Internal(format!("staging task failed: {e}")))??
    };

    let dataset_id = new_id();
    let job = clean::Job {
        store: &state.store,
        dataset_id: &dataset_id,
        work_dir: work.path(),
        staging: &staging,
        rows_read: staged.rows_read,
        layout: &staged.layout,
        mapping: &mapping,
        options: &options,
        memory_limit: state.memory_limit,
        exact_max_rows: state.exact_max_rows,
        bucket_rows: state.bucket_rows,
    };
    let result = finish(state, &job, &source, &staged).await;
    if result.is_err() {
        // Leave no half-written dataset behind.
        for file in [
            "clean.parquet",
            "quarantine.parquet",
            "quality.pb",
            "quality.json",
        ] {
            if let Ok(key) = dataset_key(&dataset_id, file) {
                let _ = state.store.object_store().delete(&key).await;
            }
        }
    }
    let report = result?;
    info!(
        dataset_id = %dataset_id,
        rows_read = report.rows_read,
        rows_clean = report.rows_clean,
        rows_quarantined = report.rows_quarantined,
        exact_duplicates = report.exact_duplicates_removed,
        "ingested"
    );
    Ok(report)
}

/// Cleans, builds the report, checks the invariant and stores the report.
async fn finish(
    state: &State,
    job: &clean::Job<'_>,
    source: &Source,
    staged: &stage::Staged,
) -> Result<QualityReport> {
    let figures = clean::run(job).await?;
    let ctx = ReportContext {
        dataset_id: job.dataset_id,
        source: source.describe(),
        format: staged.format.name(),
        missing_optional: staged
            .layout
            .missing_optional
            .iter()
            .map(|s| s.to_string())
            .collect(),
        passthrough: staged
            .layout
            .passthrough
            .iter()
            .map(|(_, n)| n.clone())
            .collect(),
    };
    let report = quality::build(&ctx, &figures);
    if !report.counts_add_up {
        warn!(
            read = report.rows_read,
            clean = report.rows_clean,
            quarantined = report.rows_quarantined,
            duplicates = report.exact_duplicates_removed,
            "counts do not add up"
        );
        return Err(Error::Internal(format!(
            "counts do not add up: read {} != clean {} + quarantined {} + exact duplicates {}",
            report.rows_read,
            report.rows_clean,
            report.rows_quarantined,
            report.exact_duplicates_removed
        )));
    }
    state
        .store
        .put_message(&dataset_key(job.dataset_id, "quality.pb")?, &report)
        .await?;
    let json = serde_json::to_vec_pretty(&report)
        .map_err(|e| Error::Internal(format!("quality.json: {e}")))?;
    state
        .store
        .put(
            &dataset_key(job.dataset_id, "quality.json")?,
            Bytes::from(json),
        )
        .await?;
    Ok(report)
}

/// Reads a stored quality report.
pub async fn quality_report(state: &State, dataset_id: &str) -> Result<QualityReport> {
    validate_id(dataset_id)?;
    Ok(state
        .store
        .get_message(
            &dataset_key(dataset_id, "quality.pb")?,
            "dataset",
            dataset_id,
        )
        .await?)
}
