//! A [`Sink`] that calls `PutAuditEvents` itself: batches of at most 100 entries and 1 MB (exact encoded
//! size, never two entries with the same id in one request), a few requests in flight, and a resend of the
//! entries Lake answers with the retryable per-entry codes `Throttling` and `InternalFailure`.
//!
//! It stands in for the SDK publisher until that is wired in; whole-request retries (5xx, throttling,
//! timeouts) are the AWS SDK's standard ones.

use std::collections::HashSet;
use std::time::Duration;

use aws_sdk_cloudtraildata::Client;
use aws_sdk_cloudtraildata::error::ProvideErrorMetadata as _;
use aws_sdk_cloudtraildata::types::AuditEvent as WireEvent;
use ctlake::validate::limits::{MAX_EVENTS_PER_REQUEST, MAX_REQUEST_BYTES, REQUEST_BODY_WRAPPER_BYTES};
use tokio::task::JoinSet;

use super::sink::{Fatal, Fate, Receipt, Receipts, Sink, Submission};

/// Requests in flight at once.
const MAX_IN_FLIGHT: usize = 8;
/// Resends of an entry answered `Throttling` or `InternalFailure` before it counts as rejected.
const MAX_ENTRY_RETRIES: u32 = 5;
/// First pause before a resend; doubled each time.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// Per-entry codes worth sending again ([API-PAE] `ResultErrorEntry`, peers.md §0 item 2).
const RETRYABLE_ENTRY_CODES: [&str; 2] = ["Throttling", "InternalFailure"];

/// Publishes with direct `PutAuditEvents` calls.
#[derive(Debug)]
pub(crate) struct DirectSink {
    client: Client,
    channel_arn: String,
    external_id: Option<String>,
    batch: Vec<Submission>,
    batch_bytes: usize,
    batch_ids: HashSet<String>,
    in_flight: JoinSet<Result<(), Fatal>>,
    receipts: Receipts,
}

impl DirectSink {
    /// A sink publishing to `channel_arn`.
    pub(crate) fn new(
        client: Client,
        channel_arn: String,
        external_id: Option<String>,
        receipts: Receipts,
    ) -> Self {
        Self {
            client,
            channel_arn,
            external_id,
            batch: Vec::with_capacity(MAX_EVENTS_PER_REQUEST),
            batch_bytes: REQUEST_BODY_WRAPPER_BYTES,
            batch_ids: HashSet::with_capacity(MAX_EVENTS_PER_REQUEST),
            in_flight: JoinSet::new(),
            receipts,
        }
    }

    async fn flush(&mut self) -> Result<(), Fatal> {
        if self.batch.is_empty() {
            return Ok(());
        }
        while self.in_flight.len() >= MAX_IN_FLIGHT {
            self.join_one().await?;
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(MAX_EVENTS_PER_REQUEST));
        self.batch_bytes = REQUEST_BODY_WRAPPER_BYTES;
        self.batch_ids.clear();
        let request = Request {
            client: self.client.clone(),
            channel_arn: self.channel_arn.clone(),
            external_id: self.external_id.clone(),
            receipts: self.receipts.clone(),
        };
        self.in_flight.spawn(request.send(batch));
        Ok(())
    }

    async fn join_one(&mut self) -> Result<(), Fatal> {
        match self.in_flight.join_next().await {
            Some(Ok(result)) => result,
            Some(Err(e)) => Err(Fatal {
                service: false,
                message: format!("a publishing task failed: {e}"),
            }),
            None => Ok(()),
        }
    }
}

impl Sink for DirectSink {
    async fn submit(&mut self, submission: Submission) -> Result<(), Fatal> {
        // Finished requests report fatal errors early.
        while let Some(done) = self.in_flight.try_join_next() {
            done.map_err(|e| Fatal {
                service: false,
                message: format!("a publishing task failed: {e}"),
            })??;
        }
        let size = submission.entry.encoded_len();
        let comma = usize::from(!self.batch.is_empty());
        let full = self.batch.len() >= MAX_EVENTS_PER_REQUEST
            || self.batch_bytes + comma + size > MAX_REQUEST_BYTES
            || self.batch_ids.contains(submission.entry.id().as_str());
        if full {
            self.flush().await?;
        }
        let comma = usize::from(!self.batch.is_empty());
        self.batch_bytes += comma + size;
        self.batch_ids.insert(submission.entry.id().as_str().to_owned());
        self.batch.push(submission);
        if self.batch.len() >= MAX_EVENTS_PER_REQUEST {
            self.flush().await?;
        }
        Ok(())
    }

    async fn finish(&mut self) -> Result<(), Fatal> {
        self.flush().await?;
        let mut first_error = None;
        while !self.in_flight.is_empty() {
            if let Err(e) = self.join_one().await {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    async fn abandon(&mut self) {
        self.batch.clear();
        self.batch_ids.clear();
        // Requests already sent are allowed to finish, so their answers are recorded.
        let grace = tokio::time::sleep(Duration::from_secs(10));
        tokio::pin!(grace);
        loop {
            tokio::select! {
                next = self.in_flight.join_next() => if next.is_none() { break },
                () = &mut grace => { self.in_flight.abort_all(); break }
            }
        }
    }
}

/// One request's worth of work, owned by its task.
struct Request {
    client: Client,
    channel_arn: String,
    external_id: Option<String>,
    receipts: Receipts,
}

impl Request {
    async fn send(self, mut batch: Vec<Submission>) -> Result<(), Fatal> {
        let mut attempt: u32 = 0;
        loop {
            let retry = self.send_once(&batch, attempt).await?;
            if retry.is_empty() {
                return Ok(());
            }
            attempt += 1;
            let pause = FIRST_BACKOFF * 2u32.pow(attempt.min(6) - 1);
            tokio::time::sleep(pause.mul_f64(0.5 + fastrand_unit() / 2.0)).await;
            batch = retry;
        }
    }

    /// Sends `batch` once; returns the entries to resend.
    async fn send_once(&self, batch: &[Submission], attempt: u32) -> Result<Vec<Submission>, Fatal> {
        let mut call = self
            .client
            .put_audit_events()
            .channel_arn(&self.channel_arn)
            .set_external_id(self.external_id.clone());
        for s in batch {
            let wire = WireEvent::builder()
                .id(s.entry.id().as_str())
                .event_data(s.entry.event_data())
                .set_event_data_checksum(s.entry.checksum().map(str::to_owned))
                .build()
                .map_err(|e| Fatal {
                    service: false,
                    message: format!("cannot build the request: {e}"),
                })?;
            call = call.audit_events(wire);
        }
        let out = match call.send().await {
            Ok(out) => out,
            Err(e) => {
                let service = e.code().is_some();
                let what = crate::aws::describe(&e);
                let hint = match e.code() {
                    Some("ChannelInsufficientPermission") => {
                        ": the caller may not publish to this channel. The channel policy must allow the caller's \
                         account, and --external-id must match the policy's cloudtrail:ExternalId"
                    }
                    Some("ChannelNotFound") => ": check --channel-arn and --region",
                    _ => "",
                };
                return Err(Fatal {
                    service,
                    message: format!("PutAuditEvents failed: {what}{hint}"),
                });
            }
        };
        let mut retry = Vec::new();
        let by_id = |id: &str| batch.iter().position(|s| s.entry.id().as_str() == id);
        for ok in out.successful() {
            if let Some(i) = by_id(ok.id()) {
                self.receipt(
                    batch[i].index,
                    Fate::Accepted {
                        event_id: ok.event_id().to_owned(),
                    },
                    attempt,
                );
            }
        }
        for failed in out.failed() {
            let Some(i) = by_id(failed.id()) else { continue };
            let code = failed.error_code();
            if RETRYABLE_ENTRY_CODES.contains(&code) && attempt < MAX_ENTRY_RETRIES {
                retry.push(batch[i].clone());
            } else {
                let fate = Fate::Rejected {
                    code: code.to_owned(),
                    message: failed.error_message().to_owned(),
                };
                self.receipt(batch[i].index, fate, attempt);
            }
        }
        Ok(retry)
    }

    fn receipt(&self, index: u64, fate: Fate, retries: u32) {
        let _ = self.receipts.send(Receipt { index, fate, retries });
    }
}

/// A number in `0.0..1.0` for jitter, from the clock (no RNG dependency needed for backoff jitter).
fn fastrand_unit() -> f64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    f64::from(nanos % 1000) / 1000.0
}
