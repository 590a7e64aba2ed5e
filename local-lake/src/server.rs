//! The listener: one HTTP/1.1 port for both APIs and the admin endpoints; dispatch by request shape.
//!
//! ```text
//! X-Amz-Target: …CloudTrail_20131101.<Op>     → control plane (awsJson1_1, SigV4 service `cloudtrail`)
//! POST …/PutAuditEvents?channelArn=…          → data plane (restJson1, SigV4 service `cloudtrail-data`)
//! /_ctlake/health | /_ctlake/faults | /_ctlake/reset → admin (no SigV4, loopback peers only)
//! anything else                               → 404 UnknownOperationException
//! ```

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot, watch};
use tokio::task::JoinSet;
use tower::ServiceExt as _;

use crate::app::App;
use crate::config::Config;
use crate::protocol::aws_json::{self, Params};
use crate::protocol::rest_json::{self, PutAuditEventsQuery};
use crate::protocol::{ApiError, Plane};
use crate::{Error, admin, auth, control, data};

/// Largest request body read at all (a PutAuditEvents body over 1 MB is still read, to answer it properly).
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// How long shutdown waits for open requests before closing their connections.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Per-connection facts handed to handlers.
#[derive(Debug, Clone)]
pub(crate) struct ConnInfo {
    /// The client's address (admin endpoints answer loopback peers only).
    pub(crate) peer: SocketAddr,
    /// Notified to close the connection without answering (fault injection).
    kill: Arc<Notify>,
}

/// Serves the local Lake on `listener` until `shutdown` completes, then drains open requests (up to 5 s),
/// stops the writer thread and closes the database.
///
/// # Errors
/// When the database cannot be opened or the configuration is invalid.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()>,
) -> Result<(), Error> {
    let app = App::open(&config).await?;
    run(listener, app, shutdown).await;
    Ok(())
}

async fn run(listener: TcpListener, app: Arc<App>, shutdown: impl Future<Output = ()>) {
    let router = router(Arc::clone(&app));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(connection(stream, peer, router.clone(), stop_rx.clone()));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "Accepting a connection failed.");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    let _ = stop_tx.send(true);
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        connections.abort_all();
    }
    app.store.close().await;
}

async fn connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    router: Router,
    mut stop: watch::Receiver<bool>,
) {
    let kill = Arc::new(Notify::new());
    let info = ConnInfo {
        peer,
        kill: Arc::clone(&kill),
    };
    let service = router.map_request(move |mut req: axum::http::Request<Incoming>| {
        req.extensions_mut().insert(info.clone());
        req
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
    tokio::pin!(conn);
    let mut stopping = *stop.borrow();
    if stopping {
        conn.as_mut().graceful_shutdown();
    }
    loop {
        tokio::select! {
            _ = conn.as_mut() => break,
            () = kill.notified() => break,
            changed = stop.changed(), if !stopping => {
                if changed.is_err() || *stop.borrow() {
                    stopping = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/_ctlake/health", get(admin::health))
        .route("/_ctlake/faults", get(admin::get_faults).post(admin::set_faults))
        .route("/_ctlake/reset", post(admin::reset))
        .fallback(api)
        .with_state(app)
}

/// Which API a request is for.
enum Route {
    Control(String),
    Data,
    Unknown,
}

fn route(parts: &Parts) -> Route {
    if let Some(target) = parts.headers.get("x-amz-target").and_then(|v| v.to_str().ok()) {
        return Route::Control(aws_json::operation_name(target).to_owned());
    }
    if parts.method == axum::http::Method::POST && rest_json::is_put_audit_events(parts.uri.path()) {
        return Route::Data;
    }
    Route::Unknown
}

async fn api(State(app): State<Arc<App>>, request: Request) -> Response {
    let conn = request.extensions().get::<ConnInfo>().cloned();
    let (parts, body) = request.into_parts();
    let route = route(&parts);
    let plane = match route {
        Route::Control(_) => Plane::Control,
        Route::Data => Plane::Data,
        Route::Unknown => Plane::Unknown,
    };
    match handle(&app, conn, route, &parts, body).await {
        Ok(body) => {
            let content_type = if plane == Plane::Control {
                aws_json::CONTENT_TYPE
            } else {
                rest_json::CONTENT_TYPE
            };
            respond(StatusCode::OK, content_type, body)
        }
        Err(e) => {
            tracing::debug!(code = e.code, status = e.status.as_u16(), message = %e.message, "Request failed.");
            let content_type = if plane == Plane::Control {
                aws_json::CONTENT_TYPE
            } else {
                rest_json::CONTENT_TYPE
            };
            let mut r = respond(e.status, content_type, e.body(plane));
            if let Ok(v) = HeaderValue::from_str(e.code) {
                r.headers_mut().insert("x-amzn-ErrorType", v);
            }
            r
        }
    }
}

/// A response with a body, a content type and a fresh `x-amzn-RequestId` (on every response, admin included).
pub(crate) fn respond(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        r.headers_mut().insert("x-amzn-RequestId", id);
    }
    r
}

async fn handle(
    app: &Arc<App>,
    conn: Option<ConnInfo>,
    route: Route,
    parts: &Parts,
    body: Body,
) -> Result<String, ApiError> {
    let plane = match &route {
        Route::Control(_) => Plane::Control,
        Route::Data => Plane::Data,
        Route::Unknown => {
            return Err(ApiError::not_found(
                "UnknownOperationException",
                format!(
                    "{} {} is neither a CloudTrail call (X-Amz-Target) nor POST /PutAuditEvents.",
                    parts.method,
                    parts.uri.path()
                ),
            ));
        }
    };
    let fault = app.faults.on_request(plane);
    if let Some(delay) = fault.delay {
        tokio::time::sleep(delay).await;
    }
    if fault.drop_connection {
        if let Some(conn) = conn {
            conn.kill.notify_one();
        }
        std::future::pending::<()>().await;
    }
    if let Some(error) = fault.error {
        return Err(error);
    }
    let body: Bytes = axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        ApiError::new(
            "RequestEntityTooLargeException",
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("Request bodies are limited to {MAX_BODY_BYTES} bytes."),
        )
    })?;
    if let Route::Control(operation) = route {
        let caller = auth::verify(parts, &body, "cloudtrail", &app.identities, app.max_skew)?;
        let params = Params::parse(&body)?;
        control::dispatch(app, &caller, &operation, params)
            .await
            .map(|v| v.to_string())
    } else {
        let caller = auth::verify(parts, &body, "cloudtrail-data", &app.identities, app.max_skew)?;
        let query = PutAuditEventsQuery::parse(parts.uri.query().unwrap_or_default());
        data::put_audit_events(app, &caller, &query, &body).await
    }
}

/// A running local Lake on a loopback port, for tests and embedding. Dropping it stops the server (without
/// waiting); [`LocalLake::shutdown`] stops it and waits until the database is closed.
#[derive(Debug)]
pub struct LocalLake {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl LocalLake {
    /// Starts a Lake on `127.0.0.1` with an ephemeral port.
    ///
    /// # Errors
    /// When the port cannot be bound or the database cannot be opened.
    pub async fn start(config: Config) -> Result<Self, Error> {
        Self::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config).await
    }

    /// Starts a Lake on `addr` (use a loopback address: the admin endpoints answer loopback peers only).
    ///
    /// # Errors
    /// When the address cannot be bound or the database cannot be opened.
    pub async fn start_on(addr: SocketAddr, config: Config) -> Result<Self, Error> {
        let listener = TcpListener::bind(addr).await.map_err(|source| Error::Io {
            context: format!("cannot listen on {addr}"),
            source,
        })?;
        let addr = listener.local_addr().map_err(|source| Error::Io {
            context: "cannot read the listening address".to_owned(),
            source,
        })?;
        let app = App::open(&config).await?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(run(listener, app, async move {
            let _ = stopped.await;
        }));
        Ok(Self {
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The endpoint URL for SDK clients, e.g. `http://127.0.0.1:41234`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server and waits until open requests are answered and the database is closed.
    ///
    /// # Errors
    /// When the server task panicked.
    pub async fn shutdown(mut self) -> Result<(), Error> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.map_err(|e| Error::Io {
                context: "the local Lake server task failed".to_owned(),
                source: std::io::Error::other(e.to_string()),
            })?;
        }
        Ok(())
    }
}

impl Drop for LocalLake {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
