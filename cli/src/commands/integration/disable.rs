//! `ctlake disable-integration`: take the publisher out of the channel policy, optionally delete the channel
//! and (only with `--delete-event-data-store --yes`) its event data store.

use aws_sdk_cloudtrail::Client;

use super::Change;
use super::bundle::Teardown;
use crate::aws::{is_code, sdk_error};
use crate::cli::DisableArgs;
use crate::context::Context;
use crate::exit::{CliError, CliResult, Outcome};
use crate::resources::policy::{self, PolicyChange, Removal};
use crate::resources::{channels, event_data_stores};

/// How long a deleted event data store can be restored (lake-api.md §3.3 DeleteEventDataStore, peers.md §1
/// "EDS teardown": it stays `PENDING_DELETION` for 7 days and still counts against the quota).
const PENDING_DELETION_DAYS: u32 = 7;

/// `ctlake disable-integration`.
pub(crate) async fn run(args: DisableArgs, ctx: &Context) -> CliResult {
    if ctx.output == crate::cli::OutputFormat::Csv {
        return Err(CliError::usage(
            "--output csv applies to query results; disable-integration prints json, table or text",
        ));
    }
    if args.delete_event_data_store && !args.yes && !args.dry_run {
        return Err(CliError::usage(format!(
            "--delete-event-data-store deletes the stored events too: add --yes to confirm. The store's \
             termination protection is switched off first; it then stays in PENDING_DELETION for \
             {PENDING_DELETION_DAYS} days (restorable with `aws cloudtrail restore-event-data-store`, still counted \
             in the quota of 10 stores per Region) and is then gone for good"
        )));
    }
    let aws = ctx.aws().await?;
    let client = aws.control();
    let teardown = apply(&args, &client, ctx).await?;
    if !teardown.changed {
        ctx.ui.note("No changes: nothing left to remove.");
    }
    crate::output::print(ctx.output, "disable-integration", &teardown)?;
    Ok(Outcome::Success)
}

async fn apply(args: &DisableArgs, client: &Client, ctx: &Context) -> CliResult<Teardown> {
    let mut changes = Vec::new();
    let dry_run = args.dry_run;
    let Some(channel) = channels::get(client, &args.channel).await? else {
        ctx.ui.warn(format!(
            "channel {} does not exist (already removed?)",
            args.channel
        ));
        return Ok(Teardown {
            channel_arn: args.channel.clone(),
            changed: false,
            dry_run,
            changes: vec![Change::new(
                "skip",
                "channel",
                format!("{} does not exist", args.channel),
            )],
        });
    };
    let partition = channel.arn.split(':').nth(1).unwrap_or("aws").to_owned();

    // The policy: only the publisher's part, unless the channel goes anyway.
    let current = channels::policy(client, &channel.arn).await?;
    let removal = if args.principals.is_empty() {
        Removal::CtlakeStatements
    } else {
        let mut gone = Vec::new();
        for p in &args.principals {
            gone.push(policy::principal_arn(p, &partition)?);
        }
        Removal::Principals(gone)
    };
    if !args.delete_channel {
        match policy::remove(current.as_deref(), &removal)? {
            PolicyChange::Unchanged => {
                let detail = match (&removal, current.is_some()) {
                    (_, false) => "the channel has no policy".to_owned(),
                    (Removal::CtlakeStatements, true) => {
                        "no statement written by ctlake (Sid Ctlake…); use --principal to remove principals from \
                         other statements"
                            .to_owned()
                    }
                    (Removal::Principals(p), true) => format!("{} not in the policy", p.join(", ")),
                };
                changes.push(Change::new("unchanged", "channel policy", detail));
            }
            PolicyChange::Put(document) => {
                changes.push(Change::new(
                    "update",
                    "channel policy",
                    describe_removal(&removal, false),
                ));
                if !dry_run {
                    client
                        .put_resource_policy()
                        .resource_arn(&channel.arn)
                        .resource_policy(document)
                        .send()
                        .await
                        .map_err(|e| sdk_error("PutResourcePolicy", e))?;
                }
            }
            PolicyChange::Delete => {
                changes.push(Change::new(
                    "delete",
                    "channel policy",
                    describe_removal(&removal, true),
                ));
                if !dry_run {
                    match client
                        .delete_resource_policy()
                        .resource_arn(&channel.arn)
                        .send()
                        .await
                    {
                        Ok(_) => {}
                        Err(e) if is_code(&e, "ResourcePolicyNotFoundException") => {}
                        Err(e) => return Err(sdk_error("DeleteResourcePolicy", e)),
                    }
                }
            }
        }
    }

    if args.delete_channel {
        changes.push(Change::new(
            "delete",
            "channel",
            format!("{} {} (and its policy)", channel.name, channel.arn),
        ));
        if !dry_run {
            match client.delete_channel().channel(&channel.arn).send().await {
                Ok(_) => {}
                Err(e) if is_code(&e, "ChannelNotFoundException") => {}
                Err(e) => return Err(sdk_error("DeleteChannel", e)),
            }
        }
    }

    if args.delete_event_data_store {
        for arn in &channel.event_data_stores {
            delete_store(client, arn, &channel.arn, dry_run, &mut changes).await?;
        }
    }

    let changed = changes.iter().any(Change::mutates);
    Ok(Teardown {
        channel_arn: channel.arn,
        changed,
        dry_run,
        changes,
    })
}

fn describe_removal(removal: &Removal, whole: bool) -> String {
    let what = match removal {
        Removal::CtlakeStatements => "remove the statements written by ctlake".to_owned(),
        Removal::Principals(p) => format!("remove {}", p.join(", ")),
    };
    if whole {
        format!("{what}: no statement left, the policy is deleted")
    } else {
        format!("{what}; other statements kept")
    }
}

async fn delete_store(
    client: &Client,
    arn: &str,
    channel_arn: &str,
    dry_run: bool,
    changes: &mut Vec<Change>,
) -> CliResult<()> {
    let Some(store) = event_data_stores::get(client, arn).await? else {
        changes.push(Change::new(
            "skip",
            "event data store",
            format!("{arn} does not exist"),
        ));
        return Ok(());
    };
    if store.status == "PENDING_DELETION" {
        changes.push(Change::new(
            "skip",
            "event data store",
            format!("{} is already pending deletion", store.name),
        ));
        return Ok(());
    }
    let others: Vec<String> = channels::list(client)
        .await?
        .into_iter()
        .filter(|c| c.arn != channel_arn && c.event_data_stores.iter().any(|a| a == arn))
        .map(|c| c.name)
        .collect();
    if !others.is_empty() {
        return Err(CliError::usage(format!(
            "event data store {} also receives events from channel(s) {}; AWS does not delete a store that \
             channels deliver to (ChannelExistsForEDSException). Remove those integrations first",
            store.name,
            others.join(", ")
        )));
    }
    if store.termination_protection {
        changes.push(Change::new(
            "update",
            "event data store",
            format!("{}: switch termination protection off", store.name),
        ));
        if !dry_run {
            client
                .update_event_data_store()
                .event_data_store(arn)
                .termination_protection_enabled(false)
                .send()
                .await
                .map_err(|e| sdk_error("UpdateEventDataStore", e))?;
        }
    }
    changes.push(Change::new(
        "delete",
        "event data store",
        format!(
            "{} {arn}: PENDING_DELETION for {PENDING_DELETION_DAYS} days (restorable), then gone",
            store.name
        ),
    ));
    if !dry_run {
        client
            .delete_event_data_store()
            .event_data_store(arn)
            .send()
            .await
            .map_err(|e| {
                let hint = if is_code(&e, "EventDataStoreFederationEnabledException") {
                    " (disable Lake query federation first: aws cloudtrail disable-federation)"
                } else {
                    ""
                };
                sdk_error("DeleteEventDataStore", e).context(format!("cannot delete {}{hint}", store.name))
            })?;
    }
    Ok(())
}
