//! `ctlake quickstart`: the whole flow on an embedded local Lake, no AWS account and no network.
//!
//! 1. Start a local Lake on a free loopback port with its data in `--data-dir` (default `./.ctlake`).
//! 2. `enable-integration` as the account owner (account 000000000000): an event data store, a Custom
//!    channel, and a policy statement for a vendor account (111122223333) with a generated external ID.
//! 3. Publish the example events shipped with ctlake (`examples/events/saas-activity.ndjson`, built into the
//!    binary) as the vendor, cross-account, through the channel policy.
//! 4. Ingest the bundled CloudTrail sample (`examples/cloudtrail/`, two Stratus Red Team attack logs) as change
//!    events with `ingest-changes`, and show them with `query --saved recent-changes` ([`ingest_change_sample`]).
//! 5. Print a query result as a table.
//!
//! A second run reuses everything (enable-integration changes nothing) and does not publish the examples
//! again (a marker in the data directory remembers them), so the query shows the same counts.

use std::path::Path;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use ctlake_changes::classify::ClassifierConfig;
use ctlake_changes::pipeline::{Location, SqsOptions};
use sha2::{Digest, Sha256};

use crate::aws::Aws;
use crate::cli::{EnableArgs, OutputFormat};
use crate::commands::ingest_changes;
use crate::commands::integration;
use crate::commands::put_events;
use crate::commands::query::SavedQuery;
use crate::context::Context;
use crate::events::Opened;
use crate::exit::{CliError, CliResult, Outcome};
use crate::output::{Report, write_stdout};

/// The example events, built in so the quickstart works from any directory.
const EXAMPLE_EVENTS: &str = include_str!("../../../examples/events/saas-activity.ndjson");
/// How the examples are named in messages.
const EXAMPLE_NAME: &str = "examples/events/saas-activity.ndjson";
/// The Region of the embedded Lake.
const REGION: &str = "us-east-1";
/// The account owner: the local Lake's `test` access key is account 000000000000.
const OWNER_KEY: &str = "test";
/// The vendor: a 12-digit access key is that account on the local Lake (secret `test`).
const VENDOR_ACCOUNT: &str = "111122223333";
/// The secret of every local Lake key.
const LOCAL_SECRET: &str = "test";
/// The integration's name.
const INTEGRATION: &str = "quickstart";
/// The marker file that remembers which examples were published.
const MARKER: &str = "quickstart-published.sha256";

/// The query the quickstart prints.
const QUERY: &str = "SELECT eventData.eventName, eventData.userIdentity.principalId, count(*) AS events, \
     count(eventData.errorCode) AS errors FROM {eds} \
     GROUP BY eventData.eventName, eventData.userIdentity.principalId ORDER BY events DESC, eventName, principalId LIMIT 10";

/// `ctlake quickstart`.
pub(crate) async fn run(args: crate::cli::QuickstartArgs, ctx: &Context) -> CliResult {
    std::fs::create_dir_all(&args.data_dir).map_err(|e| {
        CliError::usage(format!(
            "cannot create --data-dir {}: {e}",
            args.data_dir.display()
        ))
    })?;
    let config = ctlake_local::Config::with_data_dir(&args.data_dir);
    let lake = ctlake_local::LocalLake::start(config).await.map_err(|e| {
        CliError::other(format!(
            "cannot start the local Lake with data in {}: {e}",
            args.data_dir.display()
        ))
    })?;
    let endpoint = lake.endpoint_url();
    // Human output: tables whatever --output says, except json for scripts that ask for it.
    let human = Context {
        output: OutputFormat::Table,
        ..ctx.clone()
    };
    let result = walk_through(&args.data_dir, &endpoint, &human).await;
    let stopped = lake.shutdown().await;
    result?;
    stopped.map_err(|e| CliError::other(format!("the local Lake did not stop cleanly: {e}")))?;
    Ok(Outcome::Success)
}

async fn walk_through(data_dir: &Path, endpoint: &str, ctx: &Context) -> CliResult<()> {
    let say = |text: String| write_stdout(format!("{text}\n").as_bytes());
    say(format!(
        "ctlake quickstart: a local CloudTrail Lake on {endpoint} (data in {}), no AWS account needed.\n",
        data_dir.display()
    ))?;

    // 1. The account owner sets up the integration for a vendor account.
    let owner = Aws::from_config(local_config(endpoint, OWNER_KEY))?;
    let enable = EnableArgs {
        name: INTEGRATION.to_owned(),
        source: "Custom".to_owned(),
        principals: vec![VENDOR_ACCOUNT.to_owned()],
        external_id: None,
        event_data_store: None,
        create_event_data_store: true,
        retention_days: 90,
        dry_run: false,
    };
    let bundle = integration::apply_enable(&enable, &owner.control(), owner.region(), ctx).await?;
    say(format!(
        "1. enable-integration --name {INTEGRATION} --principal {VENDOR_ACCOUNT} --create-event-data-store{}\n{}\n",
        if bundle.changed {
            ""
        } else {
            "   (already set up: nothing changed)"
        },
        bundle.table()
    ))?;
    let channel_arn = bundle
        .channel_arn
        .clone()
        .ok_or_else(|| CliError::other("enable-integration returned no channel"))?;
    let store = bundle
        .event_data_store_arn
        .clone()
        .ok_or_else(|| CliError::other("enable-integration returned no event data store"))?;

    // 2. The vendor publishes the example events with the channel ARN and external ID it was given.
    let digest: String = Sha256::digest(EXAMPLE_EVENTS.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let marker = data_dir.join(MARKER);
    let published = std::fs::read_to_string(&marker).is_ok_and(|m| m.trim() == digest);
    if published {
        say(format!(
            "2. put-events {EXAMPLE_NAME}: already published by an earlier quickstart (skipped)\n"
        ))?;
    } else {
        let vendor = Aws::from_config(local_config(endpoint, VENDOR_ACCOUNT))?;
        let channel = channel_arn
            .parse()
            .map_err(|e| CliError::other(format!("channel ARN: {e}")))?;
        let opened = Opened {
            reader: Box::new(std::io::Cursor::new(EXAMPLE_EVENTS.as_bytes())),
            len: Some(EXAMPLE_EVENTS.len() as u64),
            name: EXAMPLE_NAME.to_owned(),
        };
        let summary = put_events::publish(opened, &channel, bundle.external_id.clone(), &vendor, ctx).await?;
        if summary.rejected > 0 || !summary.complete {
            return Err(CliError::other(format!(
                "the example events were not all accepted: {} accepted, {} rejected",
                summary.accepted, summary.rejected
            )));
        }
        std::fs::write(&marker, &digest)
            .map_err(|e| CliError::other(format!("cannot write {}: {e}", marker.display())))?;
        say(format!(
            "2. put-events {EXAMPLE_NAME} --channel-arn … --external-id … (as the vendor, account {VENDOR_ACCOUNT})\n{}\n",
            summary.table()
        ))?;
    }

    let table = crate::resources::event_data_stores::id_from_arn(&store)
        .unwrap_or(&store)
        .to_owned();

    // 3. Change events from CloudTrail logs.
    ingest_change_sample(data_dir, &owner, &channel_arn, &table, ctx).await?;

    // 4. Lake SQL.
    say(format!(
        "5. query: events per name and principal\n   {}\n",
        QUERY.replace("{eds}", &table)
    ))?;
    let sql = QUERY.replace("{eds}", &table);
    crate::commands::query::execute(&owner.control(), &sql, ctx, std::time::Duration::from_secs(60)).await?;
    say(format!(
        "\nNext: `ctlake local serve` keeps a Lake running for the AWS CLI and SDKs; `ctlake query --saved top-actors \
         --event-data-store {table} --endpoint-url …` runs saved queries; see `ctlake --help`."
    ))?;
    Ok(())
}

/// The bundled CloudTrail sample: file name and content (Stratus Red Team attack logs, Apache-2.0).
const CHANGE_SAMPLES: [(&str, &str); 2] = [
    (
        "stratus-red-team__aws.persistence.iam-create-admin-user.json",
        include_str!(
            "../../../examples/cloudtrail/stratus-red-team__aws.persistence.iam-create-admin-user.json"
        ),
    ),
    (
        "stratus-red-team__aws.defense-evasion.cloudtrail-stop.json",
        include_str!(
            "../../../examples/cloudtrail/stratus-red-team__aws.defense-evasion.cloudtrail-stop.json"
        ),
    ),
];

/// Ingests the bundled CloudTrail sample as change events, as the account owner, into the quickstart's channel,
/// and shows them with the saved query `recent-changes`. The checkpoint lives in the data directory, so a
/// second quickstart publishes nothing again.
async fn ingest_change_sample(
    data_dir: &Path,
    owner: &Aws,
    channel_arn: &str,
    table: &str,
    ctx: &Context,
) -> CliResult<()> {
    let say = |text: String| write_stdout(format!("{text}\n").as_bytes());
    let dir = data_dir.join("cloudtrail-sample");
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::other(format!("cannot create {}: {e}", dir.display())))?;
    for (name, content) in CHANGE_SAMPLES {
        let path = dir.join(name);
        // Rewriting an unchanged file would change its version and have the checkpoint read it again.
        if std::fs::read_to_string(&path).is_ok_and(|old| old == content) {
            continue;
        }
        std::fs::write(&path, content)
            .map_err(|e| CliError::other(format!("cannot write {}: {e}", path.display())))?;
    }
    let plan = ingest_changes::Plan {
        sources: vec![Location::Local(dir.clone())],
        channel: channel_arn
            .parse()
            .map_err(|e| CliError::other(format!("channel ARN: {e}")))?,
        external_id: None,
        classifier: ClassifierConfig::default(),
        checkpoint: Some(data_dir.join("ingest-changes.checkpoint")),
        reject_file: None,
        dry_run: false,
        sqs: SqsOptions::default(),
    };
    let (summary, stopped) = ingest_changes::ingest(&plan, Some(owner), ctx).await?;
    if let Some(stopped) = stopped {
        return Err(stopped);
    }
    if summary.rejected > 0 || summary.unfinished > 0 {
        return Err(CliError::other(format!(
            "the sample changes were not all accepted: {} published, {} rejected",
            summary.published, summary.rejected
        )));
    }
    say(format!(
        "3. ingest-changes {} --channel-arn … (CloudTrail logs → change events, as the account owner){}\n{}\n",
        dir.display(),
        if summary.published == 0 {
            "\n   (already ingested by an earlier quickstart: nothing sent again)"
        } else {
            ""
        },
        summary.table()
    ))?;
    let sql = SavedQuery::RecentChanges.sql().replace("{eds}", table);
    say(format!(
        "4. query --saved recent-changes: the change events\n   {sql}\n"
    ))?;
    crate::commands::query::execute(&owner.control(), &sql, ctx, std::time::Duration::from_secs(60)).await?;
    say(String::new())
}

/// An AWS configuration for the embedded Lake: fixed Region, local endpoint, a local access key.
fn local_config(endpoint: &str, access_key: &str) -> SdkConfig {
    let credentials = Credentials::new(access_key, LOCAL_SECRET, None, None, "ctlake-quickstart");
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build()
}
