//! The classifier: configuration compiled once, then one decision per record.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::Value;

use super::config::{ClassifierConfig, MissingReadOnly, ReadOnlyPolicy, RuleAction, ServiceActors};
use super::decision::{ActorKind, DEFAULT_RULE, Decision, Kept, SkipReason};
use super::error::{ConfigError, ConfigErrorKind};
use super::lite::Lite;
use super::matcher::CompiledMatch;
use super::record::{Fields, fields, is_insight};
use super::verbs::{Verb, verb};
use crate::filter::{FilterPattern, RuleSet};

/// Decides, record by record, what is an actual change.
///
/// Order of the checks:
///
/// 1. Not a JSON object, or a CloudTrail Insights event, or missing `eventName` / `eventSource` / `eventTime` /
///    `eventID`: skipped (insight / malformed).
/// 2. Outside the includes or inside an exclude: skipped (excluded).
/// 3. A matching `drop` rule: skipped (dropped-by-rule).
/// 4. The default rule (`change-detection.md` §1.4 steps 1–5): data events, sign-ins, failed calls, read-only
///    calls (with the verb heuristic when `readOnly` is missing; `AwsServiceEvent`s without it are writes) and the
///    noise list. Independently, every `keep` rule is matched. The record is kept when the default rule or at least
///    one `keep` rule says so; otherwise the default rule's reason is reported.
/// 5. Changes made by AWS services / machine identities are dropped when configured (service-actor).
/// 6. Matching `tag` rules are added to the kept change's rules.
///
/// De-duplication by `eventID` is stateful and happens in the pipeline.
#[derive(Debug, Clone)]
pub struct Classifier {
    default_rule: Option<Arc<str>>,
    data_events: bool,
    sign_in_events: bool,
    read_only: ReadOnlyPolicy,
    missing_read_only: MissingReadOnly,
    service_actors: ServiceActors,
    noise: Vec<CompiledMatch>,
    include: Vec<CompiledMatch>,
    exclude: Vec<CompiledMatch>,
    keep: Vec<(Arc<str>, FilterPattern)>,
    tag: Vec<(Arc<str>, FilterPattern)>,
    drop: Vec<(Arc<str>, FilterPattern)>,
}

impl Default for Classifier {
    fn default() -> Self {
        Self::compile(&ClassifierConfig::default()).unwrap_or_else(|_| Self::empty())
    }
}

impl Classifier {
    /// Compiles a configuration.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] for invalid globs, unknown rule sets, invalid or duplicate rule names, or a configuration
    /// that selects nothing.
    pub fn new(config: &ClassifierConfig) -> Result<Self, ConfigError> {
        check_rule_names(config)?;
        check_selects(config)?;
        Self::compile(config)
    }

    fn empty() -> Self {
        Self {
            default_rule: Some(Arc::from(DEFAULT_RULE)),
            data_events: false,
            sign_in_events: false,
            read_only: ReadOnlyPolicy::Skip,
            missing_read_only: MissingReadOnly::Heuristic,
            service_actors: ServiceActors::Keep,
            noise: Vec::new(),
            include: Vec::new(),
            exclude: Vec::new(),
            keep: Vec::new(),
            tag: Vec::new(),
            drop: Vec::new(),
        }
    }

    fn compile(config: &ClassifierConfig) -> Result<Self, ConfigError> {
        let compile_all = |list: &[super::config::EventMatch]| -> Result<Vec<CompiledMatch>, ConfigError> {
            list.iter().map(CompiledMatch::new).collect()
        };
        let mut classifier = Self {
            default_rule: config.default_rule.then(|| Arc::from(DEFAULT_RULE)),
            data_events: config.data_events,
            sign_in_events: config.sign_in_events,
            read_only: config.read_only,
            missing_read_only: config.missing_read_only,
            service_actors: config.service_actors,
            noise: compile_all(&config.noise)?,
            include: compile_all(&config.include)?,
            exclude: compile_all(&config.exclude)?,
            keep: Vec::new(),
            tag: Vec::new(),
            drop: Vec::new(),
        };
        // A shipped rule listed by several sets is one rule; the strongest action wins (drop > keep > tag).
        let mut shipped: Vec<(String, FilterPattern, RuleAction)> = Vec::new();
        for (set, action) in &config.rule_sets {
            let set = RuleSet::builtin(set).map_err(|e| ConfigError::new(ConfigErrorKind::RuleSet(e)))?;
            for rule in set.rules() {
                match shipped.iter_mut().find(|(name, _, _)| name == rule.name()) {
                    Some((_, _, existing)) => *existing = strongest(*existing, *action),
                    None => shipped.push((rule.name().to_owned(), rule.pattern().clone(), *action)),
                }
            }
        }
        for (name, pattern, action) in shipped {
            classifier.push(&name, pattern, action);
        }
        for rule in &config.rules {
            classifier.push(&rule.name, rule.pattern.clone(), rule.action);
        }
        Ok(classifier)
    }

    fn push(&mut self, name: &str, pattern: FilterPattern, action: RuleAction) {
        let entry = (Arc::from(name), pattern);
        match action {
            RuleAction::Keep => self.keep.push(entry),
            RuleAction::Tag => self.tag.push(entry),
            RuleAction::Drop => self.drop.push(entry),
        }
    }

    /// The names of every rule that can be recorded on a change (`default` first), in order.
    pub fn rule_names(&self) -> impl Iterator<Item = &str> {
        self.default_rule
            .iter()
            .chain(self.keep.iter().map(|(name, _)| name))
            .chain(self.tag.iter().map(|(name, _)| name))
            .map(|name| &**name)
    }

    /// Classifies one record.
    pub fn classify(&self, record: &Value) -> Decision {
        match self.decide(record) {
            Ok(kept) => Decision::Keep(kept),
            Err(reason) => Decision::Skip(reason),
        }
    }

    fn decide(&self, record: &Value) -> Result<Kept, SkipReason> {
        let Some(map) = record.as_object() else {
            return Err(SkipReason::Malformed("not a JSON object".into()));
        };
        if is_insight(map) {
            return Err(SkipReason::Insight);
        }
        let f = fields(map)?;
        self.scope(&f)?;
        if let Some((name, _)) = self.drop.iter().find(|(_, p)| p.matches(record)) {
            return Err(SkipReason::DroppedByRule(name.clone()));
        }
        let default = match &self.default_rule {
            Some(name) => self.default_rule(&f).map(|()| name.clone()),
            None => Err(SkipReason::NotSelected),
        };
        let mut rules = Vec::new();
        let reason = match default {
            Ok(name) => {
                rules.push(name);
                None
            }
            Err(reason) => Some(reason),
        };
        rules.extend(
            self.keep
                .iter()
                .filter(|(_, p)| p.matches(record))
                .map(|(n, _)| n.clone()),
        );
        if let (true, Some(reason)) = (rules.is_empty(), reason) {
            return Err(reason);
        }
        if f.actor == ActorKind::Service && self.service_actors == ServiceActors::Drop {
            return Err(SkipReason::ServiceActor);
        }
        rules.extend(
            self.tag
                .iter()
                .filter(|(_, p)| p.matches(record))
                .map(|(n, _)| n.clone()),
        );
        Ok(Kept {
            rules,
            actor: f.actor,
        })
    }

    /// Whether [`classify`](Self::classify) reads only the fields of `classify/record.rs` (no filter-pattern rules,
    /// which may read any field).
    pub(crate) fn reads_fields_only(&self) -> bool {
        self.keep.is_empty() && self.tag.is_empty() && self.drop.is_empty()
    }

    /// Decides a skip from the record's JSON text alone, when that needs no more than the fields the default rule
    /// reads: `Some(reason)` is exactly what [`classify`](Self::classify) would say; `None` means "parse the record
    /// and classify it" (it may be kept, filter-pattern rules must see it, or it is malformed).
    pub(crate) fn prefilter(&self, json: &[u8]) -> Option<SkipReason> {
        let lite = Lite::parse(json)?;
        if lite.is_insight() {
            return Some(SkipReason::Insight);
        }
        let f = lite.fields()?;
        if let Err(reason) = self.scope(&f) {
            return Some(reason);
        }
        if !self.drop.is_empty() || !self.keep.is_empty() {
            return None;
        }
        self.default_rule.as_ref()?;
        self.default_rule(&f).err()
    }

    /// Includes and excludes.
    fn scope(&self, f: &Fields<'_>) -> Result<(), SkipReason> {
        if !self.include.is_empty()
            && !self
                .include
                .iter()
                .any(|m| m.matches(f.event_source, f.event_name))
        {
            return Err(SkipReason::Excluded(Arc::from("not included")));
        }
        if let Some(m) = self
            .exclude
            .iter()
            .find(|m| m.matches(f.event_source, f.event_name))
        {
            return Err(SkipReason::Excluded(m.label.clone()));
        }
        Ok(())
    }

    /// `change-detection.md` §1.4 steps 1–5.
    fn default_rule(&self, f: &Fields<'_>) -> Result<(), SkipReason> {
        if !self.data_events {
            match f.event_category {
                Some("Data") => return Err(SkipReason::DataEvent),
                Some("NetworkActivity") => return Err(SkipReason::NetworkActivity),
                _ if f.management_event == Some(false) => return Err(SkipReason::DataEvent),
                _ => {}
            }
        }
        if f.event_type == Some("AwsConsoleSignIn") && !self.sign_in_events {
            return Err(SkipReason::SignIn);
        }
        if f.failed {
            return Err(SkipReason::Failed);
        }
        let keep_reads = self.read_only == ReadOnlyPolicy::Keep;
        match f.read_only {
            Some(false) => {}
            Some(true) if keep_reads => {}
            Some(true) => return Err(SkipReason::ReadOnly),
            None if f.event_type == Some("AwsServiceEvent") || keep_reads => {}
            None => match (self.missing_read_only, verb(f.event_name)) {
                (MissingReadOnly::Write, _) | (MissingReadOnly::Heuristic, Verb::Write) => {}
                (MissingReadOnly::Read, _) | (MissingReadOnly::Heuristic, Verb::Read | Verb::Unknown) => {
                    return Err(SkipReason::ReadOnlyByName);
                }
            },
        }
        if let Some(m) = self
            .noise
            .iter()
            .find(|m| m.matches(f.event_source, f.event_name))
        {
            return Err(SkipReason::Noise(m.label.clone()));
        }
        Ok(())
    }
}

fn strongest(a: RuleAction, b: RuleAction) -> RuleAction {
    let rank = |action| match action {
        RuleAction::Tag => 0,
        RuleAction::Keep => 1,
        RuleAction::Drop => 2,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// Rule names are valid, not `default`, and unique across the configured rules and rule sets.
pub(crate) fn check_rule_names(config: &ClassifierConfig) -> Result<(), ConfigError> {
    let mut names: HashSet<String> = HashSet::new();
    for (set, _) in &config.rule_sets {
        let set = RuleSet::builtin(set).map_err(|e| ConfigError::new(ConfigErrorKind::RuleSet(e)))?;
        names.extend(set.rules().iter().map(|r| r.name().to_owned()));
    }
    for rule in &config.rules {
        let label = format!("rule `{}`", rule.name);
        let valid = !rule.name.is_empty()
            && rule.name != DEFAULT_RULE
            && rule
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid {
            return Err(ConfigError::new(ConfigErrorKind::InvalidRuleName).rule(label));
        }
        if !names.insert(rule.name.clone()) {
            return Err(ConfigError::new(ConfigErrorKind::DuplicateRule).rule(label));
        }
    }
    Ok(())
}

/// Something selects changes: the default rule or a `keep` rule / rule set.
pub(crate) fn check_selects(config: &ClassifierConfig) -> Result<(), ConfigError> {
    let selects = config.default_rule
        || config.rules.iter().any(|r| r.action == RuleAction::Keep)
        || config
            .rule_sets
            .iter()
            .any(|(_, action)| *action == RuleAction::Keep);
    if selects {
        Ok(())
    } else {
        Err(ConfigError::new(ConfigErrorKind::NothingSelects))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::classify::config::PatternRule;

    fn record(extra: Value) -> Value {
        let mut record = json!({
            "eventVersion": "1.08", "eventTime": "2023-07-10T12:00:00Z", "eventID": "e-1",
            "eventSource": "ec2.amazonaws.com", "eventName": "CreateVpc", "eventType": "AwsApiCall",
            "readOnly": false, "managementEvent": true, "eventCategory": "Management",
            "userIdentity": {"type": "IAMUser", "userName": "bob", "arn": "arn:aws:iam::1:user/bob"}
        });
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                record.as_object_mut().unwrap().remove(k);
            } else {
                record[k] = v.clone();
            }
        }
        record
    }

    fn skip(classifier: &Classifier, r: Value) -> SkipReason {
        match classifier.classify(&r) {
            Decision::Skip(reason) => reason,
            Decision::Keep(kept) => panic!("kept {r} by {:?}", kept.rules),
        }
    }

    fn keep(classifier: &Classifier, r: Value) -> Vec<String> {
        match classifier.classify(&r) {
            Decision::Keep(kept) => kept.rules.iter().map(|r| r.to_string()).collect(),
            Decision::Skip(reason) => panic!("skipped {r}: {reason}"),
        }
    }

    #[test]
    fn default_rule_steps() {
        let c = Classifier::default();
        assert_eq!(keep(&c, record(json!({}))), ["default"]);
        assert_eq!(
            skip(&c, json!([1])),
            SkipReason::Malformed("not a JSON object".into())
        );
        assert_eq!(
            skip(&c, json!({"eventType": "AwsCloudTrailInsight", "eventID": "x"})),
            SkipReason::Insight
        );
        assert_eq!(
            skip(&c, record(json!({"eventCategory": "Data"}))),
            SkipReason::DataEvent
        );
        assert_eq!(
            skip(&c, record(json!({"managementEvent": false}))),
            SkipReason::DataEvent
        );
        assert_eq!(
            skip(&c, record(json!({"eventCategory": "NetworkActivity"}))),
            SkipReason::NetworkActivity
        );
        assert_eq!(
            skip(
                &c,
                record(json!({"eventType": "AwsConsoleSignIn", "eventName": "ConsoleLogin"}))
            ),
            SkipReason::SignIn
        );
        assert_eq!(
            skip(&c, record(json!({"errorCode": "Client.DryRunOperation"}))),
            SkipReason::Failed
        );
        // A failed console login has errorMessage and no errorCode (console sign-in doc).
        assert_eq!(
            skip(&c, record(json!({"errorMessage": "Failed authentication"}))),
            SkipReason::Failed
        );
        assert_eq!(skip(&c, record(json!({"readOnly": true}))), SkipReason::ReadOnly);
        assert_eq!(
            skip(
                &c,
                record(json!({"eventSource": "ssm.amazonaws.com", "eventName": "UpdateInstanceInformation"}))
            ),
            SkipReason::Noise(Arc::from("ssm-agent"))
        );
        assert_eq!(
            skip(
                &c,
                record(json!({"eventSource": "sts.amazonaws.com", "eventName": "GetFederationToken"}))
            ),
            SkipReason::Noise(Arc::from("sts-credentials"))
        );
        assert_eq!(
            skip(
                &c,
                record(
                    json!({"eventSource": "kms.amazonaws.com", "eventName": "GenerateDataKeyWithoutPlaintext"})
                )
            ),
            SkipReason::Noise(Arc::from("kms-crypto"))
        );
    }

    #[test]
    fn missing_read_only_uses_the_verb_heuristic_except_for_service_events() {
        let c = Classifier::default();
        assert_eq!(keep(&c, record(json!({"readOnly": null}))), ["default"]);
        assert_eq!(
            skip(
                &c,
                record(json!({"readOnly": null, "eventName": "DescribeLaunchConfigurations"}))
            ),
            SkipReason::ReadOnlyByName
        );
        assert_eq!(
            skip(&c, record(json!({"readOnly": null, "eventName": "AssumeRole"}))),
            SkipReason::ReadOnlyByName
        );
        assert_eq!(
            keep(
                &c,
                record(
                    json!({"readOnly": null, "eventType": "AwsServiceEvent", "eventName": "SharedSnapshotVolumeCreated"})
                )
            ),
            ["default"]
        );
        let write_all = Classifier::new(&ClassifierConfig {
            missing_read_only: MissingReadOnly::Write,
            ..ClassifierConfig::default()
        })
        .unwrap();
        assert_eq!(
            keep(
                &write_all,
                record(json!({"readOnly": null, "eventName": "AssumeRole"}))
            ),
            ["default"]
        );
        let read_all = Classifier::new(&ClassifierConfig {
            missing_read_only: MissingReadOnly::Read,
            ..ClassifierConfig::default()
        })
        .unwrap();
        assert_eq!(
            skip(&read_all, record(json!({"readOnly": null}))),
            SkipReason::ReadOnlyByName
        );
    }

    #[test]
    fn options_turn_steps_off() {
        let c = Classifier::new(&ClassifierConfig {
            data_events: true,
            sign_in_events: true,
            read_only: ReadOnlyPolicy::Keep,
            noise: Vec::new(),
            ..ClassifierConfig::default()
        })
        .unwrap();
        assert_eq!(keep(&c, record(json!({"eventCategory": "Data"}))), ["default"]);
        assert_eq!(
            keep(&c, record(json!({"eventType": "AwsConsoleSignIn"}))),
            ["default"]
        );
        assert_eq!(keep(&c, record(json!({"readOnly": true}))), ["default"]);
        assert_eq!(
            keep(
                &c,
                record(json!({"eventSource": "sts.amazonaws.com", "eventName": "AssumeRole"}))
            ),
            ["default"]
        );
        // Failed calls stay skipped.
        assert_eq!(skip(&c, record(json!({"errorCode": "X"}))), SkipReason::Failed);
    }

    #[test]
    fn include_exclude_and_service_actors() {
        let config = ClassifierConfig::from_toml_str(
            "service-actors = \"drop\"\n[[include]]\nevent-source = \"ec2.*\"\n[[exclude]]\nname = \"no-tags\"\nevent-name = \"CreateTags\"\n",
            "t.toml",
        )
        .unwrap();
        let c = Classifier::new(&config).unwrap();
        assert_eq!(keep(&c, record(json!({}))), ["default"]);
        assert_eq!(
            skip(&c, record(json!({"eventSource": "iam.amazonaws.com"}))),
            SkipReason::Excluded(Arc::from("not included"))
        );
        assert_eq!(
            skip(&c, record(json!({"eventName": "CreateTags"}))),
            SkipReason::Excluded(Arc::from("no-tags"))
        );
        assert_eq!(
            skip(
                &c,
                record(json!({"userIdentity": {"type": "AWSService", "invokedBy": "rds.amazonaws.com"}}))
            ),
            SkipReason::ServiceActor
        );
    }

    #[test]
    fn pattern_rules_keep_tag_and_drop() {
        let config = ClassifierConfig::from_toml_str(
            r#"
rule-sets = [{ name = "cloudwatch-alarms", action = "tag" }, "cis"]
[[rule]]
name = "vpc-deletes"
pattern = '{ $.eventName = DeleteVpc }'
action = "drop"
[[rule]]
name = "ec2"
pattern = '{ $.eventSource = ec2.amazonaws.com }'
action = "tag"
"#,
            "t.toml",
        )
        .unwrap();
        let c = Classifier::new(&config).unwrap();
        // CreateVpc: default + vpc-changes (tag in cloudwatch-alarms, keep in cis: keep wins) + ec2.
        assert_eq!(keep(&c, record(json!({}))), ["default", "vpc-changes", "ec2"]);
        // A failed unauthorized call: the default rule skips it, the cis rule keeps it.
        assert_eq!(
            keep(
                &c,
                record(
                    json!({"errorCode": "Client.UnauthorizedOperation", "eventName": "DescribeVpcs", "readOnly": true})
                )
            ),
            ["authorization-failures", "ec2"]
        );
        // A console login without MFA: a sign-in, kept by cis.
        let login = record(
            json!({"eventType": "AwsConsoleSignIn", "eventName": "ConsoleLogin",
            "eventSource": "signin.amazonaws.com", "additionalEventData": {"MFAUsed": "No"},
            "responseElements": {"ConsoleLogin": "Success"}}),
        );
        assert_eq!(keep(&c, login), ["console-sign-in-without-mfa"]);
        assert_eq!(
            skip(&c, record(json!({"eventName": "DeleteVpc"}))),
            SkipReason::DroppedByRule(Arc::from("vpc-deletes"))
        );
        // Tag rules alone select nothing (`ec2` matches, no keep rule does).
        assert_eq!(
            skip(&c, record(json!({"readOnly": true, "eventName": "DescribeVpcs"}))),
            SkipReason::ReadOnly
        );
        assert_eq!(
            c.rule_names().take(3).collect::<Vec<_>>(),
            ["default", "security-group-changes", "network-acl-changes"]
        );
    }

    #[test]
    fn without_the_default_rule_only_keep_rules_select() {
        let c = Classifier::new(&ClassifierConfig {
            default_rule: false,
            rules: vec![PatternRule {
                name: "vpcs".into(),
                pattern: "{ $.eventName = *Vpc }".parse().unwrap(),
                action: RuleAction::Keep,
            }],
            ..ClassifierConfig::default()
        })
        .unwrap();
        assert_eq!(keep(&c, record(json!({"readOnly": true}))), ["vpcs"]);
        assert_eq!(
            skip(&c, record(json!({"eventName": "CreateRoute"}))),
            SkipReason::NotSelected
        );
    }

    #[test]
    fn programmatic_configs_are_checked_too() {
        let duplicate = ClassifierConfig {
            rule_sets: vec![("cis".into(), RuleAction::Keep)],
            rules: vec![PatternRule {
                name: "vpc-changes".into(),
                pattern: "{ $.a = 1 }".parse().unwrap(),
                action: RuleAction::Tag,
            }],
            ..ClassifierConfig::default()
        };
        assert_eq!(
            Classifier::new(&duplicate).unwrap_err().to_string(),
            "rule `vpc-changes`: a rule with this name is already defined"
        );
        let nothing = ClassifierConfig {
            default_rule: false,
            ..ClassifierConfig::default()
        };
        assert!(matches!(
            Classifier::new(&nothing).unwrap_err().kind(),
            ConfigErrorKind::NothingSelects
        ));
    }
}
