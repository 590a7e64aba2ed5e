//! End-to-end load of the publisher against the local Lake, run as a **separate process** (this binary
//! re-executes itself with `--serve-lake`), so the CPU time measured here is the publisher's alone.
//!
//! Run: `cargo bench -p ctlake-e2e --bench publisher_load [-- SCENARIO...]` (release build; no scenario
//! names: all of them, in one process). Name `queued` alone for the memory figure of a fresh process, not one
//! that already carried the earlier floods. Figures go to `BENCHMARKS.md`.
//!
//! Scenarios, each on a fresh Lake with 10 channels (10 tenants) and ~1 KB events:
//! 1. `throughput`: 100 000 events through the publisher (quota emulation off, publisher rate limit raised
//!    to 1000 calls/s): events/s, events and bytes per call, p50/p99 publish-to-ack latency (of every
//!    10th event; all of them must end accepted).
//! 2. `one-per-call`: the same kind of events sent one `PutAuditEvents` per event with the plain SDK client
//!    (default SDK settings, sequential — what the public samples do): events/s.
//! 3. `quota`: the Lake's quota emulation on (100 calls/s per account) and the publisher's defaults
//!    (100 calls/s): sustained events/s over 17 s after a warm-up, and CPU use split by thread. The
//!    application is 10 producer threads that build chunks of 100 `EventData` values and call `publish`
//!    on the same thread, as a request handler does; the publisher's CPU is the time spent inside those
//!    `publish` calls (the thread's own CPU clock, read around each chunk) plus the runtime's threads
//!    (queue, batches, request bodies, signing, HTTP). `CTLAKE_BENCH_HANDOFF=1` hands the chunks to tasks
//!    on the runtime instead, which call `publish` there (each event then crosses cores before it is
//!    read). The flood keeps every queue deep, so queued entries are compressed; `CTLAKE_BENCH_COMPRESS_ABOVE=<depth>`
//!    sets the depth (`18446744073709551615`, i.e. `usize::MAX`: never) to measure that cost.
//!    `paced`: the same, but the application offers exactly the 10 000 events/s the quota allows (each tenant
//!    100 events every 100 ms) instead of a flood, so queues stay shallow: the steady state at the ceiling.
//! 4. `queued`: 100 000 events queued while the Lake does not answer (every call delayed 10 min): resident
//!    memory with everything queued. Peak RSS of the whole run is printed at the end.
//!
//! The allocator is the application's choice: by default this bench uses the system's (glibc), with
//! `--features mimalloc` it uses mimalloc (the publisher frees on its own threads what the application's
//! threads allocated, which glibc's per-thread arenas handle poorly). Both figures go to `BENCHMARKS.md`.

#![allow(missing_docs, clippy::unwrap_used, clippy::print_stdout)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use aws_sdk_cloudtraildata::config::Region;
use ctlake::rate::Rate;
use ctlake::retry::RetrySettings;
use ctlake::{
    AuditEvent, AuditEventId, Destination, EventData, EventTime, LakeSink, Outcome, Publisher, UserIdentity,
};
use ctlake_e2e::lake::{OWNER, sdk_config};
use serde_json::json;

/// The application's allocator, with `--features mimalloc`.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The allocator this build uses, printed with the figures.
const ALLOCATOR: &str = if cfg!(feature = "mimalloc") {
    "mimalloc"
} else {
    "system (glibc)"
};

const TENANTS: usize = 10;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--serve-lake") {
        serve_lake();
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let only: Vec<String> = args
        .iter()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .cloned()
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(RUNTIME_THREAD)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run(&only));
}

/// The name of the publisher's runtime threads (workers and blocking pool), for the CPU split.
const RUNTIME_THREAD: &str = "publisher-rt";
/// The name of the threads that build the events in the `quota` scenario (the application's share).
const PRODUCER_THREAD: &str = "producer";

/// Child mode: a local Lake on a loopback port; prints `ENDPOINT <url>`, runs until stdin closes.
fn serve_lake() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let lake = ctlake_local::LocalLake::start(ctlake_local::Config::in_memory())
            .await
            .unwrap();
        println!("ENDPOINT {}", lake.endpoint_url());
        std::io::stdout().flush().unwrap();
        tokio::task::spawn_blocking(|| {
            let mut line = String::new();
            while std::io::stdin()
                .read_line(&mut line)
                .map(|n| n > 0)
                .unwrap_or(false)
            {
                line.clear();
            }
        })
        .await
        .unwrap();
        lake.shutdown().await.unwrap();
    });
}

struct LakeProcess {
    child: Child,
    lake: ctlake_e2e::lake::Remote,
}

impl LakeProcess {
    fn start() -> Self {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .arg("--serve-lake")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let endpoint = line.trim().strip_prefix("ENDPOINT ").unwrap().to_owned();
        Self {
            child,
            lake: ctlake_e2e::lake::Remote::new(&endpoint),
        }
    }
}

impl Drop for LakeProcess {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

fn event(tenant: usize, i: usize) -> EventData {
    EventData::builder()
        .version("1.0")
        .user_identity(
            UserIdentity::builder()
                .r#type("TenantUser")
                .principal_id(format!("user/{i:08}-9a4d-4c1e-8f3a-2b6d7e9c0a11"))
                .build()
                .unwrap(),
        )
        .user_agent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0")
        .event_source("orders.example.com")
        .event_name("UpdateOrder")
        .event_time(EventTime::parse("2024-05-06T07:08:09Z").unwrap())
        .uid(format!("t{tenant}-{i}"))
        .source_ip_address("192.0.2.10")
        .recipient_account_id(OWNER)
        .request_parameters(
            json!({
                "orderId": format!("ord-2024-{i:09}"), "customerId": "cus-98765", "tenant": tenant,
                "items": [{"sku": "SKU-1001", "quantity": 2, "unitPrice": 19.99},
                          {"sku": "SKU-2002", "quantity": 1, "unitPrice": 149.0}],
                "shipping": {"method": "express", "address": {"city": "Berlin", "zip": "10115", "country": "DE"}},
                "note": "Leave at the front desk, ring twice. Fragile items inside, handle with care please."
            })
            .as_object()
            .unwrap()
            .clone(),
        )
        .response_elements(json!({"status": "UPDATED", "version": 7}).as_object().unwrap().clone())
        .additional_event_data(json!({"requestId": "req-7d1c2b3a", "region": "eu-central-1"}).as_object().unwrap().clone())
        .build()
        .unwrap()
}

async fn destinations(lake: &ctlake_e2e::lake::Remote) -> Vec<Destination> {
    let store = lake.create_store("load").await;
    let mut out = Vec::new();
    for t in 0..TENANTS {
        let arn = lake.create_channel(&format!("tenant-{t}"), &store).await;
        out.push(
            Destination::builder()
                .name(format!("t{t}"))
                .channel_arn(arn.parse().unwrap())
                .build()
                .unwrap(),
        );
    }
    out
}

/// Process CPU time (user + system) of this process.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after = stat.rsplit_once(") ").unwrap().1;
    let fields: Vec<&str> = after.split(' ').collect();
    // utime and stime are fields 14 and 15 (1-based), i.e. 11 and 12 after the ") " split.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_secs_f64(ticks as f64 / 100.0)
}

/// CPU time of this process's threads whose name is `name` (the scheduler's run time, in nanoseconds).
fn thread_cpu_time(name: &str) -> Duration {
    let mut total = Duration::ZERO;
    for task in std::fs::read_dir("/proc/self/task").unwrap() {
        let path = task.unwrap().path();
        let Ok(comm) = std::fs::read_to_string(path.join("comm")) else {
            continue;
        };
        if comm.trim_end() != name {
            continue;
        }
        if let Ok(schedstat) = std::fs::read_to_string(path.join("schedstat")) {
            total += parse_schedstat(&schedstat);
        }
    }
    total
}

/// CPU time of the calling thread so far (exact: `/proc`'s figures for a running thread lag by up to a tick).
fn own_cpu_time() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap(),
        u32::try_from(t.tv_nsec).unwrap(),
    )
}

/// The first field of `/proc/.../schedstat`: nanoseconds spent running.
fn parse_schedstat(schedstat: &str) -> Duration {
    Duration::from_nanos(schedstat.split(' ').next().unwrap().parse().unwrap())
}

/// (current RSS, peak RSS) in MiB, from /proc/self/status.
fn rss() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb = |key: &str| -> f64 {
        status.lines().find_map(|l| l.strip_prefix(key)).map_or(0.0, |v| {
            v.trim().trim_end_matches(" kB").trim().parse::<f64>().unwrap() / 1024.0
        })
    };
    (kb("VmRSS:"), kb("VmHWM:"))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

async fn run(only: &[String]) {
    let want = |scenario: &str| only.is_empty() || only.iter().any(|o| o == scenario);
    let size = AuditEvent::validated(AuditEventId::derive("t0-0"), &event(0, 0))
        .unwrap()
        .event_data()
        .len();
    println!("event size: {size} bytes of eventData; allocator: {ALLOCATOR}");

    // 1. Throughput.
    if want("throughput") {
        let proc = LakeProcess::start();
        let dests = destinations(&proc.lake).await;
        let publisher = Publisher::builder()
            .sink(LakeSink::new(&sdk_config(proc.lake.endpoint(), "test")))
            .rate(Rate::new(1000, Duration::from_secs(1)))
            .build()
            .unwrap();
        let n = 100_000;
        let start = Instant::now();
        let mut tasks = Vec::new();
        for (t, dest) in dests.iter().enumerate() {
            let (p, dest) = (publisher.clone(), dest.clone());
            tasks.push(tokio::spawn(async move {
                let mut waits = Vec::new();
                for i in 0..n / TENANTS {
                    let sent = Instant::now();
                    let r = p.publish(&dest, event(t, i)).await.unwrap();
                    // The latency figures come from every 10th event, awaited in a task of its own; the
                    // other receipts are dropped (their events are delivered all the same, and the
                    // publisher's summary below must count every one accepted). A task per event, 100 000
                    // of them on the publisher's own runtime, had made p50 latency ~1.6 s instead of ~70 ms.
                    if i % 10 == 0 {
                        waits.push(tokio::spawn(async move {
                            let o = r.await;
                            (o, sent.elapsed())
                        }));
                    }
                }
                let mut out = Vec::new();
                for w in waits {
                    out.push(w.await.unwrap());
                }
                out
            }));
        }
        let mut latencies = Vec::new();
        for t in tasks {
            for (o, l) in t.await.unwrap() {
                assert!(matches!(o, Outcome::Accepted { .. }), "{o:?}");
                latencies.push(l);
            }
        }
        // Every event has its outcome once `flush` returns.
        let summary = publisher.flush().await;
        let elapsed = start.elapsed();
        assert_eq!(summary.accepted, n as u64, "{summary:?}");
        latencies.sort();
        let calls: u64 = publisher.status().iter().map(|s| s.counts.calls).sum();
        println!(
            "throughput: {n} events in {:.2} s = {:.0} events/s; {calls} calls, {:.1} events/call, {:.0} bytes/call; ack latency (every 10th event) p50 {:?} p99 {:?}",
            elapsed.as_secs_f64(),
            n as f64 / elapsed.as_secs_f64(),
            n as f64 / calls as f64,
            (n * (size + 130)) as f64 / calls as f64,
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.99),
        );
        publisher.shutdown(Duration::from_secs(10)).await;

        // 2. One PutAuditEvents per event, plain SDK client with its defaults, on the same Lake.
        let client = aws_sdk_cloudtraildata::Client::from_conf(
            aws_sdk_cloudtraildata::config::Builder::from(&sdk_config(proc.lake.endpoint(), "test"))
                .region(Region::new("us-east-1"))
                .build(),
        );
        let n = 5_000;
        let start = Instant::now();
        for i in 0..n {
            let e = AuditEvent::new(
                AuditEventId::derive(&format!("single-{i}")),
                &event(0, 1_000_000 + i),
            );
            client
                .put_audit_events()
                .channel_arn(dests[0].channel_arn().as_str())
                .audit_events(
                    aws_sdk_cloudtraildata::types::AuditEvent::try_from(&e)
                        .expect("an entry has an id and eventData"),
                )
                .send()
                .await
                .unwrap();
        }
        let elapsed = start.elapsed();
        println!(
            "one-per-call: {n} events in {:.2} s = {:.0} events/s",
            elapsed.as_secs_f64(),
            n as f64 / elapsed.as_secs_f64()
        );
    }

    // 3. Quota emulation on, publisher defaults: a flood (`quota`) or exactly the ceiling (`paced`).
    for (scenario, paced) in [("quota", false), ("paced", true)] {
        if !want(scenario) {
            continue;
        }
        let proc = LakeProcess::start();
        proc.lake
            .set_faults(json!({"put_audit_events_quota": true}))
            .await;
        let dests = destinations(&proc.lake).await;
        let mut builder = Publisher::builder().sink(LakeSink::new(&sdk_config(proc.lake.endpoint(), "test")));
        // In `quota` the flood keeps every queue deep, so the publisher compresses what it queues; this
        // variable (`usize::MAX`: never) measures what that costs.
        if let Some(depth) = std::env::var("CTLAKE_BENCH_COMPRESS_ABOVE")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            println!("{scenario}: compressing queued entries above a depth of {depth}");
            builder = builder.compress_queued_above(depth);
        }
        let publisher = builder.build().unwrap();
        let handoff = std::env::var_os("CTLAKE_BENCH_HANDOFF").is_some_and(|v| v == "1");
        let run_for = Duration::from_secs(20);
        let warmup = Duration::from_secs(3);
        let start = Instant::now();
        let mut tasks = Vec::new();
        // Producer threads stay alive until their CPU time is read (an ended thread leaves /proc).
        let measured = std::sync::Arc::new(std::sync::Barrier::new(TENANTS + 1));
        // CPU time the application's threads spent inside `publish` (the publisher's share of their time).
        let publishing = std::sync::Arc::new(AtomicU64::new(0));
        let runtime = tokio::runtime::Handle::current();
        for (t, dest) in dests.iter().enumerate() {
            let (p, dest) = (publisher.clone(), dest.clone());
            let (measured, publishing, runtime) = (measured.clone(), publishing.clone(), runtime.clone());
            // The application builds each chunk of 100 events on its own thread and, like a request
            // handler, calls `publish` on that same thread; the time inside `publish` is the publisher's.
            // With `CTLAKE_BENCH_HANDOFF=1` the events are instead handed to tasks on the publisher's
            // runtime, which call `publish` there: every event is then read and freed on another core than
            // the one that built it.
            // The task below ends when the thread drops `tx`, i.e. when the thread is done, in both modes.
            let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<EventData>>(4);
            std::thread::Builder::new()
                .name(PRODUCER_THREAD.to_owned())
                .spawn(move || {
                    let mut i = 0;
                    let mut next = Instant::now();
                    while start.elapsed() < run_for {
                        if paced {
                            // 100 events every 100 ms per tenant: 10 000 events/s offered in all.
                            next += Duration::from_millis(100);
                            std::thread::sleep(next.saturating_duration_since(Instant::now()));
                        }
                        let chunk: Vec<EventData> = (i..i + 100).map(|i| event(t, i)).collect();
                        i += 100;
                        if handoff {
                            if tx.blocking_send(chunk).is_err() {
                                break;
                            }
                            continue;
                        }
                        let before = own_cpu_time();
                        runtime.block_on(async {
                            for e in chunk {
                                drop(p.publish(&dest, e).await.unwrap());
                            }
                        });
                        let spent = own_cpu_time().saturating_sub(before);
                        publishing.fetch_add(u64::try_from(spent.as_nanos()).unwrap(), Relaxed);
                    }
                    drop(tx);
                    measured.wait();
                })
                .unwrap();
            let p = publisher.clone();
            let dest = dests[t].clone();
            tasks.push(tokio::spawn(async move {
                while let Some(chunk) = rx.recv().await {
                    for e in chunk {
                        drop(p.publish(&dest, e).await.unwrap());
                    }
                }
            }));
        }
        tokio::time::sleep(warmup).await;
        let cpu = || {
            (
                cpu_time(),
                thread_cpu_time(RUNTIME_THREAD),
                thread_cpu_time(PRODUCER_THREAD),
                Duration::from_nanos(publishing.load(Relaxed)),
            )
        };
        let (cpu0, acc0, t0) = (cpu(), publisher.summary().accepted, Instant::now());
        for t in tasks {
            t.await.unwrap();
        }
        let (cpu1, acc1, wall) = (cpu(), publisher.summary().accepted, t0.elapsed());
        measured.wait();
        let summary = publisher.shutdown(Duration::from_secs(30)).await;
        // After shutdown every batch has settled, so the call counts are complete.
        let status = publisher.status();
        let calls: u64 = status.iter().map(|s| s.counts.calls).sum();
        let retried: u64 = status.iter().map(|s| s.counts.retried).sum();
        let pct = |d: Duration| 100.0 * d.as_secs_f64() / wall.as_secs_f64();
        let runtime_cpu = cpu1.1.saturating_sub(cpu0.1);
        let in_publish = cpu1.3.saturating_sub(cpu0.3);
        let producers = cpu1.2.saturating_sub(cpu0.2);
        println!(
            "{scenario} ({}): {:.0} events/s sustained over {:.1} s; publisher CPU {:.1}% of one core ({:.1}% runtime threads + {:.1}% inside publish on the application's threads), application {:.1}% (building events), whole process {:.1}%; {calls} calls in all, {:.1} events/call, {retried} entries resent; {} accepted, {} abandoned",
            if handoff {
                "events handed to the publisher's runtime"
            } else {
                "publish on the building thread"
            },
            (acc1 - acc0) as f64 / wall.as_secs_f64(),
            wall.as_secs_f64(),
            pct(runtime_cpu + in_publish),
            pct(runtime_cpu),
            pct(in_publish),
            pct(producers.saturating_sub(in_publish)),
            pct(cpu1.0.saturating_sub(cpu0.0)),
            summary.accepted as f64 / calls as f64,
            summary.accepted,
            summary.abandoned,
        );
    }

    // 4. 100 000 events queued while the Lake does not answer.
    if want("queued") {
        let proc = LakeProcess::start();
        let dests = destinations(&proc.lake).await;
        proc.lake
            .set_faults(json!({"scope": "data_plane", "latency_min_ms": 600_000, "latency_max_ms": 600_000}))
            .await;
        let publisher = Publisher::builder()
            .sink(LakeSink::new(&sdk_config(proc.lake.endpoint(), "test")))
            .attempt_timeout(Duration::from_secs(3600))
            .retry(RetrySettings::disabled())
            .build()
            .unwrap();
        let (before, _) = rss();
        for i in 0..100_000 {
            drop(
                publisher
                    .try_publish(&dests[i % TENANTS], event(i % TENANTS, i))
                    .unwrap(),
            );
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        let (with_queue, peak) = rss();
        let queued: usize = publisher.status().iter().map(|s| s.queued).sum();
        println!(
            "queued: 100000 events held ({queued} in queues, the rest in batches/requests); RSS {with_queue:.0} MiB (was {before:.0} MiB before queueing); peak RSS of the run {peak:.0} MiB"
        );
        let summary = publisher.shutdown(Duration::from_millis(100)).await;
        assert_eq!(summary.abandoned_at_shutdown, 100_000);
    }
}
