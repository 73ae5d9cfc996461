//! The `bankseg.ingest.v1.IngestService` control plane.

use bankseg_proto::ingest::v1::ingest_service_server::IngestService;
use bankseg_proto::ingest::v1::{
    GetQualityReportRequest, IngestRequest, IngestResponse, QualityReport,
};
use tonic::{Request, Response, Status};
use tracing::warn;

use crate::pipeline::{self, State};

/// The gRPC service.
#[derive(Debug, Clone)]
pub struct Ingest {
    state: State,
}

impl Ingest {
    /// A service over `state`.
    pub fn new(state: State) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl IngestService for Ingest {
    #[tracing::instrument(skip_all, fields(source, dataset_id))]
    async fn ingest(
        &self,
        request: Request<IngestRequest>,
    ) -> Result<Response<IngestResponse>, Status> {
        let request = request.into_inner();
        if let Ok(source) = pipeline::source_of(&request) {
            tracing::Span::current().record("source", source.describe());
        }
        match pipeline::ingest(&self.state, &request).await {
            Ok(report) => {
                tracing::Span::current().record("dataset_id", report.dataset_id.as_str());
                Ok(Response::new(IngestResponse {
                    dataset_id: report.dataset_id.clone(),
                    quality: Some(report),
                }))
            }
            Err(e) => {
                warn!(error = %e, "ingest failed");
                Err(e.into_status())
            }
        }
    }

    #[tracing::instrument(skip_all, fields(dataset_id))]
    async fn get_quality_report(
        &self,
        request: Request<GetQualityReportRequest>,
    ) -> Result<Response<QualityReport>, Status> {
        let id = request.into_inner().dataset_id;
        tracing::Span::current().record("dataset_id", id.as_str());
        Ok(Response::new(
            pipeline::quality_report(&self.state, &id).await?,
        ))
    }
}
