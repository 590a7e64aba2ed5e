//! Reads an event from untrusted bytes and checks every rule, collecting all violations.

use std::borrow::Cow;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::error::{ParseError, message_of};
use super::object::{Members, minify, type_of};
use super::parsed::{InputShape, ParsedEvent};
use crate::event::path;
use crate::validate::{JsonType, Rule, Violation, Violations, event_data_checksum, limits, rules};
use crate::{AccountId, AuditEventId, ChannelArn, EventData, EventTime, InvalidValue, UserIdentity};

const RECORD_FIELDS: &[&str] = &["id", "eventData", "eventDataChecksum"];
const EVENT_DATA_FIELDS: &[&str] = &[
    "version",
    "userIdentity",
    "userAgent",
    "eventSource",
    "eventName",
    "eventTime",
    "UID",
    "requestParameters",
    "responseElements",
    "errorCode",
    "errorMessage",
    "sourceIPAddress",
    "recipientAccountId",
    "additionalEventData",
];
const USER_IDENTITY_FIELDS: &[&str] = &["type", "principalId", "details"];

/// Parses one event from untrusted bytes in either shape a user has — a bare `eventData` object, or a
/// `PutAuditEvents` record `{"id": …, "eventData": <string or object>, "eventDataChecksum"?: …}` (the input
/// is a record when it has an `eventData` member) — and checks every rule.
///
/// A record's `eventDataChecksum` is checked against the exact bytes that will be sent: the `eventData`
/// string as given, or, for an `eventData` object, its compact form (whitespace between tokens removed).
///
/// Never panics, whatever the input.
///
/// # Errors
///
/// - [`ParseError::Json`] when the input is not UTF-8 JSON, with line and column;
/// - [`ParseError::NotAnObject`] when it is JSON but not an object;
/// - [`ParseError::Invalid`] listing **every** violation: missing required fields, wrong JSON types, every
///   length and size cap, the `eventTime` form, `sourceIPAddress`, `recipientAccountId`, the record's `id`
///   pattern, an `eventData` string that is not a JSON object, a `eventDataChecksum` that does not match, and
///   unknown or repeated fields ([`Rule::UnknownField`], [`Rule::DuplicateField`]).
pub fn parse(input: impl AsRef<[u8]>) -> Result<ParsedEvent, ParseError> {
    parse_inner(input.as_ref(), None)
}

/// [`parse`], and also checks that `recipientAccountId` is the account that owns `channel`
/// ([`Rule::RecipientMismatch`]), reported together with every other violation.
///
/// # Errors
///
/// As [`parse`].
pub fn parse_for_channel(input: impl AsRef<[u8]>, channel: &ChannelArn) -> Result<ParsedEvent, ParseError> {
    parse_inner(input.as_ref(), Some(channel))
}

fn parse_inner(bytes: &[u8], channel: Option<&ChannelArn>) -> Result<ParsedEvent, ParseError> {
    let text = std::str::from_utf8(bytes).map_err(|e| utf8_error(bytes, e.valid_up_to()))?;
    let raw: &RawValue = serde_json::from_str(text).map_err(|e| ParseError::from_json(&e))?;
    let found = type_of(raw);
    if found != JsonType::Object {
        return Err(ParseError::NotAnObject { found });
    }
    let top: Members<'_> = serde_json::from_str(raw.get()).map_err(|e| ParseError::from_json(&e))?;

    let mut v = Vec::new();
    let mut extra = Vec::new();
    let is_record = top.0.iter().any(|(k, _)| k == "eventData");
    let (shape, id, event_data_json, provided_checksum) = if is_record {
        let [id, event_data, checksum] = lookup::<3>(&top, RECORD_FIELDS, "", &mut extra);
        let id = string_field(id, Cow::Borrowed("id"), true, rules::audit_event_id, &mut v)
            .and_then(|s| AuditEventId::try_from(s).ok());
        let json = match event_data.map(|raw| (type_of(raw), raw)) {
            None => None,
            Some((JsonType::Object, raw)) => Some(minify(raw.get())),
            Some((JsonType::String, raw)) => decode_string(raw, Cow::Borrowed("eventData"), &mut v),
            Some((found, _)) => {
                v.push(Violation::new("eventData", Rule::NotAnObject { found }));
                None
            }
        };
        let checksum = string_field(
            checksum,
            Cow::Borrowed("eventDataChecksum"),
            false,
            |_| Ok(()),
            &mut v,
        );
        (InputShape::Record, id, json, checksum)
    } else {
        (InputShape::EventData, None, Some(minify(raw.get())), None)
    };

    let mut event = None;
    if let Some(json) = &event_data_json {
        if let Some(provided) = &provided_checksum {
            let computed = event_data_checksum(json);
            if *provided != computed {
                extra.push(Violation::new(
                    "eventDataChecksum",
                    Rule::ChecksumMismatch {
                        provided: provided.clone(),
                        computed,
                    },
                ));
            }
        }
        event = event_data(json, channel, &mut v, &mut extra);
    }

    v.append(&mut extra);
    match (event, event_data_json) {
        (Some(event_data), Some(event_data_json)) if v.is_empty() => Ok(ParsedEvent {
            shape,
            id,
            event_data,
            event_data_json,
            checksum: provided_checksum,
        }),
        _ => Err(ParseError::Invalid(Violations::new(v))),
    }
}

/// Checks the `eventData` object in `json` (exact text) and builds the typed event when every rule holds.
fn event_data(
    json: &str,
    channel: Option<&ChannelArn>,
    v: &mut Vec<Violation>,
    extra: &mut Vec<Violation>,
) -> Option<EventData> {
    let raw: &RawValue = match serde_json::from_str(json) {
        Ok(raw) => raw,
        Err(e) => {
            v.push(json_violation("eventData", &e));
            return None;
        }
    };
    match type_of(raw) {
        JsonType::Object => {}
        found => {
            v.push(Violation::new("eventData", Rule::NotAnObject { found }));
            return None;
        }
    }
    let members: Members<'_> = match serde_json::from_str(raw.get()) {
        Ok(m) => m,
        Err(e) => {
            v.push(json_violation("eventData", &e));
            return None;
        }
    };
    let [
        version,
        user_identity,
        user_agent,
        event_source,
        event_name,
        event_time,
        uid,
        request_parameters,
        response_elements,
        error_code,
        error_message,
        source_ip_address,
        recipient_account_id,
        additional_event_data,
    ] = lookup::<14>(&members, EVENT_DATA_FIELDS, "eventData", extra);

    let p = |s: &'static str| Cow::Borrowed(s);
    let version = string_field(
        version,
        p(path::VERSION),
        true,
        |s| rules::required_chars(s, limits::MAX_VERSION_CHARS),
        v,
    );
    let user_identity = user_identity_field(user_identity, v, extra);
    let user_agent = string_field(
        user_agent,
        p(path::USER_AGENT),
        false,
        |s| rules::optional_chars(s, limits::MAX_USER_AGENT_CHARS),
        v,
    );
    let event_source = string_field(event_source, p(path::EVENT_SOURCE), true, rules::event_source, v);
    let event_name = string_field(event_name, p(path::EVENT_NAME), true, rules::event_name, v);
    let mut time = None;
    string_field(
        event_time,
        p(path::EVENT_TIME),
        true,
        |s| {
            time = Some(EventTime::parse(s).map_err(Rule::InvalidTime)?);
            Ok(())
        },
        v,
    );
    let uid = string_field(
        uid,
        p(path::UID),
        true,
        |s| rules::required_chars(s, limits::MAX_UID_CHARS),
        v,
    );
    let request_parameters = object_field(
        request_parameters,
        path::REQUEST_PARAMETERS,
        Some(limits::MAX_REQUEST_PARAMETERS_BYTES),
        v,
    );
    let response_elements = object_field(
        response_elements,
        path::RESPONSE_ELEMENTS,
        Some(limits::MAX_RESPONSE_ELEMENTS_BYTES),
        v,
    );
    let error_code = string_field(
        error_code,
        p(path::ERROR_CODE),
        false,
        |s| rules::optional_chars(s, limits::MAX_ERROR_CODE_CHARS),
        v,
    );
    let error_message = string_field(
        error_message,
        p(path::ERROR_MESSAGE),
        false,
        |s| rules::optional_chars(s, limits::MAX_ERROR_MESSAGE_CHARS),
        v,
    );
    let source_ip_address = string_field(
        source_ip_address,
        p(path::SOURCE_IP_ADDRESS),
        false,
        rules::ip_address,
        v,
    );
    let recipient_account_id = string_field(
        recipient_account_id,
        p(path::RECIPIENT_ACCOUNT_ID),
        true,
        |s| {
            rules::account_id(s)?;
            match channel {
                Some(channel) if channel.account_id() != s => Err(Rule::RecipientMismatch {
                    recipient: AccountId::try_from(s).map_err(InvalidValue::into_rule)?,
                    channel_account: channel.account_id().clone(),
                }),
                _ => Ok(()),
            }
        },
        v,
    );
    let additional_event_data = object_field(
        additional_event_data,
        path::ADDITIONAL_EVENT_DATA,
        Some(limits::MAX_ADDITIONAL_EVENT_DATA_BYTES),
        v,
    );

    if !v.is_empty() || !extra.is_empty() {
        return None;
    }
    let built = EventData::builder()
        .set_version(version)
        .set_user_identity(user_identity)
        .set_user_agent(user_agent)
        .set_event_source(event_source)
        .set_event_name(event_name)
        .set_event_time(time)
        .set_uid(uid)
        .set_request_parameters(request_parameters)
        .set_response_elements(response_elements)
        .set_error_code(error_code)
        .set_error_message(error_message)
        .set_source_ip_address(source_ip_address)
        .set_recipient_account_id(recipient_account_id)
        .set_additional_event_data(additional_event_data)
        .build();
    match built {
        Ok(event) => Some(event),
        // Unreachable in practice (the same rules were checked above); kept as a reported error, not a panic.
        Err(err) => {
            v.extend(err.violations().iter().cloned());
            None
        }
    }
}

fn user_identity_field(
    raw: Option<&RawValue>,
    v: &mut Vec<Violation>,
    extra: &mut Vec<Violation>,
) -> Option<UserIdentity> {
    let Some(raw) = raw else {
        v.push(Violation::new(path::USER_IDENTITY, Rule::Required));
        return None;
    };
    let found = type_of(raw);
    if found != JsonType::Object {
        v.push(Violation::new(path::USER_IDENTITY, Rule::NotAnObject { found }));
        return None;
    }
    let members: Members<'_> = match serde_json::from_str(raw.get()) {
        Ok(m) => m,
        Err(e) => {
            v.push(json_violation(path::USER_IDENTITY, &e));
            return None;
        }
    };
    let [r#type, principal_id, details] =
        lookup::<3>(&members, USER_IDENTITY_FIELDS, path::USER_IDENTITY, extra);
    let r#type = string_field(
        r#type,
        Cow::Borrowed("eventData.userIdentity.type"),
        true,
        |s| rules::required_chars(s, limits::MAX_USER_IDENTITY_TYPE_CHARS),
        v,
    );
    let principal_id = string_field(
        principal_id,
        Cow::Borrowed("eventData.userIdentity.principalId"),
        true,
        |s| rules::required_chars(s, limits::MAX_PRINCIPAL_ID_CHARS),
        v,
    );
    let details = object_field(details, "eventData.userIdentity.details", None, v);
    UserIdentity::builder()
        .set_type(r#type)
        .set_principal_id(principal_id)
        .set_details(details)
        .build()
        .ok()
}

/// Sorts an object's members into the `known` slots; unknown and repeated members are reported in `extra`.
fn lookup<'a, const N: usize>(
    members: &Members<'a>,
    known: &'static [&'static str],
    prefix: &str,
    extra: &mut Vec<Violation>,
) -> [Option<&'a RawValue>; N] {
    let mut slots = [None; N];
    for (key, raw) in &members.0 {
        let path = member_path(prefix, key);
        match known.iter().position(|k| k == key) {
            Some(i) if i < N => {
                if slots[i].is_some() {
                    extra.push(Violation::new(path, Rule::DuplicateField));
                } else {
                    slots[i] = Some(*raw);
                }
            }
            _ => extra.push(Violation::new(path, Rule::UnknownField { expected: known })),
        }
    }
    slots
}

/// `prefix.key`, or `prefix["key"]` when the key is not a plain identifier.
fn member_path(prefix: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    match (prefix.is_empty(), plain) {
        (true, true) => key.to_owned(),
        (false, true) => format!("{prefix}.{key}"),
        (_, false) => format!("{prefix}[{}]", serde_json::Value::from(key)),
    }
}

/// Reads a string member and checks it; records a violation when it is missing (and required), not a
/// string, or breaks `check`.
fn string_field(
    raw: Option<&RawValue>,
    path: Cow<'static, str>,
    required: bool,
    check: impl FnOnce(&str) -> Result<(), Rule>,
    v: &mut Vec<Violation>,
) -> Option<String> {
    let Some(raw) = raw else {
        if required {
            v.push(Violation::new(path, Rule::Required));
        }
        return None;
    };
    let found = type_of(raw);
    if found != JsonType::String {
        v.push(Violation::new(
            path,
            Rule::WrongType {
                expected: JsonType::String,
                found,
            },
        ));
        return None;
    }
    let value: String = match serde_json::from_str(raw.get()) {
        Ok(s) => s,
        Err(e) => {
            v.push(json_violation(path, &e));
            return None;
        }
    };
    match check(&value) {
        Ok(()) => Some(value),
        Err(rule) => {
            v.push(Violation::new(path, rule));
            None
        }
    }
}

/// Reads a JSON-object member; its size (the exact text that will be sent) is checked against `max_bytes`.
fn object_field(
    raw: Option<&RawValue>,
    path: &'static str,
    max_bytes: Option<usize>,
    v: &mut Vec<Violation>,
) -> Option<Map<String, Value>> {
    let raw = raw?;
    let found = type_of(raw);
    if found != JsonType::Object {
        v.push(Violation::new(path, Rule::NotAnObject { found }));
        return None;
    }
    if let Some(Err(rule)) = max_bytes.map(|max| rules::object_size(raw.get().len(), max)) {
        v.push(Violation::new(path, rule));
        return None;
    }
    match serde_json::from_str(raw.get()) {
        Ok(map) => Some(map),
        Err(e) => {
            v.push(json_violation(path, &e));
            None
        }
    }
}

/// Decodes a JSON string member (the `eventData` string of a record).
fn decode_string(raw: &RawValue, path: Cow<'static, str>, v: &mut Vec<Violation>) -> Option<String> {
    match serde_json::from_str(raw.get()) {
        Ok(s) => Some(s),
        Err(e) => {
            v.push(json_violation(path, &e));
            None
        }
    }
}

fn json_violation(path: impl Into<Cow<'static, str>>, e: &serde_json::Error) -> Violation {
    Violation::new(
        path,
        Rule::InvalidJson {
            line: e.line(),
            column: e.column(),
            message: message_of(e),
        },
    )
}

/// A JSON error for bytes that are not UTF-8, at the first bad byte.
fn utf8_error(bytes: &[u8], valid_up_to: usize) -> ParseError {
    let before = &bytes[..valid_up_to.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    ParseError::Json {
        line,
        column: valid_up_to - line_start + 1,
        message: "invalid UTF-8".to_owned(),
    }
}
