//! The AWS side: loading the configuration the way the AWS CLI does (aws-config's provider chain plus the
//! global options), building the clients, and turning SDK errors into ctlake errors with the right exit code.
//!
//! Retries: control-plane clients keep the SDK's standard retry mode (3 attempts, jittered backoff), as the
//! AWS CLI does. Publishing goes through the publisher, which owns its own retries.

mod error;

pub(crate) use error::{describe, is_code, sdk_error};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::ProvideCredentials as _;

use crate::cli::GlobalArgs;
use crate::exit::{CliError, CliResult};

/// A loaded AWS configuration with a Region.
#[derive(Debug, Clone)]
pub(crate) struct Aws {
    config: SdkConfig,
    region: String,
}

impl Aws {
    /// Loads the configuration from the global options, the `AWS_*` environment variables and the profile
    /// files, and checks that a Region and credentials are there.
    ///
    /// # Errors
    /// 253 when no Region is configured or no credentials can be found.
    pub(crate) async fn load(global: &GlobalArgs) -> CliResult<Self> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(profile) = &global.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &global.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(url) = &global.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let config = loader.load().await;
        let aws = Self::from_config(config)?;
        aws.check_credentials().await?;
        Ok(aws)
    }

    /// Wraps a ready configuration (the quickstart builds its own for the embedded Lake).
    ///
    /// # Errors
    /// 253 when the configuration has no Region.
    pub(crate) fn from_config(config: SdkConfig) -> CliResult<Self> {
        let region = config.region().map(ToString::to_string).ok_or_else(|| {
            CliError::config(
                "no AWS Region: pass --region, set AWS_REGION, or set `region` in the profile (aws configure)",
            )
        })?;
        Ok(Self { config, region })
    }

    async fn check_credentials(&self) -> CliResult<()> {
        let provider = self
            .config
            .credentials_provider()
            .ok_or_else(|| CliError::config("no AWS credentials provider is configured"))?;
        provider.provide_credentials().await.map_err(|e| {
            CliError::config(format!(
                "no usable AWS credentials: {}. Configure them with `aws configure`, `aws sso login`, \
                 AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or --profile",
                aws_smithy_types::error::display::DisplayErrorContext(&e)
            ))
        })?;
        Ok(())
    }

    /// The loaded configuration (the publisher's `LakeSink` is built on it).
    pub(crate) fn sdk_config(&self) -> &SdkConfig {
        &self.config
    }

    /// The Region.
    pub(crate) fn region(&self) -> &str {
        &self.region
    }

    /// A CloudTrail control-plane client (standard retries).
    pub(crate) fn control(&self) -> aws_sdk_cloudtrail::Client {
        aws_sdk_cloudtrail::Client::new(&self.config)
    }
}
