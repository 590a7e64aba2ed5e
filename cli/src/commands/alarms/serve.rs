//! `ctlake serve-sns`: an HTTP endpoint for SNS subscriptions (axum), with `ctlake_changes::sns::SnsEndpoint`
//! deciding what to accept. Alarms go through [`AlarmIntake`] as in `ingest-alarms`; CloudTrail log deliveries
//! (and S3 event notifications of log files) through [`LogIntake`].

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::get;
use ctlake_changes::alarm::{AlarmMessage, from_sns};
use ctlake_changes::read::{Notification, parse_notification};
use ctlake_changes::sns::{
    Delivery, EndpointError, HttpFetcher, SnsEndpoint, SnsMessage, SnsVerifier, UrlPolicy,
};

use super::args::ServeSnsArgs;
use super::intake::{Alarm, AlarmIntake};
use super::logs::LogIntake;
use super::publish::{Lake, Settled};
use super::rejects::{MALFORMED, NOT_AN_ALARM};
use super::summary::ServeSummary;
use crate::cli::OutputFormat;
use crate::commands::put_events::interrupt_signal;
use crate::context::Context;
use crate::exit::{CliError, CliResult, Outcome};
use crate::output::write_stdout;
use crate::ui::Ui;

/// Largest request body accepted. SNS messages are at most 256 KiB ("Maximum message size: 256 KB",
/// <https://docs.aws.amazon.com/general/latest/gr/sns.html>); the JSON envelope escapes the message and adds the
/// signature, so up to four times that is allowed.
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How long the publisher may take to deliver what is queued when the server stops.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// The server's shared state.
#[derive(Debug)]
struct App {
    endpoint: SnsEndpoint,
    alarms: AlarmIntake,
    logs: LogIntake,
    lake: Arc<Lake>,
    stats: Mutex<ServeSummary>,
    ui: Ui,
}

/// `ctlake serve-sns`.
pub(crate) async fn run(args: ServeSnsArgs, ctx: &Context) -> CliResult {
    if ctx.output == OutputFormat::Csv {
        return Err(CliError::usage(
            "--output csv applies to query results; serve-sns prints json, table or text",
        ));
    }
    for arn in &args.topic_arns {
        check_topic_arn(arn).map_err(|e| CliError::usage(format!("--topic-arn {arn:?}: {e}")))?;
    }
    let mut policy = UrlPolicy::aws();
    if let Some(origin) = &args.test_allow_origin {
        policy = policy
            .allow_test_origin(origin)
            .map_err(|e| CliError::usage(format!("--test-allow-origin: {e}")))?;
    }
    if let Some(origin) = &args.test_aws_via {
        policy = policy
            .aws_via_test_origin(origin)
            .map_err(|e| CliError::usage(format!("--test-aws-via: {e}")))?;
    }
    if policy.is_test() {
        ctx.ui.warn(
            "test-only URL rules are on: certificates and confirmations are fetched from a loopback origin",
        );
    }
    let fetcher = HttpFetcher::new().map_err(|e| CliError::other(super::error_chain(&e)))?;
    let endpoint = SnsEndpoint::new(SnsVerifier::new(policy, fetcher), args.topic_arns.clone());

    let aws = ctx.aws().await?;
    let lake = Arc::new(Lake::start(&aws, &args.lake)?);
    let alarms = AlarmIntake::open(&args.lake.state_file, Arc::clone(&lake))?;
    let logs = LogIntake::new(args.rules.as_deref(), &super::aws_options(ctx), Arc::clone(&lake)).await?;

    let listener = tokio::net::TcpListener::bind(SocketAddr::new(args.bind, args.port))
        .await
        .map_err(|e| CliError::other(format!("cannot listen on {}:{}: {e}", args.bind, args.port)))?;
    let url = format!("http://{}/", listener.local_addr()?);
    let app = Arc::new(App {
        endpoint,
        alarms,
        logs,
        lake: Arc::clone(&lake),
        stats: Mutex::new(ServeSummary {
            url: url.clone(),
            channel_arn: lake.channel_arn().to_owned(),
            ..ServeSummary::default()
        }),
        ui: ctx.ui.clone(),
    });
    let router = Router::new()
        .route("/health", get(|| async { "ok\n" }))
        .fallback(handle)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(Arc::clone(&app));
    write_stdout(format!("{url}\n").as_bytes())?;
    ctx.ui.note(format!(
        "Listening on {url} for SNS messages of {} (Ctrl-C stops it).",
        args.topic_arns.join(", ")
    ));
    let started = Instant::now();
    axum::serve(listener, router)
        .with_graceful_shutdown(interrupt_signal())
        .await
        .map_err(|e| CliError::other(format!("the server failed: {e}")))?;
    ctx.ui.note("Stopping: delivering what is queued.");
    lake.shutdown(SHUTDOWN_TIMEOUT).await;
    let mut summary = app.stats.lock().unwrap_or_else(PoisonError::into_inner).clone();
    summary.events = lake.tally().into();
    summary.elapsed_seconds = started.elapsed().as_secs_f64();
    crate::output::print(ctx.output, "serve-sns", &summary)?;
    Ok(Outcome::Success)
}

/// `arn:PARTITION:sns:REGION:ACCOUNT:NAME` with a 12-digit account and a topic name of 1–256 letters, digits,
/// `-` and `_` (optionally ending in `.fifo`).
fn check_topic_arn(arn: &str) -> Result<(), &'static str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [prefix, partition, service, region, account, name] = parts[..] else {
        return Err("expected arn:aws:sns:REGION:ACCOUNT:NAME");
    };
    if prefix != "arn" || partition.is_empty() || service != "sns" || region.is_empty() {
        return Err("expected arn:aws:sns:REGION:ACCOUNT:NAME");
    }
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the account must be 12 digits");
    }
    let base = name.strip_suffix(".fifo").unwrap_or(name);
    if base.is_empty()
        || name.len() > 256
        || !base
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err("the topic name must be 1-256 letters, digits, - and _");
    }
    Ok(())
}

/// Every request but `GET /health`.
async fn handle(
    State(app): State<Arc<App>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    if method != Method::POST {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            "SNS posts its messages here\n".into(),
        );
    }
    app.count(|s| s.requests += 1);
    let (status, text) = app.receive(&headers, &body).await;
    app.count(|s| match status.as_u16() {
        200..=299 => s.answered_ok += 1,
        400..=499 => s.refused += 1,
        _ => s.retry_later += 1,
    });
    (status, format!("{text}\n"))
}

impl App {
    fn count(&self, f: impl FnOnce(&mut ServeSummary)) {
        f(&mut self.stats.lock().unwrap_or_else(PoisonError::into_inner));
    }

    async fn receive(&self, headers: &HeaderMap, body: &[u8]) -> (StatusCode, String) {
        match self.endpoint.receive(headers, body).await {
            Err(e) => {
                let why = endpoint_error(&e);
                self.ui.warn(format!("SNS request refused: {why}"));
                (e.status(), why)
            }
            Ok(Delivery::SubscriptionConfirmed { topic_arn }) => {
                self.ui.note(format!("Subscription to {topic_arn} confirmed."));
                let text = format!("subscription to {topic_arn} confirmed");
                self.count(|s| s.subscriptions_confirmed.push(topic_arn));
                (StatusCode::OK, text)
            }
            Ok(Delivery::Notification(message)) => self.notification(&message).await,
            Ok(Delivery::Unsubscribed { topic_arn }) => {
                self.ui.note(format!(
                    "SNS deleted this endpoint's subscription to {topic_arn}."
                ));
                (StatusCode::OK, format!("unsubscribed from {topic_arn}"))
            }
            Ok(_) => (StatusCode::OK, "ok".into()),
        }
    }

    async fn notification(&self, message: &SnsMessage) -> (StatusCode, String) {
        let result = match from_sns(message) {
            Ok(AlarmMessage::Alarm {
                message_id,
                notification,
            }) => {
                self.count(|s| s.alarm_notifications += 1);
                let alarm = Alarm {
                    message_id,
                    notification,
                };
                self.alarms
                    .record(vec![(message.message_id().to_owned(), vec![alarm])])
                    .await
                    .map(|settled| settled.into_iter().fold(Settled::Done, Settled::and))
            }
            Ok(_) => match parse_notification(message.message()) {
                Notification::Objects(objects) => {
                    self.count(|s| s.log_notifications += 1);
                    self.logs
                        .ingest(message.message_id(), objects)
                        .await
                        .map(|(settled, counts)| {
                            self.count(|s| {
                                s.log_objects += counts.objects;
                                s.log_records += counts.records;
                            });
                            settled
                        })
                }
                Notification::Ignored(reason) => {
                    return (StatusCode::OK, format!("nothing to do: {reason:?}"));
                }
                Notification::Inline => {
                    return self.not_understood(
                        message,
                        NOT_AN_ALARM,
                        "CloudTrail records inside an SNS message are not read here; send log-delivery \
                         notifications",
                    );
                }
                Notification::Unrecognized(reason) => {
                    return self.not_understood(message, NOT_AN_ALARM, &reason);
                }
                _ => return self.not_understood(message, NOT_AN_ALARM, "unknown notification"),
            },
            Err(e) => return self.not_understood(message, MALFORMED, &e.to_string()),
        };
        match result {
            Ok(Settled::Done) => (StatusCode::OK, "recorded".into()),
            Ok(Settled::Again {
                refused: Some(reason),
            }) => {
                self.ui.warn(format!(
                    "message {}: Lake refused its events: {reason}; SNS will deliver it again",
                    message.message_id()
                ));
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("Lake refused the events: {reason}"),
                )
            }
            Ok(Settled::Again { refused: None }) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "not every event was delivered; deliver the message again later".into(),
            ),
            Err(e) => {
                self.ui.warn(format!("message {}: {e}", message.message_id()));
                (StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
            }
        }
    }

    /// A verified notification that carries nothing to record: 400, and a line in the reject file.
    fn not_understood(&self, message: &SnsMessage, code: &str, reason: &str) -> (StatusCode, String) {
        self.ui.warn(format!(
            "message {} of {} not understood: {reason}",
            message.message_id(),
            message.topic_arn()
        ));
        self.count(|s| s.messages_rejected += 1);
        if let Err(e) = self
            .lake
            .reject_message(message.message_id(), code, reason, message.message())
        {
            self.ui.warn(e.to_string());
        }
        (
            StatusCode::BAD_REQUEST,
            format!("not an alarm or CloudTrail log-delivery notification: {reason}"),
        )
    }
}

/// An endpoint error with its causes.
fn endpoint_error(e: &EndpointError) -> String {
    super::error_chain(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_arns() {
        for ok in [
            "arn:aws:sns:us-east-1:123456789012:alarms",
            "arn:aws-cn:sns:cn-north-1:123456789012:a_b-c",
            "arn:aws:sns:us-east-1:123456789012:orders.fifo",
        ] {
            assert_eq!(check_topic_arn(ok), Ok(()), "{ok}");
        }
        for bad in [
            "alarms",
            "arn:aws:sqs:us-east-1:123456789012:alarms",
            "arn:aws:sns:us-east-1:12345:alarms",
            "arn:aws:sns:us-east-1:123456789012:",
            "arn:aws:sns:us-east-1:123456789012:a b",
            "arn:aws:sns::123456789012:alarms",
            "arn:aws:sns:us-east-1:123456789012:a:b",
        ] {
            assert!(check_topic_arn(bad).is_err(), "{bad}");
        }
    }
}
