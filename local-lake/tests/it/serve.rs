//! The public entry point `serve(listener, config, shutdown)`.

use ctlake_local::{Config, Credentials, Error, serve};

use crate::support::*;

#[tokio::test]
async fn serve_answers_until_shutdown_then_returns() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, Config::in_memory(), async {
        let _ = stopped.await;
    }));
    let c = clients_with(&endpoint, "test", "test", "us-east-1");
    assert!(c.ct.list_channels().send().await.unwrap().channels().is_empty());
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert!(
        c.ct.list_channels().send().await.is_err(),
        "nothing listens after shutdown"
    );
}

#[tokio::test]
async fn invalid_configuration_is_reported() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = Config::in_memory().credentials(Credentials::new("AKID", "secret", "not-an-account"));
    let err = serve(listener, config, std::future::pending()).await.unwrap_err();
    assert!(
        matches!(err, Error::Config(ref m) if m.contains("account_id")),
        "{err}"
    );
}
