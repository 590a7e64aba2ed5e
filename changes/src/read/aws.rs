//! AWS client settings for the S3 and SQS readers.
//!
//! The AWS SDK types stay inside this crate: callers describe the connection with [`AwsOptions`].

use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::Credentials;

/// How to reach S3 and SQS.
///
/// Anything left `None` comes from the usual AWS sources (environment, profile, instance role). An endpoint URL —
/// given here (`--endpoint-url`) or by `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_S3` — switches S3 to path-style
/// addressing, which S3-compatible servers such as `moto_server` need (`sdk-wire-notes.md` §5).
#[derive(Clone, Default)]
pub struct AwsOptions {
    /// Endpoint URL for both S3 and SQS (e.g. `http://127.0.0.1:5000`).
    pub endpoint_url: Option<String>,
    /// Region (e.g. `us-east-1`).
    pub region: Option<String>,
    /// Named profile from the shared config files.
    pub profile: Option<String>,
    /// Static credentials instead of the default provider chain.
    pub credentials: Option<StaticCredentials>,
}

impl std::fmt::Debug for AwsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsOptions")
            .field("endpoint_url", &self.endpoint_url)
            .field("region", &self.region)
            .field("profile", &self.profile)
            .field("credentials", &self.credentials.as_ref().map(|_| "<static>"))
            .finish()
    }
}

/// An access key pair (and optional session token).
#[derive(Clone)]
pub struct StaticCredentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token of temporary credentials.
    pub session_token: Option<String>,
}

impl std::fmt::Debug for StaticCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticCredentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl AwsOptions {
    /// Loads the shared SDK configuration.
    pub(crate) async fn load(&self, region_hint: Option<&str>) -> SdkConfig {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(profile) = &self.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = self.region.clone().or_else(|| region_hint.map(str::to_owned)) {
            loader = loader.region(aws_config::Region::new(region));
        }
        if let Some(endpoint) = &self.endpoint_url {
            loader = loader.endpoint_url(endpoint);
        }
        if let Some(c) = &self.credentials {
            loader = loader.credentials_provider(Credentials::new(
                c.access_key_id.clone(),
                c.secret_access_key.clone(),
                c.session_token.clone(),
                None,
                "ctlake-changes",
            ));
        }
        loader.load().await
    }

    /// An S3 client; path-style addressing whenever an endpoint URL is configured.
    pub(crate) async fn s3_client(&self) -> aws_sdk_s3::Client {
        let config = self.load(None).await;
        let custom_endpoint =
            config.endpoint_url().is_some() || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
        let s3_config = aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(custom_endpoint)
            .build();
        aws_sdk_s3::Client::from_conf(s3_config)
    }

    /// An SQS client; the region defaults to the one in the queue URL (`sqs.<region>.amazonaws.com`).
    pub(crate) async fn sqs_client(&self, queue_url: &str) -> aws_sdk_sqs::Client {
        let config = self.load(region_of_queue_url(queue_url)).await;
        aws_sdk_sqs::Client::new(&config)
    }
}

/// The region in an AWS queue URL such as `https://sqs.eu-west-1.amazonaws.com/123456789012/q`.
fn region_of_queue_url(url: &str) -> Option<&str> {
    let host = url.split("://").nth(1)?.split('/').next()?;
    let rest = host.strip_prefix("sqs.")?;
    let (region, domain) = rest.split_once('.')?;
    domain.starts_with("amazonaws.").then_some(region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_from_queue_url() {
        assert_eq!(
            region_of_queue_url("https://sqs.eu-west-1.amazonaws.com/123456789012/q"),
            Some("eu-west-1")
        );
        assert_eq!(
            region_of_queue_url("https://sqs.cn-north-1.amazonaws.com.cn/1/q"),
            Some("cn-north-1")
        );
        assert_eq!(region_of_queue_url("http://127.0.0.1:5000/123456789012/q"), None);
        assert_eq!(region_of_queue_url("nonsense"), None);
    }

    #[test]
    fn debug_hides_secrets() {
        let options = AwsOptions {
            credentials: Some(StaticCredentials {
                access_key_id: "AKID".into(),
                secret_access_key: "SECRET".into(),
                session_token: Some("TOKEN".into()),
            }),
            ..AwsOptions::default()
        };
        let text = format!("{options:?} {:?}", options.credentials);
        assert!(!text.contains("SECRET") && !text.contains("TOKEN"), "{text}");
    }
}
