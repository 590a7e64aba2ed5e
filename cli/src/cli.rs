//! All the clap types: the command tree, the global options and one `Args` struct per command. Doc comments
//! here are the user manual: the first line is the short help, later paragraphs the long help.
//!
//! Plugging in a command owned elsewhere takes one variant in [`Command`] and one arm in
//! `commands::run` (see `commands/mod.rs`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::query::SavedQuery;
use crate::exit::EXIT_CODES_HELP;

/// Set up CloudTrail Lake integrations, publish and validate activity events, and query them.
///
/// ctlake follows the AWS CLI's conventions: --profile, --region, --endpoint-url and the AWS_* environment
/// variables (AWS_PROFILE, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_CLOUDTRAIL,
/// AWS_ENDPOINT_URL_CLOUDTRAIL_DATA, AWS_DEFAULT_OUTPUT, …) work as they do for `aws`, including SSO and
/// credential_process profiles.
///
/// Results go to standard output in the --output format; progress and notes go to standard error, and only
/// when it is a terminal (or with -v).
///
/// Start with `ctlake quickstart`: it runs everything against an embedded local Lake, no AWS account needed.
#[derive(Debug, Parser)]
#[command(
    name = "ctlake",
    version,
    max_term_width = 110,
    after_long_help = EXIT_CODES_HELP,
    after_help = "Exit codes: 0 ok, 1 partial failure, 130 interrupted, 252 usage, 253 config/credentials, 254 service error, 255 other (see --help)."
)]
pub(crate) struct Cli {
    /// Options that apply to every command.
    #[command(flatten)]
    pub(crate) global: GlobalArgs,

    /// The command to run.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options shared by every command, as in the AWS CLI.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub(crate) struct GlobalArgs {
    /// Use a named profile from ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, then `default`).
    #[arg(long, global = true, value_name = "PROFILE")]
    pub(crate) profile: Option<String>,

    /// The AWS Region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile's `region`).
    #[arg(long, global = true, value_name = "REGION")]
    pub(crate) region: Option<String>,

    /// Send every AWS call to this URL instead of the Region's endpoint (e.g. a local Lake:
    /// http://127.0.0.1:4599). Default: AWS_ENDPOINT_URL_CLOUDTRAIL / AWS_ENDPOINT_URL_CLOUDTRAIL_DATA, then
    /// AWS_ENDPOINT_URL.
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) endpoint_url: Option<String>,

    /// Output format of the result on standard output (default: AWS_DEFAULT_OUTPUT, then the profile's
    /// `output`, then json). csv applies to query results only.
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub(crate) output: Option<OutputFormat>,

    /// Never show progress bars or spinners (they are hidden anyway when standard error is not a terminal).
    #[arg(long, global = true)]
    pub(crate) no_progress: bool,

    /// More detail on standard error: -v notes and AWS calls, -vv debug logs, -vvv everything.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub(crate) verbose: u8,

    /// Only errors on standard error: no progress, notes or warnings.
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
}

/// The format of a command's result on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// JSON, for scripts and jq (the AWS CLI's default).
    Json,
    /// A table for people.
    Table,
    /// Tab-separated values, one record per line, for shell tools (cut, awk, read).
    Text,
    /// Comma-separated values with a header row (query results only).
    Csv,
}

impl OutputFormat {
    /// Parses a value of `AWS_DEFAULT_OUTPUT` or a profile's `output` setting; formats ctlake does not
    /// have (yaml, off) give `None`.
    pub(crate) fn from_setting(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "json" => Some(Self::Json),
            "table" => Some(Self::Table),
            "text" => Some(Self::Text),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Try everything on an embedded local Lake (set up, publish, query), no AWS account needed.
    #[command(after_help = QUICKSTART_EXAMPLES)]
    Quickstart(QuickstartArgs),

    /// Run a local, wire-compatible CloudTrail Lake.
    #[command(subcommand)]
    Local(LocalCommand),

    /// Set up (or check) an integration: event data store, channel and the publisher's channel policy.
    ///
    /// Idempotent: it finds what exists and creates or changes only what is missing, and a second run changes
    /// nothing and says so. The result is the hand-off bundle for the publisher (the vendor): channel ARN,
    /// account, Region, external ID and event data store.
    ///
    /// Event data store: with --event-data-store, that one (ID, ARN or name; it must select ActivityAuditLog
    /// events). Otherwise an existing store that qualifies (ActivityAuditLog selector, single-Region, not an
    /// organization store, enabled) is reused; with --create-event-data-store one named NAME is created when
    /// none qualifies. CloudTrail Lake no longer accepts new customers (since 2026-05-31): when AWS refuses a
    /// new store for that reason, ctlake says so and lists the stores you can reuse.
    ///
    /// Channel: one channel per source (AWS allows one per partner source); Custom channels are found by NAME.
    ///
    /// Policy: one statement per integration (Sid `ctlake-NAME`) allowing cloudtrail-data:PutAuditEvents to the
    /// --principal accounts or ARNs with the external ID condition, merged into the channel's resource policy:
    /// other statements are kept as they are. AWS limits a policy to 20 statements and a statement to 50
    /// principals.
    ///
    /// External ID: a vendor publishing from its own account (a cross-account principal) supplies one; pass it
    /// with --external-id. When a cross-account principal has none, a random one is generated and printed:
    /// hand it to the publisher together with the channel ARN. Principals of the channel's own account need
    /// no external ID.
    #[command(after_help = ENABLE_EXAMPLES)]
    EnableIntegration(EnableArgs),

    /// Remove an integration: the publisher's policy statement, optionally the channel and the event data store.
    #[command(after_help = DISABLE_EXAMPLES)]
    DisableIntegration(DisableArgs),

    /// Validate and publish events from a file (NDJSON or a JSON array) to a channel.
    ///
    /// Each record is an eventData object or a PutAuditEvents record {"id", "eventData", "eventDataChecksum"?}.
    /// NDJSON has one record per line; a JSON array may span lines. Files of any size are streamed in
    /// constant memory. Every record is validated as CloudTrail Lake would (and against --catalog) before it
    /// is sent; invalid records are not sent.
    ///
    /// Records without an "id" get one derived from their position and UID, so a re-run sends the same ids.
    ///
    /// The summary (accepted, rejected by code, retried) goes to standard output. --reject-file receives one
    /// JSON line per rejected record: {"line", "index", "id", "code", "message", "source", "record"}. The exit
    /// code is 1 when any record was rejected.
    ///
    /// Resume: while it runs, put-events keeps a state file next to FILE (FILE.ctlake-resume). When a run is
    /// interrupted (Ctrl-C, a network or service failure), run the same command with --resume: records already
    /// accepted or rejected are not sent again. The state file is removed when the file is done.
    #[command(after_help = PUT_EVENTS_EXAMPLES)]
    PutEvents(PutEventsArgs),

    // The help of these two is their Args struct's doc comment (`commands/alarms/args.rs`).
    IngestAlarms(crate::commands::alarms::args::IngestAlarmsArgs),

    ServeSns(crate::commands::alarms::args::ServeSnsArgs),

    /// Rank the changes made before an alarm by how likely they caused it, and say why.
    ///
    /// Reads the alarm's latest `alarm.triggered` event (recorded by `ingest-alarms` or `serve-sns`) and the
    /// change events (`ingest-changes`) of the --window before it, and scores each change by time proximity,
    /// region, service (the alarm's metric namespace), the alarm's dimension values in the change, named resources
    /// and risk (the CIS rule sets: IAM, security groups, network ACLs, gateways, routes, CloudTrail, KMS). Each
    /// candidate shows its score components and why they have their values (--output json has them all).
    #[command(after_help = SUGGEST_CAUSES_EXAMPLES)]
    SuggestCauses(crate::commands::suggest_causes::SuggestCausesArgs),

    #[command(after_help = crate::commands::ingest_changes::EXAMPLES)]
    IngestChanges(crate::commands::ingest_changes::IngestChangesArgs),

    /// Check events in a file (NDJSON or a JSON array) without sending anything.
    ///
    /// Every problem is reported with its line number, JSON path and rule; the exit code is 1 when any record
    /// is invalid.
    #[command(after_help = VALIDATE_EXAMPLES)]
    Validate(ValidateArgs),

    /// Run a Lake SQL query and print the results.
    ///
    /// The query runs with StartQuery; ctlake waits (with a spinner), then pages through GetQueryResults.
    /// The table name of a Lake query is the event data store's ID. Write {eds} in the SQL and pass
    /// --event-data-store (ID, ARN or name) to have it filled in.
    ///
    /// Saved queries (--saved NAME, they need --event-data-store):
    ///   recent-events     the 50 latest events
    ///   recent-changes    the 50 latest change events (from `ctlake ingest-changes`)
    ///   top-actors        principals by number of events
    ///   events-by-source  number of events per eventSource and eventName
    ///   errors            the 50 latest events that carry an errorCode
    ///
    /// Output: --output table, json (an array of objects, one per row, keys in column order), text
    /// (tab-separated, no header) or csv (with a header). Lake returns every value as a string.
    #[command(after_help = QUERY_EXAMPLES)]
    Query(QueryArgs),

    /// Print a shell completion script.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),

    /// Check an event-source catalog, or generate its typed Rust and its Markdown docs.
    #[command(subcommand)]
    Catalog(crate::commands::catalog::CatalogCommand),
}

/// `ctlake local …`.
#[derive(Debug, Subcommand)]
pub(crate) enum LocalCommand {
    /// Serve a local Lake on 127.0.0.1 until Ctrl-C or SIGTERM.
    ///
    /// It speaks the CloudTrail control plane and PutAuditEvents on one port, so the AWS CLI, the AWS SDKs and
    /// ctlake work against it with --endpoint-url. Data lives in --data-dir (SQLite) and survives restarts.
    /// Credentials: access key `test` / secret `test` is account 000000000000; an access key of 12 digits is
    /// that account (secret `test`). When ready it prints its endpoint URL on one line.
    #[command(after_help = LOCAL_SERVE_EXAMPLES)]
    Serve(LocalServeArgs),
}

/// Options of `quickstart`.
#[derive(Debug, Args)]
pub(crate) struct QuickstartArgs {
    /// Where the local Lake keeps its data.
    #[arg(long, value_name = "DIR", default_value = ".ctlake")]
    pub(crate) data_dir: PathBuf,
}

/// Options of `local serve`.
#[derive(Debug, Args)]
pub(crate) struct LocalServeArgs {
    /// The port on 127.0.0.1 (0 picks a free one).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LOCAL_PORT)]
    pub(crate) port: u16,

    /// Where the local Lake keeps its data.
    #[arg(long, value_name = "DIR", default_value = ".ctlake")]
    pub(crate) data_dir: PathBuf,
}

/// The default port of `ctlake local serve`.
pub(crate) const DEFAULT_LOCAL_PORT: u16 = 4599;

/// Options of `enable-integration`.
#[derive(Debug, Args)]
pub(crate) struct EnableArgs {
    /// The integration's name: the channel's name (Custom source), the policy statement's Sid and the name of
    /// an event data store created for it (3–128 characters: letters, digits, `.`, `_`, `-`).
    #[arg(long, value_name = "NAME")]
    pub(crate) name: String,

    /// The channel's source: Custom, or a partner source such as GitHub, OktaSystemLogEvents, IBMMulticloud.
    #[arg(long, value_name = "SOURCE", default_value = "Custom")]
    pub(crate) source: String,

    /// Who may publish: a 12-digit account ID or an IAM ARN (repeat for several). Default: the channel's own
    /// account.
    #[arg(long = "principal", value_name = "ACCOUNT_ID|ARN")]
    pub(crate) principals: Vec<String>,

    /// The external ID the publisher sends with every call (required by the policy's condition).
    #[arg(long, value_name = "ID")]
    pub(crate) external_id: Option<String>,

    /// Use this event data store (ID, ARN or name).
    #[arg(long, value_name = "ID|ARN", conflicts_with = "create_event_data_store")]
    pub(crate) event_data_store: Option<String>,

    /// Create an event data store named NAME when no existing one qualifies.
    #[arg(long)]
    pub(crate) create_event_data_store: bool,

    /// Retention of a created event data store, in days (7–3653).
    #[arg(long, value_name = "N", default_value_t = 90, requires = "create_event_data_store",
          value_parser = clap::value_parser!(i32).range(7..=3653))]
    pub(crate) retention_days: i32,

    /// Print the plan and change nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

/// Options of `disable-integration`.
#[derive(Debug, Args)]
pub(crate) struct DisableArgs {
    /// The channel (ARN or ID).
    #[arg(long, value_name = "ARN")]
    pub(crate) channel: String,

    /// Remove only these principals from the channel policy (default: the whole integration: every
    /// statement ctlake added, and with --delete-channel the channel).
    #[arg(long = "principal", value_name = "ACCOUNT_ID|ARN")]
    pub(crate) principals: Vec<String>,

    /// Also delete the channel (publishers can no longer send to it).
    #[arg(long)]
    pub(crate) delete_channel: bool,

    /// Also delete the channel's event data store. Needs --yes. Termination protection is switched off
    /// first; the store stays in PENDING_DELETION for 7 days (restorable, still counted in the quota of 10).
    #[arg(long, requires = "delete_channel")]
    pub(crate) delete_event_data_store: bool,

    /// Confirm --delete-event-data-store.
    #[arg(long)]
    pub(crate) yes: bool,

    /// Print the plan and change nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

/// Options of `put-events`.
#[derive(Debug, Args)]
pub(crate) struct PutEventsArgs {
    /// The input file, or - for standard input.
    #[arg(value_name = "FILE|-")]
    pub(crate) file: PathBuf,

    /// The channel to publish to.
    #[arg(long, value_name = "ARN")]
    pub(crate) channel_arn: String,

    /// The external ID required by the channel's policy, if any.
    #[arg(long, value_name = "ID")]
    pub(crate) external_id: Option<String>,

    /// Also check each event against an event-source catalog directory.
    #[arg(long, value_name = "DIR")]
    pub(crate) catalog: Option<PathBuf>,

    /// Write every rejected record to this file (JSON lines), with its line number and reason.
    #[arg(long, value_name = "F")]
    pub(crate) reject_file: Option<PathBuf>,

    /// Continue an interrupted run of the same file and channel: what was accepted is not sent again.
    #[arg(long, conflicts_with = "restart")]
    pub(crate) resume: bool,

    /// Forget an interrupted run's state and send the whole file again.
    #[arg(long)]
    pub(crate) restart: bool,
}

/// Options of `validate`.
#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// The input file, or - for standard input.
    #[arg(value_name = "FILE|-")]
    pub(crate) file: PathBuf,

    /// Also check each event against an event-source catalog directory.
    #[arg(long, value_name = "DIR")]
    pub(crate) catalog: Option<PathBuf>,

    /// Also check that recipientAccountId is the owner of this channel.
    #[arg(long, value_name = "ARN")]
    pub(crate) channel_arn: Option<String>,
}

/// Options of `query`.
#[derive(Debug, Args)]
pub(crate) struct QueryArgs {
    /// The Lake SQL statement; {eds} stands for the --event-data-store table.
    #[arg(
        value_name = "SQL",
        required_unless_present = "saved",
        conflicts_with = "saved"
    )]
    pub(crate) sql: Option<String>,

    /// The event data store (ID, ARN or name) that {eds} stands for.
    #[arg(
        long,
        value_name = "ID|ARN",
        env = "CTLAKE_EVENT_DATA_STORE",
        hide_env_values = true
    )]
    pub(crate) event_data_store: Option<String>,

    /// Run a saved query instead of SQL.
    #[arg(long, value_enum, value_name = "NAME")]
    pub(crate) saved: Option<SavedQuery>,

    /// Stop waiting after this many seconds (the query is cancelled).
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    pub(crate) timeout: u64,
}

/// Options of `completions`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

const QUICKSTART_EXAMPLES: &str = "\
Examples:
  ctlake quickstart                       # data in ./.ctlake
  ctlake quickstart --data-dir /tmp/lake  # somewhere else";

const LOCAL_SERVE_EXAMPLES: &str = "\
Examples:
  ctlake local serve --port 4599 --data-dir ./.ctlake
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 \\
    ctlake --endpoint-url http://127.0.0.1:4599 enable-integration --name demo --create-event-data-store";

const ENABLE_EXAMPLES: &str = "\
Examples:
  # A vendor publishing from account 111122223333 with the external ID it gave you:
  ctlake enable-integration --name acme --principal 111122223333 --external-id acme-7f3a
  # A partner source, reusing a store, plan only:
  ctlake enable-integration --name okta --source OktaSystemLogEvents --principal 111122223333 \\
    --event-data-store my-activity-store --dry-run
  # Your own publisher in this account, creating the store if needed; the bundle as JSON:
  ctlake --output json enable-integration --name internal-app --create-event-data-store";

const DISABLE_EXAMPLES: &str = "\
Examples:
  ctlake disable-integration --channel arn:aws:cloudtrail:us-east-1:123456789012:channel/EXAMPLE
  ctlake disable-integration --channel EXAMPLE --principal 111122223333
  ctlake disable-integration --channel EXAMPLE --delete-channel --delete-event-data-store --yes";

const PUT_EVENTS_EXAMPLES: &str = "\
Examples:
  ctlake put-events events.ndjson --channel-arn $CHANNEL --external-id $EXTERNAL_ID --reject-file rejects.jsonl
  ctlake put-events events.ndjson --channel-arn $CHANNEL --resume     # after an interruption
  gunzip -c events.json.gz | ctlake put-events - --channel-arn $CHANNEL --catalog event-sources/";

const VALIDATE_EXAMPLES: &str = "\
Examples:
  ctlake validate events.ndjson
  ctlake validate events.json --catalog event-sources/ --output json
  ctlake validate events.ndjson --channel-arn arn:aws:cloudtrail:us-east-1:123456789012:channel/EXAMPLE";

const QUERY_EXAMPLES: &str = "\
Examples:
  ctlake query 'SELECT eventData.eventName, count(*) AS n FROM {eds} GROUP BY eventData.eventName' \\
    --event-data-store my-store --output table
  ctlake query --saved top-actors --event-data-store my-store --output csv > actors.csv
  ctlake query 'SELECT eventData.UID FROM EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE LIMIT 10' --output text";

const SUGGEST_CAUSES_EXAMPLES: &str = "\
Examples:
  ctlake suggest-causes --alarm cpu-high --event-data-store my-store --output table
  # An earlier incident, looking back 6 hours, the top 3 as JSON:
  ctlake suggest-causes --alarm api-5xx-rate --at 2024-05-01T10:15:00Z --window 6h --limit 3 \\
    --event-data-store my-store";

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  ctlake completions bash > ~/.local/share/bash-completion/completions/ctlake
  ctlake completions zsh > ~/.zfunc/_ctlake
  ctlake completions fish > ~/.config/fish/completions/ctlake.fish";

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_tree_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_go_anywhere() {
        let cli = Cli::try_parse_from([
            "ctlake",
            "validate",
            "x.ndjson",
            "--output",
            "table",
            "--region",
            "eu-west-1",
            "-q",
        ])
        .unwrap();
        assert_eq!(cli.global.output, Some(OutputFormat::Table));
        assert_eq!(cli.global.region.as_deref(), Some("eu-west-1"));
        assert!(cli.global.quiet);
    }

    #[test]
    fn output_settings_parse_like_the_aws_cli() {
        assert_eq!(OutputFormat::from_setting(" JSON "), Some(OutputFormat::Json));
        assert_eq!(OutputFormat::from_setting("table"), Some(OutputFormat::Table));
        assert_eq!(OutputFormat::from_setting("yaml"), None);
    }

    #[test]
    fn delete_event_data_store_needs_delete_channel() {
        let err = Cli::try_parse_from([
            "ctlake",
            "disable-integration",
            "--channel",
            "x",
            "--delete-event-data-store",
        ])
        .unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::MissingRequiredArgument);
    }

    #[test]
    fn query_needs_sql_or_saved() {
        assert!(Cli::try_parse_from(["ctlake", "query"]).is_err());
        assert!(Cli::try_parse_from(["ctlake", "query", "--saved", "top-actors"]).is_ok());
        assert!(Cli::try_parse_from(["ctlake", "query", "SELECT 1", "--saved", "top-actors"]).is_err());
    }
}
