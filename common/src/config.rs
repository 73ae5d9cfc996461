//! Configuration every server shares, read from flags with `BANKSEG_*` environment fallbacks.

use std::time::Duration;

use clap::Args;

use crate::telemetry::LogFormat;

/// Default largest gRPC / Flight message, both directions: 64 MiB (tonic's own default is 4 MiB).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// Largest Arrow Flight data message the services produce; batches are split below it so a message
/// always fits the peer's decode limit.
pub const FLIGHT_DATA_TARGET_BYTES: usize = 2 * 1024 * 1024;

/// Flags shared by the three services (flattened into each service's own `Config`).
#[derive(Debug, Clone, Args)]
pub struct RuntimeArgs {
    /// Artifact store: a local directory, `file:///dir`, or `s3://bucket/prefix` (credentials and
    /// endpoint from the standard `AWS_*` environment variables).
    #[arg(long, env = "BANKSEG_STORE", default_value = "./bankseg-data")]
    pub store: String,

    /// Largest gRPC message accepted or sent, in bytes.
    #[arg(long, env = "BANKSEG_MAX_MESSAGE_BYTES", default_value_t = DEFAULT_MAX_MESSAGE_BYTES)]
    pub max_message_bytes: usize,

    /// Upper bound on any request's duration, in seconds (clients' own deadlines are honoured too).
    #[arg(long, env = "BANKSEG_REQUEST_TIMEOUT_SECS", default_value_t = 900)]
    pub request_timeout_secs: u64,

    /// Seconds in-flight requests get to finish after SIGTERM/SIGINT before the server stops.
    #[arg(long, env = "BANKSEG_SHUTDOWN_GRACE_SECS", default_value_t = 25)]
    pub shutdown_grace_secs: u64,

    /// Log line format (filter with `RUST_LOG`, e.g. `RUST_LOG=info,ingest_svc=debug`).
    #[arg(long, env = "BANKSEG_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

impl RuntimeArgs {
    /// Defaults, as if no flag and no environment variable were given; for in-process use and tests.
    pub fn with_store(store: impl Into<String>) -> Self {
        Self {
            store: store.into(),
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            request_timeout_secs: 900,
            shutdown_grace_secs: 25,
            log_format: LogFormat::Text,
        }
    }

    /// Server options for [`crate::server::serve`].
    pub fn server_options(&self, name: &'static str) -> crate::server::ServerOptions {
        crate::server::ServerOptions {
            name,
            max_message_bytes: self.max_message_bytes,
            request_timeout: Duration::from_secs(self.request_timeout_secs),
            shutdown_grace: Duration::from_secs(self.shutdown_grace_secs),
        }
    }
}
