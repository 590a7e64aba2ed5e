//! Event data stores: listing, resolving an ID/ARN/name, and which stores can take integration events.

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::types::{AdvancedEventSelector, AdvancedFieldSelector, EventDataStoreStatus};
use serde::Serialize;

use crate::aws::{is_code, sdk_error};
use crate::exit::{CliError, CliResult};

/// The event category of activity events from integrations (the only selector an integration store may
/// have: `eventCategory Equals ActivityAuditLog`, lake-api.md §3.3 [UG-CLI], [API-AFS]).
pub(crate) const ACTIVITY_AUDIT_LOG: &str = "ActivityAuditLog";

/// What ctlake needs to know about an event data store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoreInfo {
    /// The ARN.
    pub(crate) arn: String,
    /// The ID (the ARN's last part; the table name in Lake SQL).
    pub(crate) id: String,
    /// The name.
    pub(crate) name: String,
    /// The status (`ENABLED`, `PENDING_DELETION`, …).
    pub(crate) status: String,
    /// Whether its only selector is `eventCategory = ActivityAuditLog`.
    pub(crate) activity_audit_log: bool,
    /// Multi-Region (integration stores must be single-Region).
    pub(crate) multi_region: bool,
    /// Organization store (integration stores must not be).
    pub(crate) organization: bool,
    /// Termination protection.
    pub(crate) termination_protection: bool,
    /// Retention in days.
    pub(crate) retention_days: Option<i32>,
}

impl StoreInfo {
    /// Whether a channel can send integration events to it: ActivityAuditLog only, single-Region, not an
    /// organization store, and not stopped or being deleted.
    pub(crate) fn qualifies(&self) -> bool {
        self.activity_audit_log
            && !self.multi_region
            && !self.organization
            && matches!(self.status.as_str(), "ENABLED" | "CREATED" | "STARTING_INGESTION")
    }

    /// Why it does not qualify, in words.
    pub(crate) fn why_not(&self) -> Option<String> {
        let mut reasons = Vec::new();
        if !self.activity_audit_log {
            reasons.push("it does not select ActivityAuditLog events".to_owned());
        }
        if self.multi_region {
            reasons.push("it is multi-Region".to_owned());
        }
        if self.organization {
            reasons.push("it is an organization store".to_owned());
        }
        if !matches!(self.status.as_str(), "ENABLED" | "CREATED" | "STARTING_INGESTION") {
            reasons.push(format!("its status is {}", self.status));
        }
        (!reasons.is_empty()).then(|| reasons.join(", "))
    }
}

/// The selector of an integration store.
pub(crate) fn activity_selector() -> CliResult<AdvancedEventSelector> {
    let field = AdvancedFieldSelector::builder()
        .field("eventCategory")
        .equals(ACTIVITY_AUDIT_LOG)
        .build()
        .map_err(CliError::other)?;
    AdvancedEventSelector::builder()
        .name("Select all external events")
        .field_selectors(field)
        .build()
        .map_err(CliError::other)
}

fn is_activity_only(selectors: &[AdvancedEventSelector]) -> bool {
    !selectors.is_empty()
        && selectors.iter().all(|s| {
            s.field_selectors()
                .iter()
                .any(|f| f.field() == "eventCategory" && f.equals().iter().any(|v| v == ACTIVITY_AUDIT_LOG))
        })
}

/// The ID part of an event data store ARN (`…:eventdatastore/ID`), or `None` when `s` is not such an ARN.
pub(crate) fn id_from_arn(s: &str) -> Option<&str> {
    s.strip_prefix("arn:")
        .and_then(|rest| rest.rsplit_once(":eventdatastore/"))
        .map(|(_, id)| id)
        .filter(|id| !id.is_empty())
}

/// Reads one store (by ID or ARN).
///
/// # Errors
/// 254 for service errors other than "not found" (which is `Ok(None)`).
pub(crate) async fn get(client: &Client, id_or_arn: &str) -> CliResult<Option<StoreInfo>> {
    let out = match client
        .get_event_data_store()
        .event_data_store(id_or_arn)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e)
            if is_code(&e, "EventDataStoreNotFoundException")
                || is_code(&e, "EventDataStoreARNInvalidException")
                || is_code(&e, "InvalidParameterException") =>
        {
            return Ok(None);
        }
        Err(e) => return Err(sdk_error("GetEventDataStore", e)),
    };
    let arn = out.event_data_store_arn().unwrap_or_default().to_owned();
    Ok(Some(StoreInfo {
        id: id_from_arn(&arn).unwrap_or(&arn).to_owned(),
        name: out.name().unwrap_or_default().to_owned(),
        status: out
            .status()
            .map(EventDataStoreStatus::as_str)
            .unwrap_or("UNKNOWN")
            .to_owned(),
        activity_audit_log: is_activity_only(out.advanced_event_selectors()),
        multi_region: out.multi_region_enabled().unwrap_or(false),
        organization: out.organization_enabled().unwrap_or(false),
        termination_protection: out.termination_protection_enabled().unwrap_or(false),
        retention_days: out.retention_period(),
        arn,
    }))
}

/// Every store of the account in the Region, with details.
///
/// # Errors
/// 254 when a call fails.
pub(crate) async fn list(client: &Client) -> CliResult<Vec<StoreInfo>> {
    let mut arns = Vec::new();
    let mut token = None;
    loop {
        let out = client
            .list_event_data_stores()
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| sdk_error("ListEventDataStores", e))?;
        arns.extend(
            out.event_data_stores()
                .iter()
                .filter_map(|s| s.event_data_store_arn().map(str::to_owned)),
        );
        token = out.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let mut stores = Vec::with_capacity(arns.len());
    for arn in arns {
        // The list's own members are deprecated; GetEventDataStore has them all.
        if let Some(store) = get(client, &arn).await? {
            stores.push(store);
        }
    }
    Ok(stores)
}

/// Finds a store by ARN, ID or name.
///
/// # Errors
/// 252 when nothing matches (naming the stores there are), 254 when a call fails.
pub(crate) async fn resolve(client: &Client, spec: &str) -> CliResult<StoreInfo> {
    if let Some(store) = get(client, spec).await? {
        return Ok(store);
    }
    let stores = list(client).await?;
    if let Some(store) = stores.iter().find(|s| s.name == spec || s.id == spec) {
        return Ok(store.clone());
    }
    let known = if stores.is_empty() {
        "there are no event data stores in this account and Region".to_owned()
    } else {
        format!(
            "the stores here are: {}",
            stores
                .iter()
                .map(|s| format!("{} ({})", s.name, s.id))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Err(CliError::usage(format!("no event data store `{spec}`: {known}")))
}

/// The table name of a store for Lake SQL: the ID of an ARN without a call, otherwise resolved.
///
/// # Errors
/// As [`resolve`].
pub(crate) async fn table_name(client: &Client, spec: &str) -> CliResult<String> {
    if let Some(id) = id_from_arn(spec) {
        return Ok(id.to_owned());
    }
    Ok(resolve(client, spec).await?.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_from_arns() {
        assert_eq!(
            id_from_arn("arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852"),
            Some("EXAMPLE-f852")
        );
        assert_eq!(id_from_arn("EXAMPLE-f852"), None);
        assert_eq!(
            id_from_arn("arn:aws:cloudtrail:us-east-1:123456789012:channel/x"),
            None
        );
        assert_eq!(
            id_from_arn("arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/"),
            None
        );
    }

    fn store(status: &str) -> StoreInfo {
        StoreInfo {
            arn: "arn".into(),
            id: "id".into(),
            name: "n".into(),
            status: status.into(),
            activity_audit_log: true,
            multi_region: false,
            organization: false,
            termination_protection: true,
            retention_days: Some(7),
        }
    }

    #[test]
    fn qualification_names_every_reason() {
        assert!(store("ENABLED").qualifies());
        assert_eq!(store("ENABLED").why_not(), None);
        let mut s = store("PENDING_DELETION");
        s.multi_region = true;
        s.activity_audit_log = false;
        assert!(!s.qualifies());
        assert_eq!(
            s.why_not().unwrap(),
            "it does not select ActivityAuditLog events, it is multi-Region, its status is PENDING_DELETION"
        );
    }

    #[test]
    fn selectors_must_all_be_activity() {
        let activity = activity_selector().unwrap();
        assert!(is_activity_only(std::slice::from_ref(&activity)));
        let mgmt = AdvancedEventSelector::builder()
            .field_selectors(
                AdvancedFieldSelector::builder()
                    .field("eventCategory")
                    .equals("Management")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        assert!(!is_activity_only(&[activity, mgmt]));
        assert!(!is_activity_only(&[]));
    }
}
