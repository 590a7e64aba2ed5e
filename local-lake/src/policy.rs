//! Channel resource policies: validation on PutResourcePolicy and evaluation on PutAuditEvents
//! (lake-api.md §3.5, [UG-RBP], [UG-CLI]).
//!
//! Accepted documents: `Version`/`Id` (optional) and 1–20 `Statement`s (an object or a list), each with
//! `Effect` `Allow`|`Deny`, an optional `Sid`, `Principal: {"AWS": …}` with 1–50 account principals (string or
//! list), `Action` = `cloudtrail-data:PutAuditEvents` (string or list), `Resource` = the channel's own ARN
//! (string or list) and an optional `Condition: {"StringEquals": {"cloudtrail:ExternalId": …}}`; at most
//! 8192 characters. A principal is `arn:aws:iam::<account>:root`, a bare 12-digit account id, or any IAM/STS
//! ARN of an account; since local callers are identified only by account, an IAM ARN stands for its whole
//! account. Anything else (wildcards, service principals, other condition operators or keys, `NotPrincipal`,
//! …) is rejected rather than silently ignored.

use serde_json::{Map, Value};

use crate::arn::is_account_id;
use crate::limits::{MAX_POLICY_CHARS, MAX_POLICY_PRINCIPALS, MAX_POLICY_STATEMENTS};

/// The only action a channel policy may grant.
const ACTION: &str = "cloudtrail-data:PutAuditEvents";
/// The condition key of the external ID.
const EXTERNAL_ID_KEY: &str = "cloudtrail:ExternalId";

/// A validated channel policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChannelPolicy {
    statements: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Statement {
    allow: bool,
    /// Accounts the statement names.
    accounts: Vec<String>,
    /// Accepted external IDs, when the statement has the condition.
    external_ids: Option<Vec<String>>,
}

impl Statement {
    fn matches(&self, account: &str, external_id: Option<&str>) -> bool {
        self.accounts.iter().any(|a| a == account)
            && match &self.external_ids {
                None => true,
                Some(ids) => external_id.is_some_and(|x| ids.iter().any(|i| i == x)),
            }
    }
}

impl ChannelPolicy {
    /// Validates a policy document for the channel `channel_arn`; the error names the rule broken.
    pub(crate) fn parse(document: &str, channel_arn: &str) -> Result<Self, String> {
        let chars = document.chars().count();
        if chars == 0 || chars > MAX_POLICY_CHARS {
            return Err(format!(
                "The policy must have 1 to {MAX_POLICY_CHARS} characters; it has {chars}."
            ));
        }
        let root: Value =
            serde_json::from_str(document).map_err(|e| format!("The policy is not valid JSON: {e}."))?;
        let root = root.as_object().ok_or("The policy must be a JSON object.")?;
        for key in root.keys() {
            if !matches!(key.as_str(), "Version" | "Id" | "Statement") {
                return Err(format!("Unsupported policy element '{key}'."));
            }
        }
        if let Some(v) = root.get("Version")
            && !matches!(v.as_str(), Some("2012-10-17" | "2008-10-17"))
        {
            return Err("Version must be \"2012-10-17\" or \"2008-10-17\".".to_owned());
        }
        let statements = match root.get("Statement") {
            Some(Value::Array(list)) => list.iter().collect::<Vec<_>>(),
            Some(one @ Value::Object(_)) => vec![one],
            _ => return Err("The policy must have a Statement (an object or a list).".to_owned()),
        };
        if statements.is_empty() || statements.len() > MAX_POLICY_STATEMENTS {
            return Err(format!(
                "A channel policy must have 1 to {MAX_POLICY_STATEMENTS} statements; it has {}.",
                statements.len()
            ));
        }
        let statements = statements
            .into_iter()
            .enumerate()
            .map(|(i, s)| parse_statement(s, channel_arn).map_err(|e| format!("Statement[{i}]: {e}")))
            .collect::<Result<_, _>>()?;
        Ok(Self { statements })
    }

    /// Whether an account other than the channel owner may call PutAuditEvents with `external_id`: a matching
    /// `Deny` refuses, a matching `Allow` grants, nothing matching refuses.
    pub(crate) fn allows(&self, account: &str, external_id: Option<&str>) -> bool {
        let matching = |allow: bool| {
            self.statements
                .iter()
                .any(|s| s.allow == allow && s.matches(account, external_id))
        };
        !matching(false) && matching(true)
    }
}

fn string_or_list<'a>(value: &'a Value, what: &str) -> Result<Vec<&'a str>, String> {
    let items: Vec<&str> = match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(list) => list
            .iter()
            .map(|v| v.as_str().ok_or_else(|| format!("every {what} must be a string")))
            .collect::<Result<_, _>>()?,
        _ => return Err(format!("{what} must be a string or a list of strings")),
    };
    if items.is_empty() {
        return Err(format!("{what} must not be empty"));
    }
    Ok(items)
}

fn principal_account(p: &str) -> Option<String> {
    if is_account_id(p) {
        return Some(p.to_owned());
    }
    let mut parts = p.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let known = match service {
        "iam" => {
            resource == "root"
                || ["user/", "role/", "group/"]
                    .iter()
                    .any(|k| resource.starts_with(k))
        }
        "sts" => resource.starts_with("assumed-role/") || resource.starts_with("federated-user/"),
        _ => false,
    };
    (partition.starts_with("aws") && is_account_id(account) && known && resource.len() > 1)
        .then(|| account.to_owned())
}

fn parse_statement(value: &Value, channel_arn: &str) -> Result<Statement, String> {
    let s: &Map<String, Value> = value.as_object().ok_or("a statement must be a JSON object")?;
    for key in s.keys() {
        if !matches!(
            key.as_str(),
            "Sid" | "Effect" | "Principal" | "Action" | "Resource" | "Condition"
        ) {
            return Err(format!("unsupported element '{key}'"));
        }
    }
    if let Some(sid) = s.get("Sid")
        && !sid.is_string()
    {
        return Err("Sid must be a string".to_owned());
    }
    let allow = match s.get("Effect").and_then(Value::as_str) {
        Some("Allow") => true,
        Some("Deny") => false,
        _ => return Err("Effect must be \"Allow\" or \"Deny\"".to_owned()),
    };
    let principal = s.get("Principal").ok_or("Principal is required")?;
    let aws = principal
        .as_object()
        .filter(|o| o.len() == 1)
        .and_then(|o| o.get("AWS"))
        .ok_or("Principal must be {\"AWS\": <account principals>}")?;
    let names = string_or_list(aws, "Principal.AWS")?;
    if names.len() > MAX_POLICY_PRINCIPALS {
        return Err(format!(
            "at most {MAX_POLICY_PRINCIPALS} principals per statement; found {}",
            names.len()
        ));
    }
    let accounts = names
        .iter()
        .map(|p| {
            principal_account(p).ok_or_else(|| {
                format!("invalid principal '{p}': use arn:aws:iam::<account>:root or a 12-digit account id")
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let actions = string_or_list(s.get("Action").ok_or("Action is required")?, "Action")?;
    if let Some(bad) = actions.iter().find(|a| !a.eq_ignore_ascii_case(ACTION)) {
        return Err(format!("the only supported action is {ACTION}; found '{bad}'"));
    }
    let resources = string_or_list(s.get("Resource").ok_or("Resource is required")?, "Resource")?;
    if let Some(bad) = resources.iter().find(|r| **r != channel_arn) {
        return Err(format!(
            "Resource must be the ARN of this channel ({channel_arn}); found '{bad}'"
        ));
    }
    let external_ids = match s.get("Condition") {
        None => None,
        Some(Value::Object(ops)) => {
            let mut ids = None;
            for (op, block) in ops {
                if op != "StringEquals" {
                    return Err(format!(
                        "unsupported condition operator '{op}': only StringEquals is supported"
                    ));
                }
                let block = block.as_object().ok_or("StringEquals must be an object")?;
                for (key, value) in block {
                    if !key.eq_ignore_ascii_case(EXTERNAL_ID_KEY) {
                        return Err(format!(
                            "unsupported condition key '{key}': only {EXTERNAL_ID_KEY} is supported"
                        ));
                    }
                    let values = string_or_list(value, EXTERNAL_ID_KEY)?;
                    ids = Some(values.into_iter().map(str::to_owned).collect());
                }
            }
            ids
        }
        Some(_) => return Err("Condition must be an object".to_owned()),
    };
    Ok(Statement {
        allow,
        accounts,
        external_ids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:cloudtrail:us-east-1:777788889999:channel/EXAMPLE-80b5-40a7-ae65-6e099392355b";

    fn doc(statement: &str) -> String {
        format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#)
    }

    #[test]
    fn documented_example_is_accepted_and_enforced() {
        let p = ChannelPolicy::parse(
            &doc(&format!(
                r#"{{"Sid":"ChannelPolicy","Effect":"Allow","Principal":{{"AWS":["arn:aws:iam::111122223333:root","444455556666"]}},
                "Action":"cloudtrail-data:PutAuditEvents","Resource":"{ARN}",
                "Condition":{{"StringEquals":{{"cloudtrail:ExternalId":"uniquePartnerExternalID"}}}}}}"#
            )),
            ARN,
        )
        .unwrap();
        assert!(p.allows("111122223333", Some("uniquePartnerExternalID")));
        assert!(p.allows("444455556666", Some("uniquePartnerExternalID")));
        assert!(!p.allows("111122223333", None));
        assert!(!p.allows("111122223333", Some("other")));
        assert!(!p.allows("999999999999", Some("uniquePartnerExternalID")));
    }

    #[test]
    fn list_forms_of_action_and_resource() {
        let p = ChannelPolicy::parse(
            &doc(&format!(
                r#"{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:role/publisher"}},
                "Action":["cloudtrail-data:PutAuditEvents"],"Resource":["{ARN}"]}}"#
            )),
            ARN,
        )
        .unwrap();
        assert!(p.allows("111122223333", None));
        assert!(p.allows("111122223333", Some("ignored")));
    }

    #[test]
    fn deny_wins() {
        let p = ChannelPolicy::parse(
            &doc(&format!(
                r#"{{"Effect":"Allow","Principal":{{"AWS":"111122223333"}},"Action":"cloudtrail-data:PutAuditEvents","Resource":"{ARN}"}},
                   {{"Effect":"Deny","Principal":{{"AWS":"111122223333"}},"Action":"cloudtrail-data:PutAuditEvents","Resource":"{ARN}"}}"#
            )),
            ARN,
        )
        .unwrap();
        assert!(!p.allows("111122223333", None));
    }

    #[test]
    fn invalid_documents_name_the_rule() {
        let ok_stmt = format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":"111122223333"}},"Action":"cloudtrail-data:PutAuditEvents","Resource":"{ARN}"}}"#
        );
        let cases = [
            (String::new(), "1 to 8192"),
            ("nope".to_owned(), "not valid JSON"),
            (r#"{"Statement":[]}"#.to_owned(), "1 to 20 statements"),
            (doc(&vec![ok_stmt.clone(); 21].join(",")), "1 to 20 statements"),
            (
                doc(&ok_stmt.replace("cloudtrail-data:PutAuditEvents", "cloudtrail:*")),
                "only supported action",
            ),
            (
                doc(&ok_stmt.replace(ARN, "arn:aws:cloudtrail:us-east-1:777788889999:channel/other")),
                "Resource must be",
            ),
            (
                doc(&ok_stmt.replace(r#""111122223333""#, r#""*""#)),
                "invalid principal",
            ),
            (doc(&ok_stmt.replace("\"Allow\"", "\"Maybe\"")), "Effect"),
            (
                doc(&ok_stmt.replace(
                    r#""Effect""#,
                    r#""Condition":{"StringLike":{"cloudtrail:ExternalId":"x*"}},"Effect""#,
                )),
                "StringLike",
            ),
            ("x".repeat(8193), "1 to 8192"),
        ];
        for (document, expected) in cases {
            let err = ChannelPolicy::parse(&document, ARN).unwrap_err();
            assert!(err.contains(expected), "{err} should contain {expected}");
        }
        let many: Vec<String> = (0..51).map(|i| format!("\"1111222233{i:02}\"")).collect();
        let err = ChannelPolicy::parse(
            &doc(&ok_stmt.replace(r#""111122223333""#, &format!("[{}]", many.join(",")))),
            ARN,
        )
        .unwrap_err();
        assert!(err.contains("at most 50 principals"), "{err}");
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_documents_never_panic(doc in ".{0,400}") {
            let _ = ChannelPolicy::parse(&doc, ARN);
        }
    }
}
