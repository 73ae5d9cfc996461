//! Shared runtime of the bankseg services.
//!
//! Every service binary is a thin `main` over a library that uses this crate for the parts that must
//! behave the same everywhere:
//!
//! - [`config`]: command-line / environment configuration shared by every server (`BANKSEG_*`);
//! - [`telemetry`]: `tracing` subscriber with an env filter and optional JSON lines;
//! - [`server`]: the one place where gRPC servers are built — health, reflection, message limits,
//!   deadlines, graceful shutdown (and, later, TLS and authentication);
//! - [`store`]: the artifact store (local directory or object store) where datasets, analyses and
//!   reports live by id, so any replica can serve them and they outlive a restart;
//! - [`flight`]: Arrow Flight helpers: tickets, channels with explicit limits, streaming Parquet in and
//!   out of the store;
//! - [`mod@format`]: numbers as each language writes them (`18,2 %`, `10 000` / `18.2%`, `10,000`), for
//!   every sentence a service writes for readers.

pub mod config;
pub mod error;
pub mod flight;
pub mod format;
pub mod server;
pub mod store;
pub mod telemetry;

pub use error::{Error, Result};
