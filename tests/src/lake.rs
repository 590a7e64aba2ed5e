//! A local Lake started in-process on `127.0.0.1:0`, with helpers that drive it through the real AWS SDK
//! clients: create event data stores and channels, allow another account on a channel, delete a channel, set
//! faults, and run Lake SQL queries.

#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_cloudtrail::config::retry::RetryConfig;
use aws_sdk_cloudtrail::types::{AdvancedEventSelector, AdvancedFieldSelector, Destination, DestinationType};
use ctlake_local::{Config, FaultConfig, LocalLake};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The account of access key `test` (secret `test`), the local Lake's default identity.
pub const OWNER: &str = "000000000000";

/// The region every helper uses.
pub const REGION: &str = "us-east-1";

/// A running local Lake in this process; [`Remote`]'s helpers through `Deref`.
#[derive(Debug)]
pub struct Lake {
    lake: LocalLake,
    remote: Remote,
}

impl Lake {
    /// Starts a Lake with an in-memory database and `faults` (a JSON [`FaultConfig`]; `{}` for none).
    pub async fn start(faults: serde_json::Value) -> Self {
        let faults: FaultConfig = serde_json::from_value(faults).unwrap();
        let lake = LocalLake::start(Config::in_memory().faults(faults))
            .await
            .unwrap();
        let remote = Remote::new(&lake.endpoint_url());
        Self { lake, remote }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint_url(&self) -> String {
        self.lake.endpoint_url()
    }

    /// Stops the Lake.
    pub async fn shutdown(self) {
        self.lake.shutdown().await.unwrap();
    }
}

impl std::ops::Deref for Lake {
    type Target = Remote;

    fn deref(&self) -> &Remote {
        &self.remote
    }
}

/// A local Lake reached by URL (in this process or another): a control-plane client of [`OWNER`] and
/// helpers.
#[derive(Debug)]
pub struct Remote {
    endpoint: String,
    addr: std::net::SocketAddr,
    ct: aws_sdk_cloudtrail::Client,
}

impl Remote {
    /// Helpers for the Lake at `endpoint` (`http://127.0.0.1:<port>`).
    pub fn new(endpoint: &str) -> Self {
        let addr = endpoint
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .unwrap();
        let ct = aws_sdk_cloudtrail::Client::from_conf(
            aws_sdk_cloudtrail::config::Builder::from(&sdk_config(endpoint, "test"))
                .retry_config(RetryConfig::disabled())
                .build(),
        );
        Self {
            endpoint: endpoint.to_owned(),
            addr,
            ct,
        }
    }

    /// The endpoint URL.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The control-plane client (account [`OWNER`]).
    pub fn control(&self) -> &aws_sdk_cloudtrail::Client {
        &self.ct
    }

    /// An SDK configuration for this Lake with access key `access_key` (secret `test`; a 12-digit key is that
    /// account).
    pub fn sdk_config(&self, access_key: &str) -> SdkConfig {
        sdk_config(&self.endpoint, access_key)
    }

    /// Replaces the fault configuration (`POST /_ctlake/faults`).
    pub async fn set_faults(&self, faults: serde_json::Value) {
        let (status, body) = self.admin("POST", "/_ctlake/faults", &faults.to_string()).await;
        assert_eq!(status, 200, "{body}");
    }

    async fn admin(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        let mut stream = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        stream.write_all(req.as_bytes()).await.unwrap();
        let mut buf = Vec::new();
        stream.read_to_end(&mut buf).await.unwrap();
        let text = String::from_utf8_lossy(&buf).into_owned();
        let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (status, body)
    }

    /// Creates an ActivityAuditLog event data store; returns its ARN.
    pub async fn create_store(&self, name: &str) -> String {
        let selector = AdvancedEventSelector::builder()
            .name("activity")
            .field_selectors(
                AdvancedFieldSelector::builder()
                    .field("eventCategory")
                    .equals("ActivityAuditLog")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        self.ct
            .create_event_data_store()
            .name(name)
            .advanced_event_selectors(selector)
            .multi_region_enabled(false)
            .termination_protection_enabled(false)
            .send()
            .await
            .unwrap()
            .event_data_store_arn
            .unwrap()
    }

    /// Creates a `Custom` channel to `store`; returns its ARN.
    pub async fn create_channel(&self, name: &str, store: &str) -> String {
        self.ct
            .create_channel()
            .name(name)
            .source("Custom")
            .destinations(
                Destination::builder()
                    .r#type(DestinationType::EventDataStore)
                    .location(store)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap()
            .channel_arn
            .unwrap()
    }

    /// Lets `account` put events into `channel` when it sends `external_id`.
    pub async fn allow(&self, channel: &str, account: &str, external_id: &str) {
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "Vendor",
                "Effect": "Allow",
                "Principal": {"AWS": [format!("arn:aws:iam::{account}:root")]},
                "Action": ["cloudtrail-data:PutAuditEvents"],
                "Resource": [channel],
                "Condition": {"StringEquals": {"cloudtrail:ExternalId": external_id}}
            }]
        });
        self.ct
            .put_resource_policy()
            .resource_arn(channel)
            .resource_policy(policy.to_string())
            .send()
            .await
            .unwrap();
    }

    /// Deletes `channel`.
    pub async fn delete_channel(&self, channel: &str) {
        self.ct.delete_channel().channel(channel).send().await.unwrap();
    }

    /// Runs a Lake SQL statement to completion and returns every row as (column, value) pairs.
    pub async fn query(&self, statement: &str) -> Vec<Vec<(String, String)>> {
        let id = self
            .ct
            .start_query()
            .query_statement(statement)
            .send()
            .await
            .unwrap()
            .query_id
            .unwrap();
        for _ in 0..1200 {
            let d = self.ct.describe_query().query_id(&id).send().await.unwrap();
            match d.query_status().map(|s| s.as_str()) {
                Some("QUEUED" | "RUNNING") => tokio::time::sleep(Duration::from_millis(50)).await,
                Some("FINISHED") => break,
                other => panic!("query {statement:?} ended {other:?}: {:?}", d.error_message()),
            }
        }
        let mut rows = Vec::new();
        let mut token = None;
        loop {
            let out = self
                .ct
                .get_query_results()
                .query_id(&id)
                .max_query_results(1000)
                .set_next_token(token)
                .send()
                .await
                .unwrap();
            for row in out.query_result_rows() {
                rows.push(
                    row.iter()
                        .flat_map(|col| col.iter().map(|(k, v)| (k.clone(), v.clone())))
                        .collect(),
                );
            }
            token = out.next_token().map(str::to_owned);
            if token.is_none() {
                return rows;
            }
        }
    }
}

/// The id (last path part) of an ARN.
pub fn id_of(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// An SDK configuration for a Lake at `endpoint` with access key `access_key` (secret `test`).
pub fn sdk_config(endpoint: &str, access_key: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            access_key, "test", None, None, "e2e",
        )))
        .endpoint_url(endpoint)
        .build()
}
