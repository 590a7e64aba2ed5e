//! The synchronous core: one object's records → classify → de-duplicate → normalize.

use std::collections::HashSet;
use std::io::BufRead;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use super::needed::parse_needed;
use super::report::{MalformedRecord, ObjectReport};
use crate::classify::{Classifier, Decision, SkipReason};
use crate::normalize::{NormalizedChange, Normalizer};
use crate::read::{Flow, LogObject, read_records};

/// How many recent `eventID`s are remembered for de-duplication (two generations of half this size, so memory
/// stays bounded on endless queues).
pub const DEDUPE_WINDOW: usize = 1_000_000;

/// Reads, classifies and normalizes log objects. Cheap to clone; clones share the de-duplication window.
#[derive(Debug, Clone)]
pub struct Ingest {
    classifier: Arc<Classifier>,
    normalizer: Arc<Normalizer>,
    seen: Arc<Mutex<Dedupe>>,
}

impl Ingest {
    /// An ingest with this classifier and normalizer.
    pub fn new(classifier: Classifier, normalizer: Normalizer) -> Self {
        Self {
            classifier: Arc::new(classifier),
            normalizer: Arc::new(normalizer),
            seen: Arc::new(Mutex::new(Dedupe::default())),
        }
    }

    /// A copy with the same classifier and normalizer and an empty de-duplication window (clones share theirs).
    pub fn fresh(&self) -> Self {
        Self {
            classifier: Arc::clone(&self.classifier),
            normalizer: Arc::clone(&self.normalizer),
            seen: Arc::new(Mutex::new(Dedupe::default())),
        }
    }

    /// The classifier.
    pub fn classifier(&self) -> &Classifier {
        &self.classifier
    }

    /// The normalizer.
    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }

    /// Reads every record of `object` from `reader` (already [`decode`](crate::read::decode)d), calling
    /// `on_change` with each normalized change and its record index, in order. `on_change` may stop the read
    /// with [`Flow::Stop`].
    ///
    /// Blocking: run it on a blocking thread when `reader` streams from the network.
    pub fn process_object(
        &self,
        object: &LogObject,
        reader: impl BufRead,
        on_change: impl FnMut(NormalizedChange, usize) -> Flow,
    ) -> ObjectReport {
        self.process_object_until(object, reader, &AtomicBool::new(false), on_change)
    }

    /// [`process_object`](Self::process_object), stopping before the next record once `stop` is set (the
    /// report then counts only the records read).
    pub fn process_object_until(
        &self,
        object: &LogObject,
        reader: impl BufRead,
        stop: &AtomicBool,
        mut on_change: impl FnMut(NormalizedChange, usize) -> Flow,
    ) -> ObjectReport {
        let mut report = ObjectReport::new(object.clone());
        let name = object.id.to_string();
        let result = read_records(reader, &object.id, |record| {
            if stop.load(Ordering::Relaxed) {
                report.stopped = true;
                return Flow::Stop;
            }
            report.records += 1;
            // Most records are skipped on a few fields; only the others are parsed whole.
            if let Some(reason) = self.classifier.prefilter(record.json) {
                *report.skipped.entry(reason.label().into_owned()).or_default() += 1;
                return Flow::Continue;
            }
            // Without filter-pattern rules only some fields are read: the others are checked, not built.
            let needed = if self.classifier.reads_fields_only() {
                parse_needed(record.json)
            } else {
                None
            };
            let value = match needed.map_or_else(|| record.parse(), Ok) {
                Ok(value) => value,
                Err(e) => {
                    report.malformed.push(MalformedRecord {
                        object: name.clone(),
                        index: record.index,
                        reason: format!("invalid JSON: {e}"),
                    });
                    return Flow::Continue;
                }
            };
            let kept = match self.classifier.classify(&value) {
                Decision::Keep(kept) => kept,
                Decision::Skip(SkipReason::Malformed(reason)) => {
                    report.malformed.push(MalformedRecord {
                        object: name.clone(),
                        index: record.index,
                        reason,
                    });
                    return Flow::Continue;
                }
                Decision::Skip(reason) => {
                    *report.skipped.entry(reason.label().into_owned()).or_default() += 1;
                    return Flow::Continue;
                }
            };
            let event_id = value.get("eventID").and_then(|v| v.as_str()).unwrap_or("");
            if !self
                .seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(event_id)
            {
                *report
                    .skipped
                    .entry(SkipReason::Duplicate.label().into_owned())
                    .or_default() += 1;
                return Flow::Continue;
            }
            match self.normalizer.normalize(&value, &kept) {
                Ok(change) => {
                    report.kept += 1;
                    for rule in &change.rules {
                        *report.kept_by_rule.entry(rule.to_string()).or_default() += 1;
                    }
                    let flow = on_change(change, record.index);
                    report.stopped |= flow == Flow::Stop;
                    flow
                }
                Err(e) => {
                    // Not kept after all: let a corrected copy through later.
                    self.seen
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .remove(event_id);
                    report.malformed.push(MalformedRecord {
                        object: name.clone(),
                        index: record.index,
                        reason: super::report::error_chain(&e),
                    });
                    Flow::Continue
                }
            }
        });
        if let Err(e) = result {
            report.error = Some(e);
        }
        report
    }
}

/// Recently kept `eventID`s: two generations, so memory is bounded by `capacity` ([`DEDUPE_WINDOW`]).
#[derive(Debug)]
struct Dedupe {
    capacity: usize,
    current: HashSet<String>,
    previous: HashSet<String>,
}

impl Default for Dedupe {
    fn default() -> Self {
        Self::with_capacity(DEDUPE_WINDOW)
    }
}

impl Dedupe {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity,
            current: HashSet::new(),
            previous: HashSet::new(),
        }
    }

    /// `false` when `id` was seen recently.
    fn insert(&mut self, id: &str) -> bool {
        if self.current.contains(id) || self.previous.contains(id) {
            return false;
        }
        if self.current.len() >= self.capacity / 2 {
            self.previous = std::mem::take(&mut self.current);
        }
        self.current.insert(id.to_owned());
        true
    }

    fn remove(&mut self, id: &str) {
        self.current.remove(id);
        self.previous.remove(id);
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use ctlake::AccountId;
    use serde_json::json;

    use super::*;
    use crate::read::ObjectRef;

    fn ingest() -> Ingest {
        Ingest::new(
            Classifier::default(),
            Normalizer::new(AccountId::try_from("111122223333").unwrap()),
        )
    }

    fn record(id: &str, name: &str, read_only: bool) -> serde_json::Value {
        json!({"eventTime": "2024-01-01T00:00:00Z", "eventID": id, "eventSource": "ec2.amazonaws.com",
               "eventName": name, "readOnly": read_only, "eventType": "AwsApiCall", "awsRegion": "us-east-1",
               "userIdentity": {"type": "IAMUser", "userName": "u", "arn": "arn:aws:iam::1:user/u"}})
    }

    #[test]
    fn every_record_is_accounted_for() {
        let doc = json!({"Records": [
            record("1", "CreateVpc", false),
            record("2", "DescribeVpcs", true),
            record("1", "CreateVpc", false),
            {"eventName": "NoId"},
            record("3", "DeleteVpc", false),
            record("4", "CreateVpc", false),
        ]});
        let mut doc = doc;
        doc["Records"][5]["eventTime"] = json!("not a time");
        let object = LogObject::new(ObjectRef::File("f.json".into()));
        let mut changes = Vec::new();
        let report = ingest().process_object(&object, Cursor::new(doc.to_string()), |change, index| {
            changes.push((change.source_event_id, index));
            Flow::Continue
        });
        assert_eq!(changes, [("1".to_owned(), 0), ("3".to_owned(), 4)]);
        assert_eq!(report.records, 6);
        assert_eq!(report.kept, 2);
        assert_eq!(report.kept_by_rule["default"], 2);
        assert_eq!(report.skipped["read-only"], 1);
        assert_eq!(report.skipped["duplicate"], 1);
        assert_eq!(report.malformed.len(), 2);
        assert_eq!(
            report.malformed[0].to_string(),
            "f.json: record 3: no eventSource"
        );
        assert!(
            report.malformed[1]
                .to_string()
                .starts_with("f.json: record 5: eventTime \"not a time\"")
        );
        assert_eq!(
            report.records,
            report.kept + report.skipped_total() + report.malformed.len()
        );
        assert!(report.error.is_none());
    }

    #[test]
    fn read_errors_keep_the_records_before() {
        let text = format!(
            "[{},{}, {{\"eventName\": tru",
            record("1", "CreateVpc", false),
            record("2", "DeleteVpc", false)
        );
        let object = LogObject::new(ObjectRef::File("g.json".into()));
        let mut n = 0;
        let report = ingest().process_object(&object, Cursor::new(text), |_, _| {
            n += 1;
            Flow::Continue
        });
        assert_eq!(n, 2);
        assert_eq!(report.records, 2);
        let error = report.error.unwrap();
        assert_eq!(error.record_index(), Some(2));
        assert!(
            error.to_string().starts_with("g.json: record 2: invalid JSON"),
            "{error}"
        );
    }

    #[test]
    fn dedupe_window_is_bounded() {
        let mut d = Dedupe::with_capacity(10);
        assert!(d.insert("a"));
        assert!(!d.insert("a"));
        for i in 0..4 {
            assert!(d.insert(&i.to_string()));
        }
        // "a" moves to the previous generation and is still remembered …
        assert!(d.insert("x"));
        assert!(!d.insert("a"));
        // … until a second generation pushes it out.
        for i in 10..15 {
            assert!(d.insert(&i.to_string()));
        }
        assert!(d.insert("a"));
        assert!(d.current.len() + d.previous.len() <= 10);
    }
}
