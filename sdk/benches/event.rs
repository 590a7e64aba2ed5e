//! Cost of turning an application's data into one `PutAuditEvents` entry, against the floor of serializing
//! and hashing the same event with `serde_json` alone.
//!
//! Run: `cargo bench -p ctlake --bench event`. Figures are recorded in `BENCHMARKS.md` at the workspace root.
//!
//! - `full`: builder (every field set from owned values) → `build()` (all non-size rules) →
//!   `AuditEvent::validated` (size caps measured while serializing once, SHA-256, base64). The owned input values
//!   are cloned in untimed setup, as the application would have produced them anyway.
//! - `serde_json+sha256`: `serde_json::to_string(&event)` + SHA-256 of the bytes, nothing else.
//! - `build`, `serde_json`, `sha256`, `to_json`, `validate`: the parts, for diagnosis.
//!
//! Every benchmark runs twice: `…_wall` measures elapsed time as usual; `…_cpu` measures only this thread's
//! CPU time, which stays meaningful when other jobs share the machine's cores (it still includes their
//! effect on caches). Both use the same loop: inputs made in untimed setup, chunks of 32 timed calls (inputs still warm in cache, as when an application builds an event from data it just produced),
//! outputs dropped untimed.

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ctlake::{AuditEvent, AuditEventId, EventData, EventTime, UserIdentity};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// The owned values an application hands to the builder.
#[derive(Clone)]
struct Input {
    version: String,
    kind: String,
    principal: String,
    details: Map<String, Value>,
    user_agent: String,
    source: String,
    name: String,
    time: EventTime,
    uid: String,
    request: Map<String, Value>,
    response: Map<String, Value>,
    ip: String,
    account: String,
    additional: Map<String, Value>,
}

fn object(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn input() -> Input {
    Input {
        version: "1.0".into(),
        kind: "CustomUserIdentity".into(),
        principal: "user/5f2b1c7e-9a4d-4c1e-8f3a-2b6d7e9c0a11".into(),
        details: object(json!({"email": "alice@example.com", "tenant": "acme-corp", "role": "admin"})),
        user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
            .into(),
        source: "orders.example.com".into(),
        name: "UpdateOrder".into(),
        time: EventTime::parse("2024-05-06T07:08:09Z").unwrap(),
        uid: "c0a8f3e2-1b4d-4e5f-9a6b-7c8d9e0f1a2b".into(),
        request: object(json!({
            "orderId": "ord-2024-000123456",
            "customerId": "cus-98765",
            "items": [
                {"sku": "SKU-1001", "quantity": 2, "unitPrice": 19.99},
                {"sku": "SKU-2002", "quantity": 1, "unitPrice": 149.5}
            ],
            "shippingAddress": {"city": "Berlin", "country": "DE", "postalCode": "10115"},
            "coupon": null,
            "notes": "Leave at the door, ring twice \"please\"."
        })),
        response: object(json!({"status": "updated", "version": 7, "updatedAt": "2024-05-06T07:08:09Z"})),
        ip: "203.0.113.42".into(),
        account: "123456789012".into(),
        additional: object(json!({
            "requestId": "req-7f3e9a2b",
            "region": "eu-central-1",
            "latencyMs": 42,
            "feature": "bulk-edit"
        })),
    }
}

fn build(i: Input) -> EventData {
    EventData::builder()
        .version(i.version)
        .user_identity(
            UserIdentity::builder()
                .r#type(i.kind)
                .principal_id(i.principal)
                .details(i.details)
                .build()
                .unwrap(),
        )
        .user_agent(i.user_agent)
        .event_source(i.source)
        .event_name(i.name)
        .event_time(i.time)
        .uid(i.uid)
        .request_parameters(i.request)
        .response_elements(i.response)
        .source_ip_address(i.ip)
        .recipient_account_id(i.account)
        .additional_event_data(i.additional)
        .build()
        .unwrap()
}

/// How a batch of iterations is timed.
#[derive(Clone, Copy)]
enum Clock {
    /// Elapsed wall-clock time (criterion's usual measure).
    Wall,
    /// CPU time of this thread only (`CLOCK_THREAD_CPUTIME_ID`): on a machine shared with other jobs it leaves
    /// out the time the benchmark waits for a core, which wall-clock time counts.
    #[cfg(unix)]
    ThreadCpu,
}

impl Clock {
    fn now(self) -> Duration {
        match self {
            Self::Wall => START.with(|start| start.elapsed()),
            #[cfg(unix)]
            Self::ThreadCpu => {
                let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
                Duration::new(
                    u64::try_from(t.tv_sec).unwrap(),
                    u32::try_from(t.tv_nsec).unwrap(),
                )
            }
        }
    }
}

thread_local! {
    static START: Instant = Instant::now();
}

/// Runs `routine` `iters` times on inputs made by the untimed `setup`, in chunks, timing only the routine
/// calls; outputs are dropped untimed.
fn timed<I, O>(
    clock: Clock,
    iters: u64,
    mut setup: impl FnMut() -> I,
    mut routine: impl FnMut(I) -> O,
) -> Duration {
    const CHUNK: u64 = 32;
    let mut total = Duration::ZERO;
    let mut left = iters;
    let mut outputs = Vec::with_capacity(CHUNK as usize);
    while left > 0 {
        let n = left.min(CHUNK);
        let inputs: Vec<I> = (0..n).map(|_| setup()).collect();
        let start = clock.now();
        for input in inputs {
            outputs.push(routine(input));
        }
        total += clock.now() - start;
        outputs.clear();
        left -= n;
    }
    total
}

fn bench(c: &mut Criterion) {
    let template = input();
    let event = build(template.clone());
    let id = AuditEventId::derive(event.uid());
    let size = event.to_json().len();

    let mut clocks = vec![("wall", Clock::Wall)];
    #[cfg(unix)]
    clocks.push(("cpu", Clock::ThreadCpu));
    for (name, clock) in clocks {
        let mut group = c.benchmark_group(format!("event_{size}B_{name}"));
        group.throughput(Throughput::Elements(1));
        group.bench_function("full", |b| {
            b.iter_custom(|iters| {
                timed(
                    clock,
                    iters,
                    || (template.clone(), id.clone()),
                    |(input, id)| {
                        let event = build(input);
                        let entry = AuditEvent::validated(id, &event).unwrap();
                        // Returned, so that freeing the application's values happens outside the timing, as
                        // for the baseline (whose event is built once, outside the loop).
                        (event, entry)
                    },
                )
            })
        });
        group.bench_function("serde_json+sha256", |b| {
            b.iter_custom(|iters| {
                timed(
                    clock,
                    iters,
                    || (),
                    |()| {
                        let json = serde_json::to_string(black_box(&event)).unwrap();
                        Sha256::digest(json.as_bytes())
                    },
                )
            })
        });
        group.bench_function("build", |b| {
            b.iter_custom(|iters| timed(clock, iters, || template.clone(), build))
        });
        group.bench_function("serde_json", |b| {
            b.iter_custom(|iters| {
                timed(
                    clock,
                    iters,
                    || (),
                    |()| serde_json::to_string(black_box(&event)).unwrap(),
                )
            })
        });
        let json = event.to_json();
        group.bench_function("sha256", |b| {
            b.iter_custom(|iters| {
                timed(
                    clock,
                    iters,
                    || (),
                    |()| Sha256::digest(black_box(json.as_bytes())),
                )
            })
        });
        group.bench_function("to_json", |b| {
            b.iter_custom(|iters| timed(clock, iters, || (), |()| black_box(&event).to_json()))
        });
        group.bench_function("validate", |b| {
            b.iter_custom(|iters| timed(clock, iters, || (), |()| black_box(&event).validate()))
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
