//! Alarm intake: `ctlake ingest-alarms sqs://…` and `ctlake serve-sns`.
//!
//! Both turn CloudWatch alarm notifications into alarm events (`ctlake_changes::alarm`) and publish them with
//! the SDK's publisher; `serve-sns` also turns CloudTrail log-delivery notifications into change events
//! (`ctlake_changes::pipeline::Ingest`). A delivery (an SQS message, an HTTP POST) is finished — deleted,
//! answered 200 — only when every event it carried has a final outcome and the incident state is saved.
//!
//! * `args`: the clap types;
//! * `publish`: the publisher, the outcomes and what they mean for a delivery, the counts;
//! * `intake`: alarms → incident state → alarm events;
//! * `logs`: log-delivery notifications → S3 objects → change events;
//! * `ingest` and `serve`: the two commands; `summary` their results, `rejects` their reject file.

pub(crate) mod args;
mod ingest;
mod intake;
mod logs;
mod publish;
mod rejects;
mod serve;
mod summary;

pub(crate) use ingest::run as ingest_alarms;
pub(crate) use serve::run as serve_sns;

use ctlake_changes::read::AwsOptions;

use crate::context::Context;

/// How `ctlake-changes` reaches SQS and S3: the global options; credentials, endpoints per service
/// (`AWS_ENDPOINT_URL_SQS`, `AWS_ENDPOINT_URL_S3`) and the rest from aws-config's usual sources.
fn aws_options(ctx: &Context) -> AwsOptions {
    AwsOptions {
        endpoint_url: ctx.global.endpoint_url.clone(),
        region: ctx.global.region.clone(),
        profile: ctx.global.profile.clone(),
        credentials: None,
    }
}

/// `error: cause: root cause`, leaving out a cause whose text the message already shows (the AWS SDK's
/// service errors repeat their cause).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let cause = s.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("{text}")]
    struct E {
        text: &'static str,
        #[source]
        source: Option<Box<E>>,
    }

    #[test]
    fn error_chains_name_each_cause_once() {
        let e = |text, source: Option<E>| E {
            text,
            source: source.map(Box::new),
        };
        let root = e("QueueDoesNotExist: gone", None);
        let repeated = e("service error: QueueDoesNotExist: gone", Some(root));
        let top = e("GetQueueUrl failed", Some(repeated));
        assert_eq!(
            error_chain(&top),
            "GetQueueUrl failed: service error: QueueDoesNotExist: gone"
        );
    }
}
