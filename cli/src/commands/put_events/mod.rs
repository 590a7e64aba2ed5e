//! `ctlake put-events FILE|-`: stream, validate and publish a file of events, with a summary, a reject file,
//! progress and resume.
//!
//! A reader thread cuts the input into records and checks each (constant memory: at most a few thousand
//! records are between the reader and Lake at any time). The async side hands valid entries to the SDK
//! publisher (through the [`Sink`] adapter in `publisher.rs`, which owns batching and every retry) and
//! settles each record from its receipt: counts, the reject file, and the resume journal (`state`).

mod publisher;
mod rejects;
mod sink;
mod state;
pub(crate) mod summary;
mod tracker;

use std::fs::File;
use std::io::{BufReader, Seek as _, SeekFrom};
use std::time::Instant;

use ctlake::{AuditEvent, ChannelArn};
use tokio::sync::mpsc;

use self::publisher::PublisherSink;
use self::rejects::RejectFile;
use self::sink::{Fatal, Sink, Submission};
use self::state::{Earlier, Identity, Journal, RangeSet};
use self::tracker::Tracker;
use crate::cli::{OutputFormat, PutEventsArgs};
use crate::context::Context;
use crate::events::check::{Against, Rejection, check};
use crate::events::input::{Format, InputError, Position, Reader};
use crate::events::{self, Opened};
use crate::exit::{CliError, CliResult, Outcome};

/// Records per message from the reader thread.
const CHUNK_RECORDS: usize = 256;
/// Messages buffered between the reader thread and the publisher.
const CHUNKS_IN_FLIGHT: usize = 8;

/// One checked record from the reader thread.
#[derive(Debug)]
enum Prepared {
    Valid {
        at: Position,
        raw: Vec<u8>,
        entry: AuditEvent,
    },
    Invalid {
        at: Position,
        raw: Vec<u8>,
        rejection: Rejection,
    },
}

/// What the reader thread sends.
#[derive(Debug)]
enum FromReader {
    Format(Format),
    Records(Vec<Prepared>),
    Broken { line: u64, message: String },
    Failed(String),
}

/// `ctlake put-events`.
pub(crate) async fn run(args: PutEventsArgs, ctx: &Context) -> CliResult {
    if ctx.output == OutputFormat::Csv {
        return Err(CliError::usage(
            "--output csv applies to query results; put-events prints json, table or text",
        ));
    }
    let channel: ChannelArn = args
        .channel_arn
        .parse()
        .map_err(|e| CliError::usage(format!("--channel-arn: {e}")))?;
    if let Some(id) = &args.external_id {
        ctlake::ExternalId::try_from(id.as_str())
            .map_err(|e| CliError::usage(format!("--external-id: {e}")))?;
    }
    let catalog = args.catalog.as_deref().map(events::load_catalog).transpose()?;
    let stdin = events::is_stdin(&args.file);
    if stdin && args.resume {
        return Err(CliError::usage(
            "--resume needs a file: standard input cannot be read again",
        ));
    }
    let aws = ctx.aws().await?;

    // The resume state: refuse to send a file twice by accident.
    let (journal, earlier) = if stdin {
        (None, Earlier::default())
    } else {
        let identity = Identity::of(&args.file)?;
        let path = Journal::path_for(&args.file);
        let exists = path.exists();
        if exists && !args.resume && !args.restart {
            return Err(CliError::usage(format!(
                "{} has an interrupted run (state in {}): pass --resume to continue it without resending what was \
                 accepted, or --restart to send the whole file again",
                args.file.display(),
                path.display()
            )));
        }
        if args.resume && !exists {
            ctx.ui.warn(format!(
                "no interrupted run of {} to resume; sending it from the start",
                args.file.display()
            ));
        }
        let earlier = if args.resume && exists {
            Journal::load(&path, &identity, channel.as_str())?
        } else {
            Earlier::default()
        };
        let resuming = args.resume && exists;
        let journal = Journal::open(&path, &identity, channel.as_str(), earlier.format, resuming)?;
        (Some(journal), earlier)
    };
    let rejects = match &args.reject_file {
        Some(path) => Some(RejectFile::open(path, args.resume)?),
        None => None,
    };

    let opened = open_at(&args.file, &earlier)?;
    let name = opened.0.name.clone();
    let bar = ctx.ui.bar(
        opened.0.len,
        if opened.0.len.is_some() {
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg}"
        } else {
            "{spinner} [{elapsed_precise}] {bytes} {msg}"
        },
    );
    let (records_tx, records_rx) = mpsc::channel(CHUNKS_IN_FLIGHT);
    let consumed = spawn_reader(
        opened,
        earlier.settled.clone(),
        channel.clone(),
        catalog,
        records_tx,
    );

    let (receipts_tx, receipts_rx) = mpsc::unbounded_channel();
    let sink = PublisherSink::new(
        aws.sdk_config(),
        destination(&channel, args.external_id.as_deref(), &aws)?,
        receipts_tx,
    )?;
    let tracker = Tracker::new(journal, rejects, &earlier);
    let started = Instant::now();
    let run = drive(sink, tracker, records_rx, receipts_rx, &bar, &consumed).await?;
    bar.finish_and_clear();

    let Drive {
        tracker,
        read_to_end,
        interrupted,
        fatal,
        broken,
    } = run;
    let complete = read_to_end && !interrupted && fatal.is_none() && tracker.unfinished() == 0;
    let elapsed = started.elapsed().as_secs_f64();
    let mut summary = tracker.summary(&earlier, elapsed);
    summary.file = name.clone();
    summary.channel_arn = channel.to_string();
    summary.complete = complete && broken.is_none();
    summary.reject_file = args.reject_file.as_ref().map(|p| p.display().to_string());
    let journal = tracker.into_journal();
    if let Some(journal) = journal {
        if complete {
            journal.remove();
        } else {
            summary.state_file = Some(journal.path().display().to_string());
        }
    }
    crate::output::print(ctx.output, "put-events", &summary)?;

    if let Some((line, message)) = &broken {
        ctx.ui.warn(format!(
            "{name}: line {line}: {message}; the records after it were not read"
        ));
    }
    let resume_hint = || {
        format!(
            "run the same command with --resume to continue ({} kept)",
            summary.state_file.as_deref().unwrap_or("state")
        )
    };
    if let Some(fatal) = fatal {
        let e = if fatal.service {
            CliError::service(&fatal)
        } else {
            CliError::other(&fatal)
        };
        return Err(if stdin {
            e
        } else {
            e.context(format!("publishing stopped; {}", resume_hint()))
        });
    }
    if interrupted {
        return Err(CliError::interrupted(if stdin {
            "interrupted".to_owned()
        } else {
            format!("interrupted; {}", resume_hint())
        }));
    }
    ctx.ui.note(format!(
        "{}: {} accepted, {} rejected ({:.0} events/s)",
        name, summary.accepted, summary.rejected, summary.events_per_second
    ));
    Ok(if summary.rejected == 0 && broken.is_none() {
        Outcome::Success
    } else {
        Outcome::Partial
    })
}

/// Publishes an input without resume state or reject file (the quickstart's examples); returns the summary.
///
/// # Errors
/// 254/255 when publishing stops, 130 on Ctrl-C.
pub(crate) async fn publish(
    opened: Opened,
    channel: &ChannelArn,
    external_id: Option<String>,
    aws: &crate::aws::Aws,
    ctx: &Context,
) -> CliResult<summary::Summary> {
    let name = opened.name.clone();
    let bar = ctx.ui.bar(
        opened.len,
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg}",
    );
    let (records_tx, records_rx) = mpsc::channel(CHUNKS_IN_FLIGHT);
    let consumed = spawn_reader(
        (opened, None),
        RangeSet::default(),
        channel.clone(),
        None,
        records_tx,
    );
    let (receipts_tx, receipts_rx) = mpsc::unbounded_channel();
    let sink = PublisherSink::new(
        aws.sdk_config(),
        destination(channel, external_id.as_deref(), aws)?,
        receipts_tx,
    )?;
    let earlier = Earlier::default();
    let started = Instant::now();
    let Drive {
        tracker,
        read_to_end,
        interrupted,
        fatal,
        broken,
    } = drive(
        sink,
        Tracker::new(None, None, &earlier),
        records_rx,
        receipts_rx,
        &bar,
        &consumed,
    )
    .await?;
    bar.finish_and_clear();
    if let Some(fatal) = fatal {
        return Err(if fatal.service {
            CliError::service(&fatal)
        } else {
            CliError::other(&fatal)
        });
    }
    if interrupted {
        return Err(CliError::interrupted("interrupted"));
    }
    let mut summary = tracker.summary(&earlier, started.elapsed().as_secs_f64());
    summary.file = name;
    summary.channel_arn = channel.to_string();
    summary.complete = read_to_end && broken.is_none() && tracker.unfinished() == 0;
    Ok(summary)
}

/// The publisher's destination: the channel, its external ID, and the configured Region (as every other
/// command calls).
fn destination(
    channel: &ChannelArn,
    external_id: Option<&str>,
    aws: &crate::aws::Aws,
) -> CliResult<ctlake::Destination> {
    let external_id = external_id
        .map(|id| {
            id.parse::<ctlake::ExternalId>()
                .map_err(|e| CliError::usage(format!("--external-id: {e}")))
        })
        .transpose()?;
    ctlake::Destination::builder()
        .name(channel.as_str())
        .channel_arn(channel.clone())
        .set_external_id(external_id)
        .region(aws.region())
        .build()
        .map_err(|e| CliError::usage(format!("--channel-arn: {e}")))
}

/// Opens the input at the start, or where an earlier run stopped.
fn open_at(path: &std::path::Path, earlier: &Earlier) -> CliResult<(Opened, Option<(Format, Position)>)> {
    match (earlier.start, earlier.format) {
        (Some(pos), Some(format)) => {
            let mut file = File::open(path)
                .map_err(|e| CliError::usage(format!("cannot open {}: {e}", path.display())))?;
            let len = file.metadata().ok().map(|m| m.len());
            file.seek(SeekFrom::Start(pos.offset))
                .map_err(|e| CliError::other(format!("cannot seek in {}: {e}", path.display())))?;
            let opened = Opened {
                reader: Box::new(BufReader::with_capacity(1 << 20, file)),
                len,
                name: path.display().to_string(),
            };
            Ok((opened, Some((format, pos))))
        }
        _ => Ok((events::open(path)?, None)),
    }
}

/// Starts the reader thread; returns its byte counter.
fn spawn_reader(
    (opened, resume): (Opened, Option<(Format, Position)>),
    settled: RangeSet,
    channel: ChannelArn,
    catalog: Option<ctlake::catalog::Catalog>,
    tx: mpsc::Sender<FromReader>,
) -> std::sync::Arc<std::sync::atomic::AtomicU64> {
    let mut reader = match resume {
        Some((format, pos)) => Reader::resume(opened.reader, format, pos),
        None => Reader::new(opened.reader),
    };
    let consumed = reader.consumed();
    std::thread::spawn(move || {
        let mut chunk = Vec::with_capacity(CHUNK_RECORDS);
        let mut format_sent = false;
        loop {
            let next = reader.next_record();
            if !format_sent && let Some(f) = reader.format() {
                format_sent = true;
                if tx.blocking_send(FromReader::Format(f)).is_err() {
                    return;
                }
            }
            let end = match next {
                Ok(Some(record)) => {
                    if !settled.contains(record.index) {
                        let at = Position {
                            index: record.index,
                            line: record.line,
                            offset: record.offset,
                        };
                        chunk.push(
                            match check(
                                &record,
                                Against {
                                    channel: Some(&channel),
                                    catalog: catalog.as_ref(),
                                },
                            ) {
                                Ok(valid) => Prepared::Valid {
                                    at,
                                    raw: record.bytes,
                                    entry: valid.entry,
                                },
                                Err(rejection) => Prepared::Invalid {
                                    at,
                                    raw: record.bytes,
                                    rejection,
                                },
                            },
                        );
                    }
                    None
                }
                Ok(None) => Some(None),
                Err(InputError::Structure { line, message }) => {
                    Some(Some(FromReader::Broken { line, message }))
                }
                Err(InputError::Io(e)) => {
                    Some(Some(FromReader::Failed(format!("cannot read the input: {e}"))))
                }
            };
            if chunk.len() >= CHUNK_RECORDS || end.is_some() {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_RECORDS));
                if !full.is_empty() && tx.blocking_send(FromReader::Records(full)).is_err() {
                    return;
                }
            }
            if let Some(last) = end {
                if let Some(msg) = last {
                    let _ = tx.blocking_send(msg);
                }
                return;
            }
        }
    });
    consumed
}

/// How the publishing loop ended.
struct Drive {
    tracker: Tracker,
    read_to_end: bool,
    interrupted: bool,
    fatal: Option<Fatal>,
    broken: Option<(u64, String)>,
}

async fn drive(
    mut sink: impl Sink,
    mut tracker: Tracker,
    mut records: mpsc::Receiver<FromReader>,
    mut receipts: mpsc::UnboundedReceiver<sink::Receipt>,
    bar: &indicatif::ProgressBar,
    consumed: &std::sync::atomic::AtomicU64,
) -> CliResult<Drive> {
    let interrupt = interrupt_signal();
    tokio::pin!(interrupt);
    let mut read_to_end = false;
    let mut interrupted = false;
    let mut fatal = None;
    let mut broken = None;
    'outer: loop {
        while let Ok(receipt) = receipts.try_recv() {
            tracker.settle(&receipt)?;
        }
        tracker.checkpoint()?;
        bar.set_position(consumed.load(std::sync::atomic::Ordering::Relaxed));
        bar.set_message(tracker.progress_message());
        let message = tokio::select! {
            biased;
            () = &mut interrupt => {
                interrupted = true;
                break;
            }
            message = records.recv() => message,
        };
        match message {
            None => {
                read_to_end = true;
                break;
            }
            Some(FromReader::Format(format)) => tracker.format(format),
            Some(FromReader::Broken { line, message }) => {
                broken = Some((line, message));
                read_to_end = true;
                break;
            }
            Some(FromReader::Failed(message)) => {
                fatal = Some(Fatal {
                    service: false,
                    message,
                });
                break;
            }
            Some(FromReader::Records(chunk)) => {
                for prepared in chunk {
                    match prepared {
                        Prepared::Invalid { at, raw, rejection } => {
                            tracker.reject_locally(at, &raw, &rejection)?
                        }
                        Prepared::Valid { at, raw, entry } => {
                            let index = at.index;
                            tracker.register(at, entry.id().as_str(), raw);
                            if let Err(e) = sink.submit(Submission { index, entry }).await {
                                fatal = Some(e);
                                break 'outer;
                            }
                        }
                    }
                }
            }
        }
    }
    // Stop reading (the reader thread ends at its next send), then let the sink end.
    drop(records);
    let mut finished = false;
    if !interrupted && fatal.is_none() {
        // The publisher may still hold thousands of entries: keep recording their receipts (so an
        // interruption now resumes from there) and keep listening for Ctrl-C while they are delivered.
        let finish = sink.finish();
        tokio::pin!(finish);
        loop {
            tokio::select! {
                biased;
                () = &mut interrupt => {
                    interrupted = true;
                    break;
                }
                done = &mut finish => {
                    finished = true;
                    if let Err(e) = done {
                        fatal = Some(e);
                    }
                    break;
                }
                Some(receipt) = receipts.recv() => {
                    tracker.settle(&receipt)?;
                    while let Ok(receipt) = receipts.try_recv() {
                        tracker.settle(&receipt)?;
                    }
                    tracker.checkpoint()?;
                    bar.set_message(tracker.progress_message());
                }
            }
        }
    }
    if !finished {
        sink.abandon().await;
    }
    drop(sink);
    while let Some(receipt) = receipts.recv().await {
        tracker.settle(&receipt)?;
    }
    tracker.checkpoint()?;
    bar.set_position(consumed.load(std::sync::atomic::Ordering::Relaxed));
    Ok(Drive {
        tracker,
        read_to_end,
        interrupted,
        fatal,
        broken,
    })
}

/// Completes on Ctrl-C or SIGTERM.
pub(crate) async fn interrupt_signal() {
    #[cfg(unix)]
    {
        let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
        match term {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
