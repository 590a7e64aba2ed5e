//! The `saas-audit` example end to end: a local Lake with one event data store and channel per tenant, the
//! app on a loopback port built from a TOML tenant registry, HTTP calls to its endpoints, and Lake SQL
//! queries showing each event landed exactly once, in its own tenant's store.

use std::time::Duration;

use ctlake::{LakeSink, Publisher};
use ctlake_e2e::lake::{Lake, id_of};
use saas_audit::{AppState, Config, app};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One HTTP/1.1 request; returns status and body.
async fn http(addr: std::net::SocketAddr, method: &str, path: &str, body: &str) -> (u16, serde_json::Value) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await.unwrap();
    let text = String::from_utf8(buf).unwrap();
    let status = text.split(' ').nth(1).unwrap().parse().unwrap();
    let body = text.split_once("\r\n\r\n").unwrap().1;
    (
        status,
        serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_events_land_once_in_their_own_lake() {
    let lake = Lake::start(serde_json::json!({})).await;
    let acme_store = lake.create_store("acme").await;
    let globex_store = lake.create_store("globex").await;
    let acme = lake.create_channel("acme", &acme_store).await;
    let globex = lake.create_channel("globex", &globex_store).await;
    lake.allow(&acme, "000000000000", "saas-audit-acme").await;
    lake.allow(&globex, "000000000000", "saas-audit-globex").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tenants.toml");
    std::fs::write(
        &path,
        format!(
            r#"event_source = "saas-audit.example.com"
endpoint_url = "{}"

[[tenants]]
id = "acme"
channel_arn = "{acme}"
external_id = "saas-audit-acme"

[[tenants]]
id = "globex"
channel_arn = "{globex}"
external_id = "saas-audit-globex"
"#,
            lake.endpoint_url()
        ),
    )
    .unwrap();
    let config = Config::load(&path).unwrap();
    let publisher = Publisher::builder()
        .sink(LakeSink::new(&lake.sdk_config("test")))
        .linger(Duration::from_millis(50))
        .build()
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server =
        tokio::spawn(axum::serve(listener, app(AppState::new(config, publisher.clone()))).into_future());

    let mut acme_ids = Vec::new();
    for i in 0..7 {
        let body = format!(r#"{{"kind":"ProjectCreated","actor":"alice","name":"p{i}"}}"#);
        let (status, answer) = http(addr, "POST", "/tenants/acme/events", &body).await;
        assert_eq!(status, 202, "{answer}");
        acme_ids.push(answer["id"].as_str().unwrap().to_owned());
    }
    let (status, _) = http(
        addr,
        "POST",
        "/tenants/globex/events",
        r#"{"kind":"MemberInvited","actor":"bob","email":"carol@example.com","role":"admin"}"#,
    )
    .await;
    assert_eq!(status, 202);
    let (status, answer) = http(
        addr,
        "POST",
        "/tenants/initech/events",
        r#"{"kind":"UserLoggedIn","actor":"x"}"#,
    )
    .await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (404, Some("unknown tenant \"initech\""))
    );
    let (status, _) = http(
        addr,
        "POST",
        "/tenants/acme/events",
        r#"{"kind":"UserLoggedIn","actor":""}"#,
    )
    .await;
    assert_eq!(status, 422, "an empty principalId breaks the schema");

    let (status, totals) = http(addr, "POST", "/flush", "").await;
    assert_eq!(status, 200);
    assert_eq!(
        (totals["accepted"].as_u64(), totals["pending"].as_u64()),
        (Some(8), Some(0)),
        "{totals}"
    );
    let (_, status_body) = http(addr, "GET", "/status", "").await;
    assert_eq!(
        status_body["tenants"].as_array().unwrap().len(),
        2,
        "{status_body}"
    );

    let rows = lake
        .query(&format!(
            "SELECT eventData.UID, eventData.eventName, element_at(eventData.requestParameters, 'tenant') FROM {}",
            id_of(&acme_store)
        ))
        .await;
    let mut uids: Vec<_> = rows.iter().map(|r| r[0].1.clone()).collect();
    uids.sort();
    acme_ids.sort();
    assert_eq!(uids, acme_ids, "each acme event exactly once, in acme's store");
    assert!(
        rows.iter()
            .all(|r| r[1].1 == "ProjectCreated" && r[2].1 == "acme")
    );
    let rows = lake
        .query(&format!(
            "SELECT eventData.eventName, element_at(eventData.requestParameters, 'email') FROM {}",
            id_of(&globex_store)
        ))
        .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0][0].1.as_str(), rows[0][1].1.as_str()),
        ("MemberInvited", "carol@example.com")
    );
    server.abort();
    publisher.shutdown(Duration::from_secs(5)).await;
    lake.shutdown().await;
}
