//! Integration tests of bankseg: the real services, started on loopback ports (in-process or as
//! separate processes), driven over gRPC exactly as `bankseg run` drives them.

mod pipeline;
mod services;
