//! Errors of the ingestion service and their one mapping to gRPC statuses.

use tonic::{Code, Status};

/// Errors raised while resolving, reading and cleaning an export.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is not a usable export (bad bytes, markers, header, shape); the message names the
    /// line and column where they apply.
    #[error("{0}")]
    InvalidInput(String),
    /// A column the mapping requires is not in the source.
    #[error("missing required column {source_name:?} (canonical {canonical}); {found}")]
    MissingColumn {
        /// Canonical column name.
        canonical: &'static str,
        /// The source name the mapping expects.
        source_name: String,
        /// What the source has instead.
        found: String,
    },
    /// The column mapping is malformed.
    #[error("mapping: {0}")]
    Mapping(String),
    /// A request argument is malformed.
    #[error("invalid {what}: {message}")]
    InvalidArgument {
        /// The argument.
        what: &'static str,
        /// Why.
        message: String,
    },
    /// A path or URI outside the allowed roots.
    #[error("{0}")]
    PermissionDenied(String),
    /// A path, URI, upload or dataset that does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The shared runtime (store, Flight utilities) failed.
    #[error(transparent)]
    Common(#[from] bankseg_common::Error),
    /// The query engine failed.
    #[error("query engine: {0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    /// Arrow failed.
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    /// Parquet failed.
    #[error("parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    /// An object store failed.
    #[error("object store: {0}")]
    ObjectStore(#[from] object_store::Error),
    /// Local I/O failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// A broken internal invariant (never bad input).
    #[error("internal: {0}")]
    Internal(String),
}

/// Result with the ingestion service's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Shorthand for [`Error::InvalidInput`].
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::InvalidInput(message.into())
    }

    /// The gRPC status this error reaches clients as.
    pub fn into_status(self) -> Status {
        if let Error::Common(e) = self {
            return e.into_status();
        }
        let code = match &self {
            Error::InvalidInput(_)
            | Error::MissingColumn { .. }
            | Error::Mapping(_)
            | Error::InvalidArgument { .. } => Code::InvalidArgument,
            Error::PermissionDenied(_) => Code::PermissionDenied,
            Error::NotFound(_) => Code::NotFound,
            Error::ObjectStore(object_store::Error::NotFound { .. }) => Code::NotFound,
            Error::Parquet(_) => Code::InvalidArgument,
            // The memory pool is too small for the input (e.g. a hash join over millions of
            // duplicate rows): a limit to raise, not a bug.
            Error::DataFusion(e)
                if matches!(
                    e.find_root(),
                    datafusion::error::DataFusionError::ResourcesExhausted(_)
                ) =>
            {
                Code::ResourceExhausted
            }
            _ => Code::Internal,
        };
        Status::new(code, self.to_string())
    }

    /// The process exit status for the command line: 2 for bad input, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::InvalidInput(_)
            | Error::MissingColumn { .. }
            | Error::Mapping(_)
            | Error::InvalidArgument { .. }
            | Error::PermissionDenied(_)
            | Error::NotFound(_)
            | Error::Parquet(_) => 2,
            _ => 1,
        }
    }
}

impl From<Error> for Status {
    fn from(e: Error) -> Self {
        e.into_status()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_is_invalid_argument_and_exit_status_two() {
        let e = Error::invalid("line 3, column 2 (score): field is too long");
        assert_eq!(e.exit_code(), 2);
        let status = e.into_status();
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(
            status.message(),
            "line 3, column 2 (score): field is too long"
        );
        let denied = Error::PermissionDenied("path \"/etc/passwd\" refused".into());
        assert_eq!(denied.exit_code(), 2);
        assert_eq!(denied.into_status().code(), Code::PermissionDenied);
        let missing = Error::NotFound("upload x not found".into());
        assert_eq!(missing.into_status().code(), Code::NotFound);
        let internal = Error::Internal("counts do not add up".into());
        assert_eq!(internal.exit_code(), 1);
        assert_eq!(internal.into_status().code(), Code::Internal);
        let exhausted = Error::DataFusion(datafusion::error::DataFusionError::Context(
            "mark duplicates".into(),
            Box::new(datafusion::error::DataFusionError::ResourcesExhausted(
                "Failed to allocate additional 300 MB for HashJoinInput".into(),
            )),
        ));
        assert_eq!(exhausted.exit_code(), 1);
        let status = exhausted.into_status();
        assert_eq!(status.code(), Code::ResourceExhausted);
        assert!(
            status.message().contains("HashJoinInput"),
            "{}",
            status.message()
        );
        let store = Error::Common(bankseg_common::Error::NotFound {
            kind: "dataset",
            id: "d1".into(),
        });
        let status = store.into_status();
        assert_eq!(status.code(), Code::NotFound);
        assert_eq!(status.message(), "dataset d1 not found");
    }
}
