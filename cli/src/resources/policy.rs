//! Channel resource policies: merging the integration's statement in and taking principals out, keeping
//! every other statement exactly as it is (pure functions; the commands do the calls).
//!
//! Rules (lake-api.md §3.5, [UG-RBP]): the only action is `cloudtrail-data:PutAuditEvents`, the resource is
//! the channel's ARN, 1–20 statements, 1–50 principals per statement, at most 8192 characters. An
//! external ID is a `StringEquals` condition on `cloudtrail:ExternalId`.

use serde_json::{Map, Value, json};

use crate::exit::{CliError, CliResult};

/// The one action a channel policy may grant.
pub(crate) const ACTION: &str = "cloudtrail-data:PutAuditEvents";
/// The condition key of the external ID.
pub(crate) const EXTERNAL_ID_KEY: &str = "cloudtrail:ExternalId";
/// Most statements in a channel policy (AWS::CloudTrail::ResourcePolicy; lake-api.md §3.5 [UG-RBP]).
pub(crate) const MAX_POLICY_STATEMENTS: usize = 20;
/// Most principals in one statement (same source).
pub(crate) const MAX_POLICY_PRINCIPALS: usize = 50;
/// Longest policy document, in characters ([BC-CT] `ResourcePolicy`, 1–8192).
pub(crate) const MAX_POLICY_CHARS: usize = 8192;
/// Sids of the statements ctlake writes start with this.
pub(crate) const SID_PREFIX: &str = "Ctlake";

/// The Sid of integration `name`: `Ctlake` + the name's letters and digits in PascalCase (Sids of IAM-style
/// policies are safest alphanumeric), e.g. `acme-prod` → `CtlakeAcmeProd`.
pub(crate) fn sid(name: &str) -> String {
    let mut sid = String::from(SID_PREFIX);
    for part in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
    {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            sid.push(first.to_ascii_uppercase());
            sid.extend(chars);
        }
    }
    sid
}

/// A principal as written in a policy: a 12-digit account becomes `arn:<partition>:iam::<account>:root`, an
/// ARN stays.
///
/// # Errors
/// 252 when `p` is neither.
pub(crate) fn principal_arn(p: &str, partition: &str) -> CliResult<String> {
    let p = p.trim();
    if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(format!("arn:{partition}:iam::{p}:root"));
    }
    if principal_account(p).is_some() {
        return Ok(p.to_owned());
    }
    Err(CliError::usage(format!(
        "--principal `{p}`: expected a 12-digit account ID or an IAM ARN like arn:{partition}:iam::111122223333:root"
    )))
}

/// The account of an IAM or STS ARN (`arn:<partition>:iam::<account>:…`), or of a bare account ID.
pub(crate) fn principal_account(p: &str) -> Option<&str> {
    if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
        return Some(p);
    }
    let mut parts = p.splitn(6, ':');
    let (arn, _partition, service, _region, account) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let rest = parts.next()?;
    (arn == "arn"
        && matches!(service, "iam" | "sts")
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !rest.is_empty())
    .then_some(account)
}

/// The statement ctlake wants for an integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    /// The Sid ([`sid`]).
    pub(crate) sid: String,
    /// Principal ARNs, sorted, no duplicates.
    pub(crate) principals: Vec<String>,
    /// The external ID condition, if any.
    pub(crate) external_id: Option<String>,
    /// The channel ARN (the statement's resource).
    pub(crate) channel_arn: String,
}

impl Grant {
    fn statement(&self) -> Value {
        let mut s = json!({
            "Sid": self.sid,
            "Effect": "Allow",
            "Principal": {"AWS": self.principals},
            "Action": ACTION,
            "Resource": self.channel_arn,
        });
        if let (Some(id), Some(obj)) = (&self.external_id, s.as_object_mut()) {
            obj.insert(
                "Condition".to_owned(),
                json!({"StringEquals": {EXTERNAL_ID_KEY: id}}),
            );
        }
        s
    }
}

/// What a policy change does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PolicyChange {
    /// Nothing to do.
    Unchanged,
    /// Put this document (create or replace).
    Put(String),
    /// Delete the policy (no statement left).
    Delete,
}

/// The parsed statements of a policy document (an object or a list), in order.
fn statements(document: &str) -> CliResult<Vec<Value>> {
    let root: Value = serde_json::from_str(document)
        .map_err(|e| CliError::service(format!("the channel's resource policy is not JSON: {e}")))?;
    match root.get("Statement") {
        Some(Value::Array(list)) => Ok(list.clone()),
        Some(one @ Value::Object(_)) => Ok(vec![one.clone()]),
        None => Ok(Vec::new()),
        Some(_) => Err(CliError::service(
            "the channel's resource policy has a malformed Statement",
        )),
    }
}

fn document(statements: Vec<Value>) -> CliResult<String> {
    let doc = json!({"Version": "2012-10-17", "Statement": statements});
    let text = serde_json::to_string(&doc).map_err(CliError::other)?;
    let chars = text.chars().count();
    if chars > MAX_POLICY_CHARS {
        return Err(CliError::usage(format!(
            "the merged channel policy would have {chars} characters; AWS allows {MAX_POLICY_CHARS}"
        )));
    }
    Ok(text)
}

/// The principals a statement names (`Principal.AWS`, string or list).
pub(crate) fn statement_principals(statement: &Value) -> Vec<String> {
    match statement.get("Principal").and_then(|p| p.get("AWS")) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// The external ID of a statement's `StringEquals` condition (the first one when it lists several).
pub(crate) fn statement_external_id(statement: &Value) -> Option<String> {
    match statement
        .get("Condition")?
        .get("StringEquals")?
        .get(EXTERNAL_ID_KEY)?
    {
        Value::String(s) => Some(s.clone()),
        Value::Array(list) => list.first().and_then(|v| v.as_str().map(str::to_owned)),
        _ => None,
    }
}

/// The statement with `sid` in `document`, if any.
pub(crate) fn find_statement(document: Option<&str>, sid: &str) -> CliResult<Option<Value>> {
    let Some(document) = document else { return Ok(None) };
    Ok(statements(document)?
        .into_iter()
        .find(|s| s.get("Sid").and_then(Value::as_str) == Some(sid)))
}

fn same_grant(existing: &Value, grant: &Grant) -> bool {
    let mut principals = statement_principals(existing);
    principals.sort();
    principals.dedup();
    let action_ok = match existing.get("Action") {
        Some(Value::String(a)) => a == ACTION,
        Some(Value::Array(list)) => list.len() == 1 && list[0].as_str() == Some(ACTION),
        _ => false,
    };
    let resource_ok = match existing.get("Resource") {
        Some(Value::String(r)) => *r == grant.channel_arn,
        Some(Value::Array(list)) => list.len() == 1 && list[0].as_str() == Some(grant.channel_arn.as_str()),
        _ => false,
    };
    existing.get("Effect").and_then(Value::as_str) == Some("Allow")
        && action_ok
        && resource_ok
        && principals == grant.principals
        && statement_external_id(existing) == grant.external_id
        && existing
            .get("Condition")
            .map_or(grant.external_id.is_none(), |c| {
                grant.external_id.is_some() && c.as_object().is_some_and(|c| c.len() == 1)
            })
}

/// Merges `grant` into the policy `current` (none yet: `None`): the statement with the grant's Sid is
/// replaced, or appended when there is none; every other statement stays as it is.
///
/// # Errors
/// 252 when the grant has no principal or more than 50, when the policy would exceed 20 statements or 8192
/// characters; 254 when the current policy is not JSON.
pub(crate) fn merge(current: Option<&str>, grant: &Grant) -> CliResult<PolicyChange> {
    if grant.principals.is_empty() {
        return Err(CliError::usage(
            "the policy statement needs at least one principal",
        ));
    }
    if grant.principals.len() > MAX_POLICY_PRINCIPALS {
        return Err(CliError::usage(format!(
            "{} principals: a channel policy statement holds at most {MAX_POLICY_PRINCIPALS}",
            grant.principals.len()
        )));
    }
    let mut list = match current {
        Some(doc) => statements(doc)?,
        None => Vec::new(),
    };
    let ours = list
        .iter()
        .position(|s| s.get("Sid").and_then(Value::as_str) == Some(grant.sid.as_str()));
    match ours {
        Some(i) if same_grant(&list[i], grant) => return Ok(PolicyChange::Unchanged),
        Some(i) => list[i] = grant.statement(),
        None => {
            if list.len() >= MAX_POLICY_STATEMENTS {
                return Err(CliError::usage(format!(
                    "the channel policy already has {} statements, the most AWS allows ({MAX_POLICY_STATEMENTS}); \
                     remove one with `ctlake disable-integration --principal …` or merge integrations",
                    list.len()
                )));
            }
            list.push(grant.statement());
        }
    }
    document(list).map(PolicyChange::Put)
}

/// What [`remove`] takes out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Removal {
    /// Every statement ctlake wrote (Sid starting with [`SID_PREFIX`]).
    CtlakeStatements,
    /// These principal ARNs, from every statement; a statement left without principals goes.
    Principals(Vec<String>),
}

/// Takes `removal` out of the policy `current`.
///
/// # Errors
/// 254 when the current policy is not JSON; 255 when the result cannot be serialized.
pub(crate) fn remove(current: Option<&str>, removal: &Removal) -> CliResult<PolicyChange> {
    let Some(current) = current else {
        return Ok(PolicyChange::Unchanged);
    };
    let before = statements(current)?;
    let mut after = Vec::with_capacity(before.len());
    for statement in &before {
        match removal {
            Removal::CtlakeStatements => {
                let ours = statement
                    .get("Sid")
                    .and_then(Value::as_str)
                    .is_some_and(|s| s.starts_with(SID_PREFIX));
                if !ours {
                    after.push(statement.clone());
                }
            }
            Removal::Principals(gone) => {
                let principals = statement_principals(statement);
                let kept: Vec<&String> = principals.iter().filter(|p| !matches_any(p, gone)).collect();
                if kept.len() == principals.len() {
                    after.push(statement.clone());
                } else if !kept.is_empty() {
                    let mut s = statement.clone();
                    if let Some(obj) = s.as_object_mut() {
                        let mut principal = Map::new();
                        principal.insert("AWS".to_owned(), json!(kept));
                        obj.insert("Principal".to_owned(), Value::Object(principal));
                    }
                    after.push(s);
                }
            }
        }
    }
    if after == before {
        Ok(PolicyChange::Unchanged)
    } else if after.is_empty() {
        Ok(PolicyChange::Delete)
    } else {
        document(after).map(PolicyChange::Put)
    }
}

/// Whether principal `p` (as written in a policy) is one of `gone` (ARNs; a bare account in a policy matches
/// its `:root` ARN).
fn matches_any(p: &str, gone: &[String]) -> bool {
    gone.iter()
        .any(|g| g == p || (p.len() == 12 && principal_account(g) == Some(p) && g.ends_with(":root")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHANNEL: &str = "arn:aws:cloudtrail:us-east-1:123456789012:channel/abc";

    fn grant(principals: &[&str], external_id: Option<&str>) -> Grant {
        let mut principals: Vec<String> = principals.iter().map(|p| (*p).to_owned()).collect();
        principals.sort();
        Grant {
            sid: sid("acme-prod"),
            principals,
            external_id: external_id.map(str::to_owned),
            channel_arn: CHANNEL.to_owned(),
        }
    }

    fn put(change: PolicyChange) -> Value {
        match change {
            PolicyChange::Put(doc) => serde_json::from_str(&doc).unwrap(),
            other => panic!("expected a put, got {other:?}"),
        }
    }

    #[test]
    fn sids_are_alphanumeric_pascal_case() {
        assert_eq!(sid("acme-prod"), "CtlakeAcmeProd");
        assert_eq!(sid("okta_logs.v2"), "CtlakeOktaLogsV2");
    }

    #[test]
    fn principals_normalize_to_arns() {
        assert_eq!(
            principal_arn("111122223333", "aws").unwrap(),
            "arn:aws:iam::111122223333:root"
        );
        assert_eq!(
            principal_arn("arn:aws:iam::111122223333:role/pub", "aws").unwrap(),
            "arn:aws:iam::111122223333:role/pub"
        );
        assert_eq!(principal_arn("1111", "aws").unwrap_err().code(), 252);
        assert_eq!(
            principal_arn("arn:aws:s3:::bucket", "aws").unwrap_err().code(),
            252
        );
        assert_eq!(
            principal_account("arn:aws-cn:sts::111122223333:assumed-role/r/s"),
            Some("111122223333")
        );
    }

    #[test]
    fn a_new_policy_has_one_statement_with_the_condition() {
        let doc = put(merge(None, &grant(&["arn:aws:iam::111122223333:root"], Some("ext-1"))).unwrap());
        assert_eq!(
            doc,
            json!({"Version":"2012-10-17","Statement":[{
                "Sid":"CtlakeAcmeProd","Effect":"Allow",
                "Principal":{"AWS":["arn:aws:iam::111122223333:root"]},
                "Action":ACTION,"Resource":CHANNEL,
                "Condition":{"StringEquals":{"cloudtrail:ExternalId":"ext-1"}}}]})
        );
    }

    #[test]
    fn merging_keeps_foreign_statements_and_is_idempotent() {
        let foreign = json!({"Sid":"VendorB","Effect":"Allow","Principal":{"AWS":"444455556666"},
            "Action":[ACTION],"Resource":[CHANNEL]});
        let current = json!({"Version":"2012-10-17","Statement":foreign}).to_string();
        let g = grant(&["arn:aws:iam::111122223333:root"], Some("ext-1"));
        let merged = put(merge(Some(&current), &g).unwrap());
        let list = merged["Statement"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0], foreign);
        let again = merge(Some(&merged.to_string()), &g).unwrap();
        assert_eq!(again, PolicyChange::Unchanged);
    }

    #[test]
    fn a_changed_grant_replaces_only_its_statement() {
        let g1 = grant(&["arn:aws:iam::111122223333:root"], Some("ext-1"));
        let doc1 = put(merge(None, &g1).unwrap()).to_string();
        let g2 = grant(
            &["arn:aws:iam::111122223333:root", "arn:aws:iam::222233334444:root"],
            Some("ext-1"),
        );
        let doc2 = put(merge(Some(&doc1), &g2).unwrap());
        let list = doc2["Statement"].as_array().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(statement_principals(&list[0]).len(), 2);
    }

    #[test]
    fn limits_are_enforced() {
        let many: Vec<String> = (0..51).map(|i| format!("arn:aws:iam::{:012}:root", i)).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(merge(None, &grant(&refs, None)).unwrap_err().code(), 252);
        let full: Vec<Value> = (0..20)
            .map(|i| {
                json!({"Sid": format!("S{i}"), "Effect":"Allow","Principal":{"AWS":"444455556666"},
                "Action":ACTION,"Resource":CHANNEL})
            })
            .collect();
        let current = json!({"Version":"2012-10-17","Statement":full}).to_string();
        let err = merge(Some(&current), &grant(&["arn:aws:iam::111122223333:root"], None)).unwrap_err();
        assert!(err.to_string().contains("20 statements"), "{err}");
        assert!(merge(None, &grant(&[], None)).is_err());
    }

    #[test]
    fn removing_ctlake_statements_keeps_the_rest_or_deletes() {
        let g = grant(&["arn:aws:iam::111122223333:root"], Some("ext-1"));
        let only_ours = put(merge(None, &g).unwrap()).to_string();
        assert_eq!(
            remove(Some(&only_ours), &Removal::CtlakeStatements).unwrap(),
            PolicyChange::Delete
        );
        let foreign = json!({"Sid":"VendorB","Effect":"Allow","Principal":{"AWS":"444455556666"},
            "Action":ACTION,"Resource":CHANNEL});
        let both = json!({"Version":"2012-10-17","Statement":[foreign, g.statement()]}).to_string();
        let left = put(remove(Some(&both), &Removal::CtlakeStatements).unwrap());
        assert_eq!(left["Statement"], json!([foreign]));
        assert_eq!(
            remove(None, &Removal::CtlakeStatements).unwrap(),
            PolicyChange::Unchanged
        );
    }

    #[test]
    fn removing_principals_touches_every_statement() {
        let s1 = json!({"Sid":"A","Effect":"Allow","Principal":{"AWS":["444455556666","arn:aws:iam::111122223333:root"]},
            "Action":ACTION,"Resource":CHANNEL});
        let s2 = json!({"Sid":"B","Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":ACTION,"Resource":CHANNEL});
        let doc = json!({"Version":"2012-10-17","Statement":[s1, s2]}).to_string();
        let gone = Removal::Principals(vec!["arn:aws:iam::444455556666:root".to_owned()]);
        let left = put(remove(Some(&doc), &gone).unwrap());
        let list = left["Statement"].as_array().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(statement_principals(&list[0]), ["arn:aws:iam::111122223333:root"]);
        let nobody = Removal::Principals(vec!["arn:aws:iam::999999999999:root".to_owned()]);
        assert_eq!(remove(Some(&doc), &nobody).unwrap(), PolicyChange::Unchanged);
    }
}
