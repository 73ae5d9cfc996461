//! The read-only Arrow Flight SQL endpoint, for pyarrow, ADBC and JDBC Flight SQL clients.
//!
//! [`SqlEndpoint`] implements arrow-flight's [`FlightSqlService`] over [`crate::query`]: statements
//! and prepared statements (whose handles are the SQL text itself, so they hold no server state and
//! work on any replica), catalog / schema / table listings, table types and server info. Updates,
//! bulk ingestion, Substrait plans and transactions are refused. It is served through
//! [`crate::flight::AnalysisFlight`], which also answers the plain `<table>/<id>` tickets.

use std::pin::Pin;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use arrow::ipc::writer::IpcWriteOptions;
use arrow::record_batch::RecordBatch;
use arrow_flight::error::FlightError;
use arrow_flight::flight_service_server::FlightService;
use arrow_flight::sql::metadata::{SqlInfoData, SqlInfoDataBuilder};
use arrow_flight::sql::server::{FlightSqlService, PeekableFlightDataStream};
use arrow_flight::sql::{
    ActionClosePreparedStatementRequest, ActionCreatePreparedStatementRequest,
    ActionCreatePreparedStatementResult, CommandGetCatalogs, CommandGetDbSchemas,
    CommandGetSqlInfo, CommandGetTableTypes, CommandGetTables, CommandPreparedStatementQuery,
    CommandPreparedStatementUpdate, CommandStatementIngest, CommandStatementQuery,
    CommandStatementSubstraitPlan, CommandStatementUpdate, DoPutPreparedStatementResult,
    ProstMessageExt, SqlInfo, SqlSupportedTransaction, TicketStatementQuery,
};
use arrow_flight::{
    Action, FlightDescriptor, FlightEndpoint, FlightInfo, HandshakeRequest, HandshakeResponse,
    IpcMessage, SchemaAsIpc, Ticket,
};
use bankseg_common::flight::{FlightDataStream, encode};
use bytes::Bytes;
use futures::{Stream, StreamExt, TryStreamExt};
use prost::Message as _;
use tonic::{Request, Response, Status, Streaming};
use tracing::info;

use crate::query::{self, CATALOG, LATEST_SCHEMA};
use crate::storage::{self, TABLES};
use crate::{Error, Result, State};

/// Table type reported for every table.
const TABLE_TYPE: &str = "TABLE";

/// The Flight SQL side of the analysis service.
pub struct SqlEndpoint {
    state: Arc<State>,
    sql_info: SqlInfoData,
}

impl std::fmt::Debug for SqlEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlEndpoint").finish_non_exhaustive()
    }
}

impl SqlEndpoint {
    pub(crate) fn new(state: Arc<State>) -> Result<Self> {
        let mut info = SqlInfoDataBuilder::new();
        info.append(SqlInfo::FlightSqlServerName, "bankseg analysis-svc");
        info.append(SqlInfo::FlightSqlServerVersion, env!("CARGO_PKG_VERSION"));
        // Arrow format version (Schema.fbs MetadataVersion V5).
        info.append(SqlInfo::FlightSqlServerArrowVersion, "1.3");
        info.append(SqlInfo::FlightSqlServerReadOnly, true);
        info.append(SqlInfo::FlightSqlServerSql, true);
        info.append(SqlInfo::FlightSqlServerSubstrait, false);
        info.append(
            SqlInfo::FlightSqlServerTransaction,
            SqlSupportedTransaction::None as i32,
        );
        info.append(SqlInfo::FlightSqlServerCancel, false);
        info.append(SqlInfo::SqlDdlCatalog, false);
        info.append(SqlInfo::SqlDdlSchema, false);
        info.append(SqlInfo::SqlDdlTable, false);
        info.append(SqlInfo::SqlIdentifierQuoteChar, "\"");
        Ok(Self {
            state,
            sql_info: info.build()?,
        })
    }

    /// Plans `sql` over the current store and returns the result schema.
    async fn schema_of(&self, sql: &str) -> Result<SchemaRef> {
        let ctx = query::session(&self.state.store).await?;
        let df = query::plan(&ctx, sql).await?;
        Ok(query::result_schema(&df))
    }

    /// Runs `sql` and streams its result.
    async fn execute(&self, sql: &str) -> Result<FlightDataStream> {
        let ctx = query::session(&self.state.store).await?;
        let df = query::plan(&ctx, sql).await?;
        let stream = df.execute_stream().await?;
        let schema = stream.schema();
        let batches =
            stream.map_err(|e| FlightError::Tonic(Box::new(Error::from(e).into_status())));
        Ok(flight_data(schema, batches))
    }

    /// A FlightInfo for `sql` whose single endpoint carries `ticket` back to this server.
    async fn statement_info(
        &self,
        sql: &str,
        ticket: Vec<u8>,
        descriptor: FlightDescriptor,
    ) -> Result<FlightInfo> {
        let schema = self.schema_of(sql).await?;
        Ok(FlightInfo::new()
            .try_with_schema(&schema)?
            .with_endpoint(FlightEndpoint::new().with_ticket(Ticket::new(ticket)))
            .with_descriptor(descriptor)
            .with_ordered(false))
    }

    /// The tables visible to SQL: (schema name, analysis id), latest first.
    async fn schemas(&self) -> Result<Vec<(String, String)>> {
        let analyses = storage::list_complete(&self.state.store).await?;
        Ok(analyses
            .first()
            .map(|latest| (LATEST_SCHEMA.to_string(), latest.clone()))
            .into_iter()
            .chain(
                analyses
                    .iter()
                    .map(|id| (query::schema_name(id), id.clone())),
            )
            .collect())
    }
}

/// Encodes `batches` as a DoGet response.
fn flight_data<S>(schema: SchemaRef, batches: S) -> FlightDataStream
where
    S: Stream<Item = std::result::Result<RecordBatch, FlightError>> + Send + 'static,
{
    encode(schema, batches)
        .map_err(|e| match e {
            FlightError::Tonic(status) => *status,
            other => Status::internal(other.to_string()),
        })
        .boxed()
}

/// A DoGet response of one metadata batch.
fn single_batch(batch: RecordBatch) -> FlightDataStream {
    let schema = batch.schema();
    flight_data(schema, futures::stream::iter([Ok(batch)]))
}

/// A FlightInfo for a metadata command: its schema, and a ticket carrying the command back.
fn command_info(
    schema: &arrow::datatypes::Schema,
    command: impl ProstMessageExt,
    descriptor: FlightDescriptor,
) -> Result<Response<FlightInfo>, Status> {
    let ticket = Ticket::new(command.as_any().encode_to_vec());
    let info = FlightInfo::new()
        .try_with_schema(schema)
        .map_err(Error::from)?
        .with_endpoint(FlightEndpoint::new().with_ticket(ticket))
        .with_descriptor(descriptor);
    Ok(Response::new(info))
}

/// The SQL text a statement or prepared-statement handle carries.
fn handle_sql(handle: &[u8]) -> Result<&str> {
    std::str::from_utf8(handle).map_err(|_| Error::Invalid {
        what: "statement handle",
        message: "expected the UTF-8 SQL text this server issued".into(),
    })
}

fn read_only(what: &str) -> Status {
    Error::ReadOnly(format!("{what} is not allowed, only read queries run here")).into_status()
}

type Stream2<T> = Pin<Box<dyn Stream<Item = std::result::Result<T, Status>> + Send>>;

#[tonic::async_trait]
impl FlightSqlService for SqlEndpoint {
    type FlightService = SqlEndpoint;

    /// No authentication yet: every handshake succeeds without a token.
    #[tracing::instrument(skip_all)]
    async fn do_handshake(
        &self,
        _request: Request<Streaming<HandshakeRequest>>,
    ) -> Result<Response<Stream2<HandshakeResponse>>, Status> {
        let response = HandshakeResponse {
            protocol_version: 0,
            payload: Bytes::new(),
        };
        Ok(Response::new(Box::pin(futures::stream::iter([Ok(
            response,
        )]))))
    }

    #[tracing::instrument(skip_all, fields(sql = %query.query))]
    async fn get_flight_info_statement(
        &self,
        query: CommandStatementQuery,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let ticket = TicketStatementQuery {
            statement_handle: Bytes::from(query.query.clone()),
        };
        let info = self
            .statement_info(
                &query.query,
                ticket.as_any().encode_to_vec(),
                request.into_inner(),
            )
            .await?;
        Ok(Response::new(info))
    }

    #[tracing::instrument(skip_all)]
    async fn do_get_statement(
        &self,
        ticket: TicketStatementQuery,
        _request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        let sql = handle_sql(&ticket.statement_handle)?;
        info!(sql, "running query");
        Ok(Response::new(self.execute(sql).await?))
    }

    #[tracing::instrument(skip_all, fields(sql = %query.query))]
    async fn do_action_create_prepared_statement(
        &self,
        query: ActionCreatePreparedStatementRequest,
        _request: Request<Action>,
    ) -> Result<ActionCreatePreparedStatementResult, Status> {
        let schema = self.schema_of(&query.query).await?;
        let IpcMessage(dataset_schema) = SchemaAsIpc::new(&schema, &IpcWriteOptions::default())
            .try_into()
            .map_err(Error::from)?;
        Ok(ActionCreatePreparedStatementResult {
            prepared_statement_handle: Bytes::from(query.query),
            dataset_schema,
            parameter_schema: Bytes::new(),
        })
    }

    #[tracing::instrument(skip_all)]
    async fn get_flight_info_prepared_statement(
        &self,
        cmd: CommandPreparedStatementQuery,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let sql = handle_sql(&cmd.prepared_statement_handle)?.to_string();
        let info = self
            .statement_info(&sql, cmd.as_any().encode_to_vec(), request.into_inner())
            .await?;
        Ok(Response::new(info))
    }

    #[tracing::instrument(skip_all)]
    async fn do_get_prepared_statement(
        &self,
        cmd: CommandPreparedStatementQuery,
        _request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        let sql = handle_sql(&cmd.prepared_statement_handle)?;
        info!(sql, "running prepared query");
        Ok(Response::new(self.execute(sql).await?))
    }

    /// Handles hold no server state, so closing one has nothing to release.
    #[tracing::instrument(skip_all)]
    async fn do_action_close_prepared_statement(
        &self,
        _query: ActionClosePreparedStatementRequest,
        _request: Request<Action>,
    ) -> Result<(), Status> {
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn do_put_prepared_statement_query(
        &self,
        _query: CommandPreparedStatementQuery,
        _request: Request<PeekableFlightDataStream>,
    ) -> Result<DoPutPreparedStatementResult, Status> {
        Err(
            Error::Unsupported("query parameters: put the values in the SQL text instead".into())
                .into_status(),
        )
    }

    #[tracing::instrument(skip_all)]
    async fn do_put_statement_update(
        &self,
        _ticket: CommandStatementUpdate,
        _request: Request<PeekableFlightDataStream>,
    ) -> Result<i64, Status> {
        Err(read_only("an update statement"))
    }

    #[tracing::instrument(skip_all)]
    async fn do_put_prepared_statement_update(
        &self,
        _query: CommandPreparedStatementUpdate,
        _request: Request<PeekableFlightDataStream>,
    ) -> Result<i64, Status> {
        Err(read_only("an update statement"))
    }

    #[tracing::instrument(skip_all)]
    async fn do_put_statement_ingest(
        &self,
        _ticket: CommandStatementIngest,
        _request: Request<PeekableFlightDataStream>,
    ) -> Result<i64, Status> {
        Err(read_only("bulk ingestion"))
    }

    #[tracing::instrument(skip_all)]
    async fn do_put_substrait_plan(
        &self,
        _query: CommandStatementSubstraitPlan,
        _request: Request<PeekableFlightDataStream>,
    ) -> Result<i64, Status> {
        Err(read_only("a substrait plan"))
    }

    #[tracing::instrument(skip_all)]
    async fn get_flight_info_sql_info(
        &self,
        query: CommandGetSqlInfo,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let schema = query.clone().into_builder(&self.sql_info).schema();
        command_info(&schema, query, request.into_inner())
    }

    #[tracing::instrument(skip_all)]
    async fn do_get_sql_info(
        &self,
        query: CommandGetSqlInfo,
        _request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        let batch = query
            .into_builder(&self.sql_info)
            .build()
            .map_err(Error::from)?;
        Ok(Response::new(single_batch(batch)))
    }

    #[tracing::instrument(skip_all)]
    async fn get_flight_info_catalogs(
        &self,
        query: CommandGetCatalogs,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let schema = query.into_builder().schema();
        command_info(&schema, query, request.into_inner())
    }

    #[tracing::instrument(skip_all)]
    async fn do_get_catalogs(
        &self,
        query: CommandGetCatalogs,
        _request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        let mut builder = query.into_builder();
        builder.append(CATALOG);
        let batch = builder.build().map_err(Error::from)?;
        Ok(Response::new(single_batch(batch)))
    }

    #[tracing::instrument(skip_all)]
    async fn get_flight_info_schemas(
        &self,
        query: CommandGetDbSchemas,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let schema = query.clone().into_builder().schema();
        command_info(&schema, query, request.into_inner())
    }

    #[tracing::instrument(skip_all)]
    async fn do_get_schemas(
        &self,
        query: CommandGetDbSchemas,
        _request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        let mut builder = query.into_builder();
        for (schema, _) in self.schemas().await? {
            builder.append(CATALOG, schema);
        }
        let batch = builder.build().map_err(Error::from)?;
        Ok(Response::new(single_batch(batch)))
    }

    #[tracing::instrument(skip_all)]
    async fn get_flight_info_tables(
        &self,
        query: CommandGetTables,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let schema = query.clone().into_builder().schema();
        command_info(&schema, query, request.into_inner())
    }

    #[tracing::instrument(skip_all)]
    async fn do_get_tables(
        &self,
        query: CommandGetTables,
        _request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        let include_schema = query.include_schema;
        let mut builder = query.into_builder();
        let empty = arrow::datatypes::Schema::empty();
        for (schema, id) in self.schemas().await? {
            for table in TABLES {
                let table_schema = if include_schema {
                    query::table_schema(&self.state.store, &id, table).await?
                } else {
                    Arc::new(empty.clone())
                };
                builder
                    .append(CATALOG, &schema, table, TABLE_TYPE, &table_schema)
                    .map_err(Error::from)?;
            }
        }
        let batch = builder.build().map_err(Error::from)?;
        Ok(Response::new(single_batch(batch)))
    }

    #[tracing::instrument(skip_all)]
    async fn get_flight_info_table_types(
        &self,
        query: CommandGetTableTypes,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let schema = query.into_builder().schema();
        command_info(&schema, query, request.into_inner())
    }

    #[tracing::instrument(skip_all)]
    async fn do_get_table_types(
        &self,
        query: CommandGetTableTypes,
        _request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        let mut builder = query.into_builder();
        builder.append(TABLE_TYPE);
        let batch = builder.build().map_err(Error::from)?;
        Ok(Response::new(single_batch(batch)))
    }

    async fn register_sql_info(&self, _id: i32, _result: &SqlInfo) {}
}
