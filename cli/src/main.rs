//! The `ctlake` command line.

use clap::Parser;

/// Set up CloudTrail Lake integrations, publish and validate activity events, ingest changes and query.
#[derive(Debug, Parser)]
#[command(name = "ctlake", version, about)]
struct Cli {}

fn main() -> anyhow::Result<()> {
    let _cli = Cli::parse();
    Ok(())
}
