//! `ctlake ingest-changes SOURCE…`: CloudTrail logs → the records that change something → normalized change
//! events → the channel, through the SDK publisher.
//!
//! The reading, classifying, normalizing, checkpointing and SQS bookkeeping are `ctlake_changes::pipeline`'s;
//! this command wires it to the [`ctlake::Publisher`] (`consume`), keeps the published journal that makes an
//! interrupted run resumable without duplicates (`journal`), the reject file (`rejects`) and the summary
//! (`summary`). [`ingest`] is the whole run without argument parsing (the quickstart calls it).

mod consume;
mod journal;
mod rejects;
mod summary;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;
use ctlake::{AccountId, ChannelArn, Destination, ExternalId};
use ctlake_changes::classify::{Classifier, ClassifierConfig, RuleAction};
use ctlake_changes::normalize::Normalizer;
use ctlake_changes::pipeline::{Ingest, Location, PipelineOptions, SqsOptions};
use ctlake_changes::read::{AwsOptions, MAX_MESSAGES_PER_RECEIVE, MAX_VISIBILITY_TIMEOUT, MAX_WAIT};

use self::consume::Consumer;
use self::journal::Journal;
use self::rejects::{RejectFile, Rejected, Source};
pub(crate) use self::summary::Summary;
use crate::aws::Aws;
use crate::cli::OutputFormat;
use crate::context::Context;
use crate::exit::{CliError, CliResult, Outcome};

/// The default checkpoint file.
const DEFAULT_CHECKPOINT: &str = ".ctlake/ingest-changes.checkpoint";

/// Ingest CloudTrail logs as change events: keep the records that change something, normalize them, publish.
///
/// SOURCE is a local file or folder (`.json` and `.json.gz` CloudTrail log files, `{"Records":[…]}`, bare
/// arrays, EventBridge "AWS API Call via CloudTrail" events), `s3://bucket/prefix` (every log object under the
/// prefix; digest and Insights files are skipped) or `sqs://QUEUE` (a queue URL, `sqs://https://…`, or a queue
/// name) that receives S3 event notifications — sent directly, through SNS (raw or not) or as CloudTrail's own
/// SNS delivery notifications. A queue is read until Ctrl-C/SIGTERM, or with --until-empty until it is empty.
///
/// A record is a change by the rules of `change-detection.md` §1.4 (no reads, failures, sign-ins, data events or
/// agent noise), adjusted by --config (TOML: include/exclude globs, read-only policy, noise list, CloudWatch Logs
/// filter-pattern rules) and --rules (shipped rule sets: cis, cloudwatch-alarms, all). Each change becomes an
/// event of source changes.ctlake.dev whose UID is the CloudTrail eventID, so a re-run sends the same identifiers.
///
/// Checkpoint: objects whose every change was accepted or finally rejected are recorded in --checkpoint and
/// skipped by later runs; the changes Lake accepted are journaled next to it (FILE.published). An interrupted or
/// killed run loses nothing and sends nothing twice when run again: an SQS message is deleted only when all its
/// changes are settled, and a partly read object is read again with its published changes skipped. Use one
/// checkpoint per channel.
///
/// Malformed records, unreadable objects and changes Lake refuses go to --reject-file (JSON lines naming the
/// object, the record and the reason); the exit code is then 1.
#[derive(Debug, Args)]
pub(crate) struct IngestChangesArgs {
    /// Local files or folders, s3://bucket/prefix, sqs://queue-url-or-name.
    #[arg(value_name = "SOURCE", required = true)]
    pub(crate) sources: Vec<String>,

    /// The channel to publish to; its account is the events' recipientAccountId.
    #[arg(long, value_name = "ARN")]
    pub(crate) channel_arn: String,

    /// The external ID required by the channel's policy, if any.
    #[arg(long, value_name = "ID")]
    pub(crate) external_id: Option<String>,

    /// Classifier configuration (TOML).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// Also keep the records matched by a shipped rule set (repeatable): cis, cloudwatch-alarms, all.
    #[arg(long = "rules", value_name = "SET")]
    pub(crate) rule_sets: Vec<String>,

    /// The checkpoint file (created when missing).
    #[arg(long, value_name = "FILE", default_value = DEFAULT_CHECKPOINT, conflicts_with = "no_checkpoint")]
    pub(crate) checkpoint: PathBuf,

    /// Keep no checkpoint: read every object, and an interrupted run starts over.
    #[arg(long)]
    pub(crate) no_checkpoint: bool,

    /// Write malformed records, unreadable objects and rejected changes to this file (JSON lines, appended).
    #[arg(long, value_name = "F")]
    pub(crate) reject_file: Option<PathBuf>,

    /// Print the normalized change events as NDJSON instead of publishing (nothing is checkpointed or deleted;
    /// the summary goes to standard error).
    #[arg(long)]
    pub(crate) dry_run: bool,

    /// sqs://: stop at the first receive that returns no message.
    #[arg(long)]
    pub(crate) until_empty: bool,

    /// sqs://: long-poll wait of each receive, in seconds (0–20).
    #[arg(long, value_name = "SECONDS", default_value_t = 20,
          value_parser = clap::value_parser!(u64).range(0..=MAX_WAIT.as_secs()))]
    pub(crate) wait: u64,

    /// sqs://: visibility timeout of received messages, in seconds, at most 43200 (extended while their objects
    /// are read).
    #[arg(long, value_name = "SECONDS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..=MAX_VISIBILITY_TIMEOUT.as_secs()))]
    pub(crate) visibility_timeout: u64,
}

/// A run, resolved from the arguments.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The sources, in order.
    pub(crate) sources: Vec<Location>,
    /// Where to publish (the recipient account is its owner).
    pub(crate) channel: ChannelArn,
    /// The external ID of the channel's policy.
    pub(crate) external_id: Option<ExternalId>,
    /// The classifier configuration.
    pub(crate) classifier: ClassifierConfig,
    /// The checkpoint file.
    pub(crate) checkpoint: Option<PathBuf>,
    /// The reject file.
    pub(crate) reject_file: Option<PathBuf>,
    /// Print instead of publishing.
    pub(crate) dry_run: bool,
    /// Queue behaviour.
    pub(crate) sqs: SqsOptions,
}

/// `ctlake ingest-changes`.
pub(crate) async fn run(args: IngestChangesArgs, ctx: &Context) -> CliResult {
    if ctx.output == OutputFormat::Csv {
        return Err(CliError::usage(
            "--output csv applies to query results; ingest-changes prints json, table or text",
        ));
    }
    let plan = plan(args)?;
    let local_only = plan.sources.iter().all(|s| matches!(s, Location::Local(_)));
    // A dry run over local files needs no AWS configuration at all.
    let aws = if plan.dry_run && local_only {
        None
    } else {
        Some(ctx.aws().await?)
    };
    let dry_run = plan.dry_run;
    let (summary, stopped) = ingest(&plan, aws.as_ref(), ctx).await?;
    if dry_run {
        if ctx.ui.notes_shown() {
            ctx.ui.note(crate::output::Report::table(&summary));
        }
    } else {
        crate::output::print(ctx.output, "ingest-changes", &summary)?;
    }
    if let Some(stop) = stopped {
        return Err(stop);
    }
    Ok(if summary.partial() {
        Outcome::Partial
    } else {
        Outcome::Success
    })
}

/// Checks the arguments and loads the classifier configuration.
fn plan(args: IngestChangesArgs) -> CliResult<Plan> {
    let channel: ChannelArn = args
        .channel_arn
        .parse()
        .map_err(|e| CliError::usage(format!("--channel-arn: {e}")))?;
    let external_id = args
        .external_id
        .as_deref()
        .map(ExternalId::try_from)
        .transpose()
        .map_err(|e| CliError::usage(format!("--external-id: {e}")))?;
    let sources = args
        .sources
        .iter()
        .map(|s| s.parse::<Location>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CliError::usage(e.to_string()))?;
    for source in &sources {
        if let Location::Local(path) = source
            && !path.exists()
        {
            return Err(CliError::usage(format!(
                "{}: no such file or folder",
                path.display()
            )));
        }
    }
    let mut classifier = match &args.config {
        Some(path) => ClassifierConfig::from_toml_file(path).map_err(|e| CliError::usage(chain(&e)))?,
        None => ClassifierConfig::default(),
    };
    for set in args.rule_sets {
        classifier.rule_sets.push((set, RuleAction::Keep));
    }
    // Unknown rule sets and bad patterns are reported now, not after connecting.
    Classifier::new(&classifier).map_err(|e| CliError::usage(chain(&e)))?;
    Ok(Plan {
        sources,
        channel,
        external_id,
        classifier,
        checkpoint: (!args.no_checkpoint).then_some(args.checkpoint),
        reject_file: args.reject_file,
        dry_run: args.dry_run,
        sqs: SqsOptions {
            wait: Duration::from_secs(args.wait).min(MAX_WAIT),
            visibility_timeout: Duration::from_secs(args.visibility_timeout),
            max_messages: MAX_MESSAGES_PER_RECEIVE,
            until_empty: args.until_empty,
        },
    })
}

/// Runs `plan`: every source in turn through the pipeline and the publisher (or standard output in a dry run).
/// Returns the summary and, when the run stopped early (interrupted, or a failure that stops publishing), the
/// error to exit with once the summary is printed.
///
/// # Errors
/// 252 for a checkpoint or reject file that cannot be used, 253/254/255 when a source cannot be reached.
pub(crate) async fn ingest(
    plan: &Plan,
    aws: Option<&Aws>,
    ctx: &Context,
) -> CliResult<(Summary, Option<CliError>)> {
    let started = Instant::now();
    let account: AccountId = plan.channel.account_id().clone();
    let classifier = Classifier::new(&plan.classifier).map_err(|e| CliError::usage(chain(&e)))?;
    let ingest = Ingest::new(classifier, Normalizer::new(account));
    let journal = match (&plan.checkpoint, plan.dry_run) {
        (Some(path), false) => {
            ensure_parent(path)?;
            Some(Journal::open(&Journal::path_for(path))?)
        }
        _ => None,
    };
    // A dry run keeps no state: it skips what an earlier run checkpointed, but creates nothing.
    let checkpoint = match &plan.checkpoint {
        Some(path) if plan.dry_run => path.exists().then(|| path.clone()),
        Some(path) => {
            ensure_parent(path)?;
            Some(path.clone())
        }
        None => None,
    };
    let mut rejects = plan.reject_file.as_deref().map(RejectFile::open).transpose()?;
    let publishing = match (plan.dry_run, aws) {
        (false, Some(aws)) => {
            let destination = Destination::builder()
                .channel_arn(plan.channel.clone())
                .set_external_id(plan.external_id.clone())
                .build()
                .map_err(|e| CliError::usage(format!("--channel-arn: {e}")))?;
            Some((aws, destination))
        }
        (false, None) => return Err(CliError::other("publishing needs an AWS configuration")),
        (true, _) => None,
    };
    let aws_options = AwsOptions {
        endpoint_url: ctx.global.endpoint_url.clone(),
        region: aws.map(|a| a.region().to_owned()),
        profile: ctx.global.profile.clone(),
        credentials: None,
    };
    let mut consumer = Consumer::new(publishing, journal, ctx)?;
    let mut summary = Summary {
        sources: plan.sources.iter().map(ToString::to_string).collect(),
        channel_arn: Some(plan.channel.to_string()),
        dry_run: plan.dry_run,
        checkpoint: plan.checkpoint.as_ref().map(|p| p.display().to_string()),
        reject_file: plan.reject_file.as_ref().map(|p| p.display().to_string()),
        ..Summary::default()
    };
    let options = PipelineOptions {
        dry_run: plan.dry_run,
        checkpoint,
        buffer: 1024,
        sqs: plan.sqs.clone(),
    };
    let mut complete = true;
    for location in &plan.sources {
        let account = consumer
            .run_source(
                location,
                &aws_options,
                ingest.clone(),
                options.clone(),
                rejects.as_mut(),
            )
            .await?;
        summary.add(&account);
        write_input_rejects(&account, rejects.as_mut())?;
        complete &= account.object_errors.is_empty() && account.objects_stopped == 0;
        if consumer.stopping() {
            complete = false;
            break;
        }
    }
    let outcome = consumer.finish().await;
    summary.published = outcome.published;
    summary.already_published = outcome.already_published;
    summary.rejected = outcome.rejected;
    summary.rejected_by_code = outcome.rejected_by_code;
    summary.complete = complete && outcome.stopped.is_none() && summary.unfinished == 0;
    summary.elapsed_seconds = started.elapsed().as_secs_f64();
    for warning in &summary.warnings {
        ctx.ui.warn(warning);
    }
    Ok((summary, outcome.stopped))
}

/// Malformed records and unreadable objects go to the reject file.
fn write_input_rejects(
    account: &ctlake_changes::pipeline::Summary,
    rejects: Option<&mut RejectFile>,
) -> CliResult<()> {
    let Some(rejects) = rejects else {
        return Ok(());
    };
    for record in &account.malformed_records {
        rejects.write(&Rejected {
            object: &record.object,
            record: Some(record.index),
            uid: None,
            code: "MalformedRecord",
            message: &record.reason,
            source: Source::Input,
        })?;
    }
    for error in &account.object_errors {
        // The library's message starts with the object's name.
        let (object, message) = error.split_once(": ").unwrap_or(("", error));
        rejects.write(&Rejected {
            object,
            record: None,
            uid: None,
            code: "UnreadableObject",
            message,
            source: Source::Input,
        })?;
    }
    Ok(())
}

fn ensure_parent(path: &Path) -> CliResult<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir)
            .map_err(|e| CliError::usage(format!("--checkpoint {}: {e}", path.display()))),
        _ => Ok(()),
    }
}

/// An error with its sources, `: `-separated.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

/// The examples at the end of `ctlake ingest-changes --help`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  ctlake ingest-changes ./AWSLogs/ --channel-arn $CHANNEL --reject-file rejects.jsonl
  ctlake ingest-changes s3://my-trail-bucket/AWSLogs/123456789012/CloudTrail/ --channel-arn $CHANNEL --rules cis
  ctlake ingest-changes sqs://trail-notifications --channel-arn $CHANNEL          # until Ctrl-C
  ctlake ingest-changes sqs://https://sqs.us-east-1.amazonaws.com/123456789012/trail --channel-arn $CHANNEL --until-empty
  ctlake ingest-changes trail.json.gz --channel-arn $CHANNEL --dry-run | jq .eventName";
