//! saas-audit: an axum app publishing per-tenant audit events to CloudTrail Lake through `ctlake::Publisher`.
//!
//! Run against the local Lake (see README.md for creating the channels):
//!
//! ```sh
//! AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 \
//!   cargo run -p saas-audit -- examples/saas-audit/tenants.example.toml
//! curl -X POST localhost:8080/tenants/acme/events -H 'content-type: application/json' \
//!   -d '{"kind":"ProjectCreated","actor":"alice","name":"apollo"}'
//! ```
//!
//! Credentials, region and (unless the file sets `endpoint_url`) the endpoint come from the AWS environment.
//! Ctrl-C shuts down gracefully: the publisher delivers what is queued (up to 10 s) and reports the rest.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use ctlake::{LakeSink, Publisher};
use saas_audit::{AppState, Config, app};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let path: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .context("usage: saas-audit <tenants.toml>")?;
    let config = Config::load(&path)?;
    let listen = config.listen;
    let publisher = Publisher::builder().sink(LakeSink::from_env().await).build()?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    tracing::info!(%listen, tenants = config.tenants.len(), "Listening.");
    axum::serve(listener, app(AppState::new(config, publisher.clone())))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    let summary = publisher.shutdown(Duration::from_secs(10)).await;
    tracing::info!(?summary, "Publisher shut down.");
    if summary.abandoned_at_shutdown > 0 {
        anyhow::bail!(
            "{} audit events were not delivered",
            summary.abandoned_at_shutdown
        );
    }
    Ok(())
}
