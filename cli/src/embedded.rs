//! The three services started in-process on loopback ports, for `bankseg run` without endpoints.
//!
//! They are the real servers (the same `spawn` the binaries use), reached over real gRPC; only the
//! processes are shared.

use std::path::Path;

use bankseg_common::server::Running;

use crate::pipeline::{self, Endpoints, Outputs};
use crate::{CliError, Result, RunArgs};

/// Three running services.
#[derive(Debug)]
pub struct Services {
    /// ingest-svc.
    pub ingest: Running,
    /// analysis-svc.
    pub analysis: Running,
    /// report-svc.
    pub report: Running,
}

impl Services {
    /// Starts ingest-svc, analysis-svc and report-svc on `127.0.0.1:0`, sharing the artifact store in
    /// `store_dir`.
    pub async fn start(store_dir: &Path) -> Result<Self> {
        let store = store_dir.display().to_string();
        let internal = |what: &str, e: &dyn std::fmt::Display| {
            CliError::Internal(format!("starting {what}: {e}"))
        };
        let ingest = ingest_svc::spawn(ingest_svc::Config::for_tests(&store))
            .await
            .map_err(|e| internal("ingest-svc", &e))?;
        let analysis = analysis_svc::spawn(analysis_svc::Config::for_tests(&store, &ingest.url()))
            .await
            .map_err(|e| internal("analysis-svc", &e))?;
        let report = report_svc::spawn(report_svc::Config::for_tests(&store, &analysis.url()))
            .await
            .map_err(|e| internal("report-svc", &e))?;
        Ok(Self {
            ingest,
            analysis,
            report,
        })
    }

    /// Their endpoints.
    pub fn endpoints(&self) -> Endpoints {
        Endpoints {
            ingest: self.ingest.url(),
            analysis: self.analysis.url(),
            report: self.report.url(),
        }
    }

    /// Stops all three, letting in-flight requests finish.
    pub async fn stop(self) -> Result<()> {
        let results = [
            self.report.stop().await,
            self.analysis.stop().await,
            self.ingest.stop().await,
        ];
        for r in results {
            r.map_err(|e| CliError::Internal(format!("stopping a service: {e}")))?;
        }
        Ok(())
    }
}

/// `bankseg run` without endpoints.
pub async fn run(args: &RunArgs) -> Result<Outputs> {
    let temporary;
    let store_dir = match &args.store {
        Some(dir) => dir.clone(),
        None => {
            temporary = tempfile::tempdir()
                .map_err(|e| CliError::Internal(format!("temporary directory: {e}")))?;
            temporary.path().to_path_buf()
        }
    };
    let services = Services::start(&store_dir).await?;
    let outputs = pipeline::run(args, &services.endpoints()).await;
    services.stop().await?;
    outputs
}
