//! The TOML form of a `source.toml`, as serde reads it: every value that a rule may need to point at is
//! [`Spanned`], so diagnostics name its line and column. `load` turns it into the model.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// A whole `source.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFile {
    pub(crate) source: Spanned<RawSource>,
    pub(crate) example_envelope: Option<Spanned<RawEnvelope>>,
    #[serde(default)]
    pub(crate) event: Vec<Spanned<RawEvent>>,
}

/// `[source]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSource {
    pub(crate) event_source: Spanned<String>,
    pub(crate) product: String,
    pub(crate) owner: String,
    pub(crate) description: String,
    pub(crate) docs_url: Option<String>,
    pub(crate) status: Option<Spanned<String>>,
}

/// One `[[event]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEvent {
    pub(crate) name: Option<Spanned<String>>,
    pub(crate) name_pattern: Option<Spanned<String>>,
    pub(crate) rust_name: Option<Spanned<String>>,
    pub(crate) version: Spanned<String>,
    pub(crate) description: String,
    #[serde(default)]
    pub(crate) request_parameters: Vec<Spanned<RawField>>,
    #[serde(default)]
    pub(crate) response_elements: Vec<Spanned<RawField>>,
    #[serde(default)]
    pub(crate) additional_event_data: Vec<Spanned<RawField>>,
    #[serde(default)]
    pub(crate) example: Vec<Spanned<RawExample>>,
}

/// One field declaration: `{ name = "ruleName", type = "string", required = true, description = "…" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawField {
    pub(crate) name: Spanned<String>,
    #[serde(rename = "type")]
    pub(crate) ty: Spanned<String>,
    #[serde(default)]
    pub(crate) required: Option<Spanned<bool>>,
    pub(crate) description: String,
    pub(crate) values: Option<Spanned<Vec<Spanned<String>>>>,
    pub(crate) enum_name: Option<Spanned<String>>,
    pub(crate) items: Option<Spanned<String>>,
    pub(crate) rust_name: Option<Spanned<String>>,
}

/// The values of one example section, keyed by field name.
pub(crate) type RawValues = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

/// One `[[event.example]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawExample {
    pub(crate) description: Option<String>,
    pub(crate) event_name: Option<Spanned<String>>,
    pub(crate) envelope: Option<Spanned<RawEnvelope>>,
    pub(crate) request_parameters: Option<Spanned<RawValues>>,
    pub(crate) response_elements: Option<Spanned<RawValues>>,
    pub(crate) additional_event_data: Option<Spanned<RawValues>>,
}

/// The common parts of an example's `eventData`; unset ones come from `[example_envelope]`, then from the
/// format's defaults.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEnvelope {
    pub(crate) user_identity: Option<Spanned<RawIdentity>>,
    pub(crate) event_time: Option<Spanned<String>>,
    pub(crate) uid: Option<Spanned<String>>,
    pub(crate) recipient_account_id: Option<Spanned<String>>,
    pub(crate) user_agent: Option<Spanned<String>>,
    pub(crate) source_ip_address: Option<Spanned<String>>,
    pub(crate) error_code: Option<Spanned<String>>,
    pub(crate) error_message: Option<Spanned<String>>,
}

/// `user_identity = { type = "USER", principal_id = "jane@example.com" }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIdentity {
    #[serde(rename = "type")]
    pub(crate) ty: String,
    pub(crate) principal_id: String,
    pub(crate) details: Option<Spanned<RawValues>>,
}
