//! Fixtures: a Lake on 127.0.0.1:0, SDK clients with retries off, raw HTTP for admin and unsigned calls.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use aws_credential_types::Credentials;
use aws_sdk_cloudtrail::config::retry::RetryConfig;
use aws_sdk_cloudtrail::config::{BehaviorVersion, Region};
use aws_sdk_cloudtrail::error::SdkError;
use aws_sdk_cloudtrail::types::{AdvancedEventSelector, AdvancedFieldSelector, Destination, DestinationType};
use ctlake_local::{Config, LocalLake};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The default account (access key `test`).
pub(crate) const OWNER: &str = "000000000000";
/// A second account (access key `111122223333`).
pub(crate) const PARTNER: &str = "111122223333";

/// A Lake with an in-memory database.
pub(crate) async fn lake() -> LocalLake {
    LocalLake::start(Config::in_memory()).await.unwrap()
}

/// Control-plane and data-plane clients for one access key, retries off.
pub(crate) struct Clients {
    pub(crate) ct: aws_sdk_cloudtrail::Client,
    pub(crate) data: aws_sdk_cloudtraildata::Client,
}

pub(crate) fn clients(lake: &LocalLake, access_key: &str) -> Clients {
    clients_with(&lake.endpoint_url(), access_key, "test", "us-east-1")
}

pub(crate) fn clients_with(endpoint: &str, access_key: &str, secret: &str, region: &str) -> Clients {
    let creds = Credentials::new(access_key, secret, None, None, "it");
    let ct = aws_sdk_cloudtrail::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .credentials_provider(creds.clone())
        .endpoint_url(endpoint)
        .retry_config(RetryConfig::disabled())
        .build();
    let data = aws_sdk_cloudtraildata::Config::builder()
        .behavior_version(aws_sdk_cloudtraildata::config::BehaviorVersion::latest())
        .region(aws_sdk_cloudtraildata::config::Region::new(region.to_owned()))
        .credentials_provider(creds)
        .endpoint_url(endpoint)
        .retry_config(aws_sdk_cloudtraildata::config::retry::RetryConfig::disabled())
        .build();
    Clients {
        ct: aws_sdk_cloudtrail::Client::from_conf(ct),
        data: aws_sdk_cloudtraildata::Client::from_conf(data),
    }
}

/// The ActivityAuditLog selector of the integration docs.
pub(crate) fn activity_selector() -> AdvancedEventSelector {
    AdvancedEventSelector::builder()
        .name("Select all external events")
        .field_selectors(
            AdvancedFieldSelector::builder()
                .field("eventCategory")
                .equals("ActivityAuditLog")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

/// Creates an ActivityAuditLog event data store (termination protection off) and returns its ARN.
pub(crate) async fn create_store(ct: &aws_sdk_cloudtrail::Client, name: &str) -> String {
    ct.create_event_data_store()
        .name(name)
        .advanced_event_selectors(activity_selector())
        .multi_region_enabled(false)
        .retention_period(30)
        .termination_protection_enabled(false)
        .send()
        .await
        .unwrap()
        .event_data_store_arn
        .unwrap()
}

/// A destination for an event data store ARN or id.
pub(crate) fn destination(location: &str) -> Destination {
    Destination::builder()
        .r#type(DestinationType::EventDataStore)
        .location(location)
        .build()
        .unwrap()
}

/// Creates a Custom channel to `stores` and returns its ARN.
pub(crate) async fn create_channel(ct: &aws_sdk_cloudtrail::Client, name: &str, stores: &[&str]) -> String {
    let mut req = ct.create_channel().name(name).source("Custom");
    for s in stores {
        req = req.destinations(destination(s));
    }
    req.send().await.unwrap().channel_arn.unwrap()
}

/// A valid eventData document for `account`.
pub(crate) fn event_data(account: &str, uid: &str) -> String {
    serde_json::json!({
        "version": "1.0",
        "userIdentity": {"type": "CustomUser", "principalId": "alice", "details": {"team": "blue"}},
        "eventSource": "app.example.com",
        "eventName": "Login",
        "eventTime": "2024-01-01T00:00:00Z",
        "UID": uid,
        "requestParameters": {"team": "blue"},
        "sourceIPAddress": "192.0.2.10",
        "recipientAccountId": account,
    })
    .to_string()
}

/// An AuditEvent with `id` and eventData.
pub(crate) fn audit_event(id: &str, data: &str) -> aws_sdk_cloudtraildata::types::AuditEvent {
    aws_sdk_cloudtraildata::types::AuditEvent::builder()
        .id(id)
        .event_data(data)
        .build()
        .unwrap()
}

/// The HTTP status of an SDK error that reached the server.
pub(crate) fn status<E, R>(err: &SdkError<E, R>) -> u16
where
    R: HasStatus,
{
    err.raw_response().map(HasStatus::status_code).unwrap_or(0)
}

/// Access to the status of the SDK's raw response type.
pub(crate) trait HasStatus {
    fn status_code(&self) -> u16;
}

impl HasStatus for aws_smithy_runtime_api::http::Response {
    fn status_code(&self) -> u16 {
        self.status().as_u16()
    }
}

/// The error code of an SDK service error (`None` for transport errors).
pub(crate) fn code<E: aws_sdk_cloudtrail::error::ProvideErrorMetadata, R>(
    err: &SdkError<E, R>,
) -> Option<String> {
    err.as_service_error().and_then(|e| e.code()).map(str::to_owned)
}

/// A raw HTTP/1.1 exchange: returns status, lower-cased headers and body.
pub(crate) async fn raw(
    lake: &LocalLake,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Vec<(String, String)>, String) {
    let mut stream = tokio::net::TcpStream::connect(lake.local_addr()).await.unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nhost: {}\r\ncontent-length: {}\r\nconnection: close\r\n",
        lake.local_addr(),
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await.unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

/// `POST /_ctlake/faults` with a JSON body.
pub(crate) async fn set_faults(lake: &LocalLake, json: &str) {
    let (status, _, body) = raw(
        lake,
        "POST",
        "/_ctlake/faults",
        &[("content-type", "application/json")],
        json,
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

/// The workspace root.
pub(crate) fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Counts stored event rows per event data store id in a file-backed Lake's database.
pub(crate) fn stored_rows(data_dir: &Path, eds_id: &str) -> i64 {
    let conn = rusqlite::Connection::open_with_flags(
        data_dir.join("lake.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    conn.query_row("SELECT count(*) FROM events WHERE eds_id = ?1", [eds_id], |r| {
        r.get(0)
    })
    .unwrap()
}

/// The id at the end of an ARN.
pub(crate) fn id_of(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap()
}

/// Sends a request signed with `aws-sigv4` (access key `test`) at `time`; `target` selects the control plane.
pub(crate) async fn signed(
    lake: &LocalLake,
    target: Option<&str>,
    path: &str,
    body: &str,
    service: &str,
    time: std::time::SystemTime,
) -> (u16, Vec<(String, String)>, String) {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
    let host = lake.local_addr().to_string();
    let mut headers: Vec<(String, String)> = vec![("host".into(), host)];
    headers.push(("content-type".into(), "application/x-amz-json-1.1".into()));
    if let Some(t) = target {
        headers.push(("x-amz-target".into(), t.into()));
    }
    let identity: aws_smithy_runtime_api::client::identity::Identity =
        Credentials::new("test", "test", None, None, "it").into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let request = SignableRequest::new(
        "POST",
        path,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(body.as_bytes()),
    )
    .unwrap();
    let (instructions, _) = sign(request, &params).unwrap().into_parts();
    for (k, v) in instructions.headers() {
        headers.push((k.to_owned(), v.to_owned()));
    }
    let extra: Vec<(&str, &str)> = headers
        .iter()
        .skip(1)
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    raw(lake, "POST", path, &extra, body).await
}

/// A header value from a raw response.
pub(crate) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Starts a query and waits (up to 10 s) until it leaves QUEUED/RUNNING; returns its id and final status.
pub(crate) async fn run_query(ct: &aws_sdk_cloudtrail::Client, statement: &str) -> (String, String) {
    let id = ct
        .start_query()
        .query_statement(statement)
        .send()
        .await
        .unwrap()
        .query_id
        .unwrap();
    for _ in 0..200 {
        let d = ct.describe_query().query_id(&id).send().await.unwrap();
        let status = d.query_status().unwrap().as_str().to_owned();
        if status != "QUEUED" && status != "RUNNING" {
            return (id, status);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("query {id} did not finish in 10 s");
}

/// All rows of a finished query as (column, value) lists, paging with `page` rows per call.
pub(crate) async fn all_rows(
    ct: &aws_sdk_cloudtrail::Client,
    id: &str,
    page: i32,
) -> Vec<Vec<(String, Option<String>)>> {
    let mut rows = Vec::new();
    let mut token = None;
    loop {
        let out = ct
            .get_query_results()
            .query_id(id)
            .max_query_results(page)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        for row in out.query_result_rows() {
            rows.push(
                row.iter()
                    .map(|col| match col.iter().next() {
                        Some((k, v)) => (k.clone(), Some(v.clone())),
                        None => (String::new(), None),
                    })
                    .collect(),
            );
        }
        token = out.next_token().map(str::to_owned);
        if token.is_none() {
            return rows;
        }
    }
}
