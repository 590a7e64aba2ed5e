//! The clap types of `ingest-alarms` and `serve-sns` (plugged into `cli::Command` like `suggest-causes`).

use std::net::IpAddr;
use std::path::PathBuf;

use clap::Args;

/// Where alarm (and change) events go, and the files an intake keeps. Shared by `ingest-alarms` and `serve-sns`.
#[derive(Debug, Args)]
pub(crate) struct LakeArgs {
    /// The channel to publish the events to.
    #[arg(long, value_name = "ARN")]
    pub(crate) channel_arn: String,

    /// The external ID required by the channel's policy, if any.
    #[arg(long, value_name = "ID")]
    pub(crate) external_id: Option<String>,

    /// The alarm state file: which alarms are in an open incident, so that a repeated ALARM is recorded as a
    /// repeat and OK closes the incident with its duration. Created when missing; keep one per alarm topic and
    /// do not share it between two running intakes.
    #[arg(long, value_name = "F", default_value = ".ctlake/alarm-state.json")]
    pub(crate) state_file: PathBuf,

    /// Append every event Lake refuses for good to this file (JSON lines) with its code and reason; the
    /// message that carried it is then done. Each message that cannot be read or carries nothing to record is
    /// written here too (code MalformedMessage or NotAnAlarm, with the reason and the body): ingest-alarms then
    /// deletes it, serve-sns answers 400.
    #[arg(long, value_name = "F")]
    pub(crate) reject_file: Option<PathBuf>,
}

/// Record CloudWatch alarm notifications from an SQS queue as alarm events in Lake.
///
/// The queue is subscribed to the SNS topic your alarms notify (raw or non-raw delivery; Lambda-shaped
/// bodies work too). Each state change becomes an event of ctlake's alarm source (alarms.ctlake.dev):
/// alarm.triggered (a repeated ALARM of an alarm already in ALARM is marked repeat, not a new incident),
/// alarm.resolved (with the incident's duration) or alarm.insufficientData. `ctlake suggest-causes` reads them.
///
/// A message is deleted only once every event it carries has a final answer from Lake (accepted, or refused
/// for good and written to --reject-file) and the state file is saved. When Lake refuses the channel itself
/// (ChannelNotFound, ChannelInsufficientPermission: a wrong --external-id, say) the run stops with exit code
/// 254 and the messages stay on the queue, visible again at once; messages Lake could not take after the
/// publisher's retries stay too and come back after the visibility timeout. Messages that are not alarm
/// notifications, or cannot be read, are written to --reject-file with the reason and deleted (without
/// --reject-file they are left on the queue, for its dead-letter queue); either way they are listed in the
/// summary. SNS subscription confirmations are deleted after their SubscribeURL is printed.
///
/// Endpoints: --endpoint-url sends SQS and Lake calls to one URL; use AWS_ENDPOINT_URL_SQS and
/// AWS_ENDPOINT_URL_CLOUDTRAIL_DATA to send them to different places.
///
/// Runs until Ctrl-C or SIGTERM, or with --once until the queue is empty, or until --max-messages were
/// received; then prints a summary. The exit code is 1 when an event or a message was rejected or a message
/// was left on the queue.
#[derive(Debug, Args)]
#[command(after_help = INGEST_ALARMS_EXAMPLES)]
pub(crate) struct IngestAlarmsArgs {
    /// The queue: sqs://https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, sqs://sqs.REGION.amazonaws.com/ACCOUNT/NAME
    /// or sqs://NAME (resolved with GetQueueUrl).
    #[arg(value_name = "sqs://QUEUE")]
    // This text is also `--help`'s, where `<…>` around the URL would show as typed.
    #[allow(rustdoc::bare_urls)]
    pub(crate) queue: String,

    /// Where the events go.
    #[command(flatten)]
    pub(crate) lake: LakeArgs,

    /// Stop at the first receive that finds the queue empty (cron jobs, scripts).
    #[arg(long)]
    pub(crate) once: bool,

    /// Stop after receiving this many messages.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) max_messages: Option<u64>,

    /// Long-poll wait per ReceiveMessage, 0–20 seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 20,
          value_parser = clap::value_parser!(u64).range(0..=20))]
    pub(crate) wait_seconds: u64,

    /// How long received messages stay hidden from other consumers while their events are published
    /// (seconds, 1–43200). A message whose events could not be published reappears after it.
    #[arg(long, value_name = "SECONDS", default_value_t = 120,
          value_parser = clap::value_parser!(u64).range(1..=43_200))]
    pub(crate) visibility_timeout: u64,
}

/// Receive SNS notifications over HTTP: alarms become alarm events, CloudTrail log deliveries change events.
///
/// Subscribe this endpoint to your alarm topic (and, if you like, to CloudTrail's log-delivery topic) with an
/// HTTPS subscription; terminate TLS in front of it (a load balancer or reverse proxy) and forward to --bind and
/// --port. Every POST is checked: the topic must be one of --topic-arn, the SNS signature must verify
/// (SignatureVersion 1 and 2; the signing certificate must come from sns.REGION.amazonaws.com over HTTPS and is
/// cached), and raw message delivery is refused (it is unsigned). A SubscriptionConfirmation of a configured
/// topic is confirmed by visiting its SubscribeURL; other topics get 403.
///
/// Alarm notifications are recorded like `ctlake ingest-alarms` does. A CloudTrail log-delivery notification
/// ({"s3Bucket", "s3ObjectKey": [...]}) makes serve-sns read those log files from S3 and publish their changes
/// as `ingest-changes` does (classified with --rules). A notification is answered 200 only once every event
/// has a final answer from Lake, 503 otherwise (SNS then delivers it again), 400 when it is not understood
/// (and then written to --reject-file).
///
/// Endpoints: --endpoint-url sends S3 and Lake calls to one URL; use AWS_ENDPOINT_URL_S3 and
/// AWS_ENDPOINT_URL_CLOUDTRAIL_DATA to send them to different places.
///
/// When it is listening it prints its URL on one line; on Ctrl-C or SIGTERM it delivers what is queued and
/// prints a summary. GET /health answers 200.
#[derive(Debug, Args)]
#[command(after_help = SERVE_SNS_EXAMPLES)]
pub(crate) struct ServeSnsArgs {
    /// The port to listen on (0 picks a free one).
    #[arg(long, value_name = "N")]
    pub(crate) port: u16,

    /// The address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub(crate) bind: IpAddr,

    /// A topic whose messages are accepted (repeat for several): arn:aws:sns:REGION:ACCOUNT:NAME.
    #[arg(long = "topic-arn", value_name = "ARN", required = true)]
    pub(crate) topic_arns: Vec<String>,

    /// Where the events go.
    #[command(flatten)]
    pub(crate) lake: LakeArgs,

    /// Classifier rules (TOML) for the changes read from CloudTrail log deliveries (default: the built-in
    /// change rule and noise list).
    #[arg(long, value_name = "FILE")]
    pub(crate) rules: Option<PathBuf>,

    /// For tests only: also trust certificate and subscribe URLs on this loopback origin
    /// (http://127.0.0.1:PORT).
    #[arg(long, value_name = "ORIGIN", hide = true)]
    pub(crate) test_allow_origin: Option<String>,

    /// For tests only: fetch AWS certificate and subscribe URLs from this loopback origin (a moto_server), with
    /// the AWS Host header.
    #[arg(long, value_name = "ORIGIN", hide = true)]
    pub(crate) test_aws_via: Option<String>,
}

const INGEST_ALARMS_EXAMPLES: &str = "\
Examples:
  # Every 5 minutes from cron: drain the queue, then exit.
  ctlake ingest-alarms sqs://https://sqs.us-east-1.amazonaws.com/123456789012/alarm-events \\
    --channel-arn $CHANNEL --once --reject-file alarm-rejects.jsonl
  # As a service (until SIGTERM), with the state kept elsewhere:
  ctlake ingest-alarms sqs://alarm-events --channel-arn $CHANNEL \\
    --state-file /var/lib/ctlake/alarms.json
  # Then: which change caused it?
  ctlake suggest-causes --alarm cpu-high --event-data-store my-store --output table";

const SERVE_SNS_EXAMPLES: &str = "\
Examples:
  ctlake serve-sns --port 8080 --topic-arn arn:aws:sns:us-east-1:123456789012:alarms --channel-arn $CHANNEL
  # Alarms and CloudTrail log deliveries, behind a TLS-terminating proxy:
  ctlake serve-sns --port 8080 --bind 0.0.0.0 \\
    --topic-arn arn:aws:sns:us-east-1:123456789012:alarms \\
    --topic-arn arn:aws:sns:us-east-1:123456789012:cloudtrail-logs \\
    --channel-arn $CHANNEL --external-id $EXTERNAL_ID --rules changes.toml
  # Subscribe it (SNS then posts a SubscriptionConfirmation, which serve-sns confirms):
  aws sns subscribe --topic-arn arn:aws:sns:us-east-1:123456789012:alarms --protocol https \\
    --notification-endpoint https://hooks.example.com/sns";
