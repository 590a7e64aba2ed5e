//! Compiled `eventSource` / `eventName` glob matchers.

use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::config::EventMatch;
use super::error::{ConfigError, ConfigErrorKind};

/// An [`EventMatch`] with its globs compiled.
#[derive(Debug, Clone)]
pub(crate) struct CompiledMatch {
    pub(crate) label: Arc<str>,
    sources: Option<GlobSet>,
    names: Option<GlobSet>,
}

impl CompiledMatch {
    pub(crate) fn new(event_match: &EventMatch) -> Result<Self, ConfigError> {
        Ok(Self {
            label: Arc::from(event_match.name.as_deref().unwrap_or("")),
            sources: globs(&event_match.event_source)?,
            names: globs(&event_match.event_name)?,
        })
    }

    pub(crate) fn matches(&self, event_source: &str, event_name: &str) -> bool {
        self.sources.as_ref().is_none_or(|s| s.is_match(event_source))
            && self.names.as_ref().is_none_or(|n| n.is_match(event_name))
    }
}

fn globs(patterns: &[String]) -> Result<Option<GlobSet>, ConfigError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern).map_err(|e| {
            ConfigError::new(ConfigErrorKind::Glob {
                glob: pattern.clone(),
                message: e.kind().to_string(),
            })
        })?;
        builder.add(glob);
    }
    builder.build().map(Some).map_err(|e| {
        ConfigError::new(ConfigErrorKind::Glob {
            glob: patterns.join(", "),
            message: e.to_string(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(sources: &[&str], names: &[&str]) -> CompiledMatch {
        CompiledMatch::new(&EventMatch {
            name: None,
            event_source: sources.iter().map(|s| (*s).to_owned()).collect(),
            event_name: names.iter().map(|s| (*s).to_owned()).collect(),
        })
        .unwrap()
    }

    #[test]
    fn globs_on_both_fields() {
        let m = compiled(&["*.amazonaws.com"], &["Create*", "Delete{Bucket,Object}"]);
        assert!(m.matches("ec2.amazonaws.com", "CreateVpc"));
        assert!(m.matches("s3.amazonaws.com", "DeleteBucket"));
        assert!(!m.matches("s3.amazonaws.com", "DeleteBucketPolicy"));
        assert!(!m.matches("ec2.amazonaws.com", "createvpc"));
        assert!(!m.matches("example.com", "CreateVpc"));
        let any = compiled(&[], &[]);
        assert!(any.matches("x", "y"));
    }
}
