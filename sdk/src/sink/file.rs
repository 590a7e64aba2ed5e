//! [`FileSink`]: NDJSON records for dry runs.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use futures::future::BoxFuture;

use super::{PutRequest, PutResponse, Sink, SinkError};

/// Writes each entry as one line `{"id":…,"eventData":"…","eventDataChecksum":"…"}` — the `PutAuditEvents`
/// record, which `ctlake put-events` reads back — and accepts it, reporting the entry's own `id` as its
/// `eventID`. For dry runs: nothing is sent. Lines of one request are written together; requests from several
/// destinations interleave by request.
#[derive(Debug, Clone)]
pub struct FileSink {
    file: Arc<Mutex<BufWriter<File>>>,
}

impl FileSink {
    /// Creates (or truncates) the file at `path`.
    ///
    /// # Errors
    ///
    /// The I/O error of creating the file.
    pub fn create(path: impl AsRef<Path>) -> std::io::Result<Self> {
        Ok(Self {
            file: Arc::new(Mutex::new(BufWriter::new(File::create(path)?))),
        })
    }
}

impl Sink for FileSink {
    fn put(&self, request: PutRequest) -> BoxFuture<'static, Result<PutResponse, SinkError>> {
        let file = self.file.clone();
        Box::pin(async move {
            let mut lines = Vec::with_capacity(request.body_len() + request.len());
            let mut response = PutResponse::new();
            for entry in request.events() {
                serde_json::to_writer(&mut lines, entry)
                    .map_err(|e| SinkError::invalid("an entry could not be serialized").with_source(e))?;
                lines.push(b'\n');
                response.push_accepted(entry.id().as_str(), entry.id().as_str());
            }
            tokio::task::spawn_blocking(move || {
                let mut file = file.lock().unwrap_or_else(PoisonError::into_inner);
                file.write_all(&lines)?;
                file.flush()
            })
            .await
            .map_err(|e| SinkError::ambiguous("the writer task failed").with_source(e))?
            .map_err(|e| SinkError::ambiguous("writing the file failed").with_source(e))?;
            Ok(response)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AuditEvent, Destination};

    #[tokio::test]
    async fn writes_one_record_per_line_and_accepts_everything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.ndjson");
        let sink = FileSink::create(&path).unwrap();
        let dest = Destination::new(
            "arn:aws:cloudtrail:us-east-1:123456789012:channel/abc"
                .parse()
                .unwrap(),
        );
        let a = AuditEvent::from_json("a".parse().unwrap(), r#"{"x":"1"}"#);
        let b = AuditEvent::from_json("b".parse().unwrap(), r#"{"y":"2"}"#);
        let r = sink
            .put(PutRequest::new(dest, vec![a.clone(), b.clone()]))
            .await
            .unwrap();
        assert_eq!(r.successful().len(), 2);
        assert_eq!(r.successful()[1].event_id(), "b");
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<AuditEvent> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines, [a, b]);
        assert!(text.starts_with(r#"{"id":"a","eventData":"{\"x\":\"1\"}","eventDataChecksum":""#));
    }
}
