//! [`LakeSink`]: `PutAuditEvents` through `aws-sdk-cloudtraildata`.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::sync::{Arc, Mutex, PoisonError};

use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_cloudtraildata::Client;
use aws_sdk_cloudtraildata::config::Region;
use aws_sdk_cloudtraildata::config::retry::RetryConfig;
use aws_sdk_cloudtraildata::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudtraildata::operation::put_audit_events::PutAuditEventsError;
use futures::future::BoxFuture;
use tokio::sync::OnceCell;

use super::body::PresetBody;
use super::{PutRequest, PutResponse, Sink, SinkError};
use crate::destination::{Destination, DestinationCredentials, DestinationKey};

/// Sends batches to CloudTrail Lake — or to any endpoint speaking its protocol, such as the local Lake — with
/// the AWS SDK for Rust.
///
/// One `aws_sdk_cloudtraildata::Client` per destination key is built on first use from the base
/// configuration, with the destination's region, credentials (an assumed role through aws-config's
/// `AssumeRoleProvider`, which caches and refreshes them) and endpoint, and with **`RetryConfig::disabled()`**:
/// the publisher's retry layer is the only retry owner (see [`crate::retry`]).
///
/// The request body is written by this crate, byte for byte as the SDK would write it (a test compares the
/// two), and handed to the SDK before signing, so the entries are neither copied nor escaped again per call
/// (see the `body` module); the SDK does the rest: endpoint, query parameters, signing, HTTP, errors.
///
/// Endpoints: a destination's own `endpoint_url` wins; otherwise the base configuration's, which
/// [`from_env`](Self::from_env) reads from `AWS_ENDPOINT_URL_CLOUDTRAIL_DATA` or `AWS_ENDPOINT_URL`.
#[derive(Debug, Clone)]
pub struct LakeSink {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    base: SdkConfig,
    clients: Mutex<HashMap<DestinationKey, Arc<OnceCell<Client>>>>,
}

impl LakeSink {
    /// A sink on the AWS default configuration: region, credentials chain, endpoint variables, profile.
    pub async fn from_env() -> Self {
        Self::new(&aws_config::load_defaults(BehaviorVersion::latest()).await)
    }

    /// A sink on `config` (its credentials are the destinations' default and the source credentials of
    /// assumed roles).
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                base: config.clone(),
                clients: Mutex::default(),
            }),
        }
    }

    async fn client(&self, destination: &Destination) -> Client {
        let cell = self
            .inner
            .clients
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(destination.key().clone())
            .or_default()
            .clone();
        cell.get_or_init(|| build_client(&self.inner.base, destination))
            .await
            .clone()
    }
}

async fn build_client(base: &SdkConfig, destination: &Destination) -> Client {
    let mut config = aws_sdk_cloudtraildata::config::Builder::from(base)
        .region(Region::new(destination.region().to_owned()))
        .retry_config(RetryConfig::disabled());
    if let Some(url) = destination.endpoint_url() {
        config = config.endpoint_url(url);
    }
    match destination.credentials() {
        DestinationCredentials::Default => {}
        DestinationCredentials::Static(credentials) => {
            config = config.credentials_provider(credentials.clone());
        }
        DestinationCredentials::AssumeRole(role) => {
            let mut provider = aws_config::sts::AssumeRoleProvider::builder(role.role_arn())
                .session_name(role.session_name_value().unwrap_or("ctlake-publisher"))
                .region(Region::new(destination.region().to_owned()))
                .configure(base);
            if let Some(external_id) = role.external_id_value() {
                provider = provider.external_id(external_id);
            }
            config = config.credentials_provider(provider.build().await);
        }
        DestinationCredentials::Provider { provider, .. } => {
            config = config.credentials_provider(provider.clone());
        }
    }
    Client::from_conf(config.build())
}

impl Sink for LakeSink {
    fn put(&self, request: PutRequest) -> BoxFuture<'static, Result<PutResponse, SinkError>> {
        let this = self.clone();
        Box::pin(async move {
            let destination = request.destination();
            let client = this.client(destination).await;
            // The body is written here, exactly as the SDK would write it, and set by `PresetBody`; the SDK
            // is given no entries to copy and serialize (see `body`).
            let body = PresetBody::new(request.body());
            let output = client
                .put_audit_events()
                .channel_arn(destination.channel_arn().as_str())
                .set_external_id(destination.external_id().map(|e| e.as_str().to_owned()))
                .set_audit_events(Some(Vec::new()))
                .customize()
                .interceptor(body)
                .send()
                .await
                .map_err(sink_error)?;
            let mut response = PutResponse::new();
            for ok in output.successful() {
                response.push_accepted(ok.id(), ok.event_id());
            }
            for failed in output.failed() {
                response.push_failed(failed.id(), failed.error_code(), failed.error_message());
            }
            Ok(response)
        })
    }
}

/// Maps the SDK's error to a [`SinkError`] kind: service errors keep their code and HTTP status; a refused
/// connection is `Unsent`; other dispatch failures, timeouts and unreadable answers are `Ambiguous` (the
/// request may have been processed); construction failures are `Invalid`.
fn sink_error(
    error: SdkError<PutAuditEventsError, aws_sdk_cloudtraildata::config::http::HttpResponse>,
) -> SinkError {
    let e = match &error {
        SdkError::ServiceError(ctx) => {
            let err = ctx.err();
            SinkError::service(
                err.code().map(str::to_owned),
                Some(ctx.raw().status().as_u16()),
                err.message().unwrap_or_default(),
            )
        }
        SdkError::DispatchFailure(failure) if failure.is_user() => {
            SinkError::invalid("the request could not be dispatched")
        }
        SdkError::DispatchFailure(_) if connection_refused(&error) => {
            SinkError::unsent("the connection was refused")
        }
        SdkError::DispatchFailure(_) => SinkError::ambiguous("the request failed in transit"),
        SdkError::TimeoutError(_) => SinkError::ambiguous("the SDK timed out"),
        SdkError::ResponseError(_) => SinkError::ambiguous("the answer could not be read"),
        SdkError::ConstructionFailure(_) => SinkError::invalid("the request could not be built"),
        _ => SinkError::ambiguous("unknown SDK failure"),
    };
    e.with_source(error)
}

/// Whether an I/O error in the chain says the connection was never made.
fn connection_refused(error: &(dyn StdError + 'static)) -> bool {
    let mut current: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::AddrNotAvailable
            )
        {
            return true;
        }
        current = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use aws_credential_types::Credentials;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use aws_sdk_cloudtraildata::types::AuditEvent as SdkAuditEvent;

    use super::*;
    use crate::{AuditEvent, AuditEventId, request_body_len};

    /// A loopback HTTP server that records each request's body and answers every request with `status` and
    /// `body`. Returns its URL and the recorded bodies.
    async fn capture(status: u16, body: &'static str) -> (String, Arc<Mutex<Vec<Vec<u8>>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let seen = bodies.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let seen = seen.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 65536];
                    loop {
                        let n = stream.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                            continue;
                        };
                        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                        let len: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .map_or(0, |v| v.trim().parse().unwrap());
                        if buf.len() < end + 4 + len {
                            continue;
                        }
                        seen.lock().unwrap().push(buf[end + 4..end + 4 + len].to_vec());
                        buf.drain(..end + 4 + len);
                        let reply = format!(
                            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        stream.write_all(reply.as_bytes()).await.unwrap();
                    }
                });
            }
        });
        (url, bodies)
    }

    fn sink(url: &str) -> (LakeSink, Destination) {
        let config = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(
                Credentials::new("AKID", "SECRET", None, None, "test"),
            ))
            .build();
        let dest = Destination::builder()
            .channel_arn(
                "arn:aws:cloudtrail:us-east-1:123456789012:channel/abc"
                    .parse()
                    .unwrap(),
            )
            .external_id("ext-1".parse().unwrap())
            .endpoint_url(url)
            .build()
            .unwrap();
        (LakeSink::new(&config), dest)
    }

    fn entries() -> Vec<AuditEvent> {
        // Escapes, non-ASCII and a long value: the size must be exact for all of them.
        (0..60)
            .map(|i| {
                let data = format!(
                    r#"{{"version":"1.0","note":"quote \" backslash \\ tab \t é 漢 {i}","pad":"{}"}}"#,
                    "z".repeat(i * 97)
                );
                AuditEvent::from_json(AuditEventId::derive(&i.to_string()), data)
            })
            .collect()
    }

    #[tokio::test]
    async fn the_sdk_sends_exactly_the_body_size_the_batcher_computes() {
        let (url, bodies) = capture(200, r#"{"successful":[],"failed":[]}"#).await;
        let (sink, dest) = sink(&url);
        let events = entries();
        let expected = request_body_len(&events);
        let request = PutRequest::new(dest, events.clone());
        assert_eq!(request.body_len(), expected);
        sink.put(request).await.unwrap();
        let bodies = bodies.lock().unwrap();
        assert_eq!(bodies.len(), 1);
        assert_eq!(bodies[0].len(), expected, "computed size = bytes on the wire");
        let sent: serde_json::Value = serde_json::from_slice(&bodies[0]).unwrap();
        let sent = sent["auditEvents"].as_array().unwrap();
        assert_eq!(sent.len(), events.len());
        assert_eq!(sent[3]["eventData"].as_str(), Some(events[3].event_data()));
        assert_eq!(sent[3]["eventDataChecksum"].as_str(), events[3].checksum());
    }

    #[tokio::test]
    async fn the_body_sent_is_byte_for_byte_the_one_the_sdk_would_serialize() {
        let (url, bodies) = capture(200, r#"{"successful":[],"failed":[]}"#).await;
        let (sink, dest) = sink(&url);
        let mut events = entries();
        events.push(AuditEvent::from_json("no-checksum".parse().unwrap(), "{}").without_checksum());
        // The SDK's own serialization of the same entries, through a plain client.
        let plain = Client::from_conf(
            aws_sdk_cloudtraildata::config::Builder::from(&sink.inner.base)
                .endpoint_url(&url)
                .retry_config(RetryConfig::disabled())
                .build(),
        );
        let sdk_entries = events
            .iter()
            .map(|e| SdkAuditEvent::try_from(e).unwrap())
            .collect();
        plain
            .put_audit_events()
            .channel_arn(dest.channel_arn().as_str())
            .set_audit_events(Some(sdk_entries))
            .send()
            .await
            .unwrap();
        sink.put(PutRequest::new(dest, events)).await.unwrap();
        let bodies = bodies.lock().unwrap();
        assert_eq!(bodies.len(), 2);
        assert_eq!(
            String::from_utf8_lossy(&bodies[1]),
            String::from_utf8_lossy(&bodies[0])
        );
    }

    #[tokio::test]
    async fn the_sdk_does_not_retry_and_errors_keep_code_and_status() {
        let (url, bodies) = capture(503, r#"{"__type":"ServiceUnavailable","message":"busy"}"#).await;
        let (sink, dest) = sink(&url);
        let err = sink.put(PutRequest::new(dest, entries())).await.unwrap_err();
        assert_eq!(err.code(), Some("ServiceUnavailable"));
        assert_eq!(err.status(), Some(503));
        assert_eq!(err.message(), "busy");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            bodies.lock().unwrap().len(),
            1,
            "one attempt: the SDK's own retries are off"
        );
    }

    #[tokio::test]
    async fn per_entry_answers_are_passed_on() {
        let (url, _) = capture(
            200,
            r#"{"successful":[{"id":"a","eventID":"E1"}],"failed":[{"id":"b","errorCode":"Throttling","errorMessage":"slow"}]}"#,
        )
        .await;
        let (sink, dest) = sink(&url);
        let r = sink.put(PutRequest::new(dest, entries())).await.unwrap();
        assert_eq!(
            (r.successful()[0].id(), r.successful()[0].event_id()),
            ("a", "E1")
        );
        assert_eq!(r.failed_entries()[0].code(), "Throttling");
    }

    #[tokio::test]
    async fn a_refused_connection_is_unsent() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        let (sink, dest) = sink(&url);
        let err = sink.put(PutRequest::new(dest, entries())).await.unwrap_err();
        assert_eq!(err.kind(), &crate::sink::SinkErrorKind::Unsent, "{err}");
    }
}
