//! Integration tests of ingest-svc: the real server on 127.0.0.1:0, called over gRPC and Flight.

mod bad_input;
mod ingest;
mod real_data;
mod support;
