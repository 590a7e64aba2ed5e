//! Which object keys are CloudTrail log files, and decoding of the keys S3 notifications carry.
//!
//! CloudTrail writes `…/AWSLogs/[<o-id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz`; next to it,
//! digest files (`CloudTrail-Digest/`, a different schema), Insights events (`CloudTrail-Insight/`, a different
//! schema) and, in shared buckets, other services' logs (`AWSLogs/<account>/Config/…`, `elasticloadbalancing/…`).
//! Source: `change-detection.md` §5.1 (awsdocs/aws-cloudtrail-user-guide: cloudtrail-find-log-files.md).

use std::fmt;

use percent_encoding::percent_decode_str;

/// Why an object is not read as a CloudTrail log.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ObjectSkip {
    /// A CloudTrail digest file (`CloudTrail-Digest/`).
    Digest,
    /// A CloudTrail Insights file (`CloudTrail-Insight/`).
    Insight,
    /// Not a `.json` or `.json.gz` file.
    NotJson,
    /// Another service's logs under `AWSLogs/<account>/<service>/`.
    OtherService(String),
    /// Already processed according to the checkpoint.
    Checkpointed,
}

impl fmt::Display for ObjectSkip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Digest => f.write_str("CloudTrail digest file"),
            Self::Insight => f.write_str("CloudTrail Insights file"),
            Self::NotJson => f.write_str("not a .json or .json.gz file"),
            Self::OtherService(service) => write!(f, "{service} logs, not CloudTrail"),
            Self::Checkpointed => f.write_str("already processed (checkpoint)"),
        }
    }
}

/// Whether the object at `key` (an S3 key or a path relative to the folder being read) is skipped, and why.
pub fn skip_reason(key: &str) -> Option<ObjectSkip> {
    let segments: Vec<&str> = key.split('/').collect();
    if segments
        .iter()
        .any(|s| s.eq_ignore_ascii_case("CloudTrail-Digest"))
    {
        return Some(ObjectSkip::Digest);
    }
    if segments
        .iter()
        .any(|s| s.eq_ignore_ascii_case("CloudTrail-Insight"))
    {
        return Some(ObjectSkip::Insight);
    }
    let name = segments.last().copied().unwrap_or("");
    if !(name.ends_with(".json") || name.ends_with(".json.gz")) {
        return Some(ObjectSkip::NotJson);
    }
    if let Some(at) = segments.iter().position(|s| *s == "AWSLogs") {
        let mut rest = segments[at + 1..].iter();
        let mut account = rest.next();
        if account.is_some_and(|s| s.starts_with("o-")) {
            account = rest.next();
        }
        let is_account = account.is_some_and(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()));
        let service = rest.next();
        let below_service = rest.next().is_some();
        if let (true, Some(service), true) = (is_account, service, below_service)
            && *service != "CloudTrail"
        {
            return Some(ObjectSkip::OtherService((*service).to_owned()));
        }
    }
    None
}

/// Decodes an S3 event notification key, which is URL-encoded as `application/x-www-form-urlencoded`:
/// `+` is a space, then `%XX` escapes (`change-detection.md` §5.1). Invalid UTF-8 after decoding is replaced.
pub fn form_url_decode(key: &str) -> String {
    let spaced = key.replace('+', " ");
    percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloudtrail_keys_are_read() {
        for key in [
            "AWSLogs/123456789012/CloudTrail/us-east-2/2016/08/11/123456789012_CloudTrail_us-east-2_20160811T2215Z_kpaMYavMQA9Ahp7L.json.gz",
            "prefix/AWSLogs/o-abc123/123456789012/CloudTrail/eu-west-1/2024/01/01/x.json.gz",
            "my logs/copy.json",
            "x.json.gz",
        ] {
            assert_eq!(skip_reason(key), None, "{key}");
        }
    }

    #[test]
    fn digest_insight_other_services_and_other_files_are_skipped() {
        assert_eq!(
            skip_reason("AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/01/01/d.json.gz"),
            Some(ObjectSkip::Digest)
        );
        assert_eq!(
            skip_reason("AWSLogs/123456789012/CloudTrail-Insight/us-east-1/2024/01/01/i.json.gz"),
            Some(ObjectSkip::Insight)
        );
        assert_eq!(
            skip_reason("AWSLogs/123456789012/Config/us-east-1/2024/1/1/ConfigSnapshot/x.json.gz"),
            Some(ObjectSkip::OtherService("Config".into()))
        );
        assert_eq!(
            skip_reason("AWSLogs/o-abc/123456789012/Config/us-east-1/x.json.gz"),
            Some(ObjectSkip::OtherService("Config".into()))
        );
        assert_eq!(
            skip_reason("AWSLogs/123456789012/CloudTrail/"),
            Some(ObjectSkip::NotJson)
        );
        assert_eq!(skip_reason("logs/elb.log.gz"), Some(ObjectSkip::NotJson));
        assert_eq!(skip_reason("README"), Some(ObjectSkip::NotJson));
        assert_eq!(ObjectSkip::Digest.to_string(), "CloudTrail digest file");
    }

    #[test]
    fn form_url_decoding() {
        assert_eq!(form_url_decode("red+flower.jpg"), "red flower.jpg");
        assert_eq!(form_url_decode("Happy%20Face.jpg"), "Happy Face.jpg");
        assert_eq!(form_url_decode("a%2Bb+c%3D%25"), "a+b c=%");
        assert_eq!(form_url_decode("caf%C3%A9"), "café");
        assert_eq!(form_url_decode("plain/key.json.gz"), "plain/key.json.gz");
        assert_eq!(form_url_decode("bad%zz"), "bad%zz");
        assert_eq!(form_url_decode("bad%ff"), "bad\u{fffd}");
    }
}
