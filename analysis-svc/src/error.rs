//! Errors of analysis-svc and their one mapping to gRPC statuses ([`Error::into_status`]).

use datafusion::error::DataFusionError;
use tonic::{Code, Status};

/// Errors raised by the analysis service.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The shared runtime failed (store, Flight transport, ids).
    #[error(transparent)]
    Common(#[from] bankseg_common::Error),
    /// ingest-svc could not be reached.
    #[error("ingest-svc at {url} is unreachable: {message}")]
    IngestUnavailable {
        /// The endpoint tried.
        url: String,
        /// Why.
        message: String,
    },
    /// ingest-svc answered with an error status; its code reaches the client unchanged.
    #[error("ingest-svc: {}", .0.message())]
    Ingest(Box<Status>),
    /// The analysis configuration (TOML) cannot be used.
    #[error("invalid analysis configuration: {0}")]
    InvalidConfig(String),
    /// A request field that does not have the expected form.
    #[error("invalid {what}: {message}")]
    Invalid {
        /// Which field.
        what: &'static str,
        /// Why.
        message: String,
    },
    /// Something looked up by id does not exist.
    #[error("{kind} {id} not found")]
    NotFound {
        /// What was looked for ("segment", ...).
        kind: &'static str,
        /// Its id.
        id: String,
    },
    /// The dataset has no clean rows to analyse.
    #[error("dataset {0} has no clean rows to analyse")]
    EmptyDataset(String),
    /// A Flight SQL request that would change something, on a read-only endpoint.
    #[error("read-only endpoint: {0}")]
    ReadOnly(String),
    /// A Flight SQL feature this endpoint does not offer.
    #[error("not supported: {0}")]
    Unsupported(String),
    /// Planning or running a query failed.
    #[error("query: {0}")]
    Query(#[from] DataFusionError),
    /// Arrow failed to encode or decode data.
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    /// Arrow Flight encoding or metadata building failed.
    #[error("flight: {0}")]
    Flight(#[from] arrow_flight::error::FlightError),
    /// The analysis engine failed.
    #[error("analysis: {0}")]
    Engine(#[from] crate::engine::Error),
}

/// Result with the analysis service's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The gRPC status this error reaches clients as.
    pub fn into_status(self) -> Status {
        match self {
            Error::Common(e) => e.into_status(),
            Error::Flight(arrow_flight::error::FlightError::Tonic(status)) => *status,
            other => Status::new(other.code(), other.to_string()),
        }
    }

    fn code(&self) -> Code {
        match self {
            Error::Common(_) | Error::Arrow(_) | Error::Flight(_) => Code::Internal,
            Error::Engine(e) => engine_code(e),
            Error::Ingest(status) => status.code(),
            Error::IngestUnavailable { .. } => Code::Unavailable,
            Error::InvalidConfig(_) | Error::Invalid { .. } => Code::InvalidArgument,
            Error::NotFound { .. } => Code::NotFound,
            Error::EmptyDataset(_) => Code::FailedPrecondition,
            Error::ReadOnly(_) => Code::PermissionDenied,
            Error::Unsupported(_) => Code::Unimplemented,
            Error::Query(e) => datafusion_code(e),
        }
    }
}

impl From<Error> for Status {
    fn from(e: Error) -> Self {
        e.into_status()
    }
}

/// Plan, SQL and schema errors are the caller's; resource limits are reported as such.
fn datafusion_code(e: &DataFusionError) -> Code {
    match e.find_root() {
        DataFusionError::Plan(_)
        | DataFusionError::SQL(..)
        | DataFusionError::SchemaError(..)
        | DataFusionError::NotImplemented(_) => Code::InvalidArgument,
        DataFusionError::ResourcesExhausted(_) => Code::ResourceExhausted,
        _ => Code::Internal,
    }
}

/// Configuration problems are the caller's; a table that lacks what the configuration needs is a
/// precondition of the dataset.
fn engine_code(e: &crate::engine::Error) -> Code {
    use crate::engine::Error as E;
    match e {
        E::Config(_) => Code::InvalidArgument,
        E::MissingColumn { .. } => Code::FailedPrecondition,
        E::DataFusion(e) => datafusion_code(e),
        _ => Code::Internal,
    }
}
