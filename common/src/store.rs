//! The artifact store: datasets, analyses and reports addressed by id.
//!
//! Backed by [`object_store`]: a local directory by default, S3 (or any S3-compatible store) in a
//! cluster, so any replica can serve any id and results outlive a restart. Keys are laid out as
//! `<kind>/<id>/<file>`, e.g. `datasets/<id>/clean.parquet` or `analyses/<id>/analysis.pb`.

use std::path::PathBuf;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use bytes::Bytes;
use futures::{Stream, StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::buffered::BufWriter;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use parquet::arrow::AsyncArrowWriter;
#[allow(deprecated)] // its replacement is a hand-written AsyncFileReader (arrow-rs#10308)
use parquet::arrow::async_reader::ParquetObjectReader;
use parquet::arrow::async_reader::ParquetRecordBatchStreamBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::{Error, Result};

/// Scheme under which the store is registered with DataFusion (`bankseg-store://artifacts/<key>`).
pub const DATAFUSION_URL: &str = "bankseg-store://artifacts";

/// Artifact store handle; cheap to clone.
#[derive(Clone)]
pub struct ArtifactStore {
    inner: Arc<dyn ObjectStore>,
    description: String,
}

impl std::fmt::Debug for ArtifactStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArtifactStore")
            .field("location", &self.description)
            .finish()
    }
}

impl ArtifactStore {
    /// Opens a store from `BANKSEG_STORE`'s forms: a directory path (created if missing),
    /// `file:///dir`, or `s3://bucket[/prefix]`.
    pub fn open(location: &str) -> Result<Self> {
        if let Some(rest) = location.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(Error::Config(format!("store {location:?} names no bucket")));
            }
            let s3 = AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .build()
                .map_err(|e| Error::Config(format!("store {location:?}: {e}")))?;
            let inner: Arc<dyn ObjectStore> = if prefix.trim_matches('/').is_empty() {
                Arc::new(s3)
            } else {
                Arc::new(Prefixed::new(Arc::new(s3), prefix.trim_matches('/')))
            };
            return Ok(Self {
                inner,
                description: location.to_string(),
            });
        }
        let dir = PathBuf::from(location.strip_prefix("file://").unwrap_or(location));
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::Config(format!("store directory {}: {e}", dir.display())))?;
        let fs = LocalFileSystem::new_with_prefix(&dir)
            .map_err(|e| Error::Config(format!("store directory {}: {e}", dir.display())))?;
        Ok(Self {
            inner: Arc::new(fs),
            description: dir.display().to_string(),
        })
    }

    /// A store over any [`ObjectStore`] (tests use `InMemory`).
    pub fn from_object_store(inner: Arc<dyn ObjectStore>, description: impl Into<String>) -> Self {
        Self {
            inner,
            description: description.into(),
        }
    }

    /// The underlying object store, e.g. to register with DataFusion under [`DATAFUSION_URL`].
    pub fn object_store(&self) -> Arc<dyn ObjectStore> {
        Arc::clone(&self.inner)
    }

    /// Where the store lives, for logs.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Key of `file` of artifact `id` of `kind`; ids are checked so they cannot escape their folder.
    pub fn key(kind: &str, id: &str, file: &str) -> Result<Path> {
        validate_id(id)?;
        Ok(Path::from(format!("{kind}/{id}/{file}")))
    }

    /// Stores bytes under `key`.
    pub async fn put(&self, key: &Path, bytes: Bytes) -> Result<()> {
        self.inner.put(key, PutPayload::from(bytes)).await?;
        Ok(())
    }

    /// Reads the bytes under `key`; a missing key is [`Error::NotFound`] for `kind` `id`.
    pub async fn get(&self, key: &Path, kind: &'static str, id: &str) -> Result<Bytes> {
        match self.inner.get(key).await {
            Ok(r) => Ok(r.bytes().await?),
            Err(object_store::Error::NotFound { .. }) => Err(Error::NotFound {
                kind,
                id: id.to_string(),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether `key` exists.
    pub async fn exists(&self, key: &Path) -> Result<bool> {
        match self.inner.head(key).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Stores a protobuf message.
    pub async fn put_message<M: prost::Message>(&self, key: &Path, message: &M) -> Result<()> {
        self.put(key, Bytes::from(message.encode_to_vec())).await
    }

    /// Reads a protobuf message stored by [`Self::put_message`].
    pub async fn get_message<M: prost::Message + Default>(
        &self,
        key: &Path,
        kind: &'static str,
        id: &str,
    ) -> Result<M> {
        let bytes = self.get(key, kind, id).await?;
        Ok(M::decode(bytes)?)
    }

    /// Writes a stream of record batches as a Snappy-compressed Parquet file, streaming (multipart
    /// upload on object stores); returns the number of rows written.
    pub async fn write_parquet<S, E>(
        &self,
        key: &Path,
        schema: SchemaRef,
        batches: S,
    ) -> Result<u64>
    where
        S: Stream<Item = std::result::Result<RecordBatch, E>>,
        Error: From<E>,
    {
        // Row groups are buffered in memory until flushed: cap them so memory does not grow with
        // the table.
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(131_072))
            .set_max_row_group_bytes(Some(32 << 20))
            .build();
        let writer = BufWriter::new(Arc::clone(&self.inner), key.clone());
        let mut writer = AsyncArrowWriter::try_new(writer, schema, Some(props))?;
        let mut rows = 0u64;
        futures::pin_mut!(batches);
        while let Some(batch) = batches.next().await {
            let batch = batch?;
            rows += batch.num_rows() as u64;
            writer.write(&batch).await?;
        }
        writer.close().await?;
        Ok(rows)
    }

    /// Streams a Parquet file's record batches.
    pub async fn read_parquet(
        &self,
        key: &Path,
        kind: &'static str,
        id: &str,
    ) -> Result<(
        SchemaRef,
        impl Stream<Item = Result<RecordBatch>> + Send + 'static,
    )> {
        if !self.exists(key).await? {
            return Err(Error::NotFound {
                kind,
                id: id.to_string(),
            });
        }
        #[allow(deprecated)]
        let reader = ParquetObjectReader::new(Arc::clone(&self.inner), key.clone());
        let builder = ParquetRecordBatchStreamBuilder::new(reader).await?;
        let schema = Arc::clone(builder.schema());
        let stream = builder.with_batch_size(8192).build()?.map_err(Error::from);
        Ok((schema, stream))
    }

    /// Reads a whole Parquet file (for small tables such as portraits).
    pub async fn read_parquet_all(
        &self,
        key: &Path,
        kind: &'static str,
        id: &str,
    ) -> Result<(SchemaRef, Vec<RecordBatch>)> {
        let (schema, stream) = self.read_parquet(key, kind, id).await?;
        Ok((schema, stream.try_collect().await?))
    }

    /// Lists the ids stored under `kind`.
    pub async fn list_ids(&self, kind: &str) -> Result<Vec<String>> {
        let listing = self
            .inner
            .list_with_delimiter(Some(&Path::from(kind)))
            .await?;
        Ok(listing
            .common_prefixes
            .iter()
            .filter_map(|p| p.filename().map(str::to_string))
            .collect())
    }
}

/// A store under a key prefix. object_store's [`PrefixStore`] reports objects read with `get`/`head`
/// under their full key (prefix included) while listings strip it; DataFusion compares the two and
/// then finds no file. This wrapper strips the prefix from every reported location.
#[derive(Debug)]
struct Prefixed {
    inner: PrefixStore<Arc<dyn ObjectStore>>,
}

impl Prefixed {
    fn new(inner: Arc<dyn ObjectStore>, prefix: &str) -> Self {
        Self {
            inner: PrefixStore::new(inner, prefix),
        }
    }
}

impl std::fmt::Display for Prefixed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.inner)
    }
}

#[async_trait::async_trait]
impl ObjectStore for Prefixed {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: object_store::PutOptions,
    ) -> object_store::Result<object_store::PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: object_store::PutMultipartOptions,
    ) -> object_store::Result<Box<dyn object_store::MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(
        &self,
        location: &Path,
        options: object_store::GetOptions,
    ) -> object_store::Result<object_store::GetResult> {
        let mut result = self.inner.get_opts(location, options).await?;
        result.meta.location = location.clone();
        Ok(result)
    }

    async fn get_ranges(
        &self,
        location: &Path,
        ranges: &[std::ops::Range<u64>],
    ) -> object_store::Result<Vec<Bytes>> {
        self.inner.get_ranges(location, ranges).await
    }

    fn delete_stream(
        &self,
        locations: futures::stream::BoxStream<'static, object_store::Result<Path>>,
    ) -> futures::stream::BoxStream<'static, object_store::Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(
        &self,
        prefix: Option<&Path>,
    ) -> futures::stream::BoxStream<'static, object_store::Result<object_store::ObjectMeta>> {
        self.inner.list(prefix)
    }

    fn list_with_offset(
        &self,
        prefix: Option<&Path>,
        offset: &Path,
    ) -> futures::stream::BoxStream<'static, object_store::Result<object_store::ObjectMeta>> {
        self.inner.list_with_offset(prefix, offset)
    }

    async fn list_with_delimiter(
        &self,
        prefix: Option<&Path>,
    ) -> object_store::Result<object_store::ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(
        &self,
        from: &Path,
        to: &Path,
        options: object_store::CopyOptions,
    ) -> object_store::Result<()> {
        self.inner.copy_opts(from, to, options).await
    }

    async fn rename_opts(
        &self,
        from: &Path,
        to: &Path,
        options: object_store::RenameOptions,
    ) -> object_store::Result<()> {
        self.inner.rename_opts(from, to, options).await
    }
}

/// New random id for an artifact.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Ids are 1..=64 characters of `[A-Za-z0-9_-]`.
pub fn validate_id(id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid {
            what: "id",
            message: format!("{id:?} is not 1 to 64 characters of letters, digits, '-' or '_'"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};

    #[tokio::test]
    async fn prefixed_stores_report_locations_without_the_prefix() {
        let memory: Arc<dyn ObjectStore> = Arc::new(object_store::memory::InMemory::new());
        let prefixed = Prefixed::new(Arc::clone(&memory), "tenant/artifacts");
        let key = Path::from("datasets/d1/quality.pb");
        prefixed
            .put(&key, PutPayload::from_static(b"x"))
            .await
            .unwrap();
        assert_eq!(prefixed.head(&key).await.unwrap().location, key);
        let listed: Vec<_> = prefixed.list(None).try_collect().await.unwrap();
        assert_eq!(listed[0].location, key);
        // The bytes live under the prefix in the underlying store.
        let full = Path::from("tenant/artifacts/datasets/d1/quality.pb");
        assert_eq!(memory.head(&full).await.unwrap().size, 1);
    }

    #[test]
    fn ids_cannot_escape_their_folder() {
        assert!(ArtifactStore::key("datasets", "../etc", "x").is_err());
        assert!(ArtifactStore::key("datasets", "", "x").is_err());
        assert!(ArtifactStore::key("datasets", "a/b", "x").is_err());
        assert_eq!(
            ArtifactStore::key("datasets", "abc-1_2", "clean.parquet")
                .unwrap()
                .as_ref(),
            "datasets/abc-1_2/clean.parquet"
        );
    }

    #[tokio::test]
    async fn parquet_and_messages_round_trip_through_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        let store = ArtifactStore::open(dir.path().to_str().unwrap()).unwrap();
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("city", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(Int64Array::from(vec![1, 2, 3])),
                Arc::new(StringArray::from(vec![
                    Some("Ростов"),
                    None,
                    Some("Рыбинск"),
                ])),
            ],
        )
        .unwrap();
        let key = ArtifactStore::key("datasets", "d1", "clean.parquet").unwrap();
        let batches = futures::stream::iter(vec![Ok::<_, Error>(batch.clone()), Ok(batch)]);
        let rows = store
            .write_parquet(&key, Arc::clone(&schema), batches)
            .await
            .unwrap();
        assert_eq!(rows, 6);
        let (read_schema, read) = store.read_parquet_all(&key, "dataset", "d1").await.unwrap();
        assert_eq!(read_schema.fields().len(), 2);
        assert_eq!(read.iter().map(|b| b.num_rows()).sum::<usize>(), 6);
        assert_eq!(
            store.list_ids("datasets").await.unwrap(),
            vec!["d1".to_string()]
        );

        let missing = ArtifactStore::key("datasets", "nope", "clean.parquet").unwrap();
        let err = store
            .read_parquet(&missing, "dataset", "nope")
            .await
            .err()
            .unwrap();
        assert_eq!(err.to_string(), "dataset nope not found");
        assert_eq!(err.into_status().code(), tonic::Code::NotFound);

        let msg = bankseg_proto::common::v1::LocalizedText {
            ru: "да".into(),
            en: "yes".into(),
        };
        let mkey = ArtifactStore::key("analyses", "a1", "t.pb").unwrap();
        store.put_message(&mkey, &msg).await.unwrap();
        let back: bankseg_proto::common::v1::LocalizedText =
            store.get_message(&mkey, "analysis", "a1").await.unwrap();
        assert_eq!(back, msg);
    }
}
