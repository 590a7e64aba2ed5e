//! Record framing: finds where each CloudTrail record starts and ends in a decompressed byte stream, without
//! parsing the records, so each one can be parsed from one contiguous slice (`serde_json::from_slice`, several
//! times faster than parsing from a reader) while memory holds at most one record and one read buffer.
//!
//! Understood layout: top-level values one after the other (whitespace-separated); an array's elements are
//! records; an object's `"Records": [ … ]` elements are records; a top-level object without `Records` is one
//! record. The framer tracks strings, escapes and nesting only: a record whose inside is invalid JSON still has a
//! start and an end, so it is reported on its own and the records after it are read. Errors in the structure
//! around the records (a mismatched bracket, input ending inside a value) stop the object.

use std::io::{self, BufRead};

/// What the framer hands out.
pub(crate) enum Item<'a> {
    /// One element of an array or of `Records`.
    Record(&'a [u8]),
    /// A whole top-level object without `Records` (a single record, or not CloudTrail at all).
    TopObject(&'a [u8]),
    /// A top-level scalar: not CloudTrail.
    TopScalar(&'static str),
}

/// A structural error, with the 1-based line and column of the decompressed text.
#[derive(Debug)]
pub(crate) enum FrameError {
    Io(io::Error),
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
}

/// Where the framer is in a top-level object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Not in a top-level object (or deeper than its keys).
    None,
    /// After `{` or `,`: a key (or `}`) comes next.
    ExpectKey,
    /// Inside a key string; `records` is whether it is so far equal to a prefix of `Records`.
    InKey,
    /// After the key: `:` comes next.
    ExpectColon,
    /// After `:`: the value comes next.
    ExpectValue,
    /// In or after a value: `,` or `}` comes next.
    InValue,
}

const RECORDS_KEY: &[u8] = b"Records";

/// Whole top-level objects larger than this without a `Records` key are refused (a single record is at most a few
/// hundred kB; CloudTrail caps the big fields at 100 kB).
pub(crate) const MAX_TOP_OBJECT_BYTES: usize = 256 * 1024 * 1024;

pub(crate) struct Framer {
    stack: Vec<u8>,
    in_string: bool,
    escape: bool,
    line: usize,
    line_start: u64,
    offset: u64,
    /// Nesting depth at which values are records, while inside a records array.
    record_depth: Option<usize>,
    /// The current record started: its bytes so far (when it spans read buffers).
    capturing: bool,
    scalar: bool,
    cur: Vec<u8>,
    /// Bytes of the current top-level object while no `Records` key was seen.
    whole: Option<Vec<u8>>,
    phase: Phase,
    key: Vec<u8>,
    key_is_records: bool,
}

impl Framer {
    pub(crate) fn new() -> Self {
        Self {
            stack: Vec::new(),
            in_string: false,
            escape: false,
            line: 1,
            line_start: 0,
            offset: 0,
            record_depth: None,
            capturing: false,
            scalar: false,
            cur: Vec::new(),
            whole: None,
            phase: Phase::None,
            key: Vec::new(),
            key_is_records: false,
        }
    }

    fn error(&self, at: u64, message: impl Into<String>) -> FrameError {
        FrameError::Syntax {
            line: self.line,
            column: usize::try_from(at.saturating_sub(self.line_start) + 1).unwrap_or(usize::MAX),
            message: message.into(),
        }
    }

    /// Reads everything, calling `on_item` for each item; `on_item` returns `false` to stop.
    pub(crate) fn run(
        &mut self,
        reader: &mut impl BufRead,
        on_item: &mut dyn FnMut(Item<'_>) -> bool,
    ) -> Result<(), FrameError> {
        loop {
            let chunk = match reader.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(FrameError::Io(e)),
            };
            if chunk.is_empty() {
                break;
            }
            let len = chunk.len();
            let go_on = self.scan(chunk, on_item)?;
            reader.consume(len);
            if !go_on {
                return Ok(());
            }
        }
        if self.scalar && self.capturing {
            // A bare scalar record ending the input.
            self.capturing = false;
            self.scalar = false;
        }
        if self.in_string || !self.stack.is_empty() {
            return Err(self.error(self.offset, "EOF while parsing"));
        }
        Ok(())
    }

    /// Scans one buffer. Returns `false` when `on_item` asked to stop.
    fn scan(&mut self, chunk: &[u8], on_item: &mut dyn FnMut(Item<'_>) -> bool) -> Result<bool, FrameError> {
        let base = self.offset;
        // Start (in `chunk`) of the bytes of the current record / top object not yet copied out.
        let mut record_from = self.capturing.then_some(0);
        let mut whole_from = self.whole.is_some().then_some(0);
        let mut i = 0;
        while i < chunk.len() {
            let b = chunk[i];
            if self.in_string {
                if self.escape {
                    // The escaped byte, whatever it is.
                    self.escape = false;
                    if self.phase == Phase::InKey {
                        self.key.push(b);
                    }
                    if b == b'\n' {
                        self.line += 1;
                        self.line_start = base + i as u64 + 1;
                    }
                    i += 1;
                    continue;
                }
                // Jump to the next byte that matters inside a string.
                let Some(skip) = memchr::memchr3(b'"', b'\\', b'\n', &chunk[i..]) else {
                    if self.phase == Phase::InKey {
                        self.key.extend_from_slice(&chunk[i..]);
                    }
                    i = chunk.len();
                    continue;
                };
                if self.phase == Phase::InKey {
                    self.key.extend_from_slice(&chunk[i..i + skip]);
                }
                i += skip;
                match chunk[i] {
                    b'\\' => {
                        self.escape = true;
                        if self.phase == Phase::InKey {
                            self.key.push(b'\\');
                        }
                    }
                    b'"' => {
                        self.in_string = false;
                        if self.phase == Phase::InKey {
                            self.key_is_records = self.key == RECORDS_KEY;
                            self.phase = Phase::ExpectColon;
                        } else if self.capturing && self.scalar && Some(self.stack.len()) == self.record_depth
                        {
                            // A string record ends here.
                            if !self.emit_record(chunk, &mut record_from, i + 1, on_item) {
                                self.offset = base + chunk.len() as u64;
                                return Ok(false);
                            }
                        }
                    }
                    _ => {
                        self.line += 1;
                        self.line_start = base + i as u64 + 1;
                    }
                }
                i += 1;
                continue;
            }
            if b == b'\n' {
                self.line += 1;
                self.line_start = base + i as u64 + 1;
            }
            let at = base + i as u64;
            // A bare scalar record ends at the first delimiter.
            if self.capturing
                && self.scalar
                && matches!(b, b',' | b']' | b' ' | b'\t' | b'\r' | b'\n')
                && !self.emit_record(chunk, &mut record_from, i, on_item)
            {
                self.offset = base + chunk.len() as u64;
                return Ok(false);
            }
            let depth = self.stack.len();
            let at_record_depth = !self.capturing && Some(depth) == self.record_depth;
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => {}
                b'{' | b'[' => {
                    if depth == 0 {
                        if b == b'[' {
                            self.record_depth = Some(1);
                        } else {
                            self.phase = Phase::ExpectKey;
                            self.whole = Some(Vec::new());
                            whole_from = Some(i);
                        }
                    } else if at_record_depth {
                        self.capturing = true;
                        self.scalar = false;
                        record_from = Some(i);
                    } else if depth == 1 && self.phase == Phase::ExpectValue {
                        if b == b'[' && self.key_is_records {
                            // `"Records": [`: its elements are the records; the object's other bytes are not needed.
                            self.record_depth = Some(2);
                            self.whole = None;
                            whole_from = None;
                        }
                        self.phase = Phase::InValue;
                    } else if depth == 1 && self.phase != Phase::InValue && self.stack[0] == b'{' {
                        let expected = if self.phase == Phase::ExpectColon {
                            "`:`"
                        } else {
                            "a key"
                        };
                        return Err(self.error(at, format!("expected {expected}, found `{}`", b as char)));
                    }
                    self.stack.push(b);
                }
                b'}' | b']' => {
                    let open = if b == b'}' { b'{' } else { b'[' };
                    if self.stack.last() != Some(&open) {
                        return Err(self.error(at, format!("unexpected `{}`", b as char)));
                    }
                    if depth == 1
                        && b == b'}'
                        && matches!(self.phase, Phase::ExpectColon | Phase::ExpectValue)
                    {
                        return Err(self.error(at, "expected a value, found `}`"));
                    }
                    self.stack.pop();
                    let depth = self.stack.len();
                    if self.capturing && !self.scalar && Some(depth) == self.record_depth {
                        if !self.emit_record(chunk, &mut record_from, i + 1, on_item) {
                            self.offset = base + chunk.len() as u64;
                            return Ok(false);
                        }
                    } else if b == b']' && self.record_depth == Some(depth + 1) && !self.capturing {
                        // The records array (top-level or `Records`) ends.
                        self.record_depth = None;
                    }
                    if depth == 0 {
                        self.phase = Phase::None;
                        if let Some(mut whole) = self.whole.take() {
                            let from = whole_from.take().unwrap_or(0);
                            let bytes: &[u8] = if whole.is_empty() {
                                &chunk[from..=i]
                            } else {
                                whole.extend_from_slice(&chunk[from..=i]);
                                &whole
                            };
                            if !on_item(Item::TopObject(bytes)) {
                                self.offset = base + chunk.len() as u64;
                                return Ok(false);
                            }
                        }
                    }
                }
                b',' => {
                    if depth == 1 && self.stack[0] == b'{' {
                        if self.phase != Phase::InValue {
                            return Err(self.error(at, "unexpected `,`"));
                        }
                        self.phase = Phase::ExpectKey;
                    }
                }
                b':' => {
                    if depth == 1 && self.stack[0] == b'{' {
                        if self.phase != Phase::ExpectColon {
                            return Err(self.error(at, "unexpected `:`"));
                        }
                        self.phase = Phase::ExpectValue;
                    }
                }
                b'"' => {
                    self.in_string = true;
                    if depth == 1 && self.stack[0] == b'{' && self.phase == Phase::ExpectKey {
                        self.phase = Phase::InKey;
                        self.key.clear();
                    } else if depth == 1 && self.phase == Phase::ExpectValue {
                        self.phase = Phase::InValue;
                    } else if depth == 0 {
                        return self.top_scalar("a string", on_item, base, chunk.len());
                    } else if at_record_depth {
                        self.capturing = true;
                        self.scalar = true;
                        record_from = Some(i);
                    }
                }
                other => {
                    if depth == 0 {
                        let found = match other {
                            b'-' | b'0'..=b'9' => "a number",
                            b't' | b'f' => "a boolean",
                            b'n' => "null",
                            _ => {
                                return Err(
                                    self.error(at, format!("expected value, found `{}`", other as char))
                                );
                            }
                        };
                        return self.top_scalar(found, on_item, base, chunk.len());
                    }
                    if depth == 1 && self.stack[0] == b'{' {
                        match self.phase {
                            Phase::ExpectValue => self.phase = Phase::InValue,
                            Phase::InValue => {}
                            _ => return Err(self.error(at, format!("unexpected `{}`", other as char))),
                        }
                    } else if at_record_depth {
                        self.capturing = true;
                        self.scalar = true;
                        record_from = Some(i);
                    }
                }
            }
            i += 1;
        }
        // Keep the unfinished record's / object's bytes for the next buffer.
        if let Some(from) = record_from.filter(|_| self.capturing) {
            self.cur.extend_from_slice(&chunk[from..]);
        }
        if let (Some(from), Some(whole)) = (whole_from, self.whole.as_mut()) {
            whole.extend_from_slice(&chunk[from..]);
            if whole.len() > MAX_TOP_OBJECT_BYTES {
                return Err(self.error(
                    base + chunk.len() as u64,
                    format!("a top-level object of more than {MAX_TOP_OBJECT_BYTES} bytes without Records"),
                ));
            }
        }
        self.offset = base + chunk.len() as u64;
        Ok(true)
    }

    fn top_scalar(
        &mut self,
        found: &'static str,
        on_item: &mut dyn FnMut(Item<'_>) -> bool,
        base: u64,
        len: usize,
    ) -> Result<bool, FrameError> {
        self.offset = base + len as u64;
        on_item(Item::TopScalar(found));
        Ok(false)
    }

    /// Hands out the record ending before `end` in `chunk`.
    fn emit_record(
        &mut self,
        chunk: &[u8],
        record_from: &mut Option<usize>,
        end: usize,
        on_item: &mut dyn FnMut(Item<'_>) -> bool,
    ) -> bool {
        self.capturing = false;
        self.scalar = false;
        let from = record_from.take().unwrap_or(0);
        if self.cur.is_empty() {
            on_item(Item::Record(&chunk[from..end]))
        } else {
            self.cur.extend_from_slice(&chunk[from..end]);
            let go_on = on_item(Item::Record(&self.cur));
            self.cur.clear();
            go_on
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::BufReader;

    use super::*;

    /// Frames `text` read `chunk` bytes at a time.
    fn frame(text: &str, chunk: usize) -> (Vec<String>, Option<String>) {
        let mut out = Vec::new();
        let mut reader = BufReader::with_capacity(chunk, text.as_bytes());
        let result = Framer::new().run(&mut reader, &mut |item| {
            out.push(match item {
                Item::Record(b) => format!("R {}", String::from_utf8_lossy(b)),
                Item::TopObject(b) => format!("O {}", String::from_utf8_lossy(b)),
                Item::TopScalar(s) => format!("S {s}"),
            });
            true
        });
        let error = result.err().map(|e| match e {
            FrameError::Io(e) => e.to_string(),
            FrameError::Syntax {
                line,
                column,
                message,
            } => format!("{line}:{column} {message}"),
        });
        (out, error)
    }

    fn all_chunkings(text: &str) -> (Vec<String>, Option<String>) {
        let first = frame(text, text.len().max(1));
        for chunk in 1..text.len().max(2) {
            assert_eq!(frame(text, chunk), first, "chunk size {chunk} of {text:?}");
        }
        first
    }

    #[test]
    fn records_in_every_layout_and_any_buffer_size() {
        let (items, error) = all_chunkings(
            r#" {"Records" : [ {"a":"}]\"{"} , {"b":[1,{"c":2}]} ], "x": {"y": [ ]}} [{"d":1},"s", 42, null] {"e":{"Records":[{"no":1}]}} "#,
        );
        assert_eq!(error, None);
        assert_eq!(
            items,
            [
                r#"R {"a":"}]\"{"}"#,
                r#"R {"b":[1,{"c":2}]}"#,
                r#"R {"d":1}"#,
                r#"R "s""#,
                "R 42",
                "R null",
                r#"O {"e":{"Records":[{"no":1}]}}"#,
            ]
        );
    }

    #[test]
    fn records_key_after_other_keys_and_escaped_keys() {
        let (items, error) =
            all_chunkings(r#"{"fileVersion":"1","Reco\u0072ds":[],"Records":[{"a":1}],"z":2}"#);
        assert_eq!(error, None);
        assert_eq!(items, [r#"R {"a":1}"#]);
    }

    #[test]
    fn broken_records_are_framed_broken_structure_is_an_error() {
        // The inside of a record is not checked here.
        let (items, error) = all_chunkings(r#"[{"a": tru}, {"b": 1}]"#);
        assert_eq!(error, None);
        assert_eq!(items, [r#"R {"a": tru}"#, r#"R {"b": 1}"#]);
        let (items, error) = all_chunkings("[{\"a\":1},\n {\"b\": [}]");
        assert_eq!(items, [r#"R {"a":1}"#]);
        assert_eq!(error.as_deref(), Some("2:9 unexpected `}`"));
        let (items, error) = all_chunkings(r#"{"Records":[{"a":1},{"b":"#);
        assert_eq!(items, [r#"R {"a":1}"#]);
        assert_eq!(error.as_deref(), Some("1:26 EOF while parsing"));
        let (_, error) = all_chunkings(r#"{"Records" [1]}"#);
        assert_eq!(error.as_deref(), Some("1:12 expected `:`, found `[`"));
        let (_, error) = all_chunkings(r#"{"a":1,,"b":2}"#);
        assert_eq!(error.as_deref(), Some("1:8 unexpected `,`"));
        let (_, error) = all_chunkings(r#"{"a":}"#);
        assert_eq!(error.as_deref(), Some("1:6 expected a value, found `}`"));
    }

    #[test]
    fn top_level_scalars_and_empty_input() {
        assert_eq!(frame(r#" "hi" "#, 3).0, ["S a string"]);
        assert_eq!(frame("42", 3).0, ["S a number"]);
        assert_eq!(frame("null", 3).0, ["S null"]);
        assert_eq!(frame("true", 3).0, ["S a boolean"]);
        assert_eq!(frame("", 3), (vec![], None));
        assert_eq!(frame("  \n ", 3), (vec![], None));
        assert_eq!(frame("[]", 3), (vec![], None));
        assert_eq!(frame("@", 3).1.as_deref(), Some("1:1 expected value, found `@`"));
    }

    #[test]
    fn stop_early() {
        let mut n = 0;
        let mut reader = BufReader::with_capacity(4, &b"[1,2,3,4]"[..]);
        Framer::new()
            .run(&mut reader, &mut |_| {
                n += 1;
                n < 2
            })
            .unwrap();
        assert_eq!(n, 2);
    }
}
