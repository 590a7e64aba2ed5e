//! S3: listing a prefix and streaming objects.

use std::io::{self, Read};
use std::pin::Pin;

use futures::{Stream, StreamExt};

use tokio::sync::mpsc;

use super::aws::AwsOptions;
use super::keys::skip_reason;
use super::{Listing, LogObject, ObjectRef, ReadError};

/// Decoded chunks in flight between the download task and the parser; bounds memory per object.
const CHUNKS_IN_FLIGHT: usize = 8;

/// Reads CloudTrail log objects from S3.
#[derive(Debug, Clone)]
pub struct S3Reader {
    client: aws_sdk_s3::Client,
    page_size: Option<i32>,
}

/// A paginated listing of `s3://bucket/prefix`.
pub struct S3Listing {
    pages: Pin<Box<dyn Stream<Item = Result<Listing, ReadError>> + Send>>,
}

impl std::fmt::Debug for S3Listing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Listing").finish_non_exhaustive()
    }
}

impl S3Listing {
    /// The next page, `None` after the last one.
    ///
    /// # Errors
    ///
    /// [`ReadError::List`] when S3 refuses or cannot be reached.
    pub async fn next_page(&mut self) -> Option<Result<Listing, ReadError>> {
        self.pages.next().await
    }
}

/// Splits one listed page into objects to read and skipped objects.
fn page_of(bucket: &str, output: &aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output) -> Listing {
    let mut page = Listing::default();
    for object in output.contents() {
        let Some(key) = object.key() else { continue };
        let id = ObjectRef::s3(bucket, key);
        match skip_reason(key) {
            Some(reason) => page.skipped.push((id, reason)),
            None => page.objects.push(LogObject {
                id,
                size: object.size().and_then(|s| u64::try_from(s).ok()),
                version: object.e_tag().map(|e| e.trim_matches('"').to_owned()),
            }),
        }
    }
    page
}

impl S3Reader {
    /// Connects with `options` (see [`AwsOptions`] for the endpoint and path-style rules).
    pub async fn connect(options: &AwsOptions) -> Self {
        Self {
            client: options.s3_client().await,
            page_size: None,
        }
    }

    /// Lists at most `keys` objects per ListObjectsV2 page (S3's default and maximum is 1000).
    pub fn page_size(mut self, keys: i32) -> Self {
        self.page_size = Some(keys);
        self
    }

    /// Lists `s3://bucket/prefix` page by page (ListObjectsV2 with continuation tokens).
    pub fn list(&self, bucket: &str, prefix: &str) -> S3Listing {
        let paginator = self
            .client
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .set_max_keys(self.page_size)
            .into_paginator()
            .send();
        let bucket = bucket.to_owned();
        let location = format!("s3://{bucket}/{prefix}");
        let pages = futures::stream::unfold(paginator, move |mut paginator| {
            let bucket = bucket.clone();
            let location = location.clone();
            async move {
                let item = paginator.next().await?;
                let page = item
                    .map(|output| page_of(&bucket, &output))
                    .map_err(|e| ReadError::List {
                        location,
                        source: Box::new(e),
                    });
                Some((page, paginator))
            }
        });
        S3Listing {
            pages: Box::pin(pages),
        }
    }

    /// Starts downloading an object and returns its body as a blocking [`Read`] (for
    /// [`decode`](super::decode) and [`read_records`](super::read_records) on a blocking thread).
    ///
    /// The body streams: at most a few chunks are buffered, whatever the object's size. A download that breaks
    /// off surfaces as an I/O error of the reader.
    ///
    /// # Errors
    ///
    /// [`ReadError::Get`] when the object does not exist or cannot be fetched.
    pub async fn open(&self, bucket: &str, key: &str) -> Result<Box<dyn Read + Send>, ReadError> {
        let output = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| ReadError::Get {
                object: ObjectRef::s3(bucket, key),
                source: Box::new(e),
            })?;
        let mut body = output.body;
        let (tx, rx) = mpsc::channel(CHUNKS_IN_FLIGHT);
        tokio::spawn(async move {
            loop {
                let chunk = match body.next().await {
                    None => break,
                    Some(Ok(chunk)) => Ok(chunk),
                    Some(Err(e)) => Err(io::Error::other(e)),
                };
                let failed = chunk.is_err();
                if tx.send(chunk).await.is_err() || failed {
                    break;
                }
            }
        });
        Ok(Box::new(ChannelReader {
            rx,
            current: None,
            offset: 0,
        }))
    }
}

/// A blocking reader over chunks sent by an async task. Must be read outside the async runtime's worker
/// threads (e.g. in `spawn_blocking`).
struct ChannelReader<T> {
    rx: mpsc::Receiver<io::Result<T>>,
    current: Option<T>,
    offset: usize,
}

impl<T: AsRef<[u8]>> Read for ChannelReader<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(chunk) = &self.current {
                let rest = chunk.as_ref().get(self.offset..).unwrap_or(&[]);
                if !rest.is_empty() {
                    let n = rest.len().min(buf.len());
                    buf[..n].copy_from_slice(&rest[..n]);
                    self.offset += n;
                    return Ok(n);
                }
            }
            match self.rx.blocking_recv() {
                Some(Ok(chunk)) => {
                    self.current = Some(chunk);
                    self.offset = 0;
                }
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_reader_concatenates_chunks_and_reports_errors() {
        let (tx, rx) = mpsc::channel(4);
        tx.try_send(Ok(b"hello ".to_vec())).unwrap();
        tx.try_send(Ok(Vec::new())).unwrap();
        tx.try_send(Ok(b"world".to_vec())).unwrap();
        drop(tx);
        let mut reader = ChannelReader {
            rx,
            current: None,
            offset: 0,
        };
        let mut out = String::new();
        reader.read_to_string(&mut out).unwrap();
        assert_eq!(out, "hello world");

        let (tx, rx) = mpsc::channel(4);
        tx.try_send(Ok(b"partial".to_vec())).unwrap();
        tx.try_send(Err(io::Error::other("connection reset"))).unwrap();
        let mut reader = ChannelReader {
            rx,
            current: None,
            offset: 0,
        };
        let mut out = Vec::new();
        let err = reader.read_to_end(&mut out).unwrap_err();
        assert_eq!(err.to_string(), "connection reset");
        assert_eq!(out, b"partial");
    }
}
