//! HTTP GET for certificates and subscription confirmations, on the AWS SDK's own stack (hyper 1 through
//! hyper-util's client, rustls 0.23 with aws-lc-rs through hyper-rustls, the system's root certificates).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::error::FetchError;
use super::url::FetchTarget;

/// Largest body read from a certificate or `SubscribeURL` response. SNS signing certificates are about 2 KB;
/// the limit only stops a hostile or broken server from filling memory.
pub const MAX_FETCH_BYTES: usize = 64 * 1024;

/// How long one GET may take, connection included.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// A small HTTP(S) client for GET requests with a body limit and a timeout. Cheap to clone.
#[derive(Debug, Clone)]
pub struct HttpFetcher {
    client: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
    timeout: Duration,
}

impl HttpFetcher {
    /// A client trusting the system's root certificates. When none can be loaded, HTTPS requests fail at the
    /// TLS handshake (unknown issuer) and a warning is logged; plain HTTP (test origins) still works.
    ///
    /// # Errors
    ///
    /// [`FetchError::TlsSetup`] when rustls refuses the configuration (not expected with the aws-lc-rs provider).
    pub fn new() -> Result<Self, FetchError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = match hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(Arc::clone(&provider))
        {
            Ok(builder) => builder,
            Err(e) => {
                tracing::warn!(error = %e, "Cannot load the system's root certificates; HTTPS requests will fail.");
                let config = rustls::ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .map_err(FetchError::TlsSetup)?
                    .with_root_certificates(rustls::RootCertStore::empty())
                    .with_no_client_auth();
                hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config)
            }
        };
        let connector = builder.https_or_http().enable_http1().build();
        Ok(Self {
            client: Client::builder(TokioExecutor::new()).build(connector),
            timeout: FETCH_TIMEOUT,
        })
    }

    /// Sets the time limit of one GET (default [`FETCH_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// GETs `target` and returns the body of a 200 response.
    ///
    /// # Errors
    ///
    /// [`FetchError`]: transport failure, timeout, a status other than 200, or a body over [`MAX_FETCH_BYTES`].
    pub async fn get(&self, target: &FetchTarget) -> Result<Bytes, FetchError> {
        let url = target.url().to_owned();
        let mut request = http::Request::get(target.uri().clone()).header(
            http::header::USER_AGENT,
            concat!("ctlake/", env!("CARGO_PKG_VERSION")),
        );
        if let Some(host) = target.host_header() {
            request = request.header(http::header::HOST, host);
        }
        let request = request.body(Empty::new()).map_err(|source| FetchError::Request {
            url: url.clone(),
            source,
        })?;
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| FetchError::Transport {
                    url: url.clone(),
                    source: Box::new(e),
                })?;
            let status = response.status();
            if status != http::StatusCode::OK {
                return Err(FetchError::Status {
                    url: url.clone(),
                    status: status.as_u16(),
                });
            }
            match Limited::new(response.into_body(), MAX_FETCH_BYTES)
                .collect()
                .await
            {
                Ok(body) => Ok(body.to_bytes()),
                Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(FetchError::TooLarge {
                    url: url.clone(),
                    limit: MAX_FETCH_BYTES,
                }),
                Err(source) => Err(FetchError::Transport {
                    url: url.clone(),
                    source,
                }),
            }
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| FetchError::Timeout {
                url: url.clone(),
                seconds: self.timeout.as_secs(),
            })?
    }
}
