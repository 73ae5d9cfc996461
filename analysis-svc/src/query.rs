//! Read-only SQL over stored analyses, as served by [`crate::flight_sql`].
//!
//! Every query gets a fresh DataFusion session whose catalog `bankseg` is read from the artifact
//! store when the query arrives:
//!
//! - schema `public` (the default): the tables of the most recently completed analysis;
//! - schema `a_<analysis_id>`: the tables of that analysis;
//! - `information_schema`.
//!
//! Each schema has the tables [`storage::TABLES`] (`customers`, `membership`, `portraits`,
//! `hypotheses`), opened lazily from their Parquet files when a query names them.
//!
//! Read-only is enforced twice: the parsed statement must be a query ([`check_read_only`]), and the
//! logical plan must pass DataFusion's [`SQLOptions`] with DDL, DML and statements disallowed. The
//! session registers no table function that reads files and keeps URL tables disabled.

use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use bankseg_common::store::{ArtifactStore, DATAFUSION_URL};
use datafusion::catalog::{CatalogProvider, SchemaProvider, TableProvider};
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::error::DataFusionError;
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::prelude::{DataFrame, SQLOptions, SessionConfig, SessionContext};
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::Statement as SqlStatement;

use crate::storage::{self, TABLES};
use crate::{Error, Result};

/// Catalog of the Flight SQL endpoint.
pub const CATALOG: &str = "bankseg";

/// Schema holding the latest analysis' tables; the session's default.
pub const LATEST_SCHEMA: &str = "public";

/// Prefix of the per-analysis schemas: `a_<analysis_id>`.
pub const SCHEMA_PREFIX: &str = "a_";

/// Name of the schema of analysis `id`.
pub fn schema_name(id: &str) -> String {
    format!("{SCHEMA_PREFIX}{id}")
}

/// Session settings shared by the analysis and query sessions: plain (non-view) string types, so
/// stored tables and query results use the types every Arrow client reads.
pub fn session_config() -> SessionConfig {
    let mut config = SessionConfig::new();
    config
        .options_mut()
        .execution
        .parquet
        .schema_force_view_types = false;
    config
}

/// A session over every complete analysis in `store`.
pub async fn session(store: &ArtifactStore) -> Result<SessionContext> {
    let analyses = storage::list_complete(store).await?;
    let config = session_config()
        .with_create_default_catalog_and_schema(false)
        .with_default_catalog_and_schema(CATALOG, LATEST_SCHEMA)
        .with_information_schema(true);
    let ctx = SessionContext::new_with_config(config);
    ctx.register_object_store(
        ObjectStoreUrl::parse(DATAFUSION_URL)?.as_ref(),
        store.object_store(),
    );
    ctx.register_catalog(
        CATALOG,
        Arc::new(AnalysesCatalog {
            store: store.clone(),
            analyses,
        }),
    );
    Ok(ctx)
}

/// Plans `sql` in `ctx` if it is a read query; anything else is [`Error::ReadOnly`].
pub async fn plan(ctx: &SessionContext, sql: &str) -> Result<DataFrame> {
    let state = ctx.state();
    let statement = {
        let dialect = &state.config().options().sql_parser.dialect;
        state.sql_to_statement(sql, dialect)?
    };
    check_read_only(&statement)?;
    let plan = state.statement_to_plan(statement).await?;
    SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false)
        .verify_plan(&plan)
        .map_err(|e| Error::ReadOnly(e.strip_backtrace()))?;
    Ok(ctx.execute_logical_plan(plan).await?)
}

/// The Arrow schema of a planned query's result.
pub fn result_schema(df: &DataFrame) -> SchemaRef {
    Arc::new(df.schema().as_arrow().clone())
}

/// Accepts queries (`SELECT`, `WITH`, `VALUES`, set operations) and nothing else.
pub fn check_read_only(statement: &DfStatement) -> Result<()> {
    let what = match statement {
        DfStatement::Statement(s) => match s.as_ref() {
            SqlStatement::Query(_) => return Ok(()),
            other => first_keywords(&other.to_string()),
        },
        DfStatement::CreateExternalTable(_) => "CREATE EXTERNAL TABLE".to_string(),
        DfStatement::CopyTo(_) => "COPY".to_string(),
        DfStatement::Explain(_) => "EXPLAIN".to_string(),
        DfStatement::Reset(_) => "RESET".to_string(),
    };
    Err(Error::ReadOnly(format!(
        "only read queries (SELECT, WITH, VALUES) are allowed, got {what}"
    )))
}

/// The keywords a statement starts with, as the SQL printer writes them ("INSERT INTO",
/// "CREATE TABLE", "SET"): at most three all-capital words from the start.
fn first_keywords(text: &str) -> String {
    let words: Vec<&str> = text
        .split_whitespace()
        .take_while(|w| w.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
        .take(3)
        .collect();
    if words.is_empty() {
        "a statement that is not a query".to_string()
    } else {
        words.join(" ")
    }
}

/// The catalog `bankseg`: one schema per complete analysis plus `public` for the latest.
#[derive(Debug)]
struct AnalysesCatalog {
    store: ArtifactStore,
    /// Complete analyses, most recent first.
    analyses: Vec<String>,
}

impl CatalogProvider for AnalysesCatalog {
    fn schema_names(&self) -> Vec<String> {
        std::iter::once(LATEST_SCHEMA.to_string())
            .chain(self.analyses.iter().map(|id| schema_name(id)))
            .collect()
    }

    fn schema(&self, name: &str) -> Option<Arc<dyn SchemaProvider>> {
        let id = if name == LATEST_SCHEMA {
            self.analyses.first()?
        } else {
            let id = name.strip_prefix(SCHEMA_PREFIX)?;
            self.analyses.iter().find(|a| a.as_str() == id)?
        };
        Some(Arc::new(AnalysisSchema {
            store: self.store.clone(),
            id: id.clone(),
        }))
    }
}

/// The tables of one analysis, opened from the store when named.
#[derive(Debug)]
struct AnalysisSchema {
    store: ArtifactStore,
    id: String,
}

#[async_trait::async_trait]
impl SchemaProvider for AnalysisSchema {
    fn table_names(&self) -> Vec<String> {
        TABLES.iter().map(|t| t.to_string()).collect()
    }

    async fn table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>, DataFusionError> {
        if !storage::is_table(name) {
            return Ok(None);
        }
        let schema = table_schema(&self.store, &self.id, name)
            .await
            .map_err(|e| DataFusionError::External(Box::new(e)))?;
        let url = ListingTableUrl::parse(storage::table_url(&self.id, name))?;
        let options = ListingOptions::new(Arc::new(
            ParquetFormat::default().with_force_view_types(false),
        ))
        .with_file_extension(".parquet");
        let config = ListingTableConfig::new(url)
            .with_listing_options(options)
            .with_schema(schema);
        Ok(Some(Arc::new(ListingTable::try_new(config)?)))
    }

    fn table_exist(&self, name: &str) -> bool {
        storage::is_table(name)
    }
}

/// The Arrow schema of table `table` of analysis `id`, from its Parquet footer.
pub async fn table_schema(store: &ArtifactStore, id: &str, table: &str) -> Result<SchemaRef> {
    let key = storage::table_key(id, table)?;
    let (schema, _batches) = store.read_parquet(&key, storage::NOUN, id).await?;
    Ok(schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(sql: &str) -> DfStatement {
        let ctx = SessionContext::new();
        let state = ctx.state();
        let dialect = &state.config().options().sql_parser.dialect;
        state.sql_to_statement(sql, dialect).unwrap()
    }

    #[test]
    fn only_queries_pass_the_read_only_check() {
        for sql in [
            "SELECT 1",
            "WITH t AS (SELECT 1 AS x) SELECT x FROM t WHERE x > 0",
            "VALUES (1), (2)",
            "SELECT city, count(*) FROM membership WHERE churn GROUP BY city",
        ] {
            assert!(check_read_only(&statement(sql)).is_ok(), "{sql}");
        }
        for (sql, what) in [
            ("INSERT INTO membership VALUES (1)", "INSERT INTO"),
            ("CREATE TABLE t (x INT)", "CREATE TABLE"),
            ("DROP TABLE membership", "DROP TABLE"),
            ("COPY membership TO '/tmp/x.csv'", "COPY"),
            (
                "CREATE EXTERNAL TABLE t STORED AS CSV LOCATION '/etc/passwd'",
                "CREATE EXTERNAL TABLE",
            ),
            ("SET datafusion.execution.batch_size = 1", "SET"),
            ("EXPLAIN SELECT 1", "EXPLAIN"),
        ] {
            let err = check_read_only(&statement(sql)).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "read-only endpoint: only read queries (SELECT, WITH, VALUES) are allowed, got {what}"
                ),
                "{sql}"
            );
            assert_eq!(err.into_status().code(), tonic::Code::PermissionDenied);
        }
    }

    #[test]
    fn schema_names_carry_the_analysis_id() {
        assert_eq!(schema_name("0f3c"), "a_0f3c");
    }
}
