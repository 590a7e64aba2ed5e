//! Storage: the SQLite schema, the in-memory catalog of resources (mirrored to SQLite), and the single
//! writer thread that group-commits every write.
//!
//! # Durability
//! The database runs in WAL mode with `synchronous=NORMAL`: a request is answered only after the transaction
//! holding its events has committed to the WAL, so an accepted event survives a crash or kill of the
//! process; a power loss or OS crash can lose the last transactions since the previous WAL checkpoint
//! (SQLite's documented trade-off for WAL + NORMAL). No write waits for an fsync of its own.
//!
//! # Writers and readers
//! One thread owns the writing connection. Requests send it jobs (events, resource rows, query results);
//! it takes every job waiting in its queue, writes them in one transaction and then answers them all (group
//! commit). Queries open their own read connections, which WAL lets run beside the writer.

mod catalog;
mod model;
pub(crate) mod schema;
pub(crate) mod writer;

pub(crate) use catalog::Catalog;
pub(crate) use model::{Channel, Destination, EventDataStore, IngestionStatus, Query, QueryStats, Tag};
pub(crate) use writer::{EventRow, Store};
