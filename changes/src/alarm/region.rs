//! Region codes from the long names CloudWatch writes in alarm notifications (`"Region": "Canada (Central)"`).
//!
//! Source: the AWS Regions list, <https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html>
//! (names as the CloudWatch console and alarm notifications spell them; `change-detection.md` §5.4).

/// `(long name, region code)` of the commercial, China and GovCloud regions.
pub const REGION_NAMES: &[(&str, &str)] = &[
    ("US East (N. Virginia)", "us-east-1"),
    ("US East (Ohio)", "us-east-2"),
    ("US West (N. California)", "us-west-1"),
    ("US West (Oregon)", "us-west-2"),
    ("Africa (Cape Town)", "af-south-1"),
    ("Asia Pacific (Hong Kong)", "ap-east-1"),
    ("Asia Pacific (Taipei)", "ap-east-2"),
    ("Asia Pacific (Hyderabad)", "ap-south-2"),
    ("Asia Pacific (Jakarta)", "ap-southeast-3"),
    ("Asia Pacific (Malaysia)", "ap-southeast-5"),
    ("Asia Pacific (Melbourne)", "ap-southeast-4"),
    ("Asia Pacific (Mumbai)", "ap-south-1"),
    ("Asia Pacific (New Zealand)", "ap-southeast-6"),
    ("Asia Pacific (Osaka)", "ap-northeast-3"),
    ("Asia Pacific (Seoul)", "ap-northeast-2"),
    ("Asia Pacific (Singapore)", "ap-southeast-1"),
    ("Asia Pacific (Sydney)", "ap-southeast-2"),
    ("Asia Pacific (Thailand)", "ap-southeast-7"),
    ("Asia Pacific (Tokyo)", "ap-northeast-1"),
    ("Canada (Central)", "ca-central-1"),
    ("Canada West (Calgary)", "ca-west-1"),
    ("Europe (Frankfurt)", "eu-central-1"),
    ("Europe (Ireland)", "eu-west-1"),
    ("Europe (London)", "eu-west-2"),
    ("Europe (Milan)", "eu-south-1"),
    ("Europe (Paris)", "eu-west-3"),
    ("Europe (Spain)", "eu-south-2"),
    ("Europe (Stockholm)", "eu-north-1"),
    ("Europe (Zurich)", "eu-central-2"),
    ("Israel (Tel Aviv)", "il-central-1"),
    ("Mexico (Central)", "mx-central-1"),
    ("Middle East (Bahrain)", "me-south-1"),
    ("Middle East (UAE)", "me-central-1"),
    ("South America (Sao Paulo)", "sa-east-1"),
    ("South America (São Paulo)", "sa-east-1"),
    ("AWS GovCloud (US-East)", "us-gov-east-1"),
    ("AWS GovCloud (US-West)", "us-gov-west-1"),
    ("China (Beijing)", "cn-north-1"),
    ("China (Ningxia)", "cn-northwest-1"),
];

/// The region code for a long region name, when known.
pub fn region_code(long_name: &str) -> Option<&'static str> {
    REGION_NAMES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(long_name.trim()))
        .map(|&(_, code)| code)
}

/// Whether `text` has the shape of a region code (`eu-west-1`, `us-gov-east-1`).
pub fn looks_like_region_code(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_and_codes() {
        assert_eq!(region_code("Canada (Central)"), Some("ca-central-1"));
        assert_eq!(region_code("Asia Pacific (Singapore)"), Some("ap-southeast-1"));
        assert_eq!(region_code("Atlantis (North)"), None);
        for (_, code) in REGION_NAMES {
            assert!(looks_like_region_code(code), "{code}");
        }
        for text in ["REGION", "EXAMPLE", "us-east", "us-east-x", "-1", "US-EAST-1", ""] {
            assert!(!looks_like_region_code(text), "{text}");
        }
    }
}
