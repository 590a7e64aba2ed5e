//! Streaming reader of CloudTrail documents: one record at a time, memory independent of the object's size.
//!
//! Accepted shapes, any number of them one after the other in one object (as EventBridge archives concatenate
//! events):
//!
//! * a CloudTrail log file `{"Records": [ … ]}`;
//! * a bare array of records (Stratus Red Team detonation logs, `jq -s` output);
//! * an EventBridge "AWS API Call via CloudTrail" event, whose record is its `detail` (also as array elements);
//! * a single record object.
//!
//! Input is gzip-decompressed when it starts with the gzip magic bytes, whatever the name says.
//!
//! Records are framed by a small scanner (`frame.rs`) and handed out as the raw JSON text of one record, so that
//! consumers parse each from one contiguous slice and can skip most records after looking at a few fields. A
//! record whose inside is not valid JSON is reported by its consumer on its own; the records after it are read.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::LazyLock;

use flate2::bufread::MultiGzDecoder;
use memchr::memmem;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;
use serde_json::value::RawValue;

use super::frame::{FrameError, Framer, Item};
use super::{ObjectRef, ReadError};

/// Buffer size for reading objects and decompressed data.
const BUFFER: usize = 256 * 1024;

/// EventBridge `detail-type` of CloudTrail API events
/// (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event.html>).
const EVENTBRIDGE_CLOUDTRAIL_DETAIL_TYPE: &str = "AWS API Call via CloudTrail";

/// One record as read: its raw JSON text and its 0-based position in its object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawRecord<'a> {
    /// 0-based index of the record in its object (across all documents in the object).
    pub index: usize,
    /// The record's JSON text (the `detail` for EventBridge envelopes). Not validated: see [`parse`](Self::parse).
    pub json: &'a [u8],
}

impl RawRecord<'_> {
    /// Parses the record.
    ///
    /// # Errors
    ///
    /// The JSON parser's error when the record's text is not valid JSON.
    pub fn parse(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_slice(self.json)
    }
}

/// Whether the reader should go on after a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Read the next record.
    Continue,
    /// Stop reading this object (e.g. shutdown); [`read_records`] returns the records delivered so far.
    Stop,
}

/// Wraps `reader` in a buffer, and in a gzip decoder when the data starts with the gzip magic bytes.
///
/// # Errors
///
/// The reader's error when the first bytes cannot be read.
pub fn decode(reader: impl Read + Send + 'static) -> io::Result<Box<dyn BufRead + Send>> {
    let mut buffered = BufReader::with_capacity(BUFFER, reader);
    let head = buffered.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::with_capacity(
            BUFFER,
            MultiGzDecoder::new(buffered),
        )))
    } else {
        Ok(Box::new(buffered))
    }
}

/// Reads every record of `object` from `reader` (already [`decode`]d), calling `on_record` for each in order.
///
/// Returns the number of records delivered.
///
/// # Errors
///
/// [`ReadError::Json`] for broken structure around the records and [`ReadError::Decompress`] for corrupt or
/// truncated gzip data, both naming the object and the index of the record being read (every record before it
/// was delivered); [`ReadError::Io`] when the underlying reader fails; [`ReadError::NotCloudTrail`] for JSON of
/// another shape.
pub fn read_records(
    mut reader: impl BufRead,
    object: &ObjectRef,
    mut on_record: impl FnMut(RawRecord<'_>) -> Flow,
) -> Result<usize, ReadError> {
    let mut index = 0;
    let mut not_cloudtrail: Option<String> = None;
    let result = Framer::new().run(&mut reader, &mut |item| {
        let json = match item {
            Item::Record(json) => json,
            Item::TopObject(json) => match top_object(json) {
                Ok(()) => json,
                Err(found) => {
                    not_cloudtrail = Some(found);
                    return false;
                }
            },
            Item::TopScalar(found) => {
                not_cloudtrail = Some(found.to_owned());
                return false;
            }
        };
        let json = unwrap_eventbridge(json);
        let record = RawRecord { index, json };
        index += 1;
        on_record(record) == Flow::Continue
    });
    if let Some(found) = not_cloudtrail {
        return Err(ReadError::NotCloudTrail {
            object: object.clone(),
            found,
        });
    }
    match result {
        Ok(()) => Ok(index),
        Err(FrameError::Io(source))
            if matches!(
                source.kind(),
                io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof
            ) =>
        {
            Err(ReadError::Decompress {
                object: object.clone(),
                index,
                source,
            })
        }
        Err(FrameError::Io(source)) => Err(ReadError::Io {
            object: object.clone(),
            source,
        }),
        Err(FrameError::Syntax {
            line,
            column,
            message,
        }) => Err(ReadError::Json {
            object: object.clone(),
            index,
            line,
            column,
            message,
        }),
    }
}

/// The fields that tell an EventBridge envelope or a single record apart.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "detail-type", borrow, default)]
    detail_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    detail: Option<&'a RawValue>,
}

/// The `detail` of an EventBridge "AWS API Call via CloudTrail" event; any other record unchanged.
fn unwrap_eventbridge(json: &[u8]) -> &[u8] {
    // Built once: `memmem::find` would build a searcher for every record.
    static DETAIL_TYPE: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new(b"\"detail-type\""));
    if DETAIL_TYPE.find(json).is_none() {
        return json;
    }
    match serde_json::from_slice::<Envelope<'_>>(json) {
        Ok(Envelope {
            detail_type: Some(kind),
            detail: Some(detail),
        }) if kind == EVENTBRIDGE_CLOUDTRAIL_DETAIL_TYPE && detail.get().starts_with('{') => {
            detail.get().as_bytes()
        }
        _ => json,
    }
}

/// A top-level object without `Records` is one record when it looks like one (or like an EventBridge envelope);
/// otherwise the object is not a CloudTrail log (`Err` says what it is). Invalid JSON is passed on as a record,
/// to be reported as a malformed record.
fn top_object(json: &[u8]) -> Result<(), String> {
    let Ok(keys) = serde_json::from_slice::<BTreeMap<Cow<'_, str>, IgnoredAny>>(json) else {
        return Ok(());
    };
    let looks_like_record = keys.contains_key("detail-type")
        || keys.contains_key("eventID")
        || keys.contains_key("eventVersion")
        || (keys.contains_key("eventName") && keys.contains_key("eventSource"));
    if looks_like_record {
        Ok(())
    } else {
        let names: Vec<&str> = keys.keys().map(|k| &**k).take(5).collect();
        Err(format!("an object without Records, keys: {}", names.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::GzEncoder;
    use serde_json::json;

    use super::*;

    fn object() -> ObjectRef {
        ObjectRef::File("test.json".into())
    }

    /// Reads everything; records as parsed values (`Err(text)` for records that are not valid JSON).
    fn read_all(bytes: Vec<u8>) -> (Vec<Result<Value, String>>, Result<usize, ReadError>) {
        let mut records = Vec::new();
        let reader = decode(io::Cursor::new(bytes)).unwrap();
        let result = read_records(reader, &object(), |r| {
            assert_eq!(r.index, records.len());
            records.push(
                r.parse()
                    .map_err(|_| String::from_utf8_lossy(r.json).into_owned()),
            );
            Flow::Continue
        });
        (records, result)
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn names(records: &[Result<Value, String>]) -> Vec<&str> {
        records
            .iter()
            .map(|r| match r {
                Ok(v) => v["eventName"].as_str().unwrap_or("?"),
                Err(_) => "<invalid>",
            })
            .collect()
    }

    #[test]
    fn records_wrapper_bare_array_single_and_concatenated() {
        let text = br#"{"Records":[{"eventName":"A","eventID":"1"},{"eventName":"B","eventID":"2"}]}
            [{"eventName":"C","eventID":"3"}]
            {"eventName":"D","eventID":"4"}
            {"version":"0","detail-type":"AWS API Call via CloudTrail","source":"aws.ec2",
             "detail":{"eventName":"E","eventID":"5"}}"#;
        let (records, result) = read_all(text.to_vec());
        assert_eq!(result.unwrap(), 5);
        assert_eq!(names(&records), ["A", "B", "C", "D", "E"]);
        assert_eq!(records[4], Ok(json!({"eventName":"E","eventID":"5"})));
    }

    #[test]
    fn eventbridge_envelopes_inside_arrays_are_unwrapped() {
        let text = json!([{"detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"X"}},
                          {"detail-type":"Object Created","detail":{"eventName":"Y"}},
                          {"eventName":"Z","requestParameters":{"pattern":"{\"detail-type\":[\"x\"]}"}}]);
        let (records, result) = read_all(text.to_string().into_bytes());
        assert_eq!(result.unwrap(), 3);
        assert_eq!(records[0], Ok(json!({"eventName":"X"})));
        // Another detail-type is not unwrapped: the classifier will call it malformed.
        assert_eq!(records[1].as_ref().unwrap()["detail-type"], "Object Created");
        assert_eq!(records[2].as_ref().unwrap()["eventName"], "Z");
    }

    #[test]
    fn other_keys_next_to_records_are_ignored() {
        let text = br#"{"fileVersion":"1","Records":[{"eventName":"A"}],"trailer":{"x":[1,2]}}"#;
        let (records, result) = read_all(text.to_vec());
        assert_eq!(result.unwrap(), 1);
        assert_eq!(names(&records), ["A"]);
    }

    #[test]
    fn gzip_is_detected_by_magic_bytes() {
        let (records, result) = read_all(gzip(br#"{"Records":[{"eventName":"A"}]}"#));
        assert_eq!(result.unwrap(), 1);
        assert_eq!(names(&records), ["A"]);
        // Concatenated gzip members are one stream.
        let mut two = gzip(br#"{"Records":[{"eventName":"A"}"#);
        two.extend(gzip(br#",{"eventName":"B"}]}"#));
        let (records, result) = read_all(two);
        assert_eq!(result.unwrap(), 2);
        assert_eq!(names(&records), ["A", "B"]);
    }

    #[test]
    fn empty_input_has_no_records() {
        for text in ["", "  \n ", r#"{"Records":[]}"#, "[]"] {
            let (records, result) = read_all(text.as_bytes().to_vec());
            assert_eq!(result.unwrap(), 0, "{text:?}");
            assert!(records.is_empty());
        }
    }

    #[test]
    fn bad_json_inside_record_n_is_that_record_only() {
        let text = b"{\"Records\":[\n{\"eventName\":\"A\"},\n{\"eventName\":\"B\"},\n{\"eventName\": tru},\n{\"eventName\":\"D\"}]}";
        let (records, result) = read_all(text.to_vec());
        assert_eq!(result.unwrap(), 4);
        assert_eq!(names(&records), ["A", "B", "<invalid>", "D"]);
    }

    #[test]
    fn broken_structure_names_the_record_and_keeps_the_ones_before() {
        let text = b"{\"Records\":[\n{\"eventName\":\"A\"},\n{\"eventName\":\"B\"},\n{\"eventName\": [}]}";
        let (records, result) = read_all(text.to_vec());
        assert_eq!(names(&records), ["A", "B"]);
        match result {
            Err(ReadError::Json {
                index,
                line,
                column,
                message,
                ..
            }) => {
                assert_eq!((index, line, column), (2, 4, 16));
                assert_eq!(message, "unexpected `}`");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn truncated_json_and_truncated_gzip() {
        let text = br#"{"Records":[{"eventName":"A"},{"eventName":"B"},{"eventName":"C","#;
        let (records, result) = read_all(text.to_vec());
        assert_eq!(names(&records), ["A", "B"]);
        let err = result.unwrap_err();
        assert_eq!(err.record_index(), Some(2));
        assert_eq!(
            err.to_string(),
            "test.json: record 2: invalid JSON at line 1, column 66: EOF while parsing"
        );

        let full = gzip(br#"{"Records":[{"eventName":"A"},{"eventName":"B"},{"eventName":"C"}]}"#);
        let cut = full[..full.len() - 12].to_vec();
        let (records, result) = read_all(cut);
        let err = result.unwrap_err();
        assert!(
            matches!(err, ReadError::Decompress { .. } | ReadError::Json { .. }),
            "{err:?}"
        );
        assert_eq!(err.record_index(), Some(records.len()));
    }

    #[test]
    fn corrupt_gzip_is_a_decompress_error() {
        let mut bytes = gzip(br#"{"Records":[{"eventName":"A"}]}"#);
        // Right after the 10-byte gzip header: a deflate block of the reserved type 11 is invalid.
        bytes[10] = 0xff;
        let (_, result) = read_all(bytes);
        assert!(
            matches!(result, Err(ReadError::Decompress { index: 0, .. })),
            "{result:?}"
        );
    }

    #[test]
    fn other_json_is_not_cloudtrail() {
        for (text, found) in [
            (r#""hello""#, "a string"),
            ("42", "a number"),
            ("null", "null"),
            (
                r#"{"configurationItems":[],"fileVersion":"1.0"}"#,
                "an object without Records, keys: configurationItems, fileVersion",
            ),
        ] {
            let (_, result) = read_all(text.as_bytes().to_vec());
            match result {
                Err(ReadError::NotCloudTrail { found: f, .. }) => assert_eq!(f, found, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        // `Records` that is not an array holds no records: the object is not a CloudTrail log.
        let (records, result) = read_all(br#"{"Records":{"a":1}}"#.to_vec());
        assert!(
            matches!(result, Err(ReadError::NotCloudTrail { .. })),
            "{result:?} {records:?}"
        );
    }

    #[test]
    fn consumer_can_stop_early() {
        let text = br#"[{"eventName":"A"},{"eventName":"B"},{"eventName":"C"}]"#;
        let mut seen = 0;
        let reader = decode(io::Cursor::new(text.to_vec())).unwrap();
        let result = read_records(reader, &object(), |_| {
            seen += 1;
            if seen == 2 { Flow::Stop } else { Flow::Continue }
        });
        assert_eq!(result.unwrap(), 2);
    }
}
