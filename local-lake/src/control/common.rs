//! Helpers shared by the control-plane operations: names, tags, ARN-or-ID lookups and pagination tokens.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::arn::{Arn, Kind};
use crate::auth::Caller;
use crate::limits::{
    MAX_ARN_CHARS, MAX_NAME_CHARS, MAX_TAG_KEY_CHARS, MAX_TAG_VALUE_CHARS, MAX_TAGS, MIN_NAME_CHARS,
};
use crate::protocol::ApiError;
use crate::protocol::aws_json::Params;
use crate::store::{Catalog, Channel, EventDataStore, Tag};

/// Checks a resource name: 3–128 characters of `[a-zA-Z0-9._-]` ([BC-CT]).
pub(crate) fn check_name(member: &str, name: &str) -> Result<(), ApiError> {
    let n = name.chars().count();
    if !(MIN_NAME_CHARS..=MAX_NAME_CHARS).contains(&n) {
        return Err(ApiError::invalid_parameter(format!(
            "{member} must have {MIN_NAME_CHARS} to {MAX_NAME_CHARS} characters; '{name}' has {n}."
        )));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(ApiError::invalid_parameter(format!(
            "{member} '{name}' may contain only letters, digits, periods, underscores and hyphens."
        )));
    }
    Ok(())
}

/// Reads a tag list member (`TagsList` or `Tags`); bad tags are `InvalidTagParameterException`, too many
/// `too_many_code`.
pub(crate) fn parse_tags(
    params: &Params,
    member: &str,
    too_many_code: &'static str,
) -> Result<Vec<Tag>, ApiError> {
    let Some(items) = params.opt_list(member)? else {
        return Ok(Vec::new());
    };
    if items.len() > MAX_TAGS {
        return Err(ApiError::bad_request(
            too_many_code,
            format!(
                "{member} has {} tags; at most {MAX_TAGS} are allowed.",
                items.len()
            ),
        ));
    }
    let bad = |i: usize, why: &str| {
        ApiError::bad_request("InvalidTagParameterException", format!("{member}[{i}]: {why}."))
    };
    let mut tags: Vec<Tag> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let key = item
            .get("Key")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(i, "Key is required and must be a string"))?;
        if key.is_empty() || key.chars().count() > MAX_TAG_KEY_CHARS {
            return Err(bad(
                i,
                &format!("Key must have 1 to {MAX_TAG_KEY_CHARS} characters"),
            ));
        }
        let value = match item.get("Value") {
            None | Some(Value::Null) => None,
            Some(Value::String(v)) if v.chars().count() <= MAX_TAG_VALUE_CHARS => Some(v.clone()),
            Some(_) => {
                return Err(bad(
                    i,
                    &format!("Value must be a string of at most {MAX_TAG_VALUE_CHARS} characters"),
                ));
            }
        };
        if tags.iter().any(|t| t.key == key) {
            return Err(bad(i, &format!("Key '{key}' is given twice")));
        }
        tags.push(Tag {
            key: key.to_owned(),
            value,
        });
    }
    Ok(tags)
}

/// Tags as the wire shows them.
pub(crate) fn tags_json(tags: &[Tag]) -> Value {
    Value::Array(
        tags.iter()
            .map(|t| match &t.value {
                Some(v) => json!({"Key": t.key, "Value": v}),
                None => json!({"Key": t.key}),
            })
            .collect(),
    )
}

/// An opaque pagination token for position `offset` of listing `kind`.
pub(crate) fn page_token(kind: &str, offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("ctlake:{kind}:{offset}"))
}

/// Decodes a token of [`page_token`]; anything else is `InvalidNextTokenException`.
pub(crate) fn parse_page_token(kind: &str, token: Option<&str>) -> Result<usize, ApiError> {
    let Some(token) = token else { return Ok(0) };
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            s.strip_prefix(&format!("ctlake:{kind}:"))
                .and_then(|n| n.parse().ok())
        })
        .ok_or_else(|| {
            ApiError::bad_request(
                "InvalidNextTokenException",
                "The NextToken is not valid for this request.",
            )
        })
}

/// Reads a page-size member (1–`max`), `InvalidMaxResultsException` otherwise.
pub(crate) fn page_size(params: &Params, member: &str, max: i64) -> Result<usize, ApiError> {
    match params.opt_i64(member).map_err(|_| invalid_max(member, max))? {
        None => Ok(usize::try_from(max).unwrap_or(1000)),
        Some(n) if (1..=max).contains(&n) => Ok(usize::try_from(n).unwrap_or(1000)),
        Some(_) => Err(invalid_max(member, max)),
    }
}

fn invalid_max(member: &str, max: i64) -> ApiError {
    ApiError::bad_request(
        "InvalidMaxResultsException",
        format!("{member} must be an integer from 1 to {max}."),
    )
}

/// One page of `items` from `offset`, with the token of the next page.
pub(crate) fn paginate<T>(items: Vec<T>, kind: &str, offset: usize, size: usize) -> (Vec<T>, Option<String>) {
    let total = items.len();
    let page: Vec<T> = items.into_iter().skip(offset).take(size).collect();
    let next = (offset + page.len() < total).then(|| page_token(kind, offset + page.len()));
    (page, next)
}

/// How an `EventDataStore`/`Channel` member names a resource: ARN or bare id.
fn resource_id<'a>(
    caller: &Caller,
    text: &'a str,
    kind: Kind,
    invalid: impl Fn() -> ApiError,
) -> Result<Option<std::borrow::Cow<'a, str>>, ApiError> {
    let n = text.chars().count();
    if !(3..=MAX_ARN_CHARS).contains(&n)
        || !text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/-:".contains(c))
    {
        return Err(invalid());
    }
    if text.starts_with("arn:") {
        let arn = Arn::parse(text).filter(|a| a.kind == kind).ok_or_else(&invalid)?;
        if arn.account != caller.account || arn.region != caller.region {
            return Ok(None);
        }
        return Ok(Some(std::borrow::Cow::Owned(arn.id)));
    }
    if text.contains(':') || text.contains('/') {
        return Err(invalid());
    }
    Ok(Some(std::borrow::Cow::Borrowed(text)))
}

fn store_not_found(text: &str) -> ApiError {
    ApiError::not_found(
        "EventDataStoreNotFoundException",
        format!("The event data store {text} does not exist in this account and Region."),
    )
}

/// Resolves an event data store ARN or id of the caller's account and Region.
pub(crate) fn find_store<'c>(
    catalog: &'c Catalog,
    caller: &Caller,
    text: &str,
) -> Result<&'c EventDataStore, ApiError> {
    let invalid = || {
        ApiError::bad_request(
            "EventDataStoreARNInvalidException",
            format!("'{text}' is not a valid event data store ARN or ID."),
        )
    };
    let id =
        resource_id(caller, text, Kind::EventDataStore, invalid)?.ok_or_else(|| store_not_found(text))?;
    catalog
        .store(&caller.account, &caller.region, &id)
        .ok_or_else(|| store_not_found(text))
}

/// Like [`find_store`], but the store must not be `PENDING_DELETION` (`InactiveEventDataStoreException`).
pub(crate) fn find_active_store<'c>(
    catalog: &'c Catalog,
    caller: &Caller,
    text: &str,
) -> Result<&'c EventDataStore, ApiError> {
    let store = find_store(catalog, caller, text)?;
    if store.pending_deletion() {
        return Err(inactive_store(&store.id));
    }
    Ok(store)
}

/// `InactiveEventDataStoreException` for a store pending deletion.
pub(crate) fn inactive_store(id: &str) -> ApiError {
    ApiError::bad_request(
        "InactiveEventDataStoreException",
        format!("The event data store {id} is pending deletion and cannot be used."),
    )
}

/// Resolves a channel ARN or id of the caller's account and Region.
pub(crate) fn find_channel<'c>(
    catalog: &'c Catalog,
    caller: &Caller,
    text: &str,
) -> Result<&'c Channel, ApiError> {
    let invalid = || {
        ApiError::bad_request(
            "ChannelARNInvalidException",
            format!("'{text}' is not a valid channel ARN or ID."),
        )
    };
    let not_found = || {
        ApiError::not_found(
            "ChannelNotFoundException",
            format!("The channel {text} does not exist in this account and Region."),
        )
    };
    let id = resource_id(caller, text, Kind::Channel, invalid)?.ok_or_else(not_found)?;
    catalog
        .channel(&caller.account, &caller.region, &id)
        .ok_or_else(not_found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_foreign_ones() {
        let t = page_token("channels", 25);
        assert!(t.len() >= 4);
        assert_eq!(parse_page_token("channels", Some(&t)).unwrap(), 25);
        assert_eq!(parse_page_token("channels", None).unwrap(), 0);
        assert_eq!(
            parse_page_token("queries", Some(&t)).unwrap_err().code,
            "InvalidNextTokenException"
        );
        assert!(parse_page_token("channels", Some("garbage!")).is_err());
    }

    #[test]
    fn paginate_splits_and_ends() {
        let (page, next) = paginate((0..5).collect(), "k", 0, 2);
        assert_eq!(page, vec![0, 1]);
        let off = parse_page_token("k", next.as_deref()).unwrap();
        let (page, next) = paginate((0..5).collect(), "k", off, 3);
        assert_eq!(page, vec![2, 3, 4]);
        assert!(next.is_none());
    }

    #[test]
    fn names_follow_the_model_pattern() {
        check_name("Name", "my-store_1.x").unwrap();
        assert!(check_name("Name", "ab").is_err());
        assert!(
            check_name("Name", "has space")
                .unwrap_err()
                .message
                .contains("letters, digits")
        );
        assert!(check_name("Name", &"a".repeat(129)).is_err());
    }
}
