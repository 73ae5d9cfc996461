//! Errors of the command line and their exit statuses.

use tonic::Code;

/// What went wrong, classified by whose fault it is.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad input or usage: exit status 2.
    #[error("{0}")]
    Usage(String),
    /// A service refused the input (invalid export, unknown id, forbidden path): exit status 2.
    #[error("{stage}: {message} ({code:?})")]
    Rejected {
        /// Pipeline stage ("ingest", "analysis", "report", ...).
        stage: &'static str,
        /// gRPC status code.
        code: Code,
        /// The service's message.
        message: String,
    },
    /// Anything else (a service down, an internal failure): exit status 1.
    #[error("{0}")]
    Internal(String),
}

/// Result with [`CliError`].
pub type Result<T, E = CliError> = std::result::Result<T, E>;

impl CliError {
    /// Exit status: 2 for bad input or usage, 1 for internal failures.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) | CliError::Rejected { .. } => 2,
            CliError::Internal(_) => 1,
        }
    }

    /// Classifies a gRPC status returned by `stage`.
    pub fn from_status(stage: &'static str, status: tonic::Status) -> Self {
        let code = status.code();
        let message = status.message().to_string();
        match code {
            Code::InvalidArgument
            | Code::NotFound
            | Code::PermissionDenied
            | Code::FailedPrecondition
            | Code::OutOfRange => CliError::Rejected {
                stage,
                code,
                message,
            },
            _ => CliError::Internal(format!("{stage}: {message} ({code:?})")),
        }
    }
}

impl From<bankseg_common::Error> for CliError {
    fn from(e: bankseg_common::Error) -> Self {
        CliError::from_status("pipeline", e.into_status())
    }
}
