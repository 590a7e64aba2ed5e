//! [`Queued`]: a queued entry, kept small while its destination has a deep backlog.
//!
//! A queued entry is mostly its `eventData` text. Once a destination's queue holds more than
//! [`PublisherBuilder::compress_queued_above`](super::PublisherBuilder::compress_queued_above) events,
//! `publish` stores each further entry's text LZ4-compressed against a **dictionary**: the text of an
//! earlier event of the same destination (the first one compressed), which an application's events share
//! most of (keys, event source, user agent, …). The worker unpacks entries when it forms a batch, so what is
//! sent is byte for byte the original text, whose checksum was computed before packing. A queue that stays
//! short (the steady state) never compresses anything.

use std::cell::RefCell;
use std::sync::Arc;

use crate::{AuditEvent, AuditEventId};

/// A queued entry: as given, or with its text compressed.
#[derive(Debug)]
pub(crate) enum Queued {
    /// The entry as it will be sent.
    Plain(AuditEvent),
    /// The entry with its text compressed; [`unpack`](Self::unpack) restores it.
    Packed(Packed),
}

/// An entry whose `eventData` is LZ4-compressed against a dictionary.
///
/// One allocation of exactly its size holds the id, the checksum and the compressed text, so a long queue
/// does not interleave small leftovers with the freed text of each event (which keeps the allocator from
/// reusing those gaps for the next event's text).
#[derive(Debug)]
pub(crate) struct Packed {
    /// `id`, then the checksum, then the compressed text.
    bytes: Box<[u8]>,
    id_len: usize,
    /// `None`: the entry has no checksum.
    checksum_len: Option<usize>,
    /// The text's length in bytes.
    text_len: usize,
    dictionary: Arc<[u8]>,
}

/// A packed entry could not be restored (a bug: the data was compressed by this process).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a queued entry could not be decompressed: {0}")]
pub(crate) struct UnpackError(String);

/// A scratch buffer larger than this is let go after use, so one huge event does not pin its size.
const MAX_KEPT_SCRATCH: usize = 64 * 1024;

thread_local! {
    /// The compressor's output buffer, reused: only the exact result is kept.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

impl Queued {
    /// `entry` with its text compressed against `dictionary`, or as it is when that does not make it smaller.
    pub(crate) fn pack(entry: AuditEvent, dictionary: &Arc<[u8]>) -> Self {
        let text = entry.event_data().as_bytes();
        let id = entry.id().as_str().as_bytes();
        let checksum = entry.checksum().map(str::as_bytes);
        let bytes = SCRATCH.with_borrow_mut(|scratch| {
            let max = lz4_flex::block::get_maximum_output_size(text.len());
            if scratch.len() < max {
                scratch.resize(max, 0);
            }
            let n = lz4_flex::block::compress_into_with_dict(text, scratch, dictionary).ok();
            let kept = n.and_then(|n| scratch.get(..n)).and_then(|compressed| {
                let kept = id.len() + checksum.map_or(0, <[u8]>::len) + compressed.len();
                (kept < text.len() + id.len()).then(|| {
                    let mut bytes = Vec::with_capacity(kept);
                    bytes.extend_from_slice(id);
                    bytes.extend_from_slice(checksum.unwrap_or_default());
                    bytes.extend_from_slice(compressed);
                    bytes.into_boxed_slice()
                })
            });
            if scratch.len() > MAX_KEPT_SCRATCH {
                *scratch = Vec::new();
            }
            kept
        });
        let Some(bytes) = bytes else {
            return Self::Plain(entry);
        };
        Self::Packed(Packed {
            bytes,
            id_len: id.len(),
            checksum_len: checksum.map(<[u8]>::len),
            text_len: text.len(),
            dictionary: dictionary.clone(),
        })
    }

    /// The entry's `id`.
    pub(crate) fn id(&self) -> &str {
        match self {
            Self::Plain(entry) => entry.id().as_str(),
            // Copied from an `AuditEventId`, so valid UTF-8.
            Self::Packed(packed) => packed
                .bytes
                .get(..packed.id_len)
                .and_then(|id| std::str::from_utf8(id).ok())
                .unwrap_or_default(),
        }
    }

    /// Whether the text is compressed.
    #[cfg(test)]
    pub(crate) fn is_packed(&self) -> bool {
        matches!(self, Self::Packed(_))
    }

    /// The entry as it will be sent.
    ///
    /// # Errors
    ///
    /// [`UnpackError`] when compressed data does not decompress to valid text of its recorded length.
    pub(crate) fn unpack(self) -> Result<AuditEvent, UnpackError> {
        let packed = match self {
            Self::Plain(entry) => return Ok(entry),
            Self::Packed(packed) => packed,
        };
        let corrupt = || UnpackError("the parts do not add up".to_owned());
        let (id, rest) = packed.bytes.split_at_checked(packed.id_len).ok_or_else(corrupt)?;
        let (checksum, data) = rest
            .split_at_checked(packed.checksum_len.unwrap_or(0))
            .ok_or_else(corrupt)?;
        let mut text = vec![0; packed.text_len];
        let n = lz4_flex::block::decompress_into_with_dict(data, &mut text, &packed.dictionary)
            .map_err(|e| UnpackError(e.to_string()))?;
        if n != packed.text_len {
            return Err(UnpackError(format!("{n} bytes instead of {}", packed.text_len)));
        }
        let utf8 = |b: Vec<u8>| String::from_utf8(b).map_err(|e| UnpackError(e.to_string()));
        let id: AuditEventId = utf8(id.to_vec())?
            .try_into()
            .map_err(|e: crate::InvalidValue| UnpackError(e.to_string()))?;
        let checksum = packed.checksum_len.map(|_| utf8(checksum.to_vec())).transpose()?;
        Ok(AuditEvent::from_parts_unchecked(id, utf8(text)?, checksum))
    }
}

impl From<AuditEvent> for Queued {
    fn from(entry: AuditEvent) -> Self {
        Self::Plain(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(i: usize) -> AuditEvent {
        let text = format!(
            r#"{{"version":"1.0","userIdentity":{{"type":"TenantUser","principalId":"user/{i:08}"}},"eventSource":"orders.example.com","eventName":"UpdateOrder","UID":"u-{i}","requestParameters":{{"note":"é 漢 \" \\ {i}","orderId":"ord-{i:09}"}}}}"#
        );
        AuditEvent::from_json(AuditEventId::derive(&i.to_string()), text)
    }

    fn dictionary(e: &AuditEvent) -> Arc<[u8]> {
        Arc::from(e.event_data().as_bytes())
    }

    #[test]
    fn packed_entries_come_back_byte_for_byte_with_their_id_and_checksum() {
        let dict = dictionary(&entry(0));
        for i in [0, 1, 42, 999_999] {
            let original = entry(i);
            let queued = Queued::pack(original.clone(), &dict);
            assert!(queued.is_packed(), "similar text compresses");
            assert_eq!(queued.id(), original.id().as_str());
            assert_eq!(queued.unpack().unwrap(), original);
        }
    }

    #[test]
    fn similar_events_shrink_to_a_fraction_of_their_text() {
        let dict = dictionary(&entry(0));
        let e = entry(7);
        let Queued::Packed(packed) = Queued::pack(e.clone(), &dict) else {
            panic!("not packed")
        };
        let text = packed.bytes.len() - packed.id_len - packed.checksum_len.unwrap_or(0);
        assert!(
            text * 3 < e.event_data().len(),
            "{text} of {} bytes",
            e.event_data().len()
        );
    }

    #[test]
    fn text_that_does_not_compress_stays_plain() {
        let dict = dictionary(&entry(0));
        let e = AuditEvent::from_json("x".parse().unwrap(), "q");
        let queued = Queued::pack(e.clone(), &dict);
        assert!(!queued.is_packed());
        assert_eq!(queued.unpack().unwrap(), e);
        let checksumless = entry(3).without_checksum();
        assert_eq!(
            Queued::pack(checksumless.clone(), &dict).unpack().unwrap(),
            checksumless
        );
    }

    #[test]
    fn corrupt_data_is_an_error_not_a_panic() {
        let dict = dictionary(&entry(0));
        let Queued::Packed(mut packed) = Queued::pack(entry(5), &dict) else {
            panic!("not packed")
        };
        packed.text_len += 10;
        assert!(Queued::Packed(packed).unpack().is_err());
        let Queued::Packed(mut packed) = Queued::pack(entry(5), &dict) else {
            panic!("not packed")
        };
        packed.dictionary = Arc::from(&b"something else entirely"[..]);
        // Decompressing against the wrong dictionary fails, or yields other text of the wrong length or
        // checksum; it never panics.
        if let Ok(e) = Queued::Packed(packed).unpack() {
            assert_ne!(e, entry(5));
        }
    }
}
