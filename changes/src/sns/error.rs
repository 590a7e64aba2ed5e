//! Errors of the SNS module.

use thiserror::Error;

/// An SNS message body that is not a valid SNS message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SnsParseError {
    /// The body is not JSON.
    #[error("SNS message is not JSON (line {line}, column {column}): {message}")]
    NotJson {
        /// 1-based line of the syntax error.
        line: usize,
        /// 1-based column of the syntax error.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The body is JSON but not an object.
    #[error("SNS message is not a JSON object")]
    NotAnObject,
    /// `Type` is not one of the three SNS message types.
    #[error(
        "SNS message: unknown Type {0:?} (expected Notification, SubscriptionConfirmation or UnsubscribeConfirmation)"
    )]
    UnknownType(String),
    /// A required field is absent or `null`.
    #[error("SNS message: field `{field}` is required")]
    MissingField {
        /// The field's name.
        field: &'static str,
    },
    /// A field has the wrong JSON type.
    #[error("SNS message: field `{field}` must be {expected}")]
    WrongType {
        /// The field's name.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// One record of a Lambda SNS event is invalid.
    #[error("record {index}: {source}")]
    InRecord {
        /// 0-based index in `Records`.
        index: usize,
        /// What is wrong with it.
        source: Box<SnsParseError>,
    },
}

/// Why a `SigningCertURL` or `SubscribeURL` is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum UrlError {
    /// Not a parseable absolute URL.
    #[error("{url:?} is not an absolute URL")]
    Malformed {
        /// The URL as received.
        url: String,
    },
    /// The scheme is not `https` (or the test origin's).
    #[error("{url:?}: scheme must be https")]
    Scheme {
        /// The URL as received.
        url: String,
    },
    /// User information (`user@`) in the authority.
    #[error("{url:?}: user information is not allowed")]
    UserInfo {
        /// The URL as received.
        url: String,
    },
    /// An explicit port on an AWS URL.
    #[error("{url:?}: an explicit port is not allowed")]
    Port {
        /// The URL as received.
        url: String,
    },
    /// The host is not `sns.<region>.amazonaws.com` (or `.amazonaws.com.cn`) nor the test origin.
    #[error("{url:?}: host {host:?} is not an SNS host (sns.<region>.amazonaws.com[.cn])")]
    Host {
        /// The URL as received.
        url: String,
        /// Its host.
        host: String,
    },
    /// A certificate URL whose path does not end in `.pem`.
    #[error("{url:?}: a certificate URL's path must end in .pem")]
    NotPem {
        /// The URL as received.
        url: String,
    },
    /// A test origin that is not an `http(s)://<loopback address>[:port]` origin.
    #[error(
        "test origin {origin:?} must be http(s)://<loopback address>[:port] (127.0.0.0/8, [::1] or localhost)"
    )]
    NotLoopback {
        /// The origin as given.
        origin: String,
    },
}

/// A failed HTTP GET (certificate download, subscription confirmation).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum FetchError {
    /// rustls refused the client configuration.
    #[error("cannot set up TLS")]
    TlsSetup(#[source] rustls::Error),
    /// The request could not be built.
    #[error("cannot build a request for {url:?}")]
    Request {
        /// The URL.
        url: String,
        /// Why.
        #[source]
        source: http::Error,
    },
    /// Connection, TLS or protocol failure.
    #[error("GET {url:?} failed")]
    Transport {
        /// The URL.
        url: String,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// No answer in time.
    #[error("GET {url:?} timed out after {seconds} s")]
    Timeout {
        /// The URL.
        url: String,
        /// The limit.
        seconds: u64,
    },
    /// A status other than 200.
    #[error("GET {url:?} answered HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// The body is larger than allowed.
    #[error("GET {url:?}: body larger than {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit.
        limit: usize,
    },
}

/// Why an SNS message's signature was not accepted.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// A field needed to verify is missing: the message is unsigned (raw delivery carries no signature).
    #[error("unsigned SNS message: no `{field}`")]
    Unsigned {
        /// The missing field.
        field: &'static str,
    },
    /// `SignatureVersion` other than `1` or `2`.
    #[error("unsupported SignatureVersion {0:?} (expected \"1\" or \"2\")")]
    UnsupportedVersion(String),
    /// `SigningCertURL` refused.
    #[error("SigningCertURL refused")]
    CertificateUrl(#[source] UrlError),
    /// The certificate could not be downloaded.
    #[error("cannot download the signing certificate")]
    Fetch(#[source] FetchError),
    /// The downloaded document is not an X.509 certificate with an RSA key.
    #[error("the signing certificate at {url:?} is not usable: {reason}")]
    Certificate {
        /// Where it came from.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `Signature` is not base64.
    #[error("`Signature` is not base64")]
    SignatureEncoding,
    /// The signature does not match the message and the certificate's key.
    #[error("signature does not match the message (SignatureVersion {version})")]
    Mismatch {
        /// The signature version checked.
        version: &'static str,
    },
}

/// Why a subscription was not confirmed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ConfirmError {
    /// The message is not a `SubscriptionConfirmation`.
    #[error("not a SubscriptionConfirmation")]
    NotAConfirmation,
    /// The topic is not one this endpoint was configured to accept.
    #[error("topic {0} is not configured here: subscription not confirmed")]
    TopicNotAllowed(String),
    /// `SubscribeURL` refused.
    #[error("SubscribeURL refused")]
    Url(#[source] UrlError),
    /// The GET on `SubscribeURL` failed.
    #[error("confirming the subscription failed")]
    Fetch(#[source] FetchError),
}
