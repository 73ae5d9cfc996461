//! Errors of the shared runtime.

use tonic::{Code, Status};

/// Errors raised by the shared runtime.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The artifact store refused or failed an operation.
    #[error("artifact store: {0}")]
    Store(#[from] object_store::Error),
    /// An object that was expected in the artifact store is not there.
    #[error("{kind} {id} not found")]
    NotFound {
        /// What was looked for ("dataset", "analysis", ...).
        kind: &'static str,
        /// Its id.
        id: String,
    },
    /// An id or ticket that does not have the expected form.
    #[error("invalid {what}: {message}")]
    Invalid {
        /// What was malformed.
        what: &'static str,
        /// Why.
        message: String,
    },
    /// Arrow failed to encode or decode data.
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    /// Parquet failed to encode or decode data.
    #[error("parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    /// Arrow Flight transport or protocol failure.
    #[error("flight: {0}")]
    Flight(#[from] arrow_flight::error::FlightError),
    /// A gRPC transport failure (connecting, serving).
    #[error("transport: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// A protobuf message in the store could not be decoded.
    #[error("decoding stored message: {0}")]
    Decode(#[from] prost::DecodeError),
    /// Configuration that cannot work.
    #[error("configuration: {0}")]
    Config(String),
    /// Local I/O.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

/// Result with the shared runtime's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The gRPC status this error should reach clients as.
    pub fn into_status(self) -> Status {
        if let Error::Flight(arrow_flight::error::FlightError::Tonic(status)) = self {
            return *status;
        }
        let code = match &self {
            Error::NotFound { .. } => Code::NotFound,
            Error::Store(object_store::Error::NotFound { .. }) => Code::NotFound,
            Error::Invalid { .. } => Code::InvalidArgument,
            Error::Transport(_) => Code::Unavailable,
            Error::Config(_) => Code::FailedPrecondition,
            _ => Code::Internal,
        };
        Status::new(code, self.to_string())
    }
}

impl From<Error> for Status {
    fn from(e: Error) -> Self {
        e.into_status()
    }
}
