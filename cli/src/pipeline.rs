//! The pipeline as a gRPC client: upload → ingest → clean table → analysis → reports.
//!
//! This is the only driver of the services; the embedded runner starts them in-process and calls
//! [`run`] with their loopback endpoints, and a scheduled job calls it with in-cluster endpoints.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use arrow::array::{ArrayRef, BinaryArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use arrow_flight::FlightDescriptor;
use arrow_flight::encode::FlightDataEncoderBuilder;
use arrow_flight::error::FlightError;
use bankseg_common::config::{DEFAULT_MAX_MESSAGE_BYTES, FLIGHT_DATA_TARGET_BYTES};
use bankseg_common::flight::{self, TableTicket};
use bankseg_proto::analysis::v1::AnalyzeRequest;
use bankseg_proto::analysis::v1::analysis_service_client::AnalysisServiceClient;
use bankseg_proto::common::v1::Language;
use bankseg_proto::ingest::v1::ingest_service_client::IngestServiceClient;
use bankseg_proto::ingest::v1::{IngestRequest, QualityReport, SourceFormat, ingest_request};
use bankseg_proto::report::v1::report_service_client::ReportServiceClient;
use bankseg_proto::report::v1::{RenderRequest, RenderResponse, ReportFormat};
use futures::{StreamExt, TryStreamExt};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use parquet::arrow::AsyncArrowWriter;
use tokio::io::AsyncReadExt;
use tonic::transport::Channel;
use tracing::info;

use crate::{CliError, Lang, Result, RunArgs};

/// Size of the raw-file chunks streamed to ingest-svc.
const UPLOAD_CHUNK_BYTES: usize = 1024 * 1024;

/// Where the three services are.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// ingest-svc, e.g. `http://ingest:50051`.
    pub ingest: String,
    /// analysis-svc.
    pub analysis: String,
    /// report-svc.
    pub report: String,
}

/// What a run wrote.
#[derive(Debug, Clone)]
pub struct Outputs {
    /// Output directory.
    pub out_dir: PathBuf,
    /// Id of the ingested dataset.
    pub dataset_id: String,
    /// Id of the analysis.
    pub analysis_id: String,
    /// The quality report of the ingestion.
    pub quality: QualityReport,
    /// The files written, in order: report.html, report.md, analysis.json, quality.json, clean.parquet
    /// (then Markdown attachments).
    pub files: Vec<PathBuf>,
    /// Where the outputs were published, if they were.
    pub published: Option<String>,
}

impl Outputs {
    /// Human-readable summary printed by `bankseg run`.
    pub fn describe(&self) -> String {
        let mut text = format!(
            "analysed {} rows ({} clean, {} quarantined, {} exact duplicates removed)\n",
            self.quality.rows_read,
            self.quality.rows_clean,
            self.quality.rows_quarantined,
            self.quality.exact_duplicates_removed
        );
        for f in self.files.iter().take(5) {
            text.push_str(&format!("  {}\n", f.display()));
        }
        if let Some(p) = &self.published {
            text.push_str(&format!("published to {p}\n"));
        }
        text.push_str(&format!("open {}", self.files[0].display()));
        text
    }
}

enum Source {
    Upload(PathBuf),
    Uri(String),
}

/// Runs the pipeline against `endpoints`.
pub async fn run(args: &RunArgs, endpoints: &Endpoints) -> Result<Outputs> {
    let progress = Progress::new(args.quiet);
    let timeout = Duration::from_secs(args.timeout_secs);
    tokio::fs::create_dir_all(&args.out).await.map_err(|e| {
        CliError::Usage(format!(
            "cannot create output directory {}: {e}",
            args.out.display()
        ))
    })?;

    let mapping_toml = read_optional(args.mapping.as_deref(), "mapping").await?;
    let config_toml = read_optional(args.config.as_deref(), "configuration").await?;

    // The demo bank lives in a temporary file for the duration of the run.
    let demo_dir;
    let source = if let Some(prefix) = &args.input_latest {
        progress.step("finding the newest export");
        let latest = crate::remote::latest_object(prefix).await?;
        if latest.contains("://") {
            Source::Uri(latest)
        } else {
            Source::Upload(PathBuf::from(latest))
        }
    } else {
        match &args.input {
            Some(input) if input.contains("://") => Source::Uri(input.clone()),
            Some(input) => Source::Upload(PathBuf::from(input)),
            None => {
                progress.step("generating the demo bank (10,000 synthetic customers)");
                demo_dir = tempfile::tempdir()
                    .map_err(|e| CliError::Internal(format!("temporary directory: {e}")))?;
                let path = demo_dir.path().join("demo_bank.csv");
                let file = std::fs::File::create(&path)
                    .map_err(|e| CliError::Internal(format!("writing the demo bank: {e}")))?;
                bankseg_synth::write_csv(&bankseg_synth::demo_bank(), file)
                    .map_err(|e| CliError::Internal(format!("writing the demo bank: {e}")))?;
                Source::Upload(path)
            }
        }
    };

    let ingest_channel = channel("ingest-svc", &endpoints.ingest).await?;
    let analysis_channel = channel("analysis-svc", &endpoints.analysis).await?;
    let report_channel = channel("report-svc", &endpoints.report).await?;

    let source = match source {
        Source::Uri(uri) => ingest_request::Source::Uri(uri),
        Source::Upload(path) => {
            progress.step(&format!("uploading {}", path.display()));
            ingest_request::Source::UploadId(upload(ingest_channel.clone(), &path).await?)
        }
    };

    progress.step("ingesting and cleaning");
    let mut ingest = IngestServiceClient::new(ingest_channel.clone())
        .max_decoding_message_size(DEFAULT_MAX_MESSAGE_BYTES)
        .max_encoding_message_size(DEFAULT_MAX_MESSAGE_BYTES);
    let request = IngestRequest {
        source: Some(source),
        format: SourceFormat::Unspecified as i32,
        delimiter: args.delimiter.map(String::from).unwrap_or_default(),
        mapping_toml,
        options: None,
    };
    let ingested = ingest
        .ingest(with_timeout(request, timeout))
        .await
        .map_err(|s| CliError::from_status("ingest", s))?
        .into_inner();
    let quality = ingested.quality.ok_or_else(|| {
        CliError::Internal("ingest: the response carries no quality report".into())
    })?;
    let dataset_id = ingested.dataset_id;
    info!(dataset_id, rows = quality.rows_read, "ingested");

    let quality_path = args.out.join("quality.json");
    write_file(&quality_path, &to_json(&quality)?).await?;

    progress.step("fetching the clean table");
    let clean_path = args.out.join("clean.parquet");
    download_parquet(
        ingest_channel,
        &TableTicket::new("clean", &dataset_id),
        &clean_path,
    )
    .await?;

    progress.step("analysing");
    let mut analysis = AnalysisServiceClient::new(analysis_channel)
        .max_decoding_message_size(DEFAULT_MAX_MESSAGE_BYTES)
        .max_encoding_message_size(DEFAULT_MAX_MESSAGE_BYTES);
    let analyzed = analysis
        .analyze(with_timeout(
            AnalyzeRequest {
                dataset_id: dataset_id.clone(),
                config_toml,
                ingest_endpoint: String::new(),
            },
            timeout,
        ))
        .await
        .map_err(|s| CliError::from_status("analysis", s))?
        .into_inner();
    let analysis_id = analyzed.analysis_id;
    info!(analysis_id, "analysed");

    progress.step("rendering the reports");
    let mut report = ReportServiceClient::new(report_channel)
        .max_decoding_message_size(DEFAULT_MAX_MESSAGE_BYTES)
        .max_encoding_message_size(DEFAULT_MAX_MESSAGE_BYTES);
    let language = match args.lang {
        Lang::Ru => Language::Ru,
        Lang::En => Language::En,
    };
    let mut files = Vec::new();
    let mut attachments = Vec::new();
    for (format, name) in [
        (ReportFormat::Html, "report.html"),
        (ReportFormat::Markdown, "report.md"),
        (ReportFormat::Json, "analysis.json"),
    ] {
        let rendered: RenderResponse = report
            .render(with_timeout(
                RenderRequest {
                    analysis_id: analysis_id.clone(),
                    format: format as i32,
                    language: language as i32,
                    analysis_endpoint: String::new(),
                },
                timeout,
            ))
            .await
            .map_err(|s| CliError::from_status("report", s))?
            .into_inner();
        let path = args.out.join(name);
        write_file(&path, &rendered.content).await?;
        files.push(path);
        for a in rendered.attachments {
            let path = args.out.join(safe_relative(&a.name)?);
            if let Some(parent) = path.parent() {
                tokio::fs::create_dir_all(parent).await.map_err(|e| {
                    CliError::Internal(format!("creating {}: {e}", parent.display()))
                })?;
            }
            write_file(&path, &a.content).await?;
            attachments.push(path);
        }
    }
    files.push(quality_path);
    files.push(clean_path);
    files.extend(attachments);

    let published = match &args.publish {
        Some(prefix) => {
            progress.step("publishing");
            Some(crate::remote::publish(prefix, &analysis_id, &args.out, &files).await?)
        }
        None => None,
    };
    progress.finish();
    Ok(Outputs {
        out_dir: args.out.clone(),
        dataset_id,
        analysis_id,
        quality,
        files,
        published,
    })
}

async fn channel(name: &str, url: &str) -> Result<Channel> {
    flight::connect(url)
        .await
        .map_err(|e| CliError::Internal(format!("cannot reach {name} at {url}: {e}")))
}

fn with_timeout<T>(message: T, timeout: Duration) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.set_timeout(timeout);
    request
}

async fn read_optional(path: Option<&Path>, what: &str) -> Result<String> {
    match path {
        None => Ok(String::new()),
        Some(p) => tokio::fs::read_to_string(p)
            .await
            .map_err(|e| CliError::Usage(format!("cannot read {what} file {}: {e}", p.display()))),
    }
}

async fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    tokio::fs::write(path, bytes)
        .await
        .map_err(|e| CliError::Internal(format!("writing {}: {e}", path.display())))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut bytes =
        serde_json::to_vec_pretty(value).map_err(|e| CliError::Internal(format!("json: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Attachment names come from a service: keep them inside the output directory.
fn safe_relative(name: &str) -> Result<PathBuf> {
    let path = PathBuf::from(name);
    let ok = !name.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(path)
    } else {
        Err(CliError::Internal(format!(
            "report: attachment name {name:?} is not a relative path"
        )))
    }
}

/// Streams a local file to ingest-svc over Flight DoPut as raw chunks; returns the upload id.
pub async fn upload(channel: Channel, path: &Path) -> Result<String> {
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|e| CliError::Usage(format!("cannot open {}: {e}", path.display())))?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("export.csv")
        .to_string();
    let schema = Arc::new(Schema::new(vec![Field::new(
        "chunk",
        DataType::Binary,
        false,
    )]));
    // A reader task fills a small bounded channel: the file is never held in memory whole.
    let (tx, rx) = tokio::sync::mpsc::channel::<std::result::Result<RecordBatch, FlightError>>(4);
    let reader_schema = Arc::clone(&schema);
    let display = path.display().to_string();
    let reader = tokio::spawn(async move {
        let mut sent_any = false;
        loop {
            let mut buf = vec![0u8; UPLOAD_CHUNK_BYTES];
            let mut filled = 0;
            while filled < buf.len() {
                match file.read(&mut buf[filled..]).await {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) => {
                        let _ = tx.send(Err(FlightError::ExternalError(Box::new(e)))).await;
                        return Err(format!("reading {display}"));
                    }
                }
            }
            // An empty file still travels as one empty chunk, so ingest-svc can say what is wrong.
            if filled == 0 && sent_any {
                return Ok(());
            }
            sent_any = true;
            buf.truncate(filled);
            let array: ArrayRef = Arc::new(BinaryArray::from_vec(vec![buf.as_slice()]));
            let batch = RecordBatch::try_new(Arc::clone(&reader_schema), vec![array])
                .map_err(FlightError::Arrow);
            if tx.send(batch).await.is_err() {
                return Ok(());
            }
        }
    });
    let batches = tokio_stream::wrappers::ReceiverStream::new(rx);
    let flight_data = FlightDataEncoderBuilder::new()
        .with_schema(schema)
        .with_max_flight_data_size(FLIGHT_DATA_TARGET_BYTES)
        .with_flight_descriptor(Some(FlightDescriptor::new_path(vec![
            "upload".to_string(),
            name,
        ])))
        .build(batches);
    let mut client = flight::client(channel, DEFAULT_MAX_MESSAGE_BYTES);
    let results: Vec<_> = client
        .do_put(flight_data)
        .await
        .map_err(|e| CliError::from_status("upload", flight_status(e)))?
        .try_collect()
        .await
        .map_err(|e| CliError::from_status("upload", flight_status(e)))?;
    match reader.await {
        Ok(Ok(())) => {}
        Ok(Err(what)) => return Err(CliError::Usage(what)),
        Err(e) => return Err(CliError::Internal(format!("upload reader: {e}"))),
    }
    let id = results
        .last()
        .map(|r| String::from_utf8_lossy(&r.app_metadata).to_string())
        .filter(|id| !id.is_empty())
        .ok_or_else(|| CliError::Internal("upload: ingest-svc returned no upload id".into()))?;
    Ok(id)
}

fn flight_status(e: FlightError) -> tonic::Status {
    match e {
        FlightError::Tonic(s) => *s,
        other => tonic::Status::internal(other.to_string()),
    }
}

/// Streams table `ticket` from a Flight service into a local Parquet file.
pub async fn download_parquet(channel: Channel, ticket: &TableTicket, path: &Path) -> Result<u64> {
    let mut stream = flight::fetch(channel, DEFAULT_MAX_MESSAGE_BYTES, ticket)
        .await
        .map_err(|e| CliError::from_status("fetch", e.into_status()))?;
    let file = tokio::fs::File::create(path)
        .await
        .map_err(|e| CliError::Internal(format!("writing {}: {e}", path.display())))?;
    let mut writer: Option<AsyncArrowWriter<tokio::fs::File>> = None;
    let mut file = Some(file);
    let mut rows = 0u64;
    while let Some(batch) = stream.next().await {
        let batch = batch.map_err(|e| CliError::from_status("fetch", e.into_status()))?;
        if writer.is_none() {
            let f = file
                .take()
                .ok_or_else(|| CliError::Internal("parquet writer state".into()))?;
            writer = Some(
                AsyncArrowWriter::try_new(f, batch.schema(), None)
                    .map_err(|e| CliError::Internal(format!("parquet: {e}")))?,
            );
        }
        rows += batch.num_rows() as u64;
        if let Some(w) = writer.as_mut() {
            w.write(&batch)
                .await
                .map_err(|e| CliError::Internal(format!("parquet: {e}")))?;
        }
    }
    match writer {
        Some(w) => {
            w.close()
                .await
                .map_err(|e| CliError::Internal(format!("parquet: {e}")))?;
        }
        None => {
            return Err(CliError::Internal(format!(
                "fetch: table {} arrived without a schema",
                ticket.table
            )));
        }
    }
    Ok(rows)
}

/// Step-by-step progress on a terminal (hidden when stderr is not one, or with --quiet).
struct Progress {
    bar: ProgressBar,
}

impl Progress {
    fn new(quiet: bool) -> Self {
        let target = if quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        if let Ok(style) = ProgressStyle::with_template("{spinner} [{elapsed}] {msg}") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        Self { bar }
    }

    fn step(&self, message: &str) {
        self.bar.set_message(message.to_string());
        if self.bar.is_hidden() {
            info!(step = message, "pipeline");
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_names_stay_inside_the_output_directory() {
        assert_eq!(
            safe_relative("charts/a.svg").unwrap(),
            PathBuf::from("charts/a.svg")
        );
        assert!(safe_relative("../a.svg").is_err());
        assert!(safe_relative("/etc/passwd").is_err());
        assert!(safe_relative("").is_err());
    }
}
