//! `bankseg.report.v1.ReportService`: fetch an analysis from analysis-svc, render it off the async
//! workers, store it under `reports/<report_id>/`, return it.
//!
//! Storage layout: `report.<html|md|json>` (the main document), the attachments under their
//! relative names (e.g. `charts/<name>.svg`), and `manifest.pb`: the `RenderResponse` with the
//! contents left empty, which [`load`] and the HTTP dashboard read back.

use bankseg_common::store::{ArtifactStore, new_id, validate_id};
use bankseg_proto::analysis::v1::GetAnalysisRequest;
use bankseg_proto::analysis::v1::analysis_service_client::AnalysisServiceClient;
use bankseg_proto::common::v1::Language;
use bankseg_proto::report::v1::report_service_server::ReportService;
use bankseg_proto::report::v1::{
    Attachment, GetReportRequest, RenderRequest, RenderResponse, ReportFormat,
};
use bytes::Bytes;
use tonic::transport::Channel;
use tonic::{Request, Response, Status};
use tracing::{info, instrument};

use crate::render::{self, Rendered};
use crate::{Error, Result};

/// Artifact kind of reports in the store.
pub const KIND: &str = "reports";
const MANIFEST: &str = "manifest.pb";

/// The gRPC service.
#[derive(Debug, Clone)]
pub struct Reports {
    store: ArtifactStore,
    analysis: Channel,
    max_message_bytes: usize,
}

impl Reports {
    /// A service over `store`, fetching analyses over `analysis` (the configured analysis-svc).
    pub fn new(store: ArtifactStore, analysis: Channel, max_message_bytes: usize) -> Self {
        Self {
            store,
            analysis,
            max_message_bytes,
        }
    }

    async fn render_report(&self, request: RenderRequest) -> Result<RenderResponse> {
        validate_id(&request.analysis_id).map_err(|e| Error::Invalid {
            what: "analysis_id",
            message: e.to_string(),
        })?;
        let format = ReportFormat::try_from(request.format).map_err(|_| Error::Invalid {
            what: "format",
            message: format!("{} is not a ReportFormat value (0 to 3)", request.format),
        })?;
        let language = Language::try_from(request.language).map_err(|_| Error::Invalid {
            what: "language",
            message: format!("{} is not a Language value (0 to 2)", request.language),
        })?;
        let channel = if request.analysis_endpoint.is_empty() {
            self.analysis.clone()
        } else {
            bankseg_common::flight::connect(&request.analysis_endpoint).await?
        };
        let mut client = AnalysisServiceClient::new(channel)
            .max_decoding_message_size(self.max_message_bytes)
            .max_encoding_message_size(self.max_message_bytes);
        let analysis = client
            .get_analysis(GetAnalysisRequest {
                analysis_id: request.analysis_id.clone(),
            })
            .await?
            .into_inner();
        let rendered =
            tokio::task::spawn_blocking(move || render::render(&analysis, format, language))
                .await
                .map_err(|e| Error::Task(e.to_string()))??;
        let report_id = new_id();
        let response = save(&self.store, &report_id, format, rendered).await?;
        info!(
            report_id = %report_id,
            bytes = response.content.len(),
            attachments = response.attachments.len(),
            "report rendered"
        );
        Ok(response)
    }
}

#[tonic::async_trait]
impl ReportService for Reports {
    #[instrument(skip_all, fields(analysis_id = %request.get_ref().analysis_id, format = request.get_ref().format, language = request.get_ref().language))]
    async fn render(
        &self,
        request: Request<RenderRequest>,
    ) -> std::result::Result<Response<RenderResponse>, Status> {
        self.render_report(request.into_inner())
            .await
            .map(Response::new)
            .map_err(Error::into_status)
    }

    #[instrument(skip_all, fields(report_id = %request.get_ref().report_id))]
    async fn get_report(
        &self,
        request: Request<GetReportRequest>,
    ) -> std::result::Result<Response<RenderResponse>, Status> {
        load(&self.store, &request.into_inner().report_id)
            .await
            .map(Response::new)
            .map_err(Error::into_status)
    }
}

/// File name of the main document of a report of `format`.
pub fn main_file(format: ReportFormat) -> &'static str {
    match format {
        ReportFormat::Markdown => "report.md",
        ReportFormat::Json => "report.json",
        ReportFormat::Html | ReportFormat::Unspecified => "report.html",
    }
}

/// Content type of an attachment, from its extension.
pub fn attachment_type(name: &str) -> &'static str {
    if name.ends_with(".svg") {
        "image/svg+xml"
    } else if name.ends_with(".json") {
        "application/json"
    } else {
        "application/octet-stream"
    }
}

/// Stores a rendered report under `reports/<report_id>/` and returns the full response.
pub async fn save(
    store: &ArtifactStore,
    report_id: &str,
    format: ReportFormat,
    rendered: Rendered,
) -> Result<RenderResponse> {
    let format = match format {
        ReportFormat::Unspecified => ReportFormat::Html,
        other => other,
    };
    let content = Bytes::from(rendered.content);
    store
        .put(
            &ArtifactStore::key(KIND, report_id, main_file(format))?,
            content.clone(),
        )
        .await?;
    let mut attachments = Vec::with_capacity(rendered.attachments.len());
    for (name, bytes) in rendered.attachments {
        check_attachment_name(&name)?;
        store
            .put(
                &ArtifactStore::key(KIND, report_id, &name)?,
                Bytes::from(bytes.clone()),
            )
            .await?;
        attachments.push(Attachment {
            content_type: attachment_type(&name).to_string(),
            name,
            content: bytes,
        });
    }
    let response = RenderResponse {
        report_id: report_id.to_string(),
        format: format as i32,
        content_type: rendered.content_type.to_string(),
        content: content.to_vec(),
        attachments,
    };
    let manifest = RenderResponse {
        content: Vec::new(),
        attachments: response
            .attachments
            .iter()
            .map(|a| Attachment {
                name: a.name.clone(),
                content_type: a.content_type.clone(),
                content: Vec::new(),
            })
            .collect(),
        ..response.clone()
    };
    store
        .put_message(&ArtifactStore::key(KIND, report_id, MANIFEST)?, &manifest)
        .await?;
    Ok(response)
}

/// The manifest of a stored report: everything but the contents.
pub async fn manifest(store: &ArtifactStore, report_id: &str) -> Result<RenderResponse> {
    validate_id(report_id).map_err(|e| Error::Invalid {
        what: "report_id",
        message: e.to_string(),
    })?;
    let key = ArtifactStore::key(KIND, report_id, MANIFEST)?;
    Ok(store.get_message(&key, "report", report_id).await?)
}

/// The main document of a stored report, with its manifest.
pub async fn main_document(
    store: &ArtifactStore,
    report_id: &str,
) -> Result<(RenderResponse, Bytes)> {
    let manifest = manifest(store, report_id).await?;
    let format = ReportFormat::try_from(manifest.format).map_err(|_| Error::Damaged {
        id: report_id.to_string(),
        message: format!("manifest names format {}", manifest.format),
    })?;
    let key = ArtifactStore::key(KIND, report_id, main_file(format))?;
    let bytes = store.get(&key, "report", report_id).await?;
    Ok((manifest, bytes))
}

/// A stored attachment of a report, if the manifest lists it.
pub async fn attachment(
    store: &ArtifactStore,
    report_id: &str,
    name: &str,
) -> Result<Option<(String, Bytes)>> {
    let manifest = manifest(store, report_id).await?;
    let Some(entry) = manifest.attachments.iter().find(|a| a.name == name) else {
        return Ok(None);
    };
    let key = ArtifactStore::key(KIND, report_id, name)?;
    let bytes = store.get(&key, "report", report_id).await?;
    Ok(Some((entry.content_type.clone(), bytes)))
}

/// A stored report with its contents, as `GetReport` returns it.
pub async fn load(store: &ArtifactStore, report_id: &str) -> Result<RenderResponse> {
    let (mut response, content) = main_document(store, report_id).await?;
    response.content = content.to_vec();
    for a in &mut response.attachments {
        let key = ArtifactStore::key(KIND, report_id, &a.name)?;
        a.content = store.get(&key, "report", report_id).await?.to_vec();
    }
    Ok(response)
}

/// Attachment names are relative paths of `[A-Za-z0-9_.-]` segments, none of them `.` or `..`.
fn check_attachment_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
        });
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid {
            what: "attachment name",
            message: format!("{name:?} is not a relative path of letters, digits, '_', '-' or '.'"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_names_stay_inside_the_report() {
        assert!(check_attachment_name("charts/churn_by_age.svg").is_ok());
        assert!(check_attachment_name("../x.svg").is_err());
        assert!(check_attachment_name("charts//x.svg").is_err());
        assert!(check_attachment_name("").is_err());
        assert_eq!(attachment_type("charts/a.svg"), "image/svg+xml");
    }
}
