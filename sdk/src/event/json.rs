//! The hand-written JSON writer of [`EventData`]: one pass, fields in schema order, and the serialized size
//! of each JSON-object field measured on the way (so validating the size caps costs no second pass).
//!
//! Strings are escaped (by `json_escape_simd`) exactly as `serde_json` and the AWS SDK's `aws-smithy-json`
//! escape them (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other control characters as `\u00xx`,
//! everything else verbatim), and numbers are formatted by serde_json itself, so the output equals
//! `serde_json::to_string(&event)` byte for byte (unit and property tests check this).

use std::cell::RefCell;
use std::io;

use serde_json::{Map, Number, Value};

use super::data::EventData;

/// The serialized sizes of the JSON-object fields, in bytes (`None` when the field is unset).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ObjectSizes {
    pub(crate) request_parameters: Option<usize>,
    pub(crate) response_elements: Option<usize>,
    pub(crate) additional_event_data: Option<usize>,
}

thread_local! {
    /// The serializer's buffer, reused by the next event on this thread.
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A reused buffer larger than this is let go after use, so one huge event does not pin its size.
const MAX_KEPT_BUFFER: usize = 64 * 1024;

/// Serializes `event` and measures its object fields.
///
/// The text is written into a per-thread buffer and copied out at its exact size: no allocation to guess
/// and shrink per event, and the string allocated is exactly the text (a queued entry keeps nothing else;
/// and, freed, it leaves a gap the next event's text fits in).
pub(crate) fn to_json(event: &EventData) -> (String, ObjectSizes) {
    BUFFER.with_borrow_mut(|out| {
        out.clear();
        out.reserve(estimate(event));
        let sizes = write_event(out, event);
        // Every byte written comes from a `&str` or from serde_json, so the buffer is valid UTF-8.
        let json = match std::str::from_utf8(out) {
            Ok(json) => json.to_owned(),
            Err(_) => String::from_utf8_lossy(out).into_owned(),
        };
        if out.capacity() > MAX_KEPT_BUFFER {
            *out = Vec::new();
        }
        (json, sizes)
    })
}

/// Measures the object fields without building the string.
pub(crate) fn object_sizes(event: &EventData) -> ObjectSizes {
    let size = |m: &Option<Map<String, Value>>| m.as_ref().map(object_len);
    ObjectSizes {
        request_parameters: size(&event.request_parameters),
        response_elements: size(&event.response_elements),
        additional_event_data: size(&event.additional_event_data),
    }
}

fn estimate(e: &EventData) -> usize {
    // Fixed keys and punctuation are about 200 bytes; objects are guessed at 256 bytes each.
    let opt = |s: &Option<String>| s.as_ref().map_or(0, String::len);
    let obj = |m: &Option<Map<String, Value>>| m.as_ref().map_or(0, |_| 256);
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
        write_object(out, details);
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

fn write_measured(out: &mut Vec<u8>, value: &Map<String, Value>) -> usize {
    let start = out.len();
    write_object(out, value);
    out.len() - start
}

/// Writes a JSON object compactly, exactly as `serde_json::to_writer` does (same key order, same escapes,
/// numbers formatted by serde_json itself).
fn write_object(out: &mut Vec<u8>, map: &Map<String, Value>) {
    out.push(b'{');
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, key);
        out.push(b':');
        write_value(out, value);
    }
    out.push(b'}');
}

fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => write_object(out, map),
    }
}

fn write_number<W: io::Write>(out: &mut W, n: &Number) {
    // serde_json formats numbers (itoa for integers, its float formatter for the rest); writing to a `Vec`
    // or a counter cannot fail, and should it ever, the output stays valid JSON.
    if serde_json::to_writer(&mut *out, n).is_err() {
        let _ = out.write_all(b"0");
    }
}

/// The compact serialized length of an object, without writing it.
fn object_len(map: &Map<String, Value>) -> usize {
    // Braces, plus a colon per member and a comma between members.
    let punctuation = 2 + map.len() + map.len().saturating_sub(1);
    punctuation
        + map
            .iter()
            .map(|(k, v)| escaped_len(k) + value_len(v))
            .sum::<usize>()
}

fn value_len(value: &Value) -> usize {
    match value {
        Value::Null | Value::Bool(true) => 4,
        Value::Bool(false) => 5,
        Value::Number(n) => {
            let mut counter = Counter(0);
            write_number(&mut counter, n);
            counter.0
        }
        Value::String(s) => escaped_len(s),
        Value::Array(items) => 2 + items.len().saturating_sub(1) + items.iter().map(value_len).sum::<usize>(),
        Value::Object(map) => object_len(map),
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

/// Writes `s` as a JSON string, with quotes, escaped exactly as serde_json escapes it (tests compare).
///
/// The escaping is `json_escape_simd`'s (sonic-rs's SIMD kernel, chosen at run time): an `eventData` text
/// is JSON inside a JSON string, with a quote every few bytes, and a byte-at-a-time escaper spent more on
/// the request body than on anything else in it. It reserves room for the worst case past the end of
/// `out` (six bytes per input byte), which the caller may want to give back for long strings.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    json_escape_simd::escape_into(s, out);
}

/// The length of `s` written as a JSON string, with its quotes (what [`write_str`] writes).
///
/// One table look-up per byte, no branch: an `eventData` text has a quote every few bytes, so a scan that
/// stops at each one would cost several times more.
pub(crate) fn escaped_len(s: &str) -> usize {
    // Summed in chunks whose total fits a u32 (at most 5 per byte).
    let extra: usize = s
        .as_bytes()
        .chunks(1 << 20)
        .map(|chunk| {
            let sum: u32 = chunk.iter().map(|&b| u32::from(EXTRA_LEN[usize::from(b)])).sum();
            sum as usize
        })
        .sum();
    s.len() + 2 + extra
}

/// For each byte: how many bytes its escape adds in serde_json's and `aws-smithy-json`'s escaping (and
/// [`write_str`]'s): 0 when written as is, 1 for the short escapes (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`,
/// `\t`), 5 for the other control characters (`\u00xx`).
static EXTRA_LEN: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = 5;
        b += 1;
    }
    table[0x08] = 1;
    table[0x0c] = 1;
    table[b'\n' as usize] = 1;
    table[b'\r' as usize] = 1;
    table[b'\t' as usize] = 1;
    table[b'"' as usize] = 1;
    table[b'\\' as usize] = 1;
    table
};

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

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            any::<String>().prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
                prop::collection::btree_map(any::<String>(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    #[test]
    fn objects_are_written_and_measured_like_serde_json() {
        let v =
            serde_json::json!({"a": [1, -2, 3.5, 1e300, 0.1, null, true, false, "x\u{1}"], "": {}, "b": []});
        let map = v.as_object().unwrap();
        let mut out = Vec::new();
        write_object(&mut out, map);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            serde_json::to_string(map).unwrap()
        );
        assert_eq!(object_len(map), serde_json::to_string(map).unwrap().len());
        assert_eq!(object_len(&Map::new()), 2);
    }

    #[test]
    fn every_byte_to_escape_is_escaped_at_every_offset() {
        for special in ['"', '\\', '\0', '\u{1f}', '\n'] {
            // Past 64 bytes, so every SIMD block width and its tail are crossed.
            for len in 0..72 {
                for at in 0..len {
                    // Neighbours that trip naive word or vector tricks: 0x20 (just above control), non-ASCII, '#', ']'.
                    let mut chars: Vec<char> = (0..len).map(|i| [' ', 'é', '#', ']', 'a'][i % 5]).collect();
                    chars[at] = special;
                    let s: String = chars.into_iter().collect();
                    assert_eq!(
                        written(&s),
                        serde_json::to_string(&s).unwrap(),
                        "{special:?} at {at} of {len}"
                    );
                }
            }
        }
    }

    proptest! {
        #[test]
        fn values_are_written_and_measured_like_serde_json(v in value()) {
            let mut out = Vec::new();
            write_value(&mut out, &v);
            let expected = serde_json::to_string(&v).unwrap();
            prop_assert_eq!(String::from_utf8(out).unwrap(), expected.clone());
            prop_assert_eq!(value_len(&v), expected.len());
        }

        #[test]
        fn escaping_matches_serde_json(s in any::<String>()) {
            let expected = serde_json::to_string(&s).unwrap();
            prop_assert_eq!(written(&s), expected.clone());
            prop_assert_eq!(escaped_len(&s), expected.len());
        }
    }
}
