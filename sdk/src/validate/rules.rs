//! The single-value checks every path shares (builder, newtypes, [`EventData::validate`](crate::EventData::validate)
//! and the untrusted-input parser), so a rule has one implementation and one message.
//!
//! Hand-written character checks, no regular expressions: these run on every event.

use std::net::IpAddr;

use super::error::Rule;
use super::limits;

/// Checks that `value` has `min..=max` characters (Unicode scalar values). An empty value with `min >= 1`
/// is [`Rule::Empty`].
pub(crate) fn chars_between(value: &str, min: usize, max: usize) -> Result<(), Rule> {
    if value.is_empty() && min >= 1 {
        return Err(Rule::Empty);
    }
    // A string never has more characters than bytes, so short strings need no counting.
    if value.len() <= max && value.len() >= min.saturating_mul(4) {
        return Ok(());
    }
    let actual = value.chars().count();
    if actual > max {
        Err(Rule::TooLong { max, actual })
    } else if actual < min {
        Err(Rule::TooShort { min, actual })
    } else {
        Ok(())
    }
}

/// Checks that `value` has at most `max` characters and is not empty (a required string field).
pub(crate) fn required_chars(value: &str, max: usize) -> Result<(), Rule> {
    chars_between(value, 1, max)
}

/// Checks that `value` has at most `max` characters (an optional string field; empty is allowed).
pub(crate) fn optional_chars(value: &str, max: usize) -> Result<(), Rule> {
    chars_between(value, 0, max)
}

/// Checks that every character of `value` satisfies `allowed` (an ASCII class); reports the first one that
/// does not, with its 1-based character position.
fn charset(value: &str, allowed: fn(u8) -> bool, class: &'static str) -> Result<(), Rule> {
    match value.bytes().position(|b| !allowed(b)) {
        None => Ok(()),
        Some(byte_index) => {
            let position = value[..byte_index].chars().count() + 1;
            let found = value[byte_index..].chars().next().unwrap_or('\u{FFFD}');
            Err(Rule::InvalidChar {
                found,
                position,
                allowed: class,
            })
        }
    }
}

fn is_audit_event_id_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn is_external_id_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'=' | b',' | b'.' | b'@' | b':' | b'/' | b'-')
}

/// `auditEvents[].id`: 1–128 of `[-_A-Za-z0-9]`.
pub(crate) fn audit_event_id(value: &str) -> Result<(), Rule> {
    chars_between(
        value,
        limits::MIN_AUDIT_EVENT_ID_CHARS,
        limits::MAX_AUDIT_EVENT_ID_CHARS,
    )?;
    charset(value, is_audit_event_id_byte, limits::AUDIT_EVENT_ID_PATTERN)
}

/// `externalId`: 2–1224 of `[\w+=,.@:/-]`.
pub(crate) fn external_id(value: &str) -> Result<(), Rule> {
    chars_between(
        value,
        limits::MIN_EXTERNAL_ID_CHARS,
        limits::MAX_EXTERNAL_ID_CHARS,
    )?;
    charset(value, is_external_id_byte, limits::EXTERNAL_ID_PATTERN)
}

/// An AWS account ID: exactly 12 ASCII digits.
pub(crate) fn account_id(value: &str) -> Result<(), Rule> {
    if value.is_empty() {
        return Err(Rule::Empty);
    }
    if value.len() == limits::ACCOUNT_ID_DIGITS && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Rule::Pattern {
            expected: "an AWS account ID of exactly 12 digits",
        })
    }
}

/// `eventSource`: 1–1024 characters.
pub(crate) fn event_source(value: &str) -> Result<(), Rule> {
    required_chars(value, limits::MAX_EVENT_SOURCE_CHARS)
}

/// `eventName`: 1–1024 characters.
pub(crate) fn event_name(value: &str) -> Result<(), Rule> {
    required_chars(value, limits::MAX_EVENT_NAME_CHARS)
}

/// `sourceIPAddress`: an IPv4 address in dotted-decimal form or an IPv6 address (RFC 4291 text forms,
/// including IPv4-mapped ones; no zone index, no brackets, no port).
pub(crate) fn ip_address(value: &str) -> Result<(), Rule> {
    value.parse::<IpAddr>().map(|_| ()).map_err(|_| Rule::InvalidIp)
}

/// Checks a serialized JSON object's size against `max_bytes`.
pub(crate) fn object_size(actual: usize, max_bytes: usize) -> Result<(), Rule> {
    if actual > max_bytes {
        Err(Rule::TooLarge { max_bytes, actual })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_count_characters_not_bytes() {
        let four_byte_chars = "😀".repeat(256);
        assert_eq!(four_byte_chars.len(), 1024);
        assert_eq!(optional_chars(&four_byte_chars, 256), Ok(()));
        let over = "é".repeat(257);
        assert_eq!(
            optional_chars(&over, 256),
            Err(Rule::TooLong {
                max: 256,
                actual: 257
            })
        );
        assert_eq!(required_chars("", 10), Err(Rule::Empty));
        assert_eq!(optional_chars("", 10), Ok(()));
    }

    #[test]
    fn too_long_message() {
        let err = required_chars(&"a".repeat(1025), 1024).unwrap_err();
        assert_eq!(err.to_string(), "1025 characters, over the 1024-character limit");
    }

    #[test]
    fn audit_event_id_rules_and_messages() {
        assert_eq!(audit_event_id("abc-DEF_123"), Ok(()));
        assert_eq!(audit_event_id(&"a".repeat(128)), Ok(()));
        assert_eq!(audit_event_id("").unwrap_err().to_string(), "must not be empty");
        assert_eq!(
            audit_event_id(&"a".repeat(129)).unwrap_err().to_string(),
            "129 characters, over the 128-character limit"
        );
        assert_eq!(
            audit_event_id("ab.c").unwrap_err().to_string(),
            "character 3 ('.') is not allowed; allowed: [-_A-Za-z0-9]"
        );
        assert_eq!(
            audit_event_id("éx y").unwrap_err(),
            Rule::InvalidChar {
                found: 'é',
                position: 1,
                allowed: "[-_A-Za-z0-9]"
            }
        );
    }

    #[test]
    fn external_id_rules_and_messages() {
        assert_eq!(external_id("ab"), Ok(()));
        assert_eq!(external_id("tenant+1=x,y.z@a:b/c-d_e"), Ok(()));
        assert_eq!(external_id(&"a".repeat(1224)), Ok(()));
        assert_eq!(
            external_id("a").unwrap_err().to_string(),
            "1 character, under the 2-character minimum"
        );
        assert_eq!(
            external_id(&"a".repeat(1225)).unwrap_err().to_string(),
            "1225 characters, over the 1224-character limit"
        );
        assert_eq!(
            external_id("ab cd").unwrap_err().to_string(),
            r"character 3 (' ') is not allowed; allowed: [\w+=,.@:/-]"
        );
    }

    #[test]
    fn account_ids_are_twelve_digits() {
        assert_eq!(account_id("123456789012"), Ok(()));
        for bad in [
            "12345678901",
            "1234567890123",
            "12345678901a",
            "１２３４５６７８９０１２",
        ] {
            assert_eq!(
                account_id(bad).unwrap_err().to_string(),
                "must be an AWS account ID of exactly 12 digits",
                "{bad}"
            );
        }
    }

    #[test]
    fn ip_addresses() {
        for good in ["192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1", "::1", "0.0.0.0"] {
            assert_eq!(ip_address(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "256.1.1.1",
            "1.2.3",
            "example.com",
            "[::1]",
            "fe80::1%eth0",
            " 1.2.3.4",
        ] {
            assert_eq!(ip_address(bad), Err(Rule::InvalidIp), "{bad}");
        }
        assert_eq!(Rule::InvalidIp.to_string(), "not a valid IPv4 or IPv6 address");
    }

    #[test]
    fn object_size_limit() {
        assert_eq!(object_size(100_000, 100_000), Ok(()));
        assert_eq!(
            object_size(100_001, 100_000).unwrap_err().to_string(),
            "100001 bytes, over the 100 kB limit"
        );
    }
}
