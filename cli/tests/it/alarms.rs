//! `ctlake ingest-alarms` and `ctlake serve-sns` as processes, with moto_server's SNS, SQS and S3 and a local
//! Lake: alarms published to SNS topics reach Lake through an SQS subscription (raw and not) and through an HTTP
//! subscription whose real moto signatures are verified; `ctlake query` and `ctlake suggest-causes` read them.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use base64::Engine as _;
use ctlake_e2e::moto::{ACCOUNT, Moto};
use serde_json::{Value, json};

use crate::harness::{Lake, Run, VENDOR, command};

const INSTANCE: &str = "i-0abc123def4567890";

/// A CloudWatch alarm notification (the `Message` SNS carries).
fn alarm(name: &str, old: &str, new: &str, time: &str) -> String {
    json!({"AlarmName": name, "AlarmDescription": null, "AWSAccountId": ACCOUNT,
           "NewStateValue": new, "OldStateValue": old,
           "NewStateReason": format!("Threshold Crossed: {old} -> {new}"),
           "StateChangeTime": time, "Region": "US East (N. Virginia)",
           "AlarmArn": format!("arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{name}"),
           "Trigger": {"MetricName": "CPUUtilization", "Namespace": "AWS/EC2", "StatisticType": "Statistic",
                       "Statistic": "AVERAGE", "Unit": null,
                       "Dimensions": [{"value": INSTANCE, "name": "InstanceId"}],
                       "Period": 60, "EvaluationPeriods": 1, "ComparisonOperator": "GreaterThanThreshold",
                       "Threshold": 90.0, "TreatMissingData": "missing"}})
    .to_string()
}

/// A metric-math alarm notification.
fn math_alarm(name: &str, time: &str) -> String {
    json!({"AlarmName": name, "AWSAccountId": ACCOUNT, "NewStateValue": "ALARM",
           "OldStateValue": "INSUFFICIENT_DATA", "NewStateReason": "Threshold Crossed: e1 > 8e9",
           "StateChangeTime": time, "Region": "US East (N. Virginia)",
           "AlarmArn": format!("arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{name}"),
           "Trigger": {"Metrics": [
               {"Id": "e1", "Expression": "m1*8", "Label": "bits out", "ReturnData": true},
               {"Id": "m1", "ReturnData": false, "MetricStat": {"Period": 60, "Stat": "Average",
                   "Metric": {"MetricName": "NetworkOut", "Namespace": "AWS/EC2",
                              "Dimensions": [{"name": "InstanceId", "value": INSTANCE}]}}}],
               "Period": 60, "EvaluationPeriods": 1, "ComparisonOperator": "GreaterThanThreshold",
               "Threshold": 8.0e9}})
    .to_string()
}

/// `ctlake ARGS` with access key `key`: Lake calls to the local Lake, SQS and S3 calls to moto.
fn ctlake(lake: &Lake, moto: &Moto, key: &str, args: &[&str]) -> Run {
    let mut cmd = command(lake.dir.path());
    env(&mut cmd, lake, moto, key);
    Run::of(cmd.args(args).output().unwrap())
}

fn env(cmd: &mut Command, lake: &Lake, moto: &Moto, key: &str) {
    cmd.env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_ENDPOINT_URL", &lake.url)
        .env("AWS_ENDPOINT_URL_SQS", moto.endpoint())
        .env("AWS_ENDPOINT_URL_S3", moto.endpoint());
}

/// Rows of a Lake SQL query run by `ctlake query` as the owner; `{eds}` is the event data store.
fn query(lake: &Lake, store_arn: &str, sql: &str) -> Vec<Value> {
    let id = store_arn.rsplit('/').next().unwrap();
    let run = lake.ctlake(&["--output", "json", "query", &sql.replace("{eds}", id)]);
    assert_eq!(run.code, 0, "{run:?}");
    run.json().as_array().unwrap().clone()
}

/// The alarm events of `alarm`, oldest first: (eventName, repeat, durationSeconds), "" for NULL.
fn alarm_events(lake: &Lake, store: &str, alarm: &str) -> Vec<(String, String, String)> {
    let id = store.rsplit('/').next().unwrap();
    let sql = format!(
        "SELECT eventData.eventName AS name, element_at(eventData.additionalEventData, 'repeat') AS repeat, \
         element_at(eventData.additionalEventData, 'durationSeconds') AS duration FROM {id} \
         WHERE eventData.eventSource = 'alarms.ctlake.dev' \
         AND element_at(eventData.requestParameters, 'alarmName') = '{alarm}' \
         ORDER BY eventData.eventTime"
    );
    // Text output: positional, so a NULL in any row keeps the columns in place.
    let run = lake.ctlake(&["--output", "text", "query", &sql]);
    assert_eq!(run.code, 0, "{run:?}");
    run.stdout
        .lines()
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            assert_eq!(cells.len(), 3, "{line:?}");
            (cells[0].to_owned(), cells[1].to_owned(), cells[2].to_owned())
        })
        .collect()
}

/// Messages in a queue, visible or not.
fn queue_depth(lake: &Lake, moto: &Moto, queue: &str) -> u64 {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let out = lake
        .block_on(
            moto.sqs()
                .get_queue_attributes()
                .queue_url(queue)
                .attribute_names(A::ApproximateNumberOfMessages)
                .attribute_names(A::ApproximateNumberOfMessagesNotVisible)
                .send(),
        )
        .unwrap();
    let attrs = out.attributes().unwrap();
    [
        A::ApproximateNumberOfMessages,
        A::ApproximateNumberOfMessagesNotVisible,
    ]
    .iter()
    .map(|a| attrs[a].parse::<u64>().unwrap())
    .sum()
}

/// A topic, a queue and a subscription of the queue to the topic (raw delivery or not).
fn topic_to_queue(lake: &Lake, moto: &Moto, name: &str, raw: bool) -> (String, String) {
    lake.block_on(async {
        let sns = moto.sns();
        let sqs = moto.sqs();
        let topic = sns
            .create_topic()
            .name(name)
            .send()
            .await
            .unwrap()
            .topic_arn
            .unwrap();
        let queue = sqs
            .create_queue()
            .queue_name(format!("{name}-q"))
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        let subscription = sns
            .subscribe()
            .topic_arn(&topic)
            .protocol("sqs")
            .endpoint(format!("arn:aws:sqs:us-east-1:{ACCOUNT}:{name}-q"))
            .send()
            .await
            .unwrap()
            .subscription_arn
            .unwrap();
        if raw {
            sns.set_subscription_attributes()
                .subscription_arn(subscription)
                .attribute_name("RawMessageDelivery")
                .attribute_value("true")
                .send()
                .await
                .unwrap();
        }
        (topic, queue)
    })
}

fn publish(lake: &Lake, moto: &Moto, topic: &str, message: &str) {
    lake.block_on(moto.sns().publish().topic_arn(topic).message(message).send())
        .unwrap();
}

#[test]
fn ingest_alarms_records_incidents_and_deletes_messages_only_once_lake_accepted_them() {
    let lake = Lake::start();
    let moto = Moto::start();
    let bundle = lake.enable(&["--principal", VENDOR, "--external-id", "alarms-ext-1"]);
    let channel = bundle["channelArn"].as_str().unwrap().to_owned();
    let store = bundle["eventDataStoreArn"].as_str().unwrap().to_owned();
    let (topic, queue) = topic_to_queue(&lake, &moto, "alarms", false);
    let (raw_topic, raw_queue) = topic_to_queue(&lake, &moto, "alarms-raw", true);

    // An incident: ALARM, a repeated ALARM, OK (published in that order; SNS wraps each in its envelope).
    for (old, new, time) in [
        ("OK", "ALARM", "2024-05-01T10:15:00.900+0000"),
        ("ALARM", "ALARM", "2024-05-01T10:20:00.000+0000"),
        ("ALARM", "OK", "2024-05-01T10:35:30.100+0000"),
    ] {
        publish(&lake, &moto, &topic, &alarm("cpu-high", old, new, time));
    }
    let sqs_url = format!("sqs://{queue}");
    let base = [
        "--output",
        "json",
        "ingest-alarms",
        sqs_url.as_str(),
        "--channel-arn",
        channel.as_str(),
        "--once",
        "--wait-seconds",
        "1",
    ];

    // 1. The vendor's external ID is wrong: Lake refuses the channel, nothing is deleted, the run stops (254).
    let refused = ctlake(
        &lake,
        &moto,
        VENDOR,
        &[&base[..], &["--external-id", "wrong-ext-id"]].concat(),
    );
    assert_eq!(refused.code, 254, "{refused:?}");
    assert!(
        refused.stderr.contains("ChannelInsufficientPermission"),
        "{refused:?}"
    );
    let summary = refused.json();
    assert_eq!(summary["messagesReceived"], 3, "{summary}");
    assert_eq!(summary["messagesDeleted"], 0, "{summary}");
    assert_eq!(summary["events"]["accepted"], 0, "{summary}");
    assert_eq!(
        summary["events"]["notDeliveredByCode"]["ChannelInsufficientPermission"], 3,
        "{summary}"
    );
    assert_eq!(queue_depth(&lake, &moto, &queue), 3);
    assert!(alarm_events(&lake, &store, "cpu-high").is_empty());

    // Something that is not an alarm arrives meanwhile.
    publish(&lake, &moto, &topic, "hello, not an alarm");

    // 2. The right external ID: the same messages (released at once by run 1) are recorded and deleted; the
    //    text message stays on the queue for its dead-letter queue (exit 1).
    let run = ctlake(
        &lake,
        &moto,
        VENDOR,
        &[&base[..], &["--external-id", "alarms-ext-1"]].concat(),
    );
    assert_eq!(run.code, 1, "{run:?}");
    let summary = run.json();
    assert_eq!(summary["messagesReceived"], 4, "{summary}");
    assert_eq!(summary["messagesDeleted"], 3, "{summary}");
    let left = summary["messagesLeft"].as_array().unwrap();
    assert_eq!(left.len(), 1, "{summary}");
    assert!(
        left[0]["reason"].as_str().unwrap().contains("plain-text message"),
        "{summary}"
    );
    assert_eq!(
        summary["events"]["acceptedByKind"],
        json!({"alarm.triggered": 2, "alarm.resolved": 1})
    );
    assert_eq!(summary["events"]["repeats"], 1);
    assert_eq!(
        queue_depth(&lake, &moto, &queue),
        1,
        "only the text message is left"
    );
    assert_eq!(
        alarm_events(&lake, &store, "cpu-high"),
        [
            ("alarm.triggered".into(), "false".into(), String::new()),
            ("alarm.triggered".into(), "true".into(), String::new()),
            // 10:15:00 → 10:35:30, each cut to the second as eventTime is.
            ("alarm.resolved".into(), String::new(), "1230".into()),
        ]
    );
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(lake.path(".ctlake/alarm-state.json")).unwrap())
            .unwrap();
    assert_eq!(
        state["alarms"][format!("arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:cpu-high")]["state"],
        "OK"
    );
    // suggest-causes finds the alarm that came through SQS, at the incident's start (not at its repeat).
    let report = lake.ctlake(&[
        "--output",
        "json",
        "suggest-causes",
        "--alarm",
        "cpu-high",
        "--event-data-store",
        &store,
    ]);
    assert_eq!(report.code, 0, "{report:?}");
    let report = report.json();
    assert_eq!(report["alarm"], "cpu-high", "{report}");
    assert!(
        report["alarmTime"]
            .as_str()
            .unwrap()
            .starts_with("2024-05-01T10:15:00"),
        "{report}"
    );
    assert_eq!(report["region"], "us-east-1", "{report}");
    assert_eq!(report["changesConsidered"], 0, "{report}");

    // 3. Raw delivery: a metric-math alarm, one whose name breaks Lake's limits (its UID would be over 1024
    //    characters), a message that is not JSON and an alarm with an unknown state. The three broken ones go to
    //    the reject file with their reasons and their messages are deleted; --max-messages ends the run without
    //    --once.
    publish(
        &lake,
        &moto,
        &raw_topic,
        &math_alarm("network-out", "2024-05-01T11:00:00.000+0000"),
    );
    let long_name = "x".repeat(1100);
    publish(
        &lake,
        &moto,
        &raw_topic,
        &alarm(&long_name, "OK", "ALARM", "2024-05-01T11:01:00.000+0000"),
    );
    publish(&lake, &moto, &raw_topic, "{\"AlarmName\": ");
    publish(
        &lake,
        &moto,
        &raw_topic,
        &alarm("disk-full", "OK", "ALARMING", "2024-05-01T11:02:00.000+0000"),
    );
    let raw_url = format!("sqs://{raw_queue}");
    let rejects = lake.path("rejects.jsonl");
    let run = ctlake(
        &lake,
        &moto,
        VENDOR,
        &[
            "--output",
            "json",
            "ingest-alarms",
            &raw_url,
            "--channel-arn",
            &channel,
            "--external-id",
            "alarms-ext-1",
            "--max-messages",
            "4",
            "--wait-seconds",
            "1",
            "--reject-file",
            rejects.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let summary = run.json();
    assert_eq!(summary["messagesDeleted"], 4, "{summary}");
    assert_eq!(summary["messagesLeft"], json!([]), "{summary}");
    let rejected = summary["messagesRejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 2, "{summary}");
    assert!(run.stderr.contains("written to the reject file"), "{run:?}");
    assert_eq!(summary["events"]["acceptedByKind"], json!({"alarm.triggered": 1}));
    assert_eq!(
        summary["events"]["rejectedByCode"],
        json!({"ValidationFailed": 1})
    );
    assert_eq!(queue_depth(&lake, &moto, &raw_queue), 0);
    let lines: Vec<Value> = std::fs::read_to_string(&rejects)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    let event = lines.iter().find(|l| l["kind"] == "alarm").unwrap();
    assert_eq!(event["code"], "ValidationFailed");
    assert!(event["message"].as_str().unwrap().contains("UID"), "{event}");
    // The messages, with their bodies as received (SQS message ids, since delivery is raw).
    let mut messages: Vec<(&str, &str, &str)> = lines
        .iter()
        .filter(|l| l["kind"] == "message")
        .map(|l| {
            (
                l["code"].as_str().unwrap(),
                l["message"].as_str().unwrap(),
                l["body"].as_str().unwrap(),
            )
        })
        .collect();
    messages.sort_unstable();
    assert_eq!(messages.len(), 2, "{lines:?}");
    assert_eq!(messages[0].0, "MalformedMessage");
    assert_eq!(messages[1].0, "MalformedMessage");
    let not_json = messages.iter().find(|m| m.2 == "{\"AlarmName\": ").unwrap();
    assert!(not_json.1.contains("not JSON (line 1"), "{not_json:?}");
    let bad_state = messages.iter().find(|m| m.2.contains("disk-full")).unwrap();
    assert!(
        bad_state.1.contains("NewStateValue") && bad_state.1.contains("ALARMING"),
        "{bad_state:?}"
    );
    for m in rejected {
        assert_eq!(m["code"], "MalformedMessage", "{summary}");
    }
    assert_eq!(
        alarm_events(&lake, &store, "network-out"),
        [("alarm.triggered".into(), "false".into(), String::new())]
    );
    let math = query(
        &lake,
        &store,
        "SELECT element_at(eventData.requestParameters, 'metrics') AS metrics FROM {eds} \
         WHERE element_at(eventData.requestParameters, 'alarmName') = 'network-out'",
    );
    assert!(
        math[0]["metrics"].as_str().unwrap().contains("NetworkOut"),
        "{math:?}"
    );
}

#[test]
fn ingest_alarms_refuses_bad_arguments() {
    let lake = Lake::start();
    let channel = "arn:aws:cloudtrail:us-east-1:000000000000:channel/EXAMPLE-1";
    for (args, expected) in [
        (
            vec!["ingest-alarms", "s3://bucket/prefix", "--channel-arn", channel],
            "reads an SQS queue",
        ),
        (
            vec!["ingest-alarms", "sqs://", "--channel-arn", channel],
            "no queue after sqs://",
        ),
        (
            vec!["ingest-alarms", "sqs://q", "--channel-arn", "not-an-arn"],
            "--channel-arn",
        ),
        (
            vec![
                "ingest-alarms",
                "sqs://q",
                "--channel-arn",
                channel,
                "--wait-seconds",
                "21",
            ],
            "21",
        ),
        (
            vec![
                "--output",
                "csv",
                "ingest-alarms",
                "sqs://q",
                "--channel-arn",
                channel,
            ],
            "csv",
        ),
        (
            vec![
                "serve-sns",
                "--port",
                "0",
                "--topic-arn",
                "nope",
                "--channel-arn",
                channel,
            ],
            "--topic-arn",
        ),
        (
            vec![
                "serve-sns",
                "--port",
                "0",
                "--topic-arn",
                "arn:aws:sns:us-east-1:123456789012:alarms",
                "--channel-arn",
                channel,
                "--test-aws-via",
                "http://10.0.0.1:80",
            ],
            "loopback",
        ),
    ] {
        let run = lake.ctlake(&args);
        assert_eq!(run.code, 252, "{args:?}: {run:?}");
        assert!(run.stderr.contains(expected), "{args:?}: {run:?}");
    }
    // A state file that is not one.
    std::fs::write(lake.path("state.json"), "[1, 2]").unwrap();
    let run = lake.ctlake(&[
        "ingest-alarms",
        "sqs://http://127.0.0.1:9/1/q",
        "--channel-arn",
        channel,
        "--state-file",
        "state.json",
    ]);
    assert_eq!(run.code, 252, "{run:?}");
    assert!(run.stderr.contains("state.json: line 1"), "{run:?}");
}

/// A running `ctlake serve-sns`; killed if the test fails before stopping it.
struct Server {
    child: Child,
    url: String,
    stdout: BufReader<std::process::ChildStdout>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    fn start(mut cmd: Command) -> Self {
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let lines = BufReader::new(child.stderr.take().unwrap());
        let log = std::sync::Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in lines.lines().map_while(Result::ok) {
                let mut log = log.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let url = line.trim().to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{line:?}");
        Self {
            child,
            url,
            stdout,
            stderr,
        }
    }

    /// SIGTERM; returns the exit code, the summary and standard error.
    fn stop(mut self) -> (i32, Value, String) {
        assert!(
            Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status()
                .unwrap()
                .success()
        );
        let status = self.child.wait().unwrap();
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).unwrap();
        let stderr = self.stderr();
        let summary = serde_json::from_str(&rest).unwrap_or_else(|e| panic!("{e}: {rest:?} {stderr}"));
        (status.code().unwrap_or(-1), summary, stderr)
    }
}

impl Server {
    /// Standard error so far.
    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// POSTs `body` to `url` (HTTP/1.1, one request); returns the status and the body.
fn post(url: &str, body: &str) -> (u16, String) {
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(addr).unwrap();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/plain; charset=UTF-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

/// Serves the fixture certificate at `/cert.pem` on a loopback port; returns its origin.
fn serve_certificate() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let cert = std::fs::read(fixtures().join("test-cert.pem")).unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]);
            let (status, body) = if head.starts_with("GET /cert.pem ") {
                ("200 OK", cert.as_slice())
            } else {
                ("404 Not Found", &b""[..])
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(body);
        }
    });
    origin
}

/// What [`sns_front`] forwarded: (request target, `Host`).
type Forwarded = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;

/// A loopback front for moto_server's SNS, for `serve-sns --test-aws-via`: it forwards each GET (certificate
/// downloads, ConfirmSubscription) to moto unchanged except for an `Authorization` header with an SNS credential
/// scope. moto_server 5.2.1 picks the service of an unsigned request by its credentials or body, not by its
/// `Host`, and would hand these GETs to S3 otherwise. Returns the front's origin and what it forwarded.
fn sns_front(moto: &Moto) -> (String, Forwarded) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let upstream = moto.endpoint().trim_start_matches("http://").to_owned();
    let seen = Forwarded::default();
    let log = std::sync::Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut client) = stream else { return };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && client.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).into_owned();
            let mut lines = head.split("\r\n").filter(|l| !l.is_empty());
            let request_line = lines.next().unwrap_or("").to_owned();
            let headers: Vec<&str> = lines
                .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
                .collect();
            let host = headers
                .iter()
                .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("host")))
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default();
            let target = request_line.split_whitespace().nth(1).unwrap_or("").to_owned();
            log.lock().unwrap().push((target, host));
            let Ok(mut moto) = TcpStream::connect(&upstream) else {
                return;
            };
            let forwarded = format!(
                "{request_line}\r\n{}\r\nAuthorization: AWS4-HMAC-SHA256 \
                 Credential=testing/20240501/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=00\r\n\
                 Connection: close\r\n\r\n",
                headers.join("\r\n")
            );
            let mut response = Vec::new();
            if moto.write_all(forwarded.as_bytes()).is_ok() && moto.read_to_end(&mut response).is_ok() {
                let _ = client.write_all(&response);
            }
        }
    });
    (origin, seen)
}

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sns"))
}

/// A SubscriptionConfirmation (or UnsubscribeConfirmation, `kind`) for `topic`, signed with the fixture key,
/// its certificate at `cert_origin`.
fn signed_confirmation_of(kind: &str, topic: &str, token: &str, cert_origin: &str) -> Value {
    let subscribe_url = format!(
        "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn={topic}&Token={token}"
    );
    signed(json!({
        "Type": kind, "MessageId": format!("confirm-{token}"), "Token": token,
        "TopicArn": topic, "Timestamp": "2024-05-01T09:00:00.000Z",
        "Message": format!("You have chosen to subscribe to the topic {topic}.\nTo confirm the subscription, visit the SubscribeURL included in this message."),
        "SubscribeURL": subscribe_url, "SignatureVersion": "2",
        "SigningCertURL": format!("{cert_origin}/cert.pem"),
    }))
}

/// A SubscriptionConfirmation for `topic`, signed (SignatureVersion 2), its certificate at `cert_origin`.
fn signed_confirmation(topic: &str, token: &str, cert_origin: &str) -> Value {
    signed_confirmation_of("SubscriptionConfirmation", topic, token, cert_origin)
}

/// A Notification of `message` on `topic`, signed (SignatureVersion 2), its certificate at `cert_url`.
fn signed_notification(topic: &str, id: &str, message: &str, cert_url: &str) -> Value {
    signed(json!({
        "Type": "Notification", "MessageId": id, "TopicArn": topic, "Message": message,
        "Timestamp": "2024-05-01T10:15:01.000Z", "SignatureVersion": "2", "SigningCertURL": cert_url,
    }))
}

/// Signs `message` (SignatureVersion 2, SHA256withRSA) with the fixture key over the string to sign of the SNS
/// documentation: the fields of its `Type`, in order, each as `name\nvalue\n`.
fn signed(mut message: Value) -> Value {
    let fields: &[&str] = if message["Type"] == "Notification" {
        &["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    } else {
        &[
            "Message",
            "MessageId",
            "SubscribeURL",
            "Timestamp",
            "Token",
            "TopicArn",
            "Type",
        ]
    };
    let mut text = String::new();
    for key in fields {
        if let Some(value) = message[*key].as_str() {
            text.push_str(&format!("{key}\n{value}\n"));
        }
    }
    let pem = std::fs::read_to_string(fixtures().join("test-key.pem")).unwrap();
    let der = base64::engine::general_purpose::STANDARD
        .decode(
            pem.lines()
                .filter(|l| !l.starts_with("-----"))
                .collect::<String>(),
        )
        .unwrap();
    let key = aws_lc_rs::rsa::KeyPair::from_pkcs8(&der).unwrap();
    let mut signature = vec![0; key.public_modulus_len()];
    key.sign(
        &aws_lc_rs::signature::RSA_PKCS1_SHA256,
        &aws_lc_rs::rand::SystemRandom::new(),
        text.as_bytes(),
        &mut signature,
    )
    .unwrap();
    message["Signature"] = json!(base64::engine::general_purpose::STANDARD.encode(signature));
    message
}

/// A CloudTrail record of `name` by IAM user alice.
fn record(id: &str, time: &str, source: &str, name: &str, region: &str, params: Value) -> Value {
    json!({"eventVersion": "1.08", "eventID": id, "eventTime": time, "eventSource": source, "eventName": name,
           "awsRegion": region, "sourceIPAddress": "192.0.2.10", "userAgent": "aws-cli/2",
           "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE",
                            "arn": format!("arn:aws:iam::{ACCOUNT}:user/alice"), "accountId": ACCOUNT,
                            "userName": "alice"},
           "requestParameters": params, "responseElements": null, "requestID": format!("req-{id}"),
           "readOnly": false, "eventType": "AwsApiCall", "managementEvent": true,
           "recipientAccountId": ACCOUNT})
}

/// The hour before the alarm (cpu-high on INSTANCE at 10:15:00), as a gzipped CloudTrail log file.
fn log_file() -> Vec<u8> {
    let records = json!({"Records": [
        // The cause: the alarmed instance resized to a tiny type 20 minutes before.
        record("e-resize", "2024-05-01T09:55:00Z", "ec2.amazonaws.com", "ModifyInstanceAttribute", "us-east-1",
               json!({"instanceId": INSTANCE, "instanceType": {"value": "t3.nano"}})),
        // Closer in time and risky, but about other resources, services or regions.
        record("e-sg", "2024-05-01T10:10:00Z", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", "us-east-1",
               json!({"groupId": "sg-0123456789abcdef0",
                      "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22}]}})),
        record("e-iam", "2024-05-01T10:12:00Z", "iam.amazonaws.com", "PutRolePolicy", "us-east-1",
               json!({"roleName": "app", "policyName": "inline"})),
        record("e-eu", "2024-05-01T10:14:00Z", "ec2.amazonaws.com", "StopInstances", "eu-west-1",
               json!({"instancesSet": {"items": [{"instanceId": "i-0fff000000000000e"}]}})),
        // After the alarm: not a candidate.
        record("e-after", "2024-05-01T10:20:00Z", "ec2.amazonaws.com", "StopInstances", "us-east-1",
               json!({"instancesSet": {"items": [{"instanceId": INSTANCE}]}})),
        // Read-only: not a change at all.
        json!({"eventVersion": "1.08", "eventID": "e-read", "eventTime": "2024-05-01T10:00:00Z",
               "eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances", "awsRegion": "us-east-1",
               "readOnly": true, "eventType": "AwsApiCall", "recipientAccountId": ACCOUNT,
               "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::{ACCOUNT}:user/alice")}}),
    ]});
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(records.to_string().as_bytes()).unwrap();
    gz.finish().unwrap()
}

#[test]
fn serve_sns_verifies_moto_signatures_records_alarms_and_log_deliveries_and_suggest_causes_explains() {
    let lake = Lake::start();
    let moto = Moto::start();
    let bundle = lake.enable(&[]);
    let channel = bundle["channelArn"].as_str().unwrap().to_owned();
    let store = bundle["eventDataStoreArn"].as_str().unwrap().to_owned();
    let cert_origin = serve_certificate();
    let (front, forwarded) = sns_front(&moto);
    // Configured here, but not a topic moto knows: its confirmation fails upstream.
    let gone = format!("arn:aws:sns:us-east-1:{ACCOUNT}:gone");

    // Topics in moto: the alarm topic and CloudTrail's, both configured; another one that is not.
    let key = "AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/01/\
               123456789012_CloudTrail_us-east-1_20240501T1000Z_abcdefgh12345678.json.gz";
    let (alarms, trail, other) = lake.block_on(async {
        let sns = moto.sns();
        let mut arns = Vec::new();
        for name in ["alarms", "cloudtrail", "other"] {
            arns.push(
                sns.create_topic()
                    .name(name)
                    .send()
                    .await
                    .unwrap()
                    .topic_arn
                    .unwrap(),
            );
        }
        let s3 = moto.s3();
        s3.create_bucket().bucket("trail").send().await.unwrap();
        s3.put_object()
            .bucket("trail")
            .key(key)
            .body(log_file().into())
            .send()
            .await
            .unwrap();
        (arns[0].clone(), arns[1].clone(), arns[2].clone())
    });

    let mut cmd = command(lake.dir.path());
    env(&mut cmd, &lake, &moto, "test");
    cmd.args([
        "--output",
        "json",
        "-v",
        "serve-sns",
        "--port",
        "0",
        "--topic-arn",
        &alarms,
        "--topic-arn",
        &trail,
        "--topic-arn",
        &gone,
        "--channel-arn",
        &channel,
        "--test-aws-via",
        &front,
        "--test-allow-origin",
        &cert_origin,
        "--reject-file",
        "serve-rejects.jsonl",
    ]);
    let server = Server::start(cmd);
    let health = lake.block_on(async {
        let addr = server
            .url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        tokio::task::spawn_blocking(move || {
            let mut s = TcpStream::connect(&addr).unwrap();
            write!(
                s,
                "GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            let mut r = String::new();
            s.read_to_string(&mut r).unwrap();
            r
        })
        .await
        .unwrap()
    });
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");

    // Subscription confirmations: confirmed (a GET on SubscribeURL, answered by moto) for a configured topic
    // only; a tampered one is refused.
    let (status, body) = post(
        &server.url,
        &signed_confirmation(&alarms, "tok-1", &cert_origin).to_string(),
    );
    assert_eq!(
        (status, body.trim()),
        (200, format!("subscription to {alarms} confirmed").as_str())
    );
    let (status, body) = post(
        &server.url,
        &signed_confirmation(&other, "tok-2", &cert_origin).to_string(),
    );
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("not configured"), "{body}");
    let mut tampered = signed_confirmation(&alarms, "tok-3", &cert_origin);
    tampered["Token"] = json!("tok-4");
    let (status, body) = post(&server.url, &tampered.to_string());
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("signature does not match"), "{body}");
    let (status, _) = post(&server.url, "{not json");
    assert_eq!(status, 400);
    // An UnsubscribeConfirmation of a configured topic is verified and acknowledged; nothing is visited.
    let (status, body) = post(
        &server.url,
        &signed_confirmation_of("UnsubscribeConfirmation", &alarms, "tok-6", &cert_origin).to_string(),
    );
    assert_eq!(
        (status, body.trim()),
        (200, format!("unsubscribed from {alarms}").as_str())
    );
    // Notifications: a signed one whose message was changed afterwards, and one whose certificate is not on an
    // SNS host (refused before any download), are refused and record nothing.
    let cert_url = format!("{cert_origin}/cert.pem");
    let mut tampered = signed_notification(
        &alarms,
        "n-1",
        &alarm("forged", "OK", "ALARM", "2024-05-01T10:15:00.000+0000"),
        &cert_url,
    );
    tampered["Message"] = json!(alarm("forged", "OK", "ALARM", "2024-05-01T10:15:01.000+0000"));
    let (status, body) = post(&server.url, &tampered.to_string());
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("signature does not match"), "{body}");
    let elsewhere = signed_notification(
        &alarms,
        "n-2",
        &alarm("forged", "OK", "ALARM", "2024-05-01T10:15:00.000+0000"),
        "https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-x.pem",
    );
    let (status, body) = post(&server.url, &elsewhere.to_string());
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("is not an SNS host"), "{body}");
    // A configured topic moto does not know: ConfirmSubscription fails there, serve-sns answers 502 (SNS would
    // send the confirmation again).
    let (status, body) = post(
        &server.url,
        &signed_confirmation(&gone, "tok-5", &cert_origin).to_string(),
    );
    assert_eq!(status, 502, "{body}");
    let confirmations: Vec<(String, String)> = forwarded
        .lock()
        .unwrap()
        .iter()
        .filter(|(target, _)| target.contains("ConfirmSubscription"))
        .cloned()
        .collect();
    assert_eq!(
        confirmations,
        [
            (
                format!("/?Action=ConfirmSubscription&TopicArn={alarms}&Token=tok-1"),
                "sns.us-east-1.amazonaws.com".to_owned()
            ),
            (
                format!("/?Action=ConfirmSubscription&TopicArn={gone}&Token=tok-5"),
                "sns.us-east-1.amazonaws.com".to_owned()
            ),
        ]
    );

    // moto delivers over HTTP, signing each notification (SignatureVersion 2, its certificate served by moto).
    lake.block_on(async {
        let sns = moto.sns();
        for topic in [&alarms, &trail, &other] {
            sns.subscribe()
                .topic_arn(topic)
                .protocol("http")
                .endpoint(&server.url)
                .send()
                .await
                .unwrap();
        }
        // CloudTrail's log delivery: serve-sns reads the file from S3 and records its changes.
        sns.publish()
            .topic_arn(&trail)
            .message(json!({"s3Bucket": "trail", "s3ObjectKey": [key]}).to_string())
            .send()
            .await
            .unwrap();
        // The alarm. (moto leaves Subject out of what it signs, so none is sent.)
        sns.publish()
            .topic_arn(&alarms)
            .message(alarm("cpu-high", "OK", "ALARM", "2024-05-01T10:15:00.000+0000"))
            .send()
            .await
            .unwrap();
        // Signed by moto but not an alarm or a log delivery: 400, into the reject file.
        sns.publish()
            .topic_arn(&alarms)
            .message("hello, not an alarm")
            .send()
            .await
            .unwrap();
        // A topic this endpoint does not serve: refused.
        sns.publish()
            .topic_arn(&other)
            .message(alarm("elsewhere", "OK", "ALARM", "2024-05-01T10:16:00.000+0000"))
            .send()
            .await
            .unwrap();
    });

    // moto's Publish returns once the endpoint answered, and serve-sns answers once Lake accepted the events.
    let changes = query(
        &lake,
        &store,
        "SELECT eventData.UID AS uid FROM {eds} WHERE eventData.eventSource <> 'alarms.ctlake.dev' \
         ORDER BY eventData.UID",
    );
    let uids: Vec<&str> = changes.iter().map(|r| r["uid"].as_str().unwrap()).collect();
    assert_eq!(
        uids,
        ["e-after", "e-eu", "e-iam", "e-resize", "e-sg"],
        "{}",
        server.stderr()
    );
    assert_eq!(
        alarm_events(&lake, &store, "cpu-high"),
        [("alarm.triggered".into(), "false".into(), String::new())]
    );
    assert!(alarm_events(&lake, &store, "elsewhere").is_empty());
    assert!(alarm_events(&lake, &store, "forged").is_empty());

    // Which change caused it? The resize of the alarmed instance, and why.
    let run = lake.ctlake(&[
        "--output",
        "json",
        "suggest-causes",
        "--alarm",
        "cpu-high",
        "--event-data-store",
        &store,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let report = run.json();
    assert_eq!(report["changesConsidered"], 4, "{report}");
    let first = &report["candidates"][0];
    assert_eq!(first["id"], "e-resize", "{report}");
    assert_eq!(first["eventName"], "ModifyInstanceAttribute");
    let why: Vec<(&str, &str)> = first["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["reason"].as_str().unwrap()))
        .collect();
    assert!(
        why.contains(&("time", "20m before the alarm (window 2h)")),
        "{why:?}"
    );
    assert!(
        why.contains(&(
            "dimensions",
            format!("InstanceId={INSTANCE} in requestParameters").as_str()
        )),
        "{why:?}"
    );
    assert!(why.contains(&("region", "same region us-east-1")), "{why:?}");
    assert_eq!(report["candidates"][1]["id"], "e-sg", "{report}");
    let table = lake.ctlake(&[
        "--output",
        "table",
        "suggest-causes",
        "--alarm",
        "cpu-high",
        "--event-data-store",
        &store,
    ]);
    assert_eq!(table.code, 0, "{table:?}");
    let first_row = table
        .stdout
        .lines()
        .find(|l| l.contains("ModifyInstanceAttribute") || l.contains("AuthorizeSecurityGroupIngress"))
        .unwrap();
    assert!(first_row.contains("ModifyInstanceAttribute"), "{}", table.stdout);
    assert!(
        table.stdout.starts_with(
            "Alarm cpu-high at 2024-05-01T10:15:00Z in us-east-1: 4 change(s) in the 2h before it."
        ),
        "{}",
        table.stdout
    );
    // The first row's Why cell names the matched dimension (the cell wraps, so look at the table as a whole).
    assert!(table.stdout.contains(INSTANCE), "{}", table.stdout);
    assert!(table.stdout.contains("dimensions +"), "{}", table.stdout);

    // A shorter window leaves the resize out; --limit cuts the list.
    let suggest = |extra: &[&str]| {
        let mut args = vec![
            "--output",
            "json",
            "suggest-causes",
            "--alarm",
            "cpu-high",
            "--event-data-store",
            store.as_str(),
        ];
        args.extend_from_slice(extra);
        lake.ctlake(&args)
    };
    let narrow = suggest(&["--window", "10m"]);
    assert_eq!(narrow.code, 0, "{narrow:?}");
    let narrow = narrow.json();
    assert_eq!(narrow["changesConsidered"], 3, "{narrow}");
    let ids: Vec<&str> = narrow["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&"e-resize"), "{narrow}");
    let one = suggest(&["--limit", "1"]);
    assert_eq!(one.code, 0, "{one:?}");
    assert_eq!(one.json()["candidates"].as_array().unwrap().len(), 1);
    // Unhappy paths: an alarm never recorded, a time before the alarm, a bad window.
    let unknown = lake.ctlake(&[
        "suggest-causes",
        "--alarm",
        "no-such-alarm",
        "--event-data-store",
        &store,
    ]);
    assert_eq!(unknown.code, 255, "{unknown:?}");
    assert!(
        unknown
            .stderr
            .contains("no alarm.triggered event of alarm \"no-such-alarm\""),
        "{unknown:?}"
    );
    let before = suggest(&["--at", "2024-05-01T10:00:00Z"]);
    assert_eq!(before.code, 255, "{before:?}");
    assert!(
        before.stderr.contains("at or before 2024-05-01T10:00:00Z"),
        "{before:?}"
    );
    let bad_window = suggest(&["--window", "2 weeks"]);
    assert_eq!(bad_window.code, 252, "{bad_window:?}");
    assert!(bad_window.stderr.contains("--window"), "{bad_window:?}");

    // SIGTERM: the summary accounts for every request.
    let (code, summary, stderr) = server.stop();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["subscriptionsConfirmed"], json!([alarms]), "{summary}");
    assert_eq!(summary["alarmNotifications"], 1, "{summary}");
    assert_eq!(summary["messagesRejected"], 1, "{summary}");
    let rejects: Vec<Value> = std::fs::read_to_string(lake.path("serve-rejects.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    assert_eq!(rejects[0]["kind"], "message");
    assert_eq!(rejects[0]["code"], "NotAnAlarm");
    assert_eq!(rejects[0]["body"], "hello, not an alarm");
    assert!(
        !rejects[0]["message"].as_str().unwrap().is_empty(),
        "{}",
        rejects[0]
    );
    assert_eq!(summary["logNotifications"], 1, "{summary}");
    assert_eq!(summary["logObjects"], 1, "{summary}");
    assert_eq!(summary["logRecords"], 6, "{summary}");
    assert_eq!(
        summary["events"]["acceptedByKind"],
        json!({"alarm.triggered": 1, "change": 5}),
        "{summary}"
    );
    // 200: the confirmation, the unsubscribe confirmation, the log delivery, the alarm; refused: the other
    // topic's confirmation and notification, the tampered confirmation and notification, the notification
    // with a foreign certificate host, the broken body, the text message; 502: the confirmation moto refused.
    assert_eq!(summary["answeredOk"], 4, "{summary}");
    assert_eq!(summary["refused"], 7, "{summary}");
    assert_eq!(summary["retryLater"], 1, "{summary}");
    assert_eq!(summary["requests"], 12, "{summary}");
    // The three moto notifications of configured topics were verified with moto's own certificates, fetched
    // through the front (moto signs every message with a new certificate, so none comes from the cache).
    let certificates = forwarded
        .lock()
        .unwrap()
        .iter()
        .filter(|(target, _)| target.starts_with("/SimpleNotificationService-") && target.ends_with(".pem"))
        .count();
    assert_eq!(certificates, 3);
    assert!(stderr.contains("is not configured on this endpoint"), "{stderr}");
}

/// Lake unreachable: the message is received, its event cannot be delivered, the run is stopped (SIGTERM).
/// Nothing is deleted and the message is visible again at once; the next run with Lake back records it.
#[test]
fn ingest_alarms_keeps_messages_lake_did_not_take() {
    let lake = Lake::start();
    let moto = Moto::start();
    let bundle = lake.enable(&[]);
    let channel = bundle["channelArn"].as_str().unwrap().to_owned();
    let store = bundle["eventDataStoreArn"].as_str().unwrap().to_owned();
    let (topic, queue) = topic_to_queue(&lake, &moto, "kept", false);
    publish(
        &lake,
        &moto,
        &topic,
        &alarm("kept-alarm", "OK", "ALARM", "2024-05-01T12:00:00.000+0000"),
    );
    // A loopback port nobody listens on, for Lake's data plane.
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let sqs_url = format!("sqs://{queue}");
    let args = [
        "--output",
        "json",
        "ingest-alarms",
        sqs_url.as_str(),
        "--channel-arn",
        channel.as_str(),
        "--wait-seconds",
        "1",
    ];
    let mut cmd = command(lake.dir.path());
    env(&mut cmd, &lake, &moto, "test");
    cmd.env("AWS_ENDPOINT_URL_CLOUDTRAIL_DATA", &closed)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    let pid = child.id().to_string();
    // Wait until the message is in flight (received, hidden from other consumers).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let in_flight = || {
        use aws_sdk_sqs::types::QueueAttributeName as A;
        let out = lake
            .block_on(
                moto.sqs()
                    .get_queue_attributes()
                    .queue_url(&queue)
                    .attribute_names(A::ApproximateNumberOfMessagesNotVisible)
                    .send(),
            )
            .unwrap();
        out.attributes().unwrap()[&A::ApproximateNumberOfMessagesNotVisible] == "1"
    };
    while !in_flight() {
        assert!(
            std::time::Instant::now() < deadline,
            "the message was never received"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let run = Run::of(child.wait_with_output().unwrap());
    assert_eq!(run.code, 130, "{run:?}");
    let summary = run.json();
    assert_eq!(summary["messagesReceived"], 1, "{summary}");
    assert_eq!(summary["messagesDeleted"], 0, "{summary}");
    assert_eq!(summary["events"]["accepted"], 0, "{summary}");
    assert_eq!(summary["events"]["notDelivered"], 1, "{summary}");
    assert_eq!(summary["messagesLeft"].as_array().unwrap().len(), 1, "{summary}");
    assert!(!in_flight(), "the message is visible again at once");
    assert_eq!(queue_depth(&lake, &moto, &queue), 1);
    assert!(alarm_events(&lake, &store, "kept-alarm").is_empty());

    // Lake is back: the same message is recorded, then deleted.
    let run = ctlake(&lake, &moto, "test", &[&args[..], &["--once"]].concat());
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["messagesDeleted"], 1);
    assert_eq!(queue_depth(&lake, &moto, &queue), 0);
    assert_eq!(
        alarm_events(&lake, &store, "kept-alarm"),
        [("alarm.triggered".into(), "false".into(), String::new())]
    );

    // A queue that does not exist: SQS's error, named once, and exit 254.
    let missing = ctlake(
        &lake,
        &moto,
        "test",
        &[
            "ingest-alarms",
            "sqs://no-such-queue",
            "--channel-arn",
            &channel,
            "--once",
        ],
    );
    assert_eq!(missing.code, 254, "{missing:?}");
    assert!(missing.stderr.contains("queue no-such-queue"), "{missing:?}");
    assert_eq!(
        missing
            .stderr
            .matches("The specified queue does not exist")
            .count(),
        1,
        "{missing:?}"
    );
}

/// A signed SNS message from the fixtures, its `SigningCertURL` (not signed) pointed at `cert_origin`.
fn fixture_message(name: &str, cert_origin: &str) -> Value {
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join(name)).unwrap()).unwrap();
    v["SigningCertURL"] = json!(format!("{cert_origin}/cert.pem"));
    v
}

/// serve-sns with SignatureVersion 1 (SHA1withRSA) and 2 (SHA256withRSA) messages signed by openssl (the
/// fixtures), no moto: a v1 alarm is recorded, a v1 UnsubscribeConfirmation acknowledged, a v2 text message
/// goes to the reject file, a v1 message changed after signing is refused.
#[test]
fn serve_sns_verifies_signature_versions_1_and_2() {
    let lake = Lake::start();
    let bundle = lake.enable(&[]);
    let channel = bundle["channelArn"].as_str().unwrap().to_owned();
    let store = bundle["eventDataStoreArn"].as_str().unwrap().to_owned();
    let cert_origin = serve_certificate();
    let topic = format!("arn:aws:sns:us-east-1:{ACCOUNT}:ctlake-alarms");
    let mut cmd = command(lake.dir.path());
    cmd.env("AWS_ENDPOINT_URL", &lake.url).args([
        "--output",
        "json",
        "serve-sns",
        "--port",
        "0",
        "--topic-arn",
        &topic,
        "--channel-arn",
        &channel,
        "--test-allow-origin",
        &cert_origin,
        "--reject-file",
        "rejects.jsonl",
    ]);
    let server = Server::start(cmd);

    let mut tampered = fixture_message("notification-alarm-v1.json", &cert_origin);
    tampered["Subject"] = json!("OK: \"cpu-high\" in US East (N. Virginia)");
    let (status, body) = post(&server.url, &tampered.to_string());
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("signature does not match the message (SignatureVersion 1)"),
        "{body}"
    );
    assert!(alarm_events(&lake, &store, "cpu-high").is_empty());

    let alarm = fixture_message("notification-alarm-v1.json", &cert_origin);
    let (status, body) = post(&server.url, &alarm.to_string());
    assert_eq!((status, body.trim()), (200, "recorded"));
    assert_eq!(
        alarm_events(&lake, &store, "cpu-high"),
        [("alarm.triggered".into(), "false".into(), String::new())]
    );

    let text = fixture_message("notification-text-v2.json", &cert_origin);
    let (status, body) = post(&server.url, &text.to_string());
    assert_eq!(status, 400, "{body}");
    let rejects: Vec<Value> = std::fs::read_to_string(lake.path("rejects.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    assert_eq!(rejects[0]["code"], "NotAnAlarm");
    assert_eq!(rejects[0]["delivery"], text["MessageId"]);
    assert_eq!(rejects[0]["body"], text["Message"]);

    let unsubscribe = fixture_message("unsubscribe-confirmation-v1.json", &cert_origin);
    let (status, body) = post(&server.url, &unsubscribe.to_string());
    assert_eq!(
        (status, body.trim()),
        (200, format!("unsubscribed from {topic}").as_str())
    );

    let (code, summary, stderr) = server.stop();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["requests"], 4, "{summary}");
    assert_eq!(summary["answeredOk"], 2, "{summary}");
    assert_eq!(summary["refused"], 2, "{summary}");
    assert_eq!(summary["alarmNotifications"], 1, "{summary}");
    assert_eq!(summary["messagesRejected"], 1, "{summary}");
    assert_eq!(
        summary["events"]["acceptedByKind"],
        json!({"alarm.triggered": 1}),
        "{summary}"
    );
}
