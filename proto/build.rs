//! Compiles the bankseg contracts with protox (pure Rust, no system `protoc`) and tonic-prost-build.

use std::path::PathBuf;

use prost::Message as _;

const PROTOS: &[&str] = &[
    "bankseg/common/v1/common.proto",
    "bankseg/ingest/v1/ingest.proto",
    "bankseg/analysis/v1/analysis.proto",
    "bankseg/report/v1/report.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    let fds = protox::compile(PROTOS, ["proto"])?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("bankseg_descriptor.bin"), fds.encode_to_vec())?;
    tonic_prost_build::configure()
        .type_attribute(".bankseg", "#[derive(serde::Serialize)]")
        .type_attribute(".bankseg", "#[serde(rename_all = \"snake_case\")]")
        .compile_fds(fds)?;
    Ok(())
}
