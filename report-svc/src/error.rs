//! Errors of the report service and their one mapping onto gRPC statuses.

use tonic::{Code, Status};

/// Errors raised while fetching, rendering, storing or serving a report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The shared runtime (artifact store, ids, transport) failed.
    #[error(transparent)]
    Common(#[from] bankseg_common::Error),
    /// analysis-svc answered a request with an error status.
    #[error("analysis service: {}", .0.message())]
    Analysis(Box<Status>),
    /// A request field that does not have the expected form.
    #[error("invalid {what}: {message}")]
    Invalid {
        /// Which field.
        what: &'static str,
        /// Why it is rejected.
        message: String,
    },
    /// The analysis was produced under a schema version this service does not know.
    #[error("analysis schema version {found} is not supported: expected at most {supported}")]
    UnsupportedSchema {
        /// Version found in the analysis.
        found: u32,
        /// Newest version this service renders.
        supported: u32,
    },
    /// A chart could not be drawn.
    #[error("drawing chart {chart}: {message}")]
    Chart {
        /// Chart file name.
        chart: String,
        /// What the plotting library reported.
        message: String,
    },
    /// JSON encoding failed.
    #[error("encoding json: {0}")]
    Json(#[from] serde_json::Error),
    /// A stored report is not consistent with its manifest.
    #[error("report {id} is damaged: {message}")]
    Damaged {
        /// Report id.
        id: String,
        /// What is wrong.
        message: String,
    },
    /// A background rendering task panicked or was cancelled.
    #[error("rendering task failed: {0}")]
    Task(String),
    /// The HTTP dashboard server failed.
    #[error("http dashboard: {0}")]
    Http(#[from] std::io::Error),
}

/// Result with the report service's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The gRPC status this error reaches clients as.
    pub fn into_status(self) -> Status {
        let code = match self {
            Error::Common(e) => return e.into_status(),
            Error::Analysis(ref status) => match status.code() {
                Code::NotFound => Code::NotFound,
                Code::InvalidArgument => Code::InvalidArgument,
                Code::DeadlineExceeded => Code::DeadlineExceeded,
                Code::Unavailable | Code::Unknown => Code::Unavailable,
                _ => Code::Internal,
            },
            Error::Invalid { .. } => Code::InvalidArgument,
            Error::UnsupportedSchema { .. } => Code::FailedPrecondition,
            Error::Chart { .. }
            | Error::Json(_)
            | Error::Damaged { .. }
            | Error::Task(_)
            | Error::Http(_) => Code::Internal,
        };
        Status::new(code, self.to_string())
    }
}

impl From<Error> for Status {
    fn from(e: Error) -> Self {
        e.into_status()
    }
}

impl From<Status> for Error {
    fn from(status: Status) -> Self {
        Error::Analysis(Box::new(status))
    }
}
