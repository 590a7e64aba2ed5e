//! Streaming parser of CloudTrail documents: one record at a time, memory independent of the object's size.
//!
//! Accepted shapes, any number of them one after the other in one object (as EventBridge archives concatenate
//! events):
//!
//! * a CloudTrail log file `{"Records": [ … ]}` — the `Records` array is walked with a serde visitor that
//!   deserializes one element at a time, so neither the file nor the array is ever held in memory;
//! * a bare array of records (Stratus Red Team detonation logs, `jq -s` output);
//! * an EventBridge "AWS API Call via CloudTrail" event, whose record is its `detail` (also as array elements);
//! * a single record object.
//!
//! Input is gzip-decompressed when it starts with the gzip magic bytes, whatever the name says.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::MultiGzDecoder;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::{ObjectRef, ReadError};

/// Buffer size for reading objects and decompressed data.
const BUFFER: usize = 256 * 1024;

/// EventBridge `detail-type` of CloudTrail API events
/// (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event.html>).
const EVENTBRIDGE_CLOUDTRAIL_DETAIL_TYPE: &str = "AWS API Call via CloudTrail";

/// One record as read, with its 0-based position in its object.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRecord {
    /// 0-based index of the record in its object (across all documents in the object).
    pub index: usize,
    /// The record (the `detail` for EventBridge envelopes).
    pub value: Value,
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
/// [`ReadError::Json`] / [`ReadError::Decompress`] naming the object and the index of the record that broke
/// (every record before it was delivered), [`ReadError::NotCloudTrail`] for JSON of another shape.
pub fn read_records(
    reader: impl BufRead,
    object: &ObjectRef,
    on_record: impl FnMut(RawRecord) -> Flow,
) -> Result<usize, ReadError> {
    let mut sink = Sink {
        next_index: 0,
        on_record,
        stopped: false,
        not_cloudtrail: None,
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut result = Ok(());
    loop {
        // `end` only peeks: it says whether anything but whitespace is left, without consuming it.
        if de.end().is_ok() {
            break;
        }
        result = Document { sink: &mut sink }.deserialize(&mut de);
        if result.is_err() || sink.stopped {
            break;
        }
    }
    match result {
        Ok(()) => Ok(sink.next_index),
        Err(_) if sink.stopped => Ok(sink.next_index),
        Err(_) if sink.not_cloudtrail.is_some() => Err(ReadError::NotCloudTrail {
            object: object.clone(),
            found: sink.not_cloudtrail.take().unwrap_or_default(),
        }),
        Err(e) if e.is_io() => Err(ReadError::Decompress {
            object: object.clone(),
            index: sink.next_index,
            source: io::Error::from(e),
        }),
        Err(e) => Err(ReadError::Json {
            object: object.clone(),
            index: sink.next_index,
            line: e.line(),
            column: e.column(),
            message: message_without_position(&e),
        }),
    }
}

/// serde_json's message without its " at line L column C" suffix (we report them as fields).
fn message_without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}

struct Sink<F> {
    next_index: usize,
    on_record: F,
    stopped: bool,
    not_cloudtrail: Option<String>,
}

impl<F: FnMut(RawRecord) -> Flow> Sink<F> {
    /// Delivers one record; an `Err` stops the parse.
    fn push<E: de::Error>(&mut self, value: Value) -> Result<(), E> {
        let value = unwrap_eventbridge(value);
        let index = self.next_index;
        self.next_index += 1;
        match (self.on_record)(RawRecord { index, value }) {
            Flow::Continue => Ok(()),
            Flow::Stop => {
                self.stopped = true;
                Err(E::custom("stopped by the consumer"))
            }
        }
    }

    fn reject<E: de::Error>(&mut self, found: String) -> E {
        let error = E::custom(format_args!("not a CloudTrail log ({found})"));
        self.not_cloudtrail = Some(found);
        error
    }
}

/// The `detail` of an EventBridge "AWS API Call via CloudTrail" event; any other value unchanged.
fn unwrap_eventbridge(value: Value) -> Value {
    match value {
        Value::Object(mut map)
            if map.get("detail-type").and_then(Value::as_str) == Some(EVENTBRIDGE_CLOUDTRAIL_DETAIL_TYPE)
                && map.get("detail").is_some_and(Value::is_object) =>
        {
            map.remove("detail").unwrap_or(Value::Null)
        }
        other => other,
    }
}

/// Whether a top-level object without `Records` is one record (or an EventBridge envelope of one).
fn looks_like_record(map: &Map<String, Value>) -> bool {
    map.get("detail-type").and_then(Value::as_str) == Some(EVENTBRIDGE_CLOUDTRAIL_DETAIL_TYPE)
        || map.contains_key("eventID")
        || map.contains_key("eventVersion")
        || (map.contains_key("eventName") && map.contains_key("eventSource"))
}

/// One top-level JSON value of the object.
struct Document<'s, F> {
    sink: &'s mut Sink<F>,
}

impl<'de, F: FnMut(RawRecord) -> Flow> DeserializeSeed<'de> for Document<'_, F> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, F: FnMut(RawRecord) -> Flow> Visitor<'de> for Document<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a CloudTrail log: {\"Records\": [...]}, an array of records or a record")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Records { sink: self.sink }.visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut others = Map::new();
        let mut saw_records = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "Records" && !saw_records {
                saw_records = true;
                map.next_value_seed(Records {
                    sink: &mut *self.sink,
                })?;
            } else if saw_records {
                map.next_value::<IgnoredAny>()?;
            } else {
                others.insert(key, map.next_value::<Value>()?);
            }
        }
        if saw_records {
            Ok(())
        } else if looks_like_record(&others) {
            self.sink.push(Value::Object(others))
        } else {
            let keys: Vec<&str> = others.keys().map(String::as_str).take(5).collect();
            Err(self
                .sink
                .reject(format!("an object without Records, keys: {}", keys.join(", "))))
        }
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(self.sink.reject("a boolean".into()))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(self.sink.reject("a number".into()))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(self.sink.reject("a number".into()))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(self.sink.reject("a number".into()))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(self.sink.reject("a string".into()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(self.sink.reject("null".into()))
    }
}

/// The `Records` array (or a bare array): elements deserialized and delivered one at a time.
struct Records<'s, F> {
    sink: &'s mut Sink<F>,
}

impl<'de, F: FnMut(RawRecord) -> Flow> DeserializeSeed<'de> for Records<'_, F> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(RawRecord) -> Flow> Visitor<'de> for Records<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of CloudTrail records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(value) = seq.next_element::<Value>()? {
            self.sink.push(value)?;
        }
        Ok(())
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

    fn read_all(bytes: Vec<u8>) -> (Vec<RawRecord>, Result<usize, ReadError>) {
        let mut records = Vec::new();
        let reader = decode(io::Cursor::new(bytes)).unwrap();
        let result = read_records(reader, &object(), |r| {
            records.push(r);
            Flow::Continue
        });
        (records, result)
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn names(records: &[RawRecord]) -> Vec<&str> {
        records
            .iter()
            .map(|r| r.value["eventName"].as_str().unwrap())
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
        assert_eq!(
            records.iter().map(|r| r.index).collect::<Vec<_>>(),
            [0, 1, 2, 3, 4]
        );
    }

    #[test]
    fn eventbridge_envelopes_inside_arrays_are_unwrapped() {
        let text = json!([{"detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"X"}},
                          {"detail-type":"Object Created","detail":{"eventName":"Y"}}]);
        let (records, result) = read_all(text.to_string().into_bytes());
        assert_eq!(result.unwrap(), 2);
        assert_eq!(records[0].value, json!({"eventName":"X"}));
        // Another detail-type is not unwrapped: the classifier will call it malformed.
        assert_eq!(records[1].value["detail-type"], "Object Created");
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
        let (records, result) = read_all(Vec::new());
        assert_eq!(result.unwrap(), 0);
        assert!(records.is_empty());
        let (_, result) = read_all(b"  \n ".to_vec());
        assert_eq!(result.unwrap(), 0);
        let (_, result) = read_all(br#"{"Records":[]}"#.to_vec());
        assert_eq!(result.unwrap(), 0);
    }

    #[test]
    fn bad_json_at_record_n_names_the_record_and_keeps_the_ones_before() {
        let text = b"{\"Records\":[\n{\"eventName\":\"A\"},\n{\"eventName\":\"B\"},\n{\"eventName\": tru},\n{\"eventName\":\"D\"}]}";
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
                assert_eq!(index, 2);
                assert_eq!(line, 4);
                assert_eq!(column, 18);
                assert_eq!(message, "expected ident");
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
        assert!(
            err.to_string().starts_with("test.json: record 2: invalid JSON"),
            "{err}"
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
        let (_, result) = read_all(br#"{"Records":{"a":1}}"#.to_vec());
        assert!(matches!(result, Err(ReadError::Json { .. })), "{result:?}");
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
