//! Streaming input: NDJSON or one JSON array, cut into records without ever holding more than one record.
//!
//! The format is chosen by the first byte that is not whitespace (a UTF-8 byte-order mark is skipped): `[`
//! means a JSON array, whose elements may span lines; anything else is NDJSON, one record per line (blank
//! lines are skipped). Each record carries its 1-based number (`index`), the line where it starts and its
//! byte offset, so errors name a line and an interrupted run can restart at a record's offset.
//!
//! A record longer than [`MAX_RECORD_BYTES`] is reported (not buffered) and skipped. In an array, structure
//! that is not JSON (a missing comma, an unclosed array) ends the input with an error naming the line: after
//! that, record boundaries cannot be known.

use std::io::{BufRead, ErrorKind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Largest record read, in bytes. A `PutAuditEvents` request is at most 1 MB
/// ([API-PAE], lake-api.md §1.2), and a record's `eventData` given as a JSON string may double in size
/// through escaping; anything larger cannot be a valid event.
pub(crate) const MAX_RECORD_BYTES: usize = 4 * 1024 * 1024;

/// The two input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Format {
    /// One record per line.
    Ndjson,
    /// One JSON array of records.
    Array,
}

/// One record as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawRecord {
    /// 1-based position in the input.
    pub(crate) index: u64,
    /// 1-based line of its first byte.
    pub(crate) line: u64,
    /// Byte offset of its first byte.
    pub(crate) offset: u64,
    /// Its bytes (empty when too large).
    pub(crate) bytes: Vec<u8>,
    /// Its size when it was over [`MAX_RECORD_BYTES`] (and so not kept).
    pub(crate) too_large: Option<u64>,
}

/// Where to start reading: the beginning, or a record's position from a previous run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Position {
    /// Index the next record gets.
    pub(crate) index: u64,
    /// Line of the next byte.
    pub(crate) line: u64,
    /// Byte offset of the next byte.
    pub(crate) offset: u64,
}

impl Position {
    /// The start of the input.
    pub(crate) const START: Self = Self {
        index: 1,
        line: 1,
        offset: 0,
    };
}

/// Why reading stopped early.
#[derive(Debug, thiserror::Error)]
pub(crate) enum InputError {
    /// An I/O error.
    #[error("cannot read the input: {0}")]
    Io(#[from] std::io::Error),
    /// The JSON array's structure is broken at `line`.
    #[error("line {line}: {message}")]
    Structure {
        /// Where.
        line: u64,
        /// What.
        message: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArrayState {
    /// Expecting the first element or `]`.
    First,
    /// After `,`: expecting an element.
    Next,
    /// After an element: expecting `,` or `]`.
    After,
    /// After the closing `]`: only whitespace may follow.
    Closed,
}

/// Reads records from a buffered reader.
#[derive(Debug)]
pub(crate) struct Reader<R> {
    inner: R,
    format: Option<Format>,
    array: ArrayState,
    pos: Position,
    consumed: Arc<AtomicU64>,
    done: bool,
}

impl<R: BufRead> Reader<R> {
    /// A reader at the start of the input; the format is detected from the first bytes.
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            format: None,
            array: ArrayState::First,
            pos: Position::START,
            consumed: Arc::new(AtomicU64::new(0)),
            done: false,
        }
    }

    /// A reader that continues at `pos` (the offset of a record of a previous run) in an input of `format`;
    /// `inner` must already be positioned at `pos.offset`.
    pub(crate) fn resume(inner: R, format: Format, pos: Position) -> Self {
        Self {
            inner,
            format: Some(format),
            array: ArrayState::Next,
            pos,
            consumed: Arc::new(AtomicU64::new(pos.offset)),
            done: false,
        }
    }

    /// The detected format (known after the first record, or at once when resuming).
    pub(crate) fn format(&self) -> Option<Format> {
        self.format
    }

    /// A counter of bytes read so far, for a progress bar on another thread.
    pub(crate) fn consumed(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.consumed)
    }

    /// The next record, `None` at the end.
    ///
    /// # Errors
    /// I/O errors, and broken array structure (after which the reader returns `None`).
    pub(crate) fn next_record(&mut self) -> Result<Option<RawRecord>, InputError> {
        if self.done {
            return Ok(None);
        }
        let format = match self.format {
            Some(f) => f,
            None => match self.detect()? {
                Some(f) => f,
                None => {
                    self.done = true;
                    return Ok(None);
                }
            },
        };
        let result = match format {
            Format::Ndjson => self.next_line(),
            Format::Array => self.next_element(),
        };
        match result {
            Ok(Some(r)) => Ok(Some(r)),
            Ok(None) => {
                self.done = true;
                Ok(None)
            }
            Err(e) => {
                self.done = true;
                Err(e)
            }
        }
    }

    fn advance(&mut self, n: usize) {
        self.inner.consume(n);
        self.pos.offset += n as u64;
        self.consumed.store(self.pos.offset, Ordering::Relaxed);
    }

    fn fill(&mut self) -> Result<&[u8], InputError> {
        loop {
            match self.inner.fill_buf() {
                Ok(_) => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        // Filled: this second call returns the same buffer without reading.
        Ok(self.inner.fill_buf()?)
    }

    /// Skips whitespace and a byte-order mark, then looks at the first byte.
    fn detect(&mut self) -> Result<Option<Format>, InputError> {
        let mut first = true;
        loop {
            let buf = self.fill()?;
            if buf.is_empty() {
                return Ok(None);
            }
            if first && buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
                self.advance(3);
                first = false;
                continue;
            }
            first = false;
            let b = buf[0];
            match b {
                b'\n' => {
                    self.pos.line += 1;
                    self.advance(1);
                }
                b' ' | b'\t' | b'\r' => self.advance(1),
                b'[' => {
                    self.advance(1);
                    self.format = Some(Format::Array);
                    return Ok(Some(Format::Array));
                }
                _ => {
                    self.format = Some(Format::Ndjson);
                    return Ok(Some(Format::Ndjson));
                }
            }
        }
    }

    /// The next non-blank line.
    fn next_line(&mut self) -> Result<Option<RawRecord>, InputError> {
        loop {
            let start = self.pos;
            let mut bytes = Vec::new();
            let mut size: u64 = 0;
            let mut ended = false;
            loop {
                let buf = self.fill()?;
                if buf.is_empty() {
                    break;
                }
                let (take, newline) = match buf.iter().position(|&b| b == b'\n') {
                    Some(i) => (i, true),
                    None => (buf.len(), false),
                };
                size += take as u64;
                if size <= MAX_RECORD_BYTES as u64 {
                    bytes.extend_from_slice(&buf[..take]);
                } else if !bytes.is_empty() {
                    bytes = Vec::new();
                }
                self.advance(take + usize::from(newline));
                if newline {
                    self.pos.line += 1;
                    ended = true;
                    break;
                }
            }
            if !ended && size == 0 {
                return Ok(None);
            }
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
            if size <= MAX_RECORD_BYTES as u64 && bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Some(self.record(start, bytes, size)));
        }
    }

    fn record(&mut self, start: Position, bytes: Vec<u8>, size: u64) -> RawRecord {
        let too_large = (size > MAX_RECORD_BYTES as u64).then_some(size);
        let record = RawRecord {
            index: self.pos.index,
            line: start.line,
            offset: start.offset,
            bytes,
            too_large,
        };
        self.pos.index += 1;
        record
    }

    /// The next element of the array.
    fn next_element(&mut self) -> Result<Option<RawRecord>, InputError> {
        // Find the element's first byte.
        loop {
            let buf = self.fill()?;
            let Some(&b) = buf.first() else {
                return match self.array {
                    ArrayState::Closed => Ok(None),
                    _ => Err(self.structure("the file ends inside the JSON array (no closing `]`)")),
                };
            };
            match (b, self.array) {
                (b'\n', _) => {
                    self.pos.line += 1;
                    self.advance(1);
                }
                (b' ' | b'\t' | b'\r', _) => self.advance(1),
                (b']', ArrayState::First | ArrayState::After) => {
                    self.advance(1);
                    self.array = ArrayState::Closed;
                }
                (b',', ArrayState::After) => {
                    self.advance(1);
                    self.array = ArrayState::Next;
                }
                (_, ArrayState::Closed) => {
                    return Err(self.structure("unexpected data after the closing `]` of the array"));
                }
                (b',' | b']', _) => return Err(self.structure("expected an array element")),
                (_, ArrayState::After) => {
                    return Err(self.structure("expected `,` or `]` after an array element"));
                }
                (_, ArrayState::First | ArrayState::Next) => break,
            }
        }
        let start = self.pos;
        let (bytes, size) = self.scan_value()?;
        self.array = ArrayState::After;
        Ok(Some(self.record(start, bytes, size)))
    }

    /// Reads one JSON value (object, array, string or literal), tracking nesting and strings only.
    fn scan_value(&mut self) -> Result<(Vec<u8>, u64), InputError> {
        let mut bytes = Vec::new();
        let mut size: u64 = 0;
        let mut depth: u32 = 0;
        let mut in_string = false;
        let mut escape = false;
        let mut literal = false;
        let mut started = false;
        loop {
            let buf = self.fill()?;
            if buf.is_empty() {
                if literal && depth == 0 {
                    return Ok((bytes, size));
                }
                return Err(self.structure("the file ends inside an array element"));
            }
            let mut end = None;
            let mut newlines = 0;
            for (i, &b) in buf.iter().enumerate() {
                if b == b'\n' {
                    newlines += 1;
                }
                if !started {
                    started = true;
                    match b {
                        b'{' | b'[' => depth = 1,
                        b'"' => in_string = true,
                        _ => literal = true,
                    }
                    continue;
                }
                if in_string {
                    if escape {
                        escape = false;
                    } else if b == b'\\' {
                        escape = true;
                    } else if b == b'"' {
                        in_string = false;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    continue;
                }
                if literal {
                    if matches!(b, b',' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                        if b == b'\n' {
                            newlines -= 1;
                        }
                        end = Some(i);
                        break;
                    }
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let take = end.unwrap_or(buf.len());
            size += take as u64;
            if size <= MAX_RECORD_BYTES as u64 {
                bytes.extend_from_slice(&buf[..take]);
            } else if !bytes.is_empty() {
                bytes = Vec::new();
            }
            self.advance(take);
            self.pos.line += newlines;
            if end.is_some() {
                return Ok((bytes, size));
            }
        }
    }

    fn structure(&self, message: &str) -> InputError {
        InputError::Structure {
            line: self.pos.line,
            message: message.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufReader, Cursor, Seek as _, SeekFrom};

    use proptest::prelude::*;

    use super::*;

    fn read_all(input: &str) -> (Vec<(u64, u64, String)>, Option<String>) {
        // A tiny buffer exercises records that span reads.
        let mut reader = Reader::new(BufReader::with_capacity(7, input.as_bytes()));
        let mut out = Vec::new();
        loop {
            match reader.next_record() {
                Ok(Some(r)) => out.push((r.index, r.line, String::from_utf8(r.bytes).unwrap())),
                Ok(None) => return (out, None),
                Err(e) => return (out, Some(e.to_string())),
            }
        }
    }

    #[test]
    fn ndjson_is_one_record_per_line() {
        let (records, err) = read_all("{\"a\":1}\n\n  \n{\"b\":2}\r\nnot json\n{\"c\":3}");
        assert_eq!(err, None);
        assert_eq!(
            records,
            [
                (1, 1, "{\"a\":1}".to_owned()),
                (2, 4, "{\"b\":2}".to_owned()),
                (3, 5, "not json".to_owned()),
                (4, 6, "{\"c\":3}".to_owned()),
            ]
        );
    }

    #[test]
    fn arrays_may_span_lines_and_hold_tricky_strings() {
        let input = "\u{feff}\n[\n  {\"a\": \"x]}\\\"{\"},\n  {\"b\":\n [1,2]},\n  \"s,]\", 12 ,null\n]\n";
        let (records, err) = read_all(input);
        assert_eq!(err, None);
        assert_eq!(
            records,
            [
                (1, 3, "{\"a\": \"x]}\\\"{\"}".to_owned()),
                (2, 4, "{\"b\":\n [1,2]}".to_owned()),
                (3, 6, "\"s,]\"".to_owned()),
                (4, 6, "12".to_owned()),
                (5, 6, "null".to_owned()),
            ]
        );
    }

    #[test]
    fn empty_inputs_have_no_records() {
        assert_eq!(read_all(""), (vec![], None));
        assert_eq!(read_all(" \n \n"), (vec![], None));
        assert_eq!(read_all("[]"), (vec![], None));
        assert_eq!(read_all("[ \n ]\n"), (vec![], None));
    }

    #[test]
    fn broken_arrays_name_the_line() {
        let (records, err) = read_all("[\n{\"a\":1}\n{\"b\":2}]");
        assert_eq!(records.len(), 1);
        assert_eq!(err.unwrap(), "line 3: expected `,` or `]` after an array element");
        let (_, err) = read_all("[{\"a\":1},\n");
        assert_eq!(
            err.unwrap(),
            "line 2: the file ends inside the JSON array (no closing `]`)"
        );
        let (_, err) = read_all("[{\"a\":1}] x");
        assert!(err.unwrap().contains("after the closing"));
        let (_, err) = read_all("[,{}]");
        assert!(err.unwrap().contains("expected an array element"));
        let (_, err) = read_all("[{\"a\": \"unterminated}]");
        assert!(err.unwrap().contains("ends inside an array element"));
    }

    #[test]
    fn oversized_records_are_reported_not_kept() {
        let big = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_RECORD_BYTES));
        let input = format!("{big}\n{{\"b\":1}}\n");
        let mut reader = Reader::new(BufReader::new(input.as_bytes()));
        let first = reader.next_record().unwrap().unwrap();
        assert!(first.bytes.is_empty());
        assert_eq!(first.too_large, Some(big.len() as u64));
        let second = reader.next_record().unwrap().unwrap();
        assert_eq!(
            (second.index, second.line, second.bytes.as_slice()),
            (2, 2, b"{\"b\":1}".as_slice())
        );
        let array = format!("[{big},{{\"b\":1}}]");
        let mut reader = Reader::new(BufReader::new(array.as_bytes()));
        assert!(reader.next_record().unwrap().unwrap().too_large.is_some());
        assert_eq!(reader.next_record().unwrap().unwrap().bytes, b"{\"b\":1}");
    }

    #[test]
    fn resuming_at_a_record_offset_continues_the_numbering() {
        for input in [
            "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n",
            "[\n{\"a\":1},\n{\"b\":2},\n{\"c\":3}\n]",
        ] {
            let mut reader = Reader::new(BufReader::new(input.as_bytes()));
            let format = {
                reader.next_record().unwrap().unwrap();
                reader.format().unwrap()
            };
            let second = reader.next_record().unwrap().unwrap();
            let mut cursor = Cursor::new(input.as_bytes());
            cursor.seek(SeekFrom::Start(second.offset)).unwrap();
            let pos = Position {
                index: second.index,
                line: second.line,
                offset: second.offset,
            };
            let mut resumed = Reader::resume(BufReader::new(cursor), format, pos);
            let again = resumed.next_record().unwrap().unwrap();
            assert_eq!(again, second);
            let third = resumed.next_record().unwrap().unwrap();
            assert_eq!(
                (third.index, third.line),
                (3, 3 + u64::from(format == Format::Array))
            );
            assert_eq!(resumed.next_record().unwrap(), None);
        }
    }

    proptest! {
        #[test]
        fn arrays_and_ndjson_give_the_same_records(values in proptest::collection::vec(
            proptest::arbitrary::any::<std::collections::BTreeMap<String, String>>(), 0..8)) {
            let texts: Vec<String> = values.iter().map(|v| serde_json::to_string(v).unwrap()).collect();
            let ndjson = texts.join("\n");
            let array = format!("[{}]", texts.join(",\n"));
            let (from_ndjson, e1) = read_all(&ndjson);
            let (from_array, e2) = read_all(&array);
            prop_assert_eq!(e1, None);
            prop_assert_eq!(e2, None);
            let a: Vec<&String> = from_ndjson.iter().map(|r| &r.2).collect();
            let b: Vec<&String> = from_array.iter().map(|r| &r.2).collect();
            prop_assert_eq!(&a, &texts.iter().collect::<Vec<_>>());
            prop_assert_eq!(a, b);
        }
    }
}
