//! `ctlake completions SHELL`: the completion script from the clap tree.

use clap::CommandFactory as _;

use crate::cli::{Cli, CompletionsArgs};
use crate::exit::{CliResult, Outcome};
use crate::output::write_stdout;

/// Prints the completion script for `args.shell`.
pub(crate) fn run(args: &CompletionsArgs) -> CliResult {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "ctlake", &mut script);
    write_stdout(&script)?;
    Ok(Outcome::Success)
}
