//! Publisher tests against a scripted in-memory sink, with paused time: the batching, retry, pause and
//! shutdown rules, end to end through the worker and the tower stack. (Tests against the local Lake, over
//! HTTP, are in the `ctlake-e2e` crate.)

#![allow(clippy::unwrap_used)]

use std::sync::atomic::Ordering;

use super::*;
use crate::Health;
use crate::sink::{PutRequest, PutResponse, SinkError};
use crate::{AuditEvent, AuditEventId, EventData, EventTime, UserIdentity};

const ACCOUNT: &str = "123456789012";

fn arn(n: usize) -> String {
    format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:channel/ch-{n}")
}

fn dest(n: usize) -> Destination {
    Destination::builder()
        .name(format!("d{n}"))
        .channel_arn(arn(n).parse().unwrap())
        .build()
        .unwrap()
}

fn event(uid: &str) -> EventData {
    EventData::builder()
        .version("1.0")
        .user_identity(
            UserIdentity::builder()
                .r#type("CustomUser")
                .principal_id("alice")
                .build()
                .unwrap(),
        )
        .event_source("app.example.com")
        .event_name("Login")
        .event_time(EventTime::parse("2024-01-01T00:00:00Z").unwrap())
        .uid(uid)
        .recipient_account_id(ACCOUNT)
        .build()
        .unwrap()
}

/// One recorded call: destination name, entry ids, time.
type Call = (String, Vec<String>, tokio::time::Instant);

type Script = dyn Fn(&PutRequest, usize) -> Answer + Send + Sync;

/// How the scripted sink answers one call.
enum Answer {
    /// Answer after `delay`.
    After(Duration, Result<PutResponse, SinkError>),
    /// Never answer.
    Hang,
}

fn now(r: Result<PutResponse, SinkError>) -> Answer {
    Answer::After(Duration::ZERO, r)
}

/// Accepts every entry, with `E-<id>` as its eventID.
fn accept_all(req: &PutRequest) -> Result<PutResponse, SinkError> {
    let mut r = PutResponse::new();
    for e in req.events() {
        r.push_accepted(e.id().as_str(), format!("E-{}", e.id()));
    }
    Ok(r)
}

/// A sink that records every call (destination name, ids, time) and answers from a script.
#[derive(Clone)]
struct Scripted {
    script: Arc<Script>,
    calls: Arc<Mutex<Vec<Call>>>,
}

impl std::fmt::Debug for Scripted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scripted")
    }
}

impl Scripted {
    fn new(script: impl Fn(&PutRequest, usize) -> Answer + Send + Sync + 'static) -> Self {
        Self {
            script: Arc::new(script),
            calls: Arc::default(),
        }
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    fn sizes(&self) -> Vec<usize> {
        self.calls().iter().map(|c| c.1.len()).collect()
    }
}

impl Sink for Scripted {
    fn put(
        &self,
        request: PutRequest,
    ) -> futures::future::BoxFuture<'static, Result<PutResponse, SinkError>> {
        let n = {
            let mut calls = self.calls.lock().unwrap();
            calls.push((
                request.destination().name().to_owned(),
                request
                    .events()
                    .iter()
                    .map(|e| e.id().as_str().to_owned())
                    .collect(),
                tokio::time::Instant::now(),
            ));
            calls.len() - 1
        };
        let answer = (self.script)(&request, n);
        Box::pin(async move {
            match answer {
                Answer::After(delay, r) => {
                    tokio::time::sleep(delay).await;
                    r
                }
                Answer::Hang => std::future::pending().await,
            }
        })
    }
}

/// A sink where destination `hanging` never answers and every other one accepts everything after `delay`.
fn one_hangs(hanging: &'static str, delay: Duration) -> Scripted {
    Scripted::new(move |r, _| {
        if r.destination().name() == hanging {
            Answer::Hang
        } else {
            Answer::After(delay, accept_all(r))
        }
    })
}

fn builder(sink: &Scripted) -> PublisherBuilder {
    Publisher::builder()
        .sink(sink.clone())
        .linger(Duration::from_millis(200))
        .retry(
            RetrySettings::default()
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(100)),
        )
        .rate(Rate::new(10_000, Duration::from_secs(1)).with_burst(1_000))
}

async fn publish_n(p: &Publisher, d: &Destination, prefix: &str, n: usize) -> Vec<Receipt> {
    let mut receipts = Vec::with_capacity(n);
    for i in 0..n {
        receipts.push(p.publish(d, event(&format!("{prefix}-{i}"))).await.unwrap());
    }
    receipts
}

async fn outcomes(receipts: Vec<Receipt>) -> Vec<Outcome> {
    futures::future::join_all(receipts).await
}

#[tokio::test(start_paused = true)]
async fn full_batches_go_at_once_and_the_rest_after_the_linger_time() {
    let sink = Scripted::new(|r, _| now(accept_all(r)));
    let p = builder(&sink).build().unwrap();
    let d = dest(1);
    let t0 = tokio::time::Instant::now();
    let receipts = publish_n(&p, &d, "e", 250).await;
    tokio::time::sleep(Duration::from_millis(199)).await;
    assert_eq!(sink.sizes(), [100, 100], "full batches are not held back");
    let all = outcomes(receipts).await;
    assert_eq!(sink.sizes(), [100, 100, 50]);
    assert_eq!(
        sink.calls()[2].2 - t0,
        Duration::from_millis(200),
        "the rest goes after the linger time"
    );
    assert!(all.iter().all(Outcome::is_accepted));
    let Outcome::Accepted { event_id } = &all[7] else {
        panic!()
    };
    assert_eq!(event_id, &format!("E-{}", AuditEventId::derive("e-7")));
    let s = p.summary();
    assert_eq!((s.published, s.accepted, s.pending), (250, 250, 0));
}

#[tokio::test(start_paused = true)]
async fn batches_close_on_the_exact_body_size() {
    let sink = Scripted::new(|r, _| now(accept_all(r)));
    let one = AuditEvent::new(AuditEventId::derive("y-0"), &event("y-0")).encoded_len();
    // Room for exactly three entries: wrapper + 3 entries + 2 commas.
    let limit = crate::validate::limits::REQUEST_BODY_WRAPPER_BYTES + 3 * one + 2;
    let p = builder(&sink).max_batch_bytes(limit).build().unwrap();
    let receipts = publish_n(&p, &dest(1), "y", 10).await;
    assert!(outcomes(receipts).await.iter().all(Outcome::is_accepted));
    assert_eq!(sink.sizes(), [3, 3, 3, 1]);
}

#[tokio::test(start_paused = true)]
async fn a_repeated_id_goes_to_the_next_batch_and_every_copy_is_delivered() {
    let sink = Scripted::new(|r, _| now(accept_all(r)));
    let p = builder(&sink).build().unwrap();
    let d = dest(1);
    let mut receipts = Vec::new();
    for uid in ["a", "b", "a", "a", "c"] {
        receipts.push(p.publish(&d, event(uid)).await.unwrap());
    }
    assert!(outcomes(receipts).await.iter().all(Outcome::is_accepted));
    let calls = sink.calls();
    for (_, ids, _) in &calls {
        let unique: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "no request repeats an id");
    }
    assert_eq!(calls.iter().map(|c| c.1.len()).sum::<usize>(), 5);
    assert_eq!(sink.sizes(), [3, 1, 1]);
}

#[tokio::test(start_paused = true)]
async fn throttled_entries_alone_are_resent_in_a_smaller_request() {
    let sink = Scripted::new(|r, n| {
        if n == 0 {
            let mut resp = PutResponse::new();
            for (i, e) in r.events().iter().enumerate() {
                match i % 10 {
                    0 => resp.push_failed(e.id().as_str(), "Throttling", "slow down"),
                    1 => resp.push_failed(e.id().as_str(), "InternalFailure", "oops"),
                    2 => resp.push_failed(e.id().as_str(), "InvalidChecksum", "bad checksum"),
                    _ => resp.push_accepted(e.id().as_str(), "ok"),
                }
            }
            now(Ok(resp))
        } else {
            now(accept_all(r))
        }
    });
    let p = builder(&sink).build().unwrap();
    let d = dest(1);
    let all = outcomes(publish_n(&p, &d, "t", 100).await).await;
    assert_eq!(sink.sizes(), [100, 20]);
    let first = &sink.calls()[0].1;
    let resent: Vec<_> = first
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 10 < 2)
        .map(|(_, id)| id.clone())
        .collect();
    assert_eq!(
        sink.calls()[1].1,
        resent,
        "exactly the throttled and failed entries, in order"
    );
    let rejected: Vec<_> = all.iter().filter_map(Outcome::rejection_code).collect();
    assert_eq!(rejected, ["InvalidChecksum"; 10]);
    assert_eq!(all.iter().filter(|o| o.is_accepted()).count(), 90);
    let c = p.destination_status(&d).unwrap().counts;
    assert_eq!((c.retried, c.calls, c.ambiguous_retries), (20, 2, 0));
}

#[tokio::test(start_paused = true)]
async fn whole_request_failures_are_retried_with_backoff() {
    let sink = Scripted::new(|r, n| match n {
        0 => now(Err(SinkError::service(
            Some("ServiceUnavailable".into()),
            Some(503),
            "busy",
        ))),
        1 => now(Err(SinkError::service(
            Some("ThrottlingException".into()),
            Some(400),
            "rate",
        ))),
        2 => now(Err(SinkError::unsent("refused"))),
        _ => now(accept_all(r)),
    });
    let p = builder(&sink).build().unwrap();
    let all = outcomes(publish_n(&p, &dest(1), "w", 5).await).await;
    assert!(all.iter().all(Outcome::is_accepted));
    let calls = sink.calls();
    assert_eq!(calls.len(), 4);
    for pair in calls.windows(2) {
        let gap = pair[1].2 - pair[0].2;
        assert!(
            gap >= Duration::from_millis(5),
            "backoff between attempts, got {gap:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn final_whole_request_errors_reject_the_batch_without_retry() {
    let sink = Scripted::new(|_, _| {
        now(Err(SinkError::service(
            Some("ChannelUnsupportedSchema".into()),
            Some(400),
            "schema",
        )))
    });
    let p = builder(&sink).build().unwrap();
    let all = outcomes(publish_n(&p, &dest(1), "f", 3).await).await;
    assert!(
        all.iter()
            .all(|o| o.rejection_code() == Some("ChannelUnsupportedSchema"))
    );
    assert_eq!(sink.sizes(), [3]);
    assert!(
        p.destination_status(&dest(1)).unwrap().health.is_healthy(),
        "not tenant-fatal"
    );
}

#[tokio::test(start_paused = true)]
async fn retries_stop_at_the_attempt_limit_and_the_events_are_abandoned() {
    let sink = Scripted::new(|_, _| now(Err(SinkError::service(None, Some(500), ""))));
    let p = builder(&sink)
        .retry(
            RetrySettings::default()
                .initial_backoff(Duration::from_millis(10))
                .max_attempts(3),
        )
        .build()
        .unwrap();
    let all = outcomes(publish_n(&p, &dest(1), "x", 2).await).await;
    assert_eq!(sink.sizes(), [2, 2, 2]);
    for o in all {
        let Outcome::Abandoned {
            reason: AbandonReason::RetriesExhausted { attempts, last_error },
        } = o
        else {
            panic!("{o:?}")
        };
        assert_eq!((attempts, last_error.as_str()), (3, "HTTP500: "));
    }
}

#[tokio::test(start_paused = true)]
async fn retries_stop_at_the_total_time_limit() {
    let sink = Scripted::new(|_, _| {
        now(Err(SinkError::service(
            Some("ThrottlingException".into()),
            Some(400),
            "",
        )))
    });
    let p = builder(&sink)
        .retry(
            RetrySettings::default()
                .initial_backoff(Duration::from_secs(1))
                .max_backoff(Duration::from_secs(1))
                .max_attempts(1000)
                .max_elapsed(Duration::from_secs(5)),
        )
        .linger(Duration::ZERO)
        .build()
        .unwrap();
    let t0 = tokio::time::Instant::now();
    let all = outcomes(publish_n(&p, &dest(1), "x", 1).await).await;
    assert!(matches!(
        all[0],
        Outcome::Abandoned {
            reason: AbandonReason::RetriesExhausted { .. }
        }
    ));
    let calls = sink.calls();
    assert!(calls.last().unwrap().2 - t0 <= Duration::from_secs(5));
    assert!(
        (5..=11).contains(&calls.len()),
        "{} attempts within 5 s of 0.5–1 s backoffs",
        calls.len()
    );
}

#[tokio::test(start_paused = true)]
async fn timeouts_are_retried_and_counted_as_ambiguous() {
    let sink = Scripted::new(|r, n| if n == 0 { Answer::Hang } else { now(accept_all(r)) });
    let p = builder(&sink)
        .attempt_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let all = outcomes(publish_n(&p, &dest(1), "x", 4).await).await;
    assert!(all.iter().all(Outcome::is_accepted));
    let c = p.destination_status(&dest(1)).unwrap().counts;
    assert_eq!((c.calls, c.retried, c.ambiguous_retries), (2, 4, 4));
}

#[tokio::test(start_paused = true)]
async fn a_tenant_fatal_error_pauses_only_that_destination_until_a_probe_succeeds() {
    let deleted = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let gone = deleted.clone();
    let sink = Scripted::new(move |r, _| {
        if r.destination().name() == "d1" && gone.load(Ordering::SeqCst) {
            now(Err(SinkError::service(
                Some("ChannelNotFound".into()),
                Some(400),
                "Channel not found",
            )))
        } else {
            now(accept_all(r))
        }
    });
    let p = builder(&sink)
        .probe_delay(Duration::from_secs(10), Duration::from_secs(60))
        .build()
        .unwrap();
    let (a, b) = (dest(1), dest(2));
    let first = outcomes(publish_n(&p, &a, "a", 5).await).await;
    assert!(
        first
            .iter()
            .all(|o| o.rejection_code() == Some("ChannelNotFound"))
    );
    let Health::Paused { code, .. } = p.destination_status(&a).unwrap().health else {
        panic!("paused")
    };
    assert_eq!(code, "ChannelNotFound");
    let calls_before = sink.calls().len();
    // While paused: rejected without calls; the other destination delivers.
    let paused = outcomes(publish_n(&p, &a, "a2", 3).await).await;
    assert!(
        paused
            .iter()
            .all(|o| matches!(o, Outcome::Rejected { code, message, .. }
        if code == "ChannelNotFound" && message.contains("destination paused")))
    );
    let other = outcomes(publish_n(&p, &b, "b", 5).await).await;
    assert!(other.iter().all(Outcome::is_accepted));
    assert!(
        sink.calls()[calls_before..].iter().all(|c| c.0 == "d2"),
        "no call to the paused destination"
    );
    // After the probe delay, with the channel back, the next batch probes and resumes the destination.
    deleted.store(false, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(10)).await;
    let resumed = outcomes(publish_n(&p, &a, "a3", 3).await).await;
    assert!(resumed.iter().all(Outcome::is_accepted));
    assert!(p.destination_status(&a).unwrap().health.is_healthy());
}

#[tokio::test(start_paused = true)]
async fn a_hanging_destination_does_not_delay_the_others() {
    let sink = one_hangs("d1", Duration::ZERO);
    let p = builder(&sink)
        .concurrency(1)
        .queue_capacity(10)
        .attempt_timeout(Duration::from_secs(3600))
        .build()
        .unwrap();
    let stuck = dest(1);
    let _stuck_receipts = publish_n(&p, &stuck, "s", 5).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let t0 = tokio::time::Instant::now();
    let all = outcomes(publish_n(&p, &dest(2), "ok", 150).await).await;
    assert!(all.iter().all(Outcome::is_accepted));
    assert!(
        tokio::time::Instant::now() - t0 <= Duration::from_millis(200),
        "no waiting on the stuck one"
    );
}

#[tokio::test(start_paused = true)]
async fn a_full_queue_applies_backpressure_and_try_publish_says_full() {
    // One batch of 2 in flight at most, 2 waiting in the queue, 2 more in the batcher.
    let sink_hang = Scripted::new(|_, _| Answer::Hang);
    let p = builder(&sink_hang)
        .concurrency(1)
        .queue_capacity(2)
        .max_batch_events(2)
        .build()
        .unwrap();
    let d = dest(1);
    let mut accepted = 0;
    let mut full = None;
    for i in 0..20 {
        match p.try_publish(&d, event(&format!("q{i}"))) {
            Ok(_) => accepted += 1,
            Err(TryPublishError::Full(e)) => {
                full = Some(e);
                break;
            }
            Err(e) => panic!("{e}"),
        }
        tokio::task::yield_now().await;
    }
    let full = full.expect("the queue fills up");
    assert!((2..20).contains(&accepted), "{accepted} accepted before Full");
    assert_eq!(
        full.id(),
        AuditEventId::derive(&format!("q{accepted}")),
        "the event comes back"
    );
    let blocked = tokio::time::timeout(Duration::from_secs(1), p.publish(&d, event("late"))).await;
    assert!(blocked.is_err(), "publish waits while the queue is full");
}

#[tokio::test(start_paused = true)]
async fn invalid_events_are_rejected_before_queueing_with_every_violation() {
    let sink = Scripted::new(|r, _| now(accept_all(r)));
    let p = builder(&sink).build().unwrap();
    let other = EventData::builder()
        .version("1.0")
        .user_identity(
            UserIdentity::builder()
                .r#type("T")
                .principal_id("p")
                .build()
                .unwrap(),
        )
        .event_source("s")
        .event_name("n")
        .event_time(EventTime::parse("2024-01-01T00:00:00Z").unwrap())
        .uid("u")
        .recipient_account_id("210987654321")
        .build()
        .unwrap();
    let outcome = p.publish(&dest(1), other).await.unwrap().await;
    let Outcome::Rejected {
        code,
        violations: Some(v),
        message,
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(code, VALIDATION_FAILED);
    assert_eq!(v.as_slice()[0].path(), "eventData.recipientAccountId");
    assert!(message.contains("210987654321"), "{message}");
    assert!(sink.calls().is_empty());
    let s = p.summary();
    assert_eq!((s.published, s.rejected, s.pending), (1, 1, 0));
}

#[tokio::test(start_paused = true)]
async fn flush_sends_without_waiting_for_the_linger_time() {
    let sink = Scripted::new(|r, _| Answer::After(Duration::from_millis(50), accept_all(r)));
    let p = builder(&sink).linger(Duration::from_secs(3600)).build().unwrap();
    let mut receipts = publish_n(&p, &dest(1), "a", 30).await;
    receipts.extend(publish_n(&p, &dest(2), "b", 7).await);
    let t0 = tokio::time::Instant::now();
    let s = p.flush().await;
    assert!(tokio::time::Instant::now() - t0 < Duration::from_secs(1));
    assert_eq!((s.published, s.accepted, s.pending), (37, 37, 0));
    for mut r in receipts {
        assert!(r.try_outcome().unwrap().is_accepted());
    }
}

#[tokio::test(start_paused = true)]
async fn shutdown_delivers_everything_queued_then_refuses_new_events() {
    let sink = Scripted::new(|r, _| Answer::After(Duration::from_millis(30), accept_all(r)));
    let p = builder(&sink).linger(Duration::from_secs(3600)).build().unwrap();
    let receipts = publish_n(&p, &dest(1), "a", 250).await;
    let s = p.shutdown(Duration::from_secs(10)).await;
    assert_eq!(
        (s.published, s.accepted, s.pending, s.abandoned_at_shutdown),
        (250, 250, 0, 0)
    );
    assert!(outcomes(receipts).await.iter().all(Outcome::is_accepted));
    assert!(matches!(
        p.publish(&dest(1), event("late")).await,
        Err(PublishError::Closed)
    ));
    assert!(matches!(
        p.try_publish(&dest(1), event("late")),
        Err(TryPublishError::Closed(_))
    ));
}

#[tokio::test(start_paused = true)]
async fn shutdown_abandons_what_the_timeout_leaves_and_reports_it() {
    let sink = Scripted::new(|_, _| Answer::Hang);
    let p = builder(&sink)
        .attempt_timeout(Duration::from_secs(3600))
        .build()
        .unwrap();
    let receipts = publish_n(&p, &dest(1), "a", 120).await;
    let s = p.shutdown(Duration::from_secs(2)).await;
    assert_eq!(
        (s.published, s.abandoned, s.abandoned_at_shutdown, s.pending),
        (120, 120, 120, 0)
    );
    for o in outcomes(receipts).await {
        assert_eq!(
            o,
            Outcome::Abandoned {
                reason: AbandonReason::ShutdownTimeout
            }
        );
    }
}

#[tokio::test(start_paused = true)]
async fn dropping_the_publisher_still_delivers_what_was_queued() {
    let sink = Scripted::new(|r, _| now(accept_all(r)));
    let p = builder(&sink).build().unwrap();
    let receipts = publish_n(&p, &dest(1), "a", 10).await;
    drop(p);
    assert!(outcomes(receipts).await.iter().all(Outcome::is_accepted));
}

#[tokio::test]
async fn every_event_gets_exactly_one_outcome_under_random_failures() {
    // Real time, multi-step: random per-entry and whole-request failures, several destinations.
    let sink = Scripted::new(|r, n| {
        let mut rng = fastrand::Rng::with_seed(n as u64);
        if rng.f64() < 0.2 {
            return now(Err(SinkError::service(None, Some(503), "")));
        }
        let mut resp = PutResponse::new();
        for e in r.events() {
            match rng.u8(0..10) {
                0 => resp.push_failed(e.id().as_str(), "Throttling", ""),
                1 => resp.push_failed(e.id().as_str(), "InvalidData", "bad"),
                _ => resp.push_accepted(e.id().as_str(), format!("E-{}", e.id())),
            }
        }
        now(Ok(resp))
    });
    let p = Publisher::builder()
        .sink(sink.clone())
        .linger(Duration::from_millis(5))
        .retry(
            RetrySettings::default()
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(4))
                .max_attempts(50),
        )
        .rate(Rate::new(100_000, Duration::from_secs(1)).with_burst(1000))
        .build()
        .unwrap();
    let mut receipts = Vec::new();
    for i in 0..2000 {
        receipts.push(p.publish(&dest(i % 4), event(&format!("r{i}"))).await.unwrap());
    }
    let all = outcomes(receipts).await;
    let s = p.shutdown(Duration::from_secs(30)).await;
    assert_eq!(s.published, 2000);
    assert_eq!(s.accepted + s.rejected + s.abandoned, 2000);
    assert_eq!(all.iter().filter(|o| o.is_accepted()).count() as u64, s.accepted);
    assert_eq!(s.abandoned, 0);
    // Each accepted event was accepted in exactly one call; rejected ones were never resent after rejection.
    let mut accepted_in_calls = std::collections::HashMap::<String, usize>::new();
    for (_, ids, _) in sink.calls() {
        for id in ids {
            *accepted_in_calls.entry(id).or_default() += 1;
        }
    }
    assert!(accepted_in_calls.len() == 2000);
}

#[test]
fn metrics_are_labelled_by_destination() {
    use metrics_util::debugging::{DebugValue, DebuggingRecorder};

    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        rt.block_on(async {
            let sink = Scripted::new(|r, n| {
                if n == 0 {
                    let mut resp = PutResponse::new();
                    for (i, e) in r.events().iter().enumerate() {
                        if i == 0 {
                            resp.push_failed(e.id().as_str(), "Throttling", "");
                        } else if i == 1 {
                            resp.push_failed(e.id().as_str(), "InvalidData", "bad");
                        } else {
                            resp.push_accepted(e.id().as_str(), "E");
                        }
                    }
                    now(Ok(resp))
                } else {
                    now(accept_all(r))
                }
            });
            let p = builder(&sink).build().unwrap();
            let all = outcomes(publish_n(&p, &dest(3), "m", 10).await).await;
            assert_eq!(all.iter().filter(|o| o.is_accepted()).count(), 9);
        });
    });
    let snapshot = snapshotter.snapshot().into_vec();
    let find = |name: &str, extra: Option<(&str, &str)>| {
        snapshot
            .iter()
            .find(|(k, _, _, _)| {
                let key = k.key();
                key.name() == name
                    && key
                        .labels()
                        .any(|l| l.key() == "destination" && l.value() == "d3")
                    && extra.is_none_or(|(ek, ev)| key.labels().any(|l| l.key() == ek && l.value() == ev))
            })
            .map(|(_, _, _, v)| v)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert_eq!(
        find(crate::metrics::EVENTS_PUBLISHED, None),
        &DebugValue::Counter(10)
    );
    assert_eq!(
        find(crate::metrics::EVENTS_ACCEPTED, None),
        &DebugValue::Counter(9)
    );
    assert_eq!(
        find(crate::metrics::EVENTS_REJECTED, Some(("code", "InvalidData"))),
        &DebugValue::Counter(1)
    );
    assert_eq!(
        find(crate::metrics::EVENTS_RETRIED, None),
        &DebugValue::Counter(1)
    );
    assert_eq!(find(crate::metrics::CALLS, None), &DebugValue::Counter(2));
    assert_eq!(find(crate::metrics::EVENTS_SENT, None), &DebugValue::Counter(11));
    let DebugValue::Histogram(sizes) = find(crate::metrics::BATCH_EVENTS, None) else {
        panic!()
    };
    assert_eq!(
        sizes.iter().map(|v| v.into_inner()).collect::<Vec<_>>(),
        [10.0, 1.0],
        "the throttled entry went out in a batch of its own (no other events were waiting)"
    );
    let DebugValue::Histogram(latency) = find(crate::metrics::ACK_LATENCY, None) else {
        panic!()
    };
    assert_eq!(latency.len(), 10);
}

#[tokio::test(start_paused = true)]
async fn resent_entries_join_the_next_batch_after_their_backoff() {
    let sink = Scripted::new(|r, n| {
        if n == 0 {
            let mut resp = PutResponse::new();
            for (i, e) in r.events().iter().enumerate() {
                if i < 10 {
                    resp.push_failed(e.id().as_str(), "Throttling", "slow down");
                } else {
                    resp.push_accepted(e.id().as_str(), "ok");
                }
            }
            now(Ok(resp))
        } else {
            now(accept_all(r))
        }
    });
    let p = builder(&sink).build().unwrap();
    let d = dest(1);
    let first = publish_n(&p, &d, "a", 100).await;
    let second = publish_n(&p, &d, "b", 50).await;
    let mut deliveries = Vec::new();
    for r in first.into_iter().chain(second) {
        deliveries.push(r.delivery().await);
    }
    assert_eq!(
        sink.sizes(),
        [100, 60],
        "the 10 throttled entries went out with the 50 newer events, not on their own"
    );
    let calls = sink.calls();
    assert!(
        calls[0].1[..10].iter().all(|id| calls[1].1.contains(id)),
        "every throttled entry is in the second batch"
    );
    assert!(
        calls[1].2 - calls[0].2 >= Duration::from_millis(5),
        "not resent before the backoff (at least half the first 10 ms step)"
    );
    assert!(
        calls[1].2 - calls[0].2 < Duration::from_millis(200),
        "resent entries do not wait for the linger time"
    );
    assert!(deliveries.iter().all(|d| d.outcome.is_accepted()));
    let resends: Vec<u32> = deliveries.iter().map(|d| d.resends).collect();
    assert_eq!(resends[..10], [1; 10]);
    assert!(resends[10..].iter().all(|&n| n == 0));
    assert!(deliveries.iter().all(|d| !d.decided_for_request));
    let c = p.destination_status(&d).unwrap().counts;
    assert_eq!((c.retried, c.calls), (10, 2));
}

#[tokio::test(start_paused = true)]
async fn a_delivery_says_whether_the_whole_request_decided_it() {
    let sink = Scripted::new(|r, n| match n {
        0 => now(Err(SinkError::service(
            Some("UnrecognizedClientException".into()),
            Some(403),
            "bad token",
        ))),
        _ => {
            let mut resp = PutResponse::new();
            for e in r.events() {
                resp.push_failed(e.id().as_str(), "InvalidData", "no");
            }
            now(Ok(resp))
        }
    });
    let p = builder(&sink).build().unwrap();
    let d = dest(1);
    let a = p.publish(&d, event("a")).await.unwrap().delivery().await;
    assert_eq!(a.outcome.rejection_code(), Some("UnrecognizedClientException"));
    assert!(a.decided_for_request);
    let b = p.publish(&d, event("b")).await.unwrap().delivery().await;
    assert_eq!(b.outcome.rejection_code(), Some("InvalidData"));
    assert!(!b.decided_for_request);
    assert_eq!((a.resends, b.resends), (0, 0));
}

#[tokio::test(start_paused = true)]
async fn stop_cancels_what_is_not_sent_and_lets_calls_in_flight_finish() {
    let sink = Scripted::new(|r, _| Answer::After(Duration::from_millis(100), accept_all(r)));
    let p = builder(&sink).linger(Duration::from_secs(3600)).build().unwrap();
    let d = dest(1);
    let sent = publish_n(&p, &d, "s", 100).await;
    let held = publish_n(&p, &d, "h", 30).await;
    tokio::time::sleep(Duration::from_millis(1)).await;
    let s = p.stop(Duration::from_secs(5)).await;
    assert_eq!(
        (
            s.published,
            s.accepted,
            s.abandoned,
            s.pending,
            s.abandoned_at_shutdown
        ),
        (130, 100, 30, 0, 0)
    );
    assert!(outcomes(sent).await.iter().all(Outcome::is_accepted));
    for o in outcomes(held).await {
        assert_eq!(
            o,
            Outcome::Abandoned {
                reason: AbandonReason::Cancelled
            }
        );
    }
    assert_eq!(sink.sizes(), [100], "nothing is sent after stop");
    assert!(matches!(
        p.publish(&d, event("late")).await,
        Err(PublishError::Closed)
    ));
}

#[tokio::test(start_paused = true)]
async fn stop_abandons_calls_that_outlast_the_grace_time() {
    let sink = Scripted::new(|_, _| Answer::Hang);
    let p = builder(&sink)
        .attempt_timeout(Duration::from_secs(3600))
        .build()
        .unwrap();
    let receipts = publish_n(&p, &dest(1), "a", 100).await;
    tokio::time::sleep(Duration::from_millis(1)).await;
    let s = p.stop(Duration::from_secs(2)).await;
    assert_eq!((s.abandoned, s.abandoned_at_shutdown, s.pending), (100, 100, 0));
    assert!(outcomes(receipts).await.iter().all(|o| matches!(
        o,
        Outcome::Abandoned {
            reason: AbandonReason::ShutdownTimeout
        }
    )));
}

#[test]
fn entries_are_queued_compressed_only_above_the_queue_depth() {
    let shared = DestinationShared::new(
        dest(0),
        Breaker::new(Duration::from_secs(1), Duration::from_secs(1)),
        Arc::new(PublisherShared::new(100)),
    );
    let entry = AuditEvent::new(AuditEventId::derive("a"), &event("a"));
    shared.queued.store(9, Ordering::Relaxed);
    assert!(
        !shared.queued_form(entry.clone(), 10).is_packed(),
        "below the depth"
    );
    shared.queued.store(10, Ordering::Relaxed);
    let packed = shared.queued_form(entry.clone(), 10);
    assert!(packed.is_packed(), "at the depth");
    assert_eq!(packed.unpack().unwrap(), entry);
    let other = AuditEvent::new(AuditEventId::derive("b"), &event("b"));
    let packed = shared.queued_form(other.clone(), 10);
    assert!(packed.is_packed(), "against the destination's dictionary");
    assert_eq!(packed.unpack().unwrap(), other);
    assert!(!shared.queued_form(entry, usize::MAX).is_packed(), "never");
}

#[tokio::test(start_paused = true)]
async fn compressed_entries_are_sent_unchanged_in_order_and_every_one_is_accepted() {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let seen = sent.clone();
    let sink = Scripted::new(move |r, _| {
        seen.lock().unwrap().extend(r.events().iter().cloned());
        now(accept_all(r))
    });
    // Depth 0: every entry is queued compressed.
    let p = builder(&sink).compress_queued_above(0).build().unwrap();
    let d = dest(0);
    let receipts = publish_n(&p, &d, "z", 250).await;
    let out = outcomes(receipts).await;
    assert!(out.iter().all(Outcome::is_accepted), "{out:?}");
    let expected: Vec<AuditEvent> = (0..250)
        .map(|i| {
            let uid = format!("z-{i}");
            AuditEvent::new(AuditEventId::derive(&uid), &event(&uid))
        })
        .collect();
    assert_eq!(
        *sent.lock().unwrap(),
        expected,
        "same text, ids and checksums, in order"
    );
    assert_eq!(sink.sizes(), [100, 100, 50]);
}

#[tokio::test(start_paused = true)]
async fn room_held_back_for_a_group_still_reaches_a_waiting_tenant_when_another_hangs() {
    // d0 never answers and holds 995 of the 1 000 slots; d1 answers. While the publisher is full, freed
    // slots go back in groups of 10 (1 % of 1 000): d1's 5 accepted events make no group, so only the hold
    // time hands their slots to d1's waiting `publish` — a hanging tenant must not stall the others.
    let sink = one_hangs("d0", Duration::from_millis(1));
    let p = builder(&sink)
        .max_queued(1_000)
        .linger(Duration::from_millis(10))
        .build()
        .unwrap();
    let (hanging, healthy) = (dest(0), dest(1));
    let stuck = publish_n(&p, &hanging, "h", 995).await;
    let started = tokio::time::Instant::now();
    let receipts = tokio::time::timeout(Duration::from_secs(10), publish_n(&p, &healthy, "ok", 25))
        .await
        .expect("the healthy tenant gets room while the other hangs");
    let out = tokio::time::timeout(Duration::from_secs(10), outcomes(receipts))
        .await
        .expect("and delivers");
    assert!(out.iter().all(Outcome::is_accepted), "{out:?}");
    // 25 events through 5 free slots: at least four waits for room, each the hold time (plus the 10 ms
    // linger time of the batch that frees it and its 1 ms call).
    let took = started.elapsed();
    assert!(took >= room::MAX_HOLD * 4, "{took:?}: slots were held back");
    assert!(
        took <= (room::MAX_HOLD + Duration::from_millis(20)) * 5,
        "{took:?}"
    );
    assert_eq!(
        p.summary().pending,
        995,
        "d0's events still wait: {:?}",
        p.summary()
    );
    drop(stuck);
}

#[tokio::test(start_paused = true)]
async fn a_full_publisher_under_load_delivers_every_event_with_grouped_room() {
    let sink = Scripted::new(|r, _| Answer::After(Duration::from_millis(5), accept_all(r)));
    let p = builder(&sink).max_queued(1_000).build().unwrap();
    let tasks: Vec<_> = (0..3)
        .map(|t| {
            let p = p.clone();
            tokio::spawn(async move { publish_n(&p, &dest(t), &format!("t{t}"), 2_000).await })
        })
        .collect();
    let mut receipts = Vec::new();
    for t in tasks {
        receipts.extend(t.await.unwrap());
    }
    let out = outcomes(receipts).await;
    assert_eq!(out.len(), 6_000);
    assert!(out.iter().all(Outcome::is_accepted));
    let s = p.summary();
    assert_eq!((s.accepted, s.pending), (6_000, 0), "{s:?}");
}
