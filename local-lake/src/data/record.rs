//! The stored record: the caller's `eventData` wrapped with the fields CloudTrail adds (lake-api.md §2.2).
//!
//! Choices where the documentation is silent (UNCONFIRMED in lake-api.md §8):
//! - `eventVersion` is [`EVENT_VERSION`];
//! - the top-level `eventTime` is the event's own `eventData.eventTime` (normalized to
//!   `yyyy-MM-ddTHH:mm:ssZ`), not the ingestion time, because Lake retention and time-bounded queries are
//!   about when the event happened; the ingestion time is in `metadata.ingestionTime`;
//! - `eventData` is the caller's JSON text verbatim.

/// `eventVersion` of stored ActivityAuditLog records.
pub(crate) const EVENT_VERSION: &str = "1.00";

/// The per-request parts of a record.
#[derive(Debug)]
pub(crate) struct RecordContext<'a> {
    /// Region the request was sent to.
    pub(crate) region: &'a str,
    /// The channel owner (= `recipientAccountId`, validated equal).
    pub(crate) recipient: &'a str,
    /// The channel ARN.
    pub(crate) channel_arn: &'a str,
    /// Ingestion time, `yyyy-MM-ddTHH:mm:ssZ`.
    pub(crate) ingestion_time: &'a str,
}

/// The record JSON for one event. Every interpolated value is either validated to need no escaping (ids,
/// ARN, Region, times) or already JSON (`event_data`).
pub(crate) fn build(ctx: &RecordContext<'_>, event_id: &str, event_time: &str, event_data: &str) -> String {
    let mut s = String::with_capacity(event_data.len() + 400);
    s.push_str(r#"{"eventVersion":""#);
    s.push_str(EVENT_VERSION);
    s.push_str(r#"","eventCategory":"ActivityAuditLog","eventType":"ActivityLog","eventID":""#);
    s.push_str(event_id);
    s.push_str(r#"","eventTime":""#);
    s.push_str(event_time);
    s.push_str(r#"","awsRegion":""#);
    s.push_str(ctx.region);
    s.push_str(r#"","recipientAccountId":""#);
    s.push_str(ctx.recipient);
    s.push_str(r#"","metadata":{"ingestionTime":""#);
    s.push_str(ctx.ingestion_time);
    s.push_str(r#"","channelARN":""#);
    s.push_str(ctx.channel_arn);
    s.push_str(r#""},"eventData":"#);
    s.push_str(event_data);
    s.push('}');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_is_json_with_the_documented_layout() {
        let ctx = RecordContext {
            region: "us-east-1",
            recipient: "123456789012",
            channel_arn: "arn:aws:cloudtrail:us-east-1:123456789012:channel/c-1",
            ingestion_time: "2024-01-01T00:00:05Z",
        };
        let r = build(
            &ctx,
            "0b6c6f9e-1d2c-4a8e-9c57-2b9f6a3d1e10",
            "2024-01-01T00:00:00Z",
            r#"{"a": [1, "x"]}"#,
        );
        let v: serde_json::Value = serde_json::from_str(&r).unwrap();
        assert_eq!(v["eventCategory"], "ActivityAuditLog");
        assert_eq!(v["eventType"], "ActivityLog");
        assert_eq!(v["eventTime"], "2024-01-01T00:00:00Z");
        assert_eq!(v["metadata"]["channelARN"], ctx.channel_arn);
        assert_eq!(v["metadata"]["ingestionTime"], "2024-01-01T00:00:05Z");
        assert_eq!(v["eventData"]["a"][1], "x");
        assert_eq!(v["recipientAccountId"], "123456789012");
    }
}
