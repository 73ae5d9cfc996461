//! Object-store side of scheduled runs: pick the newest export under a prefix, publish the outputs.
//!
//! Both accept what `BANKSEG_STORE` accepts: `s3://bucket/prefix` (credentials and endpoint from the
//! standard `AWS_*` variables), `file:///dir` or a plain directory.

use std::path::{Path, PathBuf};

use bankseg_common::store::ArtifactStore;
use futures::TryStreamExt;
use object_store::buffered::BufWriter;
use object_store::path::Path as StorePath;
use tokio::io::AsyncWriteExt;

use crate::{CliError, Result};

fn open(location: &str) -> Result<ArtifactStore> {
    ArtifactStore::open(location).map_err(|e| CliError::Usage(format!("{location}: {e}")))
}

fn join(location: &str, key: &str) -> String {
    if location.contains("://") {
        format!("{}/{key}", location.trim_end_matches('/'))
    } else {
        Path::new(location).join(key).display().to_string()
    }
}

/// The newest `.csv` or `.parquet` object under `location`: an `s3://` URI for object stores, a
/// local path otherwise.
pub async fn latest_object(location: &str) -> Result<String> {
    let store = open(location)?;
    let objects: Vec<_> = store
        .object_store()
        .list(None)
        .try_collect()
        .await
        .map_err(|e| CliError::Internal(format!("listing {location}: {e}")))?;
    let newest = objects
        .into_iter()
        .filter(|o| {
            let name = o.location.as_ref().to_ascii_lowercase();
            name.ends_with(".csv") || name.ends_with(".parquet")
        })
        .max_by(|a, b| {
            a.last_modified
                .cmp(&b.last_modified)
                .then_with(|| a.location.cmp(&b.location))
        })
        .ok_or_else(|| CliError::Usage(format!("no .csv or .parquet export under {location}")))?;
    let key = newest.location.as_ref();
    let local = location.strip_prefix("file://").unwrap_or(location);
    Ok(if location.starts_with("s3://") {
        join(location, key)
    } else {
        join(local, key)
    })
}

/// Uploads `files` (paths under `out_dir`) to `<location>/<analysis_id>/`, streaming each file.
pub async fn publish(
    location: &str,
    analysis_id: &str,
    out_dir: &Path,
    files: &[PathBuf],
) -> Result<String> {
    let store = open(location)?;
    for file in files {
        let relative = file.strip_prefix(out_dir).unwrap_or(file);
        let key = StorePath::from(format!("{analysis_id}/{}", relative.display()));
        let mut source = tokio::fs::File::open(file)
            .await
            .map_err(|e| CliError::Internal(format!("reading {}: {e}", file.display())))?;
        let mut writer = BufWriter::new(store.object_store(), key.clone());
        tokio::io::copy(&mut source, &mut writer)
            .await
            .map_err(|e| CliError::Internal(format!("publishing {key}: {e}")))?;
        writer
            .shutdown()
            .await
            .map_err(|e| CliError::Internal(format!("publishing {key}: {e}")))?;
    }
    Ok(join(location, analysis_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn newest_export_is_found_and_outputs_are_published() {
        let exports = tempfile::tempdir().unwrap();
        std::fs::write(exports.path().join("a.csv"), "x\n").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(exports.path().join("b.csv"), "y\n").unwrap();
        std::fs::write(exports.path().join("notes.txt"), "z\n").unwrap();
        let dir = exports.path().to_str().unwrap();
        let newest = latest_object(dir).await.unwrap();
        assert_eq!(newest, exports.path().join("b.csv").display().to_string());

        let empty = tempfile::tempdir().unwrap();
        let err = latest_object(empty.path().to_str().unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.exit_code(), 2);

        let out = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(out.path().join("charts")).unwrap();
        let files = vec![
            out.path().join("report.html"),
            out.path().join("charts/c.svg"),
        ];
        std::fs::write(&files[0], "<html></html>").unwrap();
        std::fs::write(&files[1], "<svg/>").unwrap();
        let target = tempfile::tempdir().unwrap();
        let url = publish(target.path().to_str().unwrap(), "a1", out.path(), &files)
            .await
            .unwrap();
        assert_eq!(url, target.path().join("a1").display().to_string());
        assert_eq!(
            std::fs::read_to_string(target.path().join("a1/charts/c.svg")).unwrap(),
            "<svg/>"
        );
    }
}
