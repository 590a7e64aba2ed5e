//! The `ctlake` command line: parse, dispatch, map the outcome to an exit code.
//!
//! Layout (cargo-dist's model): `cli` holds every clap type, `commands` one module per command, `aws` the AWS
//! configuration and error mapping, `output` the result formats, `ui` standard error, `exit` the exit codes.

mod aws;
mod cli;
mod commands;
mod context;
mod events;
mod exit;
mod output;
mod resources;
mod ui;

use std::process::ExitCode;

use clap::Parser as _;
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, GlobalArgs};
use crate::context::Context;

/// The process allocator. `put-events`, `ingest-changes` and `local serve` allocate on one thread what
/// another frees (a reader thread builds entries, the publisher's runtime sends and drops them; the Lake's
/// handlers hand rows to its writer thread), which glibc's per-thread arenas handle poorly. See
/// BENCHMARKS.md ("CLI put-events") for what it changes.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed; usage errors exit 252 like the AWS CLI.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 252 } else { 0 });
        }
    };
    init_tracing(&cli.global);
    let ctx = Context::new(cli.global);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ctlake: error: cannot start the async runtime: {e}");
            return ExitCode::from(255);
        }
    };
    let result = runtime.block_on(commands::run(cli.command, &ctx));
    // Do not wait for idle connection tasks or blocking reads of standard input.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    match result {
        Ok(outcome) => ExitCode::from(outcome.code()),
        Err(e) => {
            eprintln!("ctlake: error: {e}");
            ExitCode::from(e.code())
        }
    }
}

/// Logs on standard error: errors only with -q, warnings by default, more with each -v; RUST_LOG overrides.
fn init_tracing(global: &GlobalArgs) {
    let default = match (global.quiet, global.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "warn,ctlake=info,ctlake_cli=info,ctlake_local=info,ctlake_changes=info",
        (false, 2) => "info,ctlake=debug,ctlake_cli=debug,ctlake_local=debug,ctlake_changes=debug",
        (false, _) => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(global.verbose >= 2)
        .try_init();
}
