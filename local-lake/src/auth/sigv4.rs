//! Server-side SigV4 verification: the `aws-sigv4` crate recomputes the signature from the request as
//! received (sdk-wire-notes.md §6) and the result is compared with the one the client sent.
//!
//! Errors follow AWS: no `Authorization` header → 403 `MissingAuthenticationTokenException`; a malformed
//! header → 400 `IncompleteSignatureException`; an unknown access key → 403 `UnrecognizedClientException`;
//! a wrong signature, wrong service scope or stale date → 403 `InvalidSignatureException`.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, SessionTokenMode, SignableBody, SignableRequest, SigningSettings,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use axum::http::StatusCode;
use axum::http::request::Parts;

use super::Identities;
use crate::arn::is_region;
use crate::protocol::ApiError;

/// Who sent a verified request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    /// The account the access key acts as.
    pub(crate) account: String,
    /// The Region of the credential scope; resources are looked up in it.
    pub(crate) region: String,
}

const ALGORITHM: &str = "AWS4-HMAC-SHA256";

fn incomplete(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("IncompleteSignatureException", message)
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new("InvalidSignatureException", StatusCode::FORBIDDEN, message)
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header.
#[derive(Debug, PartialEq, Eq)]
struct Authorization<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_authorization(header: &str) -> Result<Authorization<'_>, ApiError> {
    let rest = header
        .strip_prefix(ALGORITHM)
        .filter(|r| r.starts_with(' '))
        .ok_or_else(|| {
            incomplete(format!(
                "Unsupported authorization type: only {ALGORITHM} is accepted."
            ))
        })?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let missing = |name: &str| {
        incomplete(format!(
            "Authorization header requires '{name}' parameter. Authorization={}",
            header.split("Signature=").next().unwrap_or_default()
        ))
    };
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed = signed.ok_or_else(|| missing("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| missing("Signature"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, "aws4_request"] = scope[..] else {
        return Err(incomplete(format!(
            "Credential should be of the form <access key>/<date>/<region>/<service>/aws4_request, got '{credential}'."
        )));
    };
    if access_key_id.is_empty() || date.len() != 8 || !is_region(region) || service.is_empty() {
        return Err(incomplete(format!("Malformed credential scope '{credential}'.")));
    }
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(incomplete("Signature must be 64 hexadecimal characters."));
    }
    Ok(Authorization {
        access_key_id,
        date,
        region,
        service,
        signed_headers: signed.split(';').filter(|h| !h.is_empty()).collect(),
        signature,
    })
}

/// `YYYYMMDDTHHMMSSZ` → time.
fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let t = time::PrimitiveDateTime::parse(text, &format).ok()?.assume_utc();
    let secs = u64::try_from(t.unix_timestamp()).ok()?;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

/// Verifies the SigV4 signature of a request for `service` (`cloudtrail` or `cloudtrail-data`).
pub(crate) fn verify(
    parts: &Parts,
    body: &[u8],
    service: &str,
    identities: &Identities,
    max_skew: Option<Duration>,
) -> Result<Caller, ApiError> {
    let Some(header) = parts.headers.get("authorization") else {
        return Err(ApiError::new(
            "MissingAuthenticationTokenException",
            StatusCode::FORBIDDEN,
            "Missing Authentication Token",
        ));
    };
    let header = header
        .to_str()
        .map_err(|_| incomplete("The Authorization header is not valid ASCII."))?;
    let auth = parse_authorization(header)?;
    if auth.service != service {
        return Err(invalid(format!(
            "Credential should be scoped to correct service: '{service}'."
        )));
    }
    let (secret, account) = identities.lookup(auth.access_key_id).ok_or_else(|| {
        ApiError::new(
            "UnrecognizedClientException",
            StatusCode::FORBIDDEN,
            "The security token included in the request is invalid.",
        )
    })?;
    let amz_date = parts
        .headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| incomplete("Authorization header requires existence of a 'X-Amz-Date' header."))?;
    let time = parse_amz_date(amz_date)
        .ok_or_else(|| incomplete(format!("X-Amz-Date '{amz_date}' is not YYYYMMDD'T'HHMMSS'Z'.")))?;
    if !amz_date.starts_with(auth.date) {
        return Err(invalid(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}'.",
            auth.date,
            &amz_date[..8.min(amz_date.len())]
        )));
    }
    if let Some(max) = max_skew {
        let now = SystemTime::now();
        let skew = now
            .duration_since(time)
            .or_else(|e| Ok::<_, ()>(e.duration()))
            .unwrap_or_default();
        if skew > max {
            return Err(invalid(format!(
                "Signature expired: {amz_date} is more than {} minutes away from the server time.",
                max.as_secs() / 60
            )));
        }
    }
    if parts.headers.get("host").is_none() || !auth.signed_headers.contains(&"host") {
        return Err(invalid("The host header must be present and signed."));
    }

    // Only the headers the client signed go in; the signer re-inserts x-amz-date, the session token and
    // x-amz-content-sha256 itself (sdk-wire-notes.md §6).
    let mut values: Vec<(&str, String)> = Vec::with_capacity(auth.signed_headers.len());
    for name in &auth.signed_headers {
        if matches!(
            *name,
            "x-amz-date" | "x-amz-security-token" | "x-amz-content-sha256"
        ) {
            continue;
        }
        let joined = parts
            .headers
            .get_all(*name)
            .iter()
            .map(|v| v.to_str().map(str::trim))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| incomplete(format!("Signed header '{name}' is not valid ASCII.")))?
            .join(",");
        values.push((name, joined));
    }
    let token = parts
        .headers
        .get("x-amz-security-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut settings = SigningSettings::default();
    settings.excluded_headers = None;
    if auth.signed_headers.contains(&"x-amz-content-sha256") {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    if token.is_some() && !auth.signed_headers.contains(&"x-amz-security-token") {
        settings.session_token_mode = SessionTokenMode::Exclude;
    }
    let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let identity: Identity = Credentials::new(auth.access_key_id, secret, token, None, "ctlake-local").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(auth.region)
        .name(service)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| incomplete(format!("Cannot verify the signature: {e}.")))?
        .into();
    let request = SignableRequest::new(
        parts.method.as_str(),
        target,
        values.iter().map(|(k, v)| (*k, v.as_str())),
        SignableBody::Bytes(body),
    )
    .map_err(|e| incomplete(format!("Cannot verify the signature: {e}.")))?;
    let expected = aws_sigv4::http_request::sign(request, &params)
        .map_err(|e| incomplete(format!("Cannot verify the signature: {e}.")))?;
    if !constant_time_eq(
        expected.signature().as_bytes(),
        auth.signature.to_ascii_lowercase().as_bytes(),
    ) {
        return Err(invalid(
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret \
             Access Key and signing method. Consult the service documentation for details.",
        ));
    }
    Ok(Caller {
        account,
        region: auth.region.to_owned(),
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_captured_header() {
        let h = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/cloudtrail-data/aws4_request, \
                 SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-user-agent, Signature=\
                 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let a = parse_authorization(h).unwrap();
        assert_eq!(a.access_key_id, "AKIDEXAMPLE");
        assert_eq!(a.region, "us-east-1");
        assert_eq!(a.service, "cloudtrail-data");
        assert_eq!(a.signed_headers.len(), 5);
    }

    #[test]
    fn malformed_headers_are_incomplete_signatures() {
        for h in [
            "Bearer x",
            "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=a/b/c, SignedHeaders=host, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "AWS4-HMAC-SHA256 Credential=AK/20261122/us-east-1/cloudtrail/aws4_request, SignedHeaders=host, Signature=zz",
        ] {
            assert_eq!(
                parse_authorization(h).unwrap_err().code,
                "IncompleteSignatureException",
                "{h}"
            );
        }
    }

    #[test]
    fn amz_date_parses() {
        let t = parse_amz_date("20261122T014354Z").unwrap();
        assert_eq!(
            t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs(),
            1_795_311_834
        );
        assert!(parse_amz_date("2026-11-22").is_none());
    }
}
