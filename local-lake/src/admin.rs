//! Admin endpoints (no SigV4; answered only to loopback peers):
//!
//! ```text
//! GET  /_ctlake/health  → {"status":"ok","service":"ctlake-local","version":"…"}
//! GET  /_ctlake/faults  → the current FaultConfig
//! POST /_ctlake/faults  ← a FaultConfig (members left out take their defaults; replaces the current one,
//!                         reseeds the RNG) → the new FaultConfig
//! POST /_ctlake/reset   ← optional {"data": true} → faults back to the configured ones, quota buckets
//!                         emptied; with "data": true also every resource, query and event deleted
//! ```

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use crate::app::App;
use crate::faults::FaultConfig;
use crate::server::{ConnInfo, respond};

const JSON: &str = "application/json";

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    respond(
        status,
        JSON,
        json!({"__type": code, "message": message.into()}).to_string(),
    )
}

/// Refuses non-loopback peers (the admin API changes server behaviour and needs no credentials).
fn check_peer(request: &Request) -> Result<(), Box<Response>> {
    match request.extensions().get::<ConnInfo>() {
        Some(info) if info.peer.ip().is_loopback() => Ok(()),
        _ => Err(Box::new(error(
            StatusCode::FORBIDDEN,
            "AccessDeniedException",
            "The admin API answers loopback clients only.",
        ))),
    }
}

async fn body(request: Request) -> Result<Bytes, Box<Response>> {
    axum::body::to_bytes(request.into_body(), 1024 * 1024)
        .await
        .map_err(|_| {
            Box::new(error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestEntityTooLargeException",
                "Admin bodies are limited to 1 MiB.",
            ))
        })
}

/// `GET /_ctlake/health`.
pub(crate) async fn health(request: Request) -> Response {
    if let Err(r) = check_peer(&request) {
        return *r;
    }
    respond(
        StatusCode::OK,
        JSON,
        json!({"status": "ok", "service": "ctlake-local", "version": env!("CARGO_PKG_VERSION")}).to_string(),
    )
}

/// `GET /_ctlake/faults`.
pub(crate) async fn get_faults(State(app): State<Arc<App>>, request: Request) -> Response {
    if let Err(r) = check_peer(&request) {
        return *r;
    }
    respond(
        StatusCode::OK,
        JSON,
        serde_json::to_string(&app.faults.get()).unwrap_or_default(),
    )
}

/// `POST /_ctlake/faults`.
pub(crate) async fn set_faults(State(app): State<Arc<App>>, request: Request) -> Response {
    if let Err(r) = check_peer(&request) {
        return *r;
    }
    let bytes = match body(request).await {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let config: FaultConfig = match serde_json::from_slice(&bytes) {
        Ok(c) => c,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "InvalidFaultConfig",
                format!("The fault configuration is invalid: {e}."),
            );
        }
    };
    if let Err(e) = config.validate() {
        return error(StatusCode::BAD_REQUEST, "InvalidFaultConfig", e);
    }
    tracing::info!(faults = ?config, "Fault injection changed.");
    app.faults.set(config);
    respond(
        StatusCode::OK,
        JSON,
        serde_json::to_string(&app.faults.get()).unwrap_or_default(),
    )
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ResetRequest {
    #[serde(default)]
    data: bool,
}

/// `POST /_ctlake/reset`.
pub(crate) async fn reset(State(app): State<Arc<App>>, request: Request) -> Response {
    if let Err(r) = check_peer(&request) {
        return *r;
    }
    let bytes = match body(request).await {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let options: ResetRequest = if bytes.iter().all(u8::is_ascii_whitespace) {
        ResetRequest::default()
    } else {
        match serde_json::from_slice(&bytes) {
            Ok(o) => o,
            Err(e) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "InvalidResetRequest",
                    format!("Expected {{\"data\": bool}}: {e}."),
                );
            }
        }
    };
    app.faults.set(app.startup_faults.clone());
    let mut reset = vec!["faults"];
    if options.data {
        let pending = {
            let mut state = app.state();
            state.catalog = crate::store::Catalog::default();
            state.policies.clear();
            for (_, handle) in app.running().drain() {
                handle.interrupt();
            }
            app.store.submit(
                Vec::new(),
                Some(Box::new(|c: &rusqlite::Connection| {
                    c.execute_batch(
                        "DELETE FROM events; DELETE FROM resources; DELETE FROM channel_ingestion; DELETE FROM query_results;",
                    )
                })),
            )
        };
        if let Err(e) = pending.wait().await {
            return error(StatusCode::INTERNAL_SERVER_ERROR, "InternalFailure", e.message);
        }
        reset.push("data");
    }
    respond(StatusCode::OK, JSON, json!({ "reset": reset }).to_string())
}
