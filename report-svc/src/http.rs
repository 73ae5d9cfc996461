//! The dashboard: stored reports over plain HTTP.
//!
//! - `GET /reports` — a page listing the stored reports (at most [`MAX_LISTED`]), with links;
//! - `GET /reports/{id}` — the report's main document (the HTML report is the dashboard: its city
//!   and segment filters run in the page from embedded aggregates); 404 for an unknown id, 400 for
//!   a malformed one;
//! - `GET /reports/{id}/{*file}` — a file the report refers to (Markdown reports' charts);
//! - `GET /healthz` — `ok`.
//!
//! Responses carry a Content-Security-Policy that allows nothing from outside the page.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bankseg_common::store::ArtifactStore;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::render::html::escape;
use crate::service;
use crate::{Error, Result};
use bankseg_proto::report::v1::ReportFormat;

/// Content-Security-Policy of every served document: inline styles, scripts and images only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data: 'self'";

/// Most reports the index page lists.
pub const MAX_LISTED: usize = 500;

/// The dashboard's routes over `store`.
pub fn router(store: ArtifactStore) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/reports", get(index))
        .route("/reports/{id}", get(report))
        .route("/reports/{id}/{*file}", get(attachment))
        .with_state(store)
}

/// Serves the dashboard on `listener` until `shutdown` is cancelled.
pub async fn serve(
    listener: TcpListener,
    store: ArtifactStore,
    shutdown: CancellationToken,
) -> Result<()> {
    let addr = listener.local_addr()?;
    info!(addr = %addr, "serving report dashboard over http");
    axum::serve(listener, router(store))
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await
        .map_err(Error::Http)
}

async fn index(State(store): State<ArtifactStore>) -> Response {
    let mut ids = match store.list_ids(service::KIND).await {
        Ok(ids) => ids,
        Err(e) => return error_response(e.into()),
    };
    ids.sort();
    let mut rows = String::new();
    for id in ids.iter().take(MAX_LISTED) {
        // Reports being written have no manifest yet; skip them.
        let Ok(manifest) = service::manifest(&store, id).await else {
            continue;
        };
        let format = ReportFormat::try_from(manifest.format)
            .map(|f| {
                f.as_str_name()
                    .trim_start_matches("REPORT_FORMAT_")
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        rows.push_str(&format!(
            "<li><a href=\"/reports/{id}\">{id}</a> · {format}</li>\n",
            id = escape(id),
            format = escape(&format)
        ));
    }
    let more = if ids.len() > MAX_LISTED {
        format!("<p>{} more not listed</p>\n", ids.len() - MAX_LISTED)
    } else {
        String::new()
    };
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>bankseg reports</title>\n\
         <style>body {{ font-family: system-ui, sans-serif; margin: 2rem; }} li {{ margin: .3rem 0; }}</style>\n\
         </head>\n<body>\n<h1>Reports</h1>\n<ul>\n{rows}</ul>\n{more}</body>\n</html>\n"
    );
    document("text/html; charset=utf-8", page.into_bytes())
}

async fn report(State(store): State<ArtifactStore>, Path(id): Path<String>) -> Response {
    match service::main_document(&store, &id).await {
        Ok((manifest, bytes)) => document(&manifest.content_type, bytes.to_vec()),
        Err(e) => error_response(e),
    }
}

async fn attachment(
    State(store): State<ArtifactStore>,
    Path((id, file)): Path<(String, String)>,
) -> Response {
    match service::attachment(&store, &id, &file).await {
        Ok(Some((content_type, bytes))) => document(&content_type, bytes.to_vec()),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            format!("report {id} has no file {file}\n"),
        )
            .into_response(),
        Err(e) => error_response(e),
    }
}

fn document(content_type: &str, body: Vec<u8>) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn error_response(e: Error) -> Response {
    let status = e.into_status();
    let code = match status.code() {
        tonic::Code::NotFound => StatusCode::NOT_FOUND,
        tonic::Code::InvalidArgument => StatusCode::BAD_REQUEST,
        _ => {
            warn!(error = %status.message(), "serving a report failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    (code, format!("{}\n", status.message())).into_response()
}
