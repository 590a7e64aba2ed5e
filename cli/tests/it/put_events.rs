//! put-events: good and bad records, the reject file, the summary, the exit code, resume.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{Lake, VENDOR, count, events};

#[test]
fn good_and_bad_records_give_a_summary_a_reject_file_and_exit_1() {
    let lake = Lake::start();
    let bundle = lake.enable(&["--principal", VENDOR, "--external-id", "ext-42"]);
    let channel = bundle["channelArn"].as_str().unwrap();
    let store = bundle["eventDataStoreArn"].as_str().unwrap();
    let mut lines = events(250, "good");
    // Line 3: not JSON; line 5: no eventName; line 8: another account; line 10: a record with its own id.
    lines[2] = "{\"version\": \"1.0\", oops".to_owned();
    let mut missing: Value = serde_json::from_str(&lines[4]).unwrap();
    missing.as_object_mut().unwrap().remove("eventName");
    lines[4] = missing.to_string();
    lines[7] = lines[7].replace("000000000000", "999999999999");
    let record: Value = serde_json::from_str(&lines[9]).unwrap();
    lines[9] = json!({"id": "my-own-id", "eventData": record}).to_string();
    std::fs::write(lake.path("events.ndjson"), lines.join("\n") + "\n").unwrap();

    let run = lake.ctlake_as(
        VENDOR,
        &[
            "--output",
            "json",
            "put-events",
            "events.ndjson",
            "--channel-arn",
            channel,
            "--external-id",
            "ext-42",
            "--reject-file",
            "rejects.jsonl",
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let summary = run.json();
    assert_eq!(summary["records"], 250);
    assert_eq!(summary["accepted"], 247);
    assert_eq!(summary["rejected"], 3);
    assert_eq!(
        summary["rejectedByCode"],
        json!({"FieldNotFound": 1, "InvalidJson": 1, "InvalidRecipient": 1})
    );
    assert_eq!(summary["complete"], true);
    assert_eq!(summary["stateFile"], Value::Null);
    assert!(!lake.path("events.ndjson.ctlake-resume").exists());

    let rejects: Vec<Value> = std::fs::read_to_string(lake.path("rejects.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let lines_and_codes: Vec<(u64, &str)> = rejects
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        lines_and_codes,
        [(3, "InvalidJson"), (5, "FieldNotFound"), (8, "InvalidRecipient")]
    );
    assert_eq!(rejects[0]["record"], "{\"version\": \"1.0\", oops");
    assert_eq!(rejects[1]["record"]["UID"], "good-4");
    assert!(
        rejects[1]["message"]
            .as_str()
            .unwrap()
            .contains("eventData.eventName")
    );
    assert!(rejects.iter().all(|r| r["source"] == "validation"));

    // Exactly the accepted events are in the Lake, once each.
    assert_eq!(count(&lake, store, ""), (247, 247));
}

#[test]
fn lake_rejections_and_a_wrong_external_id_are_reported() {
    let lake = Lake::start();
    let bundle = lake.enable(&["--principal", VENDOR, "--external-id", "right"]);
    let channel = bundle["channelArn"].as_str().unwrap();
    std::fs::write(lake.path("e.ndjson"), events(20, "x").join("\n")).unwrap();
    let run = lake.ctlake_as(
        VENDOR,
        &[
            "put-events",
            "e.ndjson",
            "--channel-arn",
            channel,
            "--external-id",
            "wrong",
        ],
    );
    assert_eq!(run.code, 254, "{run:?}");
    assert!(run.stderr.contains("ChannelInsufficientPermission"), "{run:?}");
    assert!(run.stderr.contains("--resume"), "{run:?}");
    // The state is kept, so a second plain run refuses to send the file twice.
    let again = lake.ctlake_as(
        VENDOR,
        &[
            "put-events",
            "e.ndjson",
            "--channel-arn",
            channel,
            "--external-id",
            "right",
        ],
    );
    assert_eq!(again.code, 252, "{again:?}");
    assert!(again.stderr.contains("--restart"), "{again:?}");
    let resumed = lake.ctlake_as(
        VENDOR,
        &[
            "--output",
            "json",
            "put-events",
            "e.ndjson",
            "--channel-arn",
            channel,
            "--external-id",
            "right",
            "--resume",
        ],
    );
    assert_eq!(resumed.code, 0, "{resumed:?}");
    assert_eq!(resumed.json()["accepted"], 20);
}

#[test]
fn a_json_array_from_stdin_is_streamed() {
    let lake = Lake::start();
    let bundle = lake.enable(&[]);
    let channel = bundle["channelArn"].as_str().unwrap();
    let array = format!("[\n{}\n]\n", events(120, "arr").join(",\n"));
    let mut child = crate::harness::command(lake.dir.path())
        .env("AWS_ENDPOINT_URL", &lake.url)
        .args(["--output", "text", "put-events", "-", "--channel-arn", channel])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(array.as_bytes()).unwrap();
    let run = crate::harness::Run::of(child.wait_with_output().unwrap());
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "120\t120\t0\t0\tTrue\n");
}

#[test]
fn retryable_entry_failures_are_resent() {
    let lake = Lake::start();
    let bundle = lake.enable(&[]);
    let channel = bundle["channelArn"].as_str().unwrap();
    let store = bundle["eventDataStoreArn"].as_str().unwrap();
    lake.faults(json!({"seed": 3, "entry_throttling": 0.3}));
    std::fs::write(lake.path("e.ndjson"), events(300, "t").join("\n")).unwrap();
    let run = lake.ctlake(&[
        "--output",
        "json",
        "put-events",
        "e.ndjson",
        "--channel-arn",
        channel,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let summary = run.json();
    assert_eq!(summary["accepted"], 300);
    assert!(summary["retried"].as_u64().unwrap() > 0, "{summary}");
    lake.faults(json!({}));
    assert_eq!(count(&lake, store, ""), (300, 300));
}

#[test]
fn resume_after_an_interruption_sends_nothing_twice() {
    let lake = Lake::start();
    let bundle = lake.enable(&[]);
    let channel = bundle["channelArn"].as_str().unwrap().to_owned();
    let store = bundle["eventDataStoreArn"].as_str().unwrap().to_owned();
    let total = 3000;
    std::fs::write(lake.path("big.ndjson"), events(total, "r").join("\n")).unwrap();
    // Slow PutAuditEvents so the run is still going when it is interrupted.
    lake.faults(json!({"scope": "data_plane", "latency_min_ms": 150, "latency_max_ms": 150}));
    let child = crate::harness::command(lake.dir.path())
        .env("AWS_ENDPOINT_URL", &lake.url)
        .args([
            "--output",
            "json",
            "put-events",
            "big.ndjson",
            "--channel-arn",
            &channel,
            "--reject-file",
            "r.jsonl",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until some records are settled in the journal, then interrupt (SIGTERM, as a service manager would).
    let state = lake.path("big.ndjson.ctlake-resume");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !std::fs::read_to_string(&state).is_ok_and(|s| s.contains("\"a\"")) {
        assert!(Instant::now() < deadline, "no progress recorded");
        std::thread::sleep(Duration::from_millis(10));
    }
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let first = crate::harness::Run::of(child.wait_with_output().unwrap());
    assert_eq!(first.code, 130, "{first:?}");
    assert!(first.stderr.contains("--resume"), "{first:?}");
    let partial = first.json();
    assert_eq!(partial["complete"], false);
    let accepted_first = partial["accepted"].as_u64().unwrap();
    assert!(accepted_first > 0 && accepted_first < total as u64, "{partial}");
    assert!(state.exists());
    assert_eq!(count(&lake, &store, "").0, accepted_first);

    lake.faults(json!({}));
    let second = lake.ctlake(&[
        "--output",
        "json",
        "put-events",
        "big.ndjson",
        "--channel-arn",
        &channel,
        "--resume",
        "--reject-file",
        "r.jsonl",
    ]);
    assert_eq!(second.code, 0, "{second:?}");
    let summary = second.json();
    assert_eq!(summary["records"], total);
    assert_eq!(summary["accepted"], total);
    assert_eq!(summary["complete"], true);
    assert!(summary["skippedFromEarlierRuns"].as_u64().unwrap() >= accepted_first);
    assert!(!state.exists());
    // Every event exactly once.
    assert_eq!(count(&lake, &store, ""), (total as u64, total as u64));
}

#[test]
fn an_unreachable_lake_stops_the_run_with_255_after_the_publishers_retries() {
    let lake = Lake::start();
    let bundle = lake.enable(&[]);
    let channel = bundle["channelArn"].as_str().unwrap();
    std::fs::write(lake.path("e.ndjson"), events(10, "u").join("\n")).unwrap();
    // A loopback port nobody listens on: every connection is refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let run = lake.ctlake(&[
        "--endpoint-url",
        &url,
        "--output",
        "json",
        "put-events",
        "e.ndjson",
        "--channel-arn",
        channel,
    ]);
    assert_eq!(run.code, 255, "{run:?}");
    assert!(run.stderr.contains("refused"), "{run:?}");
    assert!(run.stderr.contains("--resume"), "{run:?}");
    let summary = run.json();
    assert_eq!(
        (summary["accepted"].as_u64(), summary["complete"].as_bool()),
        (Some(0), Some(false)),
        "{summary}"
    );
    // Nothing was settled, so a resumed run against the Lake sends all of it.
    let resumed = lake.ctlake(&[
        "--output",
        "json",
        "put-events",
        "e.ndjson",
        "--channel-arn",
        channel,
        "--resume",
    ]);
    assert_eq!(resumed.code, 0, "{resumed:?}");
    assert_eq!(resumed.json()["accepted"], 10);
}

#[test]
fn usage_errors_exit_252() {
    let lake = Lake::start();
    let bad_arn = lake.ctlake(&["put-events", "x.ndjson", "--channel-arn", "not-an-arn"]);
    assert_eq!(bad_arn.code, 252, "{bad_arn:?}");
    let arn = "arn:aws:cloudtrail:us-east-1:000000000000:channel/abc";
    let missing = lake.ctlake(&["put-events", "missing.ndjson", "--channel-arn", arn]);
    assert_eq!(missing.code, 252, "{missing:?}");
    assert!(missing.stderr.contains("missing.ndjson"), "{missing:?}");
    let stdin_resume = lake.ctlake(&["put-events", "-", "--channel-arn", arn, "--resume"]);
    assert_eq!(stdin_resume.code, 252, "{stdin_resume:?}");
    let no_region = crate::harness::command(lake.dir.path())
        .env_remove("AWS_REGION")
        .args(["put-events", "x", "--channel-arn", arn])
        .output()
        .unwrap();
    assert_eq!(no_region.status.code(), Some(253));
}
