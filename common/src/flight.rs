//! Arrow Flight helpers shared by the services and their clients.
//!
//! Tables travel as Arrow record batches: servers encode them with [`encode`] (which splits messages
//! below [`FLIGHT_DATA_TARGET_BYTES`]) and clients open channels with [`connect`], which sets explicit
//! message limits on both directions. Tickets are UTF-8 `<table>/<id>` strings ([`TableTicket`]).

use std::time::Duration;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use arrow_flight::encode::{FlightDataEncoder, FlightDataEncoderBuilder};
use arrow_flight::error::FlightError;
use arrow_flight::flight_service_client::FlightServiceClient;
use arrow_flight::{FlightClient, FlightData, Ticket};
use futures::stream::BoxStream;
use futures::{Stream, StreamExt, TryStreamExt};
use tonic::transport::{Channel, Endpoint};

use crate::config::FLIGHT_DATA_TARGET_BYTES;
use crate::store::validate_id;
use crate::{Error, Result};

/// A Flight ticket naming one table of one artifact, e.g. `clean/<dataset_id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableTicket {
    /// Table name (`clean`, `quarantine`, `membership`, ...).
    pub table: String,
    /// Artifact id.
    pub id: String,
}

impl TableTicket {
    /// A ticket for `table` of artifact `id`.
    pub fn new(table: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            table: table.into(),
            id: id.into(),
        }
    }

    /// Parses `<table>/<id>`.
    pub fn parse(ticket: &Ticket) -> Result<Self> {
        let text = std::str::from_utf8(&ticket.ticket).map_err(|_| Error::Invalid {
            what: "ticket",
            message: "expected UTF-8 text of the form <table>/<id>".into(),
        })?;
        let (table, id) = text.split_once('/').ok_or_else(|| Error::Invalid {
            what: "ticket",
            message: format!("{text:?} is not of the form <table>/<id>"),
        })?;
        validate_id(id)?;
        Ok(Self::new(table, id))
    }

    /// The wire ticket.
    pub fn to_ticket(&self) -> Ticket {
        Ticket::new(format!("{}/{}", self.table, self.id))
    }
}

/// Opens a channel to `url` (`http://host:port`). The connection is made lazily on first use, so a
/// service that starts before its peers still starts.
pub fn connect_lazy(url: &str) -> Result<Channel> {
    let endpoint = Endpoint::from_shared(url.to_string())
        .map_err(|e| Error::Config(format!("endpoint {url:?}: {e}")))?
        .connect_timeout(Duration::from_secs(10))
        .tcp_keepalive(Some(Duration::from_secs(60)));
    Ok(endpoint.connect_lazy())
}

/// Opens a channel to `url` and connects now, failing fast when the peer is not there.
pub async fn connect(url: &str) -> Result<Channel> {
    let endpoint = Endpoint::from_shared(url.to_string())
        .map_err(|e| Error::Config(format!("endpoint {url:?}: {e}")))?
        .connect_timeout(Duration::from_secs(10))
        .tcp_keepalive(Some(Duration::from_secs(60)));
    Ok(endpoint.connect().await?)
}

/// A Flight client over `channel` with explicit message limits in both directions.
pub fn client(channel: Channel, max_message_bytes: usize) -> FlightClient {
    FlightClient::new_from_inner(
        FlightServiceClient::new(channel)
            .max_decoding_message_size(max_message_bytes)
            .max_encoding_message_size(max_message_bytes),
    )
}

/// Streams table `ticket` from the Flight service at `channel`.
pub async fn fetch(
    channel: Channel,
    max_message_bytes: usize,
    ticket: &TableTicket,
) -> Result<BoxStream<'static, Result<RecordBatch>>> {
    let mut client = client(channel, max_message_bytes);
    let stream = client.do_get(ticket.to_ticket()).await?;
    Ok(stream.map_err(Error::from).boxed())
}

/// Encodes record batches as Flight data, split below [`FLIGHT_DATA_TARGET_BYTES`] per message.
pub fn encode<S>(schema: SchemaRef, batches: S) -> FlightDataEncoder
where
    S: Stream<Item = std::result::Result<RecordBatch, FlightError>> + Send + 'static,
{
    FlightDataEncoderBuilder::new()
        .with_schema(schema)
        .with_max_flight_data_size(FLIGHT_DATA_TARGET_BYTES)
        .build(batches)
}

/// The response stream type of DoGet-like handlers.
pub type FlightDataStream = BoxStream<'static, std::result::Result<FlightData, tonic::Status>>;

/// Encodes a store stream for a DoGet response, mapping errors to statuses.
pub fn do_get_response<S>(schema: SchemaRef, batches: S) -> FlightDataStream
where
    S: Stream<Item = Result<RecordBatch>> + Send + 'static,
{
    encode(
        schema,
        batches.map_err(|e| FlightError::Tonic(Box::new(e.into_status()))),
    )
    .map_err(|e| match e {
        FlightError::Tonic(status) => *status,
        other => tonic::Status::internal(other.to_string()),
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_round_trip_and_reject_bad_forms() {
        let t = TableTicket::new("clean", "abc123");
        assert_eq!(TableTicket::parse(&t.to_ticket()).unwrap(), t);
        let bad = TableTicket::parse(&Ticket::new("clean")).unwrap_err();
        assert_eq!(
            bad.to_string(),
            "invalid ticket: \"clean\" is not of the form <table>/<id>"
        );
        assert!(TableTicket::parse(&Ticket::new("clean/../x")).is_err());
        let not_utf8 = Ticket {
            ticket: vec![0xff, 0xfe].into(),
        };
        assert!(TableTicket::parse(&not_utf8).is_err());
    }
}
