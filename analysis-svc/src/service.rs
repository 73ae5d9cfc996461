//! The gRPC control plane: `bankseg.analysis.v1.AnalysisService`.
//!
//! `Analyze` streams the clean table from ingest-svc into the store, runs the [`crate::engine`] over
//! it through DataFusion, and stores the results ([`crate::storage`] describes the layout). The
//! read RPCs decode `analysis.pb` from the store on every call, so they answer for analyses made
//! by another replica or before a restart.

use std::sync::Arc;

use arrow::record_batch::RecordBatch;
use bankseg_common::flight::{self as common_flight, TableTicket};
use bankseg_common::store::{DATAFUSION_URL, new_id, validate_id};
use bankseg_proto::analysis::v1::analysis_service_server::AnalysisService;
use bankseg_proto::analysis::v1::{
    AnalysisResult, AnalyzeRequest, AnalyzeResponse, GetAnalysisRequest, GetSegmentRequest,
    ListSegmentsRequest, ListSegmentsResponse, Segment, SegmentSummary,
};
use bankseg_proto::ingest::v1::GetQualityReportRequest;
use bankseg_proto::ingest::v1::ingest_service_client::IngestServiceClient;
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use futures::{StreamExt, TryStreamExt};
use object_store::ObjectStoreExt as _;
use tonic::transport::Channel;
use tonic::{Request, Response, Status};
use tracing::{Span, info, warn};

use crate::engine::{self, AnalysisConfig};
use crate::storage::{self, RESULT_FILE, RESULT_JSON_FILE};
use crate::{Error, Result, State, query};

/// Implementation of `AnalysisService`.
#[derive(Debug)]
pub struct Analysis {
    state: Arc<State>,
}

impl Analysis {
    pub(crate) fn new(state: Arc<State>) -> Self {
        Self { state }
    }

    /// The configuration of a request: its own TOML, else the service's default.
    fn config(&self, config_toml: &str) -> Result<AnalysisConfig> {
        let text = if config_toml.trim().is_empty() {
            match &self.state.default_config_toml {
                Some(text) => text.as_str(),
                None => return Ok(AnalysisConfig::study_default()),
            }
        } else {
            config_toml
        };
        AnalysisConfig::from_toml(text).map_err(|e| match e {
            engine::Error::Config(message) => Error::InvalidConfig(message),
            other => Error::Engine(other),
        })
    }

    async fn ingest_channel(&self, endpoint: &str) -> Result<(String, Channel)> {
        let url = if endpoint.trim().is_empty() {
            self.state.ingest_url.clone()
        } else {
            endpoint.trim().to_string()
        };
        match common_flight::connect(&url).await {
            Ok(channel) => Ok((url, channel)),
            Err(bankseg_common::Error::Config(message)) => Err(Error::Invalid {
                what: "ingest_endpoint",
                message,
            }),
            Err(e) => Err(Error::IngestUnavailable {
                message: error_chain(&e),
                url,
            }),
        }
    }

    async fn run_analysis(
        &self,
        request: AnalyzeRequest,
        analysis_id: &str,
    ) -> Result<AnalysisResult> {
        let state = &self.state;
        let store = &state.store;
        let max = state.max_message_bytes;
        let dataset_id = request.dataset_id;
        let config = self.config(&request.config_toml)?;
        let (url, channel) = self.ingest_channel(&request.ingest_endpoint).await?;

        let mut ingest = IngestServiceClient::new(channel.clone())
            .max_decoding_message_size(max)
            .max_encoding_message_size(max);
        let quality = ingest
            .get_quality_report(GetQualityReportRequest {
                dataset_id: dataset_id.clone(),
            })
            .await
            .map_err(|status| Error::Ingest(Box::new(status)))?
            .into_inner();

        // Stream the clean table into the store: the schema comes with the first batch.
        let mut batches =
            common_flight::fetch(channel, max, &TableTicket::new("clean", &dataset_id)).await?;
        let Some(first) = batches.try_next().await? else {
            return Err(Error::EmptyDataset(dataset_id));
        };
        let schema = first.schema();
        let batches = futures::stream::once(async move { Ok(first) }).chain(batches);
        let customers_key = storage::table_key(analysis_id, "customers")?;
        let rows = store.write_parquet(&customers_key, schema, batches).await?;
        if rows == 0 {
            return Err(Error::EmptyDataset(dataset_id));
        }
        info!(rows, ingest = %url, "clean table stored");

        let ctx = SessionContext::new_with_config(query::session_config());
        ctx.register_object_store(
            ObjectStoreUrl::parse(DATAFUSION_URL)?.as_ref(),
            store.object_store(),
        );
        ctx.register_parquet(
            "customers",
            storage::table_url(analysis_id, "customers"),
            ParquetReadOptions::default(),
        )
        .await?;

        let output = engine::analyze(&ctx, "customers", quality.clone(), &config).await?;

        let membership = output.membership.execute_stream().await?;
        let schema = membership.schema();
        let members = store
            .write_parquet(
                &storage::table_key(analysis_id, "membership")?,
                schema,
                membership.map_err(|e| bankseg_common::Error::Arrow(e.into())),
            )
            .await?;
        self.write_batch(analysis_id, "portraits", output.portraits)
            .await?;
        self.write_batch(analysis_id, "hypotheses", output.hypotheses)
            .await?;

        let mut result = output.result;
        result.schema_version = bankseg_proto::ANALYSIS_SCHEMA_VERSION;
        result.analysis_id = analysis_id.to_string();
        result.created_at = storage::now_rfc3339();
        if result.dataset_id.is_empty() {
            result.dataset_id = dataset_id;
        }
        if result.quality.is_none() {
            result.quality = Some(quality);
        }
        if result.config_toml.is_empty() {
            result.config_toml = config.to_toml();
        }
        let json = serde_json::to_vec_pretty(&result).map_err(|e| {
            Error::Common(bankseg_common::Error::Config(format!(
                "encoding {RESULT_JSON_FILE}: {e}"
            )))
        })?;
        store
            .put(&storage::key(analysis_id, RESULT_JSON_FILE)?, json.into())
            .await?;
        // Written last: its presence marks the analysis complete.
        store
            .put_message(&storage::key(analysis_id, RESULT_FILE)?, &result)
            .await?;
        info!(rows, members, "analysis stored");
        Ok(result)
    }

    async fn write_batch(&self, analysis_id: &str, table: &str, batch: RecordBatch) -> Result<()> {
        let key = storage::table_key(analysis_id, table)?;
        let schema = batch.schema();
        let batches = futures::stream::iter([Ok::<_, bankseg_common::Error>(batch)]);
        self.state
            .store
            .write_parquet(&key, schema, batches)
            .await?;
        Ok(())
    }

    /// Best-effort removal of what a failed analysis wrote (it never got an `analysis.pb`).
    async fn discard(&self, analysis_id: &str) {
        let store = self.state.store.object_store();
        let files = storage::TABLES
            .iter()
            .map(|t| format!("{t}.parquet"))
            .chain([RESULT_JSON_FILE.to_string()]);
        for file in files {
            if let Ok(key) = storage::key(analysis_id, &file) {
                match store.delete(&key).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                    Err(e) => {
                        warn!(key = %key, error = %e, "cannot remove a partial analysis file")
                    }
                }
            }
        }
    }
}

/// An error and its sources, `outer: inner: innermost`.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        let part = inner.to_string();
        if !text.ends_with(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = inner.source();
    }
    text
}

/// Reads the stored result of the request's analysis.
async fn load(state: &State, analysis_id: &str) -> Result<AnalysisResult> {
    storage::validate_analysis_id(analysis_id)?;
    storage::load_result(&state.store, analysis_id).await
}

/// Every segment's summary, each top-level segment followed by its sub-segments.
pub fn segment_summaries(result: &AnalysisResult) -> Vec<SegmentSummary> {
    fn push(s: &SegmentSummary, out: &mut Vec<SegmentSummary>) {
        if !out.iter().any(|o| o.segment_id == s.segment_id) {
            out.push(s.clone());
        }
    }
    let mut out: Vec<SegmentSummary> = Vec::new();
    for segment in &result.segments {
        if let Some(summary) = &segment.summary {
            push(summary, &mut out);
        }
        for child in &segment.children {
            push(child, &mut out);
        }
    }
    out
}

/// The segment `id`: a stored segment, or a sub-segment known from its parent's `children`.
pub fn find_segment(result: &AnalysisResult, id: &str) -> Option<Segment> {
    let stored = result
        .segments
        .iter()
        .find(|s| s.summary.as_ref().is_some_and(|m| m.segment_id == id));
    if let Some(segment) = stored {
        return Some(segment.clone());
    }
    result
        .segments
        .iter()
        .flat_map(|s| s.children.iter())
        .find(|c| c.segment_id == id)
        .map(|child| Segment {
            summary: Some(child.clone()),
            ..Segment::default()
        })
}

#[tonic::async_trait]
impl AnalysisService for Analysis {
    #[tracing::instrument(skip_all, fields(dataset_id = %request.get_ref().dataset_id, analysis_id))]
    async fn analyze(
        &self,
        request: Request<AnalyzeRequest>,
    ) -> Result<Response<AnalyzeResponse>, Status> {
        let request = request.into_inner();
        validate_id(&request.dataset_id).map_err(|e| match e {
            bankseg_common::Error::Invalid { message, .. } => Error::Invalid {
                what: "dataset_id",
                message,
            },
            other => Error::Common(other),
        })?;
        let analysis_id = new_id();
        Span::current().record("analysis_id", analysis_id.as_str());
        match self.run_analysis(request, &analysis_id).await {
            Ok(result) => Ok(Response::new(AnalyzeResponse {
                analysis_id,
                overview: result.overview,
            })),
            Err(e) => {
                warn!(error = %e, "analysis failed");
                self.discard(&analysis_id).await;
                Err(e.into_status())
            }
        }
    }

    #[tracing::instrument(skip_all, fields(analysis_id = %request.get_ref().analysis_id))]
    async fn get_analysis(
        &self,
        request: Request<GetAnalysisRequest>,
    ) -> Result<Response<AnalysisResult>, Status> {
        let result = load(&self.state, &request.get_ref().analysis_id).await?;
        Ok(Response::new(result))
    }

    #[tracing::instrument(skip_all, fields(analysis_id = %request.get_ref().analysis_id))]
    async fn list_segments(
        &self,
        request: Request<ListSegmentsRequest>,
    ) -> Result<Response<ListSegmentsResponse>, Status> {
        let result = load(&self.state, &request.get_ref().analysis_id).await?;
        Ok(Response::new(ListSegmentsResponse {
            segments: segment_summaries(&result),
        }))
    }

    #[tracing::instrument(skip_all, fields(analysis_id = %request.get_ref().analysis_id, segment_id = %request.get_ref().segment_id))]
    async fn get_segment(
        &self,
        request: Request<GetSegmentRequest>,
    ) -> Result<Response<Segment>, Status> {
        let request = request.into_inner();
        let result = load(&self.state, &request.analysis_id).await?;
        let segment =
            find_segment(&result, &request.segment_id).ok_or_else(|| Error::NotFound {
                kind: "segment",
                id: format!("{} in analysis {}", request.segment_id, request.analysis_id),
            })?;
        Ok(Response::new(segment))
    }
}
