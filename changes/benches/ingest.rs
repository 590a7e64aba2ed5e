//! Change ingestion throughput: read + classify + normalize against decompress + JSON parse alone.
//!
//! A realistic `.json.gz` CloudTrail log is generated from the fixtures (every fixture record, repeated with a
//! fresh `eventID` and a moving `eventTime`), written to a temporary file, and read on one thread:
//!
//! * `decompress`: gunzip only (reference);
//! * `decompress+parse`: gunzip + parsing every record into a `serde_json::Value` through the same streaming
//!   reader (what any ingester that looks at whole records must do);
//! * `read+classify+normalize`: the whole ingest core with the default rules, building each kept change's
//!   validated `PutAuditEvents` entry (serialized `eventData` + checksum).
//!
//! Every stage is measured twice: wall time, and the bench thread's CPU time (`…_cpu`, what one core spends,
//! independent of other load on a shared machine).
//!
//! Run: `cargo bench -p ctlake-changes --bench ingest` (optionally `CTLAKE_BENCH_RECORDS=…`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ctlake::AccountId;
use ctlake_changes::classify::Classifier;
use ctlake_changes::normalize::Normalizer;
use ctlake_changes::pipeline::Ingest;
use ctlake_changes::read::{Flow, LogObject, ObjectRef, decode, open_file, read_records};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::Value;

/// Records in the generated file (overridable with `CTLAKE_BENCH_RECORDS`).
const DEFAULT_RECORDS: usize = 100_000;

fn fixture_records() -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cloudtrail");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort();
    let mut records = Vec::new();
    for path in paths {
        let name = path.to_string_lossy();
        if !(name.ends_with(".json") || name.ends_with(".json.gz")) {
            continue;
        }
        let Ok(reader) = open_file(&path) else { continue };
        let _ = read_records(reader, &ObjectRef::File(path.clone()), |record| {
            if let Ok(value) = record.parse() {
                records.push(value);
            }
            Flow::Continue
        });
    }
    records
}

/// Writes a `{"Records":[…]}` `.json.gz` of `count` records and returns its path and uncompressed size.
fn generate(dir: &Path, count: usize) -> (PathBuf, usize) {
    let templates = fixture_records();
    assert!(!templates.is_empty(), "no fixture records found");
    let path = dir.join("123456789012_CloudTrail_us-east-1_20240101T0000Z_bench.json.gz");
    let file = std::fs::File::create(&path).expect("create the benchmark file");
    let mut gz = GzEncoder::new(std::io::BufWriter::new(file), Compression::default());
    let mut written = 0;
    let mut write = |gz: &mut GzEncoder<_>, bytes: &[u8]| {
        gz.write_all(bytes).expect("write the benchmark file");
        written += bytes.len();
    };
    write(&mut gz, b"{\"Records\":[");
    for i in 0..count {
        let mut record = templates[i % templates.len()].clone();
        record["eventID"] = Value::String(format!("{:08x}-0000-4000-8000-{:012x}", i, i * 7919));
        let second = i % 86_400;
        record["eventTime"] = Value::String(format!(
            "2024-01-01T{:02}:{:02}:{:02}Z",
            second / 3600,
            second / 60 % 60,
            second % 60
        ));
        if i > 0 {
            write(&mut gz, b",");
        }
        let bytes = serde_json::to_vec(&record).expect("serialize a record");
        write(&mut gz, &bytes);
    }
    write(&mut gz, b"]}");
    gz.finish().expect("finish the gzip stream");
    (path, written)
}

fn bench(c: &mut Criterion) {
    let count = std::env::var("CTLAKE_BENCH_RECORDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_RECORDS);
    let dir = tempfile::tempdir().expect("temporary directory");
    let (path, uncompressed) = generate(dir.path(), count);
    let compressed = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "benchmark input: {count} records, {:.1} MB JSON, {:.1} MB gzip",
        uncompressed as f64 / 1e6,
        compressed as f64 / 1e6
    );
    let object = LogObject::new(ObjectRef::File(path.clone()));
    let ingest = Ingest::new(
        Classifier::default(),
        Normalizer::new(AccountId::try_from("111122223333").expect("account id")),
    );

    let mut group = c.benchmark_group("ingest");
    group.sample_size(10);
    group.throughput(Throughput::Elements(count as u64));
    // Each stage twice: wall time, and this thread's CPU time (`…_cpu`), which a loaded shared machine does not
    // inflate: the one-core figure.
    for cpu in [false, true] {
        let suffix = if cpu { "_cpu" } else { "" };
        group.bench_function(format!("decompress{suffix}"), |b| {
            b.iter_custom(|iters| {
                timed(iters, cpu, || {
                    let mut sink = std::io::sink();
                    let mut reader = decode(std::fs::File::open(&path).expect("open")).expect("decode");
                    std::io::copy(&mut reader, &mut sink).expect("gunzip");
                })
            })
        });
        group.bench_function(format!("decompress+parse{suffix}"), |b| {
            b.iter_custom(|iters| {
                timed(iters, cpu, || {
                    let mut n = 0usize;
                    read_records(open_file(&path).expect("open"), &object.id, |record| {
                        n += usize::from(record.parse().is_ok_and(|v| v.is_object()));
                        Flow::Continue
                    })
                    .expect("read");
                    assert_eq!(n, count);
                })
            })
        });
        group.bench_function(format!("read+classify+normalize{suffix}"), |b| {
            b.iter_custom(|iters| {
                timed(iters, cpu, || {
                    // A fresh ingest each time: the de-duplication window must not carry over between iterations.
                    let ingest = ingest.fresh();
                    let mut kept = 0usize;
                    let report =
                        ingest.process_object(&object, open_file(&path).expect("open"), |change, _| {
                            kept += change.audit_event.event_data().len().min(1);
                            Flow::Continue
                        });
                    assert_eq!(report.records, count);
                    assert!(report.error.is_none());
                    assert_eq!(kept, report.kept);
                })
            })
        });
    }
    group.finish();

    // One counted pass, so the benchmark output also says how many changes the input holds.
    let report = ingest
        .fresh()
        .process_object(&object, open_file(&path).expect("open"), |_, _| Flow::Continue);
    eprintln!(
        "per pass: {} records, {} kept, {} skipped ({:?})",
        report.records,
        report.kept,
        report.skipped_total(),
        report.skipped
    );
    let mut check = String::new();
    let _ = decode(std::fs::File::open(&path).expect("open"))
        .expect("decode")
        .take(16)
        .read_to_string(&mut check);
    assert!(check.starts_with("{\"Records\":["));
}

/// Runs `pass` `iters` times; the wall time, or this thread's CPU time when `cpu`.
fn timed(iters: u64, cpu: bool, mut pass: impl FnMut()) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let (start, cpu_start) = (Instant::now(), thread_cpu());
        pass();
        total += if cpu {
            thread_cpu().saturating_sub(cpu_start)
        } else {
            start.elapsed()
        };
    }
    total
}

/// This thread's CPU time.
#[cfg(unix)]
fn thread_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

/// Elapsed time where thread CPU time is not available.
#[cfg(not(unix))]
fn thread_cpu() -> Duration {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

criterion_group!(benches, bench);
criterion_main!(benches);
