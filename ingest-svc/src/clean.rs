//! The cleaning pipeline: DataFusion SQL over the staged table.
//!
//! The SQL lives in `ingest-svc/sql/*.sql` and is embedded as written. Settings reach it as data, never
//! as pasted text: the typed settings are a one-row `params` table, the mapping's value maps a
//! `value_map` table, and the outlier fences are bound as named placeholders (`$score_lower`, ...)
//! with `DataFrame::with_param_values`. The only text substitutions
//! are the two quantile probabilities (typed `f64` values checked to lie in `[0, 1]`) and, for the
//! missing-balance breakdown, a column name from a fixed list in this file.
//!
//! Steps, each streamed (intermediate tables are Parquet files in the job's working directory, so
//! every later step re-reads them instead of holding them in memory), none holding more than one
//! bucket of rows:
//!
//! 1. `classify.sql`: staged text → typed columns + reason code → `classified`, written in source
//!    order (checked while writing) and registered with that order, so no later step sorts it;
//! 2. `quarantine.sql`: rejected rows → `quarantine.parquet` in the store;
//! 3. `bucket_keys.sql`: user id, raw record and line of each valid row, split by a hash of the
//!    user id into buckets of about [`Job::bucket_rows`] rows; `marks.sql` then finds the exact
//!    duplicates and repeated ids of one bucket at a time → `marks` (one row per marked row);
//! 4. `deduplicate.sql`: valid rows minus exact duplicates, with the repeated-id flag → the view
//!    `deduplicated`;
//! 5. `quantiles.sql`: exact quantiles (`percentile_cont`) → fences (IQR or percentiles);
//! 6. `clean.sql`: flags (`balance_missing`, `outlier_*`) → `clean.parquet`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray,
    UInt32Array,
};
use arrow::datatypes::{DataType, Field, Schema};
use bankseg_common::store::{ArtifactStore, DATAFUSION_URL};
use datafusion::common::ScalarValue;
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::functions_aggregate::expr_fn::{approx_distinct, count, count_distinct, sum};
use datafusion::physical_plan::SendableRecordBatchStream;
use datafusion::prelude::{
    Expr, ParquetReadOptions, SessionConfig, SessionContext, cast, col, lit, when,
};
use futures::StreamExt;
use object_store::buffered::BufWriter;
use parquet::arrow::{ArrowWriter, AsyncArrowWriter};
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::mapping::{CANONICAL, Kind, Layout, Mapping};
use crate::{Error, Result};

const CLASSIFY_SQL: &str = include_str!("../sql/classify.sql");
const QUARANTINE_SQL: &str = include_str!("../sql/quarantine.sql");
const BUCKET_KEYS_SQL: &str = include_str!("../sql/bucket_keys.sql");
const MARKS_SQL: &str = include_str!("../sql/marks.sql");
const DEDUPLICATE_SQL: &str = include_str!("../sql/deduplicate.sql");
const EXACT_DUPLICATES_SQL: &str = include_str!("../sql/exact_duplicates.sql");
const COUNTS_SQL: &str = include_str!("../sql/counts.sql");
const QUANTILES_SQL: &str = include_str!("../sql/quantiles.sql");
const QUANTILES_APPROX_SQL: &str = include_str!("../sql/quantiles_approx.sql");
const CLEAN_SQL: &str = include_str!("../sql/clean.sql");
const MISSING_BALANCE_SQL: &str = include_str!("../sql/missing_balance.sql");
const DUPLICATE_IDS_SQL: &str = include_str!("../sql/duplicate_ids.sql");
const QUARANTINE_REASONS_SQL: &str = include_str!("../sql/quarantine_reasons.sql");

/// Default of [`Job::exact_max_rows`]: up to this many clean rows, quantiles and distinct counts are exact (`percentile_cont`,
/// `count(DISTINCT)`, which hold the values in memory); above it they are approximate
/// (`approx_percentile_cont`, a t-digest, and `approx_distinct`, HyperLogLog) so memory stays flat.
pub const DEFAULT_EXACT_MAX_ROWS: u64 = 2_000_000;

/// Default of [`Job::bucket_rows`]: the duplicate checks work on buckets of about this many valid
/// rows (all rows of a user id in one bucket), so their memory does not grow with the file.
pub const DEFAULT_BUCKET_ROWS: u64 = 1_000_000;

/// Numeric columns that get outlier flags.
pub const OUTLIER_COLUMNS: [&str; 4] = ["score", "age", "balance", "est_salary"];

/// Columns the missing-balance breakdown groups by (when present).
pub const MISSING_BALANCE_GROUPS: [&str; 5] = ["churn", "products", "equity", "city", "gender"];

/// How outlier fences are set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OutlierRule {
    /// Tukey fences: `Q1 - k·IQR` and `Q3 + k·IQR`.
    Iqr {
        /// The multiplier (1.5 by default).
        k: f64,
    },
    /// Values below the `low` or above the `high` quantile.
    Percentile {
        /// Lower probability (0.01 by default).
        low: f64,
        /// Upper probability (0.99 by default).
        high: f64,
    },
}

/// Cleaning settings (the request's `CleaningOptions` with defaults filled in).
#[derive(Debug, Clone, PartialEq)]
pub struct CleaningOptions {
    /// Quarantine rows without an age (default: keep them with a NULL age).
    pub quarantine_missing_age: bool,
    /// Outlier rule.
    pub outlier_rule: OutlierRule,
    /// Valid `products` range, inclusive.
    pub products: (i64, i64),
    /// Valid `age` range, inclusive.
    pub age: (i64, i64),
    /// Valid `score` range, inclusive.
    pub score: (f64, f64),
}

impl Default for CleaningOptions {
    fn default() -> Self {
        Self {
            quarantine_missing_age: false,
            outlier_rule: OutlierRule::Iqr { k: 1.5 },
            products: (1, 5),
            age: (18, 100),
            score: (0.0, 1000.0),
        }
    }
}

impl CleaningOptions {
    /// Settings from the request, checked.
    pub fn from_proto(
        options: Option<&bankseg_proto::ingest::v1::CleaningOptions>,
    ) -> Result<Self> {
        use bankseg_proto::ingest::v1::{MissingAgePolicy, OutlierRule as PbRule};
        let mut out = Self::default();
        let Some(o) = options else {
            return Ok(out);
        };
        out.quarantine_missing_age = o.missing_age() == MissingAgePolicy::Quarantine;
        out.outlier_rule = match o.outlier_rule() {
            PbRule::Percentile => OutlierRule::Percentile {
                low: o.lower_percentile.unwrap_or(0.01),
                high: o.upper_percentile.unwrap_or(0.99),
            },
            PbRule::Unspecified | PbRule::Iqr => OutlierRule::Iqr {
                k: o.iqr_k.unwrap_or(1.5),
            },
        };
        out.products = (
            o.min_products.map_or(out.products.0, i64::from),
            o.max_products.map_or(out.products.1, i64::from),
        );
        out.age = (
            o.min_age.map_or(out.age.0, i64::from),
            o.max_age.map_or(out.age.1, i64::from),
        );
        out.score = (
            o.min_score.unwrap_or(out.score.0),
            o.max_score.unwrap_or(out.score.1),
        );
        out.validate()?;
        Ok(out)
    }

    fn validate(&self) -> Result<()> {
        let bad = |message: String| Error::InvalidArgument {
            what: "options",
            message,
        };
        match self.outlier_rule {
            OutlierRule::Iqr { k } if !(k.is_finite() && k >= 0.0) => {
                return Err(bad(format!("iqr_k {k}: expected a finite number >= 0")));
            }
            OutlierRule::Percentile { low, high }
                if !(low.is_finite()
                    && high.is_finite()
                    && 0.0 <= low
                    && low < high
                    && high <= 1.0) =>
            {
                return Err(bad(format!(
                    "percentiles {low}..{high}: expected 0 <= lower < upper <= 1"
                )));
            }
            _ => {}
        }
        if self.products.0 > self.products.1 {
            return Err(bad(format!(
                "products range {}..={} is empty",
                self.products.0, self.products.1
            )));
        }
        if self.age.0 > self.age.1 {
            return Err(bad(format!(
                "age range {}..={} is empty",
                self.age.0, self.age.1
            )));
        }
        if !(self.score.0.is_finite() && self.score.1.is_finite() && self.score.0 <= self.score.1) {
            return Err(bad(format!(
                "score range {}..={}: expected finite bounds, lower <= upper",
                self.score.0, self.score.1
            )));
        }
        Ok(())
    }
}

/// Outlier fences of one column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fence {
    /// Values below are outliers.
    pub lower: Option<f64>,
    /// Values above are outliers.
    pub upper: Option<f64>,
}

/// Per-column figures of the clean table.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnFigures {
    /// Column name.
    pub column: String,
    /// Arrow type.
    pub data_type: String,
    /// NULL values.
    pub nulls: u64,
    /// Distinct non-NULL values.
    pub distinct: u64,
    /// Values below / above the fences.
    pub outliers: Option<(u64, u64)>,
    /// The fences.
    pub fence: Option<Fence>,
}

/// One group of the missing-balance breakdown.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupFigures {
    /// Grouping column.
    pub column: String,
    /// The group's value as text (`NULL` for missing).
    pub value: String,
    /// Rows in the group.
    pub rows: u64,
    /// Rows without a balance.
    pub missing: u64,
}

/// Everything the cleaning found; [`crate::quality`] turns it into the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// Data records read from the source.
    pub rows_read: u64,
    /// Rows in the clean table.
    pub rows_clean: u64,
    /// Rows in the quarantine table.
    pub rows_quarantined: u64,
    /// Valid rows removed as exact duplicates.
    pub exact_duplicates_removed: u64,
    /// Rows flagged duplicate_user_id, and their distinct ids.
    pub duplicate_id_rows: u64,
    /// Distinct duplicated ids.
    pub duplicate_ids: u64,
    /// Quarantined rows per reason.
    pub reasons: Vec<(String, u64)>,
    /// Per-column figures.
    pub columns: Vec<ColumnFigures>,
    /// Missing-balance groups.
    pub missing_balance: Vec<GroupFigures>,
    /// Rows read without a balance (quarantined rows included).
    pub balance_missing: u64,
    /// Whether the source has a balance column.
    pub has_balance: bool,
    /// Rows without an age (kept, NULL age).
    pub age_missing: u64,
    /// Whether quantiles and distinct counts are exact (see [`Job::exact_max_rows`]).
    pub exact_statistics: bool,
}

/// Where a job works and what it cleans.
#[derive(Debug)]
pub struct Job<'a> {
    /// The artifact store.
    pub store: &'a ArtifactStore,
    /// Dataset id (outputs go to `datasets/<id>/`).
    pub dataset_id: &'a str,
    /// Scratch directory (intermediate Parquet files, spills).
    pub work_dir: &'a Path,
    /// The staged table.
    pub staging: &'a Path,
    /// Rows the staging pass read.
    pub rows_read: u64,
    /// Column positions in the source.
    pub layout: &'a Layout,
    /// The mapping used.
    pub mapping: &'a Mapping,
    /// Settings.
    pub options: &'a CleaningOptions,
    /// Memory limit of the query engine, in bytes.
    pub memory_limit: usize,
    /// Largest row count for exact quantiles and distinct counts; above it they are approximate.
    pub exact_max_rows: u64,
    /// Valid rows per bucket of the duplicate checks (see [`DEFAULT_BUCKET_ROWS`]).
    pub bucket_rows: u64,
}

/// A session with a memory limit that spills to `work_dir/spill`. `view_types`: read Parquet
/// strings as `Utf8View` (faster inside the pipeline; off when reporting the stored types).
///
/// `DATAFUSION_*` environment variables (e.g. `DATAFUSION_EXECUTION_BATCH_SIZE`) override these
/// settings, as in `SessionConfig::from_env`.
fn session(work_dir: &Path, memory_limit: usize, view_types: bool) -> Result<SessionContext> {
    // No Parquet metadata or statistics caches: each scratch file is opened a few times at most,
    // and the caches (up to 50 + 20 MiB, outside the pool) would fill as files grow.
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_limit(memory_limit, 1.0)
        .with_temp_file_path(work_dir.join("spill"))
        .with_metadata_cache_limit(0)
        .with_file_statistics_cache_limit(0)
        .build_arc()?;
    // One partition: the plans then have no `RepartitionExec`, whose spill pool (DataFusion 55)
    // can deadlock a grouped aggregation on two or more partitions once the memory pool is full
    // (apache/datafusion#24883, fixed upstream by #24891); it also keeps one hash table per
    // aggregate instead of one per partition, so the pool is not split.
    let mut config = SessionConfig::new()
        .with_target_partitions(1)
        .with_batch_size(8192);
    config
        .options_mut()
        .execution
        .parquet
        .schema_force_view_types = view_types;
    apply_env(&mut config)?;
    Ok(SessionContext::new_with_config_rt(config, runtime))
}

/// Sets every option named by a `DATAFUSION_<SECTION>_<KEY>` environment variable.
fn apply_env(config: &mut SessionConfig) -> Result<()> {
    let keys: Vec<String> = config
        .options()
        .entries()
        .into_iter()
        .map(|entry| entry.key)
        .collect();
    for key in keys {
        let var = key.to_uppercase().replace('.', "_");
        if let Some(value) = std::env::var_os(&var) {
            config
                .options_mut()
                .set(&key, &value.to_string_lossy())
                .map_err(|e| Error::Internal(format!("environment variable {var}: {e}")))?;
        }
    }
    Ok(())
}

/// Rows per row group of the stored clean and quarantine tables. A Parquet writer holds its open
/// row group in memory, so this (not the file size) bounds the writer's memory; readers stream
/// row group by row group.
pub const OUTPUT_ROW_GROUP_ROWS: usize = 131_072;

/// Largest encoded row group of the stored tables, in bytes (wide pass-through columns).
pub const OUTPUT_ROW_GROUP_BYTES: usize = 32 << 20;

/// Writer settings of the stored tables: Snappy, row groups of at most
/// [`OUTPUT_ROW_GROUP_ROWS`] rows or [`OUTPUT_ROW_GROUP_BYTES`] bytes.
pub fn output_properties() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(OUTPUT_ROW_GROUP_ROWS))
        .set_max_row_group_bytes(Some(OUTPUT_ROW_GROUP_BYTES))
        .build()
}

/// Streams a query result into the store as Parquet (see [`output_properties`]); returns the rows
/// written.
async fn write_output(
    store: &ArtifactStore,
    key: &object_store::path::Path,
    mut stream: SendableRecordBatchStream,
) -> Result<u64> {
    let writer = BufWriter::new(store.object_store(), key.clone());
    let mut writer = AsyncArrowWriter::try_new(writer, stream.schema(), Some(output_properties()))?;
    let mut rows = 0u64;
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        rows += batch.num_rows() as u64;
        writer.write(&batch).await?;
    }
    writer.close().await?;
    Ok(rows)
}

fn params_batch(job: &Job<'_>) -> Result<RecordBatch> {
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (name, _) in CANONICAL {
        fields.push(Field::new(format!("has_{name}"), DataType::Boolean, false));
        arrays.push(Arc::new(BooleanArray::from(vec![job.layout.has(name)])));
    }
    let strict = |name: &str| job.mapping.column(name).is_some_and(|c| c.strict);
    let flags = [
        ("strict_city", strict("city")),
        ("strict_gender", strict("gender")),
        ("quarantine_missing_age", job.options.quarantine_missing_age),
    ];
    for (name, value) in flags {
        fields.push(Field::new(name, DataType::Boolean, false));
        arrays.push(Arc::new(BooleanArray::from(vec![value])));
    }
    fields.push(Field::new("expected_fields", DataType::Int32, false));
    arrays.push(Arc::new(Int32Array::from(vec![
        i32::try_from(job.layout.field_count).unwrap_or(i32::MAX),
    ])));
    let ints = [
        ("min_products", job.options.products.0),
        ("max_products", job.options.products.1),
        ("min_age", job.options.age.0),
        ("max_age", job.options.age.1),
    ];
    for (name, value) in ints {
        fields.push(Field::new(name, DataType::Int64, false));
        arrays.push(Arc::new(Int64Array::from(vec![value])));
    }
    for (name, value) in [
        ("min_score", job.options.score.0),
        ("max_score", job.options.score.1),
    ] {
        fields.push(Field::new(name, DataType::Float64, false));
        arrays.push(Arc::new(Float64Array::from(vec![value])));
    }
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?)
}

fn value_map_batch(mapping: &Mapping) -> Result<RecordBatch> {
    let mut cols = Vec::new();
    let mut srcs = Vec::new();
    let mut dsts = Vec::new();
    for column in &mapping.columns {
        for (src, dst) in &column.values {
            cols.push(column.canonical);
            srcs.push(src.as_str());
            dsts.push(dst.as_str());
        }
    }
    let schema = Schema::new(vec![
        Field::new("col", DataType::Utf8, false),
        Field::new("src", DataType::Utf8, false),
        Field::new("dst", DataType::Utf8, false),
    ]);
    Ok(RecordBatch::try_new(
        Arc::new(schema),
        vec![
            Arc::new(StringArray::from(cols)),
            Arc::new(StringArray::from(srcs)),
            Arc::new(StringArray::from(dsts)),
        ],
    )?)
}

/// A Parquet writer for a local scratch file.
///
/// Synchronous, on the thread that runs the query (as DataFusion writes its spill files): the
/// writes are to local disk, and an async file would hand every write to the blocking thread pool,
/// whose threads each take their own allocator arena and leave memory behind in it.
fn scratch_writer(
    path: &Path,
    schema: arrow::datatypes::SchemaRef,
    properties: WriterProperties,
) -> Result<ArrowWriter<std::io::BufWriter<std::fs::File>>> {
    let file = std::io::BufWriter::with_capacity(64 << 10, std::fs::File::create(path)?);
    Ok(ArrowWriter::try_new(file, schema, Some(properties))?)
}

/// A scratch table written by [`materialize`].
struct Materialized {
    /// Rows written.
    rows: u64,
    /// Whether `source_line` strictly increases through the file (the table has that column).
    in_source_order: bool,
}

/// Runs `sql` and writes its result to a local Parquet file, checking on the way whether the rows
/// come in source order.
async fn materialize(ctx: &SessionContext, sql: &str, out: &Path) -> Result<Materialized> {
    let df = ctx.sql(sql).await?;
    let mut stream = df.execute_stream().await?;
    let mut writer = scratch_writer(out, stream.schema(), crate::stage::scratch_properties())?;
    let mut rows = 0u64;
    let mut last_line = None;
    let mut in_source_order = stream.schema().column_with_name("source_line").is_some();
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        rows += batch.num_rows() as u64;
        if in_source_order {
            in_source_order = continues_source_order(&batch, &mut last_line);
        }
        writer.write(&batch)?;
    }
    writer.close()?;
    Ok(Materialized {
        rows,
        in_source_order,
    })
}

/// Whether the batch's `source_line` values strictly increase, starting above `last`; moves `last`
/// to the batch's last line.
fn continues_source_order(batch: &RecordBatch, last: &mut Option<i64>) -> bool {
    let Some(lines) = batch
        .column_by_name("source_line")
        .and_then(|c| c.as_any().downcast_ref::<Int64Array>())
    else {
        return false;
    };
    if lines.null_count() > 0 {
        return false;
    }
    for &line in lines.values() {
        if last.is_some_and(|previous| line <= previous) {
            return false;
        }
        *last = Some(line);
    }
    true
}

/// Registers the local Parquet file `path` as `name`, declared sorted by `source_line` when
/// `in_source_order` (so that `ORDER BY source_line` over it, and over joins that keep its order,
/// needs no sort).
async fn register_in_order(
    ctx: &SessionContext,
    name: &str,
    path: &Path,
    in_source_order: bool,
) -> Result<()> {
    let path = utf8_path(path)?;
    let mut options = ParquetReadOptions::default();
    if in_source_order {
        options = options.file_sort_order(vec![vec![col("source_line").sort(true, false)]]);
    }
    ctx.register_parquet(name, path, options).await?;
    Ok(())
}

fn utf8_path(path: &Path) -> Result<&str> {
    path.to_str()
        .ok_or_else(|| Error::Internal(format!("work path {} is not UTF-8", path.display())))
}

/// Bucket of user id `id` among `buckets`: a 64-bit mix (the SplitMix64 finaliser) of the id, so
/// that ids with a common stride still spread evenly.
fn bucket_of(id: i64, buckets: usize) -> usize {
    let mut x = id as u64;
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^= x >> 31;
    (x % buckets as u64) as usize
}

/// Rows per row group of the bucket files: the split keeps one open row group per bucket, so the
/// groups shrink as buckets multiply and the writers together hold about 64k rows at any count.
fn bucket_row_group_rows(buckets: usize) -> usize {
    (65_536 / buckets.max(1)).clamp(1024, crate::stage::SCRATCH_ROW_GROUP_ROWS)
}

/// Splits the valid rows' keys (`bucket_keys.sql`) into `buckets` local Parquet files by a hash of
/// the user id; returns the files.
async fn split_into_buckets(
    ctx: &SessionContext,
    work_dir: &Path,
    buckets: usize,
) -> Result<Vec<PathBuf>> {
    let mut stream = ctx.sql(BUCKET_KEYS_SQL).await?.execute_stream().await?;
    // No dictionaries and small pages: a writer's dictionary and page buffers (up to 1 MiB each
    // per column by default) do not shrink with its row groups and would add up over the buckets.
    let properties = crate::stage::scratch_builder()
        .set_max_row_group_row_count(Some(bucket_row_group_rows(buckets)))
        .set_dictionary_enabled(false)
        .set_data_page_size_limit(64 << 10)
        .build();
    let mut paths = Vec::with_capacity(buckets);
    let mut writers = Vec::with_capacity(buckets);
    for k in 0..buckets {
        let path = work_dir.join(format!("bucket-{k}.parquet"));
        writers.push(scratch_writer(&path, stream.schema(), properties.clone())?);
        paths.push(path);
    }
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        if buckets == 1 {
            writers[0].write(&batch)?;
            continue;
        }
        let ids = batch
            .column_by_name("user_id")
            .and_then(|c| c.as_any().downcast_ref::<Int64Array>())
            .ok_or_else(|| Error::Internal("bucket keys have no Int64 user_id".into()))?;
        let mut rows: Vec<Vec<u32>> = vec![Vec::new(); buckets];
        for (row, id) in ids.iter().enumerate() {
            // Valid rows always have an id; a NULL would go to bucket 0 and still be compared.
            let k = id.map_or(0, |id| bucket_of(id, buckets));
            rows[k].push(u32::try_from(row).unwrap_or(u32::MAX));
        }
        for (writer, rows) in writers.iter_mut().zip(rows) {
            if !rows.is_empty() {
                let part = arrow::compute::take_record_batch(&batch, &UInt32Array::from(rows))?;
                writer.write(&part)?;
            }
        }
    }
    for writer in writers {
        writer.close()?;
    }
    Ok(paths)
}

/// Makes the session's joins keep the order they are written in.
///
/// The SQL after classification puts the small side of each join first, as the hash join's build
/// side. Statistics could make DataFusion build from the other side instead: from `classified`
/// (the whole table, which a hash join cannot spill) or a whole bucket, and the clean table would
/// lose the source order that spares the final sort.
async fn keep_join_order(ctx: &SessionContext) -> Result<()> {
    ctx.sql("SET datafusion.optimizer.join_reordering = false")
        .await?
        .collect()
        .await?;
    Ok(())
}

/// Registers the view `deduplicated` (deduplicate.sql) over `classified` and `marks`.
async fn register_deduplicated(ctx: &SessionContext) -> Result<()> {
    keep_join_order(ctx).await?;
    ctx.register_table("deduplicated", ctx.sql(DEDUPLICATE_SQL).await?.into_view())?;
    Ok(())
}

/// Runs `marks.sql` on each bucket in turn and writes the marks to `out`; removes the bucket files.
///
/// Its own session reads strings as plain `Utf8`: an aggregate emits its groups as slices of one
/// large array, and with `Utf8View` every slice (and every row taken or filtered from it) keeps the
/// whole buffer, which the memory pool then counts once per batch.
async fn mark_duplicates(
    work_dir: &Path,
    memory_limit: usize,
    buckets: &[PathBuf],
    out: &Path,
) -> Result<()> {
    let ctx = &session(work_dir, memory_limit, false)?;
    keep_join_order(ctx).await?;
    let mut writer = None;
    for path in buckets {
        register_local(ctx, "bucket", path).await?;
        let mut stream = ctx.sql(MARKS_SQL).await?.execute_stream().await?;
        if writer.is_none() {
            writer = Some(scratch_writer(
                out,
                stream.schema(),
                crate::stage::scratch_properties(),
            )?);
        }
        let writer = writer.as_mut().expect("created above");
        while let Some(batch) = stream.next().await {
            writer.write(&batch?)?;
        }
        drop(stream);
        ctx.deregister_table("bucket")?;
        tokio::fs::remove_file(path).await?;
    }
    writer
        .ok_or_else(|| Error::Internal("no bucket to mark".into()))?
        .close()?;
    Ok(())
}

async fn register_local(ctx: &SessionContext, name: &str, path: &Path) -> Result<()> {
    let path = utf8_path(path)?;
    ctx.register_parquet(name, path, ParquetReadOptions::default())
        .await?;
    Ok(())
}

/// Collects a one-row query into its columns.
async fn one_row(ctx: &SessionContext, sql: &str) -> Result<RecordBatch> {
    let batches = ctx.sql(sql).await?.collect().await?;
    let batch = batches
        .into_iter()
        .find(|b| b.num_rows() > 0)
        .ok_or_else(|| Error::Internal("aggregate query returned no row".into()))?;
    Ok(batch)
}

fn f64_at(batch: &RecordBatch, name: &str) -> Result<Option<f64>> {
    let column = batch
        .column_by_name(name)
        .ok_or_else(|| Error::Internal(format!("query result has no column {name}")))?;
    let column = arrow::compute::cast(column, &DataType::Float64)?;
    let values = column
        .as_any()
        .downcast_ref::<Float64Array>()
        .ok_or_else(|| Error::Internal(format!("{name} is not Float64")))?;
    Ok(values.is_valid(0).then(|| values.value(0)))
}

fn u64_column(batch: &RecordBatch, name: &str) -> Result<Vec<u64>> {
    let column = batch
        .column_by_name(name)
        .ok_or_else(|| Error::Internal(format!("query result has no column {name}")))?;
    let column = arrow::compute::cast(column, &DataType::Int64)?;
    let values = column
        .as_any()
        .downcast_ref::<Int64Array>()
        .ok_or_else(|| Error::Internal(format!("{name} is not Int64")))?;
    Ok(values
        .iter()
        .map(|v| v.and_then(|v| u64::try_from(v).ok()).unwrap_or(0))
        .collect())
}

fn string_column(batch: &RecordBatch, name: &str) -> Result<Vec<String>> {
    let column = batch
        .column_by_name(name)
        .ok_or_else(|| Error::Internal(format!("query result has no column {name}")))?;
    let column = arrow::compute::cast(column, &DataType::Utf8)?;
    let values = column
        .as_any()
        .downcast_ref::<StringArray>()
        .ok_or_else(|| Error::Internal(format!("{name} is not Utf8")))?;
    Ok(values
        .iter()
        .map(|v| v.map_or_else(|| "NULL".to_string(), str::to_string))
        .collect())
}

fn u64_at(batch: &RecordBatch, name: &str) -> Result<u64> {
    Ok(u64_column(batch, name)?.first().copied().unwrap_or(0))
}

/// Computes the fences of every outlier column from `deduplicated`.
async fn fences(
    ctx: &SessionContext,
    rule: OutlierRule,
    exact: bool,
) -> Result<Vec<(&'static str, Fence)>> {
    let (low, high) = match rule {
        OutlierRule::Iqr { .. } => (0.25, 0.75),
        OutlierRule::Percentile { low, high } => (low, high),
    };
    // Typed probabilities, checked by CleaningOptions::validate; `{:?}` always prints a decimal point.
    let template = if exact {
        QUANTILES_SQL
    } else {
        QUANTILES_APPROX_SQL
    };
    let sql = template
        .replace("{{low}}", &format!("{low:?}"))
        .replace("{{high}}", &format!("{high:?}"));
    let row = one_row(ctx, &sql).await?;
    let mut out = Vec::new();
    for name in OUTLIER_COLUMNS {
        let q_low = f64_at(&row, &format!("{name}_low"))?;
        let q_high = f64_at(&row, &format!("{name}_high"))?;
        let fence = match (rule, q_low, q_high) {
            (OutlierRule::Iqr { k }, Some(q1), Some(q3)) => Fence {
                lower: Some(q1 - k * (q3 - q1)),
                upper: Some(q3 + k * (q3 - q1)),
            },
            (OutlierRule::Percentile { .. }, lower, upper) => Fence { lower, upper },
            _ => Fence {
                lower: None,
                upper: None,
            },
        };
        out.push((name, fence));
    }
    Ok(out)
}

/// The fences as the named parameters of `clean.sql` (`score_lower`, `score_upper`, ...).
fn fence_params(fences: &[(&'static str, Fence)]) -> Vec<(String, ScalarValue)> {
    let mut params = Vec::new();
    for (name, fence) in fences {
        for (side, value) in [("lower", fence.lower), ("upper", fence.upper)] {
            params.push((format!("{name}_{side}"), ScalarValue::Float64(value)));
        }
    }
    params
}

/// The Arrow type of canonical column `name` in the clean table.
pub fn canonical_type(name: &str) -> DataType {
    match CANONICAL.iter().find(|(c, _)| *c == name).map(|(_, k)| *k) {
        Some(Kind::Flag) => DataType::Boolean,
        Some(Kind::Float) => DataType::Float64,
        Some(Kind::Text) => DataType::Utf8,
        Some(Kind::Integer) if name == "user_id" => DataType::Int64,
        Some(Kind::Integer) => DataType::Int16,
        None => DataType::Utf8,
    }
}

/// The clean table's columns: canonical (present ones), flags, source_line, pass-through.
fn clean_projection(layout: &Layout) -> Vec<Expr> {
    let typed = |name: &str, data_type: DataType| cast(col(name), data_type).alias(name);
    let mut exprs = Vec::new();
    for (name, _) in CANONICAL {
        if layout.has(name) {
            exprs.push(typed(name, canonical_type(name)));
        }
    }
    if layout.has("balance") {
        exprs.push(typed("balance_missing", DataType::Boolean));
    }
    exprs.push(typed("duplicate_user_id", DataType::Boolean));
    for name in OUTLIER_COLUMNS {
        if layout.has(name) {
            exprs.push(typed(&format!("outlier_{name}"), DataType::Boolean));
        }
    }
    exprs.push(typed("source_line", DataType::Int64));
    for (i, (_, original)) in layout.passthrough.iter().enumerate() {
        exprs.push(cast(col(format!("pt_{i}")), DataType::Utf8).alias(original));
    }
    exprs
}

/// Runs the pipeline and writes `clean.parquet` and `quarantine.parquet`; returns the figures.
pub async fn run(job: &Job<'_>) -> Result<Figures> {
    let ctx = session(job.work_dir, job.memory_limit, true)?;
    register_local(&ctx, "staging", job.staging).await?;
    ctx.register_batch("params", params_batch(job)?)?;
    ctx.register_batch("value_map", value_map_batch(job.mapping)?)?;

    let classified = job.work_dir.join("classified.parquet");
    let Materialized {
        rows: classified_rows,
        in_source_order,
    } = materialize(&ctx, CLASSIFY_SQL, &classified).await?;
    if !in_source_order {
        tracing::warn!("classified rows are not in source order; the outputs will be sorted");
    }
    register_in_order(&ctx, "classified", &classified, in_source_order).await?;
    if classified_rows != job.rows_read {
        return Err(Error::Internal(format!(
            "classification lost rows: {} read, {classified_rows} classified",
            job.rows_read
        )));
    }

    let quarantine_key = ArtifactStore::key("datasets", job.dataset_id, "quarantine.parquet")?;
    let stream = ctx.sql(QUARANTINE_SQL).await?.execute_stream().await?;
    let rows_quarantined = write_output(job.store, &quarantine_key, stream).await?;

    let counts = one_row(&ctx, COUNTS_SQL).await?;
    let rows_valid = u64_at(&counts, "rows_valid")?;
    let balance_missing = if job.layout.has("balance") {
        u64_at(&counts, "balance_missing")?
    } else {
        0
    };

    let buckets = usize::try_from(rows_valid.div_ceil(job.bucket_rows.max(1)))
        .unwrap_or(usize::MAX)
        .max(1);
    let bucket_files = split_into_buckets(&ctx, job.work_dir, buckets).await?;
    let marks = job.work_dir.join("marks.parquet");
    mark_duplicates(job.work_dir, job.memory_limit, &bucket_files, &marks).await?;
    register_local(&ctx, "marks", &marks).await?;
    let exact_duplicates_removed = u64_at(
        &one_row(&ctx, EXACT_DUPLICATES_SQL).await?,
        "exact_duplicates",
    )?;
    let rows_deduplicated = rows_valid
        .checked_sub(exact_duplicates_removed)
        .ok_or_else(|| {
            Error::Internal(format!(
                "{exact_duplicates_removed} exact duplicates among {rows_valid} valid rows"
            ))
        })?;
    register_deduplicated(&ctx).await?;

    let missing_balance = missing_balance(&ctx, job.layout).await?;
    let exact = rows_deduplicated <= job.exact_max_rows;
    let fences = fences(&ctx, job.options.outlier_rule, exact).await?;

    let clean_key = ArtifactStore::key("datasets", job.dataset_id, "clean.parquet")?;
    let df = ctx
        .sql(CLEAN_SQL)
        .await?
        .with_param_values(fence_params(&fences))?
        .select(clean_projection(job.layout))?;
    let stream = df.execute_stream().await?;
    let rows_clean = write_output(job.store, &clean_key, stream).await?;
    drop(ctx);
    if rows_clean != rows_deduplicated {
        return Err(Error::Internal(format!(
            "the clean table has {rows_clean} rows, {rows_deduplicated} expected"
        )));
    }

    figures(
        job,
        (missing_balance, balance_missing),
        &fences,
        rows_clean,
        rows_quarantined,
        exact_duplicates_removed,
    )
    .await
}

/// The missing-balance breakdown over every row read (see `sql/missing_balance.sql`).
async fn missing_balance(ctx: &SessionContext, layout: &Layout) -> Result<Vec<GroupFigures>> {
    let mut out = Vec::new();
    if !layout.has("balance") {
        return Ok(out);
    }
    for group in MISSING_BALANCE_GROUPS {
        if !layout.has(group) {
            continue;
        }
        // `group` comes from the fixed list above, never from a request.
        let sql = MISSING_BALANCE_SQL.replace("{{column}}", group);
        for batch in ctx.sql(&sql).await?.collect().await? {
            let values = string_column(&batch, "value")?;
            let rows = u64_column(&batch, "rows")?;
            let missing = u64_column(&batch, "missing")?;
            for ((value, rows), missing) in values.into_iter().zip(rows).zip(missing) {
                out.push(GroupFigures {
                    column: group.to_string(),
                    value,
                    rows,
                    missing,
                });
            }
        }
    }
    Ok(out)
}

/// Reads the written tables back from the store and computes the report's figures.
async fn figures(
    job: &Job<'_>,
    (missing_balance, balance_missing): (Vec<GroupFigures>, u64),
    fences: &[(&'static str, Fence)],
    rows_clean: u64,
    rows_quarantined: u64,
    exact_duplicates_removed: u64,
) -> Result<Figures> {
    let exact = rows_clean <= job.exact_max_rows;
    let ctx = session(job.work_dir, job.memory_limit, false)?;
    let url = ObjectStoreUrl::parse(DATAFUSION_URL)?;
    ctx.register_object_store(url.as_ref(), job.store.object_store());
    for table in ["clean", "quarantine"] {
        let location = format!(
            "{DATAFUSION_URL}/{}",
            ArtifactStore::key("datasets", job.dataset_id, &format!("{table}.parquet"))?
        );
        ctx.register_parquet(table, location, ParquetReadOptions::default())
            .await?;
    }

    let reasons_batches = ctx.sql(QUARANTINE_REASONS_SQL).await?.collect().await?;
    let mut reasons = Vec::new();
    for batch in &reasons_batches {
        let names = string_column(batch, "reason")?;
        let rows = u64_column(batch, "rows")?;
        reasons.extend(names.into_iter().zip(rows));
    }

    let dups = one_row(&ctx, DUPLICATE_IDS_SQL).await?;
    let duplicate_id_rows = u64_at(&dups, "duplicate_id_rows")?;
    let duplicate_ids = u64_at(&dups, "duplicate_ids")?;

    // Per-column nulls, distinct values and outliers, in one aggregate.
    let clean = ctx.table("clean").await?;
    let mut aggregates = Vec::new();
    let mut names = Vec::new();
    for (name, kind) in CANONICAL {
        if !job.layout.has(name) {
            continue;
        }
        let i = names.len();
        aggregates.push(count(col(name)).alias(format!("count_{i}")));
        let distinct = if exact {
            count_distinct(col(name))
        } else {
            // approx_distinct takes integers and strings; floats and flags go as text.
            match kind {
                Kind::Float | Kind::Flag => approx_distinct(cast(col(name), DataType::Utf8)),
                Kind::Integer | Kind::Text => approx_distinct(col(name)),
            }
        };
        aggregates.push(distinct.alias(format!("distinct_{i}")));
        if let Some((_, fence)) = fences.iter().find(|(c, _)| *c == name) {
            let below = match fence.lower {
                Some(v) => col(name).lt(lit(v)),
                None => lit(false),
            };
            let above = match fence.upper {
                Some(v) => col(name).gt(lit(v)),
                None => lit(false),
            };
            aggregates
                .push(sum(when(below, lit(1i64)).otherwise(lit(0i64))?).alias(format!("low_{i}")));
            aggregates
                .push(sum(when(above, lit(1i64)).otherwise(lit(0i64))?).alias(format!("high_{i}")));
        }
        names.push((name, kind));
    }
    let types: Vec<(String, String)> = clean
        .schema()
        .fields()
        .iter()
        .map(|f| (f.name().clone(), f.data_type().to_string()))
        .collect();
    let stats = clean.aggregate(vec![], aggregates)?.collect().await?;
    let stats = stats
        .into_iter()
        .find(|b| b.num_rows() > 0)
        .ok_or_else(|| Error::Internal("column statistics returned no row".into()))?;
    let mut columns = Vec::new();
    let mut age_missing = 0;
    for (i, (name, _kind)) in names.iter().enumerate() {
        let non_null = u64_at(&stats, &format!("count_{i}"))?;
        let nulls = rows_clean.saturating_sub(non_null);
        if *name == "age" {
            age_missing = nulls;
        }
        let fence = fences.iter().find(|(c, _)| c == name).map(|(_, f)| *f);
        let outliers = match fence {
            Some(_) => Some((
                u64_at(&stats, &format!("low_{i}"))?,
                u64_at(&stats, &format!("high_{i}"))?,
            )),
            None => None,
        };
        columns.push(ColumnFigures {
            column: name.to_string(),
            data_type: types
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, t)| t.clone())
                .unwrap_or_default(),
            nulls,
            distinct: u64_at(&stats, &format!("distinct_{i}"))?,
            outliers,
            fence,
        });
    }

    Ok(Figures {
        rows_read: job.rows_read,
        rows_clean,
        rows_quarantined,
        exact_duplicates_removed,
        duplicate_id_rows,
        duplicate_ids,
        reasons,
        columns,
        missing_balance,
        balance_missing,
        has_balance: job.layout.has("balance"),
        age_missing,
        exact_statistics: exact,
    })
}

/// Where a job's scratch files go: a fresh directory under `base` (or the system temp directory).
pub fn work_dir(base: Option<&PathBuf>) -> Result<tempfile::TempDir> {
    let builder = {
        let mut b = tempfile::Builder::new();
        b.prefix("bankseg-ingest-");
        b
    };
    let dir = match base {
        Some(base) => {
            std::fs::create_dir_all(base)?;
            builder.tempdir_in(base)?
        }
        None => builder.tempdir()?,
    };
    std::fs::create_dir_all(dir.path().join("spill"))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A few classified rows (the columns the later steps read) and a few marks, registered the
    /// way [`run`] registers them.
    async fn context(dir: &Path, in_source_order: bool) -> SessionContext {
        let classified = RecordBatch::try_from_iter(vec![
            (
                "source_line",
                Arc::new(Int64Array::from(vec![2, 3, 4, 5, 6])) as ArrayRef,
            ),
            (
                "reason",
                Arc::new(StringArray::from(vec![
                    None,
                    Some("missing_city"),
                    None,
                    None,
                    None,
                ])),
            ),
            (
                "detail",
                Arc::new(StringArray::from(vec!["", "x", "", "", ""])),
            ),
            (
                "raw",
                Arc::new(StringArray::from(vec!["a", "b", "c", "a", "d"])),
            ),
            ("user_id", Arc::new(Int64Array::from(vec![1, 2, 3, 1, 3]))),
            (
                "score",
                Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0, 1.0, 4.0])),
            ),
            (
                "age",
                Arc::new(arrow::array::Int16Array::from(vec![30, 40, 50, 30, 60])),
            ),
            (
                "balance",
                Arc::new(Float64Array::from(vec![
                    Some(1.0),
                    None,
                    Some(3.0),
                    Some(1.0),
                    None,
                ])),
            ),
            (
                "est_salary",
                Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0, 1.0, 4.0])),
            ),
        ])
        .unwrap();
        let ctx = session(dir, 64 << 20, true).unwrap();
        let path = dir.join("classified.parquet");
        let file = tokio::fs::File::create(&path).await.unwrap();
        let mut writer = AsyncArrowWriter::try_new(file, classified.schema(), None).unwrap();
        writer.write(&classified).await.unwrap();
        writer.close().await.unwrap();
        register_in_order(&ctx, "classified", &path, in_source_order)
            .await
            .unwrap();
        let buckets = split_into_buckets(&ctx, dir, 2).await.unwrap();
        let marks = dir.join("marks.parquet");
        mark_duplicates(dir, 64 << 20, &buckets, &marks)
            .await
            .unwrap();
        register_local(&ctx, "marks", &marks).await.unwrap();
        register_deduplicated(&ctx).await.unwrap();
        ctx
    }

    fn no_fences() -> Vec<(String, ScalarValue)> {
        let fences: Vec<_> = OUTLIER_COLUMNS
            .iter()
            .map(|&c| {
                (
                    c,
                    Fence {
                        lower: None,
                        upper: None,
                    },
                )
            })
            .collect();
        fence_params(&fences)
    }

    async fn physical_plan(ctx: &SessionContext, sql: &str) -> String {
        let df = ctx.sql(sql).await.unwrap().with_param_values(no_fences());
        let plan = df.unwrap().create_physical_plan().await.unwrap();
        datafusion::physical_plan::displayable(plan.as_ref())
            .indent(false)
            .to_string()
    }

    #[tokio::test]
    async fn outputs_in_source_order_need_no_sort() {
        // A sort would hold (and spill) the whole table: the outputs must stream in source order.
        let dir = tempfile::tempdir().unwrap();
        let ctx = context(dir.path(), true).await;
        for sql in [QUARANTINE_SQL, CLEAN_SQL] {
            let plan = physical_plan(&ctx, sql).await;
            assert!(!plan.contains("SortExec"), "{plan}");
            assert!(!plan.contains("SortPreservingMergeExec"), "{plan}");
        }
        // The marks, not the table, are the hash join's build side.
        let plan = physical_plan(&ctx, CLEAN_SQL).await;
        assert!(plan.contains("join_type=Right"), "{plan}");
        // Without the declared order DataFusion sorts (the check above is not vacuous).
        let dir = tempfile::tempdir().unwrap();
        let ctx = context(dir.path(), false).await;
        assert!(physical_plan(&ctx, CLEAN_SQL).await.contains("SortExec"));
    }

    #[tokio::test]
    async fn marks_find_exact_duplicates_and_repeated_ids_across_buckets() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = context(dir.path(), true).await;
        let batches = ctx
            .sql("SELECT source_line, exact_duplicate, duplicate_user_id FROM marks ORDER BY source_line")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let batch = arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap();
        // Lines 2 and 5 are the same record ("a", id 1): 5 is removed, and id 1 then has one row,
        // so line 2 needs no mark. Lines 4 and 6 are different records of id 3: both kept and
        // flagged. Line 3 is rejected.
        let lines = batch
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        assert_eq!(lines.values().to_vec(), vec![4, 5, 6]);
        let flags = |i: usize| {
            let column = batch
                .column(i)
                .as_any()
                .downcast_ref::<BooleanArray>()
                .unwrap();
            column.iter().map(Option::unwrap).collect::<Vec<_>>()
        };
        assert_eq!(flags(1), vec![false, true, false]);
        assert_eq!(flags(2), vec![true, false, true]);
        let clean = ctx
            .sql(CLEAN_SQL)
            .await
            .unwrap()
            .with_param_values(no_fences())
            .unwrap()
            .collect()
            .await
            .unwrap();
        let lines: Vec<i64> = clean
            .iter()
            .flat_map(|b| {
                b.column_by_name("source_line")
                    .unwrap()
                    .as_any()
                    .downcast_ref::<Int64Array>()
                    .unwrap()
                    .values()
                    .to_vec()
            })
            .collect();
        assert_eq!(lines, vec![2, 4, 6]);
    }

    #[test]
    fn bucket_hash_spreads_strided_ids() {
        let mut counts = [0usize; 10];
        for id in (0..100_000i64).map(|i| 1_000 + i * 10) {
            counts[bucket_of(id, 10)] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9_000..11_000).contains(&c)),
            "{counts:?}"
        );
        assert_eq!(bucket_of(42, 1), 0);
    }

    #[test]
    fn source_order_check() {
        let batch = |lines: Vec<i64>| {
            RecordBatch::try_from_iter(vec![(
                "source_line",
                Arc::new(Int64Array::from(lines)) as ArrayRef,
            )])
            .unwrap()
        };
        let mut last = None;
        assert!(continues_source_order(&batch(vec![2, 3, 7]), &mut last));
        assert!(continues_source_order(&batch(vec![8]), &mut last));
        assert!(!continues_source_order(&batch(vec![8]), &mut last));
        let mut last = None;
        assert!(!continues_source_order(&batch(vec![3, 2]), &mut last));
    }
}
