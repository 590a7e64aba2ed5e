//! Which `SigningCertURL` and `SubscribeURL` values are followed (`change-detection.md` §5.6 step 2).
//!
//! In production only AWS's SNS hosts are accepted: scheme `https`, host `sns.<region>.amazonaws.com` or
//! `sns.<region>.amazonaws.com.cn` (`<region>` at least 3 of `[A-Za-z0-9-]`), no user information, no explicit
//! port, and for a certificate a path ending in `.pem`.
//!
//! Two switches exist **for tests only**, and both accept loopback origins only, so they can never make a remote
//! host trusted:
//! * [`UrlPolicy::allow_test_origin`]: URLs on this origin (e.g. `http://127.0.0.1:40123`, where a test serves a
//!   locally generated certificate) are accepted as they are;
//! * [`UrlPolicy::aws_via_test_origin`]: AWS URLs are still checked as in production, then fetched from this
//!   origin with the original `Host` header: a test's stand-in for SNS, such as a loopback front to
//!   `moto_server`, which serves the certificates of the notifications it signs and answers
//!   `ConfirmSubscription`. (moto_server 5.2.1 routes an unsigned GET by its credentials, not by its `Host`, so
//!   the front adds an SNS credential scope; see `cli/tests/it/alarms.rs`.)

use http::Uri;

use super::error::UrlError;

/// An accepted URL, resolved to where the GET goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchTarget {
    url: String,
    uri: Uri,
    host_header: Option<String>,
}

impl FetchTarget {
    /// The URL as received (the cache key for certificates).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Where the GET is sent.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// The `Host` header to send instead of the URI's authority (set when an AWS URL goes to a test origin).
    pub fn host_header(&self) -> Option<&str> {
        self.host_header.as_deref()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    scheme: String,
    authority: String,
}

impl Origin {
    fn parse_loopback(origin: &str) -> Result<Self, UrlError> {
        let refuse = || UrlError::NotLoopback {
            origin: origin.to_owned(),
        };
        let uri: Uri = origin.trim_end_matches('/').parse().map_err(|_| refuse())?;
        let scheme = uri.scheme_str().ok_or_else(refuse)?.to_ascii_lowercase();
        let authority = uri.authority().ok_or_else(refuse)?;
        let path_is_root = uri
            .path_and_query()
            .is_none_or(|p| p.as_str().is_empty() || p.as_str() == "/");
        if !matches!(scheme.as_str(), "http" | "https")
            || authority.as_str().contains('@')
            || !path_is_root
            || !is_loopback_host(authority.host())
        {
            return Err(refuse());
        }
        Ok(Self {
            scheme,
            authority: authority.as_str().to_ascii_lowercase(),
        })
    }

    fn matches(&self, uri: &Uri) -> bool {
        uri.scheme_str()
            .is_some_and(|s| s.eq_ignore_ascii_case(&self.scheme))
            && uri
                .authority()
                .is_some_and(|a| a.as_str().eq_ignore_ascii_case(&self.authority))
    }
}

fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `sns.<region>.amazonaws.com(.cn)?` with `<region>` of at least 3 `[A-Za-z0-9-]` (the AWS SDKs' pattern
/// `^sns\.[a-zA-Z0-9\-]{3,}\.amazonaws\.com(\.cn)?$`).
fn is_sns_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let Some(rest) = host.strip_prefix("sns.") else {
        return false;
    };
    let region = rest
        .strip_suffix(".amazonaws.com.cn")
        .or_else(|| rest.strip_suffix(".amazonaws.com"));
    region.is_some_and(|r| r.len() >= 3 && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// Rules for the URLs an SNS message asks us to GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlPolicy {
    origins: Vec<Origin>,
    aws_via: Option<Origin>,
}

impl UrlPolicy {
    /// AWS's rules only: what production uses.
    pub fn aws() -> Self {
        Self::default()
    }

    /// **For tests only.** Also accepts URLs on `origin` as they are (any path; `http` allowed). `origin` must be
    /// `http(s)://<loopback address>[:port]`.
    ///
    /// # Errors
    ///
    /// [`UrlError::NotLoopback`] for anything else.
    pub fn allow_test_origin(mut self, origin: &str) -> Result<Self, UrlError> {
        self.origins.push(Origin::parse_loopback(origin)?);
        Ok(self)
    }

    /// **For tests only.** AWS URLs are checked as in production, then fetched from `origin` (a loopback
    /// `moto_server`, say) with the original `Host` header.
    ///
    /// # Errors
    ///
    /// [`UrlError::NotLoopback`] when `origin` is not `http(s)://<loopback address>[:port]`.
    pub fn aws_via_test_origin(mut self, origin: &str) -> Result<Self, UrlError> {
        self.aws_via = Some(Origin::parse_loopback(origin)?);
        Ok(self)
    }

    /// Whether a test switch is on.
    pub fn is_test(&self) -> bool {
        !self.origins.is_empty() || self.aws_via.is_some()
    }

    /// Checks a `SigningCertURL`.
    ///
    /// # Errors
    ///
    /// [`UrlError`] naming the rule it breaks.
    pub fn check_certificate_url(&self, url: &str) -> Result<FetchTarget, UrlError> {
        let target = self.check(url)?;
        if !target.uri.path().ends_with(".pem") {
            return Err(UrlError::NotPem { url: url.to_owned() });
        }
        Ok(target)
    }

    /// Checks a `SubscribeURL` (same host rules as a certificate URL, any path).
    ///
    /// # Errors
    ///
    /// [`UrlError`] naming the rule it breaks.
    pub fn check_subscribe_url(&self, url: &str) -> Result<FetchTarget, UrlError> {
        self.check(url)
    }

    fn check(&self, url: &str) -> Result<FetchTarget, UrlError> {
        let malformed = || UrlError::Malformed { url: url.to_owned() };
        let uri: Uri = url.parse().map_err(|_| malformed())?;
        let authority = uri.authority().ok_or_else(malformed)?;
        if authority.as_str().contains('@') {
            return Err(UrlError::UserInfo { url: url.to_owned() });
        }
        if self.origins.iter().any(|o| o.matches(&uri)) {
            return Ok(FetchTarget {
                url: url.to_owned(),
                uri,
                host_header: None,
            });
        }
        if !uri.scheme_str().is_some_and(|s| s.eq_ignore_ascii_case("https")) {
            return Err(UrlError::Scheme { url: url.to_owned() });
        }
        if authority.port().is_some() {
            return Err(UrlError::Port { url: url.to_owned() });
        }
        let host = authority.host();
        if !is_sns_host(host) {
            return Err(UrlError::Host {
                url: url.to_owned(),
                host: host.to_owned(),
            });
        }
        let Some(via) = &self.aws_via else {
            return Ok(FetchTarget {
                url: url.to_owned(),
                uri,
                host_header: None,
            });
        };
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        let rewritten: Uri = format!("{}://{}{}", via.scheme, via.authority, path)
            .parse()
            .map_err(|_| malformed())?;
        Ok(FetchTarget {
            url: url.to_owned(),
            uri: rewritten,
            host_header: Some(host.to_ascii_lowercase()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str =
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem";

    #[test]
    fn aws_certificate_urls() {
        let policy = UrlPolicy::aws();
        let t = policy.check_certificate_url(CERT).unwrap();
        assert_eq!(t.url(), CERT);
        assert_eq!(t.uri().to_string(), CERT);
        assert_eq!(t.host_header(), None);
        policy
            .check_certificate_url("https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-x.pem")
            .unwrap();
        policy
            .check_certificate_url("https://SNS.EU-WEST-1.AMAZONAWS.COM/x.pem")
            .unwrap();
        assert!(!policy.is_test());
    }

    #[test]
    fn aws_rules_refuse_lookalikes() {
        let policy = UrlPolicy::aws();
        let refused = |url: &str| policy.check_certificate_url(url).unwrap_err();
        assert!(matches!(
            refused("http://sns.us-east-1.amazonaws.com/x.pem"),
            UrlError::Scheme { .. }
        ));
        assert!(matches!(
            refused("https://sns.us-east-1.amazonaws.com:8443/x.pem"),
            UrlError::Port { .. }
        ));
        assert!(matches!(
            refused("https://evil@sns.us-east-1.amazonaws.com/x.pem"),
            UrlError::UserInfo { .. }
        ));
        assert!(matches!(
            refused("https://sns.us-east-1.amazonaws.com/x.txt"),
            UrlError::NotPem { .. }
        ));
        assert!(matches!(
            refused("https://sns.us-east-1.amazonaws.com/x.txt?a.pem"),
            UrlError::NotPem { .. }
        ));
        for host in [
            "sns.us-east-1.amazonaws.com.evil.com",
            "evil.com",
            "sns.amazonaws.com",
            "sns.ab.amazonaws.com",
            "xsns.us-east-1.amazonaws.com",
            "sns.us_east_1.amazonaws.com",
            "sns.us-east-1.amazonaws.co",
            "s3.us-east-1.amazonaws.com",
            "127.0.0.1",
        ] {
            let url = format!("https://{host}/x.pem");
            assert!(matches!(refused(&url), UrlError::Host { .. }), "{host}");
        }
        assert!(matches!(refused("not a url"), UrlError::Malformed { .. }));
        assert!(matches!(refused("/relative.pem"), UrlError::Malformed { .. }));
    }

    #[test]
    fn test_origin_accepts_only_itself_and_only_loopback() {
        let policy = UrlPolicy::aws()
            .allow_test_origin("http://127.0.0.1:40123")
            .unwrap();
        assert!(policy.is_test());
        policy
            .check_certificate_url("http://127.0.0.1:40123/cert.pem")
            .unwrap();
        assert!(matches!(
            policy.check_certificate_url("http://127.0.0.1:40124/cert.pem"),
            Err(UrlError::Scheme { .. })
        ));
        assert!(matches!(
            policy.check_certificate_url("http://127.0.0.1:40123/cert.txt"),
            Err(UrlError::NotPem { .. })
        ));
        // AWS URLs are still accepted.
        policy.check_certificate_url(CERT).unwrap();
        for origin in [
            "http://10.0.0.1:80",
            "http://example.com",
            "ftp://127.0.0.1",
            "http://127.0.0.1/x",
            "nonsense",
        ] {
            assert!(
                matches!(
                    UrlPolicy::aws().allow_test_origin(origin),
                    Err(UrlError::NotLoopback { .. })
                ),
                "{origin}"
            );
        }
        UrlPolicy::aws().allow_test_origin("http://[::1]:9").unwrap();
        UrlPolicy::aws()
            .allow_test_origin("https://localhost:9/")
            .unwrap();
    }

    #[test]
    fn aws_via_test_origin_rewrites_and_keeps_host() {
        let policy = UrlPolicy::aws()
            .aws_via_test_origin("http://127.0.0.1:5000")
            .unwrap();
        let t = policy
            .check_subscribe_url(
                "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=t&Token=k",
            )
            .unwrap();
        assert_eq!(
            t.uri().to_string(),
            "http://127.0.0.1:5000/?Action=ConfirmSubscription&TopicArn=t&Token=k"
        );
        assert_eq!(t.host_header(), Some("sns.us-east-1.amazonaws.com"));
        // The AWS rules still apply first.
        assert!(matches!(
            policy.check_subscribe_url("https://evil.example/?Action=ConfirmSubscription"),
            Err(UrlError::Host { .. })
        ));
    }
}
