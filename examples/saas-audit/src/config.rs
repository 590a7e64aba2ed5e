//! The tenant registry: `tenants.toml` → one [`Destination`] per tenant.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;

use ctlake::{AssumeRole, Destination, EventSource};
use serde::Deserialize;

/// The config file, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    listen: Option<SocketAddr>,
    event_source: String,
    endpoint_url: Option<String>,
    #[serde(default)]
    tenants: Vec<TenantEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantEntry {
    id: String,
    channel_arn: String,
    external_id: Option<String>,
    role_arn: Option<String>,
    role_external_id: Option<String>,
}

/// A config file problem, naming the file and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape (the message has line and column).
    #[error("{path}: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// The TOML error.
        message: String,
    },
    /// A value is invalid.
    #[error("{path}: {field}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// Which value, e.g. `tenants[1].channel_arn`.
        field: String,
        /// Why.
        message: String,
    },
}

/// The app's configuration: where to listen, its event source and the tenant registry.
#[derive(Debug, Clone)]
pub struct Config {
    /// The listen address (default `127.0.0.1:8080`).
    pub listen: SocketAddr,
    /// The `eventSource` of every event.
    pub event_source: EventSource,
    /// Tenant id → destination.
    pub tenants: BTreeMap<String, Destination>,
}

impl Config {
    /// Reads `path`.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] naming the file and the problem.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses config text; `path` names it in errors.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] naming the problem.
    pub fn parse(text: &str, path: &str) -> Result<Self, ConfigError> {
        let file: File = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let invalid = |field: String, message: String| ConfigError::Invalid {
            path: path.to_owned(),
            field,
            message,
        };
        let event_source = file
            .event_source
            .parse()
            .map_err(|e: ctlake::InvalidValue| invalid("event_source".into(), e.to_string()))?;
        let mut tenants = BTreeMap::new();
        for (i, t) in file.tenants.into_iter().enumerate() {
            let field = |name: &str| format!("tenants[{i}].{name}");
            let mut b = Destination::builder()
                .name(t.id.clone())
                .channel_arn(
                    t.channel_arn
                        .parse()
                        .map_err(|e: ctlake::InvalidValue| invalid(field("channel_arn"), e.to_string()))?,
                )
                .set_endpoint_url(file.endpoint_url.clone());
            if let Some(ext) = t.external_id {
                b = b.external_id(
                    ext.parse()
                        .map_err(|e: ctlake::InvalidValue| invalid(field("external_id"), e.to_string()))?,
                );
            }
            if let Some(role) = t.role_arn {
                let mut role = AssumeRole::new(role);
                if let Some(ext) = t.role_external_id {
                    role = role.external_id(ext);
                }
                b = b.assume_role(role);
            }
            let dest = b
                .build()
                .map_err(|e| invalid(field("channel_arn"), e.to_string()))?;
            if tenants.insert(t.id.clone(), dest).is_some() {
                return Err(invalid(field("id"), format!("tenant {:?} is listed twice", t.id)));
            }
        }
        Ok(Self {
            listen: file
                .listen
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            event_source,
            tenants,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_example_file() {
        let text = include_str!("../tenants.example.toml");
        let c = Config::parse(text, "tenants.example.toml").unwrap();
        assert_eq!(c.tenants.len(), 2);
        assert_eq!(
            c.tenants["acme"].external_id().unwrap().as_str(),
            "saas-audit-acme"
        );
        assert_eq!(c.tenants["acme"].endpoint_url(), Some("http://127.0.0.1:4599"));
    }

    #[test]
    fn errors_name_the_file_and_field() {
        let err = Config::parse(
            "event_source = \"x.example.com\"\n[[tenants]]\nid = \"a\"\nchannel_arn = \"nope\"\n",
            "t.toml",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("t.toml: tenants[0].channel_arn: invalid channel ARN"),
            "{err}"
        );
        let err = Config::parse("event_source = 3", "t.toml").unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
    }
}
