//! The asynchronous driver: a source's objects through the ingest core, changes handed to a consumer with
//! tickets, objects checkpointed and SQS messages deleted once every change has a final outcome.

use std::io::{Cursor, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

use super::checkpoint::{Checkpoint, CheckpointError};
use super::ingest::Ingest;
use super::report::{ObjectReport, Summary, error_chain};
use super::source::Source;
use super::tracker::{Ticket, Tracker};
use crate::normalize::NormalizedChange;
use crate::read::{
    Flow, IgnoredReason, LogObject, Notification, ObjectRef, ObjectSkip, QueueMessage, ReadError, S3Reader,
    SqsQueue, decode, list_local, skip_reason,
};

/// How a run behaves.
#[derive(Debug, Clone)]
pub struct PipelineOptions {
    /// Read and normalize only: no checkpoint entries written, no SQS message deleted (the consumer prints).
    pub dry_run: bool,
    /// Checkpoint file: objects recorded there are skipped, objects completed are appended.
    pub checkpoint: Option<PathBuf>,
    /// Changes handed to the consumer that it has not taken yet; reading waits when this many are queued.
    pub buffer: usize,
    /// Queue behaviour for `sqs://` sources.
    pub sqs: SqsOptions,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        Self {
            dry_run: false,
            checkpoint: None,
            buffer: 1024,
            sqs: SqsOptions::default(),
        }
    }
}

/// Queue behaviour.
#[derive(Debug, Clone)]
pub struct SqsOptions {
    /// Long-poll wait per ReceiveMessage (at most 20 s).
    pub wait: Duration,
    /// Visibility timeout of received messages; it is extended every half period while their objects are
    /// processed, so a slow object's message does not reappear.
    pub visibility_timeout: Duration,
    /// Messages per ReceiveMessage (1–10).
    pub max_messages: i32,
    /// Stop at the first receive that returns no message (batch mode); otherwise run until stopped.
    pub until_empty: bool,
}

impl Default for SqsOptions {
    fn default() -> Self {
        Self {
            wait: crate::read::MAX_WAIT,
            visibility_timeout: Duration::from_secs(300),
            max_messages: crate::read::MAX_MESSAGES_PER_RECEIVE,
            until_empty: false,
        }
    }
}

/// A run that cannot go on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// The checkpoint file cannot be used.
    #[error("checkpoint")]
    Checkpoint(#[from] CheckpointError),
    /// The source cannot be listed or received from.
    #[error("source")]
    Source(#[source] ReadError),
    /// A worker task failed unexpectedly.
    #[error("worker task failed: {0}")]
    Task(String),
}

/// One normalized change for the consumer, with where it came from and its [`Ticket`].
#[derive(Debug)]
pub struct Change {
    /// The normalized change (`change.audit_event` is the `PutAuditEvents` entry).
    pub change: NormalizedChange,
    /// The object it was read from.
    pub object: ObjectRef,
    /// Its 0-based record index in the object.
    pub index: usize,
    /// Report the final outcome here.
    pub ticket: Ticket,
}

/// The changes of a running pipeline, in source order; `None` once the run has read everything.
#[derive(Debug)]
pub struct Changes {
    rx: mpsc::Receiver<Change>,
}

impl Changes {
    /// The next change.
    pub async fn recv(&mut self) -> Option<Change> {
        self.rx.recv().await
    }

    /// The next change, blocking the thread (not for use on an async runtime thread).
    pub fn blocking_recv(&mut self) -> Option<Change> {
        self.rx.blocking_recv()
    }
}

/// Stops a running pipeline: no new object or message is read, the object being read is abandoned (it is not
/// checkpointed and its message is not deleted, so a later run reads it again).
#[derive(Debug, Clone, Default)]
pub struct Stopper {
    flag: Arc<AtomicBool>,
    notify: Arc<Notify>,
}

impl Stopper {
    /// Asks the run to stop.
    pub fn stop(&self) {
        self.flag.store(true, Ordering::Relaxed);
        self.notify.notify_waiters();
    }

    fn is_stopped(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }
}

/// A started pipeline.
#[derive(Debug)]
pub struct Running {
    task: JoinHandle<Result<Summary, PipelineError>>,
    stopper: Stopper,
}

impl Running {
    /// A handle to stop the run (e.g. from a signal handler).
    pub fn stopper(&self) -> Stopper {
        self.stopper.clone()
    }

    /// Waits for the run to end: the source read to the end (or stopped) and every change's ticket completed or
    /// dropped. Keep draining [`Changes`] meanwhile.
    ///
    /// # Errors
    ///
    /// [`PipelineError`] when the source failed for good or a worker task panicked.
    pub async fn finish(self) -> Result<Summary, PipelineError> {
        self.task.await.map_err(|e| PipelineError::Task(e.to_string()))?
    }
}

/// read → classify → normalize over a [`Source`], with checkpointing and SQS completion tracking.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use ctlake_changes::classify::Classifier;
/// use ctlake_changes::normalize::Normalizer;
/// use ctlake_changes::pipeline::{Ingest, Location, Pipeline, PipelineOptions, Source};
/// use ctlake_changes::read::AwsOptions;
///
/// let ingest = Ingest::new(Classifier::default(), Normalizer::new("111122223333".parse()?));
/// let location: Location = "sqs://https://sqs.us-east-1.amazonaws.com/111122223333/trail-logs".parse()?;
/// let source = Source::connect(&location, &AwsOptions::default()).await?;
/// let (mut changes, running) = Pipeline::new(ingest, source, PipelineOptions::default()).start()?;
/// while let Some(change) = changes.recv().await {
///     println!("{}", change.change.audit_event.event_data()); // or publish it …
///     change.ticket.accepted(); // … and report the outcome when Lake answers
/// }
/// let summary = running.finish().await?;
/// println!("{} records, {} changes", summary.records_read, summary.kept);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Pipeline {
    ingest: Ingest,
    source: Source,
    options: PipelineOptions,
}

impl Pipeline {
    /// A pipeline over `source`.
    pub fn new(ingest: Ingest, source: Source, options: PipelineOptions) -> Self {
        Self {
            ingest,
            source,
            options,
        }
    }

    /// Opens the checkpoint and starts the run on the current Tokio runtime.
    ///
    /// # Errors
    ///
    /// [`PipelineError::Checkpoint`] when the checkpoint file cannot be opened or is corrupt.
    pub fn start(self) -> Result<(Changes, Running), PipelineError> {
        let checkpoint = match &self.options.checkpoint {
            Some(path) => Some(Checkpoint::open(path)?),
            None => None,
        };
        let (tx, rx) = mpsc::channel(self.options.buffer.max(1));
        let stopper = Stopper::default();
        let driver = Driver {
            ingest: self.ingest,
            options: self.options,
            tracker: Arc::new(Tracker::default()),
            tx,
            stopper: stopper.clone(),
            checkpoint: Arc::new(Mutex::new(checkpoint)),
            summary: Summary::default(),
        };
        let task = tokio::spawn(driver.run(self.source));
        Ok((Changes { rx }, Running { task, stopper }))
    }
}

struct Driver {
    ingest: Ingest,
    options: PipelineOptions,
    tracker: Arc<Tracker>,
    tx: mpsc::Sender<Change>,
    stopper: Stopper,
    checkpoint: Arc<Mutex<Option<Checkpoint>>>,
    summary: Summary,
}

/// What the settler did.
#[derive(Debug, Default)]
struct Settled {
    deleted: usize,
    warnings: Vec<String>,
}

impl Driver {
    async fn run(mut self, source: Source) -> Result<Summary, PipelineError> {
        let queue = match &source {
            Source::Sqs { queue, .. } => Some(queue.clone()),
            Source::Local(_) | Source::S3 { .. } => None,
        };
        let finishing = Arc::new(AtomicBool::new(false));
        let settler = tokio::spawn(settle(
            Arc::clone(&self.tracker),
            Arc::clone(&self.checkpoint),
            queue.clone(),
            self.options.dry_run,
            Arc::clone(&finishing),
        ));
        let heartbeat = queue.map(|queue| {
            tokio::spawn(extend_visibility(
                Arc::clone(&self.tracker),
                queue,
                self.options.sqs.visibility_timeout,
            ))
        });

        let result = match source {
            Source::Local(path) => self.run_local(path).await,
            Source::S3 {
                reader,
                bucket,
                prefix,
            } => self.run_s3(&reader, &bucket, &prefix).await,
            Source::Sqs { queue, reader } => self.run_sqs(&queue, &reader).await,
        };

        // No more changes: the consumer sees the end of the stream once it has taken the queued ones.
        let Self {
            tracker,
            tx,
            mut summary,
            ..
        } = self;
        drop(tx);
        finishing.store(true, Ordering::Relaxed);
        tracker.changed.notify_one();
        let settled = settler.await.map_err(|e| PipelineError::Task(e.to_string()))?;
        if let Some(heartbeat) = heartbeat {
            heartbeat.abort();
        }
        let outcomes = tracker.outcomes();
        summary.accepted = outcomes.accepted;
        summary.rejected = outcomes.rejected;
        summary.unfinished = outcomes.unfinished;
        summary.messages_deleted = settled.deleted;
        summary.warnings.extend(settled.warnings);
        result.map(|()| summary)
    }

    fn checkpointed(&self, object: &LogObject) -> bool {
        self.checkpoint
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_some_and(|c| c.contains(object))
    }

    async fn run_local(&mut self, path: PathBuf) -> Result<(), PipelineError> {
        let listing = list_local(&path).map_err(PipelineError::Source)?;
        for (object, reason) in &listing.skipped {
            self.summary.add_skipped_object(object, reason);
        }
        for object in listing.objects {
            if self.stopper.is_stopped() {
                break;
            }
            if self.checkpointed(&object) {
                self.summary
                    .add_skipped_object(&object.id, &ObjectSkip::Checkpointed);
                continue;
            }
            let slot = self.tracker.add_object(object.clone(), None);
            let reader = match &object.id {
                ObjectRef::File(path) => std::fs::File::open(path)
                    .map(|f| Box::new(f) as Box<dyn Read + Send>)
                    .map_err(|source| ReadError::Io {
                        object: object.id.clone(),
                        source,
                    }),
                other => Err(ReadError::Io {
                    object: other.clone(),
                    source: std::io::Error::other("not a local file"),
                }),
            };
            self.read_object(object, slot, reader).await?;
        }
        Ok(())
    }

    async fn run_s3(&mut self, reader: &S3Reader, bucket: &str, prefix: &str) -> Result<(), PipelineError> {
        let mut listing = reader.list(bucket, prefix);
        while let Some(page) = listing.next_page().await {
            let page = page.map_err(PipelineError::Source)?;
            for (object, reason) in &page.skipped {
                self.summary.add_skipped_object(object, reason);
            }
            for object in page.objects {
                if self.stopper.is_stopped() {
                    return Ok(());
                }
                if self.checkpointed(&object) {
                    self.summary
                        .add_skipped_object(&object.id, &ObjectSkip::Checkpointed);
                    continue;
                }
                let slot = self.tracker.add_object(object.clone(), None);
                let body = open_s3(reader, &object).await;
                self.read_object(object, slot, body).await?;
            }
            if self.stopper.is_stopped() {
                break;
            }
        }
        Ok(())
    }

    async fn run_sqs(&mut self, queue: &SqsQueue, reader: &S3Reader) -> Result<(), PipelineError> {
        /// Consecutive ReceiveMessage failures before the run gives up.
        const MAX_RECEIVE_FAILURES: u32 = 5;
        let mut failures = 0;
        loop {
            if self.stopper.is_stopped() {
                return Ok(());
            }
            let sqs = &self.options.sqs;
            let received = tokio::select! {
                received = queue.receive(sqs.max_messages, sqs.wait, Some(sqs.visibility_timeout)) => received,
                () = self.stopper.notify.notified() => return Ok(()),
            };
            let messages = match received {
                Ok(messages) => {
                    failures = 0;
                    messages
                }
                Err(e) => {
                    failures += 1;
                    if failures >= MAX_RECEIVE_FAILURES {
                        return Err(PipelineError::Source(e));
                    }
                    self.summary.warnings.push(error_chain(&e));
                    tokio::time::sleep(Duration::from_millis(500 * u64::from(failures))).await;
                    continue;
                }
            };
            if messages.is_empty() && self.options.sqs.until_empty {
                return Ok(());
            }
            for message in messages {
                self.handle_message(queue, reader, message).await?;
            }
        }
    }

    async fn handle_message(
        &mut self,
        queue: &SqsQueue,
        reader: &S3Reader,
        message: QueueMessage,
    ) -> Result<(), PipelineError> {
        self.summary.messages_received += 1;
        let QueueMessage {
            message_id,
            receipt_handle,
            body,
            notification,
            ..
        } = message;
        match notification {
            Notification::Ignored(reason) => {
                self.summary.messages_ignored += 1;
                if let IgnoredReason::SnsConfirmation {
                    subscribe_url: Some(url),
                    ..
                } = &reason
                {
                    tracing::warn!(%message_id, %url, "SNS subscription confirmation: confirm it in SNS.");
                }
                self.tracker.add_message(&message_id, &receipt_handle, 0);
            }
            Notification::Unrecognized(reason) => {
                tracing::warn!(%message_id, %reason, "Unrecognized message left on the queue.");
                self.summary
                    .messages_unrecognized
                    .push(format!("message {message_id}: {reason}"));
            }
            Notification::Inline => {
                let object = LogObject::new(ObjectRef::Message {
                    queue: queue.url().to_owned(),
                    message_id: message_id.clone(),
                });
                let id = self.tracker.add_message(&message_id, &receipt_handle, 1);
                let slot = self.tracker.add_object(object.clone(), Some(id));
                let body: Box<dyn Read + Send> = Box::new(Cursor::new(body.into_bytes()));
                self.read_object(object, slot, Ok(body)).await?;
            }
            Notification::Objects(objects) => {
                let mut to_read = Vec::new();
                for object in objects {
                    let key = match &object.id {
                        ObjectRef::S3 { key, .. } => key.as_str(),
                        _ => "",
                    };
                    if let Some(reason) = skip_reason(key) {
                        self.summary.add_skipped_object(&object.id, &reason);
                    } else if self.checkpointed(&object) {
                        self.summary
                            .add_skipped_object(&object.id, &ObjectSkip::Checkpointed);
                    } else {
                        to_read.push(object);
                    }
                }
                let id = self
                    .tracker
                    .add_message(&message_id, &receipt_handle, to_read.len());
                let slots: Vec<u64> = to_read
                    .iter()
                    .map(|object| self.tracker.add_object(object.clone(), Some(id)))
                    .collect();
                for (object, slot) in to_read.into_iter().zip(slots) {
                    if self.stopper.is_stopped() {
                        // Not read: the object fails, so the message stays on the queue.
                        self.tracker.object_read(slot, 0, 0, true);
                        continue;
                    }
                    let body = open_s3(reader, &object).await;
                    self.read_object(object, slot, body).await?;
                }
            }
        }
        Ok(())
    }

    /// Reads one registered object on a blocking thread, handing its changes to the consumer.
    async fn read_object(
        &mut self,
        object: LogObject,
        slot: u64,
        body: Result<Box<dyn Read + Send>, ReadError>,
    ) -> Result<(), PipelineError> {
        let report = match body {
            Err(error) => {
                let mut report = ObjectReport::new(object);
                report.error = Some(error);
                report
            }
            Ok(body) => {
                let ingest = self.ingest.clone();
                let tracker = Arc::clone(&self.tracker);
                let tx = self.tx.clone();
                let stop = Arc::clone(&self.stopper.flag);
                tokio::task::spawn_blocking(move || {
                    let reader = match decode(body) {
                        Ok(reader) => reader,
                        Err(source) => {
                            let mut report = ObjectReport::new(object.clone());
                            report.error = Some(ReadError::Io {
                                object: object.id,
                                source,
                            });
                            return report;
                        }
                    };
                    ingest.process_object_until(&object, reader, &stop, |change, index| {
                        let change = Change {
                            change,
                            object: object.id.clone(),
                            index,
                            ticket: tracker.ticket(slot),
                        };
                        // A closed channel means the consumer is gone: stop (the unsent ticket is dropped, so
                        // the object is not checkpointed).
                        match tx.blocking_send(change) {
                            Ok(()) => Flow::Continue,
                            Err(_) => Flow::Stop,
                        }
                    })
                })
                .await
                .map_err(|e| PipelineError::Task(e.to_string()))?
            }
        };
        if let Some(error) = &report.error {
            tracing::warn!(error = %error_chain(error), "Object not read to the end.");
        }
        self.tracker
            .object_read(slot, report.records, report.kept, !report.complete());
        self.summary.add_object(&report);
        Ok(())
    }
}

async fn open_s3(reader: &S3Reader, object: &LogObject) -> Result<Box<dyn Read + Send>, ReadError> {
    match &object.id {
        ObjectRef::S3 { bucket, key } => reader.open(bucket, key).await,
        other => Err(ReadError::Io {
            object: other.clone(),
            source: std::io::Error::other("not an S3 object"),
        }),
    }
}

/// Writes checkpoint entries and deletes messages as objects and messages complete; returns once `finishing` is
/// set and nothing is left in flight.
async fn settle(
    tracker: Arc<Tracker>,
    checkpoint: Arc<Mutex<Option<Checkpoint>>>,
    queue: Option<SqsQueue>,
    dry_run: bool,
    finishing: Arc<AtomicBool>,
) -> Settled {
    let mut settled = Settled::default();
    loop {
        let (objects, messages) = tracker.take_done();
        if !dry_run {
            for done in &objects {
                let Some((records, changes)) = done.counts else {
                    continue;
                };
                let mut guard = checkpoint.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(checkpoint) = guard.as_mut()
                    && let Err(e) = checkpoint.record(&done.object, records, changes)
                {
                    settled.warnings.push(error_chain(&e));
                }
            }
        }
        for done in messages {
            if !done.succeeded {
                settled.warnings.push(format!(
                    "message {} left on the queue: not every object was read and published",
                    done.message_id
                ));
                continue;
            }
            let Some(queue) = &queue else { continue };
            if dry_run {
                continue;
            }
            match queue.delete(&done.receipt_handle).await {
                Ok(()) => settled.deleted += 1,
                Err(e) => settled.warnings.push(error_chain(&e)),
            }
        }
        if finishing.load(Ordering::Relaxed) && tracker.is_idle() {
            return settled;
        }
        // Wake up on every completion; the timeout covers a `finishing` set between the check and the wait.
        let _ = tokio::time::timeout(Duration::from_millis(200), tracker.changed.notified()).await;
    }
}

/// Keeps in-flight messages invisible while their objects are processed.
async fn extend_visibility(tracker: Arc<Tracker>, queue: SqsQueue, timeout: Duration) {
    let period = (timeout / 2).max(Duration::from_secs(1));
    let mut ticks = tokio::time::interval(period);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        for receipt_handle in tracker.messages_in_flight() {
            if let Err(e) = queue.extend_visibility(&receipt_handle, timeout).await {
                tracing::warn!(error = %error_chain(&e), "Cannot extend a message's visibility.");
            }
        }
    }
}
