//! Per-event validation of `eventData` (lake-api.md §2.1 and §7 item 2.6): JSON (`InvalidData`), required
//! fields (`FieldNotFound`), caps (`FieldTooLong`), checksum (`InvalidChecksum`), recipient
//! (`InvalidRecipient`), in that order.
//!
//! String caps count Unicode characters; object caps (`requestParameters`, `responseElements`,
//! `additionalEventData`) count the bytes of the object's JSON text as sent, with 1 kB = 1000 bytes.
//! Members outside the schema are kept, not rejected (whether AWS rejects them is not documented).

use std::borrow::Cow;
use std::net::IpAddr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::limits::{
    MAX_ADDITIONAL_EVENT_DATA_BYTES, MAX_ERROR_CODE_CHARS, MAX_EVENT_ERROR_MESSAGE_CHARS,
    MAX_EVENT_NAME_CHARS, MAX_EVENT_SOURCE_CHARS, MAX_PRINCIPAL_ID_CHARS, MAX_REQUEST_PARAMETERS_BYTES,
    MAX_RESPONSE_ELEMENTS_BYTES, MAX_UID_CHARS, MAX_USER_AGENT_CHARS, MAX_USER_TYPE_CHARS, MAX_VERSION_CHARS,
};
use crate::timefmt::parse_event_time;

/// A per-entry failure: code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EntryError {
    /// `InvalidData`, `FieldNotFound`, `FieldTooLong`, `InvalidChecksum` or `InvalidRecipient`.
    pub(crate) code: &'static str,
    /// Names the field and the rule.
    pub(crate) message: String,
}

fn fail(code: &'static str, message: impl Into<String>) -> EntryError {
    EntryError {
        code,
        message: message.into(),
    }
}

/// What a valid event contributes to the stored record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ValidEvent {
    /// `eventData.eventTime` in epoch ms.
    pub(crate) event_time_ms: i64,
}

#[derive(Deserialize)]
struct EventDataView<'a> {
    #[serde(borrow)]
    version: Option<&'a RawValue>,
    #[serde(borrow, rename = "userIdentity")]
    user_identity: Option<&'a RawValue>,
    #[serde(borrow, rename = "userAgent")]
    user_agent: Option<&'a RawValue>,
    #[serde(borrow, rename = "eventSource")]
    event_source: Option<&'a RawValue>,
    #[serde(borrow, rename = "eventName")]
    event_name: Option<&'a RawValue>,
    #[serde(borrow, rename = "eventTime")]
    event_time: Option<&'a RawValue>,
    #[serde(borrow, rename = "UID")]
    uid: Option<&'a RawValue>,
    #[serde(borrow, rename = "requestParameters")]
    request_parameters: Option<&'a RawValue>,
    #[serde(borrow, rename = "responseElements")]
    response_elements: Option<&'a RawValue>,
    #[serde(borrow, rename = "errorCode")]
    error_code: Option<&'a RawValue>,
    #[serde(borrow, rename = "errorMessage")]
    error_message: Option<&'a RawValue>,
    #[serde(borrow, rename = "sourceIPAddress")]
    source_ip_address: Option<&'a RawValue>,
    #[serde(borrow, rename = "recipientAccountId")]
    recipient_account_id: Option<&'a RawValue>,
    #[serde(borrow, rename = "additionalEventData")]
    additional_event_data: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct UserIdentityView<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<&'a RawValue>,
    #[serde(borrow, rename = "principalId")]
    principal_id: Option<&'a RawValue>,
    #[serde(borrow)]
    details: Option<&'a RawValue>,
}

/// A JSON `null` counts as absent.
fn present(v: Option<&RawValue>) -> Option<&RawValue> {
    v.filter(|r| r.get() != "null")
}

fn string<'a>(field: &str, raw: &'a RawValue) -> Result<Cow<'a, str>, EntryError> {
    if !raw.get().starts_with('"') {
        return Err(fail(
            "InvalidData",
            format!("eventData.{field} must be a string."),
        ));
    }
    serde_json::from_str::<Cow<'a, str>>(raw.get())
        .map_err(|e| fail("InvalidData", format!("eventData.{field}: {e}.")))
}

fn required_string<'a>(field: &str, raw: Option<&'a RawValue>) -> Result<Cow<'a, str>, EntryError> {
    let raw = present(raw).ok_or_else(|| fail("FieldNotFound", format!("eventData.{field} is required.")))?;
    string(field, raw)
}

fn optional_string<'a>(field: &str, raw: Option<&'a RawValue>) -> Result<Option<Cow<'a, str>>, EntryError> {
    present(raw).map(|r| string(field, r)).transpose()
}

fn optional_object<'a>(field: &str, raw: Option<&'a RawValue>) -> Result<Option<&'a RawValue>, EntryError> {
    match present(raw) {
        None => Ok(None),
        Some(r) if r.get().starts_with('{') => Ok(Some(r)),
        Some(_) => Err(fail(
            "InvalidData",
            format!("eventData.{field} must be a JSON object."),
        )),
    }
}

fn cap_chars(field: &str, value: Option<&str>, max: usize) -> Result<(), EntryError> {
    match value.map(|v| v.chars().count()) {
        Some(n) if n > max => Err(fail(
            "FieldTooLong",
            format!("eventData.{field} has {n} characters; the limit is {max}."),
        )),
        _ => Ok(()),
    }
}

fn cap_bytes(field: &str, value: Option<&RawValue>, max: usize) -> Result<(), EntryError> {
    match value.map(|v| v.get().len()) {
        Some(n) if n > max => Err(fail(
            "FieldTooLong",
            format!(
                "eventData.{field} is {n} bytes of JSON; the limit is {max} bytes ({} kB).",
                max / 1000
            ),
        )),
        _ => Ok(()),
    }
}

/// `base64(SHA-256(eventData))`, the documented checksum ([BC-DATA] `eventDataChecksum`).
pub(crate) fn checksum(event_data: &str) -> String {
    STANDARD.encode(Sha256::digest(event_data.as_bytes()))
}

/// Validates one event for a channel owned by `owner_account`.
pub(crate) fn validate(
    event_data: &str,
    checksum_given: Option<&str>,
    owner_account: &str,
) -> Result<ValidEvent, EntryError> {
    // 1. JSON.
    if !event_data.trim_start().starts_with('{') {
        return Err(fail(
            "InvalidData",
            "eventData must be a JSON object serialized as a string.",
        ));
    }
    let view: EventDataView<'_> = serde_json::from_str(event_data)
        .map_err(|e| fail("InvalidData", format!("eventData is not valid JSON: {e}.")))?;
    let identity_raw = optional_object("userIdentity", view.user_identity)?;
    let identity: Option<UserIdentityView<'_>> = identity_raw
        .map(|r| serde_json::from_str(r.get()))
        .transpose()
        .map_err(|e| fail("InvalidData", format!("eventData.userIdentity: {e}.")))?;
    let request_parameters = optional_object("requestParameters", view.request_parameters)?;
    let response_elements = optional_object("responseElements", view.response_elements)?;
    let additional = optional_object("additionalEventData", view.additional_event_data)?;
    if let Some(id) = &identity {
        optional_object("userIdentity.details", id.details)?;
    }

    // 2. Required fields.
    let version = required_string("version", view.version)?;
    let identity = identity.ok_or_else(|| fail("FieldNotFound", "eventData.userIdentity is required."))?;
    let user_type = required_string("userIdentity.type", identity.kind)?;
    let principal = required_string("userIdentity.principalId", identity.principal_id)?;
    let source = required_string("eventSource", view.event_source)?;
    let name = required_string("eventName", view.event_name)?;
    let time = required_string("eventTime", view.event_time)?;
    let uid = required_string("UID", view.uid)?;
    let recipient = required_string("recipientAccountId", view.recipient_account_id)?;
    let user_agent = optional_string("userAgent", view.user_agent)?;
    let error_code = optional_string("errorCode", view.error_code)?;
    let error_message = optional_string("errorMessage", view.error_message)?;
    let source_ip = optional_string("sourceIPAddress", view.source_ip_address)?;
    let event_time_ms = parse_event_time(&time).ok_or_else(|| {
        fail(
            "InvalidData",
            format!("eventData.eventTime '{time}' is not a UTC timestamp yyyy-MM-ddTHH:mm:ssZ."),
        )
    })?;
    if let Some(ip) = &source_ip
        && ip.parse::<IpAddr>().is_err()
    {
        return Err(fail(
            "InvalidData",
            format!("eventData.sourceIPAddress '{ip}' is not an IPv4 or IPv6 address."),
        ));
    }

    // 3. Caps.
    cap_chars("version", Some(&version), MAX_VERSION_CHARS)?;
    cap_chars("userIdentity.type", Some(&user_type), MAX_USER_TYPE_CHARS)?;
    cap_chars(
        "userIdentity.principalId",
        Some(&principal),
        MAX_PRINCIPAL_ID_CHARS,
    )?;
    cap_chars("userAgent", user_agent.as_deref(), MAX_USER_AGENT_CHARS)?;
    cap_chars("eventSource", Some(&source), MAX_EVENT_SOURCE_CHARS)?;
    cap_chars("eventName", Some(&name), MAX_EVENT_NAME_CHARS)?;
    cap_chars("UID", Some(&uid), MAX_UID_CHARS)?;
    cap_chars("errorCode", error_code.as_deref(), MAX_ERROR_CODE_CHARS)?;
    cap_chars(
        "errorMessage",
        error_message.as_deref(),
        MAX_EVENT_ERROR_MESSAGE_CHARS,
    )?;
    cap_bytes(
        "requestParameters",
        request_parameters,
        MAX_REQUEST_PARAMETERS_BYTES,
    )?;
    cap_bytes("responseElements", response_elements, MAX_RESPONSE_ELEMENTS_BYTES)?;
    cap_bytes("additionalEventData", additional, MAX_ADDITIONAL_EVENT_DATA_BYTES)?;

    // 4. Checksum.
    if let Some(given) = checksum_given {
        let expected = checksum(event_data);
        if given != expected {
            return Err(fail(
                "InvalidChecksum",
                "eventDataChecksum does not match base64(SHA-256(eventData)) of the eventData string as sent.",
            ));
        }
    }

    // 5. Recipient.
    if recipient != owner_account {
        return Err(fail(
            "InvalidRecipient",
            format!(
                "eventData.recipientAccountId '{recipient}' is not the channel owner's account {owner_account}."
            ),
        ));
    }
    Ok(ValidEvent { event_time_ms })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"version":"1.0","UID":"u-1","userIdentity":{"type":"CustomUser","principalId":"alice"},"eventSource":"app.example.com","eventName":"Login","eventTime":"2024-01-01T00:00:00Z","recipientAccountId":"123456789012"}"#;

    #[test]
    fn checksum_matches_the_documented_vector() {
        assert_eq!(checksum(DOC), "rUq5wIHWBATw9EopYjn+p9GdGWFmJ8a6oXa8NSMqu5o=");
        assert!(
            validate(
                DOC,
                Some("rUq5wIHWBATw9EopYjn+p9GdGWFmJ8a6oXa8NSMqu5o="),
                "123456789012"
            )
            .is_ok()
        );
    }

    fn code(doc: &str) -> &'static str {
        validate(doc, None, "123456789012")
            .map(|_| "OK")
            .unwrap_or_else(|e| e.code)
    }

    #[test]
    fn each_rule_has_its_code() {
        assert_eq!(code(DOC), "OK");
        assert_eq!(code("not json"), "InvalidData");
        assert_eq!(code(r#"{"version": "1""#), "InvalidData");
        assert_eq!(code(&DOC.replace(r#""version":"1.0","#, "")), "FieldNotFound");
        assert_eq!(
            code(&DOC.replace(r#""principalId":"alice""#, r#""principalId":null"#)),
            "FieldNotFound"
        );
        assert_eq!(
            code(&DOC.replace(r#""version":"1.0""#, r#""version":1"#)),
            "InvalidData"
        );
        assert_eq!(
            code(&DOC.replace("2024-01-01T00:00:00Z", "202-07-12T10:55:00")),
            "InvalidData"
        );
        assert_eq!(
            code(&DOC.replace(
                r#""version":"1.0""#,
                &format!(r#""version":"{}""#, "v".repeat(257))
            )),
            "FieldTooLong"
        );
        assert_eq!(
            code(&DOC.replace("123456789012", "111122223333")),
            "InvalidRecipient"
        );
        assert_eq!(
            validate(DOC, Some("AAAA"), "123456789012").unwrap_err().code,
            "InvalidChecksum"
        );
        let ip = DOC.replace(r#""UID""#, r#""sourceIPAddress":"300.1.1.1","UID""#);
        assert_eq!(code(&ip), "InvalidData");
        let dup = DOC.replace(r#""UID":"u-1""#, r#""UID":"u-1","UID":"u-2""#);
        assert_eq!(code(&dup), "InvalidData");
    }

    #[test]
    fn object_caps_use_1000_byte_kilobytes() {
        let fits = format!(r#"{{"k":"{}"}}"#, "x".repeat(28_000 - 8));
        assert_eq!(fits.len(), 28_000);
        let ok = DOC.replace(r#""UID""#, &format!(r#""additionalEventData":{fits},"UID""#));
        assert_eq!(code(&ok), "OK");
        let over = DOC.replace(
            r#""UID""#,
            &format!(r#""additionalEventData":{{"k":"{}"}},"UID""#, "x".repeat(28_000)),
        );
        assert_eq!(code(&over), "FieldTooLong");
        let not_object = DOC.replace(r#""UID""#, r#""requestParameters":"a string","UID""#);
        assert_eq!(code(&not_object), "InvalidData");
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_event_data_never_panics(text in ".{0,300}", sum in proptest::option::of("[A-Za-z0-9+/=]{0,44}")) {
            let _ = validate(&text, sum.as_deref(), "123456789012");
        }

        #[test]
        fn valid_events_pass_whatever_their_uid(uid in "[ -~]{1,200}") {
            let doc = serde_json::json!({
                "version": "1.0", "UID": uid, "userIdentity": {"type": "T", "principalId": "p"},
                "eventSource": "s", "eventName": "n", "eventTime": "2024-02-29T23:59:59Z",
                "recipientAccountId": "123456789012",
            }).to_string();
            proptest::prop_assert!(validate(&doc, Some(&checksum(&doc)), "123456789012").is_ok());
        }
    }
}
