//! [`Destination`] and its builder.

use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use super::credentials::{AssumeRole, DestinationCredentials};
use crate::{ChannelArn, ExternalId};

/// Where one tenant's events go: a channel ARN, the channel's external ID, and the connection (region,
/// credentials, endpoint). Cheap to clone; compare destinations with [`key`](Self::key).
#[derive(Clone)]
pub struct Destination {
    inner: Arc<Inner>,
}

struct Inner {
    name: String,
    channel_arn: ChannelArn,
    external_id: Option<ExternalId>,
    region: String,
    credentials: DestinationCredentials,
    endpoint_url: Option<String>,
    key: DestinationKey,
}

/// What makes two destinations the same: channel ARN, external ID, region, endpoint and credentials identity
/// (never a secret). Destinations with equal keys share one queue, batcher and service stack.
///
/// Hashing a key is cheap: it hashes a digest of its fields computed once, when the destination is built
/// (the publisher looks its destination up on every `publish`).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DestinationKey {
    channel_arn: String,
    external_id: Option<String>,
    region: String,
    endpoint_url: Option<String>,
    credentials: String,
    /// A hash of the fields above (a function of them, so equal keys have equal digests; last, so ordering
    /// is by the fields).
    digest: u64,
}

impl Hash for DestinationKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.digest);
    }
}

impl fmt::Debug for DestinationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DestinationKey")
            .field("channel_arn", &self.channel_arn)
            .field("external_id", &self.external_id)
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .field("credentials", &self.credentials)
            .finish()
    }
}

impl DestinationKey {
    fn new(
        channel_arn: String,
        external_id: Option<String>,
        region: String,
        endpoint_url: Option<String>,
        credentials: String,
    ) -> Self {
        // A fixed-key hasher: the digest depends on the fields only, in every process.
        let mut hasher = DefaultHasher::new();
        (&channel_arn, &external_id, &region, &endpoint_url, &credentials).hash(&mut hasher);
        Self {
            channel_arn,
            external_id,
            region,
            endpoint_url,
            credentials,
            digest: hasher.finish(),
        }
    }

    /// The channel ARN.
    pub fn channel_arn(&self) -> &str {
        &self.channel_arn
    }
}

impl Destination {
    /// A builder; [`channel_arn`](DestinationBuilder::channel_arn) is required.
    pub fn builder() -> DestinationBuilder {
        DestinationBuilder::default()
    }

    /// A destination for `channel_arn` with the sink's default credentials, the channel's region and no
    /// external ID.
    pub fn new(channel_arn: ChannelArn) -> Self {
        Self::builder()
            .channel_arn(channel_arn)
            .build()
            .unwrap_or_else(|_| unreachable!("a channel ARN is the only required setting"))
    }

    /// The name used in metrics labels, logs and status (default: the channel ARN).
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The channel ARN (`channelArn` query parameter).
    pub fn channel_arn(&self) -> &ChannelArn {
        &self.inner.channel_arn
    }

    /// The channel's external ID (`externalId` query parameter), if its resource policy requires one.
    pub fn external_id(&self) -> Option<&ExternalId> {
        self.inner.external_id.as_ref()
    }

    /// The region `PutAuditEvents` is called in (default: the channel ARN's region).
    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// The credentials calls are signed with.
    pub fn credentials(&self) -> &DestinationCredentials {
        &self.inner.credentials
    }

    /// An endpoint URL overriding the sink's (e.g. a local Lake), if set.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.inner.endpoint_url.as_deref()
    }

    /// The identity of this destination; see [`DestinationKey`].
    pub fn key(&self) -> &DestinationKey {
        &self.inner.key
    }
}

impl fmt::Debug for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Destination")
            .field("name", &self.inner.name)
            .field("channel_arn", &self.inner.channel_arn.as_str())
            .field("external_id", &self.inner.external_id)
            .field("region", &self.inner.region)
            .field("credentials", &self.inner.credentials)
            .field("endpoint_url", &self.inner.endpoint_url)
            .finish()
    }
}

impl PartialEq for Destination {
    fn eq(&self, other: &Self) -> bool {
        self.inner.key == other.inner.key
    }
}

impl Eq for Destination {}

impl std::hash::Hash for Destination {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.inner.key.hash(state);
    }
}

/// Builds a [`Destination`]. Only the channel ARN is required.
#[derive(Debug, Clone, Default)]
pub struct DestinationBuilder {
    name: Option<String>,
    channel_arn: Option<ChannelArn>,
    external_id: Option<ExternalId>,
    region: Option<String>,
    credentials: DestinationCredentials,
    endpoint_url: Option<String>,
}

/// A [`DestinationBuilder`] setting is missing or invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DestinationBuildError {
    /// No channel ARN was set.
    #[error("destination: channel_arn is required")]
    MissingChannelArn,
    /// The endpoint URL is not an `http://` or `https://` URL.
    #[error("destination: endpoint_url {0:?} must start with http:// or https://")]
    InvalidEndpointUrl(String),
    /// The region is empty or not `[a-z0-9-]`.
    #[error("destination: region {0:?} must be non-empty [a-z0-9-]")]
    InvalidRegion(String),
}

impl DestinationBuilder {
    /// A name for metrics, logs and status, typically the tenant id (default: the channel ARN).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The channel ARN. Required.
    pub fn channel_arn(mut self, channel_arn: ChannelArn) -> Self {
        self.channel_arn = Some(channel_arn);
        self
    }

    /// The channel's external ID, sent as `externalId` on every call.
    pub fn external_id(mut self, external_id: ExternalId) -> Self {
        self.external_id = Some(external_id);
        self
    }

    /// Sets or clears the channel's external ID.
    pub fn set_external_id(mut self, external_id: Option<ExternalId>) -> Self {
        self.external_id = external_id;
        self
    }

    /// The region to call (default: the channel ARN's region, which is where the channel lives).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The credentials (default: [`DestinationCredentials::Default`]).
    pub fn credentials(mut self, credentials: DestinationCredentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Shorthand for [`credentials`](Self::credentials)`(DestinationCredentials::AssumeRole(role))`.
    pub fn assume_role(self, role: AssumeRole) -> Self {
        self.credentials(DestinationCredentials::AssumeRole(role))
    }

    /// An endpoint URL for this destination (e.g. `http://127.0.0.1:4599` for a local Lake). Without it the
    /// sink's endpoint applies (which honours `AWS_ENDPOINT_URL_CLOUDTRAIL_DATA` / `AWS_ENDPOINT_URL`).
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Sets or clears the endpoint URL.
    pub fn set_endpoint_url(mut self, url: Option<String>) -> Self {
        self.endpoint_url = url;
        self
    }

    /// The destination.
    ///
    /// # Errors
    ///
    /// [`DestinationBuildError`] when the channel ARN is missing, or the region or endpoint URL is malformed.
    pub fn build(self) -> Result<Destination, DestinationBuildError> {
        let channel_arn = self.channel_arn.ok_or(DestinationBuildError::MissingChannelArn)?;
        let region = self.region.unwrap_or_else(|| channel_arn.region().to_owned());
        if region.is_empty()
            || !region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(DestinationBuildError::InvalidRegion(region));
        }
        if let Some(url) = &self.endpoint_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(DestinationBuildError::InvalidEndpointUrl(url.clone()));
        }
        let key = DestinationKey::new(
            channel_arn.as_str().to_owned(),
            self.external_id.as_ref().map(|e| e.as_str().to_owned()),
            region.clone(),
            self.endpoint_url.clone(),
            self.credentials.identity(),
        );
        Ok(Destination {
            inner: Arc::new(Inner {
                name: self.name.unwrap_or_else(|| channel_arn.as_str().to_owned()),
                channel_arn,
                external_id: self.external_id,
                region,
                credentials: self.credentials,
                endpoint_url: self.endpoint_url,
                key,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:cloudtrail:eu-west-1:210987654321:channel/abc";

    #[test]
    fn defaults_come_from_the_channel_arn() {
        let d = Destination::new(ARN.parse().unwrap());
        assert_eq!(d.region(), "eu-west-1");
        assert_eq!(d.name(), ARN);
        assert!(d.external_id().is_none() && d.endpoint_url().is_none());
    }

    #[test]
    fn equal_settings_give_equal_keys_and_any_difference_a_new_one() {
        let build = |ext: &str| {
            Destination::builder()
                .channel_arn(ARN.parse().unwrap())
                .external_id(ext.parse().unwrap())
                .build()
                .unwrap()
        };
        assert_eq!(build("ext-1"), build("ext-1"));
        assert_ne!(build("ext-1").key(), build("ext-2").key());
        let role = Destination::builder()
            .channel_arn(ARN.parse().unwrap())
            .assume_role(AssumeRole::new("arn:aws:iam::210987654321:role/R"))
            .build()
            .unwrap();
        assert_ne!(role, Destination::new(ARN.parse().unwrap()));
    }

    #[test]
    fn bad_settings_are_named() {
        assert_eq!(
            Destination::builder().build().unwrap_err(),
            DestinationBuildError::MissingChannelArn
        );
        let err = Destination::builder()
            .channel_arn(ARN.parse().unwrap())
            .endpoint_url("127.0.0.1:80")
            .build()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "destination: endpoint_url \"127.0.0.1:80\" must start with http:// or https://"
        );
        assert!(matches!(
            Destination::builder()
                .channel_arn(ARN.parse().unwrap())
                .region("EU")
                .build(),
            Err(DestinationBuildError::InvalidRegion(_))
        ));
    }
}
