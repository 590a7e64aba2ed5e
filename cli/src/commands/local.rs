//! `ctlake local serve`: a local Lake on 127.0.0.1 until Ctrl-C or SIGTERM.

use std::net::{Ipv4Addr, SocketAddr};

use crate::cli::LocalServeArgs;
use crate::context::Context;
use crate::exit::{CliError, CliResult, Outcome};
use crate::output::write_stdout;

/// Serves until a signal, printing the endpoint URL on one line once the Lake answers.
pub(crate) async fn serve(args: LocalServeArgs, ctx: &Context) -> CliResult {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let config = ctlake_local::Config::with_data_dir(&args.data_dir);
    let lake = ctlake_local::LocalLake::start_on(addr, config)
        .await
        .map_err(|e| {
            CliError::other(format!(
                "cannot start the local Lake on {addr} with data in {}: {e}",
                args.data_dir.display()
            ))
        })?;
    let url = lake.endpoint_url();
    write_stdout(format!("{url}\n").as_bytes())?;
    ctx.ui.note(format!(
        "Local Lake on {url}, data in {} (Ctrl-C stops it). Try:\n  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
         AWS_REGION=us-east-1 ctlake --endpoint-url {url} enable-integration --name demo --create-event-data-store",
        args.data_dir.display()
    ));
    crate::commands::put_events::interrupt_signal().await;
    ctx.ui.note("Stopping the local Lake.");
    lake.shutdown()
        .await
        .map_err(|e| CliError::other(format!("the local Lake did not stop cleanly: {e}")))?;
    Ok(Outcome::Success)
}
