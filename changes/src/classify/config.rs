//! Classifier configuration, in code or from a TOML file.
//!
//! ```toml
//! # Every key is optional; the values shown are the defaults.
//! default-rule = true          # the change rule of change-detection.md §1.4, recorded as rule "default"
//! data-events = false          # keep data and network-activity events
//! sign-in-events = false       # keep console sign-ins (ConsoleLogin, CheckMfa, SwitchRole)
//! read-only = "skip"           # "skip" | "keep": read-only calls (readOnly: true)
//! missing-read-only = "heuristic"  # "heuristic" | "write" | "read": records without readOnly
//! service-actors = "keep"      # "keep" | "drop": changes made by AWS services / machine identities
//! default-noise = true         # the built-in noise list (SSM agent, STS, KMS crypto, RDS Data API, …)
//! rule-sets = ["cis"]          # shipped rule sets; or { name = "cis", action = "tag" }
//!
//! [[noise]]                    # more noise: globs on eventSource and eventName (a string or a list)
//! name = "tagging"
//! event-source = "ec2.amazonaws.com"
//! event-name = ["CreateTags", "DeleteTags"]
//!
//! [[include]]                  # when present, only matching events are considered
//! event-source = ["ec2.amazonaws.com", "iam.amazonaws.com"]
//!
//! [[exclude]]                  # matching events are never changes
//! event-source = "s3.amazonaws.com"
//! event-name = "PutBucketTagging"
//!
//! [[rule]]                     # a CloudWatch Logs filter pattern
//! name = "big-instances"
//! pattern = '{ ($.eventName = RunInstances) && ($.requestParameters.instanceType = *.8xlarge) }'
//! action = "keep"              # "keep": selects the record as a change; "tag": only recorded on kept
//!                              # changes; "drop": never a change
//! ```

use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::error::{ConfigError, ConfigErrorKind, line_of};
use super::noise::builtin_noise;
use crate::filter::{FilterPattern, RuleSet};

/// How the classifier decides; [`Default`] is the rule of `change-detection.md` §1.4 with the built-in noise list.
#[derive(Debug, Clone)]
pub struct ClassifierConfig {
    /// Apply the default change rule (recorded as rule `default`).
    pub default_rule: bool,
    /// Keep data and network-activity events (off by default: very high volume).
    pub data_events: bool,
    /// Keep console sign-in events.
    pub sign_in_events: bool,
    /// What to do with read-only calls.
    pub read_only: ReadOnlyPolicy,
    /// How to treat records without a `readOnly` flag.
    pub missing_read_only: MissingReadOnly,
    /// Keep or drop changes made by AWS services and machine identities.
    pub service_actors: ServiceActors,
    /// The noise list: events the default rule never keeps.
    pub noise: Vec<EventMatch>,
    /// When not empty, only events matching one of these are considered at all.
    pub include: Vec<EventMatch>,
    /// Events matching one of these are never changes.
    pub exclude: Vec<EventMatch>,
    /// Shipped rule sets (by name) with the action their rules take.
    pub rule_sets: Vec<(String, RuleAction)>,
    /// Filter-pattern rules.
    pub rules: Vec<PatternRule>,
}

impl Default for ClassifierConfig {
    fn default() -> Self {
        Self {
            default_rule: true,
            data_events: false,
            sign_in_events: false,
            read_only: ReadOnlyPolicy::Skip,
            missing_read_only: MissingReadOnly::Heuristic,
            service_actors: ServiceActors::Keep,
            noise: builtin_noise(),
            include: Vec::new(),
            exclude: Vec::new(),
            rule_sets: Vec::new(),
            rules: Vec::new(),
        }
    }
}

/// Read-only calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReadOnlyPolicy {
    /// Not changes (default).
    #[default]
    Skip,
    /// Kept like writes.
    Keep,
}

/// Records without `readOnly` (eventVersion ≤ 1.05 and some services).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MissingReadOnly {
    /// Decide by the event name's verb (`Create…` is a write, `Describe…` a read, unknown is a read).
    #[default]
    Heuristic,
    /// Treat as writes.
    Write,
    /// Treat as reads.
    Read,
}

/// Changes made by AWS services and machine identities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceActors {
    /// Kept, with `actor_kind` = `service` (default).
    #[default]
    Keep,
    /// Skipped.
    Drop,
}

/// What a filter-pattern rule does when it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleAction {
    /// The record is a change (even when the default rule would skip it), and the rule is recorded.
    #[default]
    Keep,
    /// The rule is recorded on changes kept by other rules; it selects nothing itself.
    Tag,
    /// The record is never a change.
    Drop,
}

/// Events by `eventSource` and `eventName` globs (`*`, `?`, `[…]`, `{a,b}`; case-sensitive). An empty list
/// matches anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventMatch {
    /// A name for reports (noise entries are counted by name).
    pub name: Option<String>,
    /// Globs on `eventSource`.
    pub event_source: Vec<String>,
    /// Globs on `eventName`.
    pub event_name: Vec<String>,
}

/// A named filter-pattern rule.
#[derive(Debug, Clone)]
pub struct PatternRule {
    /// Stable name, recorded with the changes it matches.
    pub name: String,
    /// The pattern.
    pub pattern: FilterPattern,
    /// What a match does.
    pub action: RuleAction,
}

impl ClassifierConfig {
    /// Reads a TOML configuration file (format in the module docs).
    ///
    /// # Errors
    ///
    /// [`ConfigError`] naming the file, line and rule: unreadable file, TOML syntax, unknown keys, invalid
    /// patterns, globs or rule names, unknown rule sets.
    pub fn from_toml_file(path: &Path) -> Result<Self, ConfigError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::new(ConfigErrorKind::Read(e)).at(&origin, None))?;
        Self::from_toml_str(&text, &origin)
    }

    /// Parses a TOML configuration; `origin` names it in errors (usually the file name).
    ///
    /// # Errors
    ///
    /// As [`from_toml_file`](Self::from_toml_file).
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|span| line_of(text, span.start));
            ConfigError::new(ConfigErrorKind::Syntax(e.message().trim_end().to_owned())).at(origin, line)
        })?;
        let at = |span: &Range<usize>| Some(line_of(text, span.start));
        let mut config = Self {
            default_rule: raw.default_rule.unwrap_or(true),
            data_events: raw.data_events.unwrap_or(false),
            sign_in_events: raw.sign_in_events.unwrap_or(false),
            read_only: raw.read_only.unwrap_or_default(),
            missing_read_only: raw.missing_read_only.unwrap_or_default(),
            service_actors: raw.service_actors.unwrap_or_default(),
            noise: if raw.default_noise.unwrap_or(true) {
                builtin_noise()
            } else {
                Vec::new()
            },
            ..Self::default()
        };
        for (list, raw_list, what) in [
            (&mut config.noise, raw.noise, "noise"),
            (&mut config.include, raw.include, "include"),
            (&mut config.exclude, raw.exclude, "exclude"),
        ] {
            for (i, entry) in raw_list.into_iter().enumerate() {
                let span = entry.span();
                let entry = entry.into_inner();
                let label = entry.name.clone().unwrap_or_else(|| format!("{what}[{i}]"));
                let event_match = EventMatch {
                    name: Some(label.clone()),
                    event_source: entry.event_source.map(OneOrMany::into_vec).unwrap_or_default(),
                    event_name: entry.event_name.map(OneOrMany::into_vec).unwrap_or_default(),
                };
                super::matcher::CompiledMatch::new(&event_match)
                    .map_err(|e| e.at(origin, at(&span)).rule(format!("{what} `{label}`")))?;
                list.push(event_match);
            }
        }
        for set in raw.rule_sets {
            let span = set.span();
            let (name, action) = match set.into_inner() {
                RawRuleSet::Name(name) => (name, RuleAction::Keep),
                RawRuleSet::Table { name, action } => (name, action.unwrap_or_default()),
            };
            RuleSet::builtin(&name)
                .map_err(|e| ConfigError::new(ConfigErrorKind::RuleSet(e)).at(origin, at(&span)))?;
            config.rule_sets.push((name, action));
        }
        for rule in raw.rules {
            let span = rule.span();
            let rule = rule.into_inner();
            let name = rule.name.into_inner();
            let rule_label = format!("rule `{name}`");
            let pattern = FilterPattern::parse(rule.pattern.get_ref()).map_err(|e| {
                ConfigError::new(ConfigErrorKind::Pattern(e))
                    .at(origin, at(&rule.pattern.span()))
                    .rule(rule_label.clone())
            })?;
            config.rules.push(PatternRule {
                name,
                pattern,
                action: rule.action.unwrap_or_default(),
            });
            // Name checks need every rule (and the rule sets): done once the config is complete.
            super::classifier::check_rule_names(&config).map_err(|e| e.at(origin, at(&span)))?;
        }
        super::classifier::check_selects(&config).map_err(|e| e.at(origin, None))?;
        Ok(config)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    default_rule: Option<bool>,
    data_events: Option<bool>,
    sign_in_events: Option<bool>,
    read_only: Option<ReadOnlyPolicy>,
    missing_read_only: Option<MissingReadOnly>,
    service_actors: Option<ServiceActors>,
    default_noise: Option<bool>,
    #[serde(default)]
    rule_sets: Vec<Spanned<RawRuleSet>>,
    #[serde(default)]
    noise: Vec<Spanned<RawMatch>>,
    #[serde(default)]
    include: Vec<Spanned<RawMatch>>,
    #[serde(default)]
    exclude: Vec<Spanned<RawMatch>>,
    #[serde(default, rename = "rule")]
    rules: Vec<Spanned<RawRule>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawRuleSet {
    Name(String),
    Table {
        name: String,
        action: Option<RuleAction>,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawMatch {
    name: Option<String>,
    event_source: Option<OneOrMany>,
    event_name: Option<OneOrMany>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            Self::One(one) => vec![one],
            Self::Many(many) => many,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRule {
    name: Spanned<String>,
    pattern: Spanned<String>,
    action: Option<RuleAction>,
    #[allow(dead_code)]
    description: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        match ClassifierConfig::from_toml_str(text, "changes.toml") {
            Ok(_) => panic!("accepted: {text}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn empty_file_is_the_default() {
        let config = ClassifierConfig::from_toml_str("", "changes.toml").unwrap();
        let default = ClassifierConfig::default();
        assert!(config.default_rule && !config.data_events && !config.sign_in_events);
        assert_eq!(config.noise, default.noise);
        assert!(config.rules.is_empty() && config.rule_sets.is_empty());
    }

    #[test]
    fn full_example_parses() {
        let text = r#"
default-rule = true
data-events = true
sign-in-events = true
read-only = "keep"
missing-read-only = "write"
service-actors = "drop"
default-noise = false
rule-sets = ["cis", { name = "cloudwatch-alarms", action = "tag" }]

[[noise]]
name = "tagging"
event-source = "ec2.amazonaws.com"
event-name = ["CreateTags", "DeleteTags"]

[[include]]
event-source = ["ec2.amazonaws.com", "iam.amazonaws.com"]

[[exclude]]
event-source = "s3.amazonaws.com"
event-name = "PutBucketTagging"

[[rule]]
name = "big-instances"
pattern = '{ ($.eventName = RunInstances) && ($.requestParameters.instanceType = *.8xlarge) }'
action = "keep"
description = "Large instances"

[[rule]]
name = "no-tags"
pattern = '{ $.eventName = CreateTags }'
action = "drop"
"#;
        let config = ClassifierConfig::from_toml_str(text, "changes.toml").unwrap();
        assert!(config.data_events && config.sign_in_events);
        assert_eq!(config.read_only, ReadOnlyPolicy::Keep);
        assert_eq!(config.missing_read_only, MissingReadOnly::Write);
        assert_eq!(config.service_actors, ServiceActors::Drop);
        assert_eq!(config.noise.len(), 1);
        assert_eq!(config.noise[0].event_name, ["CreateTags", "DeleteTags"]);
        assert_eq!(config.include[0].name.as_deref(), Some("include[0]"));
        assert_eq!(
            config.rule_sets,
            [
                ("cis".to_owned(), RuleAction::Keep),
                ("cloudwatch-alarms".to_owned(), RuleAction::Tag)
            ]
        );
        assert_eq!(config.rules.len(), 2);
        assert_eq!(config.rules[1].action, RuleAction::Drop);
    }

    #[test]
    fn errors_name_file_line_and_rule() {
        assert_eq!(
            err("default-rule = true\n\n[[rule]]\nname = \"x\"\npattern = '{ $.a = }'\n"),
            "changes.toml:5: rule `x`: invalid filter pattern: column 9: expected a value (number, string or \
             %regex%), found `}`"
        );
        let e = err("[[exclude]]\nname = \"bad\"\nevent-source = \"[ec2\"\n");
        assert!(
            e.starts_with("changes.toml:1: exclude `bad`: invalid glob `[ec2`: "),
            "{e}"
        );
        let e = err("[[include]]\nevent-name = \"{a,\"\n");
        assert!(
            e.starts_with("changes.toml:1: include `include[0]`: invalid glob `{a,`"),
            "{e}"
        );
        assert_eq!(
            err("x = 1\n"),
            "changes.toml:1: unknown field `x`, expected one of `default-rule`, `data-events`, \
             `sign-in-events`, `read-only`, `missing-read-only`, `service-actors`, `default-noise`, `rule-sets`, \
             `noise`, `include`, `exclude`, `rule`"
        );
        let e = err("read-only = \"sometimes\"\n");
        assert!(
            e.starts_with("changes.toml:1: unknown variant `sometimes`"),
            "{e}"
        );
        assert_eq!(
            err("\nrule-sets = [\"pci\"]\n"),
            "changes.toml:2: unknown rule set `pci` (known: cloudwatch-alarms, cis, all)"
        );
        assert_eq!(
            err(
                "[[rule]]\nname = \"a\"\npattern = '{ $.a = 1 }'\n[[rule]]\nname = \"a\"\npattern = '{ $.b = 1 }'\n"
            ),
            "changes.toml:4: rule `a`: a rule with this name is already defined"
        );
        assert_eq!(
            err("rule-sets = [\"cis\"]\n[[rule]]\nname = \"cloudtrail-changes\"\npattern = '{ $.b = 1 }'\n"),
            "changes.toml:2: rule `cloudtrail-changes`: a rule with this name is already defined"
        );
        assert_eq!(
            err("[[rule]]\nname = \"default\"\npattern = '{ $.b = 1 }'\n"),
            "changes.toml:1: rule `default`: rule names use letters, digits, `-`, `_` and `.`, and `default` is \
             reserved"
        );
        assert_eq!(
            err("default-rule = false\n[[rule]]\nname = \"t\"\npattern = '{ $.b = 1 }'\naction = \"tag\"\n"),
            "changes.toml: default-rule is false and no rule or rule set selects changes (action \"keep\")"
        );
        let e = err("[[rule]]\nname = \"x\"\n");
        assert!(e.starts_with("changes.toml:1: missing field `pattern`"), "{e}");
        let e = err("default-rule = \n");
        assert!(e.starts_with("changes.toml:1: "), "{e}");
    }

    #[test]
    fn unreadable_file() {
        let e = ClassifierConfig::from_toml_file(Path::new("/no/such/changes.toml")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "/no/such/changes.toml: cannot read the configuration file"
        );
        assert!(matches!(e.kind(), ConfigErrorKind::Read(_)));
    }
}
