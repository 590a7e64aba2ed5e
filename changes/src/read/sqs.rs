//! SQS: long-polling a queue of log notifications.

use std::time::Duration;

use super::ReadError;
use super::aws::AwsOptions;
use super::notification::{Notification, parse_notification};

/// Longest long-poll wait SQS allows.
///
/// Source: ReceiveMessage `WaitTimeSeconds` "… long polling … The maximum is 20 seconds"
/// (<https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html>).
pub const MAX_WAIT: Duration = Duration::from_secs(20);

/// Most messages one ReceiveMessage call returns.
///
/// Source: ReceiveMessage `MaxNumberOfMessages` "Valid values: 1 to 10. Default: 1."
/// (<https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html>).
pub const MAX_MESSAGES_PER_RECEIVE: i32 = 10;

/// Longest visibility timeout SQS allows.
///
/// Source: ChangeMessageVisibility "The maximum allowed timeout value is 12 hours"
/// (<https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html>).
pub const MAX_VISIBILITY_TIMEOUT: Duration = Duration::from_secs(12 * 60 * 60);

/// A queue of S3 / SNS / CloudTrail notifications.
#[derive(Debug, Clone)]
pub struct SqsQueue {
    client: aws_sdk_sqs::Client,
    url: String,
}

/// One received message, with what it says.
#[derive(Debug, Clone)]
pub struct QueueMessage {
    /// SQS message id.
    pub message_id: String,
    /// Receipt handle, needed to delete the message or extend its visibility.
    pub receipt_handle: String,
    /// The raw body.
    pub body: String,
    /// How often SQS has delivered the message (`ApproximateReceiveCount`).
    pub receive_count: Option<u32>,
    /// The parsed meaning of the body.
    pub notification: Notification,
}

impl SqsQueue {
    /// Connects to the queue at `url` (see [`AwsOptions`]; the region defaults to the URL's).
    pub async fn connect(options: &AwsOptions, url: &str) -> Self {
        Self {
            client: options.sqs_client(url).await,
            url: url.to_owned(),
        }
    }

    /// Connects to the queue called `name`, resolving its URL with GetQueueUrl.
    ///
    /// # Errors
    ///
    /// [`ReadError::Queue`] when the queue does not exist or cannot be reached.
    pub async fn connect_by_name(options: &AwsOptions, name: &str) -> Result<Self, ReadError> {
        let client = options.sqs_client("").await;
        let url = client
            .get_queue_url()
            .queue_name(name)
            .send()
            .await
            .map_err(|e| ReadError::Queue {
                queue: name.to_owned(),
                operation: "GetQueueUrl",
                source: Box::new(e),
            })?
            .queue_url
            .unwrap_or_default();
        Ok(Self { client, url })
    }

    /// The queue URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Long-polls for up to `max` messages (1–10), waiting at most `wait` (≤ 20 s). `visibility` overrides the
    /// queue's visibility timeout for these messages.
    ///
    /// # Errors
    ///
    /// [`ReadError::Queue`] when the call fails.
    pub async fn receive(
        &self,
        max: i32,
        wait: Duration,
        visibility: Option<Duration>,
    ) -> Result<Vec<QueueMessage>, ReadError> {
        let wait = wait.min(MAX_WAIT);
        let mut request = self
            .client
            .receive_message()
            .queue_url(&self.url)
            .max_number_of_messages(max.clamp(1, MAX_MESSAGES_PER_RECEIVE))
            .wait_time_seconds(seconds(wait))
            .message_system_attribute_names(
                aws_sdk_sqs::types::MessageSystemAttributeName::ApproximateReceiveCount,
            );
        if let Some(visibility) = visibility {
            request = request.visibility_timeout(seconds(visibility.min(MAX_VISIBILITY_TIMEOUT)));
        }
        let output = request
            .send()
            .await
            .map_err(|e| self.error("ReceiveMessage", e))?;
        Ok(output
            .messages
            .unwrap_or_default()
            .into_iter()
            .filter_map(|message| {
                let receive_count = message
                    .attributes()
                    .and_then(|a| {
                        a.get(&aws_sdk_sqs::types::MessageSystemAttributeName::ApproximateReceiveCount)
                    })
                    .and_then(|n| n.parse().ok());
                let body = message.body.unwrap_or_default();
                Some(QueueMessage {
                    message_id: message.message_id?,
                    receipt_handle: message.receipt_handle?,
                    notification: parse_notification(&body),
                    body,
                    receive_count,
                })
            })
            .collect())
    }

    /// Deletes a message: only once every event from its objects has a final outcome.
    ///
    /// # Errors
    ///
    /// [`ReadError::Queue`] when the call fails (the message will be delivered again).
    pub async fn delete(&self, receipt_handle: &str) -> Result<(), ReadError> {
        self.client
            .delete_message()
            .queue_url(&self.url)
            .receipt_handle(receipt_handle)
            .send()
            .await
            .map_err(|e| self.error("DeleteMessage", e))?;
        Ok(())
    }

    /// Sets a message's remaining visibility timeout (keeps a long object's message hidden while it is read).
    ///
    /// # Errors
    ///
    /// [`ReadError::Queue`] when the call fails.
    pub async fn extend_visibility(&self, receipt_handle: &str, timeout: Duration) -> Result<(), ReadError> {
        self.client
            .change_message_visibility()
            .queue_url(&self.url)
            .receipt_handle(receipt_handle)
            .visibility_timeout(seconds(timeout.min(MAX_VISIBILITY_TIMEOUT)))
            .send()
            .await
            .map_err(|e| self.error("ChangeMessageVisibility", e))?;
        Ok(())
    }

    fn error(&self, operation: &'static str, e: impl std::error::Error + Send + Sync + 'static) -> ReadError {
        ReadError::Queue {
            queue: self.url.clone(),
            operation,
            source: Box::new(e),
        }
    }
}

fn seconds(d: Duration) -> i32 {
    i32::try_from(d.as_secs()).unwrap_or(i32::MAX)
}
