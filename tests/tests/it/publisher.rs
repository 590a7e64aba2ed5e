//! The publisher against the local Lake over HTTP, with the real AWS SDK client and fault injection:
//! everything accepted exactly once under 5xx/throttling/per-entry faults, a deleted channel pausing only
//! its destination, and shutdown delivering everything queued.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use ctlake::rate::Rate;
use ctlake::retry::RetrySettings;
use ctlake::{Destination, EventData, EventTime, Health, LakeSink, Outcome, Publisher, UserIdentity};
use ctlake_e2e::lake::{Lake, OWNER, id_of};

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
        .source_ip_address("192.0.2.10")
        .recipient_account_id(OWNER)
        .request_parameter("tenant", uid.split('-').next().unwrap_or_default())
        .build()
        .unwrap()
}

fn publisher(lake: &Lake) -> Publisher {
    Publisher::builder()
        .sink(LakeSink::new(&lake.sdk_config("test")))
        .linger(Duration::from_millis(20))
        .concurrency(4)
        .attempt_timeout(Duration::from_secs(20))
        .rate(Rate::new(10_000, Duration::from_secs(1)).with_burst(1_000))
        .retry(
            RetrySettings::default()
                .initial_backoff(Duration::from_millis(5))
                .max_backoff(Duration::from_millis(50))
                .max_attempts(30),
        )
        .probe_delay(Duration::from_millis(300), Duration::from_secs(2))
        .build()
        .unwrap()
}

async fn channels(lake: &Lake, store: &str, n: usize) -> Vec<Destination> {
    let mut out = Vec::new();
    for i in 0..n {
        let arn = lake.create_channel(&format!("tenant-{i}"), store).await;
        out.push(
            Destination::builder()
                .name(format!("t{i}"))
                .channel_arn(arn.parse().unwrap())
                .build()
                .unwrap(),
        );
    }
    out
}

/// `eventData.UID` → how many times it is stored.
async fn stored(lake: &Lake, store: &str) -> HashMap<String, u64> {
    let rows = lake
        .query(&format!(
            "SELECT eventData.UID, count(*) AS n FROM {} GROUP BY eventData.UID",
            id_of(store)
        ))
        .await;
    rows.into_iter()
        .map(|row| {
            let uid = row[0].1.clone();
            (uid, row[1].1.parse().unwrap())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_is_accepted_once_under_faults() {
    let lake = Lake::start(serde_json::json!({
        "seed": 11, "scope": "data_plane",
        "error_503": 0.1, "throttle": 0.1, "entry_throttling": 0.2,
        "latency_min_ms": 0, "latency_max_ms": 15
    }))
    .await;
    let store = lake.create_store("audit").await;
    let dests = channels(&lake, &store, 10).await;
    let publisher = publisher(&lake);
    let started = Instant::now();
    let per_dest = 10_000;
    let mut tasks = Vec::new();
    for (d, dest) in dests.iter().enumerate() {
        let (p, dest) = (publisher.clone(), dest.clone());
        tasks.push(tokio::spawn(async move {
            let mut receipts = Vec::with_capacity(per_dest);
            for i in 0..per_dest {
                receipts.push(p.publish(&dest, event(&format!("t{d}-{i}"))).await.unwrap());
            }
            futures::future::join_all(receipts).await
        }));
    }
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    let not_accepted: Vec<_> = outcomes.iter().filter(|o| !o.is_accepted()).take(5).collect();
    assert!(not_accepted.is_empty(), "not accepted: {not_accepted:?}");
    assert_eq!(outcomes.len(), 100_000);
    let status = publisher.status();
    let (calls, retried, ambiguous): (u64, u64, u64) = status.iter().fold((0, 0, 0), |a, s| {
        (
            a.0 + s.counts.calls,
            a.1 + s.counts.retried,
            a.2 + s.counts.ambiguous_retries,
        )
    });
    eprintln!(
        "100000 events to 10 destinations in {elapsed:?}: {calls} calls, {retried} entries resent, {ambiguous} after ambiguous failures"
    );
    assert!(retried > 0, "the faults were injected");
    let counts = stored(&lake, &store).await;
    let duplicates: u64 = counts.values().map(|n| n - 1).sum();
    assert_eq!(counts.len(), 100_000, "every event is stored");
    if ambiguous == 0 {
        assert_eq!(
            duplicates, 0,
            "no ambiguous retry, so no event may be stored twice"
        );
    } else {
        eprintln!("{duplicates} duplicates after {ambiguous} ambiguous resends");
        assert!(duplicates <= ambiguous);
    }
    let summary = publisher.shutdown(Duration::from_secs(10)).await;
    assert_eq!((summary.accepted, summary.pending), (100_000, 0));
    lake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_channel_pauses_its_destination_only() {
    let lake = Lake::start(serde_json::json!({})).await;
    let store = lake.create_store("audit").await;
    let dests = channels(&lake, &store, 3).await;
    let publisher = publisher(&lake);
    let deleted = dests[0].clone();
    let mut before = Vec::new();
    for round in 0..3 {
        for (d, dest) in dests.iter().enumerate() {
            before.push(
                publisher
                    .publish(dest, event(&format!("t{d}-a{round}")))
                    .await
                    .unwrap(),
            );
        }
    }
    assert!(
        futures::future::join_all(before)
            .await
            .iter()
            .all(Outcome::is_accepted)
    );

    lake.delete_channel(deleted.channel_arn().as_str()).await;
    let mut outcomes: Vec<(usize, Duration, Outcome)> = Vec::new();
    let mut pending = Vec::new();
    for round in 0..40 {
        for (d, dest) in dests.iter().enumerate() {
            let t = Instant::now();
            let r = publisher
                .publish(dest, event(&format!("t{d}-b{round}")))
                .await
                .unwrap();
            pending.push((d, t, r));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for (d, t, r) in pending {
        let o = r.await;
        outcomes.push((d, t.elapsed(), o));
    }
    for (d, _, o) in &outcomes {
        if *d == 0 {
            assert_eq!(o.rejection_code(), Some("ChannelNotFound"), "{o:?}");
        } else {
            assert!(o.is_accepted(), "destination {d}: {o:?}");
        }
    }
    let status = publisher.destination_status(&deleted).unwrap();
    assert!(
        matches!(&status.health, Health::Paused { code, .. } | Health::Probing { code, .. } if code == "ChannelNotFound"),
        "{:?}",
        status.health
    );
    // 40 events were rejected with far fewer calls: the paused destination is only probed.
    assert!(
        status.counts.calls < 15,
        "{} calls to a deleted channel",
        status.counts.calls
    );
    let mut others: Vec<Duration> = outcomes.iter().filter(|o| o.0 != 0).map(|o| o.1).collect();
    others.sort();
    eprintln!(
        "other destinations after the deletion: p50 {:?}, max {:?}",
        others[others.len() / 2],
        others.last().unwrap()
    );
    let counts = stored(&lake, &store).await;
    assert_eq!(counts.len(), 3 * 3 + 2 * 40);
    publisher.shutdown(Duration::from_secs(5)).await;
    lake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_delivers_everything_queued() {
    let lake = Lake::start(serde_json::json!({"latency_min_ms": 5, "latency_max_ms": 10})).await;
    let store = lake.create_store("audit").await;
    let dests = channels(&lake, &store, 2).await;
    let publisher = Publisher::builder()
        .sink(LakeSink::new(&lake.sdk_config("test")))
        .linger(Duration::from_secs(3600))
        .build()
        .unwrap();
    let mut receipts = Vec::new();
    for i in 0..3_000 {
        let d = i % 2;
        receipts.push(
            publisher
                .publish(&dests[d], event(&format!("t{d}-{i}")))
                .await
                .unwrap(),
        );
    }
    let summary = publisher.shutdown(Duration::from_secs(60)).await;
    assert_eq!(
        (
            summary.published,
            summary.accepted,
            summary.pending,
            summary.abandoned
        ),
        (3_000, 3_000, 0, 0)
    );
    assert!(
        futures::future::join_all(receipts)
            .await
            .iter()
            .all(Outcome::is_accepted)
    );
    assert_eq!(stored(&lake, &store).await.len(), 3_000);
    lake.shutdown().await;
}
