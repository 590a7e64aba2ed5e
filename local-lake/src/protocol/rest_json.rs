//! restJson1 (the `cloudtrail-data` data plane): `POST /PutAuditEvents?channelArn=…&externalId=…` with a
//! JSON body `{"auditEvents":[…]}` (lake-api.md §1.1).

use std::borrow::Cow;

/// Content type of restJson1 responses.
pub(crate) const CONTENT_TYPE: &str = "application/json";

/// The path suffix that routes to PutAuditEvents. A prefix before it (an endpoint URL with a path, which the
/// SDKs keep: sdk-wire-notes §5) is tolerated.
pub(crate) const PUT_AUDIT_EVENTS_PATH: &str = "/PutAuditEvents";

/// Whether a request path names PutAuditEvents.
pub(crate) fn is_put_audit_events(path: &str) -> bool {
    path.ends_with(PUT_AUDIT_EVENTS_PATH)
}

/// The query-string members of PutAuditEvents, percent-decoded. A member given twice keeps the first value.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct PutAuditEventsQuery {
    /// `channelArn` (required by the model).
    pub(crate) channel_arn: Option<String>,
    /// `externalId` (optional).
    pub(crate) external_id: Option<String>,
}

impl PutAuditEventsQuery {
    /// Parses a raw query string (without the `?`).
    pub(crate) fn parse(query: &str) -> Self {
        let mut out = Self::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode(value).into_owned();
            match &*decode(key) {
                "channelArn" if out.channel_arn.is_none() => out.channel_arn = Some(value),
                "externalId" if out.external_id.is_none() => out.external_id = Some(value),
                _ => {}
            }
        }
        out
    }
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space).
fn decode(s: &str) -> Cow<'_, str> {
    if s.contains('+') {
        let replaced = s.replace('+', " ");
        Cow::Owned(
            percent_encoding::percent_decode_str(&replaced)
                .decode_utf8_lossy()
                .into_owned(),
        )
    } else {
        percent_encoding::percent_decode_str(s).decode_utf8_lossy()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_captured_sdk_query() {
        let q = PutAuditEventsQuery::parse(
            "channelArn=arn%3Aaws%3Acloudtrail%3Aus-east-1%3A123456789012%3Achannel%2Fabcd-1234&externalId=ext-1",
        );
        assert_eq!(
            q.channel_arn.as_deref(),
            Some("arn:aws:cloudtrail:us-east-1:123456789012:channel/abcd-1234")
        );
        assert_eq!(q.external_id.as_deref(), Some("ext-1"));
        assert_eq!(PutAuditEventsQuery::parse(""), PutAuditEventsQuery::default());
    }

    #[test]
    fn path_prefixes_are_tolerated() {
        assert!(is_put_audit_events("/PutAuditEvents"));
        assert!(is_put_audit_events("/prefix/x/PutAuditEvents"));
        assert!(!is_put_audit_events("/"));
    }
}
