//! End-to-end tests of the translator: realistic records in an in-memory `events` table, Lake SQL in, exact
//! rows and column names out.

mod aggregate;
mod examples;
mod filter;
mod fixtures;
mod functions;
mod multi;
mod props;
mod reject;
mod select;
mod stats;
