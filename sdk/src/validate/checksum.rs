//! `eventDataChecksum = base64(SHA-256(eventData bytes))`.
//!
//! The `cloudtrail-data` service model documents the checksum as "base64-SHA256" of the event data, computed
//! like `printf %s $eventdata | openssl dgst -binary -sha256 | base64` (\[BC-DATA\]): the SHA-256 of the exact
//! bytes of the `eventData` string, in standard base64 with padding. CloudTrail rejects an entry whose
//! checksum does not match with the per-entry error `InvalidChecksum`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// The length of a checksum: base64 of 32 bytes, with padding.
pub const CHECKSUM_LEN: usize = 44;

/// The `eventDataChecksum` of an `eventData` string: base64 (standard alphabet, padded) of its SHA-256.
///
/// ```
/// let data = r#"{"version":"1.0","UID":"u-1","userIdentity":{"type":"CustomUser","principalId":"alice"},"eventSource":"app.example.com","eventName":"Login","eventTime":"2024-01-01T00:00:00Z","recipientAccountId":"123456789012"}"#;
/// assert_eq!(ctlake::event_data_checksum(data), "rUq5wIHWBATw9EopYjn+p9GdGWFmJ8a6oXa8NSMqu5o=");
/// ```
pub fn event_data_checksum(event_data: &str) -> String {
    let digest = Sha256::digest(event_data.as_bytes());
    let mut out = String::with_capacity(CHECKSUM_LEN);
    STANDARD.encode_string(digest, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of lake-api.md §1.2 (computed with Python and openssl).
    #[test]
    fn reference_vector() {
        let data = r#"{"version":"1.0","UID":"u-1","userIdentity":{"type":"CustomUser","principalId":"alice"},"eventSource":"app.example.com","eventName":"Login","eventTime":"2024-01-01T00:00:00Z","recipientAccountId":"123456789012"}"#;
        assert_eq!(
            event_data_checksum(data),
            "rUq5wIHWBATw9EopYjn+p9GdGWFmJ8a6oXa8NSMqu5o="
        );
    }

    #[test]
    fn empty_input_is_the_sha256_of_nothing() {
        assert_eq!(
            event_data_checksum(""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        assert_eq!(event_data_checksum("x").len(), CHECKSUM_LEN);
    }
}
