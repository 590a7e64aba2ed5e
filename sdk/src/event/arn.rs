//! [`ChannelArn`]: the ARN of a CloudTrail Lake channel, parsed into its parts.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

use super::error::InvalidValue;
use super::ids::AccountId;
use crate::validate::{Rule, limits, rules};

/// The ARN of a CloudTrail Lake channel, `arn:<partition>:cloudtrail:<region>:<account-id>:channel/<channel-id>`,
/// e.g. `arn:aws:cloudtrail:us-east-1:123456789012:channel/EXAMPLE8-0558-4f7e-a06a-43969EXAMPLE`.
///
/// The format is the Service Authorization Reference's `channel` resource
/// (<https://docs.aws.amazon.com/service-authorization/latest/reference/list_cloudtrail-data.html>): the
/// ARN's service is `cloudtrail` (not `cloudtrail-data`). Parsing checks: the partition is `aws` or
/// `aws-…` in `[a-z0-9-]`; the region is non-empty `[a-z0-9-]`; the account is 12 digits; the channel id is
/// non-empty `[A-Za-z0-9._-]`; the whole is at most
/// [`MAX_CHANNEL_ARN_CHARS`](crate::validate::limits::MAX_CHANNEL_ARN_CHARS) characters.
#[derive(Clone, Deserialize)]
#[serde(try_from = "String")]
pub struct ChannelArn {
    arn: String,
    partition: Range<usize>,
    region: Range<usize>,
    account_id: AccountId,
    channel_id: Range<usize>,
}

struct Parts {
    partition: Range<usize>,
    region: Range<usize>,
    account: Range<usize>,
    channel_id: Range<usize>,
}

fn lower_dash(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn parse(arn: &str) -> Result<Parts, Rule> {
    let fail = |reason| Err(Rule::InvalidArn { reason });
    if arn.len() > limits::MAX_CHANNEL_ARN_CHARS {
        return fail("longer than 256 characters");
    }
    let Some(rest) = arn.strip_prefix("arn:") else {
        return fail("must start with arn:");
    };
    let mut fields = rest.splitn(5, ':');
    let (Some(partition), Some(service), Some(region), Some(account), Some(resource)) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return fail("must have six ':'-separated parts");
    };
    if !(lower_dash(partition) && (partition == "aws" || partition.starts_with("aws-"))) {
        return fail("the partition must be aws or aws-<name>");
    }
    if service != "cloudtrail" {
        return fail("the service must be cloudtrail");
    }
    if !lower_dash(region) {
        return fail("the region must be non-empty [a-z0-9-]");
    }
    if rules::account_id(account).is_err() {
        return fail("the account must be 12 digits");
    }
    let Some(channel_id) = resource.strip_prefix("channel/") else {
        return fail("the resource must be channel/<channel-id>");
    };
    if channel_id.is_empty()
        || !channel_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return fail("the channel id must be non-empty [A-Za-z0-9._-]");
    }
    let p0 = "arn:".len();
    let r0 = p0 + partition.len() + 1 + service.len() + 1;
    let a0 = r0 + region.len() + 1;
    let c0 = a0 + account.len() + 1 + "channel/".len();
    Ok(Parts {
        partition: p0..p0 + partition.len(),
        region: r0..r0 + region.len(),
        account: a0..a0 + account.len(),
        channel_id: c0..arn.len(),
    })
}

impl ChannelArn {
    fn from_parts(arn: String, parts: Parts) -> Result<Self, InvalidValue> {
        let account_id = AccountId::try_from(&arn[parts.account])?;
        Ok(Self {
            partition: parts.partition,
            region: parts.region,
            account_id,
            channel_id: parts.channel_id,
            arn,
        })
    }

    /// The whole ARN.
    pub fn as_str(&self) -> &str {
        &self.arn
    }

    /// The partition, e.g. `aws`, `aws-cn`, `aws-us-gov`.
    pub fn partition(&self) -> &str {
        &self.arn[self.partition.clone()]
    }

    /// The region, e.g. `us-east-1`: where `PutAuditEvents` must be called.
    pub fn region(&self) -> &str {
        &self.arn[self.region.clone()]
    }

    /// The account that owns the channel: every event's `recipientAccountId` must be this account.
    pub fn account_id(&self) -> &AccountId {
        &self.account_id
    }

    /// The channel id, the part after `channel/`.
    pub fn channel_id(&self) -> &str {
        &self.arn[self.channel_id.clone()]
    }

    /// The whole ARN, by value.
    pub fn into_string(self) -> String {
        self.arn
    }
}

// The parts are derived from the text, so the text alone decides equality, order and hash.
impl PartialEq for ChannelArn {
    fn eq(&self, other: &Self) -> bool {
        self.arn == other.arn
    }
}

impl Eq for ChannelArn {}

impl PartialOrd for ChannelArn {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ChannelArn {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.arn.cmp(&other.arn)
    }
}

impl std::hash::Hash for ChannelArn {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.arn.hash(state);
    }
}

impl TryFrom<String> for ChannelArn {
    type Error = InvalidValue;

    fn try_from(arn: String) -> Result<Self, Self::Error> {
        match parse(&arn) {
            Ok(parts) => Self::from_parts(arn, parts),
            Err(rule) => Err(InvalidValue::new("channel ARN", rule)),
        }
    }
}

impl TryFrom<&str> for ChannelArn {
    type Error = InvalidValue;

    fn try_from(arn: &str) -> Result<Self, Self::Error> {
        Self::try_from(arn.to_owned())
    }
}

impl FromStr for ChannelArn {
    type Err = InvalidValue;

    fn from_str(arn: &str) -> Result<Self, Self::Err> {
        Self::try_from(arn.to_owned())
    }
}

impl fmt::Display for ChannelArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.arn)
    }
}

impl fmt::Debug for ChannelArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChannelArn({:?})", self.arn)
    }
}

impl AsRef<str> for ChannelArn {
    fn as_ref(&self) -> &str {
        &self.arn
    }
}

impl From<ChannelArn> for String {
    fn from(arn: ChannelArn) -> Self {
        arn.arn
    }
}

impl Serialize for ChannelArn {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.arn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str =
        "arn:aws:cloudtrail:us-east-1:123456789012:channel/EXAMPLE8-0558-4f7e-a06a-43969EXAMPLE";

    #[test]
    fn parses_the_documented_example() {
        let arn = ChannelArn::try_from(ARN).unwrap();
        assert_eq!(arn.partition(), "aws");
        assert_eq!(arn.region(), "us-east-1");
        assert_eq!(arn.account_id().as_str(), "123456789012");
        assert_eq!(arn.channel_id(), "EXAMPLE8-0558-4f7e-a06a-43969EXAMPLE");
        assert_eq!(arn.to_string(), ARN);
        let gov: ChannelArn = "arn:aws-us-gov:cloudtrail:us-gov-west-1:210987654321:channel/01234567890"
            .parse()
            .unwrap();
        assert_eq!(
            (gov.partition(), gov.region(), gov.channel_id()),
            ("aws-us-gov", "us-gov-west-1", "01234567890")
        );
    }

    #[test]
    fn rejects_other_arns_saying_which_part_is_wrong() {
        let cases = [
            ("channel/abc", "must start with arn:"),
            (
                "arn:aws:cloudtrail:us-east-1:123456789012",
                "must have six ':'-separated parts",
            ),
            (
                "arn:AWS:cloudtrail:us-east-1:123456789012:channel/abc",
                "the partition must be aws or aws-<name>",
            ),
            (
                "arn:aws:cloudtrail-data:us-east-1:123456789012:channel/abc",
                "the service must be cloudtrail",
            ),
            (
                "arn:aws:cloudtrail::123456789012:channel/abc",
                "the region must be non-empty [a-z0-9-]",
            ),
            (
                "arn:aws:cloudtrail:us-east-1:12345678901:channel/abc",
                "the account must be 12 digits",
            ),
            (
                "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/abc",
                "the resource must be channel/<channel-id>",
            ),
            (
                "arn:aws:cloudtrail:us-east-1:123456789012:channel/",
                "the channel id must be non-empty [A-Za-z0-9._-]",
            ),
            (
                "arn:aws:cloudtrail:us-east-1:123456789012:channel/a:b",
                "the channel id must be non-empty [A-Za-z0-9._-]",
            ),
        ];
        for (arn, reason) in cases {
            let err = ChannelArn::try_from(arn).unwrap_err();
            assert_eq!(err.rule(), &Rule::InvalidArn { reason }, "{arn}");
            assert_eq!(
                err.to_string(),
                format!(
                    "invalid channel ARN: not a channel ARN (arn:<partition>:cloudtrail:<region>:<account-id>:channel/<channel-id>): {reason}"
                )
            );
        }
        let long = format!(
            "arn:aws:cloudtrail:us-east-1:123456789012:channel/{}",
            "a".repeat(250)
        );
        assert_eq!(
            ChannelArn::try_from(long).unwrap_err().rule(),
            &Rule::InvalidArn {
                reason: "longer than 256 characters"
            }
        );
    }

    #[test]
    fn serde_round_trip() {
        let arn = ChannelArn::try_from(ARN).unwrap();
        let json = serde_json::to_string(&arn).unwrap();
        assert_eq!(serde_json::from_str::<ChannelArn>(&json).unwrap(), arn);
        assert!(serde_json::from_str::<ChannelArn>(r#""arn:nope""#).is_err());
    }
}
