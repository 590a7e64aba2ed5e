//! SNS messages: the model ([`SnsMessage`] — `Notification`, `SubscriptionConfirmation`,
//! `UnsubscribeConfirmation`), signature verification ([`SnsVerifier`]), subscription confirmation and an HTTP(S)
//! subscription endpoint's logic ([`SnsEndpoint`]). Reference: `change-detection.md` §5.2, §5.5, §5.6.
//!
//! ```no_run
//! use ctlake_changes::sns::{HttpFetcher, SnsMessage, SnsVerifier, UrlPolicy};
//!
//! # async fn run(body: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = SnsVerifier::new(UrlPolicy::aws(), HttpFetcher::new()?);
//! let message = SnsMessage::parse(body)?;
//! let version = verifier.verify(&message).await?; // refuses anything unsigned or invalid
//! println!("{} verified with SignatureVersion {}", message.message_id(), version.as_str());
//! # Ok(()) }
//! ```
//!
//! # HTTP client
//!
//! Certificates and `SubscribeURL`s are fetched with hyper-util's client over hyper-rustls (rustls 0.23 with
//! aws-lc-rs, the system's root certificates): the stack the AWS SDK already brings, so there is no second HTTP or
//! TLS implementation in the tree. Certificates are parsed with webpki (also from rustls) and signatures checked
//! with aws-lc-rs.
//!
//! # Errors
//!
//! [`SnsParseError`] for malformed messages, [`UrlError`] for refused URLs, [`FetchError`] for failed downloads,
//! [`VerifyError`] for refused signatures, [`ConfirmError`] and [`EndpointError`].

mod endpoint;
mod error;
mod fetch;
mod message;
mod signature;
mod url;
mod verifier;

pub use endpoint::{Delivery, EndpointError, SnsEndpoint};
pub use error::{ConfirmError, FetchError, SnsParseError, UrlError, VerifyError};
pub use fetch::{FETCH_TIMEOUT, HttpFetcher, MAX_FETCH_BYTES};
pub use message::{MessageType, SnsMessage, parse_lambda_event};
pub use signature::{SignatureVersion, parse_certificate, verify_with_certificate};
pub use url::{FetchTarget, UrlPolicy};
pub use verifier::{MAX_CACHED_CERTIFICATES, SnsVerifier};
