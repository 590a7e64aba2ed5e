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
use aws_sdk_cloudtraildata::types::AuditEvent as SdkAuditEvent;
use futures::future::BoxFuture;
use tokio::sync::OnceCell;

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
            let events = request
                .events()
                .iter()
                .map(|e| {
                    SdkAuditEvent::builder()
                        .id(e.id().as_str())
                        .event_data(e.event_data())
                        .set_event_data_checksum(e.checksum().map(str::to_owned))
                        .build()
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| SinkError::invalid("an entry could not be built").with_source(e))?;
            let output = client
                .put_audit_events()
                .channel_arn(destination.channel_arn().as_str())
                .set_external_id(destination.external_id().map(|e| e.as_str().to_owned()))
                .set_audit_events(Some(events))
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
