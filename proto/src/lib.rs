//! Wire contracts of bankseg.
//!
//! This crate is the only owner of `.proto` compilation in the workspace: every service depends on it
//! for its gRPC types, and it re-exports [`tonic`] and [`prost`] so the whole workspace uses one version
//! of each. Packages follow `bankseg.<service>.v1`; the encoded descriptor set of all of them is
//! [`FILE_DESCRIPTOR_SET`], which the services hand to gRPC server reflection.
//!
//! Messages also derive `serde::Serialize`, which is how `analysis.json` and `quality.json` are written.

pub use prost;
pub use tonic;
pub use tonic_health;
pub use tonic_reflection;

/// Encoded `FileDescriptorSet` of every bankseg `.proto` file.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/bankseg_descriptor.bin"));

/// Types shared by several services.
pub mod common {
    /// Version 1.
    pub mod v1 {
        tonic::include_proto!("bankseg.common.v1");
    }
}

/// The ingestion service: raw export in, clean and quarantine tables and a quality report out.
pub mod ingest {
    /// Version 1.
    pub mod v1 {
        tonic::include_proto!("bankseg.ingest.v1");
    }
}

/// The analysis service: EDA, segments, hypothesis tests and recommendations.
pub mod analysis {
    /// Version 1.
    pub mod v1 {
        tonic::include_proto!("bankseg.analysis.v1");
    }
}

/// The report service: HTML, Markdown and JSON documents.
pub mod report {
    /// Version 1.
    pub mod v1 {
        tonic::include_proto!("bankseg.report.v1");
    }
}

/// Version of the meaning of `AnalysisResult` and of `analysis.json` (see `schema/analysis.schema.json`).
pub const ANALYSIS_SCHEMA_VERSION: u32 = 1;
