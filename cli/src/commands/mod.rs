//! One module per command, and the dispatch.
//!
//! Commands owned by other engineers plug in with one variant in `cli::Command` and one arm below:
//! - `catalog.rs` (engineer `catalog`): `Command::Catalog(catalog::CatalogCommand)` (a `#[command(subcommand)]`
//!   variant), dispatched as `Command::Catalog(c) => catalog::run(c, ctx).await`;
//! - `ingest_changes.rs` (engineer `changes`): `Command::IngestChanges(ingest_changes::IngestChangesArgs)`,
//!   dispatched as `Command::IngestChanges(a) => ingest_changes::run(a, ctx).await`.
//!
//! Every command has the signature `async fn run(args, ctx: &Context) -> CliResult` (`crate::exit`): the
//! result goes to standard output through `crate::output` in `ctx.output`'s format, notes through `ctx.ui`,
//! AWS clients come from `ctx.aws().await?`, and the returned [`Outcome`](crate::exit::Outcome) or
//! [`CliError`](crate::exit::CliError) decides the exit code.

pub(crate) mod alarms;
pub(crate) mod catalog;
pub(crate) mod completions;
pub(crate) mod ingest_changes;
pub(crate) mod integration;
pub(crate) mod local;
pub(crate) mod put_events;
pub(crate) mod query;
pub(crate) mod quickstart;
pub(crate) mod suggest_causes;
pub(crate) mod validate;

use crate::cli::{Command, LocalCommand};
use crate::context::Context;
use crate::exit::CliResult;

/// Runs `command`.
pub(crate) async fn run(command: Command, ctx: &Context) -> CliResult {
    match command {
        Command::Catalog(c) => catalog::run(c, ctx).await,
        Command::Completions(args) => completions::run(&args),
        Command::Query(args) => query::run(args, ctx).await,
        Command::EnableIntegration(args) => integration::enable(args, ctx).await,
        Command::DisableIntegration(args) => integration::disable(args, ctx).await,
        Command::Validate(args) => validate::run(args, ctx).await,
        Command::PutEvents(args) => put_events::run(args, ctx).await,
        Command::SuggestCauses(args) => suggest_causes::run(args, ctx).await,
        Command::IngestAlarms(args) => alarms::ingest_alarms(args, ctx).await,
        Command::ServeSns(args) => alarms::serve_sns(args, ctx).await,
        Command::IngestChanges(args) => ingest_changes::run(args, ctx).await,
        Command::Quickstart(args) => quickstart::run(args, ctx).await,
        Command::Local(LocalCommand::Serve(args)) => local::serve(args, ctx).await,
    }
}
