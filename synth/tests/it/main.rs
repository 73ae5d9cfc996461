//! Integration tests of the synthetic-data generator, in one test binary.

mod aggregates;
mod common;
mod format;
mod real_data;
mod streaming;
