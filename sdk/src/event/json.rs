//! The hand-written JSON writer of [`EventData`]: one pass, fields in schema order, and the serialized size
//! of each JSON-object field measured on the way (so validating the size caps costs no second pass).
//!
//! Strings are escaped exactly as `serde_json` and the AWS SDK's `aws-smithy-json` escape them (`\"`, `\\`,
//! `\b`, `\f`, `\n`, `\r`, `\t`, other control characters as `\u00xx`, everything else verbatim), so the
//! output equals `serde_json::to_string(&event)` byte for byte (a test checks this).

use std::io;

use serde::Serialize;

use super::data::EventData;

/// The serialized sizes of the JSON-object fields, in bytes (`None` when the field is unset).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ObjectSizes {
    pub(crate) request_parameters: Option<usize>,
    pub(crate) response_elements: Option<usize>,
    pub(crate) additional_event_data: Option<usize>,
}

/// Serializes `event` and measures its object fields.
pub(crate) fn to_json(event: &EventData) -> (String, ObjectSizes) {
    let mut out = Vec::with_capacity(estimate(event));
    let sizes = write_event(&mut out, event);
    // Every byte written comes from a `&str` or from serde_json, so the buffer is valid UTF-8.
    let json = String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    (json, sizes)
}

/// Measures the object fields without building the string.
pub(crate) fn object_sizes(event: &EventData) -> ObjectSizes {
    let size = |m: &Option<serde_json::Map<String, serde_json::Value>>| {
        m.as_ref().map(|m| {
            let mut counter = Counter(0);
            write_value(&mut counter, m);
            counter.0
        })
    };
    ObjectSizes {
        request_parameters: size(&event.request_parameters),
        response_elements: size(&event.response_elements),
        additional_event_data: size(&event.additional_event_data),
    }
}

fn estimate(e: &EventData) -> usize {
    // Fixed keys and punctuation are about 200 bytes; objects are guessed at 256 bytes each.
    let opt = |s: &Option<String>| s.as_ref().map_or(0, String::len);
    let obj = |m: &Option<serde_json::Map<String, serde_json::Value>>| m.as_ref().map_or(0, |_| 256);
    256 + e.version.len()
        + e.user_identity.r#type().len()
        + e.user_identity.principal_id().len()
        + e.event_source.as_str().len()
        + e.event_name.as_str().len()
        + e.uid.len()
        + opt(&e.user_agent)
        + opt(&e.error_code)
        + opt(&e.error_message)
        + opt(&e.source_ip_address)
        + obj(&e.request_parameters)
        + obj(&e.response_elements)
        + obj(&e.additional_event_data)
        + e.user_identity.details().map_or(0, |_| 256)
}

fn write_event(out: &mut Vec<u8>, e: &EventData) -> ObjectSizes {
    let mut sizes = ObjectSizes::default();
    out.extend_from_slice(b"{\"version\":");
    write_str(out, &e.version);
    out.extend_from_slice(b",\"userIdentity\":{\"type\":");
    write_str(out, e.user_identity.r#type());
    out.extend_from_slice(b",\"principalId\":");
    write_str(out, e.user_identity.principal_id());
    if let Some(details) = e.user_identity.details() {
        out.extend_from_slice(b",\"details\":");
        write_value(out, details);
    }
    out.push(b'}');
    if let Some(v) = &e.user_agent {
        out.extend_from_slice(b",\"userAgent\":");
        write_str(out, v);
    }
    out.extend_from_slice(b",\"eventSource\":");
    write_str(out, e.event_source.as_str());
    out.extend_from_slice(b",\"eventName\":");
    write_str(out, e.event_name.as_str());
    out.extend_from_slice(b",\"eventTime\":\"");
    out.extend_from_slice(e.event_time.as_str().as_bytes());
    out.extend_from_slice(b"\",\"UID\":");
    write_str(out, &e.uid);
    if let Some(m) = &e.request_parameters {
        out.extend_from_slice(b",\"requestParameters\":");
        sizes.request_parameters = Some(write_measured(out, m));
    }
    if let Some(m) = &e.response_elements {
        out.extend_from_slice(b",\"responseElements\":");
        sizes.response_elements = Some(write_measured(out, m));
    }
    if let Some(v) = &e.error_code {
        out.extend_from_slice(b",\"errorCode\":");
        write_str(out, v);
    }
    if let Some(v) = &e.error_message {
        out.extend_from_slice(b",\"errorMessage\":");
        write_str(out, v);
    }
    if let Some(v) = &e.source_ip_address {
        out.extend_from_slice(b",\"sourceIPAddress\":");
        write_str(out, v);
    }
    out.extend_from_slice(b",\"recipientAccountId\":\"");
    // Twelve digits: nothing to escape.
    out.extend_from_slice(e.recipient_account_id.as_str().as_bytes());
    out.push(b'"');
    if let Some(m) = &e.additional_event_data {
        out.extend_from_slice(b",\"additionalEventData\":");
        sizes.additional_event_data = Some(write_measured(out, m));
    }
    out.push(b'}');
    sizes
}

fn write_measured(out: &mut Vec<u8>, value: &serde_json::Map<String, serde_json::Value>) -> usize {
    let start = out.len();
    write_value(out, value);
    out.len() - start
}

fn write_value<W: io::Write, T: Serialize + ?Sized>(out: &mut W, value: &T) {
    // Our writers (a `Vec<u8>`, a byte counter) never fail and JSON maps have string keys only, so
    // serde_json has no error to return here; should one ever occur, the output stays valid JSON.
    if serde_json::to_writer(&mut *out, value).is_err() {
        let _ = out.write_all(b"null");
    }
}

/// Counts bytes instead of storing them.
struct Counter(usize);

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Writes `s` as a JSON string, with quotes.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => {
                out.extend_from_slice(&bytes[start..i]);
                out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 0xf)],
                ]);
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// The length of `s` written as a JSON string, with its quotes (what [`write_str`] writes).
pub(crate) fn escaped_len(s: &str) -> usize {
    let extra: usize = s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 1,
            0..=0x1f => 5,
            _ => 0,
        })
        .sum();
    s.len() + extra + 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn written(s: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_like_serde_json() {
        for s in [
            "",
            "plain",
            "quote\"back\\slash",
            "\u{0}\u{1f}\u{7f}\n\r\t\u{8}\u{c}",
            "ünï😀",
            "</script>",
        ] {
            assert_eq!(written(s), serde_json::to_string(s).unwrap(), "{s:?}");
            assert_eq!(escaped_len(s), written(s).len(), "{s:?}");
        }
    }

    proptest! {
        #[test]
        fn escaping_matches_serde_json(s in any::<String>()) {
            let expected = serde_json::to_string(&s).unwrap();
            prop_assert_eq!(written(&s), expected.clone());
            prop_assert_eq!(escaped_len(&s), expected.len());
        }
    }
}
