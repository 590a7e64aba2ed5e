//! Create/Get/List/Update/DeleteEventDataStore (lake-api.md §3.3).

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::common::{
    check_name, find_store, inactive_store, page_size, paginate, parse_page_token, parse_tags, tags_json,
};
use crate::app::App;
use crate::arn;
use crate::auth::Caller;
use crate::faults::NEW_CUSTOMER_REFUSAL;
use crate::limits::{
    DEFAULT_RETENTION_DAYS_EXTENDABLE, DEFAULT_RETENTION_DAYS_FIXED, MAX_EVENT_DATA_STORES, MAX_LIST_RESULTS,
    MAX_RETENTION_DAYS_EXTENDABLE, MAX_RETENTION_DAYS_FIXED, MIN_RETENTION_DAYS, PENDING_DELETION_DAYS,
};
use crate::protocol::ApiError;
use crate::protocol::aws_json::{Params, epoch};
use crate::store::writer::{WriteFn, save_store};
use crate::store::{Catalog, EventDataStore};
use crate::timefmt::now_ms;

/// The category of stores that channels can feed.
pub(crate) const ACTIVITY_AUDIT_LOG: &str = "ActivityAuditLog";
const EXTENDABLE: &str = "EXTENDABLE_RETENTION_PRICING";
const FIXED: &str = "FIXED_RETENTION_PRICING";
/// `eventCategory` values of [API-AFS].
const CATEGORIES: [&str; 7] = [
    "Management",
    "Data",
    "NetworkActivity",
    "Insight",
    "ConfigurationItem",
    "Evidence",
    ACTIVITY_AUDIT_LOG,
];
const OPERATORS: [&str; 6] = [
    "Equals",
    "StartsWith",
    "EndsWith",
    "NotEquals",
    "NotStartsWith",
    "NotEndsWith",
];

fn bad_selectors(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("InvalidEventSelectorsException", message)
}

/// Validates `AdvancedEventSelectors` ([API-AFS]) and returns the category they select. For
/// `ActivityAuditLog` the only supported field is `eventCategory` with `Equals ["ActivityAuditLog"]`
/// ([UG-CLI]).
fn validate_selectors(value: &Value) -> Result<String, ApiError> {
    let selectors = value
        .as_array()
        .ok_or_else(|| bad_selectors("AdvancedEventSelectors must be a list."))?;
    if selectors.is_empty() {
        return Err(bad_selectors("AdvancedEventSelectors must not be empty."));
    }
    let mut categories: Vec<&str> = Vec::new();
    for (i, selector) in selectors.iter().enumerate() {
        let at = |why: &str| bad_selectors(format!("AdvancedEventSelectors[{i}]: {why}."));
        let selector = selector.as_object().ok_or_else(|| at("must be an object"))?;
        match selector.get("Name") {
            None | Some(Value::Null) => {}
            Some(Value::String(n)) if n.chars().count() <= 1000 => {}
            Some(_) => return Err(at("Name must be a string of at most 1000 characters")),
        }
        let fields = selector
            .get("FieldSelectors")
            .and_then(Value::as_array)
            .filter(|f| !f.is_empty())
            .ok_or_else(|| at("FieldSelectors must be a non-empty list"))?;
        for (j, field) in fields.iter().enumerate() {
            let at =
                |why: &str| bad_selectors(format!("AdvancedEventSelectors[{i}].FieldSelectors[{j}]: {why}."));
            let field = field.as_object().ok_or_else(|| at("must be an object"))?;
            let name = field
                .get("Field")
                .and_then(Value::as_str)
                .ok_or_else(|| at("Field is required"))?;
            if name.is_empty()
                || name.chars().count() > 1000
                || !name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '|')
            {
                return Err(at(
                    "Field must be 1 to 1000 characters of letters, digits, '.' and '_'",
                ));
            }
            let mut any = false;
            for (key, values) in field {
                if key == "Field" {
                    continue;
                }
                if !OPERATORS.contains(&key.as_str()) {
                    return Err(at(&format!("unknown operator '{key}'")));
                }
                let values = values
                    .as_array()
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| at(&format!("{key} must be a non-empty list")))?;
                if values.iter().any(|v| {
                    v.as_str()
                        .is_none_or(|s| s.is_empty() || s.chars().count() > 2048)
                }) {
                    return Err(at(&format!(
                        "{key} values must be strings of 1 to 2048 characters"
                    )));
                }
                any = true;
            }
            if !any {
                return Err(at("at least one operator (Equals, StartsWith, …) is required"));
            }
            if name == "eventCategory" {
                let equals = field
                    .get("Equals")
                    .and_then(Value::as_array)
                    .ok_or_else(|| at("eventCategory must use Equals"))?;
                for v in equals.iter().filter_map(Value::as_str) {
                    if !CATEGORIES.contains(&v) {
                        return Err(at(&format!("'{v}' is not an eventCategory")));
                    }
                    categories.push(v);
                }
            }
        }
    }
    if categories.contains(&ACTIVITY_AUDIT_LOG) {
        let only_activity = selectors.iter().all(|s| {
            let fields = s.get("FieldSelectors").and_then(Value::as_array);
            fields.is_some_and(|f| {
                f.len() == 1
                    && f[0].as_object().is_some_and(|o| o.len() == 2)
                    && f[0]["Field"] == "eventCategory"
                    && f[0]["Equals"] == json!([ACTIVITY_AUDIT_LOG])
            })
        });
        if !only_activity {
            return Err(bad_selectors(
                "For events from outside AWS, eventCategory is the only supported field: use \
                 [{\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"ActivityAuditLog\"]}]}].",
            ));
        }
        return Ok(ACTIVITY_AUDIT_LOG.to_owned());
    }
    Ok(categories.first().map_or("Management", |c| *c).to_owned())
}

fn default_selectors() -> Value {
    json!([{"Name": "Default management events", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}])
}

fn check_billing(mode: &str) -> Result<(), ApiError> {
    if mode == EXTENDABLE || mode == FIXED {
        Ok(())
    } else {
        Err(ApiError::invalid_parameter(format!(
            "BillingMode must be {EXTENDABLE} or {FIXED}; got '{mode}'."
        )))
    }
}

fn check_retention(days: i64, billing: &str) -> Result<(), ApiError> {
    let max = if billing == FIXED {
        MAX_RETENTION_DAYS_FIXED
    } else {
        MAX_RETENTION_DAYS_EXTENDABLE
    };
    if (MIN_RETENTION_DAYS..=max).contains(&days) {
        Ok(())
    } else {
        Err(ApiError::invalid_parameter(format!(
            "RetentionPeriod must be {MIN_RETENTION_DAYS} to {max} days with {billing}; got {days}."
        )))
    }
}

fn organizations_not_in_use() -> ApiError {
    ApiError::not_found(
        "OrganizationsNotInUseException",
        "OrganizationEnabled needs AWS Organizations, which the local Lake does not emulate.",
    )
}

/// The members every Create/Get/Update response carries.
fn render(s: &EventDataStore) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "EventDataStoreArn".into(),
        arn::event_data_store(&s.region, &s.account, &s.id).into(),
    );
    m.insert("Name".into(), s.name.clone().into());
    m.insert("Status".into(), s.status.clone().into());
    m.insert("AdvancedEventSelectors".into(), s.selectors.clone());
    m.insert("MultiRegionEnabled".into(), s.multi_region.into());
    m.insert("OrganizationEnabled".into(), s.organization.into());
    m.insert("RetentionPeriod".into(), s.retention_days.into());
    m.insert(
        "TerminationProtectionEnabled".into(),
        s.termination_protection.into(),
    );
    m.insert("CreatedTimestamp".into(), epoch(s.created_ms));
    m.insert("UpdatedTimestamp".into(), epoch(s.updated_ms));
    if let Some(k) = &s.kms_key_id {
        m.insert("KmsKeyId".into(), k.clone().into());
    }
    m.insert("BillingMode".into(), s.billing_mode.clone().into());
    m
}

/// Removes stores whose 7 days of `PENDING_DELETION` are over, with their events.
pub(crate) fn purge_expired(catalog: &mut Catalog, now: i64) -> Vec<WriteFn> {
    let expired: Vec<String> = catalog
        .stores
        .values()
        .filter(|s| s.pending_deletion() && now - s.updated_ms > PENDING_DELETION_DAYS * 86_400_000)
        .map(|s| s.id.clone())
        .collect();
    expired
        .into_iter()
        .map(|id| {
            catalog.stores.remove(&id);
            let f: WriteFn = Box::new(move |c: &rusqlite::Connection| {
                c.execute("DELETE FROM events WHERE eds_id = ?1", [&id])?;
                c.execute(
                    "DELETE FROM resources WHERE kind = 'event_data_store' AND id = ?1",
                    [&id],
                )?;
                Ok(())
            });
            f
        })
        .collect()
}

fn combine(mut writes: Vec<WriteFn>, last: WriteFn) -> WriteFn {
    writes.push(last);
    Box::new(move |c: &rusqlite::Connection| writes.iter().try_for_each(|w| w(c)))
}

/// CreateEventDataStore.
pub(crate) async fn create(app: &Arc<App>, caller: &Caller, p: &Params) -> Result<Value, ApiError> {
    let name = p.req_str("Name")?;
    check_name("Name", name)?;
    let (selectors, category) = match p.raw("AdvancedEventSelectors") {
        Some(v) => (v.clone(), validate_selectors(v)?),
        None => (default_selectors(), "Management".to_owned()),
    };
    if p.opt_bool("OrganizationEnabled")? == Some(true) {
        return Err(organizations_not_in_use());
    }
    let billing = p.opt_str("BillingMode")?.unwrap_or(EXTENDABLE).to_owned();
    check_billing(&billing)?;
    let default_retention = if billing == FIXED {
        DEFAULT_RETENTION_DAYS_FIXED
    } else {
        DEFAULT_RETENTION_DAYS_EXTENDABLE
    };
    let retention = p.opt_i64("RetentionPeriod")?.unwrap_or(default_retention);
    check_retention(retention, &billing)?;
    let tags = parse_tags(p, "TagsList", "InvalidTagParameterException")?;
    let kms_key_id = p.opt_str("KmsKeyId")?.map(str::to_owned);
    if kms_key_id
        .as_ref()
        .is_some_and(|k| k.is_empty() || k.chars().count() > 350)
    {
        return Err(ApiError::bad_request(
            "InvalidKmsKeyIdException",
            "KmsKeyId must have 1 to 350 characters.",
        ));
    }
    let now = now_ms();
    let store = EventDataStore {
        id: uuid::Uuid::new_v4().to_string(),
        account: caller.account.clone(),
        region: caller.region.clone(),
        name: name.to_owned(),
        status: if p.opt_bool("StartIngestion")? == Some(false) {
            "STOPPED_INGESTION"
        } else {
            "ENABLED"
        }
        .to_owned(),
        selectors,
        category,
        multi_region: p.opt_bool("MultiRegionEnabled")?.unwrap_or(true),
        organization: false,
        retention_days: retention,
        termination_protection: p.opt_bool("TerminationProtectionEnabled")?.unwrap_or(true),
        tags,
        kms_key_id,
        billing_mode: billing,
        created_ms: now,
        updated_ms: now,
    };
    let (response, pending) = {
        let mut state = app.state();
        let purges = purge_expired(&mut state.catalog, now);
        let catalog = &state.catalog;
        if app.faults.refuse_new_customers() && !catalog.stores.values().any(|s| s.account == caller.account)
        {
            return Err(ApiError::bad_request(
                "UnsupportedOperationException",
                NEW_CUSTOMER_REFUSAL,
            ));
        }
        let existing = catalog.stores_in(&caller.account, &caller.region);
        if existing.iter().any(|s| s.name == store.name) {
            return Err(ApiError::bad_request(
                "EventDataStoreAlreadyExistsException",
                format!("An event data store named {} already exists.", store.name),
            ));
        }
        if existing.len() >= MAX_EVENT_DATA_STORES {
            return Err(ApiError::bad_request(
                "EventDataStoreMaxLimitExceededException",
                format!(
                    "This account already has {MAX_EVENT_DATA_STORES} event data stores in {} (stores pending deletion count too).",
                    caller.region
                ),
            ));
        }
        let mut response = render(&store);
        if !store.tags.is_empty() {
            response.insert("TagsList".into(), tags_json(&store.tags));
        }
        let pending = app
            .store
            .submit(Vec::new(), Some(combine(purges, save_store(&store))));
        state.catalog.stores.insert(store.id.clone(), store);
        (response, pending)
    };
    pending.wait().await?;
    Ok(Value::Object(response))
}

/// GetEventDataStore.
pub(crate) async fn get(app: &Arc<App>, caller: &Caller, p: &Params) -> Result<Value, ApiError> {
    let target = p.req_str("EventDataStore")?;
    let state = app.state();
    let store = find_store(&state.catalog, caller, target)?;
    let mut m = render(store);
    m.insert("FederationStatus".into(), "DISABLED".into());
    Ok(Value::Object(m))
}

/// ListEventDataStores.
pub(crate) async fn list(app: &Arc<App>, caller: &Caller, p: &Params) -> Result<Value, ApiError> {
    let size = page_size(p, "MaxResults", MAX_LIST_RESULTS)?;
    let offset = parse_page_token("event-data-stores", p.opt_str("NextToken")?)?;
    let (items, pending) = {
        let mut state = app.state();
        let purges = purge_expired(&mut state.catalog, now_ms());
        let pending = (!purges.is_empty()).then(|| {
            app.store
                .submit(Vec::new(), Some(combine(purges, Box::new(|_| Ok(())))))
        });
        let items: Vec<Value> = state
            .catalog
            .stores_in(&caller.account, &caller.region)
            .into_iter()
            .map(|s| {
                json!({
                    "EventDataStoreArn": arn::event_data_store(&s.region, &s.account, &s.id),
                    "Name": s.name,
                    "TerminationProtectionEnabled": s.termination_protection,
                    "Status": s.status,
                    "AdvancedEventSelectors": s.selectors,
                    "MultiRegionEnabled": s.multi_region,
                    "OrganizationEnabled": s.organization,
                    "RetentionPeriod": s.retention_days,
                    "CreatedTimestamp": epoch(s.created_ms),
                    "UpdatedTimestamp": epoch(s.updated_ms),
                })
            })
            .collect();
        (items, pending)
    };
    if let Some(pending) = pending {
        pending.wait().await?;
    }
    let (page, next) = paginate(items, "event-data-stores", offset, size);
    let mut out = json!({ "EventDataStores": page });
    if let Some(next) = next {
        out["NextToken"] = next.into();
    }
    Ok(out)
}

/// UpdateEventDataStore.
pub(crate) async fn update(app: &Arc<App>, caller: &Caller, p: &Params) -> Result<Value, ApiError> {
    let target = p.req_str("EventDataStore")?;
    const UPDATABLE: [&str; 8] = [
        "Name",
        "AdvancedEventSelectors",
        "MultiRegionEnabled",
        "OrganizationEnabled",
        "RetentionPeriod",
        "TerminationProtectionEnabled",
        "KmsKeyId",
        "BillingMode",
    ];
    if !UPDATABLE.iter().any(|m| p.has(m)) {
        return Err(ApiError::invalid_parameter(format!(
            "UpdateEventDataStore needs at least one of {}.",
            UPDATABLE.join(", ")
        )));
    }
    let name = p.opt_str("Name")?;
    if let Some(name) = name {
        check_name("Name", name)?;
    }
    let selectors = match p.raw("AdvancedEventSelectors") {
        Some(v) => Some((v.clone(), validate_selectors(v)?)),
        None => None,
    };
    if p.opt_bool("OrganizationEnabled")? == Some(true) {
        return Err(organizations_not_in_use());
    }
    let billing = p.opt_str("BillingMode")?;
    if let Some(b) = billing {
        check_billing(b)?;
    }
    let retention = p.opt_i64("RetentionPeriod")?;
    let multi_region = p.opt_bool("MultiRegionEnabled")?;
    let protection = p.opt_bool("TerminationProtectionEnabled")?;
    let kms = p.opt_str("KmsKeyId")?;
    let (response, pending) = {
        let mut state = app.state();
        let catalog = &state.catalog;
        let mut store = find_store(catalog, caller, target)?.clone();
        if store.pending_deletion() {
            return Err(inactive_store(&store.id));
        }
        if let Some(name) = name {
            if catalog
                .stores_in(&caller.account, &caller.region)
                .iter()
                .any(|s| s.name == name && s.id != store.id)
            {
                return Err(ApiError::bad_request(
                    "EventDataStoreAlreadyExistsException",
                    format!("An event data store named {name} already exists."),
                ));
            }
            store.name = name.to_owned();
        }
        if let Some((value, category)) = selectors {
            let fed = catalog
                .channels
                .values()
                .any(|c| c.destinations.iter().any(|d| d.eds_id == store.id));
            if fed && category != ACTIVITY_AUDIT_LOG {
                return Err(bad_selectors(
                    "A channel sends events to this store; its selectors must stay ActivityAuditLog.",
                ));
            }
            store.selectors = value;
            store.category = category;
        }
        if let Some(b) = billing {
            if store.billing_mode == EXTENDABLE && b == FIXED {
                return Err(ApiError::invalid_parameter(
                    "BillingMode can change from FIXED_RETENTION_PRICING to EXTENDABLE_RETENTION_PRICING only.",
                ));
            }
            store.billing_mode = b.to_owned();
        }
        if let Some(days) = retention {
            store.retention_days = days;
        }
        check_retention(store.retention_days, &store.billing_mode)?;
        if let Some(m) = multi_region {
            store.multi_region = m;
        }
        if let Some(t) = protection {
            store.termination_protection = t;
        }
        if let Some(k) = kms {
            store.kms_key_id = Some(k.to_owned());
        }
        store.updated_ms = now_ms();
        let mut m = render(&store);
        m.insert("FederationStatus".into(), "DISABLED".into());
        let pending = app.store.submit(Vec::new(), Some(save_store(&store)));
        state.catalog.stores.insert(store.id.clone(), store);
        (m, pending)
    };
    pending.wait().await?;
    Ok(Value::Object(response))
}

/// DeleteEventDataStore: the store becomes `PENDING_DELETION` for 7 days.
pub(crate) async fn delete(app: &Arc<App>, caller: &Caller, p: &Params) -> Result<Value, ApiError> {
    let target = p.req_str("EventDataStore")?;
    let pending = {
        let mut state = app.state();
        let catalog = &state.catalog;
        let mut store = find_store(catalog, caller, target)?.clone();
        if store.pending_deletion() {
            return Err(inactive_store(&store.id));
        }
        if store.termination_protection {
            return Err(ApiError::bad_request(
                "EventDataStoreTerminationProtectedException",
                format!(
                    "The event data store {} has termination protection; call UpdateEventDataStore with \
                     TerminationProtectionEnabled=false first.",
                    store.id
                ),
            ));
        }
        if let Some(channel) = catalog
            .channels
            .values()
            .find(|c| c.destinations.iter().any(|d| d.eds_id == store.id))
        {
            return Err(ApiError::bad_request(
                "ChannelExistsForEDSException",
                format!(
                    "The channel {} sends events to this event data store; delete the channel or change its destinations first.",
                    arn::channel(&channel.region, &channel.account, &channel.id)
                ),
            ));
        }
        store.status = "PENDING_DELETION".to_owned();
        store.updated_ms = now_ms();
        let pending = app.store.submit(Vec::new(), Some(save_store(&store)));
        state.catalog.stores.insert(store.id.clone(), store);
        pending
    };
    pending.wait().await?;
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_audit_log_selector_is_accepted() {
        let v = json!([{"Name":"Select all external events","FieldSelectors":[{"Field":"eventCategory","Equals":["ActivityAuditLog"]}]}]);
        assert_eq!(validate_selectors(&v).unwrap(), ACTIVITY_AUDIT_LOG);
    }

    #[test]
    fn activity_audit_log_with_other_fields_is_rejected() {
        let v = json!([{"FieldSelectors":[{"Field":"eventCategory","Equals":["ActivityAuditLog"]},{"Field":"eventSource","Equals":["x"]}]}]);
        assert_eq!(
            validate_selectors(&v).unwrap_err().code,
            "InvalidEventSelectorsException"
        );
        let v = json!([{"FieldSelectors":[{"Field":"eventCategory","Equals":["ActivityAuditLog","Management"]}]}]);
        assert!(validate_selectors(&v).is_err());
        let v = json!([{"FieldSelectors":[{"Field":"eventCategory","NotEquals":["ActivityAuditLog"]}]}]);
        assert!(validate_selectors(&v).unwrap_err().message.contains("Equals"));
    }

    #[test]
    fn malformed_selectors_name_the_position() {
        for (v, needle) in [
            (json!([]), "empty"),
            (json!([{"FieldSelectors":[]}]), "[0]"),
            (
                json!([{"FieldSelectors":[{"Field":"eventCategory"}]}]),
                "operator",
            ),
            (
                json!([{"FieldSelectors":[{"Field":"eventCategory","Equals":["Nope"]}]}]),
                "Nope",
            ),
            (
                json!([{"FieldSelectors":[{"Field":"x","Matches":["y"]}]}]),
                "Matches",
            ),
        ] {
            let e = validate_selectors(&v).unwrap_err();
            assert!(e.message.contains(needle), "{} lacks {needle}", e.message);
        }
        let mgmt = json!([{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},{"Field":"readOnly","Equals":["true"]}]}]);
        assert_eq!(validate_selectors(&mgmt).unwrap(), "Management");
    }

    #[test]
    fn retention_depends_on_billing_mode() {
        check_retention(3653, EXTENDABLE).unwrap();
        assert!(check_retention(3653, FIXED).is_err());
        assert!(check_retention(6, EXTENDABLE).is_err());
    }
}
