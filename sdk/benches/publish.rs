//! CPU cost of the publisher without network: `publish` (validate, serialize, checksum) → queue → batch →
//! tower stack → a sink that writes the request body exactly as `LakeSink` sends it and discards it.
//!
//! Run: `cargo bench -p ctlake --bench publish`. One single-threaded Tokio runtime, so all the work runs on
//! the bench thread: the `…_cpu` variants time that thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), which is
//! events per second **per core** even on a busy machine; the plain variants time elapsed time. Figures are
//! recorded in `BENCHMARKS.md` at the workspace root.
//!
//! - `typed`: `EventData` values (about 1 KB serialized) published one by one, then `flush`.
//! - `entries`: the same events as ready `AuditEvent` entries (serialization and checksum done before),
//!   isolating the queue → batch → stack → sink path.
//! - `body_cpu`: the request bodies alone (`PutRequest::body`, 100 entries per body), i.e. escaping every
//!   event's text into the JSON string the wire format sends it as.

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ctlake::rate::Rate;
use ctlake::sink::{PutRequest, PutResponse, SinkError};
use ctlake::{AuditEvent, AuditEventId, Destination, EventData, EventTime, Publisher, Sink, UserIdentity};
use futures::future::BoxFuture;
use serde_json::json;

const N: usize = 10_000;

/// Writes each request body (`{"auditEvents":[…]}`, the bytes the AWS SDK sends: `PutRequest::body`, as
/// `LakeSink` does) and accepts every entry.
#[derive(Debug)]
struct Discard;

impl Sink for Discard {
    fn put(&self, request: PutRequest) -> BoxFuture<'static, Result<PutResponse, SinkError>> {
        black_box(request.body());
        let mut response = PutResponse::new();
        for e in request.events() {
            response.push_accepted(e.id().as_str(), e.id().as_str());
        }
        Box::pin(async move { Ok(response) })
    }
}

fn event(i: usize) -> EventData {
    EventData::builder()
        .version("1.0")
        .user_identity(
            UserIdentity::builder()
                .r#type("CustomUserIdentity")
                .principal_id(format!("user/{i:08}-9a4d-4c1e-8f3a-2b6d7e9c0a11"))
                .build()
                .unwrap(),
        )
        .user_agent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0")
        .event_source("orders.example.com")
        .event_name("UpdateOrder")
        .event_time(EventTime::parse("2024-05-06T07:08:09Z").unwrap())
        .uid(format!("uid-{i}"))
        .source_ip_address("192.0.2.10")
        .recipient_account_id("123456789012")
        .request_parameters(json!({
            "orderId": format!("ord-2024-{i:09}"), "customerId": "cus-98765",
            "items": [{"sku": "SKU-1001", "quantity": 2, "unitPrice": 19.99},
                      {"sku": "SKU-2002", "quantity": 1, "unitPrice": 149.0}],
            "shipping": {"method": "express", "address": {"city": "Berlin", "zip": "10115", "country": "DE"}},
            "note": "Leave at the front desk, ring twice. Fragile items inside, handle with care please."
        }).as_object().unwrap().clone())
        .response_elements(json!({"status": "UPDATED", "version": 7, "etag": "\"9f8e7d6c5b4a\""}).as_object().unwrap().clone())
        .additional_event_data(json!({"tenant": "acme-corp", "requestId": "req-7d1c2b3a", "region": "eu-central-1"}).as_object().unwrap().clone())
        .build()
        .unwrap()
}

/// This thread's CPU time.
#[cfg(unix)]
fn thread_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap(),
        u32::try_from(t.tv_nsec).unwrap(),
    )
}

/// Elapsed time where thread CPU time is not available.
#[cfg(not(unix))]
fn thread_cpu() -> Duration {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

fn publisher(rt: &tokio::runtime::Runtime) -> (Publisher, Destination) {
    let _guard = rt.enter();
    let publisher = Publisher::builder()
        .sink(Discard)
        .linger(Duration::from_millis(1))
        .rate(Rate::new(1_000_000, Duration::from_secs(1)).with_burst(10_000))
        .queue_capacity(N)
        .build()
        .unwrap();
    (publisher, destination())
}

/// The one destination every variant publishes to.
fn destination() -> Destination {
    Destination::new(
        "arn:aws:cloudtrail:us-east-1:123456789012:channel/bench"
            .parse()
            .unwrap(),
    )
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let events: Vec<EventData> = (0..N).map(event).collect();
    let entries: Vec<AuditEvent> = events
        .iter()
        .map(|e| AuditEvent::validated(AuditEventId::derive(e.uid()), e).unwrap())
        .collect();
    eprintln!("event size: {} bytes serialized", entries[0].event_data().len());
    let mut group = c.benchmark_group("publish");
    group.throughput(Throughput::Elements(N as u64));
    group.sample_size(10);
    for (name, cpu) in [
        ("typed", false),
        ("typed_cpu", true),
        ("entries", false),
        ("entries_cpu", true),
    ] {
        let typed = name.starts_with("typed");
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let (p, dest) = publisher(&rt);
                    let typed_input = if typed { events.clone() } else { Vec::new() };
                    let entry_input = if typed { Vec::new() } else { entries.clone() };
                    // Thread CPU time is read only by the `…_cpu` variants, so the others run under valgrind
                    // (whose emulation of the vDSO clock rustix cannot initialise).
                    let cpu_start = if cpu { thread_cpu() } else { Duration::ZERO };
                    let start = Instant::now();
                    rt.block_on(async {
                        for e in typed_input {
                            drop(p.publish(&dest, e).await.unwrap());
                        }
                        for e in entry_input {
                            drop(p.publish(&dest, e).await.unwrap());
                        }
                        let s = p.flush().await;
                        assert_eq!(s.accepted, N as u64);
                    });
                    total += if cpu {
                        thread_cpu() - cpu_start
                    } else {
                        start.elapsed()
                    };
                }
                total
            });
        });
    }
    // The request bodies alone (`PutRequest::body`, 100 entries each): what `LakeSink` writes per call, every
    // text escaped into a JSON string. Thread CPU time, for the same N events.
    let dest = destination();
    let requests: Vec<PutRequest> = entries
        .chunks(100)
        .map(|chunk| PutRequest::new(dest.clone(), chunk.to_vec()))
        .collect();
    group.bench_function("body_cpu", |b| {
        b.iter_custom(|iters| {
            let start = thread_cpu();
            for _ in 0..iters {
                for r in &requests {
                    black_box(r.body());
                }
            }
            thread_cpu() - start
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
