//! `ctlake enable-integration`: find or create the event data store and the channel, merge the publisher's
//! statement into the channel policy, print the hand-off bundle.

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::types::{Destination, DestinationType};

use super::Change;
use super::bundle::Bundle;
use crate::aws::{describe, sdk_error};
use crate::cli::EnableArgs;
use crate::context::Context;
use crate::exit::{CliError, CliResult, Outcome};
use crate::resources::channels::{self, CUSTOM_SOURCE, ChannelInfo};
use crate::resources::event_data_stores::{self, StoreInfo};
use crate::resources::policy::{self, Grant, PolicyChange};

/// Shortest and longest channel or event data store name, and its characters ([BC-CT] `Name`, 3–128,
/// `^[a-zA-Z0-9._\-]+$`).
const MIN_NAME_CHARS: usize = 3;
const MAX_NAME_CHARS: usize = 128;

/// The words AWS uses when it refuses a new event data store to an account that is not a Lake customer
/// (lake-api.md §6; peers.md §0 item 1).
const NEW_CUSTOMER_REFUSAL: &str = "no longer accepting new customers";

/// `ctlake enable-integration`.
pub(crate) async fn run(args: EnableArgs, ctx: &Context) -> CliResult {
    if ctx.output == crate::cli::OutputFormat::Csv {
        return Err(CliError::usage(
            "--output csv applies to query results; enable-integration prints json, table or text",
        ));
    }
    check_name(&args.name)?;
    if let Some(id) = &args.external_id {
        ctlake::ExternalId::try_from(id.as_str())
            .map_err(|e| CliError::usage(format!("--external-id: {e}")))?;
    }
    let aws = ctx.aws().await?;
    let bundle = apply(&args, &aws.control(), aws.region(), ctx).await?;
    if let Some(id) = bundle
        .external_id
        .as_deref()
        .filter(|_| bundle.external_id_generated)
    {
        ctx.ui.important(format!(
            "Generated external ID: {id}\nGive it to the publisher together with the channel ARN; it must be sent \
             with every PutAuditEvents call."
        ));
    }
    if !bundle.changed {
        ctx.ui.note("No changes: the integration is already set up.");
    } else if bundle.dry_run {
        ctx.ui.note("Dry run: nothing was changed.");
    }
    crate::output::print(ctx.output, "enable-integration", &bundle)?;
    Ok(Outcome::Success)
}

/// Plans and (unless `--dry-run`) applies the integration; the quickstart calls this directly.
///
/// # Errors
/// 252 for unusable options (a store that does not qualify, too many statements), 254 for service errors,
/// including AWS's refusal of a new event data store.
pub(crate) async fn apply(
    args: &EnableArgs,
    client: &Client,
    region: &str,
    ctx: &Context,
) -> CliResult<Bundle> {
    let mut changes = Vec::new();
    let dry_run = args.dry_run;

    // The channel first: an existing one decides the store unless --event-data-store says otherwise.
    let existing_channel = find_channel(client, &args.source, &args.name).await?;
    let store = choose_store(client, args, existing_channel.as_ref(), &mut changes, ctx).await?;
    let store = match store {
        StoreChoice::Existing(store) => Some(store),
        StoreChoice::Create => {
            changes.push(Change::new(
                "create",
                "event data store",
                format!(
                    "{} (ActivityAuditLog, single-Region, {} days, termination protection on)",
                    args.name, args.retention_days
                ),
            ));
            if dry_run {
                None
            } else {
                Some(create_store(client, args).await?)
            }
        }
    };
    let store_arn = store.as_ref().map(|s| s.arn.clone());

    let channel = match existing_channel {
        Some(channel) => {
            let missing = store_arn
                .as_ref()
                .filter(|arn| !channel.event_data_stores.contains(arn));
            if let Some(arn) = missing {
                changes.push(Change::new(
                    "update",
                    "channel",
                    format!("{}: also deliver to {arn}", channel.name),
                ));
                if !dry_run {
                    let mut destinations = channel.event_data_stores.clone();
                    destinations.push(arn.clone());
                    update_destinations(client, &channel.arn, &destinations).await?;
                }
            } else {
                changes.push(Change::new(
                    "reuse",
                    "channel",
                    format!("{} (source {}) {}", channel.name, channel.source, channel.arn),
                ));
            }
            Some(channel)
        }
        None => {
            changes.push(Change::new(
                "create",
                "channel",
                format!("{} (source {})", args.name, args.source),
            ));
            match (&store_arn, dry_run) {
                (Some(arn), false) => Some(create_channel(client, args, arn).await?),
                _ => None,
            }
        }
    };

    // The account and partition come from the ARNs; in a dry run that creates everything they are unknown.
    let known_arn = channel.as_ref().map(|c| c.arn.as_str()).or(store_arn.as_deref());
    let account = known_arn.and_then(arn_account).map(str::to_owned);
    let partition = known_arn
        .and_then(arn_partition)
        .unwrap_or_else(|| partition_of_region(region))
        .to_owned();

    let mut principals = Vec::new();
    for p in &args.principals {
        principals.push(policy::principal_arn(p, &partition)?);
    }
    if principals.is_empty()
        && let Some(account) = &account
    {
        principals.push(format!("arn:{partition}:iam::{account}:root"));
    }
    principals.sort();
    principals.dedup();
    let cross_account = principals
        .iter()
        .any(|p| policy::principal_account(p) != account.as_deref() || account.is_none());

    let sid = policy::sid(&args.name);
    let current_policy = match &channel {
        Some(c) => channels::policy(client, &c.arn).await?,
        None => None,
    };
    let previous_statement = policy::find_statement(current_policy.as_deref(), &sid)?;
    let (external_id, generated) = match (
        &args.external_id,
        previous_statement
            .as_ref()
            .and_then(policy::statement_external_id),
    ) {
        (Some(given), _) => (Some(given.clone()), false),
        (None, Some(existing)) => (Some(existing), false),
        (None, None) if cross_account => (Some(generate_external_id()), true),
        (None, None) => (None, false),
    };

    match &channel {
        Some(c) if !principals.is_empty() => {
            let grant = Grant {
                sid: sid.clone(),
                principals: principals.clone(),
                external_id: external_id.clone(),
                channel_arn: c.arn.clone(),
            };
            match policy::merge(current_policy.as_deref(), &grant)? {
                PolicyChange::Unchanged => changes.push(Change::new(
                    "unchanged",
                    "channel policy",
                    format!("statement {sid} already allows {}", principals.join(", ")),
                )),
                PolicyChange::Put(document) => {
                    let action = if previous_statement.is_some() {
                        "update"
                    } else {
                        "create"
                    };
                    let others = if current_policy.is_some() {
                        " (other statements kept)"
                    } else {
                        ""
                    };
                    changes.push(Change::new(
                        action,
                        "channel policy",
                        format!("statement {sid} allows {}{others}", principals.join(", ")),
                    ));
                    if !dry_run {
                        client
                            .put_resource_policy()
                            .resource_arn(&c.arn)
                            .resource_policy(document)
                            .send()
                            .await
                            .map_err(|e| sdk_error("PutResourcePolicy", e))?;
                    }
                }
                PolicyChange::Delete => {}
            }
        }
        _ => changes.push(Change::new(
            "create",
            "channel policy",
            format!(
                "statement {sid} allows {}",
                if principals.is_empty() {
                    "this account".to_owned()
                } else {
                    principals.join(", ")
                }
            ),
        )),
    }

    let changed = changes.iter().any(Change::mutates);
    Ok(Bundle {
        channel_arn: channel.as_ref().map(|c| c.arn.clone()),
        channel_name: channel
            .as_ref()
            .map_or_else(|| args.name.clone(), |c| c.name.clone()),
        source: args.source.clone(),
        account_id: account,
        region: region.to_owned(),
        external_id,
        external_id_generated: generated,
        principals,
        event_data_store_arn: store_arn,
        event_data_store_name: store.map_or_else(|| args.name.clone(), |s| s.name),
        changed,
        dry_run,
        changes,
    })
}

fn check_name(name: &str) -> CliResult<()> {
    let chars = name.chars().count();
    let ok = (MIN_NAME_CHARS..=MAX_NAME_CHARS).contains(&chars)
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(CliError::usage(format!(
            "--name `{name}`: use {MIN_NAME_CHARS}–{MAX_NAME_CHARS} characters: letters, digits, `.`, `_`, `-`"
        )))
    }
}

/// The channel of `source`: for a partner source the one channel of that source, for Custom the channel
/// named `name`.
async fn find_channel(client: &Client, source: &str, name: &str) -> CliResult<Option<ChannelInfo>> {
    let all = channels::list(client).await?;
    if let Some(named) = all.iter().find(|c| c.name == name) {
        if named.source != source {
            return Err(CliError::usage(format!(
                "a channel named {name} already exists with source {} (not {source}); choose another --name",
                named.source
            )));
        }
        return Ok(Some(named.clone()));
    }
    if source == CUSTOM_SOURCE {
        return Ok(None);
    }
    Ok(all.into_iter().find(|c| c.source == source))
}

enum StoreChoice {
    Existing(StoreInfo),
    Create,
}

async fn choose_store(
    client: &Client,
    args: &EnableArgs,
    channel: Option<&ChannelInfo>,
    changes: &mut Vec<Change>,
    ctx: &Context,
) -> CliResult<StoreChoice> {
    if let Some(spec) = &args.event_data_store {
        let store = event_data_stores::resolve(client, spec).await?;
        if let Some(why) = store.why_not() {
            return Err(CliError::usage(format!(
                "event data store {} ({}) cannot take integration events: {why}",
                store.name, store.id
            )));
        }
        changes.push(Change::new(
            "reuse",
            "event data store",
            format!("{} {}", store.name, store.arn),
        ));
        return Ok(StoreChoice::Existing(store));
    }
    if let Some(arn) = channel.and_then(|c| c.event_data_stores.first())
        && let Some(store) = event_data_stores::get(client, arn).await?
    {
        changes.push(Change::new(
            "reuse",
            "event data store",
            format!("{} {} (the channel's destination)", store.name, store.arn),
        ));
        return Ok(StoreChoice::Existing(store));
    }
    let stores = event_data_stores::list(client).await?;
    let qualifying: Vec<&StoreInfo> = stores.iter().filter(|s| s.qualifies()).collect();
    if let Some(store) = qualifying.iter().find(|s| s.name == args.name) {
        changes.push(Change::new(
            "reuse",
            "event data store",
            format!("{} {}", store.name, store.arn),
        ));
        return Ok(StoreChoice::Existing((*store).clone()));
    }
    match qualifying.as_slice() {
        [one] => {
            ctx.ui.note(format!(
                "Reusing the only qualifying event data store, {}.",
                one.name
            ));
            changes.push(Change::new(
                "reuse",
                "event data store",
                format!("{} {}", one.name, one.arn),
            ));
            Ok(StoreChoice::Existing((*one).clone()))
        }
        [] if args.create_event_data_store => Ok(StoreChoice::Create),
        [] => Err(CliError::usage(format!(
            "no event data store here takes integration events{}; pass --create-event-data-store to create one \
             named {}, or --event-data-store ID|ARN",
            describe_others(&stores),
            args.name
        ))),
        several => Err(CliError::usage(format!(
            "several event data stores can take integration events ({}); choose one with --event-data-store",
            several
                .iter()
                .map(|s| format!("{} {}", s.name, s.id))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn describe_others(stores: &[StoreInfo]) -> String {
    if stores.is_empty() {
        return String::new();
    }
    let list: Vec<String> = stores
        .iter()
        .map(|s| format!("{} ({})", s.name, s.why_not().unwrap_or_default()))
        .collect();
    format!(" (existing stores: {})", list.join("; "))
}

async fn create_store(client: &Client, args: &EnableArgs) -> CliResult<StoreInfo> {
    let created = client
        .create_event_data_store()
        .name(&args.name)
        .advanced_event_selectors(event_data_stores::activity_selector()?)
        .multi_region_enabled(false)
        .organization_enabled(false)
        .retention_period(args.retention_days)
        .termination_protection_enabled(true)
        .send()
        .await;
    let created = match created {
        Ok(out) => out,
        Err(e) if describe(&e).to_ascii_lowercase().contains(NEW_CUSTOMER_REFUSAL) => {
            let stores = event_data_stores::list(client).await.unwrap_or_default();
            let reusable: Vec<String> = stores
                .iter()
                .filter(|s| s.qualifies())
                .map(|s| format!("  {} {}", s.name, s.arn))
                .collect();
            let advice = if reusable.is_empty() {
                "This account has no event data store that can take integration events, so CloudTrail Lake cannot \
                 be used here; AWS suggests Amazon CloudWatch instead."
                    .to_owned()
            } else {
                format!(
                    "Reuse an existing store with --event-data-store:\n{}",
                    reusable.join("\n")
                )
            };
            return Err(CliError::service(format!(
                "AWS refused to create a new event data store: CloudTrail Lake no longer accepts new customers \
                 (since 2026-05-31); existing stores keep working.\n{advice}\n(AWS said: {})",
                describe(&e)
            )));
        }
        Err(e) => return Err(sdk_error("CreateEventDataStore", e)),
    };
    let arn = created
        .event_data_store_arn()
        .ok_or_else(|| CliError::service("CreateEventDataStore returned no ARN"))?
        .to_owned();
    event_data_stores::get(client, &arn)
        .await?
        .ok_or_else(|| CliError::service(format!("the new event data store {arn} cannot be read back")))
}

async fn create_channel(client: &Client, args: &EnableArgs, store_arn: &str) -> CliResult<ChannelInfo> {
    let destination = Destination::builder()
        .r#type(DestinationType::EventDataStore)
        .location(store_arn)
        .build()
        .map_err(CliError::other)?;
    let created = client
        .create_channel()
        .name(&args.name)
        .source(&args.source)
        .destinations(destination)
        .send()
        .await
        .map_err(|e| sdk_error("CreateChannel", e))?;
    let arn = created
        .channel_arn()
        .ok_or_else(|| CliError::service("CreateChannel returned no ARN"))?;
    Ok(ChannelInfo {
        arn: arn.to_owned(),
        name: args.name.clone(),
        source: args.source.clone(),
        event_data_stores: vec![store_arn.to_owned()],
    })
}

async fn update_destinations(client: &Client, channel_arn: &str, stores: &[String]) -> CliResult<()> {
    let mut update = client.update_channel().channel(channel_arn);
    for arn in stores {
        update = update.destinations(
            Destination::builder()
                .r#type(DestinationType::EventDataStore)
                .location(arn)
                .build()
                .map_err(CliError::other)?,
        );
    }
    update.send().await.map_err(|e| sdk_error("UpdateChannel", e))?;
    Ok(())
}

/// A random external ID: 32 hex digits (122 random bits), within the allowed 2–1224 characters of
/// `[\w+=,.@:/-]`.
fn generate_external_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The account of a CloudTrail ARN (`arn:partition:cloudtrail:region:account:…`).
pub(crate) fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':')
        .nth(4)
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
}

fn arn_partition(arn: &str) -> Option<&str> {
    arn.split(':').nth(1).filter(|p| !p.is_empty())
}

fn partition_of_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_api_pattern() {
        assert!(check_name("acme-prod.v2_x").is_ok());
        assert!(check_name("ab").is_err());
        assert!(check_name("has space").is_err());
        assert!(check_name(&"a".repeat(129)).is_err());
    }

    #[test]
    fn arns_give_account_and_partition() {
        let arn = "arn:aws-cn:cloudtrail:cn-north-1:123456789012:channel/x";
        assert_eq!(arn_account(arn), Some("123456789012"));
        assert_eq!(arn_partition(arn), Some("aws-cn"));
        assert_eq!(arn_account("nonsense"), None);
        assert_eq!(partition_of_region("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_of_region("eu-west-1"), "aws");
    }

    #[test]
    fn generated_external_ids_are_valid_and_differ() {
        let a = generate_external_id();
        assert!(ctlake::ExternalId::try_from(a.as_str()).is_ok());
        assert_eq!(a.len(), 32);
        assert_ne!(a, generate_external_id());
    }
}
