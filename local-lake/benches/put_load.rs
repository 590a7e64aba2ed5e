//! PutAuditEvents load generator (issue 3 "Done when"): starts the local Lake as a separate process (this
//! binary re-run with `--serve-child`), drives it over loopback with the real `aws-sdk-cloudtraildata` client
//! — 100-event batches of ~1 KB events from 4 concurrent clients for N seconds — then checks in SQLite that
//! every accepted event is stored and reports events/s, request latency p50/p99 and the server's peak RSS.
//!
//! ```text
//! cargo bench -p ctlake-local --bench put_load -- [--seconds 10] [--clients 4] [--batch 100] [--event-bytes 1000]
//! ```

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aws_credential_types::Credentials;

struct Options {
    seconds: u64,
    clients: usize,
    batch: usize,
    event_bytes: usize,
}

fn options() -> Options {
    let mut o = Options {
        seconds: 10,
        clients: 4,
        batch: 100,
        event_bytes: 1000,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || {
            args.next()
                .and_then(|v| v.parse::<u64>().ok())
                .expect("a number after the flag")
        };
        match a.as_str() {
            "--seconds" => o.seconds = value(),
            "--clients" => o.clients = value() as usize,
            "--batch" => o.batch = value() as usize,
            "--event-bytes" => o.event_bytes = value() as usize,
            _ => {} // cargo bench passes --bench
        }
    }
    o
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--serve-child") {
        return serve_child(&args[pos + 1]);
    }
    let o = options();
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .arg("--serve-child")
        .arg(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut endpoint = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut endpoint)
        .unwrap();
    let endpoint = endpoint.trim().to_owned();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let report = runtime.block_on(drive(&endpoint, &o));
    let rss_kb = peak_rss_kb(child.id());
    let server_cpu = cpu_seconds(child.id());
    let client_cpu = cpu_seconds(std::process::id());
    drop(child.stdin.take());
    child.wait().unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("lake.sqlite3")).unwrap();
    let stored: i64 = conn
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    let stored = u64::try_from(stored).unwrap();
    assert_eq!(stored, report.accepted, "every accepted event is in SQLite");
    let mut lat = report.latencies;
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    println!(
        "PutAuditEvents load: {} clients x {}-event batches of {} B events for {:.1} s",
        o.clients,
        o.batch,
        report.event_len,
        report.elapsed.as_secs_f64()
    );
    println!(
        "  requests: {}  events stored (verified in SQLite): {}  rejected: {}",
        lat.len(),
        stored,
        report.rejected
    );
    println!(
        "  throughput: {:.0} events/s stored durably",
        stored as f64 / report.elapsed.as_secs_f64()
    );
    println!(
        "  latency: p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(*lat.last().unwrap())
    );
    println!("  server peak RSS (VmHWM): {:.1} MiB", rss_kb as f64 / 1024.0);
    println!(
        "  CPU: server {server_cpu:.2} s ({:.0} events per server CPU-second), load generator {client_cpu:.2} s; \
         load average at the end: {}",
        stored as f64 / server_cpu.max(0.001),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn peak_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// User + system CPU time of a process in seconds (`/proc/<pid>/stat` fields 14 and 15, 100 ticks/s).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

struct Report {
    accepted: u64,
    rejected: u64,
    latencies: Vec<Duration>,
    elapsed: Duration,
    event_len: usize,
}

fn event_data(size: usize, uid: &str) -> String {
    let base = serde_json::json!({
        "version": "1.0",
        "userIdentity": {"type": "CustomUser", "principalId": "load-generator"},
        "eventSource": "bench.example.com",
        "eventName": "Benchmark",
        "eventTime": "2026-01-01T00:00:00Z",
        "UID": uid,
        "recipientAccountId": "000000000000",
        "requestParameters": {"pad": ""},
    })
    .to_string();
    let pad = size.saturating_sub(base.len());
    base.replace(r#""pad":"""#, &format!(r#""pad":"{}""#, "x".repeat(pad)))
}

async fn drive(endpoint: &str, o: &Options) -> Report {
    let creds = Credentials::new("test", "test", None, None, "bench");
    let ct = aws_sdk_cloudtrail::Client::from_conf(
        aws_sdk_cloudtrail::Config::builder()
            .behavior_version(aws_sdk_cloudtrail::config::BehaviorVersion::latest())
            .region(aws_sdk_cloudtrail::config::Region::new("us-east-1"))
            .credentials_provider(creds.clone())
            .endpoint_url(endpoint)
            .build(),
    );
    let eds = ct
        .create_event_data_store()
        .name("bench")
        .advanced_event_selectors(
            aws_sdk_cloudtrail::types::AdvancedEventSelector::builder()
                .field_selectors(
                    aws_sdk_cloudtrail::types::AdvancedFieldSelector::builder()
                        .field("eventCategory")
                        .equals("ActivityAuditLog")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .event_data_store_arn
        .unwrap();
    let channel = ct
        .create_channel()
        .name("bench")
        .source("Custom")
        .destinations(
            aws_sdk_cloudtrail::types::Destination::builder()
                .r#type(aws_sdk_cloudtrail::types::DestinationType::EventDataStore)
                .location(eds)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .channel_arn
        .unwrap();
    let event_len = event_data(o.event_bytes, "c0-000000000-000").len();
    let deadline = Instant::now() + Duration::from_secs(o.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client_no in 0..o.clients {
        let data = aws_sdk_cloudtraildata::Client::from_conf(
            aws_sdk_cloudtraildata::Config::builder()
                .behavior_version(aws_sdk_cloudtraildata::config::BehaviorVersion::latest())
                .region(aws_sdk_cloudtraildata::config::Region::new("us-east-1"))
                .credentials_provider(creds.clone())
                .endpoint_url(endpoint)
                .retry_config(aws_sdk_cloudtraildata::config::retry::RetryConfig::disabled())
                .build(),
        );
        let channel = channel.clone();
        let (batch, size) = (o.batch, o.event_bytes);
        tasks.push(tokio::spawn(async move {
            let (mut accepted, mut rejected, mut latencies) = (0u64, 0u64, Vec::new());
            let mut seq = 0u64;
            while Instant::now() < deadline {
                let events: Vec<_> = (0..batch)
                    .map(|i| {
                        let id = format!("c{client_no}-{seq:09}-{i:03}");
                        aws_sdk_cloudtraildata::types::AuditEvent::builder()
                            .id(&id)
                            .event_data(event_data(size, &id))
                            .build()
                            .unwrap()
                    })
                    .collect();
                seq += 1;
                let t = Instant::now();
                let out = data
                    .put_audit_events()
                    .channel_arn(&channel)
                    .set_audit_events(Some(events))
                    .send()
                    .await
                    .unwrap();
                latencies.push(t.elapsed());
                accepted += out.successful().len() as u64;
                rejected += out.failed().len() as u64;
            }
            (accepted, rejected, latencies)
        }));
    }
    let mut report = Report {
        accepted: 0,
        rejected: 0,
        latencies: Vec::new(),
        elapsed: Duration::ZERO,
        event_len,
    };
    for t in tasks {
        let (a, r, l) = t.await.unwrap();
        report.accepted += a;
        report.rejected += r;
        report.latencies.extend(l);
    }
    report.elapsed = started.elapsed();
    report
}

fn serve_child(dir: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("http://{}", listener.local_addr().unwrap());
        let shutdown = async {
            let _ = tokio::task::spawn_blocking(|| {
                let mut buf = [0u8; 64];
                let mut stdin = std::io::stdin();
                while std::io::Read::read(&mut stdin, &mut buf).is_ok_and(|n| n > 0) {}
            })
            .await;
        };
        ctlake_local::serve(listener, ctlake_local::Config::with_data_dir(dir), shutdown)
            .await
            .unwrap();
    });
}
