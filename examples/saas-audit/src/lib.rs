//! # saas-audit
//!
//! An example SaaS web app (axum) that records typed per-tenant audit events and publishes them through
//! [`ctlake::Publisher`] to each tenant's CloudTrail Lake channel, from a tenant registry in a TOML file.
//! See `README.md` for how to run it against the local Lake; `src/main.rs` is the binary.
//!
//! Routes:
//! - `POST /tenants/{tenant}/events` with a JSON [`AuditEvent`] (`{"kind":"ProjectCreated","actor":…,"name":…}`)
//!   → `202 {"id": …}` at once (the publisher delivers in the background); `404` for an unknown tenant,
//!   `422` for an event that breaks a schema rule.
//! - `POST /flush` → waits until every queued event has an outcome; returns the totals.
//! - `GET /status` → each tenant's health and counters.

mod config;
mod events;

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use ctlake::{AuditEventId, Health, Publisher};
use serde_json::json;

pub use config::{Config, ConfigError};
pub use events::AuditEvent;

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct AppState {
    config: Arc<Config>,
    publisher: Publisher,
}

impl AppState {
    /// The state for `config`, publishing through `publisher`.
    pub fn new(config: Config, publisher: Publisher) -> Self {
        Self {
            config: Arc::new(config),
            publisher,
        }
    }
}

/// The app's routes.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/tenants/{tenant}/events", post(record))
        .route("/flush", post(flush))
        .route("/status", get(status))
        .with_state(state)
}

/// An error answer: a status and a JSON `{"error": …}` body.
#[derive(Debug)]
struct AppError(StatusCode, String);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({"error": self.1}))).into_response()
    }
}

async fn record(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    Json(event): Json<AuditEvent>,
) -> Result<(StatusCode, Json<serde_json::Value>), AppError> {
    let dest = state
        .config
        .tenants
        .get(&tenant)
        .ok_or_else(|| AppError(StatusCode::NOT_FOUND, format!("unknown tenant {tenant:?}")))?;
    let request_id = AuditEventId::random();
    let data = event
        .to_event_data(
            &state.config.event_source,
            &tenant,
            dest.channel_arn().account_id(),
            request_id.as_str(),
            None,
        )
        .map_err(|e| AppError(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
    let receipt = state
        .publisher
        .publish(dest, (request_id, data))
        .await
        .map_err(|e| AppError(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
    tracing::info!(tenant, event = event.name(), id = %receipt.id(), "Audit event queued.");
    Ok((StatusCode::ACCEPTED, Json(json!({"id": receipt.id().as_str()}))))
}

async fn flush(State(state): State<AppState>) -> Json<serde_json::Value> {
    let s = state.publisher.flush().await;
    Json(json!({
        "published": s.published, "accepted": s.accepted, "rejected": s.rejected,
        "abandoned": s.abandoned, "pending": s.pending,
    }))
}

async fn status(State(state): State<AppState>) -> Json<serde_json::Value> {
    let tenants: Vec<_> = state
        .publisher
        .status()
        .into_iter()
        .map(|s| {
            let health = match &s.health {
                Health::Healthy => json!("healthy"),
                Health::Paused { code, message, .. } => json!({"paused": code, "message": message}),
                Health::Probing { code, .. } => json!({"probing": code}),
                _ => json!("unknown"),
            };
            json!({
                "tenant": s.name, "channel": s.channel_arn, "health": health, "queued": s.queued,
                "accepted": s.counts.accepted, "rejected": s.counts.rejected, "abandoned": s.counts.abandoned,
            })
        })
        .collect();
    Json(json!({ "tenants": tenants }))
}
