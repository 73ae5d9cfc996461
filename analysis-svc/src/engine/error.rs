//! Errors of the analysis engine.

/// Why an analysis could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The analysis configuration is invalid (message names the TOML location).
    #[error("analysis configuration: {0}")]
    Config(String),
    /// A column the configuration needs is absent from the table or has the wrong type.
    #[error("column {column:?} {problem} in table {table:?}")]
    MissingColumn {
        /// Table analysed.
        table: String,
        /// Column name.
        column: String,
        /// What is wrong, e.g. "is missing".
        problem: String,
    },
    /// A query failed.
    #[error("query: {0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    /// Arrow failed on a result batch.
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    /// A query returned something the engine did not expect.
    #[error("unexpected query result: {0}")]
    Internal(String),
}

/// Result with the engine's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
