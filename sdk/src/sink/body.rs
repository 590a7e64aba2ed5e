//! [`PresetBody`]: the interceptor through which [`LakeSink`](super::LakeSink) sends a body it serialized
//! itself.
//!
//! The SDK would build the `PutAuditEvents` body from an `aws_sdk_cloudtraildata::types::AuditEvent` per
//! entry — a copy of each id, text and checksum — and escape every text a byte at a time: at 100 entries of
//! ~1 KB per call that was the largest single cost of the publisher's runtime threads. The batcher already
//! knows the exact body (it sized it, see [`crate::request_body_len`]), so the sink writes it once with the
//! crate's own JSON string writer, gives the SDK an empty entry list, and this interceptor puts the real body
//! in the request before it is signed: the SigV4 payload hash and `content-length` are those of the bytes
//! sent. Everything else (endpoint, query parameters, headers, signing, HTTP, error parsing) stays the SDK's.

use aws_sdk_cloudtraildata::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_cloudtraildata::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_types::body::SdkBody;
use bytes::Bytes;

/// Replaces the request body with a preset one (and sets its `content-length`) before signing.
#[derive(Debug, Clone)]
pub(crate) struct PresetBody {
    body: Bytes,
}

impl PresetBody {
    pub(crate) fn new(body: Vec<u8>) -> Self {
        Self { body: body.into() }
    }
}

impl Intercept for PresetBody {
    fn name(&self) -> &'static str {
        "ctlake::PresetBody"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_cloudtraildata::error::BoxError> {
        let request = context.request_mut();
        *request.body_mut() = SdkBody::from(self.body.clone());
        request
            .headers_mut()
            .insert("content-length", self.body.len().to_string());
        Ok(())
    }
}
