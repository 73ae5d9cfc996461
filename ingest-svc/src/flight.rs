//! Arrow Flight data plane of the ingestion service.
//!
//! - `DoGet` with ticket `clean/<dataset_id>` or `quarantine/<dataset_id>` streams that table from the
//!   store, batch by batch;
//! - `DoPut` with descriptor path `["upload", "<file name>"]` stores an upload: a stream with schema
//!   `{chunk: Binary}` is raw file bytes (CSV or Parquet), written chunk by chunk to
//!   `uploads/<upload_id>/<file name>` with a multipart writer; any other schema is an Arrow table,
//!   stored as Parquet. The `PutResult`'s `app_metadata` is the upload id;
//! - `GetFlightInfo` / `GetSchema` describe a table given the descriptor path `[table, dataset_id]`
//!   or the command `<table>/<dataset_id>`. Other methods are not implemented.

use arrow::array::{Array, BinaryArray, LargeBinaryArray, RecordBatch};
use arrow::datatypes::DataType;
use arrow::ipc::writer::IpcWriteOptions;
use arrow_flight::decode::FlightRecordBatchStream;
use arrow_flight::error::FlightError;
use arrow_flight::flight_service_server::FlightService;
use arrow_flight::{
    Action, ActionType, Criteria, Empty, FlightData, FlightDescriptor, FlightEndpoint, FlightInfo,
    HandshakeRequest, HandshakeResponse, PollInfo, PutResult, SchemaAsIpc, SchemaResult, Ticket,
};
use bankseg_common::flight::{FlightDataStream, TableTicket, do_get_response};
use bankseg_common::store::{ArtifactStore, new_id};
use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use object_store::buffered::BufWriter;
use tokio::io::AsyncWriteExt;
use tonic::{Request, Response, Status, Streaming};
use tracing::info;

use crate::pipeline::{State, dataset_key};
use crate::source::{UPLOADS, validate_upload_name};
use crate::{Error, Result};

/// Tables this service serves.
pub const TABLES: [&str; 2] = ["clean", "quarantine"];

/// The Flight service.
#[derive(Debug, Clone)]
pub struct IngestFlight {
    state: State,
}

impl IngestFlight {
    /// A Flight service over `state`.
    pub fn new(state: State) -> Self {
        Self { state }
    }
}

fn table_ticket(ticket: TableTicket) -> Result<TableTicket> {
    if TABLES.contains(&ticket.table.as_str()) {
        Ok(ticket)
    } else {
        Err(Error::InvalidArgument {
            what: "ticket",
            message: format!(
                "unknown table {:?}; expected clean/<dataset_id> or quarantine/<dataset_id>",
                ticket.table
            ),
        })
    }
}

fn descriptor_ticket(descriptor: &FlightDescriptor) -> Result<TableTicket> {
    let text = if !descriptor.path.is_empty() {
        descriptor.path.join("/")
    } else {
        String::from_utf8(descriptor.cmd.to_vec()).map_err(|_| Error::InvalidArgument {
            what: "descriptor",
            message: "command is not UTF-8 text of the form <table>/<dataset_id>".into(),
        })?
    };
    table_ticket(TableTicket::parse(&Ticket::new(text))?)
}

async fn table_schema(state: &State, t: &TableTicket) -> Result<arrow::datatypes::SchemaRef> {
    let key = dataset_key(&t.id, &format!("{}.parquet", t.table))?;
    let (schema, _) = state.store.read_parquet(&key, "dataset", &t.id).await?;
    Ok(schema)
}

/// Stores one DoPut stream; returns the upload id.
pub async fn store_upload(store: &ArtifactStore, data: Streaming<FlightData>) -> Result<String> {
    let mut data = data.map_err(|s| FlightError::Tonic(Box::new(s)));
    let first = data.next().await.ok_or_else(|| Error::InvalidArgument {
        what: "upload",
        message: "empty stream: expected a descriptor and data".into(),
    })?;
    let first = first.map_err(bankseg_common::Error::from)?;
    let name = match first.flight_descriptor.as_ref() {
        Some(d) if d.path.len() == 2 && d.path[0] == "upload" => d.path[1].clone(),
        _ => {
            return Err(Error::InvalidArgument {
                what: "upload descriptor",
                message: "expected path [\"upload\", \"<file name>\"]".into(),
            });
        }
    };
    validate_upload_name(&name)?;
    let id = new_id();
    let key = ArtifactStore::key(UPLOADS, &id, &name)?;
    let mut batches = FlightRecordBatchStream::new_from_flight_data(
        futures::stream::once(async { Ok(first) }).chain(data),
    );
    let Some(head) = batches.next().await else {
        return Err(Error::InvalidArgument {
            what: "upload",
            message: "no data: the stream has a schema but no record batches".into(),
        });
    };
    let head = head.map_err(bankseg_common::Error::from)?;
    let schema = head.schema();
    let is_chunks = schema.fields().len() == 1
        && schema.field(0).name() == "chunk"
        && matches!(
            schema.field(0).data_type(),
            DataType::Binary | DataType::LargeBinary
        );
    if is_chunks {
        let mut writer = BufWriter::new(store.object_store(), key);
        let mut bytes = 0u64;
        write_chunks(&mut writer, &head, &mut bytes).await?;
        while let Some(batch) = batches.next().await {
            let batch = batch.map_err(bankseg_common::Error::from)?;
            write_chunks(&mut writer, &batch, &mut bytes).await?;
        }
        writer.shutdown().await?;
        info!(upload_id = %id, name = %name, bytes, "file uploaded");
    } else {
        let rest = futures::stream::once(async { Ok::<_, FlightError>(head) }).chain(batches);
        let rows = store.write_parquet(&key, schema, rest).await?;
        info!(upload_id = %id, name = %name, rows, "table uploaded");
    }
    Ok(id)
}

async fn write_chunks(writer: &mut BufWriter, batch: &RecordBatch, bytes: &mut u64) -> Result<()> {
    let column = batch.column(0);
    if let Some(values) = column.as_any().downcast_ref::<BinaryArray>() {
        for chunk in values.iter().flatten() {
            writer.write_all(chunk).await?;
            *bytes += chunk.len() as u64;
        }
    } else if let Some(values) = column.as_any().downcast_ref::<LargeBinaryArray>() {
        for chunk in values.iter().flatten() {
            writer.write_all(chunk).await?;
            *bytes += chunk.len() as u64;
        }
    }
    Ok(())
}

type Stream<T> = BoxStream<'static, std::result::Result<T, Status>>;

#[tonic::async_trait]
impl FlightService for IngestFlight {
    type HandshakeStream = Stream<HandshakeResponse>;
    type ListFlightsStream = Stream<FlightInfo>;
    type DoGetStream = FlightDataStream;
    type DoPutStream = Stream<PutResult>;
    type DoExchangeStream = Stream<FlightData>;
    type DoActionStream = Stream<arrow_flight::Result>;
    type ListActionsStream = Stream<ActionType>;

    async fn handshake(
        &self,
        _request: Request<Streaming<HandshakeRequest>>,
    ) -> std::result::Result<Response<Self::HandshakeStream>, Status> {
        Err(Status::unimplemented(
            "handshake is not needed by this service",
        ))
    }

    async fn list_flights(
        &self,
        _request: Request<Criteria>,
    ) -> std::result::Result<Response<Self::ListFlightsStream>, Status> {
        Err(Status::unimplemented("list_flights is not implemented"))
    }

    #[tracing::instrument(skip_all)]
    async fn get_flight_info(
        &self,
        request: Request<FlightDescriptor>,
    ) -> std::result::Result<Response<FlightInfo>, Status> {
        let descriptor = request.into_inner();
        let ticket = descriptor_ticket(&descriptor)?;
        let schema = table_schema(&self.state, &ticket).await?;
        let info = FlightInfo::new()
            .try_with_schema(&schema)
            .map_err(|e| Error::from(e).into_status())?
            .with_endpoint(FlightEndpoint::new().with_ticket(ticket.to_ticket()))
            .with_descriptor(descriptor);
        Ok(Response::new(info))
    }

    async fn poll_flight_info(
        &self,
        _request: Request<FlightDescriptor>,
    ) -> std::result::Result<Response<PollInfo>, Status> {
        Err(Status::unimplemented("poll_flight_info is not implemented"))
    }

    #[tracing::instrument(skip_all)]
    async fn get_schema(
        &self,
        request: Request<FlightDescriptor>,
    ) -> std::result::Result<Response<SchemaResult>, Status> {
        let ticket = descriptor_ticket(request.get_ref())?;
        let schema = table_schema(&self.state, &ticket).await?;
        let options = IpcWriteOptions::default();
        let result = SchemaResult::try_from(SchemaAsIpc::new(&schema, &options))
            .map_err(|e| Error::from(e).into_status())?;
        Ok(Response::new(result))
    }

    #[tracing::instrument(skip_all, fields(ticket))]
    async fn do_get(
        &self,
        request: Request<Ticket>,
    ) -> std::result::Result<Response<Self::DoGetStream>, Status> {
        let ticket = table_ticket(TableTicket::parse(request.get_ref()).map_err(Error::from)?)?;
        tracing::Span::current().record("ticket", format!("{}/{}", ticket.table, ticket.id));
        let key = dataset_key(&ticket.id, &format!("{}.parquet", ticket.table))?;
        let (schema, stream) = self
            .state
            .store
            .read_parquet(&key, "dataset", &ticket.id)
            .await
            .map_err(Error::from)?;
        Ok(Response::new(do_get_response(schema, stream)))
    }

    #[tracing::instrument(skip_all)]
    async fn do_put(
        &self,
        request: Request<Streaming<FlightData>>,
    ) -> std::result::Result<Response<Self::DoPutStream>, Status> {
        let id = store_upload(&self.state.store, request.into_inner()).await?;
        let result = PutResult {
            app_metadata: Bytes::from(id),
        };
        Ok(Response::new(
            futures::stream::once(async { Ok(result) }).boxed(),
        ))
    }

    async fn do_exchange(
        &self,
        _request: Request<Streaming<FlightData>>,
    ) -> std::result::Result<Response<Self::DoExchangeStream>, Status> {
        Err(Status::unimplemented("do_exchange is not implemented"))
    }

    async fn do_action(
        &self,
        _request: Request<Action>,
    ) -> std::result::Result<Response<Self::DoActionStream>, Status> {
        Err(Status::unimplemented("do_action is not implemented"))
    }

    async fn list_actions(
        &self,
        _request: Request<Empty>,
    ) -> std::result::Result<Response<Self::ListActionsStream>, Status> {
        Ok(Response::new(futures::stream::empty().boxed()))
    }
}
