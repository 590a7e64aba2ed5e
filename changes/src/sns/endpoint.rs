//! [`SnsEndpoint`]: what an HTTP(S) subscription endpoint does with one POST from SNS, without the HTTP server.
//!
//! 1. Raw message delivery is refused: it carries no signature (`x-amz-sns-rawdelivery: true`).
//! 2. The body is parsed as an SNS message; `x-amz-sns-message-type`, when sent, must agree with `Type`.
//! 3. The topic must be one of the configured topic ARNs.
//! 4. The signature is verified ([`SnsVerifier::verify`]); anything unsigned or invalid is refused.
//! 5. A `SubscriptionConfirmation` is confirmed by a GET on `SubscribeURL`; an `UnsubscribeConfirmation` is
//!    acknowledged; a `Notification` is handed back to the caller to process.

use std::collections::BTreeSet;

use http::{HeaderMap, StatusCode};
use thiserror::Error;

use super::error::{ConfirmError, SnsParseError, VerifyError};
use super::message::{MessageType, SnsMessage};
use super::verifier::SnsVerifier;

/// What a POST turned out to be, once accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delivery {
    /// A verified notification from a configured topic: the caller processes it.
    Notification(Box<SnsMessage>),
    /// A subscription to a configured topic was confirmed.
    SubscriptionConfirmed {
        /// The topic.
        topic_arn: String,
    },
    /// SNS says a subscription was deleted; nothing is done about it.
    Unsubscribed {
        /// The topic.
        topic_arn: String,
    },
}

/// Why a POST was refused. [`EndpointError::status`] is the HTTP status to answer.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// Raw message delivery: unsigned, so it cannot be trusted.
    #[error(
        "raw message delivery carries no signature: turn RawMessageDelivery off on the HTTP(S) subscription"
    )]
    RawDelivery,
    /// The body is not UTF-8.
    #[error("the body is not UTF-8")]
    NotUtf8,
    /// The body is not an SNS message.
    #[error(transparent)]
    Body(SnsParseError),
    /// `x-amz-sns-message-type` disagrees with the body's `Type`.
    #[error("header x-amz-sns-message-type {header:?} disagrees with Type {body}")]
    TypeMismatch {
        /// The header's value.
        header: String,
        /// The body's `Type`.
        body: MessageType,
    },
    /// The topic is not configured here.
    #[error("topic {0} is not configured on this endpoint")]
    TopicNotAllowed(String),
    /// The signature was not accepted.
    #[error("SNS signature refused")]
    Signature(#[source] VerifyError),
    /// The subscription could not be confirmed.
    #[error("subscription not confirmed")]
    Confirm(#[source] ConfirmError),
}

impl EndpointError {
    /// The HTTP status to answer: 400 for a malformed request, 403 for a refused topic or signature, 502 when
    /// confirming failed upstream (SNS sends the confirmation again later).
    pub fn status(&self) -> StatusCode {
        match self {
            Self::RawDelivery | Self::NotUtf8 | Self::Body(_) | Self::TypeMismatch { .. } => {
                StatusCode::BAD_REQUEST
            }
            Self::TopicNotAllowed(_) | Self::Signature(_) => StatusCode::FORBIDDEN,
            Self::Confirm(_) => StatusCode::BAD_GATEWAY,
        }
    }
}

/// An SNS HTTP(S) subscription endpoint for a fixed set of topics.
#[derive(Debug, Clone)]
pub struct SnsEndpoint {
    verifier: SnsVerifier,
    topics: BTreeSet<String>,
}

impl SnsEndpoint {
    /// An endpoint accepting messages of `topics` only (exact topic ARNs), verified by `verifier`.
    pub fn new(verifier: SnsVerifier, topics: impl IntoIterator<Item = String>) -> Self {
        Self {
            verifier,
            topics: topics.into_iter().collect(),
        }
    }

    /// The configured topic ARNs.
    pub fn topics(&self) -> impl Iterator<Item = &str> {
        self.topics.iter().map(String::as_str)
    }

    /// Handles one POST: `headers` and `body` as received.
    ///
    /// # Errors
    ///
    /// [`EndpointError`], with the status to answer.
    pub async fn receive(&self, headers: &HeaderMap, body: &[u8]) -> Result<Delivery, EndpointError> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        if header("x-amz-sns-rawdelivery").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            return Err(EndpointError::RawDelivery);
        }
        let text = std::str::from_utf8(body).map_err(|_| EndpointError::NotUtf8)?;
        let message = SnsMessage::parse(text).map_err(EndpointError::Body)?;
        if let Some(kind) = header("x-amz-sns-message-type")
            && kind != message.kind().as_str()
        {
            return Err(EndpointError::TypeMismatch {
                header: kind.to_owned(),
                body: message.kind(),
            });
        }
        if !self.topics.contains(message.topic_arn()) {
            return Err(EndpointError::TopicNotAllowed(message.topic_arn().to_owned()));
        }
        self.verifier
            .verify(&message)
            .await
            .map_err(EndpointError::Signature)?;
        match message.kind() {
            MessageType::Notification => Ok(Delivery::Notification(Box::new(message))),
            MessageType::SubscriptionConfirmation => {
                self.verifier
                    .confirm_subscription(&message)
                    .await
                    .map_err(EndpointError::Confirm)?;
                tracing::info!(topic = message.topic_arn(), "Subscription confirmed.");
                Ok(Delivery::SubscriptionConfirmed {
                    topic_arn: message.topic_arn().to_owned(),
                })
            }
            MessageType::UnsubscribeConfirmation => {
                tracing::info!(topic = message.topic_arn(), "Subscription deleted by SNS.");
                Ok(Delivery::Unsubscribed {
                    topic_arn: message.topic_arn().to_owned(),
                })
            }
        }
    }
}
