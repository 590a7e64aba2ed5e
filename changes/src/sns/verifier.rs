//! [`SnsVerifier`]: checks SNS signatures end to end (URL rules, certificate download and cache, signature) and
//! confirms subscriptions.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use rustls_pki_types::CertificateDer;

use super::error::{ConfirmError, VerifyError};
use super::fetch::HttpFetcher;
use super::message::{MessageType, SnsMessage};
use super::signature::{SignatureVersion, decode_signature, parse_certificate, verify_with_certificate};
use super::url::UrlPolicy;

/// Most certificates kept in memory. SNS signs with one certificate per region at a time (rotated rarely), so a
/// handful suffices; when the cache is full it is emptied and refilled.
pub const MAX_CACHED_CERTIFICATES: usize = 64;

/// Verifies SNS messages and confirms subscriptions. Cheap to clone; clones share the certificate cache.
#[derive(Debug, Clone)]
pub struct SnsVerifier {
    policy: UrlPolicy,
    fetcher: HttpFetcher,
    cache: Arc<Mutex<HashMap<String, CertificateDer<'static>>>>,
}

impl SnsVerifier {
    /// A verifier following `policy` ([`UrlPolicy::aws`] in production) and fetching with `fetcher`.
    pub fn new(policy: UrlPolicy, fetcher: HttpFetcher) -> Self {
        Self {
            policy,
            fetcher,
            cache: Arc::default(),
        }
    }

    /// The URL rules in force.
    pub fn policy(&self) -> &UrlPolicy {
        &self.policy
    }

    /// How many certificates are cached.
    pub fn cached_certificates(&self) -> usize {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Checks the signature of `message`: `SignatureVersion` 1 or 2, an accepted `SigningCertURL`, the certificate
    /// (downloaded once, then cached by URL) and the signature over the string to sign.
    ///
    /// # Errors
    ///
    /// [`VerifyError`]; anything unsigned ([`VerifyError::Unsigned`]) or invalid is refused.
    pub async fn verify(&self, message: &SnsMessage) -> Result<SignatureVersion, VerifyError> {
        let version = SignatureVersion::parse(message.signature_version().ok_or(VerifyError::Unsigned {
            field: "SignatureVersion",
        })?)?;
        decode_signature(message)?;
        let url = message.signing_cert_url().ok_or(VerifyError::Unsigned {
            field: "SigningCertURL",
        })?;
        let target = self
            .policy
            .check_certificate_url(url)
            .map_err(VerifyError::CertificateUrl)?;
        let cached = self
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(target.url())
            .cloned();
        let certificate = match cached {
            Some(certificate) => certificate,
            None => {
                let body = self.fetcher.get(&target).await.map_err(VerifyError::Fetch)?;
                let certificate = parse_certificate(&body).map_err(|reason| VerifyError::Certificate {
                    url: url.to_owned(),
                    reason,
                })?;
                let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
                if cache.len() >= MAX_CACHED_CERTIFICATES {
                    cache.clear();
                }
                cache.insert(target.url().to_owned(), certificate.clone());
                certificate
            }
        };
        verify_with_certificate(message, &certificate, url)?;
        Ok(version)
    }

    /// Confirms the subscription a `SubscriptionConfirmation` announces, by a GET on its `SubscribeURL` (checked by
    /// the same host rules as certificate URLs). Verify the message and check its topic first.
    ///
    /// Returns SNS's response body (an XML `ConfirmSubscriptionResponse` with the subscription ARN).
    ///
    /// # Errors
    ///
    /// [`ConfirmError`].
    pub async fn confirm_subscription(&self, message: &SnsMessage) -> Result<Bytes, ConfirmError> {
        if message.kind() != MessageType::SubscriptionConfirmation {
            return Err(ConfirmError::NotAConfirmation);
        }
        let url = message.subscribe_url().ok_or(ConfirmError::NotAConfirmation)?;
        let target = self.policy.check_subscribe_url(url).map_err(ConfirmError::Url)?;
        self.fetcher.get(&target).await.map_err(ConfirmError::Fetch)
    }
}
