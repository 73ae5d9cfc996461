//! The Arrow Flight service of analysis-svc: plain table tickets and Flight SQL on one service.
//!
//! Plain requests name a stored table of an analysis:
//!
//! - DoGet with the ticket `<table>/<analysis_id>` (UTF-8), where `<table>` is one of
//!   `membership`, `customers`, `portraits`, `hypotheses`, streams the table from the store;
//! - GetFlightInfo / GetSchema with a command descriptor of the same text, or a path descriptor
//!   `[<table>, <analysis_id>]`, describe it;
//! - ListFlights lists every table of every complete analysis.
//!
//! Every other request is a Flight SQL request and goes to [`SqlEndpoint`]. The two never collide:
//! Flight SQL tickets and commands are encoded `google.protobuf.Any` messages, whose first byte
//! (0x0a) is never a letter.

use std::sync::Arc;

use arrow::ipc::writer::IpcWriteOptions;
use arrow_flight::flight_descriptor::DescriptorType;
use arrow_flight::flight_service_server::FlightService;
use arrow_flight::{
    Action, Criteria, Empty, FlightData, FlightDescriptor, FlightEndpoint, FlightInfo,
    HandshakeRequest, PollInfo, SchemaAsIpc, SchemaResult, Ticket,
};
use bankseg_common::flight::{TableTicket, do_get_response};
use tonic::{Request, Response, Status, Streaming};

use crate::flight_sql::SqlEndpoint;
use crate::storage;
use crate::{Error, Result, State, query};

type Inner = SqlEndpoint;

/// The Flight service: plain table tickets plus Flight SQL.
#[derive(Debug)]
pub struct AnalysisFlight {
    state: Arc<State>,
    sql: SqlEndpoint,
}

impl AnalysisFlight {
    pub(crate) fn new(state: Arc<State>) -> Result<Self> {
        Ok(Self {
            sql: SqlEndpoint::new(Arc::clone(&state))?,
            state,
        })
    }

    /// Schema and FlightInfo of a plain table.
    async fn table_info(
        &self,
        table: &TableTicket,
    ) -> Result<(arrow::datatypes::SchemaRef, FlightInfo)> {
        let schema = query::table_schema(&self.state.store, &table.id, &table.table).await?;
        let info = FlightInfo::new()
            .try_with_schema(&schema)?
            .with_endpoint(FlightEndpoint::new().with_ticket(table.to_ticket()))
            .with_descriptor(FlightDescriptor::new_path(vec![
                table.table.clone(),
                table.id.clone(),
            ]))
            .with_ordered(true);
        Ok((schema, info))
    }
}

/// A plain table named by ticket or command text `<table>/<id>`; `None` for anything else.
fn plain_text(bytes: &[u8]) -> Option<Result<TableTicket>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let (table, _) = text.split_once('/')?;
    if !storage::is_table(table) {
        return None;
    }
    Some(TableTicket::parse(&Ticket::new(bytes.to_vec())).map_err(Error::from))
}

/// A plain table named by a descriptor (path `[table, id]` or command `<table>/<id>`).
fn plain_descriptor(descriptor: &FlightDescriptor) -> Option<Result<TableTicket>> {
    if descriptor.r#type == DescriptorType::Path as i32 {
        return match descriptor.path.as_slice() {
            [table, id] if storage::is_table(table) => {
                Some(storage::validate_analysis_id(id).map(|()| TableTicket::new(table, id)))
            }
            _ => None,
        };
    }
    plain_text(&descriptor.cmd)
}

#[tonic::async_trait]
impl FlightService for AnalysisFlight {
    type HandshakeStream = <Inner as FlightService>::HandshakeStream;
    type ListFlightsStream = <Inner as FlightService>::ListFlightsStream;
    type DoGetStream = <Inner as FlightService>::DoGetStream;
    type DoPutStream = <Inner as FlightService>::DoPutStream;
    type DoActionStream = <Inner as FlightService>::DoActionStream;
    type ListActionsStream = <Inner as FlightService>::ListActionsStream;
    type DoExchangeStream = <Inner as FlightService>::DoExchangeStream;

    #[tracing::instrument(skip_all)]
    async fn handshake(
        &self,
        request: Request<Streaming<HandshakeRequest>>,
    ) -> Result<Response<Self::HandshakeStream>, Status> {
        FlightService::handshake(&self.sql, request).await
    }

    /// Every table of every complete analysis, newest analysis first. A non-empty criteria
    /// expression keeps the analyses whose id starts with it (as UTF-8 text).
    #[tracing::instrument(skip_all)]
    async fn list_flights(
        &self,
        request: Request<Criteria>,
    ) -> Result<Response<Self::ListFlightsStream>, Status> {
        let prefix = String::from_utf8_lossy(&request.get_ref().expression).to_string();
        let mut infos = Vec::new();
        for id in storage::list_complete(&self.state.store).await? {
            if !id.starts_with(&prefix) {
                continue;
            }
            for table in storage::TABLES {
                let (_, info) = self.table_info(&TableTicket::new(table, &id)).await?;
                infos.push(Ok(info));
            }
        }
        Ok(Response::new(Box::pin(futures::stream::iter(infos))))
    }

    #[tracing::instrument(skip_all)]
    async fn get_flight_info(
        &self,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        match plain_descriptor(request.get_ref()) {
            Some(table) => {
                let (_, info) = self.table_info(&table?).await?;
                Ok(Response::new(info))
            }
            None => FlightService::get_flight_info(&self.sql, request).await,
        }
    }

    #[tracing::instrument(skip_all)]
    async fn poll_flight_info(
        &self,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<PollInfo>, Status> {
        FlightService::poll_flight_info(&self.sql, request).await
    }

    #[tracing::instrument(skip_all)]
    async fn get_schema(
        &self,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<SchemaResult>, Status> {
        match plain_descriptor(request.get_ref()) {
            Some(table) => {
                let (schema, _) = self.table_info(&table?).await?;
                let result = SchemaAsIpc::new(&schema, &IpcWriteOptions::default())
                    .try_into()
                    .map_err(Error::from)?;
                Ok(Response::new(result))
            }
            None => FlightService::get_schema(&self.sql, request).await,
        }
    }

    #[tracing::instrument(skip_all, fields(ticket))]
    async fn do_get(
        &self,
        request: Request<Ticket>,
    ) -> Result<Response<Self::DoGetStream>, Status> {
        match plain_text(&request.get_ref().ticket) {
            Some(table) => {
                let table = table?;
                tracing::Span::current().record("ticket", format!("{}/{}", table.table, table.id));
                let key = storage::table_key(&table.id, &table.table)?;
                let (schema, batches) = self
                    .state
                    .store
                    .read_parquet(&key, storage::NOUN, &table.id)
                    .await
                    .map_err(Error::from)?;
                Ok(Response::new(do_get_response(schema, batches)))
            }
            None => FlightService::do_get(&self.sql, request).await,
        }
    }

    #[tracing::instrument(skip_all)]
    async fn do_put(
        &self,
        request: Request<Streaming<FlightData>>,
    ) -> Result<Response<Self::DoPutStream>, Status> {
        FlightService::do_put(&self.sql, request).await
    }

    #[tracing::instrument(skip_all)]
    async fn do_exchange(
        &self,
        request: Request<Streaming<FlightData>>,
    ) -> Result<Response<Self::DoExchangeStream>, Status> {
        FlightService::do_exchange(&self.sql, request).await
    }

    #[tracing::instrument(skip_all)]
    async fn do_action(
        &self,
        request: Request<Action>,
    ) -> Result<Response<Self::DoActionStream>, Status> {
        FlightService::do_action(&self.sql, request).await
    }

    #[tracing::instrument(skip_all)]
    async fn list_actions(
        &self,
        request: Request<Empty>,
    ) -> Result<Response<Self::ListActionsStream>, Status> {
        FlightService::list_actions(&self.sql, request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_tickets_are_told_from_flight_sql_ones() {
        let t = plain_text(b"membership/abc123").unwrap().unwrap();
        assert_eq!(t, TableTicket::new("membership", "abc123"));
        assert!(plain_text(b"clean/abc123").is_none());
        let bad = plain_text(b"portraits/../x").unwrap().unwrap_err();
        assert_eq!(bad.into_status().code(), tonic::Code::InvalidArgument);
        // A Flight SQL ticket: an encoded Any, starting with 0x0a.
        use arrow_flight::sql::{ProstMessageExt, TicketStatementQuery};
        use prost::Message as _;
        let any = TicketStatementQuery {
            statement_handle: "SELECT 1".into(),
        }
        .as_any()
        .encode_to_vec();
        assert!(plain_text(&any).is_none());
        let path = FlightDescriptor::new_path(vec!["hypotheses".into(), "a1".into()]);
        assert_eq!(
            plain_descriptor(&path).unwrap().unwrap(),
            TableTicket::new("hypotheses", "a1")
        );
        let sql = FlightDescriptor::new_cmd(any);
        assert!(plain_descriptor(&sql).is_none());
    }
}
