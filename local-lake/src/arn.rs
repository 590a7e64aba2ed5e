//! CloudTrail ARNs: `arn:${Partition}:cloudtrail:${Region}:${Account}:eventdatastore/${Id}` and
//! `…:channel/${Id}` (lake-api.md §3.2, [SAR-CT], [SAR-DATA]).

/// The resource types a CloudTrail ARN can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `eventdatastore/<id>`.
    EventDataStore,
    /// `channel/<id>`.
    Channel,
    /// `dashboard/<name>` (not emulated).
    Dashboard,
}

/// A parsed CloudTrail ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Arn {
    /// `aws`, `aws-cn`, `aws-us-gov`, …
    pub(crate) partition: String,
    /// Region segment.
    pub(crate) region: String,
    /// 12-digit owner account.
    pub(crate) account: String,
    /// Resource type.
    pub(crate) kind: Kind,
    /// The id after the `/`.
    pub(crate) id: String,
}

impl Arn {
    /// Parses a CloudTrail ARN; `None` when the text is not one (wrong service, account, type or shape).
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        let (Some("arn"), Some(partition), Some("cloudtrail"), Some(region), Some(account), Some(resource)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        if !partition.starts_with("aws") || !is_region(region) || !is_account_id(account) {
            return None;
        }
        let (kind, id) = resource.split_once('/')?;
        let kind = match kind {
            "eventdatastore" => Kind::EventDataStore,
            "channel" => Kind::Channel,
            "dashboard" => Kind::Dashboard,
            _ => return None,
        };
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
        {
            return None;
        }
        Some(Self {
            partition: partition.to_owned(),
            region: region.to_owned(),
            account: account.to_owned(),
            kind,
            id: id.to_owned(),
        })
    }
}

/// Whether `s` is a 12-digit AWS account id.
pub(crate) fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `s` looks like a Region name (`us-east-1`, `eu-central-2`, …).
pub(crate) fn is_region(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The ARN of an event data store.
pub(crate) fn event_data_store(region: &str, account: &str, id: &str) -> String {
    format!("arn:aws:cloudtrail:{region}:{account}:eventdatastore/{id}")
}

/// The ARN of a channel.
pub(crate) fn channel(region: &str, account: &str, id: &str) -> String {
    format!("arn:aws:cloudtrail:{region}:{account}:channel/{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_documented_examples() {
        let a = Arn::parse(
            "arn:aws:cloudtrail:us-east-2:123456789012:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE",
        )
        .unwrap();
        assert_eq!(a.kind, Kind::EventDataStore);
        assert_eq!(a.account, "123456789012");
        assert_eq!(a.region, "us-east-2");
        assert_eq!(a.id, "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE");
        let c = Arn::parse("arn:aws:cloudtrail:us-east-1:123456789012:channel/01234567890").unwrap();
        assert_eq!(c.kind, Kind::Channel);
        assert_eq!(
            channel("us-east-1", "123456789012", "01234567890"),
            "arn:aws:cloudtrail:us-east-1:123456789012:channel/01234567890"
        );
    }

    #[test]
    fn rejects_other_shapes() {
        for bad in [
            "arn:aws:s3:::bucket",
            "arn:aws:cloudtrail:us-east-1:1234:channel/x",
            "arn:aws:cloudtrail:us-east-1:123456789012:trail/x",
            "arn:aws:cloudtrail:us-east-1:123456789012:channel/",
            "arn:aws:cloudtrail:US-EAST-1:123456789012:channel/x",
            "channel/x",
            "",
        ] {
            assert!(Arn::parse(bad).is_none(), "{bad}");
        }
    }
}
