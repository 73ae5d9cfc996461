//! Harness of the integration tests: the real data file, the service binaries as separate
//! processes, health and reflection probes.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// The real export named by `BANKSEG_REAL_DATA`, or `None` after printing why the test is skipped.
pub fn real_data() -> Option<PathBuf> {
    match std::env::var_os("BANKSEG_REAL_DATA") {
        Some(p) if !p.is_empty() => {
            let path = PathBuf::from(p);
            assert!(
                path.is_file(),
                "BANKSEG_REAL_DATA={} is not a file",
                path.display()
            );
            Some(path)
        }
        _ => {
            eprintln!("skipped: BANKSEG_REAL_DATA not set");
            None
        }
    }
}

/// Parses a `bankseg run` command line into its arguments.
pub fn run_args(args: &[&str]) -> bankseg::RunArgs {
    use clap::Parser;
    let mut argv = vec!["bankseg", "run", "--quiet"];
    argv.extend_from_slice(args);
    match bankseg::Cli::try_parse_from(argv) {
        Ok(bankseg::Cli {
            command: bankseg::Command::Run(run),
            ..
        }) => *run,
        Ok(_) => panic!("not a run command"),
        Err(e) => panic!("bad test command line: {e}"),
    }
}

/// Directory holding the workspace's binaries (`target/<profile>`), next to the test executable.
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    // target/<profile>/deps/it-<hash> → target/<profile>
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .expect("target dir")
}

/// Whether the service binaries are built; when not, CI fails and a local run says it is skipping.
pub fn binaries_available() -> bool {
    let dir = bin_dir();
    let missing: Vec<_> = ["ingest-svc", "analysis-svc", "report-svc", "bankseg"]
        .iter()
        .filter(|b| !dir.join(b).is_file())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let message = format!(
        "binaries {missing:?} not built in {} (run `cargo build --workspace --bins` first)",
        dir.display()
    );
    if std::env::var_os("CI").is_some() {
        panic!("{message}");
    }
    eprintln!("skipped: {message}");
    false
}

/// A free loopback port (bound and released; good enough for a test's lifetime).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A service binary running as a separate process; killed on drop.
#[derive(Debug)]
pub struct Process {
    child: Child,
    /// Its gRPC endpoint.
    pub url: String,
}

impl Process {
    /// Starts `binary` listening on a free port with `env`, and waits until it reports SERVING.
    pub async fn start(binary: &str, env: &[(&str, String)]) -> Result<Self> {
        let port = free_port();
        let mut command = Command::new(bin_dir().join(binary));
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("BANKSEG_LISTEN", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            command.env(k, v);
        }
        let child = command
            .spawn()
            .with_context(|| format!("starting {binary}"))?;
        let process = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        wait_serving(&process.url, "", Duration::from_secs(30)).await?;
        Ok(process)
    }

    /// Sends SIGTERM and waits for the process to exit; returns its exit status code.
    pub fn terminate(mut self) -> Result<Option<i32>> {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status()?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status.code());
            }
            if Instant::now() > deadline {
                bail!("{} did not stop within 30 s of SIGTERM", self.url);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Health status of `service` ("" for the whole server) at `url`.
pub async fn health(url: &str, service: &str) -> Result<ServingStatus> {
    let channel = tonic::transport::Endpoint::from_shared(url.to_string())?
        .connect()
        .await?;
    let response = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: service.to_string(),
        })
        .await?;
    Ok(ServingStatus::try_from(response.into_inner().status).unwrap_or(ServingStatus::Unknown))
}

/// Waits until `service` at `url` reports SERVING.
pub async fn wait_serving(url: &str, service: &str, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        match health(url, service).await {
            Ok(ServingStatus::Serving) => return Ok(()),
            Ok(other) if Instant::now() > deadline => bail!("{url} reports {other:?}"),
            Err(e) if Instant::now() > deadline => bail!("{url} not reachable: {e}"),
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// Service names listed by gRPC server reflection at `url`.
pub async fn reflected_services(url: &str) -> Result<Vec<String>> {
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

    let channel = tonic::transport::Endpoint::from_shared(url.to_string())?
        .connect()
        .await?;
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = ServerReflectionClient::new(channel)
        .server_reflection_info(tokio_stream::iter(vec![request]))
        .await?
        .into_inner();
    let mut names = Vec::new();
    if let Some(response) = responses.message().await?
        && let Some(MessageResponse::ListServicesResponse(list)) = response.message_response
    {
        names.extend(list.service.into_iter().map(|s| s.name));
    }
    names.sort();
    Ok(names)
}

/// `analysis.json` without what differs between two runs of the same analysis (ids, timestamps).
pub fn comparable_analysis(path: &Path) -> Result<serde_json::Value> {
    let mut value: serde_json::Value = serde_json::from_slice(&std::fs::read(path)?)?;
    strip_run_specific(&mut value);
    Ok(value)
}

/// The first place where two JSON documents differ, as a path and both values. Numbers count as
/// equal within 1e-9 relative: parallel aggregation adds partial sums in whatever order the threads
/// finish, so the last bits of a sum may differ between two runs of the same analysis.
pub fn first_difference(a: &serde_json::Value, b: &serde_json::Value) -> Option<String> {
    fn walk(path: &str, a: &serde_json::Value, b: &serde_json::Value) -> Option<String> {
        use serde_json::Value::{Array, Object};
        match (a, b) {
            (Object(x), Object(y)) => {
                let mut keys: Vec<_> = x.keys().chain(y.keys()).collect();
                keys.sort();
                keys.dedup();
                keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => walk(&format!("{path}.{k}"), u, v),
                    (u, v) => Some(format!("{path}.{k}: {u:?} vs {v:?}")),
                })
            }
            (Array(x), Array(y)) if x.len() == y.len() => x
                .iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (u, v))| walk(&format!("{path}[{i}]"), u, v)),
            _ if a == b => None,
            (serde_json::Value::Number(x), serde_json::Value::Number(y)) => {
                let (x, y) = (
                    x.as_f64().unwrap_or(f64::NAN),
                    y.as_f64().unwrap_or(f64::NAN),
                );
                let close = (x - y).abs() <= 1e-9 * x.abs().max(y.abs());
                (!close).then(|| format!("{path}: {x} vs {y}"))
            }
            _ => Some(format!("{path}: {a} vs {b}")),
        }
    }
    walk("", a, b)
}

fn strip_run_specific(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for key in [
                "analysis_id",
                "dataset_id",
                "created_at",
                "source",
                "report_id",
            ] {
                map.remove(key);
            }
            map.values_mut().for_each(strip_run_specific);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_run_specific),
        _ => {}
    }
}
