//! Where an export comes from: a path under the allowed roots, an object-store URI, or an upload.
//!
//! Every source ends up as a local file the staging pass can read sequentially: local paths are read
//! in place (after the allowed-roots check), objects and uploads are streamed to a file in the job's
//! working directory (chunk by chunk, never held in memory).

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use bankseg_common::store::{ArtifactStore, validate_id};
use futures::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};
use tokio::io::AsyncWriteExt;

use crate::{Error, Result};

/// Kind under which uploads live in the artifact store (`uploads/<id>/<name>`).
pub const UPLOADS: &str = "uploads";

/// What a request asks to ingest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A local path (must be under an allowed root).
    Path(String),
    /// `s3://bucket/key` or `file:///path`.
    Uri(String),
    /// An upload id from Flight DoPut.
    Upload(String),
}

impl Source {
    /// How the source is named in the quality report.
    pub fn describe(&self) -> String {
        match self {
            Source::Path(p) => p.clone(),
            Source::Uri(u) => u.clone(),
            Source::Upload(id) => format!("upload:{id}"),
        }
    }
}

/// A source made readable as a local file.
#[derive(Debug)]
pub struct LocalSource {
    /// The file to read.
    pub path: PathBuf,
    /// The source's file name (for format detection by extension).
    pub name: String,
}

/// Checks that `raw` names a regular file under one of `roots`, following symlinks; returns the
/// canonical path.
pub fn check_allowed(raw: &str, roots: &[PathBuf]) -> Result<PathBuf> {
    if roots.is_empty() {
        return Err(Error::PermissionDenied(format!(
            "path {raw:?} refused: the service has no allowed root directories (--allowed-roots)"
        )));
    }
    let path = Path::new(raw);
    if path.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err(Error::PermissionDenied(format!(
            "path {raw:?} refused: '..' components are not allowed"
        )));
    }
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let canonical_roots: Vec<PathBuf> = roots
        .iter()
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .collect();
    let lexically_inside = roots
        .iter()
        .chain(canonical_roots.iter())
        .any(|root| absolute.starts_with(root));
    if !lexically_inside {
        return Err(Error::PermissionDenied(format!(
            "path {raw:?} refused: it is outside the allowed root directories"
        )));
    }
    let canonical = match std::fs::canonicalize(&absolute) {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::NotFound(format!("path {raw:?} does not exist")));
        }
        Err(e) => return Err(e.into()),
    };
    if !canonical_roots
        .iter()
        .any(|root| canonical.starts_with(root))
    {
        return Err(Error::PermissionDenied(format!(
            "path {raw:?} refused: it resolves (through a symbolic link) outside the allowed root directories"
        )));
    }
    if !canonical.is_file() {
        return Err(Error::InvalidArgument {
            what: "path",
            message: format!("{raw:?} is not a regular file"),
        });
    }
    Ok(canonical)
}

/// Makes `source` readable as a local file; remote objects are downloaded into `work_dir`.
pub async fn localize(
    source: &Source,
    roots: &[PathBuf],
    store: &ArtifactStore,
    work_dir: &Path,
) -> Result<LocalSource> {
    match source {
        Source::Path(p) => local_path(p, roots),
        Source::Uri(uri) => {
            if let Some(path) = uri.strip_prefix("file://") {
                return local_path(path, roots);
            }
            let Some(rest) = uri.strip_prefix("s3://") else {
                return Err(Error::InvalidArgument {
                    what: "uri",
                    message: format!("{uri:?}: expected s3://bucket/key or file:///path"),
                });
            };
            let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() || key.is_empty() {
                return Err(Error::InvalidArgument {
                    what: "uri",
                    message: format!("{uri:?}: expected s3://bucket/key"),
                });
            }
            let s3 = AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .build()
                .map_err(|e| Error::InvalidArgument {
                    what: "uri",
                    message: format!("{uri:?}: {e}"),
                })?;
            let store: Arc<dyn ObjectStore> = Arc::new(s3);
            let key = ObjectPath::from(key);
            let name = key.filename().unwrap_or("object").to_string();
            let target = work_dir.join("source");
            download(&store, &key, &target, uri).await?;
            Ok(LocalSource { path: target, name })
        }
        Source::Upload(id) => {
            validate_id(id)?;
            let objects = store
                .object_store()
                .list_with_delimiter(Some(&ObjectPath::from(format!("{UPLOADS}/{id}"))))
                .await?;
            let Some(object) = objects.objects.into_iter().next() else {
                return Err(Error::NotFound(format!("upload {id} not found")));
            };
            let name = object.location.filename().unwrap_or("upload").to_string();
            let target = work_dir.join("source");
            download(
                &store.object_store(),
                &object.location,
                &target,
                &source.describe(),
            )
            .await?;
            Ok(LocalSource { path: target, name })
        }
    }
}

fn local_path(raw: &str, roots: &[PathBuf]) -> Result<LocalSource> {
    let path = check_allowed(raw, roots)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(LocalSource { path, name })
}

async fn download(
    store: &Arc<dyn ObjectStore>,
    key: &ObjectPath,
    target: &Path,
    describe: &str,
) -> Result<()> {
    let result = match store.get(key).await {
        Ok(r) => r,
        Err(object_store::Error::NotFound { .. }) => {
            return Err(Error::NotFound(format!("{describe} not found")));
        }
        Err(e) => return Err(e.into()),
    };
    let mut file = tokio::fs::File::create(target).await?;
    let mut stream = result.into_stream();
    while let Some(chunk) = stream.next().await {
        file.write_all(&chunk?).await?;
    }
    file.flush().await?;
    Ok(())
}

/// Checks an upload's file name: one plain path segment.
pub fn validate_upload_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 255
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0']);
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidArgument {
            what: "upload name",
            message: format!("{name:?}: expected a plain file name without '/'"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_outside_roots_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let inside = root.path().join("a.csv");
        std::fs::write(&inside, "x").unwrap();
        let secret = outside.path().join("secret.csv");
        std::fs::write(&secret, "x").unwrap();
        let roots = vec![root.path().to_path_buf()];

        assert!(check_allowed(inside.to_str().unwrap(), &roots).is_ok());
        let err = check_allowed(secret.to_str().unwrap(), &roots).unwrap_err();
        assert!(matches!(err, Error::PermissionDenied(_)));
        let dotdot = format!("{}/../{}", root.path().display(), secret.display());
        let err = check_allowed(&dotdot, &roots).unwrap_err();
        assert!(err.to_string().ends_with("'..' components are not allowed"));
        #[cfg(unix)]
        {
            let link = root.path().join("link.csv");
            std::os::unix::fs::symlink(&secret, &link).unwrap();
            let err = check_allowed(link.to_str().unwrap(), &roots).unwrap_err();
            assert!(err.to_string().contains("through a symbolic link"));
        }
        let missing = root.path().join("missing.csv");
        let err = check_allowed(missing.to_str().unwrap(), &roots).unwrap_err();
        assert!(matches!(err, Error::NotFound(_)));
        let err = check_allowed(inside.to_str().unwrap(), &[]).unwrap_err();
        assert!(matches!(err, Error::PermissionDenied(_)));
    }

    #[test]
    fn upload_names_are_plain() {
        assert!(validate_upload_name("bank.csv").is_ok());
        assert!(validate_upload_name("../x").is_err());
        assert!(validate_upload_name("").is_err());
        assert!(validate_upload_name("..").is_err());
    }
}
